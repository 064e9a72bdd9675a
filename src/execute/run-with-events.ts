/** Runs a step between its `step-start` and `step-end` events: the one way every phase, batch and node runs a step. */
import type { Step } from '../plan/types.js';
import type { NodeState, RunState } from './context.js';
import { failedWith, type StepOutcome } from './run-command.js';
import { inStep } from './step-scope.js';
import { executeStep } from './steps.js';

/** Runs one step with its events (or records it as skipped when an interrupted run already did it). */
export async function step1(
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
