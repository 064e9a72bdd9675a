import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Plan } from '../../../src/plan/types.js';
import { renderPlanMermaid } from '../../../src/render/plan-mermaid.js';
import { renderPlanText } from '../../../src/render/plan-text.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const examples = readdirSync(PLAYBOOKS)
  .filter((f) => f.endsWith('.yml'))
  .sort();

/** The plan as a snapshot: the git state of the checkout is not part of the contract. */
async function planOf(file: string, vars: Record<string, string> = {}): Promise<Plan> {
  const { plan, diagnostics } = await planPlaybook(file, { vars, limit: null });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  if (!plan) throw new Error(`no plan for ${file}`);
  return { ...plan, source: { ...plan.source, gitCommit: null, gitDirty: false } };
}

describe('every example playbook validates and plans (plan snapshots are the dry-run contract)', () => {
  it('has one example per change type and a full restart', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'module.yml',
        'theme.yml',
        'fixpack.yml',
        'hotfix.yml',
        'fixpack-revert.yml',
        'portal-properties.yml',
        'osgi-config.yml',
        'jvm-settings.yml',
        'app-server.yml',
        'java.yml',
        'activation-key.yml',
        'os-upgrade.yml',
        'custom.yml',
        'restart.yml',
        'full-restart.yml',
      ]),
    );
  });

  it.each(examples)('%s', async (name) => {
    const plan = await planOf(`playbooks/${name}`);
    await expect(`${JSON.stringify(plan, null, 2)}\n`).toMatchFileSnapshot(
      `./__snapshots__/examples/${name.replace(/\.yml$/, '')}.plan.json`,
    );
    await expect(renderPlanText(plan, { full: false, chalk: new Chalk({ level: 0 }) })).toMatchFileSnapshot(
      `./__snapshots__/examples/${name.replace(/\.yml$/, '')}.plan.txt`,
    );
  });
});

describe('plan facts the executor relies on', () => {
  it('6 nodes with serial [1, 2, "50%"] gives batches of 1, 2 and 3 in inventory order', async () => {
    const plan = await planOf('playbooks/portal-properties.yml');
    expect(plan.batches.map((b) => b.nodes)).toEqual([['lr1'], ['lr2', 'lr3'], ['lr4', 'lr5', 'lr6']]);
  });

  it('a Java major update under strategy: rolling is refused with its reason', async () => {
    const plan = await planOf('test/fixtures/playbooks/valid/java-major-rolling.yml');
    expect(plan.verdict.refused).toBe(true);
    expect(plan.verdict.changes[0]?.reasons.join(' ')).toContain('major update (11 → 17)');
  });

  it('the same playbook and inputs give the same hash; any change gives a new one', async () => {
    const a = await planOf('playbooks/portal-properties.yml');
    const b = await planOf('playbooks/portal-properties.yml');
    const c = await planOf('playbooks/portal-properties.yml', { sessionMinutes: '60' });
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
  });

  it('steps follow SPEC §4 in order for a rolling node', async () => {
    const plan = await planOf('playbooks/module.yml');
    const actions = plan.batches[0]?.nodePlans[0]?.steps.map((s) => `${s.phase}:${s.action}`);
    expect(actions).toEqual([
      'prepare:check-capacity',
      'prepare:lb-drain',
      'prepare:lb-wait-drained',
      'prepare:service-stop',
      'prepare:backup',
      'prepare:apply',
      'prepare:verify',
      'start:service-start',
      'start:wait-log-marker',
      'start:wait-http',
      'start:wait-modules',
      'start:settle',
      'return:lb-enable',
      'return:lb-health-up',
      'return:lb-wait-up',
    ]);
    expect(plan.batches[0]?.before[0]?.action).toBe('check-capacity');
  });

  it('a full restart is one batch whose nodes all stop before the first starts', async () => {
    const plan = await planOf('playbooks/full-restart.yml');
    expect(plan.batches).toHaveLength(1);
    expect(plan.batches[0]?.startAfterAllPrepared).toBe(true);
    expect(plan.batches[0]?.nodes).toEqual(['node1', 'node2', 'node3']);
    expect(plan.verdict).toMatchObject({ level: 'full-restart', refused: false });
  });

  it('every step id is unique', async () => {
    for (const name of examples) {
      const plan = await planOf(`playbooks/${name}`);
      const ids = [
        ...plan.preflight,
        ...plan.beforeRun,
        ...plan.batches.flatMap((b) => [...b.before, ...b.nodePlans.flatMap((n) => n.steps), ...b.after]),
        ...plan.finally,
        ...plan.onFailure,
      ].map((s) => s.id);
      expect(new Set(ids).size, name).toBe(ids.length);
    }
  });

  it('secrets never appear in the plan: only quoted environment references, named in `secrets`', async () => {
    const plan = await planOf('test/fixtures/playbooks/valid/secrets.yml');
    expect(plan.secrets).toEqual(['DB_PASSWORD', 'LIFERAY_ADMIN_PASSWORD']);
    const hook = plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'hook');
    expect(hook?.command).toBe(
      `/usr/local/bin/notify --node node1 --password "\${LIFERAY_ADMIN_PASSWORD}" --url ` +
        `"jdbc:postgresql://db:5432/lportal?password=\${DB_PASSWORD}&x='1'" --text 'it'\\''s $HOME ` +
        `\`uname\`'`,
    );
    expect(hook?.secretEnv).toEqual(['DB_PASSWORD', 'LIFERAY_ADMIN_PASSWORD']);
  });

  it('renders a Mermaid flowchart', async () => {
    const text = renderPlanMermaid(await planOf('playbooks/restart.yml'));
    expect(text.startsWith('flowchart TD\n')).toBe(true);
    expect(text).toContain('subgraph batch3["Batch 3: node3"]');
  });
});
