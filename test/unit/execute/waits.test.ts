import { describe, expect, it } from 'vitest';
import { initialNodeStates, type NodeState, type RunState } from '../../../src/execute/context.js';
import type { RunEvent } from '../../../src/execute/events.js';
import { isInView, recordLogOffsets, waitCluster, waitLogMarker, waitModules } from '../../../src/execute/waits.js';
import type {
  Plan,
  ServiceStartStep,
  WaitClusterStep,
  WaitLogMarkerStep,
  WaitModulesStep,
} from '../../../src/plan/types.js';
import { createHarness, FakeCluster, fakeDeps, loadPlan, type FakeHost } from '../../helpers/fake-transport.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

// The health gates follow the node's log with `tail -c +N -F` from the offset recorded right
// before the start, so lines of an earlier start never count.

const OLD_MARKER =
  '06-Jan-2025 22:00:00.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in ' +
  '[98765] milliseconds';
const NEW_MARKER =
  '07-Jan-2025 02:03:00.000 INFO [main] org.apache.catalina.startup.Catalina.start Server startup in ' +
  '[181234] milliseconds';
const view = (node: string, channel: string, size: number): string =>
  `2025-01-07 02:02:00.000 INFO  [Incoming-2,${channel},${node}-1][JGroupsReceiver:91] Accepted view ` +
  `[lr-prod-2-7|${size + 10}] (${size}) [a, b]`;
const started = (bundle: string, version = '2.1.3'): string =>
  `2025-01-07 02:02:30.000 INFO  [fileinstall-/opt/liferay/osgi/modules][BundleStartStopLogger:77] ` +
  `STARTED ${bundle}_${version} [1192]`;

interface Gate {
  plan: Plan;
  clock: FixedClock;
  cluster: FakeCluster;
  host: FakeHost;
  run: RunState;
  state: NodeState;
  events: RunEvent[];
  controller: AbortController;
  start: ServiceStartStep;
  /** The first step of `action` for the node. */
  step<S>(action: string): S;
  /** Appends lines to the log once `ms` of virtual time have passed. */
  appendAt(log: string, ms: number, lines: string[]): void;
}

/**
 * A run state for one node of a real plan, with its log holding `initialLog` and the offsets recorded as before a
 * start.
 */
async function gate(file: string, node: string, initialLog: string[]): Promise<Gate> {
  const plan = await loadPlan(file);
  const clock = new FixedClock();
  const cluster = new FakeCluster({ plan, clock, initialLog });
  const events: RunEvent[] = [];
  const controller = new AbortController();
  const run: RunState = {
    plan,
    deps: fakeDeps(plan, { cluster, lb: null, clock, events }, { signal: controller.signal }),
    nodes: initialNodeStates(plan),
    failures: 0,
    waitSignal: controller.signal,
  };
  const steps = plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === node)?.steps ?? [];
  const step = <S>(action: string): S => {
    const s = steps.find((x) => x.action === action);
    if (!s) throw new Error(`${node} has no ${action}`);
    return s as S;
  };
  const state = run.nodes.get(node) as NodeState;
  const start = step<ServiceStartStep>('service-start');
  await recordLogOffsets(start, run, state);
  const host = cluster.host(node);
  return {
    plan,
    clock,
    cluster,
    host,
    run,
    state,
    events,
    controller,
    start,
    step,
    appendAt(log, ms, lines) {
      const at = clock.now() + ms;
      const off = clock.onAdvance((now) => {
        if (now < at) return;
        off();
        host.appendLog(log, lines);
      });
    },
  };
}

const progress = (g: Gate, stepId: string): string[] =>
  g.events.filter((e) => e.kind === 'step-output' && e.stepId === stepId).map((e) => (e as { line: string }).line);

describe('recordLogOffsets', () => {
  it('records the byte size of every log the gates read, with wc -c, right before the start', async () => {
    const g = await gate('playbooks/module.yml', 'node1', [OLD_MARKER]);
    const log = g.start.logs[0] as string;
    expect(g.start.logs).toEqual(['/opt/liferay/tomcat-9.0.83/logs/catalina.out']);
    expect(g.cluster.callsTo('node1').map((c) => [c.kind, c.command])).toEqual([
      ['log-size', `if [ -f ${log} ]; then wc -c < ${log}; else echo 0; fi`],
    ]);
    expect([...g.state.logOffsets]).toEqual([[log, Buffer.byteLength(`${OLD_MARKER}\n`)]]);
  });

  it('records 0 for a log that does not exist yet', async () => {
    const g = await gate('playbooks/module.yml', 'node1', []);
    expect([...g.state.logOffsets.values()]).toEqual([0]);
  });
});

