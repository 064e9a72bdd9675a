import { describe, expect, it } from 'vitest';
import type { RunEndEvent, RunEvent, StepEndEvent, StepStartEvent } from '../../../src/execute/events.js';
import type { LbWaitDrainedStep, Plan } from '../../../src/plan/types.js';
import { createHarness, loadPlan, type CommandKind, type Harness } from '../../helpers/fake-transport.js';

// Refusals, failures, the failure budget, recovery and abort: event list and call logs only.

/** Commands that change a node; preflight sends none of them. */
const CHANGING: CommandKind[] = [
  'service-stop',
  'force-stop',
  'service-start',
  'backup',
  'apply',
  'verify',
  'warmup',
  'cache-clear',
];
/** Commands preflight sends (read-only checks and the artifact's checksum). */
const PREFLIGHT: CommandKind[] = [
  'check-sudo',
  'check-tools',
  'check-reachable',
  'check-service',
  'http',
  'check-disk',
  'upload-checksum',
  'check-schema-version',
  'check-patch-level',
  'check-java-version',
];

const runEnd = (h: Harness): RunEndEvent => h.events[h.events.length - 1] as RunEndEvent;
const summaryOf = (h: Harness, node: string) => runEnd(h).nodes.find((n) => n.node === node);
const stepEnd = (h: Harness, stepId: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === stepId);
const startedSteps = (h: Harness, node: string): string[] =>
  h.events
    .filter((e): e is StepStartEvent => e.kind === 'step-start' && e.node === node && e.batch !== null)
    .map((e) => e.action);
const batchStarts = (h: Harness): number[] =>
  h.events.filter((e) => e.kind === 'batch-start').map((e) => (e as { batch: number }).batch);
const stepId = (plan: Plan, node: string, action: string): string =>
  plan.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action)?.id ?? `(no ${action} for ${node})`;

/** No command that changes anything reached `node`, and the LB was only asked about its member. */
function expectUntouched(h: Harness, node: string): void {
  expect(
    h.cluster
      .callsTo(node)
      .filter((c) => !PREFLIGHT.includes(c.kind))
      .map((c) => c.kind),
  ).toEqual([]);
  const member = h.plan.loadBalancer.members[node] ?? node;
  expect((h.lb?.callsFor(member) ?? []).filter((c) => c.op !== 'state').map((c) => c.op)).toEqual([]);
}

/** Nothing was changed anywhere: no drain/disable/enable, no stop/start/backup/apply on any node. */
function expectNothingChanged(h: Harness): void {
  expect(
    (h.lb?.calls ?? []).filter((c) => c.op !== 'state' && c.op !== 'members').map((c) => `${c.op} ${c.member}`),
  ).toEqual([]);
  expect(h.cluster.calls.filter((c) => CHANGING.includes(c.kind)).map((c) => `${c.host}: ${c.kind}`)).toEqual([]);
  expect(batchStarts(h)).toEqual([]);
}

/** The start never writes the startup marker (the log gate runs into its deadline). */
const neverStarts = (h: Harness, node: string): void => {
  h.cluster.host(node).startupLines = [
    '07-Jan-2025 02:00:05.000 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal ' +
      'Context [] startup failed due to previous errors',
  ];
};

/** A healthy node as preflight read it. */
const SEEN_OK: [boolean | null, string] = [true, 'app server answering HTTP 302, in the load balancer (UP), untouched'];

