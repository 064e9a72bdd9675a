import type {
  CapacityNode,
  CheckCapacityStep,
  CheckLbMemberStep,
  LbDrainStep,
  LbEnableStep,
  LbHealthUpStep,
  LbWaitDrainedStep,
  LbWaitUpStep,
  Step,
} from '../plan/types.js';
import type { NodeState, RunState } from './context.js';
import { isLrrollError, LrrollError } from '../errors/errors.js';
import type { MemberState } from './lb/driver.js';
import { commandMemberState, isSettledUp, parseSessionsOutput } from './lb/member-state.js';
import { apacheNotUpHint } from './lb/apache.js';
import { pollDelayMs, waitUntilUp } from './lb/wait-up.js';
import { probePasses, readHttpProbe } from './http-probe.js';
import { failed, failedWith, interrupted, ok, outcomeOf, runCommand, type StepOutcome } from './run-command.js';

type LbStep =
  | CheckLbMemberStep
  | CheckCapacityStep
  | LbDrainStep
  | LbWaitDrainedStep
  | LbEnableStep
  | LbHealthUpStep
  | LbWaitUpStep;

/** Runs a load-balancer step through the driver, or the step's own command for `type: command`. */
export async function runLbStep(step: LbStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  try {
    switch (step.action) {
      case 'check-lb-member': {
        const s = await memberState(step, step.member, run);
        const seen = run.nodes.get(step.node ?? '');
        if (seen) seen.lbSeen = s.state === 'UP' ? 'UP' : s.raw;
        return s.state === 'UP'
          ? ok(`${step.member} is ${s.raw}`)
          : failed(`${step.member} is ${s.raw}, not UP: fix it (or the node) before rolling`);
      }
      case 'check-capacity':
        return checkCapacity(step, run);
      case 'lb-drain':
        return drain(step, run, state);
      case 'lb-wait-drained':
        return waitDrained(step, run, state);
      case 'lb-enable':
        return enable(step, run);
      case 'lb-health-up':
        return healthUp(step, run);
      case 'lb-wait-up':
        return waitUp(step, run, state);
    }
  } catch (err) {
    // A driver's own failure (an API that refuses, a socket that is gone) is a load-balancer failure.
    const outcome = failedWith(err);
    return isLrrollError(err) ? outcome : { ...outcome, code: 'E_LB' };
  }
}

/**
 * How long one read of the load balancer may take, as the step says (a plan recorded before the field: the step's own
 * deadline).
 */
const readTimeoutSec = (step: Step): number => ('readTimeoutSec' in step ? step.readTimeoutSec : step.timeoutSec);

/** The member's state: from the driver, or by running the plan's command (`type: command`). */
async function memberState(
  step: Step,
  member: string,
  run: RunState,
  command: string | null = step.command,
): Promise<MemberState> {
  if (run.deps.lb) return run.deps.lb.state(member, run.deps.signal);
  if (!command) throw new Error('no way to read the member state');
  const r = await runCommand(step, command, run, {
    quiet: true,
    timeoutMs: readTimeoutSec(step) * 1000,
    what: 'the status command',
  });
  if (!r.ok) throw new LrrollError(r.code ?? 'E_LB', r.detail ?? 'the status command failed', r.hint ?? undefined);
  // The wait-drained step's command is the `sessions` command: its output is a number, not a state.
  return commandMemberState(r.stdout, parseSessionsOutput(r.stdout));
}

/** An API step (HAProxy, Apache, mod_jk) with no driver to send it: a wiring error, never a command to run. */
const NO_DRIVER = failed('no load-balancer driver for an API step, and the step has no command', null, 'E_LB');

async function drain(step: LbDrainStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  if (run.deps.lb) await run.deps.lb.drain(step.member, run.deps.signal);
  else if (step.command === null) return NO_DRIVER;
  else {
    const r = outcomeOf(await runCommand(step, step.command, run), 'the drain command');
    if (r.status !== 'ok') return r;
  }
  if (state) {
    state.inRotation = false;
    state.drainedAt = run.deps.clock.now();
  }
  run.deps.emit({ kind: 'lb-state', node: step.node ?? '', member: step.member, state: 'draining' });
  return ok();
}

async function sessionsOf(step: LbWaitDrainedStep, run: RunState): Promise<number | null> {
  const s = await memberState(step, step.member, run);
  return s.sessions;
}