describe('the startup-marker gate', () => {
  it('follows the log from the recorded offset + 1 and ignores the previous start’s marker', async () => {
    const g = await gate('playbooks/module.yml', 'node1', [OLD_MARKER, 'some request line']);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    const size = g.state.logOffsets.get(marker.log) ?? -1;
    expect(size).toBe(Buffer.byteLength(`${OLD_MARKER}\nsome request line\n`));
    const out = await waitLogMarker(marker, g.run, g.state);
    expect(out).toEqual({
      status: 'failed',
      detail: `not seen within 900s in ${marker.log}`,
      exitCode: null,
      code: 'E_TIMEOUT',
      hint: null,
    });
    const tail = g.cluster.callsTo('node1', 'log-tail');
    expect(tail.map((c) => c.command)).toEqual([`exec tail -c +${size + 1} -F ${marker.log} 2>/dev/null`]);
    // The command is the plan's, with its one placeholder filled: what `lrroll plan` shows is what ran.
    expect(marker.follow.command).toBe(`exec tail -c +{firstByte} -F ${marker.log} 2>/dev/null`);
    expect(tail[0]?.command).toBe(marker.follow.command.replace('{firstByte}', String(size + 1)));
    expect(tail[0]?.timeoutMs).toBe(900_000);
  });

  it('is never silent: with nothing new in the log it says every 10 s what it still waits for', async () => {
    const g = await gate('playbooks/module.yml', 'node1', [OLD_MARKER]);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    await waitLogMarker(marker, g.run, g.state);
    const beats = g.events
      .filter((e) => e.kind === 'step-output' && e.stepId === marker.id)
      .map((e) => ({ at: Date.parse(e.at), line: (e as { line: string }).line }));
    expect(beats.length).toBeGreaterThanOrEqual(85);
    expect(beats[0]?.line).toBe(`still waiting after 10s of 900s: no startup line in ${marker.log} yet`);
    const gaps = beats.slice(1).map((b, i) => b.at - (beats[i]?.at ?? 0));
    expect(Math.max(...gaps)).toBeLessThanOrEqual(12_000);
  });

  it('passes on the marker this start writes, reacting to the line (no coarse sleep)', async () => {
    const g = await gate('playbooks/module.yml', 'node1', [OLD_MARKER]);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    g.appendAt(marker.log, 30_000, ['starting …', NEW_MARKER]);
    const t0 = g.clock.now();
    expect(await waitLogMarker(marker, g.run, g.state)).toMatchObject({ status: 'ok' });
    expect(g.clock.now() - t0).toBeGreaterThanOrEqual(30_000);
    expect(g.clock.now() - t0).toBeLessThan(34_000);
    expect(progress(g, marker.id).filter((l) => !l.startsWith('still waiting'))).toEqual(['starting …', NEW_MARKER]);
  });

  it.each([
    ['Tomcat ≥ 9', 'INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [207925] milliseconds'],
    [
      'Tomcat ≥ 9 with locale grouping',
      'INFO [main] org.apache.catalina.startup.Catalina.start Server startup in [19,127] milliseconds',
    ],
    ['Tomcat ≤ 8.5', 'INFO: Server startup in 51234 ms'],
  ])('accepts the %s form', async (_, line) => {
    const g = await gate('playbooks/module.yml', 'node1', [OLD_MARKER]);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    g.host.appendLog(marker.log, [line]);
    expect(await waitLogMarker(marker, g.run, g.state)).toMatchObject({ status: 'ok' });
  });

  it('fails fast when the app server process dies (status command non-zero)', async () => {
    const g = await gate('playbooks/module.yml', 'node1', []);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    g.host.running = false;
    const out = await waitLogMarker(marker, g.run, g.state);
    expect(out).toMatchObject({
      status: 'failed',
      detail: 'the app server process exited before the gate passed (see the log)',
    });
    expect(g.clock.elapsedSince()).toBeLessThan(10_000);
    expect(g.cluster.callsTo('node1', 'status')).toHaveLength(1);
  });

  it(
    'a crash during the start fails the gate within the plan’s process-watch interval; a hung start ' +
      'fails at its deadline exactly',
    async () => {
      const g = await gate('playbooks/module.yml', 'node1', []);
      const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
      expect(marker.processWatch).toMatchObject({
        intervalSec: 1,
        command: g.step<{ statusCommand: string }>('service-stop').statusCommand,
      });
      const t0 = g.clock.now();
      const crashAt = t0 + 37_300;
      const off = g.clock.onAdvance((now) => {
        if (now < crashAt) return;
        off();
        g.host.running = false;
      });
      expect(await waitLogMarker(marker, g.run, g.state)).toMatchObject({
        status: 'failed',
        code: 'E_STEP_FAILED',
        detail: 'the app server process exited before the gate passed (see the log)',
      });
      const detectedAfter = g.clock.now() - crashAt;
      expect(detectedAfter).toBeGreaterThanOrEqual(0);
      expect(detectedAfter).toBeLessThanOrEqual((marker.processWatch?.intervalSec ?? 0) * 1000);

      const hung = await gate('playbooks/module.yml', 'node1', []);
      const step = hung.step<WaitLogMarkerStep>('wait-log-marker');
      const start = hung.clock.now();
      expect(await waitLogMarker(step, hung.run, hung.state)).toMatchObject({ status: 'failed', code: 'E_TIMEOUT' });
      expect(hung.clock.now() - start).toBe(step.timeoutSec * 1000);
    },
  );

  it('stops following when the run is interrupted', async () => {
    const g = await gate('playbooks/module.yml', 'node1', []);
    const marker = g.step<WaitLogMarkerStep>('wait-log-marker');
    setImmediate(() => g.controller.abort());
    expect(await waitLogMarker(marker, g.run, g.state)).toMatchObject({ status: 'failed', detail: 'interrupted' });
  });
});

