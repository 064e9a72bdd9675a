import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { LbStateEvent, RunEndEvent, StepEndEvent } from '../../../src/execute/events.js';
import type { CheckCapacityStep, LbWaitDrainedStep, Plan } from '../../../src/plan/types.js';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

// Load-balancer steps through the driver (fake LB) and through commands (type: command).

const runEnd = (h: Harness): RunEndEvent => h.events[h.events.length - 1] as RunEndEvent;
const stepEnd = (h: Harness, id: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === id);
const nodeStep = <A extends string>(plan: Plan, node: string, action: A) =>
  plan.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action);
const lbStates = (h: Harness, node: string): string[] =>
  h.events.filter((e): e is LbStateEvent => e.kind === 'lb-state' && e.node === node).map((e) => e.state);

/** The driver calls on a member between its drain and the next stop command of its node (`host`: the member). */
function drainWindow(h: Harness, member: string, host = member): string[] {
  const drainSeq = h.lb?.callsFor(member, 'drain')[0]?.seq ?? Infinity;
  const stopSeq = h.cluster.callsTo(host, 'service-stop')[0]?.seq ?? Infinity;
  return (h.lb?.callsFor(member) ?? [])
    .filter((c) => c.seq > drainSeq && c.seq < stopSeq)
    .map((c) => (c.op === 'disable' ? `disable(${String(c.shutdownSessions)})` : c.op));
}

