import { lastLine } from './run-step.js';

/**
 * What an HTTP probe command got. The plan's probes run `curl -sS --max-time N -w '\n%{http_code}' -- URL`:
 * the body, then the status code alone on the last line.
 */
interface HttpProbeAnswer {
  /** True when curl got an HTTP answer (exit 0), whatever its status. */
  answered: boolean;
  /** The HTTP status, or null without an answer. */
  status: number | null;
  /** The body of the answer ('' without one). */
  body: string;
  /** curl exit 7: nothing listens on the port (the app server is down), as opposed to a slow or broken answer. */
  refused: boolean;
  /** The answer in words: `HTTP 200`, or curl's complaint. */
  found: string;
}

/** The parts of a command result a probe reads. */
interface ProbeResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

/** Reads the answer of an HTTP probe command. */
export function readHttpProbe(r: ProbeResult): HttpProbeAnswer {
  if (r.exitCode !== 0) {
    const why =
      lastLine(r.stderr) ?? (r.exitCode === null ? 'no answer (connection lost)' : `curl exited ${r.exitCode}`);
    return { answered: false, status: null, body: '', refused: r.exitCode === 7, found: why };
  }
  const lines = r.stdout.replace(/\s+$/, '').split('\n');
  const status = Number(lines.pop()?.trim());
  if (!Number.isInteger(status))
    return { answered: false, status: null, body: '', refused: false, found: 'no HTTP status in the answer' };
  return { answered: true, status, body: lines.join('\n'), refused: false, found: `HTTP ${status}` };
}

/** What a probe expects: one of these statuses and, optionally, a body matching a regular expression. */
interface ProbeExpectation {
  status: readonly number[];
  bodyMatch?: string | null;
}

/** True when the answer is what the probe expects. */
export function probePasses(answer: HttpProbeAnswer, expected: ProbeExpectation): boolean {
  if (!answer.answered || answer.status === null || !expected.status.includes(answer.status)) return false;
  return !expected.bodyMatch || new RegExp(expected.bodyMatch).test(answer.body);
}
