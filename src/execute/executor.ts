import { batchTime } from '../domain/batch-time.js';
import type { Batch, NodePlan, NodeStep, Plan, Step } from '../plan/types.js';
import { initialNodeStates, summarize, type ExecutorDeps, type NodeState, type RunState } from './context.js';
import { runStartOf, type NodeSummary, type RunPhase, type RunStatus } from './events.js';
import { failedWith, type StepOutcome } from './run-command.js';
import { inStep } from './step-scope.js';
import { maskDeep, maskingEmit, secretMask, secretProblem } from './secrets.js';
import { executeStep } from './steps.js';
import { checkWindow } from './window.js';

/** How the run ended, with every node's state. */
export interface RunReport {
  status: RunStatus;
  reason: string | null;
  nodes: NodeSummary[];
  durationMs: number;
}

type Stop = { status: RunStatus; reason: string };

/** Executes a plan exactly: preflight, beforeRun, each batch, the final steps; emits events, prints nothing. */
export async function runPlan(plan: Plan, unmasked: ExecutorDeps): Promise<RunReport> {
  const mask = secretMask(Object.values(unmasked.secrets));
  const deps: ExecutorDeps = { ...unmasked, emit: maskingEmit(unmasked.emit, mask) };
  const run: RunState = {
    plan,
    deps,
    nodes: initialNodeStates(plan),
    failures: 0,
    waitSignal: AbortSignal.any([deps.signal, deps.stop]),
  };
  for (const name of deps.resume?.doneNodes ?? [])
    Object.assign(run.nodes.get(name) ?? {}, { status: 'ok', updated: true });
  const started = deps.clock.now();
  deps.emit(runStartOf(plan, deps.runId));
  const { status, reason } = await runAll(run);
  if (status === 'failed' || status === 'halted') await phase(run, 'on-failure', plan.onFailure, true);
  const hasLb = plan.loadBalancer.type !== 'none';
  const nodes = [...run.nodes.values()].map((s) => summarize(s, hasLb));
  const durationMs = deps.clock.now() - started;
  deps.emit({ kind: 'run-end', status, durationMs, nodes, reason });
  return maskDeep({ status, reason, nodes, durationMs }, mask);
}

/** True once Ctrl-C asked to stop (gracefully or not). */
const stopping = (run: RunState): boolean => run.waitSignal.aborted;
/** Why the run was asked to stop: the reason the stop signal carries (`SIGTERM`, a lost lock …), else Ctrl-C. */
function stopCause(run: RunState): string {
  const reason: unknown = run.deps.stop.aborted ? run.deps.stop.reason : run.deps.signal.reason;
  return typeof reason === 'string' ? reason : 'Ctrl-C';
}
const interrupted = (run: RunState): Stop => ({
  status: 'aborted',
  reason:
    `interrupted (${stopCause(run)}): the steps in flight finished or were stopped; ` +
    `see where each node stands below`,
});

async function runAll(run: RunState): Promise<{ status: RunStatus; reason: string | null }> {
  const secrets = secretProblem(run.plan.secrets, run.deps.secrets);
  if (secrets) return { status: 'refused', reason: `${secrets}: nothing was changed` };
  const window = checkWindow(
    run.plan.policy.window,
    run.deps.clock.now(),
    run.plan.batches[0] ? batchTime(run.plan.batches[0], (s) => s.expectSec) : 0,
  );
  if (!window.open)
    return { status: 'refused', reason: `${window.reason ?? 'the maintenance window is closed'}: nothing was changed` };
  const untouched = run.deps.resume?.untouchedNodes;
  const preflight = run.plan.preflight.filter(
    (s) =>
      !untouched ||
      (s.node !== null &&
        (untouched.has(s.node) || (s.action === 'upload' && !run.deps.resume?.doneNodes.has(s.node)))),
  );
  const pre = await phase(run, 'preflight', preflight, false, true);
  if (stopping(run)) return interrupted(run);
  if (pre) return { status: 'refused', reason: `preflight failed, nothing was changed: ${pre}` };
  const before = await phase(
    run,
    'before-run',
    run.plan.beforeRun.filter((s) => !run.deps.resume?.done.has(s.id)),
    false,
  );
  if (stopping(run)) return interrupted(run);
  if (before) return { status: 'failed', reason: `a beforeRun hook failed, nothing was changed: ${before}` };
  for (const batch of run.plan.batches) {
    const stop = await runBatch(run, batch);
    if (stop) return stop;
    if (stopping(run)) return interrupted(run);
  }
  const fin = await phase(run, 'finally', run.plan.finally, false);
  if (stopping(run)) return interrupted(run);
  if (fin) return { status: 'failed', reason: `after the last batch: ${fin}` };
  const failedNodes = [...run.nodes.values()].filter((n) => n.status === 'failed' || n.status === 'rolled-back');
  if (failedNodes.length > 0)
    return {
      status: 'failed',
      reason:
        `${failedNodes.map((n) => n.name).join(', ')} failed; the other nodes were rolled within the ` +
        `failure budget (${run.plan.policy.maxFailures})`,
    };
  return { status: 'ok', reason: null };
}