describe('the cluster gate (playbooks/fixpack.yml: 4 members on 2 channels)', () => {
  const NODE = 'lr-prod-2.example.net';

  it('needs the expected size on every channel', async () => {
    const g = await gate('playbooks/fixpack.yml', NODE, []);
    const step = g.step<WaitClusterStep>('wait-cluster');
    expect([step.expectedSize, step.channels]).toEqual([4, ['liferay-channel-control', 'liferay-channel-transport-0']]);
    g.host.appendLog(step.log, [
      view(NODE, 'liferay-channel-control', 4),
      view(NODE, 'liferay-channel-transport-0', 3),
    ]);
    g.appendAt(step.log, 20_000, [view(NODE, 'liferay-channel-transport-0', 4)]);
    const t0 = g.clock.now();
    expect(await waitCluster(step, g.run, g.state)).toMatchObject({ status: 'ok' });
    expect(g.clock.now() - t0).toBeGreaterThanOrEqual(20_000);
  });

  it('does not pass with one channel only, nor on another channel’s name', async () => {
    const g = await gate('playbooks/fixpack.yml', NODE, []);
    const step = g.step<WaitClusterStep>('wait-cluster');
    g.host.appendLog(step.log, [
      view(NODE, 'liferay-channel-control', 4),
      view(NODE, 'liferay-channel-transport-1', 4),
    ]);
    expect(await waitCluster(step, g.run, g.state)).toMatchObject({
      status: 'failed',
      detail: expect.stringMatching(
        /^the cluster view did not reach 4 member\(s\) within 300s: sees liferay-channel-control \(4\) \[a, b\], liferay-channel-transport-0: no view yet/,
      ),
    });
  });

  it('ignores views logged before this start', async () => {
    const g = await gate('playbooks/fixpack.yml', NODE, [
      view(NODE, 'liferay-channel-control', 4),
      view(NODE, 'liferay-channel-transport-0', 4),
    ]);
    const step = g.step<WaitClusterStep>('wait-cluster');
    g.host.appendLog(step.log, [
      view(NODE, 'liferay-channel-control', 1),
      view(NODE, 'liferay-channel-transport-0', 1),
    ]);
    expect(await waitCluster(step, g.run, g.state)).toMatchObject({ status: 'failed' });
  });

  it('uses the latest view of a channel', async () => {
    const g = await gate('playbooks/fixpack.yml', NODE, []);
    const step = g.step<WaitClusterStep>('wait-cluster');
    g.host.appendLog(step.log, [
      view(NODE, 'liferay-channel-control', 4),
      view(NODE, 'liferay-channel-control', 3),
      view(NODE, 'liferay-channel-transport-0', 4),
    ]);
    expect(await waitCluster(step, g.run, g.state)).toMatchObject({ status: 'failed' });
  });
});

