/**
 * One node of a batch: its steps in order (waiting its turn to start), and what follows a failure — the rollback, the
 * forensics of a halt, or putting a still-running node back into the load balancer.
 */
import type { Batch, NodePlan, NodeStep } from '../plan/types.js';
import { stopping, type NodeState, type RunState } from './context.js';
import { step1 } from './run-with-events.js';
import type { StartGate } from './start-gate.js';

/** A node the interrupted run already finished (and whose change verified again): recorded, not touched. */
export async function skipNode(run: RunState, batch: Batch, np: NodePlan, gate: StartGate): Promise<boolean> {
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
export async function runNode(run: RunState, batch: Batch, np: NodePlan, gate: StartGate): Promise<boolean> {
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
