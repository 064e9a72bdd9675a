import type { Batch, NodePlan, NodeStep, Plan, Step } from '../plan/types.js';
import { initialNodeStates, summarize, type ExecutorDeps, type NodeState, type RunState } from './context.js';
import type { NodeSummary, RunPhase, RunStatus } from './events.js';
import { maskSecrets, type StepOutcome } from './run-command.js';
import { executeStep } from './steps.js';

/** How the run ended, with every node's state. */
export interface RunReport {
  status: RunStatus;
  reason: string | null;
  nodes: NodeSummary[];
  durationMs: number;
}

/** Executes a plan exactly: preflight, beforeRun, each batch, the final steps; emits events, prints nothing. */
export async function runPlan(plan: Plan, deps: ExecutorDeps): Promise<RunReport> {
  const run: RunState = { plan, deps, nodes: initialNodeStates(plan), failures: 0 };
  const started = deps.clock.now();
  deps.emit({ kind: 'run-start', runId: deps.runId, planHash: plan.hash, name: plan.name, nodes: plan.nodes.map((n) => n.name), batches: plan.batches.map((b) => ({ index: b.index, nodes: b.nodes })), expectedSec: plan.estimate.expectedSec });
  const { status, reason } = await runAll(run);
  if (status === 'failed' || status === 'halted') await phase(run, 'on-failure', plan.onFailure, true);
  const hasLb = plan.loadBalancer.type !== 'none';
  const nodes = [...run.nodes.values()].map((s) => summarize(s, hasLb));
  const durationMs = deps.clock.now() - started;
  deps.emit({ kind: 'run-end', status, durationMs, nodes, reason });
  return { status, reason, nodes, durationMs };
}

async function runAll(run: RunState): Promise<{ status: RunStatus; reason: string | null }> {
  const missing = run.plan.secrets.filter((s) => run.deps.secrets[s] === undefined);
  if (missing.length > 0) return { status: 'refused', reason: `secret environment variable(s) not set: ${missing.join(', ')}` };
  const pre = await phase(run, 'preflight', run.plan.preflight, false, true);
  if (pre) return { status: run.deps.signal.aborted ? 'aborted' : 'refused', reason: `preflight failed, nothing was changed: ${pre}` };
  const before = await phase(run, 'before-run', run.plan.beforeRun, false);
  if (before) return { status: run.deps.signal.aborted ? 'aborted' : 'failed', reason: `a beforeRun hook failed, nothing was changed: ${before}` };
  for (const batch of run.plan.batches) {
    const stop = await runBatch(run, batch);
    if (stop) return { status: run.deps.signal.aborted ? 'aborted' : stop.status, reason: stop.reason };
  }
  const fin = await phase(run, 'finally', run.plan.finally, false);
  if (fin) return { status: run.deps.signal.aborted ? 'aborted' : 'failed', reason: `after the last batch: ${fin}` };
  return { status: 'ok', reason: null };
}