describe('the cluster gate in a batch of two (cluster-gate-serial2.yml: node2 starts after node1)', () => {
  const named = (channel: string, members: string[]): string =>
    `2025-01-07 02:02:00.000 INFO  [Incoming-2,${channel}` +
    `,node1-1][JGroupsReceiver:91] Accepted view [${members[0] ?? ''}|9] (${members.length}) [` +
    `${members.join(', ')}]`;

  it('passes on the nodes running now (4 of 5), not the whole inventory', async () => {
    const g = await gate('test/fixtures/playbooks/valid/cluster-gate-serial2.yml', 'node1', []);
    const step = g.step<WaitClusterStep>('wait-cluster');
    expect(step).toMatchObject({
      expectedSize: 4,
      clusterNodes: ['node1', 'node2', 'node3', 'node4', 'node5'],
      startOrder: ['node1', 'node2'],
    });
    g.host.appendLog(
      step.log,
      step.channels.map((c) => named(c, ['node3', 'node4', 'node5', 'node1'])),
    );
    expect(await waitCluster(step, g.run, g.state)).toMatchObject({ status: 'ok' });
  });

  it('says which members each channel sees and which it waits for; the failure names the missing node', async () => {
    const g = await gate('test/fixtures/playbooks/valid/cluster-gate-serial2.yml', 'node1', []);
    const step = g.step<WaitClusterStep>('wait-cluster');
    g.host.appendLog(
      step.log,
      step.channels.map((c) => named(c, ['node3', 'node4', 'node1'])),
    );
    const out = await waitCluster(step, g.run, g.state);
    const why =
      'sees liferay-channel-control (3) [node3, node4, node1], liferay-channel-transport-0 (3) ' +
      '[node3, node4, node1]; waits for 4 member(s), missing node5; not expected yet (start later): ' +
      'node2';
    expect(out).toMatchObject({
      status: 'failed',
      detail: `the cluster view did not reach 4 member(s) within 300s: ${why}`,
    });
    expect(
      progress(g, step.id)
        .filter((l) => l.startsWith('still waiting'))
        .at(0),
    ).toMatch(/^still waiting after 1\ds of 300s: sees /);
    expect(
      progress(g, step.id)
        .filter((l) => l.startsWith('still waiting'))
        .at(0)
        ?.endsWith(why),
    ).toBe(true);
  });

  it('finds a plan node in a view by its name or host, alone or with a JGroups number', () => {
    const node = { name: 'lr1', host: 'lr-prod-1.example.net' };
    expect(isInView(node, ['lr1'])).toBe(true);
    expect(isInView(node, ['lr-prod-1-51234'])).toBe(true);
    expect(isInView(node, ['LR-PROD-1.EXAMPLE.NET'])).toBe(true);
    expect(isInView(node, ['lr10', 'lr1x-1', 'lr-prod-10-1'])).toBe(false);
  });
});

describe('the modules gate', () => {
  async function modulesGate(initialLog: string[]): Promise<{ g: Gate; step: WaitModulesStep }> {
    const g = await gate('playbooks/module.yml', 'node3', initialLog);
    const step = g.step<WaitModulesStep>('wait-modules');
    step.bundles = ['com.acme.orders.service', 'com.acme.orders.api'];
    return { g, step };
  }

  it('waits for a STARTED line of every bundle', async () => {
    const { g, step } = await modulesGate([]);
    g.host.appendLog(step.log, [started('com.acme.orders.service')]);
    g.appendAt(step.log, 12_000, [
      '2025-01-07 02:02:40.000 INFO  ' +
        '[fileinstall-/opt/liferay/osgi/modules][BundleStartStopLogger:77] STOPPED ' +
        'com.acme.orders.api_2.1.2 [1190]',
      started('com.acme.orders.api'),
    ]);
    const t0 = g.clock.now();
    expect(await waitModules(step, g.run, g.state)).toMatchObject({ status: 'ok' });
    expect(g.clock.now() - t0).toBeGreaterThanOrEqual(12_000);
  });

  it('does not pass while one bundle is missing, nor on STOPPED lines or lines from before the start', async () => {
    const { g, step } = await modulesGate([started('com.acme.orders.api', '2.1.2')]);
    g.host.appendLog(step.log, [
      started('com.acme.orders.service'),
      '2025-01-07 02:02:40.000 INFO  ' +
        '[fileinstall-/opt/liferay/osgi/modules][BundleStartStopLogger:77] STOPPED ' +
        'com.acme.orders.api_2.1.3 [1190]',
    ]);
    expect(await waitModules(step, g.run, g.state)).toMatchObject({
      status: 'failed',
      detail: `not seen within ${step.timeoutSec}s in ${step.log}`,
    });
  });
});

describe('fixed waits', () => {
  it('a 10-minute canary bake (osgi-config.yml) says every 10 s how long is left', async () => {
    const plan = await loadPlan('playbooks/osgi-config.yml');
    const h = createHarness(plan);
    await h.run();
    const bake = plan.batches[0]?.after.find((s) => s.action === 'bake');
    const lines = h.events
      .filter((e) => e.kind === 'step-output' && e.stepId === bake?.id)
      .map((e) => ({ at: Date.parse(e.at), line: (e as { line: string }).line }));
    expect(lines.length).toBe(59);
    expect(lines[0]?.line).toBe('canary healthy, 590s of the bake left');
    expect(lines.at(-1)?.line).toBe('canary healthy, 10s of the bake left');
    expect(Math.max(...lines.slice(1).map((l, i) => l.at - (lines[i]?.at ?? 0)))).toBe(10_000);
  });
});