describe('preflight failures refuse the run before anything changes', () => {
  it.each<[string, (h: Harness) => void, RegExp, Record<string, [boolean | null, string]>]>([
    [
      'a node has too little free disk',
      (h) => h.cluster.script({ host: 'node2', kind: 'check-disk' }, { stdout: `${10 * 1048576}\n` }),
      /node2: .*only 10 MiB free under \/opt\/liferay; \d+ MiB needed/,
      {},
    ],
    [
      'an LB member is DRAIN',
      (h) => h.lb?.set('node3', { state: 'DRAIN' }),
      /node3: .*node3 is DRAIN, not UP/,
      { node3: [false, 'app server answering HTTP 302, OUT of the load balancer (DRAIN), untouched'] },
    ],
    [
      'an LB member is MAINT',
      (h) => h.lb?.set('node1', { state: 'MAINT' }),
      /node1: .*node1 is MAINT, not UP/,
      { node1: [false, 'app server answering HTTP 302, OUT of the load balancer (MAINT), untouched'] },
    ],
    [
      'a node answers HTTP 503',
      (h) => h.cluster.script({ host: 'node2', kind: 'http' }, { stdout: 'Service Unavailable\n503' }),
      /node2: .*answered HTTP 503/,
      { node2: [null, 'app server not healthy (HTTP 503), load balancer state not read, untouched'] },
    ],
    [
      'a node is unreachable',
      (h) =>
        h.cluster.script(
          { host: 'node3', kind: 'check-reachable' },
          { exitCode: 255, stderr: 'ssh: connect to host node3 port 22: No route to host\n' },
        ),
      /node3: .*exited with code 255: ssh: connect to host node3/,
      { node3: [null, 'app server not checked, load balancer state not read, untouched'] },
    ],
    [
      'an artifact checksum does not match after the upload',
      (h) => h.cluster.script({ host: 'node1', kind: 'upload-checksum' }, { stdout: `${'0'.repeat(64)}\n` }),
      /node1: .*checksum mismatch after upload/,
      {},
    ],
    [
      'the installed schema moves minor',
      (h) => h.cluster.script({ host: 'node2', kind: 'check-schema-version' }, { stdout: 'installed\t2.0.5\t2.0.0\n' }),
      /node2: .*minor change, which cannot be rolled/,
      {},
    ],
  ])(
    '%s → refused, no drain/stop/apply command was ever sent, and each node is summarized as preflight saw it',
    async (_, breakIt, reason, seen) => {
      const h = createHarness(await loadPlan('playbooks/module.yml'));
      breakIt(h);
      const report = await h.run();
      expect(report.status).toBe('refused');
      expect(runEnd(h)).toMatchObject({ status: 'refused' });
      expect(runEnd(h).reason).toMatch(/^preflight failed, nothing was changed: /);
      expect(runEnd(h).reason).toMatch(reason);
      expectNothingChanged(h);
      expect(h.events.find((e) => e.kind === 'phase-end' && e.phase === 'preflight')).toMatchObject({
        status: 'failed',
      });
      expect(runEnd(h).nodes.every((n) => n.status === 'skipped' && !n.updated)).toBe(true);
      // What was observed, not "in the load balancer" for every node.
      for (const node of ['node1', 'node2', 'node3']) {
        const [inRotation, state] = seen[node] ?? SEEN_OK;
        expect(summaryOf(h, node), node).toMatchObject({ inRotation, state });
      }
    },
  );
});

describe('missing secrets refuse the run before any command', () => {
  it.each([
    ['test/fixtures/playbooks/valid/secrets.yml', {}, ['DB_PASSWORD', 'LIFERAY_ADMIN_PASSWORD']],
    ['test/fixtures/playbooks/valid/secrets.yml', { DB_PASSWORD: 'db-pw-1' }, ['LIFERAY_ADMIN_PASSWORD']],
    ['playbooks/fixpack.yml', {}, ['CHAT_TOKEN', 'LIFERAY_ADMIN_LOGIN', 'LIFERAY_ADMIN_PASSWORD']],
  ])('%s with %j', async (file, secrets, missing) => {
    const plan = await loadPlan(file);
    let fetched = 0;
    const h = createHarness(plan, {
      deps: {
        secrets,
        fetch: (async () => {
          fetched++;
          return new Response('', { status: 200 });
        }) as typeof fetch,
      },
    });
    const report = await h.run();
    expect(report.status).toBe('refused');
    for (const name of missing) expect(report.reason).toContain(name);
    expect(h.events.map((e) => e.kind)).toEqual(['run-start', 'run-end']);
    expect(h.cluster.calls).toEqual([]);
    expect(h.cluster.puts).toEqual([]);
    expect(h.lb?.calls ?? []).toEqual([]);
    expect(fetched).toBe(0);
  });
});

