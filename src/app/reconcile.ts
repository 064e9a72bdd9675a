import type { Clock } from '../execute/context.js';
import { EVENTS_FORMAT_VERSION } from '../execute/events.js';
import type { LbDriver } from '../execute/lb/driver.js';
import type { Transport } from '../execute/transport.js';
import type { Plan, PlanNode, Step } from '../plan/types.js';
import { Journal, listRuns, nodeRecords, readEvents } from './journal.js';
import { isRunLive } from './liveness.js';

/** A node an earlier run took out of the load balancer and did not put back. */
export interface LeftOut {
  node: string;
  member: string;
  runId: string;
  runDir: string;
  /** The last load-balancer state that run recorded. */
  lb: 'draining' | 'out' | 'enabled';
  /** The earlier run applied its change to the node. */
  updated: boolean;
  /** The run that left it out is still running on this host: it owns the node, nobody else touches it. */
  live: boolean;
}

/** What reconciling did for one node. */
export interface ReconcileResult {
  node: string;
  runId: string;
  action: 'put-back' | 'left-out';
  detail: string;
}

/** Finds, from the run records, every node of this cluster whose latest run left it out of the load balancer. */
export function findLeftOut(plan: Plan, env: Readonly<Record<string, string | undefined>>): LeftOut[] {
  if (plan.loadBalancer.type === 'none') return [];
  const pending = new Set(plan.nodes.map((n) => n.name));
  const out: LeftOut[] = [];
  for (const { dir, meta } of listRuns(env)) {
    const mine = meta.nodes.filter((n) => pending.has(n));
    if (mine.length === 0) continue;
    let events;
    try {
      events = readEvents(dir);
    } catch {
      continue;
    }
    for (const r of nodeRecords(events, mine).values()) {
      if (r.lb === null) continue;
      pending.delete(r.node);
      if (r.lb === 'up') continue;
      const node = plan.nodes.find((n) => n.name === r.node);
      const live = meta.status === 'running' && meta.pid !== null && isRunLive({ host: meta.host, pid: meta.pid }) === true;
      out.push({ node: r.node, member: node?.member ?? r.node, runId: meta.runId, runDir: dir, lb: r.lb, updated: r.okSteps.some((id) => /-apply$/.test(id)), live });
    }
    if (pending.size === 0) break;
  }
  return out;
}

/** What reconciling needs: transports, the LB driver (or the plan's own commands) and a clock. */
export interface ReconcileDeps {
  transportFor(node: PlanNode): Transport;
  lbTransport: Transport;
  lb: LbDriver | null;
  clock: Clock;
  signal: AbortSignal;
}

/** The first step of a kind that the plan has for a node (preflight first, then its batch steps). */
export function planStep<A extends Step['action']>(plan: Plan, node: string, action: A): Extract<Step, { action: A }> | undefined {
  const all: Step[] = [...plan.preflight, ...plan.batches.flatMap((b) => b.nodePlans.filter((np) => np.node === node).flatMap((np) => np.steps))];
  return all.find((s): s is Extract<Step, { action: A }> => s.action === action && s.node === node);
}

/** Puts back every left-out node that is running and healthy (and says why the others stay out); records it in that run's record. */
export async function reconcile(plan: Plan, leftOut: readonly LeftOut[], deps: ReconcileDeps): Promise<ReconcileResult[]> {
  const results: ReconcileResult[] = [];
  for (const l of leftOut) {
    const node = plan.nodes.find((n) => n.name === l.node);
    if (!node) continue;
    if (l.live) {
      results.push({ node: l.node, runId: l.runId, action: 'left-out', detail: `is out of the load balancer for run ${l.runId}, which is still running on this host: not touched` });
      continue;
    }
    const health = await healthy(plan, node, deps);
    if (health !== null) {
      results.push({ node: l.node, runId: l.runId, action: 'left-out', detail: `left out of the load balancer by run ${l.runId}; not put back: ${health}` });
      continue;
    }
    try {
      const seen = await enable(plan, node, l.member, deps);
      const journal = Journal.open(l.runDir);
      journal.record({ kind: 'lb-state', node: l.node, member: l.member, state: 'up', v: EVENTS_FORMAT_VERSION, at: new Date().toISOString() });
      journal.close();
      results.push({ node: l.node, runId: l.runId, action: 'put-back', detail: `left out of the load balancer by run ${l.runId} (${l.updated ? 'updated' : 'not updated'}); healthy, so it was put back and is UP${plan.loadBalancer.instances.length > 1 && seen ? ` (${seen})` : ''}` });
    } catch (err) {
      results.push({ node: l.node, runId: l.runId, action: 'left-out', detail: `left out by run ${l.runId}; putting it back failed: ${(err as Error).message}` });
    }
  }
  return results;
}

/** null when the node's app server runs and its health probe passes, else why not. */
async function healthy(plan: Plan, node: PlanNode, deps: ReconcileDeps): Promise<string | null> {
  const transport = deps.transportFor(node);
  const stop = planStep(plan, node.name, 'service-stop');
  if (stop) {
    const r = await transport.exec(stop.statusCommand, { timeoutMs: 20_000, signal: deps.signal, become: stop.become });
    if (r.exitCode !== 0) return 'its app server is not running';
  }
  const probe = planStep(plan, node.name, 'check-node-healthy');
  if (probe?.command) {
    const r = await transport.exec(probe.command, { timeoutMs: 20_000, signal: deps.signal });
    const code = Number(r.stdout.trim().split('\n').pop());
    if (r.exitCode !== 0 || !probe.status.includes(code)) return `its health probe answers ${r.exitCode === 0 ? `HTTP ${code}` : 'nothing'}`;
  }
  return null;
}

/** Puts the member back (in every instance) and waits until it is UP; returns what the load balancer said then (null for commands). */
async function enable(plan: Plan, node: PlanNode, member: string, deps: ReconcileDeps): Promise<string | null> {
  const deadline = deps.clock.now() + Math.max(10, plan.loadBalancer.upTimeoutSec) * 1000;
  if (deps.lb) {
    await deps.lb.enable(member, deps.signal);
    while (deps.clock.now() < deadline) {
      const s = await deps.lb.state(member, deps.signal);
      if (s.state === 'UP' && !/\d+\/\d+/.test(s.raw)) return s.raw;
      await deps.clock.sleep(plan.loadBalancer.pollSec * 1000, deps.signal);
    }
    throw new Error(`the load balancer did not report ${member} UP in time`);
  }
  const step = planStep(plan, node.name, 'lb-enable');
  if (!step?.command) throw new Error('no enable command in the plan');
  const r = await deps.lbTransport.exec(step.command, { timeoutMs: 30_000, signal: deps.signal, become: step.become });
  if (r.exitCode !== 0) throw new Error(`the enable command failed: ${r.stderr.trim()}`);
  return null;
}
