import { runRemote, type RemoteOutcome } from '../execute/run-step.js';
import { inStep } from '../execute/step-scope.js';
import type { Transport } from '../execute/transport.js';
import type { ClusterStep } from '../plan/types.js';
import { fillPlaceholders } from '../shell/quote.js';

/** Run-time values of a step's placeholders (`owner`, `runId`, `heldRunId`). */
type PlaceholderValues = Readonly<Record<string, string>>;

/** What running a step needs besides the step: its placeholders' values, the secrets and the abort signal. */
interface StepExecOptions {
  values?: PlaceholderValues;
  secrets?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/**
 * Runs one planned step's command through the step runner (execute/run-step.ts): the placeholders
 * filled in, its own deadline, sudo and secrets as the plan says; never throws, the outcome keeps
 * the failure's code and hint. The one way the lock, reconcile, status and unlock reach a host, so
 * what they send is always a step of the plan.
 */
export async function runPlannedCommand(
  transport: Transport,
  step: ClusterStep,
  options: StepExecOptions = {},
): Promise<RemoteOutcome> {
  if (step.command === null) throw new Error(`${step.id} is a load-balancer API call, not a command`);
  const env: Record<string, string> = {};
  for (const name of step.secretEnv) env[name] = options.secrets?.[name] ?? '';
  const command = fillPlaceholders(step.command, step.placeholders, options.values ?? {});
  // Run as the plan step it is, so the remote-action recorder names the step (as for the batches' steps).
  return inStep(step.id, () =>
    runRemote({
      kind: 'command',
      transport,
      command,
      what: step.title,
      options: {
        timeoutMs: step.timeoutSec * 1000,
        become: step.become,
        ...(step.secretEnv.length > 0 ? { env } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    }),
  );
}