/** Runs run-level steps; returns the first failure's description, or null. Preflight runs node by node in parallel. */
async function phase(
  run: RunState,
  name: RunPhase,
  steps: readonly Step[],
  keepGoing: boolean,
  parallelByNode = false,
): Promise<string | null> {
  if (steps.length === 0) return null;
  run.deps.emit({ kind: 'phase-start', phase: name });
  let failure: string | null = null;
  const runSeq = async (list: readonly Step[]): Promise<void> => {
    for (const step of list) {
      if (stopping(run) && name !== 'on-failure') {
        failure ??= 'interrupted';
        break;
      }
      const o = await step1(run, step, null, null);
      if (o.status === 'failed') {
        failure ??= `${step.node ? `${step.node}: ` : ''}${step.title}: ${o.detail ?? 'failed'}`;
        if (!keepGoing) break;
      }
    }
  };
  if (parallelByNode) {
    const groups = new Map<string, Step[]>();
    for (const s of steps) groups.set(s.node ?? '', [...(groups.get(s.node ?? '') ?? []), s]);
    await Promise.all([...groups.values()].map(runSeq));
  } else await runSeq(steps);
  if (stopping(run) && name !== 'on-failure') failure ??= 'interrupted';
  run.deps.emit({ kind: 'phase-end', phase: name, status: failure ? 'failed' : 'ok' });
  return failure;
}

/** Runs one step with its events (or records it as skipped when an interrupted run already did it). */
async function step1(
  run: RunState,
  step: Step,
  batch: number | null,
  state: NodeState | null,
  skip: string | null = null,
): Promise<StepOutcome> {
  const t0 = run.deps.clock.now();
  run.deps.emit({
    kind: 'step-start',
    stepId: step.id,
    action: step.action,
    title: step.title,
    node: step.node,
    batch,
    command: step.command ?? step.api,
  });
  let outcome: StepOutcome;
  if (skip) outcome = { status: 'skipped', detail: skip, exitCode: null, code: null, hint: null };
  else {
    try {
      outcome = await inStep(step.id, () => executeStep(step, run, state));
    } catch (err) {
      outcome = failedWith(err);
    }
  }
  if (run.deps.signal.aborted && outcome.status === 'failed' && !outcome.detail?.startsWith('interrupted'))
    outcome = { ...outcome, detail: `interrupted: ${outcome.detail ?? ''}`, code: 'E_ABORTED' };
  const { status, exitCode, detail, code, hint } = outcome;
  run.deps.emit({
    kind: 'step-end',
    stepId: step.id,
    node: step.node,
    status,
    durationMs: run.deps.clock.now() - t0,
    exitCode,
    detail,
    code,
    hint,
  });
  return outcome;
}

