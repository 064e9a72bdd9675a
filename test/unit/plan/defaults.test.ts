/**
 * Defaults an admin would not be surprised by: the HTTP probe asks the node's own address, no
 * blind settle is added (and one that is set says where it comes from), `type: commands` has a
 * forced stop, and the estimate follows the declared start time and the drain the executor will
 * really wait.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { NodeStep, Plan } from '../../../src/plan/types.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-defaults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function planOf(lines: string[]): Promise<Plan> {
  const file = join(dir, `d${n++}.yml`);
  writeFileSync(file, ['lrroll: 1', 'name: Defaults', ...lines, ''].join('\n'));
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  if (!outcome.plan) throw new Error(JSON.stringify(outcome.diagnostics, null, 2));
  return outcome.plan;
}

const NODES = [
  'inventory:',
  '  nodes:',
  '    - name: node1',
  '      host: 10.0.0.11',
  '    - name: node2',
  '      host: 10.0.0.12',
  '      httpPort: 8081',
];
const HAPROXY = [
  'loadBalancer:',
  '  type: haproxy',
  '  socket: /run/haproxy/admin.sock',
  '  backend: liferay',
  '  drainTimeout: 4s',
];
const step = (plan: Plan, node: string, action: string): NodeStep | undefined =>
  plan.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action);

describe('defaults', () => {
  it("the HTTP probe's default URL is the node's own host and port, not 127.0.0.1", async () => {
    const plan = await planOf([...NODES, ...HAPROXY, 'change:', '  type: restart']);
    expect(step(plan, 'node1', 'wait-http')).toMatchObject({ url: 'http://10.0.0.11:8080/c/portal/layout' });
    expect(step(plan, 'node2', 'wait-http')).toMatchObject({ url: 'http://10.0.0.12:8081/c/portal/layout' });
    expect(plan.preflight.find((s) => s.action === 'check-node-healthy' && s.node === 'node2')).toMatchObject({
      url: 'http://10.0.0.12:8081/c/portal/layout',
    });
  });

  it('no settle by default; a settle that is set is titled with the setting it comes from', async () => {
    expect(step(await planOf([...NODES, ...HAPROXY, 'change:', '  type: restart']), 'node1', 'settle')).toBeUndefined();
    expect(
      step(
        await planOf([...NODES, ...HAPROXY, 'change:', '  type: restart', 'health:', '  settle: 30s']),
        'node1',
        'settle',
      ),
    ).toMatchObject({ title: 'settle for 30s (health.settle)', seconds: 30 });
  });

  it('type commands without forceStop: kill -9 of the pid in pidFile, failing clearly when there is none', async () => {
    const plan = await planOf([
      'inventory:',
      '  defaults:',
      '    service: { type: commands, start: svc start, stop: svc stop, status: svc status }',
      '  nodes:',
      '    - name: node1',
      '    - name: node2',
      ...HAPROXY,
      'change:',
      '  type: restart',
    ]);
    const stop = step(plan, 'node1', 'service-stop');
    expect(stop?.action === 'service-stop' && stop.forceCommand).toBe(
      `if [ -f /opt/liferay/liferay.pid ]; then kill -9 "$(cat /opt/liferay/liferay.pid)" 2>/dev/null ` +
        `|| true; rm -f /opt/liferay/liferay.pid; else echo 'lrroll: the graceful stop did not finish ` +
        `and there is no service.forceStop: no pid file at '/opt/liferay/liferay.pid >&2; exit 1; fi`,
    );
  });

  it(
    'the estimate follows the declared start time: the start command and gates share it, the stop takes ' + 'no longer',
    async () => {
      const plan = await planOf([
        ...NODES,
        ...HAPROXY,
        'change:',
        '  type: restart',
        'health:',
        '  expectedStartTime: 3s',
      ]);
      const np = plan.batches[0]?.nodePlans[0];
      const start = (np?.steps ?? []).filter((s) => s.phase === 'start').reduce((t, s) => t + s.expectSec, 0);
      expect(start).toBeGreaterThan(2.5);
      expect(start).toBeLessThanOrEqual(3.5);
      expect(step(plan, 'node1', 'service-stop')?.expectSec).toBe(3);
      // drain 4s + stop 3s + start 3s + enable and UP: well under a minute per node (it was 3 min of default start time
      // before)
      expect(plan.estimate.outOfRotationSec).toBeLessThan(20);
      expect(plan.estimate.expectedSec).toBeLessThan(60);
    },
  );

  it('without a declared start time, no gate is expected to take longer than its deadline', async () => {
    const plan = await planOf([
      ...NODES,
      ...HAPROXY,
      'change:',
      '  type: restart',
      'health:',
      '  startupMarker: { timeout: 60s }',
    ]);
    for (const s of plan.batches.flatMap((b) => b.nodePlans.flatMap((np) => np.steps)))
      expect(s.expectSec, s.id).toBeLessThanOrEqual(s.timeoutSec);
  });

  it(
    'a command load balancer without a session count waits its drainWait (not the drain timeout), and ' +
      'the estimate says so',
    async () => {
      const plan = await planOf([
        ...NODES,
        'loadBalancer:',
        '  type: command',
        '  drain: lb drain {{member}}',
        '  enable: lb enable {{member}}',
        '  status: lb status {{member}}',
        '  drainTimeout: 45s',
        'change:',
        '  type: restart',
      ]);
      expect(step(plan, 'node1', 'lb-wait-drained')).toMatchObject({
        timeoutSec: 30,
        expectSec: 30,
        countsSessions: false,
      });
    },
  );
});
