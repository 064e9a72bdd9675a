import { batchTime } from '../domain/batch-time.js';
import type { Batch, Plan, Step } from '../plan/types.js';
import { initialNodeStates, stopping, summarize, type ExecutorDeps, type RunState } from './context.js';
import { runStartOf, type NodeSummary, type RunPhase, type RunStatus } from './events.js';
import { runNode, skipNode } from './node-run.js';
import { step1 } from './run-with-events.js';
import { maskDeep, maskingEmit, secretMask, secretProblem } from './secrets.js';
import { StartGate } from './start-gate.js';
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
