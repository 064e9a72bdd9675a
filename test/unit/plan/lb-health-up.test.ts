// loadBalancer.healthUpAfterProbe: where the `lb-health-up` step is planned (after the node's own HTTP probe, between
// the enable and the wait for UP), where it is not (off, no HTTP probe, not HAProxy), and what it sends.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chalk } from 'chalk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Diagnostic } from '../../../src/errors/diagnostics.js';
import { EXPECTED } from '../../../src/plan/defaults.js';
import type { NodeStep, Plan } from '../../../src/plan/types.js';
import { renderPlanText } from '../../../src/render/plan-text.js';

process.env['GIT_OPTIONAL_LOCKS'] = '0';
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-health-up-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HAPROXY = '  type: haproxy\n  socket: /run/haproxy/admin.sock\n  backend: liferay\n';
const PAIR =
  '  type: haproxy\n  backend: liferay\n  instances:\n    - name: lb1\n      socket: /run/lb1.sock\n' +
  '    - name: lb2\n      socket: /run/lb2.sock\n';

interface Setup {
  lb?: string;
  /** Extra lines under `loadBalancer:` (indented two spaces). */
  option?: string;
  rollout?: string;
  health?: string;
  nodes?: number;
}

async function planWith(s: Setup = {}): Promise<{ plan: Plan; diagnostics: Diagnostic[] }> {
  const nodes = Array.from({ length: s.nodes ?? 3 }, (_, i) => `    - name: node${i + 1}\n`).join('');
  const file = join(dir, 'p.yml');
  writeFileSync(
    file,
    `lrroll: 1\nname: back fast\ninventory:\n  nodes:\n${nodes}loadBalancer:\n${s.lb ?? HAPROXY}${s.option ?? ''}` +
      `change:\n  type: restart\n${s.rollout ? `rollout:\n${s.rollout}` : ''}${s.health ? `health:\n${s.health}` : ''}`,
  );
  const out = await planPlaybook(file, { vars: {}, limit: null });
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { plan: out.plan as Plan, diagnostics: out.diagnostics };
}

const nodePlans = (p: Plan) => p.batches.flatMap((b) => b.nodePlans);
const returning = (steps: readonly NodeStep[]): string[] =>
  steps.filter((s) => s.phase === 'return').map((s) => s.action);
const allSteps = (p: Plan): NodeStep[] => nodePlans(p).flatMap((np) => [...np.steps, ...(np.rollback ?? [])]);