describe('a node whose health gate fails (maxFailures 0)', () => {
  it.each<[string, (h: Harness) => void, RegExp]>([
    ['the log never shows the startup marker', (h) => neverStarts(h, 'node1'), /not seen within 900s/],
    [
      'the app server process dies while starting',
      (h) => {
        neverStarts(h, 'node1');
        h.cluster.host('node1').onStart = (host) => {
          host.running = false;
        };
      },
      /process exited before the gate passed/,
    ],
  ])(
    '%s: the node fails, the run fails, no further batch starts, the node stays out of the LB',
    async (_, breakIt, detail) => {
      const plan = await loadPlan('playbooks/module.yml');
      const h = createHarness(plan);
      breakIt(h);
      const report = await h.run();
      const gate = stepId(plan, 'node1', 'wait-log-marker');
      expect(stepEnd(h, gate)).toMatchObject({ status: 'failed' });
      expect(stepEnd(h, gate)?.detail).toMatch(detail);
      expect(report.status).toBe('failed');
      expect(report.reason).toMatch(/node1 failed in batch 1; the failure budget \(0\) is spent/);
      expect(batchStarts(h)).toEqual([1]);
      expect(h.events.find((e) => e.kind === 'batch-end')).toMatchObject({ batch: 1, status: 'failed' });
      // the steps after the gate never ran (only the on-halt forensics), and nothing put the node back
      expect(startedSteps(h, 'node1')).toEqual([
        'check-capacity',
        'lb-drain',
        'lb-wait-drained',
        'service-stop',
        'backup',
        'apply',
        'verify',
        'service-start',
        'wait-log-marker',
        'forensics',
      ]);
      expect(h.lb?.callsFor('node1', 'enable')).toEqual([]);
      expect(summaryOf(h, 'node1')).toMatchObject({
        status: 'failed',
        inRotation: false,
        updated: true,
        failedStep: gate,
      });
      expect(summaryOf(h, 'node1')?.state).toContain('OUT of the load balancer');
      for (const n of ['node2', 'node3']) {
        expectUntouched(h, n);
        expect(summaryOf(h, n)).toMatchObject({ status: 'skipped', inRotation: true, updated: false });
      }
      expect(h.events.some((e) => e.kind === 'phase-start' && e.phase === 'finally')).toBe(false);
    },
  );

  // Regression: the gate used to leave state.stopped false.
  it('a node whose process died during the gate is not summarised as "app server running"', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    neverStarts(h, 'node1');
    h.cluster.host('node1').onStart = (host) => {
      host.running = false;
    };
    await h.run();
    expect(summaryOf(h, 'node1')?.state).not.toContain('app server running');
  });
});

describe('maxFailures counts across batches (the budget is for the whole run)', () => {
  it('one failure in batch 1 continues; a second failure in batch 2 stops the run before batch 3', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    plan.policy.maxFailures = 1;
    const h = createHarness(plan);
    neverStarts(h, 'node1');
    neverStarts(h, 'node2');
    const report = await h.run();
    expect(batchStarts(h)).toEqual([1, 2]);
    expect(
      h.events
        .filter((e) => e.kind === 'batch-end')
        .map((e) => [(e as { batch: number }).batch, (e as { status: string }).status]),
    ).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    expect(report.status).toBe('failed');
    expect(report.reason).toMatch(/^node2 failed in batch 2; the failure budget \(1\) is spent/);
    expect(summaryOf(h, 'node1')).toMatchObject({ status: 'failed', inRotation: false });
    expect(summaryOf(h, 'node2')).toMatchObject({ status: 'failed', inRotation: false });
    expect(summaryOf(h, 'node3')).toMatchObject({ status: 'skipped', inRotation: true });
    expectUntouched(h, 'node3');
  });

  it('with the budget at 1, a single failure lets every later batch run', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    plan.policy.maxFailures = 1;
    const h = createHarness(plan);
    neverStarts(h, 'node2');
    await h.run();
    expect(batchStarts(h)).toEqual([1, 2, 3]);
    expect(runEnd(h).nodes.map((n) => [n.node, n.status, n.inRotation])).toEqual([
      ['node1', 'ok', true],
      ['node2', 'failed', false],
      ['node3', 'ok', true],
    ]);
  });

  // Regression: the run's end used to ignore run.failures.
  it('a run in which a node failed (within the budget) does not end "ok"', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    plan.policy.maxFailures = 1;
    const h = createHarness(plan);
    neverStarts(h, 'node2');
    const report = await h.run();
    expect(report.status).toBe('failed');
  });
});

