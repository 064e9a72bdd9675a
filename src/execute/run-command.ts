import { isLrrollError, type LrrollErrorCode } from '../errors/errors.js';
import type { Step } from '../plan/types.js';
import type { RunState } from './context.js';
import { runRemote, type RemoteOutcome } from './run-step.js';
import type { Transport } from './transport.js';

export { lastLine } from './run-step.js';

/** The outcome of a step: the same shape whether it succeeded or not. */
export interface StepOutcome {
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped, or a note on success; null when there is nothing to say. */
  detail: string | null;
  exitCode: number | null;
  /** Stable code of the failure (see errors/errors.ts), or null. */
  code: LrrollErrorCode | null;
  /** What to do about the failure, or null. */
  hint: string | null;
}

/** A successful outcome. */
export const ok = (detail: string | null = null): StepOutcome => ({
  status: 'ok',
  detail,
  exitCode: 0,
  code: null,
  hint: null,
});
/** A failed outcome; `code` says why (a judged result that is not what the plan expects is E_STEP_FAILED). */
export const failed = (
  detail: string,
  exitCode: number | null = null,
  code: LrrollErrorCode = 'E_STEP_FAILED',
  hint: string | null = null,
): StepOutcome => ({ status: 'failed', detail, exitCode, code, hint });
/** An interrupted step (Ctrl-C or a stop request). */
export const interrupted = (): StepOutcome => failed('interrupted', null, 'E_ABORTED');

/** The transport a step's command runs on. */
export function transportOf(step: Step, run: RunState): Transport {
  switch (step.runOn) {
    case 'node': {
      const node = run.plan.nodes.find((n) => n.name === step.node);
      if (!node) throw new Error(`step ${step.id} runs on an unknown node ${String(step.node)}`);
      return run.deps.transportFor(node);
    }
    case 'lb':
      return run.deps.lbTransport;
    case 'local':
    case 'webhook':
      return run.deps.local;
  }
}

/** The secret values a step needs, by name. */
function secretsFor(step: Step, run: RunState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of step.secretEnv) env[name] = run.deps.secrets[name] ?? '';
  return env;
}

/** Options of {@link runCommand}. */
interface RunCommandOptions {
  transport?: Transport;
  timeoutMs?: number;
  signal?: AbortSignal;
  quiet?: boolean;
  env?: Readonly<Record<string, string>>;
  /** Values that are not secret (the run id), set in the command's shell. */
  vars?: Readonly<Record<string, string>>;
  /** Run through sudo; by default as the step says. */
  become?: boolean;
  /** How the command is named in a failure (`the start command`). */
  what?: string;
}

/**
 * Runs a command for a step through the one step runner, streaming its lines as step-output events
 * (unless quiet); `env` adds values to the step's secrets, `vars` values that are not secret (the run id). Never
 * throws: a connection that cannot be opened is an outcome with its code and hint.
 */
export async function runCommand(
  step: Step,
  command: string,
  run: RunState,
  options: RunCommandOptions = {},
): Promise<RemoteOutcome> {
  const transport = options.transport ?? transportOf(step, run);
  return runRemote(
    {
      kind: 'command',
      transport,
      command,
      what: options.what ?? 'the command',
      options: {
        timeoutMs: options.timeoutMs ?? step.timeoutSec * 1000,
        signal: options.signal ?? run.deps.signal,
        env: { ...secretsFor(step, run), ...options.env },
        ...(options.vars ? { vars: options.vars } : {}),
        become: options.become ?? step.become,
        onLine: options.quiet
          ? undefined
          : (stream, line) => run.deps.emit({ kind: 'step-output', stepId: step.id, node: step.node, stream, line }),
      },
    },
    () => run.deps.clock.now(),
  );
}

/** Turns a remote outcome into a step outcome: ok, or failed with its code, hint and a sentence naming `what`. */
export function outcomeOf(result: RemoteOutcome, what: string): StepOutcome {
  if (result.ok) return ok();
  const detail = result.detail?.replace(/^the command\b/, what) ?? `${what} failed`;
  return failed(detail, result.exitCode, result.code ?? 'E_STEP_FAILED', result.hint);
}

/** A step that threw: lrroll's own errors keep their code and hint; anything else is a failed step with its message. */
export function failedWith(err: unknown): StepOutcome {
  const message = err instanceof Error ? err.message : String(err);
  return isLrrollError(err) ? failed(message, null, err.code, err.hint ?? null) : failed(message);
}