describe('healthUpAfterProbe in the plan', () => {
  it.each([
    ['rolling, serial 1', '  serial: 1\n', [['node1'], ['node2'], ['node3']]],
    ['rolling, serial 2', '  serial: 2\n', [['node1', 'node2'], ['node3']]],
    ['full', '  strategy: full\n', [['node1', 'node2', 'node3']]],
  ])(
    'on by default (%s): each node is marked UP after its own HTTP probe, then waits for UP',
    async (_, rollout, batches) => {
      const { plan } = await planWith({ rollout });
      expect(plan.loadBalancer.healthUpAfterProbe).toBe(true);
      expect(plan.batches.map((b) => b.nodes)).toEqual(batches);
      for (const np of nodePlans(plan)) {
        expect(returning(np.steps), np.node).toEqual(['lb-enable', 'lb-health-up', 'lb-wait-up']);
        const actions = np.steps.map((s) => s.action);
        expect(actions.indexOf('lb-health-up')).toBeGreaterThan(actions.indexOf('wait-http'));
        const up = np.steps.find((s) => s.action === 'lb-health-up');
        expect(up).toMatchObject({
          node: np.node,
          member: np.node,
          api: `set server liferay/${np.node} health up`,
          command: null,
          runOn: 'local',
          title: `mark ${np.node} UP in HAProxy now that its HTTP probe passed (health up)`,
        });
        // The wait that follows expects one read, not the checks' rise.
        expect(np.steps.find((s) => s.action === 'lb-wait-up')?.expectSec).toBe(EXPECTED.lbActionSec);
      }
    },
  );

  it.each([
    ['rolling, serial 1', '  serial: 1\n'],
    ['rolling, serial 2', '  serial: 2\n'],
    ['full', '  strategy: full\n'],
  ])('off (%s): no lb-health-up step anywhere, and the rest of the plan as before', async (_, rollout) => {
    const on = await planWith({ rollout });
    const off = await planWith({ rollout, option: '  healthUpAfterProbe: false\n' });
    expect(off.plan.loadBalancer.healthUpAfterProbe).toBe(false);
    expect(allSteps(off.plan).filter((s) => s.action === 'lb-health-up')).toEqual([]);
    for (const np of nodePlans(off.plan)) {
      expect(returning(np.steps)).toEqual(['lb-enable', 'lb-wait-up']);
      expect(np.steps.find((s) => s.action === 'lb-wait-up')?.expectSec).toBe(EXPECTED.lbUpSec);
    }
    // The same steps in the same order, but for the one step per node.
    const shape = (p: Plan) =>
      nodePlans(p).map((np) => np.steps.filter((s) => s.action !== 'lb-health-up').map((s) => s.title));
    expect(shape(off.plan)).toEqual(shape(on.plan));
  });

  it('several HAProxy instances: one step sends health up to every one of them', async () => {
    const { plan } = await planWith({ lb: PAIR, rollout: '  serial: 2\n' });
    for (const np of nodePlans(plan))
      expect(np.steps.find((s) => s.action === 'lb-health-up')).toMatchObject({
        api: `set server liferay/${np.node} health up (on lb1, lb2)`,
        title: `mark ${np.node} UP in every HAProxy now that its HTTP probe passed (health up)`,
      });
  });

  it('uses the mapped member name', async () => {
    const { plan } = await planWith({ option: '  members:\n    node1: app-a\n' });
    expect(nodePlans(plan)[0]?.steps.find((s) => s.action === 'lb-health-up')?.api).toBe(
      'set server liferay/app-a health up',
    );
  });

  it('a rollback puts the node back the same way, after its HTTP probe passed again', async () => {
    const { plan } = await planWith({ rollout: '  onFailure: rollback\n' });
    const rollback = nodePlans(plan)[0]?.rollback ?? [];
    const actions = rollback.map((s) => s.action);
    expect(actions.slice(-3)).toEqual(['lb-enable', 'lb-health-up', 'lb-wait-up']);
    expect(actions.indexOf('wait-http')).toBeGreaterThanOrEqual(0);
    expect(actions.indexOf('wait-http')).toBeLessThan(actions.indexOf('lb-health-up'));
  });

  it('without the HTTP probe there is no step; written explicitly, a warning says why', async () => {
    const health = '  http:\n    enabled: false\n';
    const quiet = await planWith({ health });
    expect(allSteps(quiet.plan).filter((s) => s.action === 'lb-health-up')).toEqual([]);
    expect(quiet.diagnostics.filter((d) => d.summary.includes('healthUpAfterProbe'))).toEqual([]);
    const loud = await planWith({ health, option: '  healthUpAfterProbe: true\n' });
    expect(allSteps(loud.plan).filter((s) => s.action === 'lb-health-up')).toEqual([]);
    const warning = loud.diagnostics.find((d) => d.summary.includes('healthUpAfterProbe'));
    // the option's own line
    expect(warning).toMatchObject({ severity: 'warning', code: 'W_PLAYBOOK', source: { line: 12 } });
  });

  it('another load balancer type: never planned, and the option is not part of its schema', async () => {
    const apache = '  type: apache\n  balancer: liferay\n  url: http://lb.internal/balancer-manager\n';
    const { plan } = await planWith({ lb: apache });
    expect(plan.loadBalancer.healthUpAfterProbe).toBe(false);
    expect(allSteps(plan).filter((s) => s.action === 'lb-health-up')).toEqual([]);
    const file = join(dir, 'bad.yml');
    writeFileSync(
      file,
      `lrroll: 1\nname: x\ninventory:\n  nodes:\n    - name: node1\nloadBalancer:\n${apache}` +
        `  healthUpAfterProbe: true\nchange:\n  type: restart\n`,
    );
    const out = await planPlaybook(file, { vars: {}, limit: null });
    expect(out.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });

  it('can be turned off for one run with --set, which the plan records', async () => {
    const out = await planPlaybook('playbooks/restart.yml', {
      vars: {},
      limit: null,
      sets: ['loadBalancer.healthUpAfterProbe=false'],
    });
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(out.plan?.loadBalancer.healthUpAfterProbe).toBe(false);
    expect(allSteps(out.plan as Plan).filter((s) => s.action === 'lb-health-up')).toEqual([]);
  });

  it('`lrroll plan` shows the step and the runtime API command it sends', async () => {
    const { plan } = await planWith({ nodes: 2 });
    const text = renderPlanText(plan, { chalk: new Chalk({ level: 0 }), full: false });
    expect(text).toContain('mark node1 UP in HAProxy now that its HTTP probe passed (health up)');
    expect(text).toContain('api> set server liferay/node1 health up');
  });
});