describe('a failure before the stop puts the node back into the load balancer', () => {
  it(
    'drain wait with onTimeout: fail → lb-enable and lb-wait-up run, the node is in rotation, nothing ' + 'was stopped',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const wait = plan.batches[0]?.nodePlans[0]?.steps.find(
        (s) => s.action === 'lb-wait-drained',
      ) as LbWaitDrainedStep;
      wait.onTimeout = 'fail';
      wait.hardCommand = null;
      const h = createHarness(plan);
      h.lb?.set('node1', { drainPolls: Infinity, sessionsAtDrain: 7 });
      const report = await h.run();
      expect(stepEnd(h, wait.id)).toMatchObject({ status: 'failed' });
      expect(stepEnd(h, wait.id)?.detail).toBe('node1 still has 7 session(s) after 120s (onDrainTimeout: fail)');
      expect(startedSteps(h, 'node1')).toEqual([
        'check-capacity',
        'lb-drain',
        'lb-wait-drained',
        'lb-enable',
        'lb-wait-up',
      ]);
      expect(stepEnd(h, `${stepId(plan, 'node1', 'lb-wait-up')}#recover`)).toMatchObject({ status: 'ok' });
      expect(h.lb?.callsFor('node1', 'drain', 'disable', 'enable').map((c) => c.op)).toEqual(['drain', 'enable']);
      expect(h.lb?.member('node1').state).toBe('UP');
      expect(h.cluster.callsTo('node1').filter((c) => CHANGING.includes(c.kind))).toEqual([]);
      expect(summaryOf(h, 'node1')).toMatchObject({
        status: 'failed',
        inRotation: true,
        updated: false,
        failedStep: wait.id,
      });
      expect(summaryOf(h, 'node1')?.state).toBe('app server running, in the load balancer, not updated');
      expect(report.status).toBe('failed');
      expectUntouched(h, 'node2');
    },
  );

  it('a failure after the stop (the backup fails) leaves the node out and says so', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    h.cluster.script(
      { host: 'node1', kind: 'backup' },
      { exitCode: 1, stderr: 'lrroll: cannot create /opt/liferay/.lrroll/backups: No space left on device\n' },
    );
    await h.run();
    expect(stepEnd(h, stepId(plan, 'node1', 'backup'))?.detail).toBe(
      'backup exited with code 1: lrroll: cannot create /opt/liferay/.lrroll/backups: No space left on device',
    );
    expect(h.lb?.callsFor('node1', 'enable')).toEqual([]);
    expect(summaryOf(h, 'node1')).toMatchObject({ status: 'failed', inRotation: false, updated: false });
    expect(summaryOf(h, 'node1')?.state).toBe('app server stopped, OUT of the load balancer, not updated');
  });

  // Regression: the executor used to check only state.stopped.
  it(
    'a stop that leaves the process running (even after the forced kill) does not put the half-stopped ' + 'node back',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const h = createHarness(plan);
      h.cluster.host('node1').unkillable = true;
      await h.run();
      expect(stepEnd(h, stepId(plan, 'node1', 'service-stop'))?.detail).toBe(
        'the app server is still running after the forced stop',
      );
      expect(h.lb?.callsFor('node1', 'enable')).toEqual([]);
    },
  );

  // Regression: the stop step used to treat exit null as gone.
  it('a stop whose status check cannot tell (connection lost) is not taken as "stopped"', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan);
    h.cluster.host('node1').unkillable = true;
    h.cluster.script(
      { host: 'node1', kind: 'status', times: 1 },
      { exitCode: null, stderr: 'Connection reset by peer\n' },
    );
    await h.run();
    expect(stepEnd(h, stepId(plan, 'node1', 'service-stop'))).toMatchObject({ status: 'failed' });
    expect(h.cluster.callsTo('node1', 'backup', 'apply')).toEqual([]);
  });
});

