import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initialNodeStates, type RunState } from '../../../src/execute/context.js';
import { executeStep } from '../../../src/execute/steps.js';
import { LocalTransport } from '../../../src/execute/transports/local.js';
import type { ConsistencyCheckStep, Plan } from '../../../src/plan/types.js';
import { FakeCluster, fakeDeps, loadPlan } from '../../helpers/fake-transport.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { LOCAL_TIMINGS } from '../../../src/plan/defaults.js';

// The consistency check reads every node from its own paths: nodes with different Liferay Homes
// and properties files, run for real with the local transport on temp folders.

let dir: string;
let plan: Plan;

/** A Liferay Home with one module and the given portal-ext.properties. */
function home(path: string, modules: string[], properties: string): void {
  rmSync(join(path, 'osgi/modules'), { recursive: true, force: true });
  mkdirSync(join(path, 'osgi/modules'), { recursive: true });
  for (const m of modules) writeFileSync(join(path, 'osgi/modules', m), 'jar');
  writeFileSync(join(path, 'portal-ext.properties'), properties);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-consistency-'));
  const nodes = ['a', 'b', 'c']
    .map((n) => `    - name: node-${n}\n      transport: local\n      liferayHome: ${dir}/${n}/liferay-${n}\n`)
    .join('');
  const file = join(dir, 'playbook.yml');
  writeFileSync(
    file,
    `lrroll: 1\nname: Per-node paths\ninventory:\n  nodes:\n${nodes}` +
      `change:\n  type: portal-properties\n  set:\n    lrroll.marker: rolled\nrollout:\n  minHealthy: ` +
      `1\n`,
  );
  plan = await loadPlan(file);
}, 30_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function check(): Promise<{ status: string; detail: string | null }> {
  const step = plan.finally.find((s): s is ConsistencyCheckStep => s.action === 'consistency-check');
  if (!step) throw new Error('no consistency check');
  const clock = new FixedClock();
  const local = new LocalTransport(LOCAL_TIMINGS.localKillGraceMs);
  const deps = fakeDeps(
    plan,
    { cluster: new FakeCluster({ plan, clock }), lb: null, clock, events: [] },
    { transportFor: () => local },
  );
  const run: RunState = { plan, deps, nodes: initialNodeStates(plan), failures: 0, waitSignal: deps.signal };
  return executeStep(step, run, null);
}

describe('the consistency check on nodes with different Liferay Homes', () => {
  it("builds each node's fingerprint command from that node's own Liferay Home and properties file", () => {
    const step = plan.finally.find((s): s is ConsistencyCheckStep => s.action === 'consistency-check');
    for (const n of ['a', 'b', 'c']) {
      const command = step?.fingerprintCommands[`node-${n}`] ?? '';
      expect(command).toContain(`[ -d ${dir}/${n}/liferay-${n}/"$d" ]`);
      expect(command).toContain(`${dir}/${n}/liferay-${n}/portal-ext.properties`);
      for (const other of ['a', 'b', 'c'].filter((o) => o !== n)) expect(command).not.toContain(`liferay-${other}`);
    }
  });

  it('agrees when every node has the same modules and property values', async () => {
    for (const n of ['a', 'b', 'c'])
      home(
        `${dir}/${n}/liferay-${n}`,
        ['com.acme.orders.service-2.1.3.jar'],
        `cluster.link.bind.addr=${n}\nlrroll.marker=rolled\n`,
      );
    expect(await check()).toMatchObject({ status: 'ok', detail: '3 node(s) agree' });
  });

  it("fails on drift in one node's own folders: a module and a property value", async () => {
    home(`${dir}/b/liferay-b`, ['com.acme.orders.service-2.1.2.jar'], 'lrroll.marker=old\n');
    const out = await check();
    expect(out.status).toBe('failed');
    expect(out.detail).toContain(
      'node-a, node-c: osgi/modules/com.acme.orders.service-2.1.3.jar | lrroll.marker=rolled',
    );
    expect(out.detail).toContain('node-b: osgi/modules/com.acme.orders.service-2.1.2.jar | lrroll.marker=old');
  });
});
