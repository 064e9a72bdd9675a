import type { RunReport } from '../execute/executor.js';
import { runStartOf, type Emit, type NodeSummary } from '../execute/events.js';
import type { LbDriver, MemberState } from '../execute/lb/driver.js';
import { CLUSTER_TIMINGS } from '../plan/defaults.js';
import { parseDuration } from '../plan/duration.js';
import type { Plan } from '../plan/types.js';
import type { LeftOut } from './reconcile.js';

/** How long a refused run waits for the load balancer's view of its members (best effort). */
const LB_READ_MS = parseDuration(CLUSTER_TIMINGS.refusalLbRead) * 1000;

/**
 * Where every node stands when a run ends before touching anything (lock held, lock unreachable,
 * interrupted while waiting): this run changed nothing, but an earlier run (a crashed one, or the
 * one holding the lock) may have left nodes out of the load balancer. What the run records and
 * the load balancer itself say is reported, never an assumed "in rotation".
 */
export async function nodesAtRefusal(
  plan: Plan,
  leftOut: readonly LeftOut[],
  lb: LbDriver | null,
): Promise<NodeSummary[]> {
  const members = await readMembers(lb);
  const hasLb = plan.loadBalancer.type !== 'none';
  return plan.nodes.map((n) => {
    const left = leftOut.find((l) => l.node === n.name);
    const member = members?.get(n.member ?? n.name);
    const out = member ? member.state !== 'UP' : left !== undefined;
    const parts = ['not touched by this run'];
    if (hasLb && out)
      parts.push(
        `OUT of the load balancer${member ? ` (${member.raw})` : ''}${left ? ` since run ${left.runId}` : ''}`,
      );
    else if (hasLb && member) parts.push('in the load balancer');
    else if (hasLb) parts.push('load-balancer state not read');
    const inRotation = !hasLb ? null : member || left ? !out : null;
    return {
      node: n.name,
      status: 'skipped',
      inRotation,
      updated: false,
      outOfRotationMs: null,
      durationMs: 0,
      failedStep: null,
      state: parts.join('; '),
    };
  });
}

async function readMembers(lb: LbDriver | null): Promise<Map<string, MemberState> | null> {
  if (!lb) return null;
  try {
    return await lb.members(AbortSignal.timeout(LB_READ_MS));
  } catch {
    return null;
  }
}

/** Emits the start and end of a run that could not start, and returns its report. */
export function refusedRun(
  plan: Plan,
  runId: string,
  emit: Emit,
  reason: string,
  nodes: NodeSummary[],
  status: 'refused' | 'aborted' = 'refused',
): RunReport {
  emit(runStartOf(plan, runId));
  emit({ kind: 'run-end', status, durationMs: 0, nodes, reason });
  return { status, reason, nodes, durationMs: 0 };
}
