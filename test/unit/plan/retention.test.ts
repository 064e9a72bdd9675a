// The plan's disk hygiene: a final step per changed node keeps `rollout.retention` runs of backups and
// staged files, shown in the plan after the consistency check; preflight reads the .lrroll size.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Plan, PruneStep } from '../../../src/plan/types.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-retention-'));
  cpSync(join(ROOT, 'playbooks'), dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function plan(retention: number | null, limit: string[] | null = null): Promise<Plan> {
  const text = readFileSync(join(dir, 'module.yml'), 'utf8');
  const file = join(dir, `module-${String(retention)}.yml`);
  writeFileSync(file, retention === null ? text : `${text}rollout:\n  retention: ${retention}\n`);
  const out = await planPlaybook(file, { vars: {}, limit });
  if (!out.plan) throw new Error(JSON.stringify(out.diagnostics));
  return out.plan;
}

const prunes = (p: Plan): PruneStep[] => p.finally.filter((s): s is PruneStep => s.action === 'prune');

describe('retention in the plan', () => {
  it(
    'by default keeps 3 runs: one prune step per node after the consistency check, recording the staged ' + 'artifact',
    async () => {
      const p = await plan(null);
      expect(prunes(p).map((s) => [s.node, s.keep, s.path])).toEqual(
        p.nodes.map((n) => [n.name, 3, `${n.liferayHome}/.lrroll`]),
      );
      const actions = p.finally.map((s) => s.action);
      expect(actions.indexOf('consistency-check')).toBeLessThan(actions.indexOf('prune'));
      const upload = p.preflight.find((s) => s.action === 'upload' && s.node === p.nodes[0]?.name);
      expect(upload && 'remotePath' in upload ? prunes(p)[0]?.command : '').toContain(
        upload && 'remotePath' in upload ? upload.remotePath.split('/').pop() : '?',
      );
      expect(prunes(p)[0]?.command).toMatch(/n=3\b/);
    },
  );

  it('rollout.retention sets how many runs are kept; --limit prunes only the nodes it changes', async () => {
    const p = await plan(5, ['node2']);
    expect(prunes(p).map((s) => [s.node, s.keep])).toEqual([['node2', 5]]);
    expect(prunes(p)[0]?.command).toMatch(/n=5\b/);
  });

  it(
    'the backup folder and the prune record are both named by the run id, so the run that made a backup ' + 'keeps it',
    async () => {
      const p = await plan(1);
      const backup = p.batches.flatMap((b) => b.nodePlans.flatMap((n) => n.steps)).find((s) => s.action === 'backup');
      expect(backup && 'backupDir' in backup ? backup.backupDir : '').toBe(
        '/opt/liferay/.lrroll/backups/$LRROLL_RUN_ID',
      );
      expect(prunes(p)[0]?.command).toContain('k=$LRROLL_RUN_ID');
    },
  );

  it('preflight reads the size of .lrroll with the free space', async () => {
    const p = await plan(null);
    const disk = p.preflight.find((s) => s.action === 'check-disk');
    expect(disk?.title).toContain('size of /opt/liferay/.lrroll');
    expect(disk?.command).toContain('lrroll-footprint');
  });

  it('retention 0 or a fraction is a located error', async () => {
    const text = readFileSync(join(dir, 'module.yml'), 'utf8');
    for (const bad of ['0', '2.5']) {
      const file = join(dir, `module-bad-${bad}.yml`);
      writeFileSync(file, `${text}rollout:\n  retention: ${bad}\n`);
      const out = await planPlaybook(file, { vars: {}, limit: null });
      expect(out.plan).toBeUndefined();
      expect(JSON.stringify(out.diagnostics)).toMatch(/retention/);
    }
  });
});
