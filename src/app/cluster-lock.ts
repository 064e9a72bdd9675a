import type { Clock } from '../execute/context.js';
import type { Transport } from '../execute/transport.js';
import type { Plan, PlanNode } from '../plan/types.js';
import { describeHolder, readLock, refreshLock, releaseLock, takeOver, tryLock, type HeldLock, type LockOwner } from './lock.js';

// The cluster's run lock is held on EVERY node of the inventory (not only the nodes --limit
// selects), taken one node at a time in an order fixed by the nodes' addresses and homes — not
// by how an inventory lists them. Two runs of the same cluster, whatever their inventory order or
// --limit, meet on the first node they share and only one gets past it; a run that cannot take a
// node's lock gives back every node it took. A node outside --limit that cannot be reached is
// skipped (and said so): it cannot be changed by this run, and nobody else can drain it either.

/** What taking the cluster lock needs. */
export interface ClusterLockDeps {
  transportFor(node: PlanNode): Transport;
  clock: Clock;
  signal: AbortSignal;
  /** True when the run of an owner record still runs on this host, false when it is gone, null when that cannot be told (another host). */
  isLive(owner: LockOwner): boolean | null;
  /** Told once when the lock is held and the run starts waiting for it (`--lock-wait`). */
  onWait?(refusal: LockRefusal): void;
}

/** The lock as this run holds it. */
export interface ClusterLock {
  /** The nodes whose lock this run holds. */
  nodes: PlanNode[];
  /** What the operator should know: nodes skipped, a lock taken over from the interrupted run being resumed. */
  notes: string[];
}

/** Why the lock could not be taken: another run holds it on `node`. */
export interface LockRefusal {
  node: string;
  held: HeldLock;
}

/** Every node of the inventory, in one fixed order (address, port, Liferay home), each node once. */
export function lockOrder(plan: Plan): PlanNode[] {
  const key = (n: PlanNode): string => `${n.host}\u0000${String(n.port ?? '')}\u0000${n.liferayHome}`;
  const seen = new Set<string>();
  return [...plan.nodes]
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
    .filter((n) => !seen.has(key(n)) && seen.add(key(n)) !== undefined);
}

/** Takes the lock on every node, waiting up to `waitSec` for another run to release it; throws when a node this run changes cannot be reached. */
export async function acquireClusterLock(plan: Plan, owner: LockOwner, waitSec: number, deps: ClusterLockDeps): Promise<ClusterLock | LockRefusal> {
  const deadline = deps.clock.now() + waitSec * 1000;
  const order = lockOrder(plan);
  await Promise.all(order.map((n) => deps.transportFor(n).connect(deps.signal).catch(() => undefined)));
  let waiting = false;
  for (;;) {
    const attempt = await attemptOnce(plan, order, owner, deps);
    if ('nodes' in attempt || deps.clock.now() >= deadline || deps.signal.aborted) return attempt;
    if (!waiting) deps.onWait?.(attempt);
    waiting = true;
    await deps.clock.sleep(Math.min(5000, Math.max(200, deadline - deps.clock.now())), deps.signal);
  }
}

async function attemptOnce(plan: Plan, order: readonly PlanNode[], owner: LockOwner, deps: ClusterLockDeps): Promise<ClusterLock | LockRefusal> {
  const changed = new Set(plan.batches.flatMap((b) => b.nodes));
  const taken: PlanNode[] = [];
  const notes = new Set<string>();
  const giveBack = (): Promise<void> => releaseClusterLock({ nodes: taken, notes: [] }, owner.runId, deps.transportFor);
  for (const node of order) {
    const transport = deps.transportFor(node);
    let attempt;
    try {
      attempt = await tryLock(transport, node, owner);
    } catch (err) {
      if (changed.has(node.name)) {
        await giveBack();
        throw err;
      }
      notes.add(`${node.name}: its run lock could not be taken (${(err as Error).message}); this run does not change it`);
      continue;
    }
    if (!attempt.acquired && attempt.owner?.runId === owner.runId && deps.isLive(attempt.owner) === false && (await takeOver(transport, node, owner.runId, owner))) {
      notes.add(`took over the cluster lock of the interrupted run ${owner.runId} (pid ${attempt.owner.pid} on ${attempt.owner.host} is no longer running)`);
    } else if (!attempt.acquired) {
      await giveBack();
      return { node: node.name, held: attempt };
    }
    taken.push(node);
  }
  return { nodes: taken, notes: [...notes] };
}

/** Refreshes the lock on every node; returns why it is no longer this run's, or null while it is. */
export async function refreshClusterLock(lock: ClusterLock, runId: string, transportFor: (node: PlanNode) => Transport): Promise<string | null> {
  const results = await Promise.all(lock.nodes.map(async (n) => ({ node: n.name, r: await refreshLock(transportFor(n), n, runId) })));
  const lost = results.find((x) => x.r.state === 'lost');
  if (!lost || lost.r.state !== 'lost') return null;
  return lost.r.owner ? `the cluster lock on ${lost.node} was taken by ${describeHolder(lost.r)}` : `the cluster lock on ${lost.node} was broken (lrroll unlock)`;
}

/** Releases the lock on every node where this run holds it. */
export async function releaseClusterLock(lock: ClusterLock, runId: string, transportFor: (node: PlanNode) => Transport): Promise<void> {
  await Promise.all(lock.nodes.map((n) => releaseLock(transportFor(n), n, runId).catch(() => undefined)));
}

/** The lock as every node of the inventory has it (read-only). */
export async function readClusterLock(plan: Plan, transportFor: (node: PlanNode) => Transport): Promise<Array<{ node: PlanNode; held: HeldLock | null; error: string | null }>> {
  return Promise.all(
    lockOrder(plan).map(async (node) => {
      try {
        return { node, held: await readLock(transportFor(node), node), error: null };
      } catch (err) {
        return { node, held: null, error: (err as Error).message };
      }
    }),
  );
}

/** What the operator can do about a lock another run holds. */
export function lockAdvice(held: HeldLock, live: boolean | null, playbook: string): string {
  const o = held.owner;
  const unlock = `\`lrroll unlock ${playbook}\``;
  if (!o) return `its owner record cannot be read: check the lock folder on that node, then ${unlock}`;
  if (live === true) return `that run is still running (pid ${o.pid} on this host): wait for it (--lock-wait 10m)`;
  if (live === false) return `that run is no longer running (pid ${o.pid} on this host is gone) and may have left nodes out of the load balancer: \`lrroll resume ${o.runId}\` continues it (taking over its lock), or ${unlock} abandons it`;
  if (held.stale) return `the run that holds it is probably gone: check with ${o.user}@${o.host}, then ${unlock}`;
  return `someone is rolling this cluster from ${o.host}: talk to ${o.user}, or wait for it (--lock-wait 10m)`;
}
