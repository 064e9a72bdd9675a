import type { Clock } from '../execute/context.js';
import type { Emit } from '../execute/events.js';
import type { Transport } from '../execute/transport.js';
import type { LockNodeSteps, Plan, PlanNode } from '../plan/types.js';
import {
  describeHolder,
  readLock,
  refreshLock,
  releaseLock,
  takeOver,
  tryLock,
  type HeldLock,
  type LockOwner,
  type NodeLock,
} from './lock.js';

// The cluster's run lock is held on EVERY node of the inventory, taken one node at a time in the
// plan's lock order (plan.cluster.lock: by the nodes' addresses and homes, not by how an inventory
// lists them). Two runs of the same cluster, whatever their inventory order or --limit, meet on the
// first node they share and only one gets past it; a run that cannot take a node's lock gives back
// every node it took. A node outside --limit that cannot be reached is skipped (and said so): it
// cannot be changed by this run, and nobody else can drain it either.

/** What taking the cluster lock needs. */
export interface ClusterLockDeps {
  transportFor(node: PlanNode): Transport;
  clock: Clock;
  signal: AbortSignal;
  /**
   * True when the run of an owner record still runs on this host, false when it is gone, null when that cannot be told
   * (another host).
   */
  isLive(owner: LockOwner): boolean | null;
  /** Told what happens: waiting (once, with `--lock-wait`), a node skipped, a lock taken over, the lock taken. */
  emit?: Emit;
}

/** The lock as this run holds it: the nodes whose lock it holds, each with its planned steps. */
export interface ClusterLock {
  nodes: NodeLock[];
}

/** Why the lock could not be taken: another run holds it on `node`. */
export interface LockRefusal {
  node: string;
  held: HeldLock;
}

/** The lock of every node of the plan, in lock order. */
export function nodeLocks(plan: Plan, transportFor: (node: PlanNode) => Transport): NodeLock[] {
  const byName = new Map(plan.nodes.map((n) => [n.name, n]));
  return plan.cluster.lock.nodes.map((steps: LockNodeSteps) => ({
    transport: transportFor(byName.get(steps.node) as PlanNode),
    steps,
    staleAfterSec: plan.cluster.lock.staleAfterSec,
  }));
}

/**
 * Takes the lock on every node, waiting up to `waitSec` for another run to release it; throws when a node this run
 * changes cannot be reached.
 */
export async function acquireClusterLock(
  plan: Plan,
  owner: LockOwner,
  waitSec: number,
  deps: ClusterLockDeps,
): Promise<ClusterLock | LockRefusal> {
  const deadline = deps.clock.now() + waitSec * 1000;
  const locks = nodeLocks(plan, deps.transportFor);
  const poll = plan.cluster.lock.waitPollSec;
  await Promise.all(locks.map((l) => l.transport.connect(deps.signal).catch(() => undefined)));
  let waiting = false;
  for (;;) {
    const attempt = await attemptOnce(plan, locks, owner, deps);
    if ('nodes' in attempt || deps.clock.now() >= deadline || deps.signal.aborted) return attempt;
    if (!waiting)
      deps.emit?.({
        kind: 'lock',
        state: 'waiting',
        nodes: [attempt.node],
        stepId: `cluster/lock/${attempt.node}/lock-take`,
        stepIds: [`cluster/lock/${attempt.node}/lock-take`],
        holder: attempt.held.owner?.runId ?? null,
        text:
          `waiting up to ${waitSec}s (--lock-wait) for the cluster's lock (on ${attempt.node}` +
          `), held by ${describeHolder(attempt.held)}`,
      });
    waiting = true;
    await deps.clock.sleep(
      Math.min(poll.max * 1000, Math.max(poll.min * 1000, deadline - deps.clock.now())),
      deps.signal,
    );
  }
}

