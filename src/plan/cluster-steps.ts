// The plan's steps around the batches: the lock (cluster-lock-steps.ts), the reconcile of nodes an
// earlier run left out of the load balancer, and what `lrroll status` reads. They cover every node
// of the inventory, not only those --limit selects: the lock is the cluster's, and a node left out
// by an earlier run is put back whichever nodes this run changes.
import { shq } from '../shell/quote.js';
import { lockSection } from './cluster-lock-steps.js';
import { CLUSTER_TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import type { NodeLbSteps } from './lb.js';
import { cleanSteps, factsStep } from './maintenance-steps.js';
import { statusLbSteps } from './status-lb-steps.js';
import type { ResolvedNode } from './nodes.js';
import type {
  ClusterAction,
  ClusterStep,
  DiffNodeSteps,
  PlanCluster,
  ReconcileNodeSteps,
  StatusNodeSteps,
} from './types-cluster.js';
import type { PlanLoadBalancer } from './types.js';

/**
 * What the cluster steps need of one node: the node, its HTTP probe (or null) and its load-balancer steps (or null).
 */
interface ClusterNodeInput {
  node: ResolvedNode;
  http: { command: string; status: number[] } | null;
  lb: NodeLbSteps | null;
}

/** The lock, reconcile, status, clean and facts steps of every node, with `diff`'s reads of the changed nodes. */
export function clusterSection(
  nodes: readonly ClusterNodeInput[],
  lb: PlanLoadBalancer,
  diff: DiffNodeSteps[],
): PlanCluster {
  return {
    lock: lockSection(nodes.map((n) => n.node.plan)),
    reconcile: nodes.flatMap((n) => (n.lb ? [reconcileSteps(n, n.lb, lb)] : [])),
    status: nodes.map(statusSteps),
    statusLb: statusLbSteps(
      lb,
      nodes.map((n) => ({ node: n.node.plan.name, lb: n.lb })),
    ),
    clean: nodes.map((n) => cleanSteps(n.node)),
    facts: nodes.map((n) => factsStep(n.node)),
    diff,
  };
}

type StepFields = Pick<ClusterStep, 'title' | 'command'> & Partial<Omit<ClusterStep, 'id' | 'action' | 'node'>>;

function clusterStep(section: string, node: string, action: ClusterAction, fields: StepFields): ClusterStep {
  return {
    id: `cluster/${section}/${node}/${action}`,
    action,
    node,
    runOn: 'node',
    api: null,
    become: false,
    secretEnv: [],
    placeholders: [],
    timeoutSec: parseDuration(CLUSTER_TIMINGS.readTimeout),
    when: null,
    ...fields,
  };
}

/** The app server's status command and the HTTP probe, as the reconcile and `status` read them. */
function reads(section: string, n: ClusterNodeInput): { app: ClusterStep; http: ClusterStep | null } {
  const s = n.node.service;
  const name = n.node.plan.name;
  return {
    app: clusterStep(section, name, 'read-app', {
      title: `is the app server of ${name} running?`,
      command: s.status,
      become: s.become,
      secretEnv: s.secretEnv,
    }),
    http: n.http
      ? clusterStep(section, name, 'read-http', {
          title: `HTTP probe of ${name} (healthy: ${n.http.status.join('/')})`,
          command: n.http.command,
        })
      : null,
  };
}

function reconcileSteps(n: ClusterNodeInput, steps: NodeLbSteps, lb: PlanLoadBalancer): ReconcileNodeSteps {
  const name = n.node.plan.name;
  const member = steps.enable.member;
  const when =
    `only when a finished or interrupted run left ${member} out of the load balancer, and ${name}` +
    `'s app server runs and its probe passes`;
  const { app, http } = reads('reconcile', n);
  const lbCall = (
    s: NodeLbSteps['enable'] | NodeLbSteps['waitUp'],
  ): Pick<ClusterStep, 'runOn' | 'command' | 'api' | 'become' | 'secretEnv'> => ({
    runOn: s.runOn === 'node' || s.runOn === 'webhook' ? 'local' : s.runOn,
    command: s.command,
    api: s.api,
    become: s.become,
    secretEnv: s.secretEnv,
  });
  const check = `(checked first: ${name} is not touched while the run that left it out still runs)`;
  const upSec = Math.max(parseDuration(CLUSTER_TIMINGS.putBackUpMin), lb.upTimeoutSec);
  return {
    node: name,
    member,
    app: { ...app, when: `only for a node left out of the load balancer ${check}` },
    http: http ? { ...http, when: `only for a node left out of the load balancer, whose app server runs` } : null,
    status: n.http?.status ?? [],
    putBack: clusterStep('reconcile', name, 'lb-put-back', {
      title: `put ${member} back into the load balancer`,
      ...lbCall(steps.enable),
      timeoutSec: parseDuration(CLUSTER_TIMINGS.putBackTimeout),
      when,
    }),
    waitUp: clusterStep('reconcile', name, 'lb-wait-up', {
      title: `wait until the load balancer reports ${member} UP`,
      ...lbCall(steps.waitUp),
      timeoutSec: upSec,
      when: `after putting ${member} back`,
    }),
    pollSec: lb.pollSec,
  };
}

function statusSteps(n: ClusterNodeInput): StatusNodeSteps {
  const name = n.node.plan.name;
  const pt = `${n.node.plan.liferayHome}/patching-tool`;
  const { app, http } = reads('status', n);
  return {
    node: name,
    app,
    http,
    patches: clusterStep('status', name, 'read-patches', {
      title: `installed patches of ${name} (Patching Tool info)`,
      command:
        `if [ -x ${shq(`${pt}/patching-tool.sh`)} ]; then cd ${shq(pt)}` +
        ` && ./patching-tool.sh info 2>/dev/null | sed -n 's/^ *Currently installed patches: *//p'; fi`,
      timeoutSec: parseDuration(CLUSTER_TIMINGS.patchesTimeout),
    }),
  };
}

/**
 * The shell commands each node runs around the batches (the lock, the reconcile's and status's reads), by node name:
 * indexed once, since looking each node up in every list made planning quadratic in the cluster size.
 */
export function clusterCommands(cluster: PlanCluster): (node: string) => string[] {
  const lock = new Map(cluster.lock.nodes.map((n) => [n.node, n]));
  const reconcile = new Map(cluster.reconcile.map((r) => [r.node, r]));
  const status = new Map(cluster.status.map((st) => [st.node, st]));
  return (node) => {
    const l = lock.get(node);
    const r = reconcile.get(node);
    const st = status.get(node);
    // Not clean's and facts' commands: a run's preflight checks only the tools a run needs.
    const steps = [
      l?.take,
      l?.takeOver,
      l?.refresh,
      l?.release,
      l?.read,
      l?.break,
      r?.app,
      r?.http,
      st?.app,
      st?.http,
      st?.patches,
    ];
    return steps.flatMap((s) => (s?.command && s.runOn === 'node' ? [s.command] : []));
  };
}