describe('lb-wait-drained', () => {
  it('waits until the sessions reach 0, then takes the member out (maint) before the stop', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    h.lb?.set('node1', { sessionsAtDrain: 5, drainPolls: 3 });
    await h.run();
    // After the hard step one more look: nothing was routed to it in between, so the stop follows at once.
    expect(drainWindow(h, 'node1')).toEqual(['state', 'state', 'state', 'state', 'disable(false)', 'state']);
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained');
    // The first polls come every 0.1 s: the sessions are seen gone 0.3 s after the drain, not 3 s.
    expect(stepEnd(h, wait?.id ?? '')).toMatchObject({ status: 'ok', detail: 'no sessions left', durationMs: 300 });
    expect(
      h.events
        .filter((e) => e.kind === 'step-output' && e.stepId === wait?.id)
        .map((e) => (e as { line: string }).line),
    ).toEqual(['node1: 5 session(s)', 'node1: 5 session(s)', 'node1: 5 session(s)']);
    expect(lbStates(h, 'node1')).toEqual(['draining', 'out', 'enabled', 'up']);
  });

  it.each<[LbWaitDrainedStep['onTimeout'], boolean]>([
    ['maint', false],
    ['maint-and-shutdown-sessions', true],
  ])(
    'sessions never reach 0: after the drain timeout the hard step (%s) runs with shutdownSessions ' +
      '%s, and the node goes on',
    async (onTimeout, shutdown) => {
      const plan = await loadPlan('playbooks/module.yml');
      const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
      wait.onTimeout = onTimeout;
      const h = createHarness(plan);
      h.lb?.set('node1', { sessionsAtDrain: 4, drainPolls: Infinity });
      await h.run();
      const disables = h.lb?.callsFor('node1', 'disable') ?? [];
      expect(disables.map((c) => c.shutdownSessions)).toEqual([shutdown]);
      const end = stepEnd(h, wait.id);
      expect(end?.status).toBe('ok');
      expect(end?.detail).toContain(`4 session(s) left after 120s: taken out hard (${onTimeout})`);
      // with maint alone sessions linger: it waits a short settle and says how many stay open
      expect(end?.detail?.endsWith('; 4 still open')).toBe(!shutdown);
      expect(end?.durationMs).toBeGreaterThanOrEqual(120_000);
      expect(disables[0]?.at).toBeGreaterThanOrEqual((h.lb?.callsFor('node1', 'drain')[0]?.at ?? 0) + 120_000);
      expect(disables[0]?.seq).toBeLessThan(h.cluster.callsTo('node1', 'service-stop')[0]?.seq ?? -1);
      expect(runEnd(h).status).toBe('ok');
    },
  );

  it.each([
    ['playbooks/module.yml', 'node1'],
    ['playbooks/theme.yml', 'web1'],
    // a full restart: every node drains at once
    ['playbooks/full-restart.yml', 'node2'],
  ])(
    '%s: a request routed to the member between the reading of 0 and the hard step ends before the stop',
    async (playbook, node) => {
      const plan = await loadPlan(playbook);
      const h = createHarness(plan);
      const member = (nodeStep(plan, node, 'lb-wait-drained') as LbWaitDrainedStep).member;
      h.lb?.set(member, { sessionsAtDrain: 5, drainPolls: 2, sessionsAtHard: 1 });
      await h.run();
      // Two polls see 5, the third 0; the hard step; then the sticky user's request routed in the gap is
      // waited for (two polls 0.1 s apart see it, the third sees it end) before the stop.
      expect(drainWindow(h, member, node)).toEqual([
        'state',
        'state',
        'state',
        'disable(false)',
        'state',
        'state',
        'state',
      ]);
      const disable = h.lb?.callsFor(member, 'disable')[0];
      const settled = h.lb?.callsFor(member, 'state').filter((c) => c.seq > (disable?.seq ?? Infinity));
      expect(settled?.slice(1, 3).map((c, i) => c.at - (settled[i]?.at ?? NaN))).toEqual([100, 100]);
      const wait = nodeStep(plan, node, 'lb-wait-drained');
      expect(stepEnd(h, wait?.id ?? '')).toMatchObject({ status: 'ok', detail: 'no sessions left' });
      expect(lbStates(h, node)).toEqual(['draining', 'out', 'enabled', 'up']);
      expect(runEnd(h).status).toBe('ok');
    },
  );

  it('a request still open after the hard step that outlasts the settle time is said, and the node goes on', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    const lb = h.lb;
    if (!lb) throw new Error('no fake load balancer');
    lb.set('node1', { sessionsAtDrain: 5, drainPolls: 2, sessionsAtHard: 1 });
    // The request routed in the gap never ends (a long report, a hung call).
    const disable = lb.disable.bind(lb);
    lb.disable = async (member, shutdown, signal) => {
      await disable(member, shutdown, signal);
      lb.set(member, { drainPolls: Infinity });
    };
    await h.run();
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
    const end = stepEnd(h, wait.id);
    expect(end).toMatchObject({
      status: 'ok',
      detail: 'no sessions left; 1 request(s) still open 15s after the hard step',
    });
    const hardAt = lb.callsFor('node1', 'disable')[0]?.at ?? NaN;
    expect(h.cluster.callsTo('node1', 'service-stop')[0]?.at).toBeGreaterThanOrEqual(hardAt + 15_000);
    expect(runEnd(h).status).toBe('ok');
  });

  it('looks every 0.1 s for the first 3 s, then every pollInterval (1 s): a long drain costs no more polls', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
    expect(wait).toMatchObject({ pollSec: 1, fastPollSec: 0.1, fastPollForSec: 3 });
    const h = createHarness(plan);
    h.lb?.set('node1', { sessionsAtDrain: 5, drainPolls: 40 });
    await h.run();
    const drain = h.lb?.callsFor('node1', 'drain')[0];
    const drainAt = drain?.at ?? NaN;
    const disableSeq = h.lb?.callsFor('node1', 'disable')[0]?.seq ?? -1;
    const polls = (h.lb?.callsFor('node1', 'state') ?? []).filter(
      (c) => c.seq > (drain?.seq ?? Infinity) && c.seq < disableSeq,
    );
    const gaps = polls.slice(1).map((c, i) => c.at - (polls[i]?.at ?? NaN));
    expect(gaps.filter((g, i) => (polls[i]?.at ?? 0) - drainAt < 3000).every((g) => g === 100)).toBe(true);
    expect(gaps.filter((g, i) => (polls[i]?.at ?? 0) - drainAt >= 3000).every((g) => g === 1000)).toBe(true);
    expect(gaps.filter((g) => g === 1000).length).toBeGreaterThan(5);
    expect(stepEnd(h, wait.id)?.detail).toBe('no sessions left');
  });

  it('a command load balancer is asked at its own interval throughout (its commands may call a rate-limited API)', async () => {
    const apache = await loadPlan('playbooks/theme.yml');
    expect(nodeStep(apache, 'web1', 'lb-wait-drained')).toMatchObject({ fastPollSec: 0.1, fastPollForSec: 3 });
    const plan = await loadPlan('playbooks/jvm-settings.yml');
    expect(nodeStep(plan, 'node1', 'lb-wait-drained')).toMatchObject({ countsSessions: true, fastPollForSec: 0 });
    const h = createHarness(plan);
    let polls = 0;
    h.cluster.script({ host: 'local', kind: 'lb-sessions' }, (call) =>
      call.command.endsWith(' node1') ? { stdout: `${Math.max(0, 4 - polls++)}\n` } : undefined,
    );
    expect((await h.run()).status).toBe('ok');
    const asked = h.cluster
      .callsTo('local')
      .filter((c) => c.kind === 'lb-sessions' && c.command.endsWith(' node1'))
      .map((c) => c.at);
    // Five asks until 0, a second apart, and one more after the disable (nothing routed in the gap).
    expect(asked.length).toBe(6);
    expect(asked.slice(1, 5).map((at, i) => at - (asked[i] ?? NaN))).toEqual([1000, 1000, 1000, 1000]);
  });

  it('a load balancer that cannot tell the sessions (null) is waited out like a busy one', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.lb?.set('node1', { sessionsAtDrain: null as unknown as number });
    await h.run();
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained');
    expect(stepEnd(h, wait?.id ?? '')?.detail).toMatch(
      /^unknown session\(s\) left after 120s: taken out hard \(maint\)/,
    );
  });
});

