import type { Step } from '../plan/types.js';
import type { RunState } from './context.js';
import type { ExecResult, Transport } from './transport.js';

/** The outcome of a step: the same shape whether it succeeded or not. */
export interface StepOutcome {
  status: 'ok' | 'failed' | 'skipped';
  /** Why it failed or was skipped, or a note on success; null when there is nothing to say. */
  detail: string | null;
  exitCode: number | null;
}

/** A successful outcome. */
export const ok = (detail: string | null = null): StepOutcome => ({ status: 'ok', detail, exitCode: 0 });
/** A failed outcome. */
export const failed = (detail: string, exitCode: number | null = null): StepOutcome => ({ status: 'failed', detail, exitCode });

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
export function secretsFor(step: Step, run: RunState): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of step.secretEnv) env[name] = run.deps.secrets[name] ?? '';
  return env;
}

/** Runs a command for a step, streaming its lines as step-output events; `env` adds values the plan names (e.g. the run id) to the step's secrets. */
export async function runCommand(step: Step, command: string, run: RunState, options: { transport?: Transport; timeoutMs?: number; signal?: AbortSignal; quiet?: boolean; env?: Readonly<Record<string, string>> } = {}): Promise<ExecResult> {
  const transport = options.transport ?? transportOf(step, run);
  return transport.exec(command, {
    timeoutMs: options.timeoutMs ?? step.timeoutSec * 1000,
    signal: options.signal ?? run.deps.signal,
    env: { ...secretsFor(step, run), ...options.env },
    become: step.become,
    onLine: options.quiet ? undefined : (stream, line) => run.deps.emit({ kind: 'step-output', stepId: step.id, node: step.node, stream, line }),
  });
}

/** Turns a command result into an outcome: exit 0 is ok, anything else fails with the last stderr line. */
export function outcomeOf(result: ExecResult, what: string): StepOutcome {
  if (result.exitCode === 0) return ok();
  if (result.timedOut) return failed(`${what} did not finish in time and was stopped`);
  if (result.aborted) return failed(`${what} was interrupted`);
  const last = lastLine(result.stderr) ?? lastLine(result.stdout) ?? 'no output';
  return failed(`${what} exited with ${result.exitCode === null ? 'no exit code (connection lost)' : `code ${result.exitCode}`}: ${last}`, result.exitCode);
}

/** The last non-empty line of some output. */
export function lastLine(text: string): string | undefined {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1];
}