async function attemptOnce(
  plan: Plan,
  locks: readonly NodeLock[],
  owner: LockOwner,
  deps: ClusterLockDeps,
): Promise<ClusterLock | LockRefusal> {
  const changed = new Set(plan.batches.flatMap((b) => b.nodes));
  const taken: NodeLock[] = [];
  const skipped: Array<{ lock: NodeLock; why: string }> = [];
  let tookOver: { lock: NodeLock; from: LockOwner } | null = null;
  const giveBack = (): Promise<void> => releaseClusterLock({ nodes: taken }, owner.runId);
  for (const lock of locks) {
    const node = lock.steps.node;
    let attempt;
    try {
      attempt = await tryLock(lock, owner);
    } catch (err) {
      if (changed.has(node)) {
        await giveBack();
        throw err;
      }
      skipped.push({ lock, why: (err as Error).message });
      continue;
    }
    if (
      !attempt.acquired &&
      attempt.owner?.runId === owner.runId &&
      deps.isLive(attempt.owner) === false &&
      (await takeOver(lock, owner))
    ) {
      tookOver ??= { lock, from: attempt.owner };
    } else if (!attempt.acquired) {
      await giveBack();
      return { node, held: attempt };
    }
    taken.push(lock);
  }
  // Said once the whole lock is held: an attempt given back (and retried) tells nothing.
  for (const { lock, why } of skipped)
    deps.emit?.({
      kind: 'lock',
      state: 'skipped',
      nodes: [lock.steps.node],
      stepId: lock.steps.take.id,
      stepIds: [lock.steps.take.id],
      holder: null,
      text: `${lock.steps.node}: its run lock could not be taken (${why}); this run does not change it`,
    });
  if (tookOver)
    deps.emit?.({
      kind: 'lock',
      state: 'taken-over',
      nodes: [tookOver.lock.steps.node],
      stepId: tookOver.lock.steps.takeOver.id,
      stepIds: [tookOver.lock.steps.takeOver.id],
      holder: owner.runId,
      text:
        `took over the cluster lock of the interrupted run ${owner.runId} (pid ${tookOver.from.pid} on ` +
        `${tookOver.from.host} is no longer running)`,
    });
  deps.emit?.({
    kind: 'lock',
    state: 'taken',
    nodes: taken.map((l) => l.steps.node),
    stepId: null,
    stepIds: [...locks.map((l) => l.steps.take.id), ...(tookOver ? [tookOver.lock.steps.takeOver.id] : [])],
    holder: owner.runId,
    text: `took the cluster's run lock on ${taken.map((l) => l.steps.node).join(', ')}`,
  });
  return { nodes: taken };
}

/** Refreshes the lock on every node; returns the node and why the lock is no longer this run's, or null while it is. */
export async function refreshClusterLock(
  lock: ClusterLock,
  runId: string,
): Promise<{ node: string; holder: string | null; text: string } | null> {
  const results = await Promise.all(
    lock.nodes.map(async (l) => ({ node: l.steps.node, r: await refreshLock(l, runId) })),
  );
  const lost = results.find((x) => x.r.state === 'lost');
  if (!lost || lost.r.state !== 'lost') return null;
  const text = lost.r.owner
    ? `the cluster lock on ${lost.node} was taken by ${describeHolder(lost.r)}`
    : `the cluster lock on ${lost.node} was broken (lrroll unlock)`;
  return { node: lost.node, holder: lost.r.owner?.runId ?? null, text };
}

/** Releases the lock on every node where this run holds it. */
export async function releaseClusterLock(lock: ClusterLock, runId: string): Promise<void> {
  await Promise.all(lock.nodes.map((l) => releaseLock(l, runId).catch(() => undefined)));
}

/** The lock as every node of the inventory has it (read-only). */
export async function readClusterLock(
  plan: Plan,
  transportFor: (node: PlanNode) => Transport,
): Promise<Array<{ node: NodeLock; held: HeldLock | null; error: string | null }>> {
  return Promise.all(
    nodeLocks(plan, transportFor).map(async (node) => {
      try {
        return { node, held: await readLock(node), error: null };
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
  if (live === false)
    return (
      `that run is no longer running (pid ${o.pid} on this host is gone) and may have left nodes ` +
      `out of the load balancer: \`lrroll resume ${o.runId}\` continues it (taking over its lock), or ` +
      `${unlock} abandons it`
    );
  if (held.stale) return `the run that holds it is probably gone: check with ${o.user}@${o.host}, then ${unlock}`;
  return `someone is rolling this cluster from ${o.host}: talk to ${o.user}, or wait for it (--lock-wait 10m)`;
}