/** An example playbook with one line of its text replaced (`from` → `to`), planned from a temp copy. */
async function planEdited(playbook: string, from: string, to: string): Promise<Plan> {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-lb-edit-'));
  try {
    const file = join(dir, basename(playbook));
    const text = readFileSync(playbook, 'utf8');
    if (!text.includes(from)) throw new Error(`${playbook} has no ${JSON.stringify(from)}`);
    writeFileSync(file, text.replace(from, to));
    return await loadPlan(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** playbooks/restart.yml with `loadBalancer.healthUpAfterProbe` set. */
function restartWithHealthUp(on: boolean): Promise<Plan> {
  return planEdited(
    'playbooks/restart.yml',
    '  backend: liferay\n',
    `  backend: liferay\n  healthUpAfterProbe: ${on}\n`,
  );
}

describe('a command load balancer without `disable` has no hard step', () => {
  const withoutDisable = (): Promise<Plan> =>
    planEdited('playbooks/jvm-settings.yml', '  disable: /usr/local/bin/lb-ctl disable {{member}}\n', '');

  it('at 0 sessions the stop follows at once: nothing took the member out, so nothing is waited for', async () => {
    const plan = await withoutDisable();
    expect(nodeStep(plan, 'node1', 'lb-wait-drained')).toMatchObject({
      hardCommand: null,
      title: "wait for node1's sessions to reach 0 (no `disable` command: the stop follows)",
    });
    const h = createHarness(plan);
    // 0 once, then its sticky users' requests again: a settle would wait for them.
    let asked = 0;
    h.cluster.script({ host: 'local', kind: 'lb-sessions' }, (call) =>
      call.command.endsWith(' node1') ? { stdout: asked++ === 0 ? '0\n' : '3\n' } : undefined,
    );
    expect((await h.run()).status).toBe('ok');
    expect(stepEnd(h, nodeStep(plan, 'node1', 'lb-wait-drained')?.id ?? '')?.detail).toBe('no sessions left');
    expect(asked).toBe(1);
  });

  it('at the drain timeout it says that no command took the member out, and does not wait more', async () => {
    const plan = await withoutDisable();
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
    const h = createHarness(plan);
    h.cluster.script({ host: 'local', kind: 'lb-sessions' }, (call) =>
      call.command.endsWith(' node1') ? { stdout: '3\n' } : undefined,
    );
    expect((await h.run()).status).toBe('ok');
    expect(stepEnd(h, wait.id)).toMatchObject({
      status: 'ok',
      detail: `3 session(s) left after ${wait.timeoutSec}s; no \`disable\` command takes it out hard: the stop ends them`,
    });
    expect(stepEnd(h, wait.id)?.durationMs).toBeLessThan((wait.timeoutSec + 1) * 1000);
  });
});

describe('onDrainTimeout: fail still takes the member out hard once its sessions reach 0', () => {
  it.each([
    ['playbooks/restart.yml', '  backend: liferay\n', 'set server liferay/node1 state maint'],
    [
      'playbooks/jvm-settings.yml',
      '  sessions: /usr/local/bin/lb-ctl sessions {{member}}\n',
      '/usr/local/bin/lb-ctl disable node1',
    ],
  ])('%s: the plan shows the hard step, and the run takes it before the stop', async (playbook, line, hard) => {
    const plan = await planEdited(playbook, line, `${line}  onDrainTimeout: fail\n`);
    const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
    expect(wait).toMatchObject({ onTimeout: 'fail', hardCommand: hard });
    expect(wait.title).toBe("wait for node1's sessions to reach 0, then take it out hard (fail on timeout)");
    const text = renderPlanText(plan, { full: false, chalk: new Chalk({ level: 0 }) });
    expect(text).toContain(`then: ${hard}`);
    const h = createHarness(plan);
    h.cluster.script({ host: 'local', kind: 'lb-sessions' }, () => ({ stdout: '0\n' }));
    expect((await h.run()).status).toBe('ok');
    const stopSeq = h.cluster.callsTo('node1', 'service-stop')[0]?.seq ?? -1;
    const hardSeq = h.lb
      ? (h.lb.callsFor('node1', 'disable')[0]?.seq ?? Infinity)
      : (h.cluster.callsTo('local', 'lb-disable').find((c) => c.command.endsWith(' node1'))?.seq ?? Infinity);
    expect(hardSeq).toBeLessThan(stopSeq);
  });
});

describe('lb-wait-up', () => {
  it.each([
    ['playbooks/theme.yml', 'web1', 'Init Err', true],
    ['playbooks/module.yml', 'node1', 'DOWN', false],
  ])(
    "%s: a member still in error at the deadline fails the wait; Apache's `Err` says how it clears",
    async (file, node, raw, hinted) => {
      const plan = await loadPlan(file);
      const h = createHarness(plan);
      const lb = h.lb;
      if (!lb) throw new Error('no load balancer');
      const enable = lb.enable.bind(lb);
      // The member comes back enabled but in error, as Apache shows one it once failed to reach.
      lb.enable = async (member, signal) => {
        await enable(member, signal);
        if (member === plan.loadBalancer.members[node]) lb.set(member, { state: 'DOWN', raw });
      };
      await h.run();
      const end = stepEnd(h, nodeStep(plan, node, 'lb-wait-up')?.id ?? '');
      expect(end).toMatchObject({ status: 'failed', code: 'E_TIMEOUT' });
      expect(end?.detail).toContain(`(last: ${raw})`);
      if (hinted) expect(end?.hint).toMatch(/^Apache keeps a member in error \(Err\) until .*JSESSIONID=x\.<route>/);
      else expect(end?.hint ?? null).toBeNull();
    },
  );

  it('with healthUpAfterProbe off: does not accept a transitional "UP 1/3" but accepts a settled "UP"', async () => {
    const plan = await restartWithHealthUp(false);
    expect(nodeStep(plan, 'node1', 'lb-health-up')).toBeUndefined();
    const h = createHarness(plan);
    h.lb?.set('node1', { transitionalPolls: 2 });
    await h.run();
    const enableSeq = h.lb?.callsFor('node1', 'enable')[0]?.seq ?? Infinity;
    const waitUp = nodeStep(plan, 'node1', 'lb-wait-up');
    const answers = (h.lb?.callsFor('node1', 'state') ?? []).filter((c) => c.seq > enableSeq).map((c) => c.answer);
    expect(answers.slice(0, 3)).toEqual(['UP 1/3', 'UP 2/3', 'UP']);
    expect(h.lb?.callsFor('node1', 'health-up')).toEqual([]);
    // Polled every 100 ms for the first 3 s after the enable (a member settles within a couple of health checks).
    expect(stepEnd(h, waitUp?.id ?? '')).toMatchObject({ status: 'ok', detail: 'node1 is UP', durationMs: 200 });
    expect(runEnd(h).nodes[0]).toMatchObject({ status: 'ok', inRotation: true });
  });

  it(
    'with healthUpAfterProbe on (the default): health up after the enable, and the first read finds it ' + 'UP',
    async () => {
      const plan = await loadPlan('playbooks/restart.yml');
      const h = createHarness(plan);
      h.lb?.set('node1', { transitionalPolls: 2 });
      await h.run();
      const ops = (h.lb?.callsFor('node1') ?? []).map((c) => c.op);
      const enable = ops.lastIndexOf('enable');
      expect(ops.slice(enable, enable + 3)).toEqual(['enable', 'health-up', 'state']);
      const http = h.events.findIndex(
        (e) => e.kind === 'step-end' && e.stepId === nodeStep(plan, 'node1', 'wait-http')?.id,
      );
      const healthUp = nodeStep(plan, 'node1', 'lb-health-up');
      expect(healthUp).toMatchObject({ api: 'set server liferay/node1 health up', phase: 'return' });
      // Only once the node's own probe has passed.
      expect(h.events.findIndex((e) => e.kind === 'step-start' && e.stepId === healthUp?.id)).toBeGreaterThan(http);
      const waitUp = nodeStep(plan, 'node1', 'lb-wait-up');
      expect(stepEnd(h, waitUp?.id ?? '')).toMatchObject({ status: 'ok', detail: 'node1 is UP', durationMs: 0 });
      expect(runEnd(h).nodes[0]).toMatchObject({ status: 'ok', inRotation: true });
    },
  );

  it('a refused health up (a server that tracks another) only costs the shortcut: the wait for UP goes on', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.lb?.failNext('health-up', 'node1', new Error('cannot change health on a tracking server.'));
    h.lb?.set('node1', { transitionalPolls: 2 });
    await h.run();
    const healthUp = nodeStep(plan, 'node1', 'lb-health-up');
    expect(stepEnd(h, healthUp?.id ?? '')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('cannot change health on a tracking server'),
    });
    const waitUp = nodeStep(plan, 'node1', 'lb-wait-up');
    expect(stepEnd(h, waitUp?.id ?? '')).toMatchObject({ status: 'ok', detail: 'node1 is UP' });
    expect(runEnd(h).status).toBe('ok');
  });

  it('fails after its deadline when the member never settles', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    h.lb?.set('node1', { transitionalPolls: Infinity });
    await h.run();
    const waitUp = nodeStep(plan, 'node1', 'lb-wait-up');
    expect(stepEnd(h, waitUp?.id ?? '')).toMatchObject({
      status: 'failed',
      detail: 'the load balancer did not report node1 UP within 60s (last: UP 2/3)',
    });
    expect(lbStates(h, 'node1')).not.toContain('up');
    expect(runEnd(h).status).toBe('failed');
  });
});