describe('onFailure: rollback (SPEC §2: "revert that node and bring it back")', () => {
  it('restores the failed node from its backup, restarts it and puts it back (onFailure: rollback)', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/module-rollback.yml');
    const h = createHarness(plan);
    h.cluster.script({ host: 'node1', kind: 'verify' }, { exitCode: 1, stderr: 'lrroll: checksum mismatch\n' });
    await h.run();
    const backup = plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'backup');
    expect(h.cluster.callsTo('node1').map((c) => c.command)).toContain(
      backup?.action === 'backup' ? backup.restoreCommand : '',
    );
    expect(summaryOf(h, 'node1')).toMatchObject({ status: 'rolled-back', inRotation: true });
  });
});

describe('backups per run', () => {
  it(
    "the backup and the rollback's restore get this run's id (LRROLL_RUN_ID, not a secret: set in the command's " +
      "shell, no stdin needed): the folder is this run's own",
    async () => {
      const plan = await loadPlan('test/fixtures/playbooks/valid/module-rollback.yml');
      const backup = plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'backup');
      expect(backup).toMatchObject({ backupDir: '/opt/liferay/.lrroll/backups/$LRROLL_RUN_ID' });
      const h = createHarness(plan, { deps: { runId: '20261122T2200-bbbbbb' } });
      const seen: Array<[string, string | undefined]> = [];
      h.cluster.script({ host: 'node1' }, (call, ctx) => {
        if (call.command.includes('.lrroll/backups')) seen.push([call.kind, ctx.options.vars?.LRROLL_RUN_ID]);
        return undefined;
      });
      h.cluster.script({ host: 'node1', kind: 'verify' }, { exitCode: 1, stderr: 'lrroll: checksum mismatch\n' });
      await h.run();
      expect(seen).toEqual([
        ['backup', '20261122T2200-bbbbbb'],
        ['other', '20261122T2200-bbbbbb'],
      ]);
      expect(summaryOf(h, 'node1')).toMatchObject({ status: 'rolled-back' });
    },
  );
});

describe('graceful stop (the first Ctrl-C) during a start gate', () => {
  it.each(['halt', 'rollback'] as const)(
    'onFailure %s: the node still starting is not put back; the summary says so',
    async (onFailure) => {
      const plan = await loadPlan('playbooks/module.yml');
      plan.policy.onFailure = onFailure;
      const stop = new AbortController();
      const h = createHarness(plan, {
        deps: { stop: stop.signal },
        onEvent: (e) => {
          if (e.kind === 'step-start' && e.action === 'wait-http' && e.node === 'node2')
            setImmediate(() => stop.abort());
        },
      });
      // node2's start command returns, but the app answers 503 while it starts
      h.cluster.script({ host: 'node2', kind: 'http' }, (_call, ctx) =>
        ctx.host.startCount > 0 ? { stdout: 'starting\n503' } : undefined,
      );
      const report = await h.run();
      expect(report.status).toBe('aborted');
      expect(stepEnd(h, stepId(plan, 'node2', 'wait-http'))).toMatchObject({ status: 'failed', detail: 'interrupted' });
      expect(h.lb?.callsFor('node2', 'enable')).toEqual([]);
      expect(
        h.events.filter((e) => e.kind === 'lb-state' && e.node === 'node2').map((e) => (e as { state: string }).state),
      ).toEqual(['draining', 'out']);
      expect(summaryOf(h, 'node2')).toMatchObject({
        inRotation: false,
        state: 'app server started but its health gates did not pass (kept out), OUT of the load balancer, updated',
      });
      expect(summaryOf(h, 'node1')).toMatchObject({ status: 'ok', inRotation: true });
      expectUntouched(h, 'node3');
    },
  );
});

