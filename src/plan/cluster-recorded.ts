// A plan recorded by an earlier lrroll (format 2) has no cluster steps: resuming it rebuilds them
// from what the recorded plan holds — the lock from its nodes, the reconcile of each node it
// changes from that node's own steps (status command, health probe, enable, wait UP).
import { lockSection } from './cluster-lock-steps.js';
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { ClusterAction, ClusterStep, PlanCluster, ReconcileNodeSteps } from './types-cluster.js';
import type { Plan, Step } from './types.js';

/** The plan's cluster steps: its own, or (a plan recorded before they existed) rebuilt from its other steps. */
export function clusterOf(plan: Plan): PlanCluster {
  if ((plan as Partial<Plan>).cluster) return plan.cluster;
  return { lock: lockSection(plan.nodes), reconcile: plan.loadBalancer.type === 'none' ? [] : plan.batches.flatMap((b) => b.nodes).flatMap((n) => reconcileOf(plan, n)), status: [] };
}

function reconcileOf(plan: Plan, node: string): ReconcileNodeSteps[] {
  const steps: Step[] = [...plan.preflight, ...plan.batches.flatMap((b) => b.nodePlans.filter((np) => np.node === node).flatMap((np) => np.steps))].filter((s) => s.node === node);
  const find = <A extends Step['action']>(action: A): Extract<Step, { action: A }> | undefined => steps.find((s): s is Extract<Step, { action: A }> => s.action === action);
  const stop = find('service-stop');
  const probe = find('check-node-healthy');
  const enable = find('lb-enable');
  const waitUp = find('lb-wait-up');
  if (!enable || !waitUp) return [];
  const step = (action: ClusterAction, from: Pick<ClusterStep, 'title' | 'command' | 'api' | 'become' | 'secretEnv' | 'runOn'>, timeoutSec: number): ClusterStep => ({ id: `cluster/reconcile/${node}/${action}`, action, node, placeholders: [], when: null, timeoutSec, ...from });
  const read = parseDuration(CLUSTER_TIMINGS.readTimeout);
  const lbRunOn = (s: Step): ClusterStep['runOn'] => (s.runOn === 'lb' ? 'lb' : 'local');
  return [{
    node,
    member: enable.member,
    app: stop ? step('read-app', { title: `is the app server of ${node} running?`, command: stop.statusCommand, api: null, become: stop.become, secretEnv: stop.secretEnv, runOn: 'node' }, read) : null,
    http: probe?.command ? step('read-http', { title: `HTTP probe of ${node}`, command: probe.command, api: null, become: false, secretEnv: [], runOn: 'node' }, read) : null,
    status: probe?.status ?? [],
    putBack: step('lb-put-back', { title: enable.title, command: enable.command, api: enable.api, become: enable.become, secretEnv: enable.secretEnv, runOn: lbRunOn(enable) }, parseDuration(CLUSTER_TIMINGS.putBackTimeout)),
    waitUp: step('lb-wait-up', { title: waitUp.title, command: waitUp.command, api: waitUp.api, become: waitUp.become, secretEnv: waitUp.secretEnv, runOn: lbRunOn(waitUp) }, Math.max(parseDuration(CLUSTER_TIMINGS.putBackUpMin), plan.loadBalancer.upTimeoutSec)),
    pollSec: plan.loadBalancer.pollSec,
  }];
}
