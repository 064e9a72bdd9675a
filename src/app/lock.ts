import { hostname, userInfo } from 'node:os';
import type { Transport } from '../execute/transport.js';
import { shq } from '../shell/quote.js';
import type { Plan, PlanNode } from '../plan/types.js';

// The run lock on one node: `<liferayHome>/.lrroll/lock/`, created with `mkdir` (atomic, so
// exactly one operator wins) and holding `owner` (who, where, which run). Everything is created
// under `umask 077`: the owner record is readable by the node's lrroll user only.
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

/** A lock refreshed less recently than this is reported as stale (it is still never broken silently). */
export const STALE_AFTER_SEC = 600;

/** A lock someone holds: its owner record (null when unreadable) and how long ago it was refreshed. */
export interface HeldLock {
  owner: LockOwner | null;
  ageSec: number;
  stale: boolean;
}

/** The result of trying to take the lock on one node. */
export type NodeLockAttempt = { acquired: true } | ({ acquired: false } & HeldLock);

const LOCK_TIMEOUT_MS = 30_000;

function lockDir(node: PlanNode): string {
  return `${node.liferayHome}/.lrroll/lock`;
}

/** The owner record of this process's run. */
export function makeOwner(plan: Plan, runId: string, env: Readonly<Record<string, string | undefined>>, message: string, pid: number): LockOwner {
  return { user: env.USER ?? userInfo().username, host: hostname(), pid, runId, planHash: plan.hash, name: plan.name, since: new Date().toISOString(), message };
}

/** Shell lines that print `age=<seconds since the owner record was refreshed>` and the record. */
const PRINT_HELD = ['now=$(date +%s); m=$(stat -c %Y "$d/owner" 2>/dev/null || echo "$now"); echo "age=$((now - m))"', 'cat "$d/owner" 2>/dev/null; true'];

/** Parses `age=N` followed by the owner record. */
function parseHeld(text: string): HeldLock {
  const ageSec = Number(/age=(\d+)/.exec(text)?.[1] ?? 0);
  const json = text.slice(text.indexOf('\n', text.indexOf('age=')) + 1).trim();
  let owner: LockOwner | null = null;
  try {
    owner = JSON.parse(json) as LockOwner;
  } catch {
    owner = null;
  }
  return { owner, ageSec, stale: ageSec > STALE_AFTER_SEC };
}

/** A `grep` that succeeds when the lock's owner record names `runId`. */
const ownedBy = (runId: string): string => `grep -qF ${shq(`"runId":"${runId}"`)} "$d/owner" 2>/dev/null`;

async function run(transport: Transport, node: PlanNode, what: string, lines: string[]): Promise<string> {
  const r = await transport.exec(['umask 077', `d=${shq(lockDir(node))}`, ...lines].join('\n'), { timeoutMs: LOCK_TIMEOUT_MS });
  if (r.exitCode !== 0) throw new Error(`cannot ${what} the run lock on ${node.name}: ${r.stderr.trim() || `exit ${String(r.exitCode)}`}`);
  return r.stdout;
}

/** Tries once to take the lock on one node. */
export async function tryLock(transport: Transport, node: PlanNode, owner: LockOwner): Promise<NodeLockAttempt> {
  const out = await run(transport, node, 'take', [
    'mkdir -p "$(dirname "$d")" || exit 2',
    `if mkdir "$d" 2>/dev/null; then printf '%s\\n' ${shq(JSON.stringify(owner))} > "$d/owner" && echo ACQUIRED; exit 0; fi`,
    'echo HELD',
    ...PRINT_HELD,
  ]);
  return out.startsWith('ACQUIRED') ? { acquired: true } : { acquired: false, ...parseHeld(out) };
}

/** Rewrites the owner record of a lock that `previousRunId` holds (a resumed run taking over its own lock); false when someone else holds it now. */
export async function takeOver(transport: Transport, node: PlanNode, previousRunId: string, owner: LockOwner): Promise<boolean> {
  const out = await run(transport, node, 'take over', [`if ${ownedBy(previousRunId)}; then printf '%s\\n' ${shq(JSON.stringify(owner))} > "$d/owner.tmp" && mv -f "$d/owner.tmp" "$d/owner" && echo TAKEN; fi`]);
  return out.startsWith('TAKEN');
}

/** What a refresh found: the lock is still this run's, someone else's, or could not be checked. */
export type RefreshResult = { state: 'ours' } | { state: 'unknown'; error: string } | ({ state: 'lost' } & HeldLock);

/** Refreshes the lock's time while the run holds it; says when it is no longer this run's (broken, or taken by another run). */
export async function refreshLock(transport: Transport, node: PlanNode, runId: string): Promise<RefreshResult> {
  try {
    const out = await run(transport, node, 'refresh', [`if ${ownedBy(runId)}; then touch "$d/owner" && echo OURS; exit 0; fi`, 'echo LOST', ...PRINT_HELD]);
    return out.startsWith('OURS') ? { state: 'ours' } : { state: 'lost', ...parseHeld(out) };
  } catch (err) {
    return { state: 'unknown', error: (err as Error).message };
  }
}

/** Releases the lock on a node if this run holds it. */
export async function releaseLock(transport: Transport, node: PlanNode, runId: string): Promise<void> {
  await run(transport, node, 'release', [`if ${ownedBy(runId)}; then rm -rf -- "$d"; fi`]);
}

/** Breaks the lock on a node (`lrroll unlock`, after confirmation): only when it is still held by `runId` (or, for null, by no readable owner). */
export async function breakLock(transport: Transport, node: PlanNode, runId: string | null): Promise<void> {
  const test = runId === null ? `! grep -qF '"runId":"' "$d/owner" 2>/dev/null` : ownedBy(runId);
  await run(transport, node, 'remove', [`if [ -d "$d" ] && ${test}; then rm -rf -- "$d"; fi`]);
}

/** Reads the lock on a node without taking it: null when the node is not locked. */
export async function readLock(transport: Transport, node: PlanNode): Promise<HeldLock | null> {
  const out = await run(transport, node, 'read', ['[ -d "$d" ] || exit 0', ...PRINT_HELD]);
  return out.trim() ? parseHeld(out) : null;
}

/** Describes the holder of a lock for a message. */
export function describeHolder(held: HeldLock): string {
  const o = held.owner;
  const who = o ? `${o.user}@${o.host} (pid ${o.pid}), run ${o.runId} of "${o.name}" (plan ${o.planHash.slice(0, 12)}) since ${o.since}${o.message ? `: ${o.message}` : ''}` : 'an unreadable owner record';
  const age = `${Math.floor(held.ageSec / 60)} min ${held.ageSec % 60} s`;
  return `${who}; last refreshed ${age} ago${held.stale ? ' — STALE' : ''}`;
}
