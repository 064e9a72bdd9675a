import type { RunReport } from '../execute/executor.js';
import { runStartOf, type Emit, type NodeSummary } from '../execute/events.js';
import type { LbDriver, MemberState } from '../execute/lb/driver.js';
import { shownState } from '../execute/lb/instances.js';
import type { Transport } from '../execute/transport.js';
import type { Plan } from '../plan/types.js';
import type { LeftOut } from './reconcile.js';
import { readLbMembers } from './status-lb.js';

/** The load balancer as a refused run reads it: with `lrroll status`'s planned reads (`plan.cluster.statusLb`). */
interface RefusalLb {
  driver: LbDriver | null;
  transport: Transport;
  secrets: Readonly<Record<string, string>>;
}

/**
 * Where every node stands when a run ends before touching anything (lock held, lock unreachable,
 * interrupted while waiting): this run changed nothing, but an earlier run (a crashed one, or the
 * one holding the lock) may have left nodes out of the load balancer. What the run records and
 * the load balancer itself say is reported, never an assumed "in rotation".
 */
export async function nodesAtRefusal(plan: Plan, leftOut: readonly LeftOut[], lb: RefusalLb): Promise<NodeSummary[]> {
  const members = await readMembers(plan, lb);
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

/**
 * Every member's state as the load balancer reports it (best effort: null when nothing could be read). With an HA
 * pair the states combine as a run's do (shownState: out when out of any instance, the state furthest out, each
 * instance named); an UNKNOWN member counts as not read.
 */
async function readMembers(plan: Plan, lb: RefusalLb): Promise<Map<string, MemberState> | null> {
  const read = await readLbMembers(plan, lb.driver, lb.transport, lb.secrets).catch(() => []);
  const answered = read.flatMap(({ instance, members }) =>
    typeof members === 'string' ? [] : [{ instance, members }],
  );
  if (answered.length === 0) return null;
  const byMember = new Map<string, Array<{ name: string; state: MemberState }>>();
  for (const { instance, members } of answered)
    for (const [member, state] of members) {
      if (state.state === 'UNKNOWN') continue; // not known is not out: the record and the text say "not read"
      byMember.set(member, [...(byMember.get(member) ?? []), { name: instance, state }]);
    }
  return new Map([...byMember].map(([member, states]) => [member, shownState(states, read.length)]));
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
