// What `lrroll status` reads of the load balancer: each read is a step of the plan
// (`plan.cluster.statusLb`), run under its id so the remote-action recorder names it, within the
// deadline the plan gives it.
import type { LbDriver, MemberState } from '../execute/lb/driver.js';
import { MultiLbDriver } from '../execute/lb/instances.js';
import { commandMemberState, parseSessionsOutput } from '../execute/lb/member-state.js';
import { inStep } from '../execute/step-scope.js';
import type { Transport } from '../execute/transport.js';
import type { ClusterStep, Plan } from '../plan/types.js';
import { notRunMessage } from './outcome-text.js';
import { runPlannedCommand } from './step-exec.js';

/** What one load-balancer instance says about every member, or why it could not be read. */
export interface InstanceMembers {
  instance: string;
  members: Map<string, MemberState> | string;
}

/**
 * Every member's state in each instance (each instance of an HA pair on its own), or for a `command` load balancer
 * each node's member through its planned commands; empty without a load balancer.
 */
export async function readLbMembers(
  plan: Plan,
  lb: LbDriver | null,
  lbTransport: Transport,
  secrets: Readonly<Record<string, string>>,
): Promise<InstanceMembers[]> {
  if (plan.loadBalancer.type === 'command') return [await readCommandMembers(plan, lbTransport, secrets)];
  if (!lb) return [];
  const parts =
    lb instanceof MultiLbDriver
      ? lb.instances
      : [{ name: plan.loadBalancer.instances[0]?.name ?? plan.loadBalancer.endpoint, driver: lb }];
  const steps = plan.cluster.statusLb.filter((s) => s.action === 'read-lb-members');
  // Each instance's read is the step planned for it by name (a read-lb-members step is about its instance).
  return Promise.all(
    parts.map(async (p) => ({
      instance: p.name,
      members: await readInstance(
        p.driver,
        steps.find((s) => s.node === p.name),
      ).catch((err: Error) => err.message),
    })),
  );
}

/** One instance's members, as its plan step: under the step's id, stopped at the step's deadline. */
async function readInstance(driver: LbDriver, step: ClusterStep | undefined): Promise<Map<string, MemberState>> {
  if (!step) throw new Error('the plan has no read of this load-balancer instance');
  const deadline = AbortSignal.timeout(step.timeoutSec * 1000);
  try {
    return await inStep(step.id, () => driver.members(deadline));
  } catch (err) {
    if (deadline.aborted) throw new Error(`${step.title}: no answer within ${step.timeoutSec}s`);
    throw err;
  }
}

/**
 * A `command` load balancer: each node's member through the plan's `status` (and `sessions`) command; a member whose
 * command fails shows UNKNOWN with why.
 */
async function readCommandMembers(
  plan: Plan,
  transport: Transport,
  secrets: Readonly<Record<string, string>>,
): Promise<InstanceMembers> {
  const members = new Map<string, MemberState>();
  const steps = plan.cluster.statusLb;
  for (const state of steps.filter((s) => s.action === 'read-lb-member')) {
    const node = plan.nodes.find((n) => n.name === state.node);
    const member = node?.member ?? state.node;
    const sessions = steps.find((s) => s.action === 'read-lb-sessions' && s.node === state.node);
    const status = await runPlannedCommand(transport, state, { secrets });
    if (!status.ok) {
      members.set(member, { state: 'UNKNOWN', raw: failure(state, status), sessions: null });
      continue;
    }
    const counted = sessions ? await runPlannedCommand(transport, sessions, { secrets }) : null;
    members.set(member, commandMemberState(status.stdout, counted?.ok ? parseSessionsOutput(counted.stdout) : null));
  }
  return { instance: plan.loadBalancer.endpoint, members };
}

function failure(step: ClusterStep, r: Awaited<ReturnType<typeof runPlannedCommand>>): string {
  return notRunMessage(step, r)?.split('\n')[0] ?? r.detail ?? `${step.title} failed`;
}