async function waitDrained(step: LbWaitDrainedStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  if (!step.countsSessions) return waitFixed(step, run, state);
  const clock = run.deps.clock;
  const started = clock.now();
  const deadline = started + step.timeoutSec * 1000;
  let sessions: number | null = null;
  while (clock.now() < deadline && !run.waitSignal.aborted) {
    sessions = await sessionsOf(step, run);
    if (sessions === 0) break;
    run.deps.emit({
      kind: 'step-output',
      stepId: step.id,
      node: step.node,
      stream: 'progress',
      line: `${step.member}: ${sessions ?? '?'} session(s)`,
    });
    const delay = pollDelayMs(clock.now() - started, {
      pollMs: step.pollSec * 1000,
      fastPollMs: step.fastPollSec * 1000,
      fastForMs: step.fastPollForSec * 1000,
    });
    await clock.sleep(delay, run.waitSignal);
  }
  if (run.waitSignal.aborted) return failed('interrupted');
  if (sessions === 0) {
    const tookOut = await takeOut(step, run, state);
    // A drained member still takes its sticky users' requests, so one may have been routed to it between the
    // reading of 0 and the hard step: it gets the settle time before the stop (usually one more read sees 0).
    // Without a hard step (a command load balancer without `disable`) more keep coming: nothing to wait for.
    const left = tookOut ? await settle(step, run, step.fastPollForSec > 0 ? step.fastPollSec : step.pollSec) : 0;
    return ok(
      `no sessions left${left ? `; ${left} request(s) still open ${step.settleAfterHardSec}s after the hard step` : ''}`,
    );
  }
  if (step.onTimeout === 'fail')
    return failed(
      `${step.member} still has ${sessions ?? 'an unknown number of'} session(s) after ` +
        `${step.timeoutSec}s (onDrainTimeout: fail)`,
    );
  const tookOut = await takeOut(step, run, state);
  if (!tookOut)
    return ok(
      `${sessions ?? 'unknown'} session(s) left after ${step.timeoutSec}s; no \`disable\` command takes it out ` +
        `hard: the stop ends them`,
    );
  const left = await settle(step, run, Math.min(step.settlePollSec, step.pollSec));
  return ok(
    `${sessions ?? 'unknown'} session(s) left after ${step.timeoutSec}s: taken out hard (` +
      `${step.onTimeout})${left ? `; ${left} still open` : ''}`,
  );
}

/**
 * A load balancer that cannot count sessions: wait the plan's fixed time (saying so every 10 s), then the hard step.
 */
async function waitFixed(step: LbWaitDrainedStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  const clock = run.deps.clock;
  const until = clock.now() + step.timeoutSec * 1000;
  while (clock.now() < until && !run.waitSignal.aborted) {
    run.deps.emit({
      kind: 'step-output',
      stepId: step.id,
      node: step.node,
      stream: 'progress',
      line: `${step.member}: draining, ${Math.ceil((until - clock.now()) / 1000)}s left (no session count)`,
    });
    await clock.sleep(Math.min(step.heartbeatSec * 1000, until - clock.now()), run.waitSignal);
  }
  if (run.waitSignal.aborted) return failed('interrupted');
  const tookOut = await takeOut(step, run, state);
  return ok(
    `waited ${step.timeoutSec}s (the load balancer cannot count sessions)` +
      `${tookOut ? '; taken out hard with the disable command' : ''}`,
  );
}

/** The end of every drain wait: the hard step, the node counted out of rotation, the `out` event; see hardStep. */
async function takeOut(step: LbWaitDrainedStep, run: RunState, state: NodeState | null): Promise<boolean> {
  const tookOut = await hardStep(step, run);
  if (state) state.inRotation = false;
  run.deps.emit({ kind: 'lb-state', node: step.node ?? '', member: step.member, state: 'out' });
  return tookOut;
}

/**
 * The hard step: MAINT (and shutdown sessions) through the driver, or the plan's hard command. False when there is
 * none (a command load balancer without `disable`).
 */
async function hardStep(step: LbWaitDrainedStep, run: RunState): Promise<boolean> {
  if (run.deps.lb) {
    await run.deps.lb.disable(step.member, step.onTimeout === 'maint-and-shutdown-sessions', run.deps.signal);
    return true;
  }
  if (!step.hardCommand) return false;
  const r = await runCommand(step, step.hardCommand, run, { timeoutMs: step.readTimeoutSec * 1000 });
  if (r.exitCode !== 0) throw new Error(`the disable command failed (${r.exitCode}): ${r.stderr.trim()}`);
  return true;
}

/** Waits briefly (asking every `everySec`) for requests still in flight after the hard step; returns how many remain. */
async function settle(step: LbWaitDrainedStep, run: RunState, everySec: number): Promise<number> {
  const until = run.deps.clock.now() + step.settleAfterHardSec * 1000;
  let sessions: number | null = null;
  while (run.deps.clock.now() < until && !run.waitSignal.aborted) {
    sessions = await sessionsOf(step, run);
    if (!sessions) return 0;
    await run.deps.clock.sleep(everySec * 1000, run.waitSignal);
  }
  return sessions ?? 0;
}