describe('check-capacity', () => {
  it('refuses a batch when nodes already DOWN/MAINT in the LB would leave fewer than minHealthy', async () => {
    const plan = await loadPlan('playbooks/portal-properties.yml');
    const questions: string[] = [];
    // after batch 1 someone else takes lr5 out and lr6 goes down: batch 2 (lr2, lr3) would leave lr1 and lr4 only
    const h = createHarness(plan, {
      deps: {
        confirm: async (q) => {
          questions.push(q);
          return true;
        },
      },
      onEvent: (e, hh) => {
        if (e.kind === 'batch-end' && e.batch === 1) {
          hh.lb?.set('lr5', { state: 'MAINT' });
          hh.lb?.set('lr6', { state: 'DOWN' });
        }
      },
    });
    const report = await h.run();
    const check = plan.batches[1]?.before.find((s): s is CheckCapacityStep => s.action === 'check-capacity');
    expect(check).toMatchObject({ batchNodes: ['lr2', 'lr3'], minHealthy: 3 });
    expect(stepEnd(h, check?.id ?? '')).toMatchObject({
      status: 'failed',
      detail:
        'only 2 healthy node(s) would stay in rotation, below minHealthy 3; not healthy or out of ' +
        'rotation: lr5 (MAINT in the load balancer), lr6 (DOWN in the load balancer)',
    });
    expect(report.status).toBe('halted');
    expect(report.reason).toMatch(/^batch 2 not started: /);
    expect(questions).toEqual([]);
    for (const n of ['lr2', 'lr3']) {
      expect((h.lb?.callsFor(n) ?? []).filter((c) => c.op !== 'state')).toEqual([]);
      expect(h.cluster.callsTo(n, 'service-stop', 'apply', 'backup', 'service-start')).toEqual([]);
    }
    expect(h.events.filter((e) => e.kind === 'node-start').map((e) => (e as { node: string }).node)).toEqual(['lr1']);
  });

  it('counts nodes that came back in earlier batches as healthy, and re-reads the LB before every batch', async () => {
    const plan = await loadPlan('playbooks/portal-properties.yml');
    const h = createHarness(plan, {
      onEvent: (e, hh) => {
        if (e.kind === 'batch-end' && e.batch === 2) hh.lb?.set('lr1', { state: 'MAINT' });
      },
    });
    await h.run();
    // batch 3 (lr4, lr5, lr6) leaves lr1 (MAINT), lr2, lr3: 2 < 3
    const check = plan.batches[2]?.before.find((s) => s.action === 'check-capacity');
    expect(stepEnd(h, check?.id ?? '')).toMatchObject({ status: 'failed' });
    const check2 = plan.batches[1]?.before.find((s) => s.action === 'check-capacity');
    expect(stepEnd(h, check2?.id ?? '')).toMatchObject({ status: 'ok', detail: '4 healthy node(s) stay in rotation' });
  });
});