async function runBatch(run: RunState, batch: Batch): Promise<Stop | null> {
  const resume = run.deps.resume;
  const pending = batch.nodePlans.filter((np) => !resume?.doneNodes.has(np.node));
  if (pending.length === 0) return null;
  const window = checkWindow(
    run.plan.policy.window,
    run.deps.clock.now(),
    batchTime(batch, (s) => s.expectSec),
  );
  if (!window.open)
    return {
      status: 'halted',
      reason: `batch ${batch.index} not started: ${window.reason ?? 'the maintenance window is closed'}`,
    };
  run.deps.emit({ kind: 'batch-start', batch: batch.index, nodes: batch.nodes });
  for (const step of batch.before) {
    if (stopping(run)) break;
    const o = await step1(run, step, batch.index, null);
    if (o.status === 'failed') {
      run.deps.emit({ kind: 'batch-end', batch: batch.index, status: 'failed' });
      return { status: 'halted', reason: `batch ${batch.index} not started: ${step.title}: ${o.detail ?? 'failed'}` };
    }
  }
  const gate = new StartGate(batch);
  const results = await Promise.all(
    batch.nodePlans.map((np) =>
      resume?.doneNodes.has(np.node) ? skipNode(run, batch, np, gate) : runNode(run, batch, np, gate),
    ),
  );
  const nodeFailures = results.filter((r) => !r).length;
  run.failures += nodeFailures;
  let afterFailure: string | null = null;
  if (nodeFailures === 0 && !stopping(run)) {
    for (const step of batch.after) {
      const o = await step1(run, step, batch.index, null);
      if (o.status === 'failed') {
        afterFailure = `${step.title}: ${o.detail ?? 'failed'}`;
        break;
      }
    }
  }
  run.deps.emit({ kind: 'batch-end', batch: batch.index, status: nodeFailures > 0 || afterFailure ? 'failed' : 'ok' });
  if (stopping(run)) return interrupted(run);
  if (afterFailure) return { status: 'halted', reason: `after batch ${batch.index}: ${afterFailure}` };
  const failedHere = batch.nodePlans.filter((np) => run.nodes.get(np.node)?.status !== 'ok').map((np) => np.node);
  if (failedHere.some((n) => run.nodes.get(n)?.status === 'rolled-back'))
    return {
      status: 'halted',
      reason:
        `${failedHere.join(', ')} failed in batch ${batch.index} and ` +
        `${failedHere.length === 1 ? 'was' : 'were'} rolled back (onFailure: rollback); no further ` +
        `nodes were touched`,
    };
  if (run.failures > run.plan.policy.maxFailures)
    return {
      status: 'failed',
      reason:
        `${failedHere.join(', ')} failed in batch ${batch.index}; the failure budget (` +
        `${run.plan.policy.maxFailures}) is spent, so no further nodes were touched`,
    };
  return null;
}

/**
 * Lets the nodes of a batch start one at a time, in batch order (and, for full restarts, only once all are prepared).
 */
class StartGate {
  private readonly prepared: Array<Promise<void>>;
  private readonly preparedResolvers: Array<() => void> = [];
  private readonly started: Array<Promise<void>>;
  private readonly startedResolvers: Array<() => void> = [];

  constructor(private readonly batch: Batch) {
    this.prepared = batch.nodePlans.map(() => new Promise<void>((r) => this.preparedResolvers.push(r)));
    this.started = batch.nodePlans.map(() => new Promise<void>((r) => this.startedResolvers.push(r)));
  }

  /** The node finished (or gave up) its prepare phase. */
  markPrepared(i: number): void {
    this.preparedResolvers[i]?.();
  }

  /** Waits for the node's turn to start. */
  async turn(i: number): Promise<void> {
    if (this.batch.startAfterAllPrepared) await Promise.all(this.prepared);
    if (i > 0) await this.started[i - 1];
  }

  /** The node finished (or gave up) its start phase: the next one may start. */
  done(i: number): void {
    this.preparedResolvers[i]?.();
    this.startedResolvers[i]?.();
  }
}

/** A node the interrupted run already finished (and whose change verified again): recorded, not touched. */
async function skipNode(run: RunState, batch: Batch, np: NodePlan, gate: StartGate): Promise<boolean> {
  gate.done(batch.nodePlans.indexOf(np));
  run.deps.emit({ kind: 'node-start', batch: batch.index, node: np.node });
  run.deps.emit({
    kind: 'node-end',
    batch: batch.index,
    node: np.node,
    status: 'ok',
    durationMs: 0,
    outOfRotationMs: null,
  });
  return true;
}

/**
 * Where an interrupted node picks up: the first step that did not end ok; if that is inside the
 * start phase, from the stop again (a health gate needs a start it has seen from the beginning).
 */
function resumeIndex(run: RunState, np: NodePlan): number {
  const done = run.deps.resume?.done;
  if (!done) return 0;
  const first = np.steps.findIndex((s) => !done.has(s.id));
  if (first < 0) return np.steps.length;
  if (np.steps[first]?.phase !== 'start') return first;
  const stop = np.steps.findIndex((s) => s.action === 'service-stop');
  return stop >= 0 ? stop : first;
}

