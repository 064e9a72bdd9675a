import { writeCrashReport } from '../app/crash.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

/** An error that happened during a run, with the folder of that run's record. */
interface WithRunRecord {
  runRecord?: string;
}

/**
 * The last line of defence: an error nobody expected becomes one line on stderr (what failed, where
 * the details are, where the run record is) instead of a stack trace. `LRROLL_DEBUG=1` prints the
 * stack as well. Returns the exit code for it.
 */
export function reportInternalError(
  err: unknown,
  io: Pick<Io, 'stderr' | 'env'>,
  argv: readonly string[] = [],
): number {
  const message = oneLine(err instanceof Error ? err.message : String(err));
  const report = writeCrashReport(io.env, err, argv, new Date());
  const record = (err as WithRunRecord | null)?.runRecord;
  const where = [
    report ? `details: ${report}` : 'the details could not be saved',
    record ? `run record: ${record}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  io.stderr.write(
    `error[E_INTERNAL]: internal error — please report it with the details file: ${message} (${where})\n`,
  );
  if (io.env.LRROLL_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return EXIT_CODES.failed;
}

/** The first line of a message, without control characters, at most 300 characters. */
function oneLine(text: string): string {
  const first = text.split(/\r?\n/)[0] ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = first.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}