async function enable(step: LbEnableStep, run: RunState): Promise<StepOutcome> {
  if (run.deps.lb) await run.deps.lb.enable(step.member, run.deps.signal);
  else if (step.command === null) return NO_DRIVER;
  else {
    const r = outcomeOf(await runCommand(step, step.command, run), 'the enable command');
    if (r.status !== 'ok') return r;
  }
  run.deps.emit({ kind: 'lb-state', node: step.node ?? '', member: step.member, state: 'enabled' });
  return ok();
}

/** HAProxy's `health up` on every instance; the plan has it only after the node's HTTP probe passed. */
async function healthUp(step: LbHealthUpStep, run: RunState): Promise<StepOutcome> {
  const lb = run.deps.lb;
  if (!lb?.healthUp) return failed(`the load balancer cannot mark ${step.member}'s health UP (HAProxy only)`);
  try {
    await lb.healthUp(step.member, run.deps.signal);
  } catch (err) {
    if (run.deps.signal?.aborted) throw err;
    // Only a shortcut: HAProxy refuses it for a server that tracks another one (`track`), and the node is already
    // enabled and has passed lrroll's own gates, so the wait for UP goes on as without the option.
    return ok(`HAProxy did not take \`health up\` (${(err as Error).message}): waiting for its own checks instead`);
  }
  return ok(`${step.member}'s health is UP: its checks go on from there`);
}

async function waitUp(step: LbWaitUpStep, run: RunState, state: NodeState | null): Promise<StepOutcome> {
  const clock = run.deps.clock;
  const r = await waitUntilUp(() => memberState(step, step.member, run), {
    clock,
    signal: run.waitSignal,
    timeoutMs: step.timeoutSec * 1000,
    pollMs: step.pollSec * 1000,
    fastPollMs: step.fastPollSec * 1000,
    fastForMs: step.fastPollForSec * 1000,
  });
  if (r.interrupted) return interrupted();
  if (!r.up)
    return failed(
      `the load balancer did not report ${step.member} UP within ${step.timeoutSec}s (last: ${r.last})`,
      null,
      'E_TIMEOUT',
      run.plan.loadBalancer.type === 'apache' ? apacheNotUpHint(r.last) : null,
    );
  if (state) {
    state.inRotation = true;
    if (state.drainedAt !== null) state.outOfRotationMs = clock.now() - state.drainedAt;
  }
  run.deps.emit({ kind: 'lb-state', node: step.node ?? '', member: step.member, state: 'up' });
  return ok(`${step.member} is ${r.last}`);
}

async function checkCapacity(step: CheckCapacityStep, run: RunState): Promise<StepOutcome> {
  const verdicts = await Promise.all(step.others.map((o) => whyNotHealthy(o, step, run)));
  const down = step.others.flatMap((o, i) => (verdicts[i] === null ? [] : [`${o.node} (${verdicts[i] ?? ''})`]));
  const healthy = step.others.length - down.length;
  if (healthy >= step.minHealthy)
    return ok(`${healthy} healthy node(s) stay in rotation${down.length ? ` (not counted: ${down.join(', ')})` : ''}`);
  return failed(
    `only ${healthy} healthy node(s) would stay in rotation, below minHealthy ${step.minHealthy}` +
      `${down.length ? `; not healthy or out of rotation: ${down.join(', ')}` : ''}`,
  );
}

/**
 * Null when the node counts as healthy — its member UP in the load balancer and its own probe answering — else why not.
 */
async function whyNotHealthy(o: CapacityNode, step: CheckCapacityStep, run: RunState): Promise<string | null> {
  if (o.member === null && o.probe === null)
    return run.nodes.get(o.node)?.inRotation === false ? 'out of rotation' : null;
  if (o.member !== null) {
    // A command load balancer's member is read with the plan's own status command for that node (a node outside --limit
    // has no other step).
    const via: Step = o.lbStatus ? { ...step, ...o.lbStatus } : step;
    const s = await memberState(via, o.member, run).catch((err: Error) => err);
    if (s instanceof Error) return `load balancer: ${s.message}`;
    if (!isSettledUp(s)) return `${s.raw || s.state} in the load balancer`;
  }
  if (o.probe !== null) {
    const node = run.plan.nodes.find((n) => n.name === o.node);
    if (!node) return 'not in the plan';
    const r = await runCommand(step, o.probe, run, {
      transport: run.deps.transportFor(node),
      quiet: true,
      timeoutMs: step.probeTimeoutSec * 1000,
      become: false,
      what: 'the health probe',
    });
    const answer = readHttpProbe(r);
    if (!answer.answered) return `its health probe does not answer${r.exitCode === null ? ' (connection lost)' : ''}`;
    if (!probePasses(answer, o)) return `its health probe answers ${answer.found}`;
  }
  return null;
}