describe('minHealthy counts a node only when the LB says UP and its own probe answers', () => {
  it('a node whose app stopped a moment ago is not counted, although the load balancer still says UP', async () => {
    const plan = await loadPlan('playbooks/portal-properties.yml');
    const h = createHarness(plan, {
      onEvent: (e, hh) => {
        if (e.kind === 'batch-end' && e.batch === 1) for (const n of ['lr5', 'lr6']) hh.cluster.host(n).running = false;
      },
    });
    const report = await h.run();
    const check = plan.batches[1]?.before.find((s): s is CheckCapacityStep => s.action === 'check-capacity');
    expect(check?.others.map((o) => o.node)).toEqual(['lr1', 'lr4', 'lr5', 'lr6']);
    expect(stepEnd(h, check?.id ?? '')).toMatchObject({
      status: 'failed',
      detail:
        'only 2 healthy node(s) would stay in rotation, below minHealthy 3; not healthy or out of ' +
        'rotation: lr5 (its health probe does not answer), lr6 (its health probe does not answer)',
    });
    expect(report.status).toBe('halted');
    for (const n of ['lr2', 'lr3']) expect((h.lb?.callsFor(n) ?? []).filter((c) => c.op === 'drain')).toEqual([]);
  });

  it(
    're-checks right before each drain: a node lost while the operator approved the batch stops the ' + 'drain',
    async () => {
      const plan = await loadPlan('playbooks/portal-properties.yml');
      const recheck = plan.batches[1]?.nodePlans[0]?.steps[0];
      expect(recheck).toMatchObject({
        action: 'check-capacity',
        node: 'lr2',
        phase: 'prepare',
        batchNodes: ['lr2', 'lr3'],
        minHealthy: 3,
      });
      expect(plan.batches[1]?.nodePlans[0]?.steps[1]?.action).toBe('lb-drain');
      let h: Harness | undefined;
      const confirm = async (): Promise<boolean> => {
        // while the operator reads the question, lr5 goes to MAINT and lr6 stops answering
        h?.lb?.set('lr5', { state: 'MAINT' });
        if (h) h.cluster.host('lr6').running = false;
        return true;
      };
      h = createHarness(plan, { deps: { confirm } });
      const report = await h.run();
      const batchCheck = plan.batches[1]?.before.find((s) => s.action === 'check-capacity');
      expect(stepEnd(h, batchCheck?.id ?? '')).toMatchObject({ status: 'ok' });
      expect(stepEnd(h, recheck?.id ?? '')).toMatchObject({
        status: 'failed',
        detail:
          'only 2 healthy node(s) would stay in rotation, below minHealthy 3; not healthy or out of ' +
          'rotation: lr5 (MAINT in the load balancer), lr6 (its health probe does not answer)',
      });
      for (const n of ['lr2', 'lr3']) {
        expect((h.lb?.callsFor(n) ?? []).filter((c) => c.op === 'drain')).toEqual([]);
        expect(h.cluster.callsTo(n, 'service-stop')).toEqual([]);
      }
      expect(report.status).not.toBe('ok');
      expect(runEnd(h).nodes.find((n) => n.node === 'lr2')).toMatchObject({ inRotation: true, updated: false });
    },
  );
});

