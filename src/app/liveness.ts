import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Where a run's process lives: the host it ran on and its pid. */
interface RunProcess {
  host: string;
  pid: number;
}

/**
 * True when the lrroll process of a run is still running on this host, false when it is gone,
 * null when that cannot be told (it ran on another host). A live pid that is not an lrroll
 * process (the pid was reused) or a zombie counts as gone.
 */
export function isRunLive(run: RunProcess): boolean | null {
  if (run.host !== hostname()) return null;
  if (run.pid === process.pid) return true;
  if (!Number.isInteger(run.pid) || run.pid <= 0) return false;
  try {
    process.kill(run.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${run.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return /lrroll|cli\/main\.js/.test(readFileSync(`/proc/${run.pid}/cmdline`, 'utf8'));
  } catch {
    // No /proc (not Linux): the pid answers, so count it as running.
    return true;
  }
}
