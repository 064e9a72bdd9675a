import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Writes the details of an unexpected error (its stack, its causes) to a file only the user can read,
 * so the terminal gets one line and a report still has everything. Returns the file, or null when it
 * could not be written (then the caller says so instead).
 */
export function writeCrashReport(
  env: Readonly<Record<string, string | undefined>>,
  err: unknown,
  argv: readonly string[],
  now: Date,
): string | null {
  const dir = join(env.LRROLL_HOME ?? join(env.HOME ?? homedir(), '.lrroll'), 'crashes');
  const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 8)}.txt`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(
      file,
      `lrroll ${argv.map((a) => JSON.stringify(a)).join(' ')}\n${now.toISOString()}\n\n${describeChain(err)}\n`,
      { mode: 0o600 },
    );
    return file;
  } catch {
    return null;
  }
}

function describeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && depth < 5; depth++) {
    parts.push(e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e));
    e = e instanceof Error ? e.cause : undefined;
    if (e !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
