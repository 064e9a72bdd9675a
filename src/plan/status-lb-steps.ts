// What `lrroll status` reads of the load balancer, as plan steps like its reads of the nodes: the
// state of every member in each instance (HAProxy, Apache, mod_jk: one request per instance), or
// for a `command` load balancer each node's member through the playbook's own `status` (and
// `sessions`) command, rendered with the node's scope as the run's LB steps are.
import { shownLbUrl } from '../domain/lb-url.js';
import { secretRefs } from '../domain/template.js';
import type { NodeLbSteps } from './lb.js';
import type { ClusterAction, ClusterStep } from './types-cluster.js';
import type { PlanLbInstance, PlanLoadBalancer } from './types.js';

type StepFields = Pick<ClusterStep, 'title' | 'runOn' | 'command' | 'api' | 'become' | 'secretEnv' | 'timeoutSec'>;

function statusStep(slot: string, node: string, action: ClusterAction, fields: StepFields): ClusterStep {
  const { title, runOn, command, api, become, secretEnv, timeoutSec } = fields;
  // In the order of every other cluster step's fields, so the plan's JSON reads alike.
  return {
    id: `cluster/status/${slot}/${action}`,
    action,
    title,
    node,
    runOn,
    command,
    api,
    become,
    secretEnv,
    placeholders: [],
    timeoutSec,
    when: null,
  };
}

/**
 * Every read of the load balancer `lrroll status` makes: one per instance (its id names the instance by position,
 * `cluster/status/lb-<n>/read-lb-members`, as an instance's own name may be a socket path), or per node its member's
 * `status` and `sessions` commands (type `command`); none without a load balancer.
 */
export function statusLbSteps(
  lb: PlanLoadBalancer,
  nodes: ReadonlyArray<{ node: string; lb: NodeLbSteps | null }>,
): ClusterStep[] {
  if (lb.type === 'none') return [];
  if (lb.type === 'command') return nodes.flatMap((n) => (n.lb ? commandReads(lb, n.node, n.lb) : []));
  return lb.instances.map((instance, i) => {
    const api = membersRequest(lb, instance);
    return statusStep(`lb-${i + 1}`, instance.name, 'read-lb-members', {
      title:
        `state and sessions of every member of ${lb.pool}` +
        `${lb.instances.length > 1 ? ` in ${instance.name}` : ' in the load balancer'}`,
      // HAProxy reached over `via` runs its socat command on that host; the rest is sent from this machine.
      runOn: instance.via ? 'lb' : 'local',
      command: null,
      api,
      become: instance.via?.become ?? false,
      secretEnv: [...new Set(secretRefs(instance.endpoint))].sort(),
      timeoutSec: lb.requestTimeoutSec,
    });
  });
}

/** The one request that lists every member of an instance, and what it reads (in parentheses, as the LB steps say). */
function membersRequest(lb: PlanLoadBalancer, instance: PlanLbInstance): string {
  const url = shownLbUrl(instance.endpoint);
  switch (lb.type) {
    case 'haproxy':
      return `show stat ${lb.pool} 4 -1 (every server of ${lb.pool})`;
    case 'apache':
      return `GET ${url}?xml=1 (every worker of ${lb.pool})`;
    case 'mod_jk':
      return `GET ${url}?cmd=show&mime=prop&w=${lb.pool} (every member of ${lb.pool})`;
    default:
      throw new Error(`a ${lb.type} load balancer has no instances to read`);
  }
}

/**
 * A command load balancer: the node's member through the `status` command its own check runs, and the `sessions`
 * command its drain counts with (when the playbook has one).
 */
function commandReads(lb: PlanLoadBalancer, node: string, steps: NodeLbSteps): ClusterStep[] {
  const where = {
    runOn: steps.check.runOn === 'lb' ? ('lb' as const) : ('local' as const),
    api: null,
    become: steps.check.become,
    secretEnv: [...steps.check.secretEnv],
    timeoutSec: lb.commandTimeoutSec,
  };
  const member = steps.check.member;
  const state = statusStep(node, node, 'read-lb-member', {
    title: `state of ${member} in the load balancer (its status command)`,
    command: steps.check.command,
    ...where,
  });
  // With a `sessions` command the drain's wait counts with it; without one it waits a fixed time.
  const sessions =
    lb.commands?.sessions && steps.waitDrained.countsSessions
      ? [
          statusStep(node, node, 'read-lb-sessions', {
            title: `sessions of ${member} in the load balancer (its sessions command)`,
            command: steps.waitDrained.command,
            ...where,
          }),
        ]
      : [];
  return [state, ...sessions];
}