/** Runs one node's steps; returns true when every step passed. */
async function runNode(run: RunState, batch: Batch, np: NodePlan, gate: StartGate): Promise<boolean> {
  const i = batch.nodePlans.indexOf(np);
  const state = run.nodes.get(np.node) as NodeState;
  state.startedAt = run.deps.clock.now();
  run.deps.emit({ kind: 'node-start', batch: batch.index, node: np.node });
  const from = resumeIndex(run, np);
  if (from > 0) markResumed(state, np.steps.slice(0, from));
  let ok = true;
  let inStartPhase = false;
  for (const [k, step] of np.steps.entries()) {
    if (step.phase !== 'prepare' && !inStartPhase) {
      gate.markPrepared(i);
      if (!ok || stopping(run)) break;
      await gate.turn(i);
      inStartPhase = true;
    }
    if (step.phase === 'return' && inStartPhase) gate.done(i);
    if (!ok || (stopping(run) && !inStartPhase) || run.deps.signal.aborted) break;
    // Every start step (the start and its health gates) passed: the node may go back.
    if (step.phase === 'return') state.starting = false;
    const o = await step1(run, step, batch.index, state, k < from ? 'done in the interrupted run' : null);
    if (o.status === 'failed') {
      ok = false;
      state.failedStep = step.id;
      await afterFailure(run, batch, np, step, state);
    }
  }
  gate.done(i);
  state.endedAt = run.deps.clock.now();
  if (state.status !== 'rolled-back')
    state.status = ok && !stopping(run) ? 'ok' : stopping(run) && ok ? 'skipped' : 'failed';
  // Interrupted: a node that still runs its old version goes back; one still starting (its gates not passed) stays out.
  if (stopping(run) && !state.stopped && !state.starting && !state.inRotation && !run.deps.signal.aborted)
    await recover({ ...run, waitSignal: run.deps.signal }, batch, np, state);
  run.deps.emit({
    kind: 'node-end',
    batch: batch.index,
    node: np.node,
    status: state.status,
    durationMs: state.endedAt - state.startedAt,
    outOfRotationMs: state.outOfRotationMs,
  });
  return state.status === 'ok';
}

/** Restores what the steps done before an interruption had changed in the node's state. */
function markResumed(state: NodeState, done: readonly NodeStep[]): void {
  for (const s of done) {
    if (s.action === 'lb-drain') state.inRotation = false;
    if (s.action === 'service-stop') state.stopped = true;
    if (s.action === 'apply') state.updated = true;
  }
}

/** After a failed step: roll back (when asked and the node was touched), else put a still-running node back. */
async function afterFailure(
  run: RunState,
  batch: Batch,
  np: NodePlan,
  failedStep: NodeStep,
  state: NodeState,
): Promise<void> {
  // Recovery must finish even after a graceful stop request: only a hard abort ends its waits.
  const hard: RunState = { ...run, waitSignal: run.deps.signal };
  // A wait ended by Ctrl-C is not a failure of the change: no rollback then (the node is put back if it runs).
  const interruptedByStop = run.waitSignal.aborted;
  if (
    run.plan.policy.onFailure === 'rollback' &&
    !interruptedByStop &&
    np.rollback.length > 0 &&
    (state.stopped || state.updated) &&
    !run.deps.signal.aborted
  ) {
    let ok = true;
    for (const s of np.rollback) {
      if (s.phase === 'return') state.starting = false;
      const o = await step1(hard, s, batch.index, state);
      if (o.status === 'failed' && s.action !== 'forensics') {
        ok = false;
        break;
      }
      if (s.action === 'restore' && o.status === 'ok') state.updated = false;
    }
    if (ok) state.status = 'rolled-back';
    return;
  }
  // onFailure: halt — the node stays as it is, but what it looked like goes into the record first.
  const touched = state.stopped || state.updated || failedStep.action === 'service-stop';
  if (!interruptedByStop && touched && !run.deps.signal.aborted)
    for (const s of np.onHalt ?? []) await step1(hard, s, batch.index, state);
  if (failedStep.phase === 'prepare' && !state.stopped && failedStep.action !== 'service-stop')
    await recover(hard, batch, np, state);
}

/**
 * A node whose app server still runs the old version is healthy: put it back into the load balancer rather than leave
 * it drained.
 */
async function recover(run: RunState, batch: Batch, np: NodePlan, state: NodeState): Promise<void> {
  if (state.stopped || state.starting || state.inRotation || run.deps.signal.aborted) return;
  // Not `lb-health-up`: no HTTP probe of this node has passed in this run, so HAProxy's own checks decide.
  for (const s of np.steps.filter((x) => x.action === 'lb-enable' || x.action === 'lb-wait-up')) {
    const o = await step1(run, { ...s, id: `${s.id}#recover` }, batch.index, state);
    if (o.status === 'failed') return;
  }
}