/** Runs run-level steps; returns the first failure's description, or null. Preflight runs node by node in parallel. */
async function phase(run: RunState, name: RunPhase, steps: readonly Step[], keepGoing: boolean, parallelByNode = false): Promise<string | null> {
  if (steps.length === 0) return null;
  run.deps.emit({ kind: 'phase-start', phase: name });
  let failure: string | null = null;
  const runSeq = async (list: readonly Step[]): Promise<void> => {
    for (const step of list) {
      if (run.deps.signal.aborted) break;
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
  run.deps.emit({ kind: 'phase-end', phase: name, status: failure ? 'failed' : 'ok' });
  return failure;
}

/** Runs one step with its events. */
async function step1(run: RunState, step: Step, batch: number | null, state: NodeState | null): Promise<StepOutcome> {
  const t0 = run.deps.clock.now();
  run.deps.emit({ kind: 'step-start', stepId: step.id, action: step.action, title: step.title, node: step.node, batch, command: step.command ?? step.api });
  let outcome: StepOutcome;
  try {
    outcome = await executeStep(step, run, state);
  } catch (err) {
    outcome = { status: 'failed', detail: (err as Error).message, exitCode: null };
  }
  if (run.deps.signal.aborted && outcome.status === 'failed') outcome = { ...outcome, detail: `interrupted: ${outcome.detail ?? ''}` };
  const detail = outcome.detail === null ? null : maskSecrets(outcome.detail, run);
  run.deps.emit({ kind: 'step-end', stepId: step.id, node: step.node, status: outcome.status, durationMs: run.deps.clock.now() - t0, exitCode: outcome.exitCode, detail });
  return outcome;
}

async function runBatch(run: RunState, batch: Batch): Promise<{ status: RunStatus; reason: string } | null> {
  run.deps.emit({ kind: 'batch-start', batch: batch.index, nodes: batch.nodes });
  for (const step of batch.before) {
    const o = await step1(run, step, batch.index, null);
    if (o.status === 'failed') {
      run.deps.emit({ kind: 'batch-end', batch: batch.index, status: 'failed' });
      return { status: step.action === 'confirm' ? 'halted' : 'halted', reason: `batch ${batch.index} not started: ${step.title}: ${o.detail ?? 'failed'}` };
    }
  }
  const gate = new StartGate(batch);
  const results = await Promise.all(batch.nodePlans.map((np) => runNode(run, batch, np, gate)));
  const nodeFailures = results.filter((r) => !r).length;
  run.failures += nodeFailures;
  let afterFailure: string | null = null;
  if (nodeFailures === 0) {
    for (const step of batch.after) {
      const o = await step1(run, step, batch.index, null);
      if (o.status === 'failed') {
        afterFailure = `${step.title}: ${o.detail ?? 'failed'}`;
        break;
      }
    }
  }
  run.deps.emit({ kind: 'batch-end', batch: batch.index, status: nodeFailures > 0 || afterFailure ? 'failed' : 'ok' });
  if (afterFailure) return { status: 'halted', reason: `after batch ${batch.index}: ${afterFailure}` };
  if (run.failures > run.plan.policy.maxFailures) {
    const failed = batch.nodePlans.filter((_, i) => !results[i]).map((np) => np.node);
    return { status: 'failed', reason: `${failed.join(', ')} failed in batch ${batch.index}; the failure budget (${run.plan.policy.maxFailures}) is spent, so no further nodes were touched` };
  }
  return null;
}

/** Lets the nodes of a batch start one at a time, in batch order (and, for full restarts, only once all are prepared). */
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
  prepared_(i: number): void {
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

/** Runs one node's steps; returns true when every step passed. */
async function runNode(run: RunState, batch: Batch, np: NodePlan, gate: StartGate): Promise<boolean> {
  const i = batch.nodePlans.indexOf(np);
  const state = run.nodes.get(np.node) as NodeState;
  state.startedAt = run.deps.clock.now();
  run.deps.emit({ kind: 'node-start', batch: batch.index, node: np.node });
  let ok = true;
  let inStartPhase = false;
  for (const step of np.steps) {
    if (step.phase !== 'prepare' && !inStartPhase) {
      gate.prepared_(i);
      if (!ok) break;
      await gate.turn(i);
      inStartPhase = true;
    }
    if (step.phase === 'return' && inStartPhase) gate.done(i);
    if (!ok || run.deps.signal.aborted) break;
    const o = await step1(run, step, batch.index, state);
    if (o.status === 'failed') {
      ok = false;
      state.failedStep = step.id;
      await recoverIfStillRunning(run, batch, np, step, state);
    }
  }
  gate.done(i);
  state.endedAt = run.deps.clock.now();
  state.status = ok && !run.deps.signal.aborted ? 'ok' : 'failed';
  run.deps.emit({ kind: 'node-end', batch: batch.index, node: np.node, status: state.status, durationMs: state.endedAt - state.startedAt, outOfRotationMs: state.outOfRotationMs });
  return state.status === 'ok';
}

/**
 * A node that failed before its app server was stopped still runs the old version and is healthy:
 * put it back into the load balancer rather than leave it drained.
 */
async function recoverIfStillRunning(run: RunState, batch: Batch, np: NodePlan, failedStep: NodeStep, state: NodeState): Promise<void> {
  if (state.stopped || state.inRotation || run.deps.signal.aborted) return;
  const back = np.steps.filter((s) => s.action === 'lb-enable' || s.action === 'lb-wait-up');
  if (back.length === 0 || failedStep.phase !== 'prepare') return;
  for (const s of back) {
    const o = await step1(run, s, batch.index, state);
    if (o.status === 'failed') return;
  }
}
