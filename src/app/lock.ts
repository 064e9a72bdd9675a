import { hostname, userInfo } from 'node:os';
import { LrrollError } from '../errors/errors.js';
import type { Transport } from '../execute/transport.js';
import type { LockNodeSteps, Plan } from '../plan/types.js';
import { runPlannedCommand } from './step-exec.js';

// The run lock on one node, through the plan's lock steps (plan/cluster-lock-steps.ts): `mkdir`
// of `<liferayHome>/.lrroll/lock/` (atomic, so exactly one operator wins) holding `owner`.
// The cluster-wide protocol (every node, in a fixed order) is in cluster-lock.ts.

/** Who holds the run lock of a cluster. */
export interface LockOwner {
  user: string;
  host: string;
  pid: number;
  runId: string;
  planHash: string;
  name: string;
  since: string;
  message: string;
}

/** A lock someone holds: its owner record (null when unreadable) and how long ago it was refreshed. */
export interface HeldLock {
  owner: LockOwner | null;
  ageSec: number;
  stale: boolean;
}

/** The result of trying to take the lock on one node. */
type NodeLockAttempt = { acquired: true } | ({ acquired: false } & HeldLock);

/** The owner record of this process's run; `since` from the injected clock. */
export function makeOwner(
  plan: Plan,
  runId: string,
  env: Readonly<Record<string, string | undefined>>,
  message: string,
  pid: number,
  since: string,
): LockOwner {
  return {
    user: env.USER ?? userInfo().username,
    host: hostname(),
    pid,
    runId,
    planHash: plan.hash,
    name: plan.name,
    since,
    message,
  };
}

/** Parses `age=N` followed by the owner record. */
function parseHeld(text: string, staleAfterSec: number): HeldLock {
  const ageSec = Number(/age=(\d+)/.exec(text)?.[1] ?? 0);
  const json = text.slice(text.indexOf('\n', text.indexOf('age=')) + 1).trim();
  let owner: LockOwner | null = null;
  try {
    owner = JSON.parse(json) as LockOwner;
  } catch {
    owner = null;
  }
  return { owner, ageSec, stale: ageSec > staleAfterSec };
}

/** One node's lock: its transport, its planned steps, and when a lock counts as stale. */
export interface NodeLock {
  transport: Transport;
  steps: LockNodeSteps;
  staleAfterSec: number;
}

async function run(
  lock: NodeLock,
  step: keyof Omit<LockNodeSteps, 'node' | 'dir'>,
  what: string,
  values: Record<string, string>,
): Promise<string> {
  const r = await runPlannedCommand(lock.transport, lock.steps[step], { values });
  if (r.ok) return r.stdout;
  // A node that cannot be reached: its transport's own words, with the outcome's code and hint.
  if (r.exitCode === null && !r.timedOut && !r.aborted)
    throw new LrrollError(r.code ?? 'E_CONNECT', r.stderr.trim(), r.hint ?? undefined);
  throw new LrrollError(
    r.code ?? 'E_STEP_FAILED',
    `cannot ${what} the run lock on ${lock.steps.node}: ${r.stderrTail || r.detail || `exit ${String(r.exitCode)}`}`,
    r.hint ?? undefined,
  );
}

/** Tries once to take the lock on one node. */
export async function tryLock(lock: NodeLock, owner: LockOwner): Promise<NodeLockAttempt> {
  const out = await run(lock, 'take', 'take', { owner: JSON.stringify(owner) });
  return out.startsWith('ACQUIRED') ? { acquired: true } : { acquired: false, ...parseHeld(out, lock.staleAfterSec) };
}

/**
 * Rewrites the owner record of a lock that the interrupted run being resumed (same run id) holds; false when someone
 * else holds it now.
 */
export async function takeOver(lock: NodeLock, owner: LockOwner): Promise<boolean> {
  const out = await run(lock, 'takeOver', 'take over', { owner: JSON.stringify(owner), runId: owner.runId });
  return out.startsWith('TAKEN');
}

/** What a refresh found: the lock is still this run's, someone else's, or could not be checked. */
type RefreshResult = { state: 'ours' } | { state: 'unknown'; error: string } | ({ state: 'lost' } & HeldLock);

/**
 * Refreshes the lock's time while the run holds it; says when it is no longer this run's (broken, or taken by another
 * run).
 */
export async function refreshLock(lock: NodeLock, runId: string): Promise<RefreshResult> {
  try {
    const out = await run(lock, 'refresh', 'refresh', { runId });
    return out.startsWith('OURS') ? { state: 'ours' } : { state: 'lost', ...parseHeld(out, lock.staleAfterSec) };
  } catch (err) {
    return { state: 'unknown', error: (err as Error).message };
  }
}

/** Releases the lock on a node if this run holds it. */
export async function releaseLock(lock: NodeLock, runId: string): Promise<void> {
  await run(lock, 'release', 'release', { runId });
}

/**
 * Breaks the lock on a node (`lrroll unlock`, after confirmation): only when it is still held by `runId` (or, for null,
 * by no readable owner).
 */
export async function breakLock(lock: NodeLock, runId: string | null): Promise<void> {
  await run(lock, 'break', 'remove', { heldRunId: runId ?? '' });
}

/** Reads the lock on a node without taking it: null when the node is not locked. */
export async function readLock(lock: NodeLock): Promise<HeldLock | null> {
  const out = await run(lock, 'read', 'read', {});
  return out.trim() ? parseHeld(out, lock.staleAfterSec) : null;
}

/** Describes the holder of a lock for a message. */
export function describeHolder(held: HeldLock): string {
  const o = held.owner;
  const who = o
    ? `${o.user}@${o.host} (pid ${o.pid}), run ${o.runId} of "${o.name}" (plan ` +
      `${o.planHash.slice(0, 12)}) since ${o.since}${o.message ? `: ${o.message}` : ''}`
    : 'an unreadable owner record';
  const age = `${Math.floor(held.ageSec / 60)} min ${held.ageSec % 60} s`;
  return `${who}; last refreshed ${age} ago${held.stale ? ' — STALE' : ''}`;
}
