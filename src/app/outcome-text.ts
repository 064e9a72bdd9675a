import type { RemoteOutcome } from '../execute/run-step.js';
import type { ClusterStep } from '../plan/types-cluster.js';

/**
 * The transport's own message when the step's command never ran (the node could not be reached,
 * its host key did not match …), else null: `clean`, `diff` and `facts` show that message as it
 * is, and a command that ran and failed with its exit code and output.
 */
export function notRunMessage(step: Pick<ClusterStep, 'title'>, r: RemoteOutcome): string | null {
  const lost = (r.detail ?? '').startsWith(`${step.title} exited with no exit code`);
  return r.exitCode === null && !r.timedOut && !r.aborted && !lost ? r.stderr : null;
}