describe('abort (Ctrl-C)', () => {
  /** Ctrl-C arrives (as a signal handler does: on a later turn of the event loop) once `node` starts `stepAction`. */
  const abortAt =
    (stepAction: string, node: string) =>
    (e: RunEvent, h: Harness): void => {
      if (e.kind === 'step-start' && e.action === stepAction && e.node === node)
        setImmediate(() => h.controller.abort());
    };

  it('mid-run → run-end aborted, the interrupted gate fails, no later node is touched', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan, { onEvent: abortAt('wait-log-marker', 'node2') });
    neverStarts(h, 'node2');
    const report = await h.run();
    expect(report.status).toBe('aborted');
    expect(runEnd(h)).toMatchObject({ status: 'aborted' });
    expect(stepEnd(h, stepId(plan, 'node2', 'wait-log-marker'))).toMatchObject({ status: 'failed' });
    expect(stepEnd(h, stepId(plan, 'node2', 'wait-log-marker'))?.detail).toMatch(/^interrupted/);
    expect(h.cluster.callsTo('node2', 'log-tail')).toHaveLength(1);
    expect(stepEnd(h, stepId(plan, 'node2', 'wait-log-marker'))?.durationMs).toBeLessThan(10_000);
    expect(summaryOf(h, 'node1')).toMatchObject({ status: 'ok', inRotation: true });
    expect(summaryOf(h, 'node2')).toMatchObject({ status: 'failed', inRotation: false });
    expectUntouched(h, 'node3');
    expect(h.events.some((e) => e.kind === 'phase-start' && (e.phase === 'on-failure' || e.phase === 'finally'))).toBe(
      false,
    );
  });

  it('during preflight → aborted, and no command or LB change reaches any node', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan, { onEvent: abortAt('check-disk', 'node2') });
    const report = await h.run();
    expect(report.status).toBe('aborted');
    expect(report.reason).toMatch(/interrupted/);
    expectNothingChanged(h);
  });

  // Regression: preflight used to break without recording a failure, so the phase reported ok.
  it('an abort that lands as the last preflight command succeeds still stops the run there', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    const h = createHarness(plan);
    let disks = 0;
    // the third (last) disk check finishes just as Ctrl-C arrives: its command succeeded anyway
    h.cluster.script({ kind: 'check-disk' }, async (_call, ctx) => {
      disks += 1;
      if (disks === plan.nodes.length) h.controller.abort();
      return ctx.fallback() as Promise<{ stdout: string }>;
    });
    const report = await h.run();
    expect(report.status).toBe('aborted');
    expect(h.events.find((e) => e.kind === 'phase-end' && e.phase === 'preflight')).toMatchObject({ status: 'failed' });
    expect(batchStarts(h)).toEqual([]);
  });

  // Regression: the executor used to prefix a detail that already said so.
  it('an interrupted step says "interrupted" once', async () => {
    const plan = await loadPlan('playbooks/module.yml');
    const h = createHarness(plan, { onEvent: abortAt('wait-log-marker', 'node2') });
    neverStarts(h, 'node2');
    await h.run();
    expect(stepEnd(h, stepId(plan, 'node2', 'wait-log-marker'))?.detail).toBe('interrupted');
  });

  // Regression: the executor used to skip the signal check between batches.
  it('with failure budget left, an abort still ends the run "aborted"', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    plan.policy.maxFailures = 2;
    const h = createHarness(plan, { onEvent: abortAt('wait-log-marker', 'node3') });
    neverStarts(h, 'node3');
    const report = await h.run();
    expect(report.status).toBe('aborted');
  });

  it('after an abort no further batch starts and untouched nodes stay "skipped"', async () => {
    const plan = await loadPlan('playbooks/restart.yml');
    plan.policy.maxFailures = 2;
    const h = createHarness(plan, { onEvent: abortAt('wait-log-marker', 'node1') });
    neverStarts(h, 'node1');
    await h.run();
    expect(batchStarts(h)).toEqual([1]);
    expect(summaryOf(h, 'node2')).toMatchObject({ status: 'skipped' });
    expect(summaryOf(h, 'node3')).toMatchObject({ status: 'skipped' });
  });
});

describe('health-gate offsets', () => {
  // Regression: the gate used to fall back to offset 0.
  it(
    'when the log size cannot be read before the start, the previous start’s marker is not taken for ' + 'this one',
    async () => {
      const plan = await loadPlan('playbooks/restart.yml');
      const h = createHarness(plan);
      neverStarts(h, 'node1');
      h.cluster.script({ host: 'node1', kind: 'log-size', times: 1 }, { timesOut: true });
      await h.run();
      // the log still holds "Server startup in [98765] milliseconds" from the previous start
      expect(stepEnd(h, stepId(plan, 'node1', 'wait-log-marker'))?.status).not.toBe('ok');
      expect(h.lb?.callsFor('node1', 'enable')).toEqual([]);
    },
  );
});
