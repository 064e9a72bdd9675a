/**
 * What `lrroll clean` and `lrroll facts` run on each node is in the plan (plan.cluster.clean and
 * .facts): each node with its own paths and rights, the deadline from the defaults table, clean's
 * `--keep` a named placeholder, and `lrroll plan --full` shows every one of those commands.
 */
import { Chalk } from 'chalk';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { CLUSTER_TIMINGS } from '../../../src/plan/defaults.js';
import { parseDuration } from '../../../src/plan/duration.js';
import { factsCommand } from '../../../src/plan/facts-commands.js';
import { parseFootprint } from '../../../src/domain/footprint.js';
import { footprintCommand } from '../../../src/plan/hygiene.js';
import type { Plan } from '../../../src/plan/types.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-maintenance-steps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two nodes with their own homes (node2 through sudo), rolling with `serial`, `limit` selecting the changed nodes. */
async function planOf(serial: number | string, limit: string[] | null): Promise<Plan> {
  const file = join(dir, `clean-${String(serial)}.yml`);
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: clean and facts',
      'inventory:',
      '  nodes:',
      '    - name: node1',
      '      host: 10.0.0.1',
      '      liferayHome: /srv/a/liferay',
      '    - name: node2',
      '      host: 10.0.0.2',
      '      liferayHome: /srv/b/liferay',
      '      tomcatHome: /srv/b/tomcat-9',
      '      become: true',
      'loadBalancer:',
      '  type: none',
      'change:',
      '  type: restart',
      'rollout:',
      `  serial: ${String(serial)}`,
      '',
    ].join('\n'),
  );
  const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return plan as Plan;
}

describe('clean and facts steps in the plan', () => {
  it.each([
    [1, null],
    ['50%', ['node1']],
  ] as const)(
    'serial %s, limit %j: every node of the inventory, with its own paths and rights',
    async (serial, limit) => {
      const plan = await planOf(serial, limit ? [...limit] : null);
      expect(plan.cluster.clean.map((c) => c.node)).toEqual(['node1', 'node2']);
      expect(plan.cluster.facts.map((f) => f.node)).toEqual(['node1', 'node2']);
      const b = plan.cluster.clean[1]!;
      expect(b.footprint).toMatchObject({
        id: 'cluster/clean/node2/read-footprint',
        action: 'read-footprint',
        runOn: 'node',
        become: true,
        placeholders: [],
        command: footprintCommand('/srv/b/liferay'),
        timeoutSec: parseDuration(CLUSTER_TIMINGS.cleanTimeout),
      });
      expect(b.prune).toMatchObject({
        id: 'cluster/clean/node2/prune',
        action: 'prune',
        become: true,
        placeholders: ['keep'],
        timeoutSec: 120,
      });
      expect(b.prune.command).toContain('d=/srv/b/liferay/.lrroll; n={keep}');
      expect(plan.cluster.clean[0]!.footprint.become).toBe(false);
      expect(plan.cluster.facts[1]).toMatchObject({
        id: 'cluster/facts/node2/read-facts',
        action: 'read-facts',
        become: true,
        command: factsCommand({ liferayHome: '/srv/b/liferay', tomcatHome: '/srv/b/tomcat-9' }),
        timeoutSec: 180,
      });
    },
  );

  it('the prune step with --keep filled in keeps that many runs (run on a local folder)', async () => {
    const plan = await planOf(1, null);
    const home = join(dir, 'home');
    for (const [i, run] of ['r1', 'r2', 'r3'].entries()) {
      mkdirSync(join(home, '.lrroll/backups', run), { recursive: true });
      writeFileSync(join(home, '.lrroll/backups', run, 'f'), 'x'.repeat(2048));
      execFileSync('touch', ['-d', `2020-01-0${i + 1}`, join(home, '.lrroll/backups', run)]);
    }
    const step = plan.cluster.clean[0]!.prune;
    const command = fillPlaceholders(step.command!.split('/srv/a/liferay').join(home), step.placeholders, {
      keep: '1',
    });
    const out = execFileSync('sh', ['-c', command], { encoding: 'utf8' });
    expect(out).toContain('removed backup r1');
    expect(out).toContain('removed backup r2');
    expect(out.trim().split('\n').pop()).toMatch(/^lrroll: kept 1 run\(s\); removed 2 backup\(s\)/);
    expect(
      parseFootprint(
        execFileSync('sh', ['-c', plan.cluster.clean[0]!.footprint.command!.split('/srv/a/liferay').join(home)], {
          encoding: 'utf8',
        }),
      )?.backups,
    ).toBe(1);
  });

  it('plan --full shows every clean and facts command; the default view does not', async () => {
    const plan = await planOf(1, null);
    const full = renderPlanText(plan, { full: true, chalk: new Chalk({ level: 0 }) });
    const section = full.slice(full.indexOf('Run by lrroll clean and lrroll facts'));
    expect(section.length).toBeGreaterThan(0);
    for (const c of plan.cluster.clean) {
      expect(section).toContain(`$ ${c.footprint.command!.split('\n')[0]}`);
      expect(section).toContain(c.prune.title);
      expect(section).toContain(`$ ${c.prune.command!.split('\n')[0]}`);
    }
    for (const f of plan.cluster.facts) expect(section).toContain(f.title);
    expect(section).toContain(
      'keep the backups and staged files of the last {keep} run(s) in /srv/b/liferay/.lrroll, remove ' +
        'older ones (≤ 2m 00s) [sudo]',
    );
    expect(renderPlanText(plan, { full: false, chalk: new Chalk({ level: 0 }) })).not.toContain('Run by lrroll clean');
  });
});