describe('a command load balancer (playbooks/jvm-settings.yml)', () => {
  it(
    'a drain step with no command and no driver fails as a load-balancer error; nothing is sent to a ' + 'shell',
    async () => {
      const plan = await loadPlan('playbooks/jvm-settings.yml');
      const drain = nodeStep(plan, 'node1', 'lb-drain');
      if (!drain) throw new Error('no lb-drain step for node1');
      drain.command = null;
      const h = createHarness(plan);
      expect((await h.run()).status).toBe('failed');
      expect(stepEnd(h, drain.id)).toMatchObject({ status: 'failed', code: 'E_LB' });
      expect(h.cluster.callsTo('local').map((c) => c.command.trim())).not.toContain('false');
    },
  );

  it(
    'runs the drain, sessions, disable, enable and status commands in order, locally, and the run ' + 'succeeds',
    async () => {
      const plan = await loadPlan('playbooks/jvm-settings.yml');
      const h = createHarness(plan);
      expect(h.lb).toBeNull();
      let polls = 0;
      h.cluster.script({ host: 'local', kind: 'lb-sessions' }, (call) =>
        call.command.endsWith(' node1') ? { stdout: `${Math.max(0, 2 - polls++)}\n` } : undefined,
      );
      const report = await h.run();
      expect(report.status).toBe('ok');
      const node1 = h.cluster
        .callsTo('local')
        .filter((c) => c.command.endsWith(' node1'))
        .map((c) => c.kind);
      const firstDrain = node1.indexOf('lb-drain');
      expect(node1.slice(0, firstDrain)).toEqual(['lb-status']);
      const enable = node1.indexOf('lb-enable');
      expect(node1.slice(firstDrain, enable + 1)).toEqual([
        'lb-drain',
        'lb-sessions',
        'lb-sessions',
        'lb-sessions',
        'lb-disable',
        // the request routed in the gap between the reading of 0 and the disable, if any, ends before the stop
        'lb-sessions',
        'lb-enable',
      ]);
      // then its wait for UP, and the capacity checks of the later batch reading node1's state
      expect(new Set(node1.slice(enable + 1))).toEqual(new Set(['lb-status']));
    },
  );

  it(
    'without a `sessions` command the drain is a stated, short fixed wait (30 s by default), not the 2 ' +
      'min drain timeout',
    async () => {
      const plan = await loadPlan('test/fixtures/playbooks/valid/command-lb-no-sessions.yml');
      expect(plan.loadBalancer).toMatchObject({ drainTimeoutSec: 120, drainWaitSec: 30 });
      const wait = nodeStep(plan, 'node1', 'lb-wait-drained') as LbWaitDrainedStep;
      expect(wait).toMatchObject({
        countsSessions: false,
        timeoutSec: 30,
        expectSec: 30,
        title: 'wait 30s for node1 to drain (no session count; then `disable`)',
      });
      expect(wait.waitsFor).toContain('without a `sessions` command');
      expect(plan.impact.join('\n')).toContain('a fixed 30s (the load balancer cannot count sessions)');
      const h = createHarness(plan);
      const report = await h.run();
      expect(report.status).toBe('ok');
      expect(stepEnd(h, wait.id)).toMatchObject({
        status: 'ok',
        durationMs: 30_000,
        detail: 'waited 30s (the load balancer cannot count sessions); taken out hard with the disable command',
      });
      const node1 = h.cluster
        .callsTo('local')
        .filter((c) => c.command.endsWith(' node1'))
        .map((c) => c.kind);
      expect(node1.slice(node1.indexOf('lb-drain'), node1.indexOf('lb-enable') + 1)).toEqual([
        'lb-drain',
        'lb-disable',
        'lb-enable',
      ]);
      // nothing polled the member during the fixed wait: there is nothing to read
      expect(
        h.cluster
          .callsTo('local', 'lb-status')
          .filter(
            (c) =>
              c.command.endsWith(' node1') &&
              c.seq > (h.cluster.callsTo('local', 'lb-drain')[0]?.seq ?? 0) &&
              c.seq < (h.cluster.callsTo('local', 'lb-disable')[0]?.seq ?? 0),
          ),
      ).toEqual([]);
    },
  );

  it(
    'with --limit, the capacity check reads the nodes outside the limit with their own status command ' +
      'from the plan',
    async () => {
      const { plan } = await planPlaybook('playbooks/jvm-settings.yml', { vars: {}, limit: ['node2'] });
      if (!plan) throw new Error('jvm-settings.yml does not plan');
      const check = plan.batches[0]?.before.find((s): s is CheckCapacityStep => s.action === 'check-capacity');
      expect(check?.others.map((o) => [o.node, o.lbStatus?.command])).toEqual(
        ['node1', 'node3', 'node4'].map((n) => [n, `/usr/local/bin/lb-ctl status ${n}`]),
      );
      const h = createHarness(structuredClone(plan));
      const report = await h.run();
      expect(report.status, JSON.stringify(h.events.filter((e) => e.kind === 'step-end' && e.status !== 'ok'))).toBe(
        'ok',
      );
      for (const n of ['node1', 'node3', 'node4'])
        expect(
          h.cluster.callsTo('local', 'lb-status').some((c) => c.command.endsWith(` ${n}`)),
          n,
        ).toBe(true);
    },
  );

  it("drainWait sets the admin's own wait", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrroll-drainwait-'));
    try {
      const text = readFileSync('test/fixtures/playbooks/valid/command-lb-no-sessions.yml', 'utf8').replace(
        'change:',
        '  drainWait: 45s\nchange:',
      );
      writeFileSync(join(dir, 'p.yml'), text);
      const plan = await loadPlan(join(dir, 'p.yml'));
      expect(plan.loadBalancer.drainWaitSec).toBe(45);
      expect(plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'lb-wait-drained')).toMatchObject({
        timeoutSec: 45,
        title: 'wait 45s for node1 to drain (no session count; then `disable`)',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
