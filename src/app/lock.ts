import { hostname, userInfo } from 'node:os';
import type { Clock } from '../execute/context.js';
import type { Transport } from '../execute/transport.js';
import { shq } from '../plan/shell.js';
import type { Plan, PlanNode } from '../plan/types.js';

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

/** The result of trying to take the lock. */
export type LockAttempt = { acquired: true } | { acquired: false; owner: LockOwner | null; ageSec: number; stale: boolean };

/** The node that keeps the cluster's run lock: the first node of the inventory. */
export function lockNode(plan: Plan): PlanNode {
  const first = plan.nodes[0];
  if (!first) throw new Error('a plan without nodes has no lock');
  return first;
}

function lockDir(node: PlanNode): string {
  return `${node.liferayHome}/.lrroll/lock`;
}

/** The owner record of this process's run. */
export function makeOwner(plan: Plan, runId: string, env: Readonly<Record<string, string | undefined>>, message: string, pid: number): LockOwner {
  return { user: env.USER ?? userInfo().username, host: hostname(), pid, runId, planHash: plan.hash, name: plan.name, since: new Date().toISOString(), message };
}

/** Tries once to take the lock: `mkdir` is atomic, so exactly one operator wins. */
export async function tryLock(transport: Transport, node: PlanNode, owner: LockOwner): Promise<LockAttempt> {
  const d = shq(lockDir(node));
  const script = [
    `d=${d}`,
    `mkdir -p "$(dirname "$d")" || exit 2`,
    `if mkdir "$d" 2>/dev/null; then printf '%s\\n' ${shq(JSON.stringify(owner))} > "$d/owner" && echo ACQUIRED; exit 0; fi`,
    'echo HELD',
    'now=$(date +%s); m=$(stat -c %Y "$d/owner" 2>/dev/null || echo "$now"); echo "age=$((now - m))"',
    'cat "$d/owner" 2>/dev/null',
  ].join('\n');
  const r = await transport.exec(script, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`cannot take the run lock on ${node.name}: ${r.stderr.trim() || `exit ${String(r.exitCode)}`}`);
  if (r.stdout.startsWith('ACQUIRED')) return { acquired: true };
  const ageSec = Number(/age=(\d+)/.exec(r.stdout)?.[1] ?? 0);
  const json = r.stdout.split('\n').slice(2).join('\n').trim();
  let holder: LockOwner | null = null;
  try {
    holder = JSON.parse(json) as LockOwner;
  } catch {
    holder = null;
  }
  if (holder?.runId === owner.runId) {
    // The run being resumed still holds it (it crashed or lost its connection): take it over.
    const w = await transport.exec(`printf '%s\\n' ${shq(JSON.stringify(owner))} > ${d}/owner`, { timeoutMs: 30_000 });
    if (w.exitCode === 0) return { acquired: true };
  }
  return { acquired: false, owner: holder, ageSec, stale: ageSec > STALE_AFTER_SEC };
}

/** Takes the lock, waiting up to `waitSec` for it to be released. */
export async function acquireLock(transport: Transport, node: PlanNode, owner: LockOwner, waitSec: number, clock: Clock, signal: AbortSignal): Promise<LockAttempt> {
  const deadline = clock.now() + waitSec * 1000;
  for (;;) {
    const attempt = await tryLock(transport, node, owner);
    if (attempt.acquired || clock.now() >= deadline || signal.aborted) return attempt;
    await clock.sleep(Math.min(5000, Math.max(200, deadline - clock.now())), signal);
  }
}

/** Refreshes the lock's time while the run holds it (only when it is still ours). */
export async function refreshLock(transport: Transport, node: PlanNode, runId: string): Promise<void> {
  const d = shq(lockDir(node));
  await transport.exec(`grep -qF ${shq(`"runId":"${runId}"`)} ${d}/owner 2>/dev/null && touch ${d}/owner`, { timeoutMs: 20_000 });
}

/** Releases the lock if this run holds it. */
export async function releaseLock(transport: Transport, node: PlanNode, runId: string): Promise<void> {
  const d = shq(lockDir(node));
  await transport.exec(`if grep -qF ${shq(`"runId":"${runId}"`)} ${d}/owner 2>/dev/null; then rm -rf ${d}; fi`, { timeoutMs: 20_000 });
}

/** Breaks the lock whoever holds it (`lrroll unlock`, after confirmation). */
export async function breakLock(transport: Transport, node: PlanNode): Promise<void> {
  const r = await transport.exec(`rm -rf ${shq(lockDir(node))}`, { timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`cannot remove the lock on ${node.name}: ${r.stderr.trim()}`);
}

/** Describes the holder of a lock for a message. */
export function describeHolder(attempt: Extract<LockAttempt, { acquired: false }>): string {
  const o = attempt.owner;
  const who = o ? `${o.user}@${o.host} (pid ${o.pid}), run ${o.runId} of "${o.name}" (plan ${o.planHash.slice(0, 12)}) since ${o.since}${o.message ? `: ${o.message}` : ''}` : 'an unreadable owner record';
  const age = `${Math.floor(attempt.ageSec / 60)} min ${attempt.ageSec % 60} s`;
  return `${who}; last refreshed ${age} ago${attempt.stale ? ' — STALE: the run that holds it is probably gone; break it with `lrroll unlock` once you are sure' : ''}`;
}

/** Reads the lock without taking it: null when the cluster is not locked. */
export async function readLock(transport: Transport, node: PlanNode): Promise<Extract<LockAttempt, { acquired: false }> | null> {
  const d = shq(lockDir(node));
  const r = await transport.exec(`if [ -d ${d} ]; then now=$(date +%s); m=$(stat -c %Y ${d}/owner 2>/dev/null || echo "$now"); echo "age=$((now - m))"; cat ${d}/owner 2>/dev/null; fi`, { timeoutMs: 30_000 });
  if (r.exitCode !== 0) throw new Error(`cannot read the run lock on ${node.name}: ${r.stderr.trim()}`);
  if (!r.stdout.trim()) return null;
  const ageSec = Number(/age=(\d+)/.exec(r.stdout)?.[1] ?? 0);
  let owner: LockOwner | null = null;
  try {
    owner = JSON.parse(r.stdout.split('\n').slice(1).join('\n')) as LockOwner;
  } catch {
    owner = null;
  }
  return { acquired: false, owner, ageSec, stale: ageSec > STALE_AFTER_SEC };
}
