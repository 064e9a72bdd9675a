import { isLrrollError, type LrrollErrorCode } from '../errors/errors.js';
import type { ExecOptions, ExecResult, Transport } from './transport.js';

/**
 * What one remote action of a step ended with: the same shape whether it succeeded or failed.
 * A failure keeps its stable code and, when the error carried one, the hint on what to do, so every
 * renderer and the run record can show them (a refused SSH port says to check sshd, not just ECONNREFUSED).
 */
export interface RemoteOutcome extends ExecResult {
  ok: boolean;
  /** Why it failed, as a stable code; null on success. */
  code: LrrollErrorCode | null;
  /** What to do about the failure, or null. */
  hint: string | null;
  /** The last lines of stderr (at most {@link STDERR_TAIL_LINES}), joined with ` | `; empty when there was none. */
  stderrTail: string;
  /** The failure in one sentence, or null on success. */
  detail: string | null;
}

/** How many stderr lines an outcome keeps. */
const STDERR_TAIL_LINES = 3;

/** A remote action of a step: a command on a transport, a file upload, or a load-balancer driver call. */
type RemoteAction =
  | { kind: 'command'; transport: Transport; command: string; options: ExecOptions; what: string }
  | {
      kind: 'upload';
      transport: Transport;
      localPath: string;
      remotePath: string;
      timeoutMs: number;
      signal?: AbortSignal;
      what: string;
    }
  | { kind: 'lb-call'; call: () => Promise<string | null>; what: string };

/** The hint for a connection that died in the middle of a command (the transport gives no error object then). */
const LOST_HINT =
  'the host or its SSH server went away during the command: check that it is up, then run `lrroll resume`';

/** Runs one remote action and never throws: every failure becomes an outcome with its code and hint. */
export async function runRemote(action: RemoteAction, now: () => number = Date.now): Promise<RemoteOutcome> {
  const t0 = now();
  try {
    switch (action.kind) {
      case 'command':
        return classify(await action.transport.exec(action.command, action.options), action.what);
      case 'upload':
        await action.transport.put(action.localPath, action.remotePath, {
          timeoutMs: action.timeoutMs,
          ...(action.signal ? { signal: action.signal } : {}),
        });
        return succeeded('', now() - t0);
      case 'lb-call':
        return succeeded((await action.call()) ?? '', now() - t0);
    }
  } catch (err) {
    return thrown(err, action, now() - t0);
  }
}

/**
 * Classifies a finished command: exit 0 is ok; a timeout, an interruption, a lost connection and a failing exit each
 * get their own code.
 */
function classify(r: ExecResult, what: string): RemoteOutcome {
  const stderrTail = tailOf(r.stderr);
  const base = { ...r, stderrTail, ok: false, hint: null };
  if (r.exitCode === 0 && !r.timedOut && !r.aborted) return { ...base, ok: true, code: null, detail: null };
  if (r.timedOut) return { ...base, code: 'E_TIMEOUT', detail: `${what} did not finish in time and was stopped` };
  if (r.aborted) return { ...base, code: 'E_ABORTED', detail: `${what} was interrupted` };
  const last = lastLine(r.stderr) ?? lastLine(r.stdout) ?? 'no output';
  if (r.exitCode === null)
    return {
      ...base,
      code: 'E_CONNECT',
      hint: LOST_HINT,
      detail: `${what} exited with no exit code (connection lost): ${last}`,
    };
  return { ...base, code: 'E_STEP_FAILED', detail: `${what} exited with code ${r.exitCode}: ${last}` };
}

function succeeded(stdout: string, durationMs: number): RemoteOutcome {
  return {
    exitCode: 0,
    stdout,
    stderr: '',
    timedOut: false,
    aborted: false,
    durationMs,
    ok: true,
    code: null,
    hint: null,
    stderrTail: '',
    detail: null,
  };
}

/**
 * An action that threw: lrroll's own errors keep their code and hint; anything else from a load-balancer call is E_LB,
 * from a transport E_CONNECT.
 */
function thrown(err: unknown, action: RemoteAction, durationMs: number): RemoteOutcome {
  const message = err instanceof Error ? err.message : String(err);
  const aborted =
    (action.kind === 'command' ? action.options.signal : action.kind === 'upload' ? action.signal : undefined)
      ?.aborted === true;
  const own = isLrrollError(err) ? err : null;
  const code: LrrollErrorCode = own?.code ?? (aborted ? 'E_ABORTED' : action.kind === 'lb-call' ? 'E_LB' : 'E_CONNECT');
  const detail = message.startsWith(action.what) || action.kind === 'lb-call' ? message : `${action.what}: ${message}`;
  return {
    exitCode: null,
    stdout: '',
    stderr: message,
    timedOut: false,
    aborted,
    durationMs,
    ok: false,
    code,
    hint: own?.hint ?? null,
    stderrTail: tailOf(message),
    detail,
  };
}

/** The last few non-empty lines of some output, joined with ` | `. */
function tailOf(text: string, lines = STDERR_TAIL_LINES): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-lines)
    .join(' | ');
}

/** The last non-empty line of some output. */
export function lastLine(text: string): string | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines[lines.length - 1];
}
