import type { Plan } from '../plan/types.js';
import { readClusterLock } from './cluster-lock.js';
import { sshSettings, TransportPool, type Transports } from './execute.js';
import { isRunLive } from './liveness.js';
import { breakLock, describeHolder, type HeldLock } from './lock.js';
import type { NodeLock } from './lock.js';
import type { SshFiles } from './ssh-files.js';

// `lrroll unlock`: reads the cluster's run lock on every node (the plan's lock-read steps) and,
// once the operator agrees, breaks it with the plan's lock-break steps — each only while the run
// read still holds that node's lock, so a lock taken meanwhile by another run is left alone.

/** One run holding the lock: on which nodes, who, and whether its process still runs on this host. */
interface LockHolder {
  runId: string | null;
  nodes: string[];
  description: string;
  live: boolean | null;
  pid: number | null;
}

/** The lock as read: who holds it, on which nodes it could not be read, and how to break it. */
interface UnlockSession {
  /** Nodes read (not counting those that could not be). */
  checked: number;
  total: number;
  /** Why a node's lock could not be read, one line each. */
  errors: string[];
  holders: LockHolder[];
  /** Breaks every lock read (after confirmation); returns how many nodes. */
  breakAll(): Promise<number>;
  close(): Promise<void>;
}

/** Reads the lock on every node of the inventory. */
export async function openUnlock(
  plan: Plan,
  env: Readonly<Record<string, string | undefined>>,
  sshFiles: SshFiles,
  transports?: Transports,
): Promise<UnlockSession> {
  const pool = transports ?? new TransportPool(sshSettings(env, false, sshFiles), env);
  try {
    const locks = await readClusterLock(plan, (n) => pool.forNode(n));
    const held = locks.flatMap((l) => (l.held ? [{ node: l.node, held: l.held }] : []));
    const errors = locks.flatMap((l) => (l.error ? [l.error] : []));
    return {
      checked: locks.length - errors.length,
      total: locks.length,
      errors,
      holders: holdersOf(held),
      breakAll: async () => {
        await Promise.all(held.map((h) => breakLock(h.node, h.held.owner?.runId ?? null)));
        return held.length;
      },
      close: () => pool.closeAll(),
    };
  } catch (err) {
    await pool.closeAll();
    throw err;
  }
}

function holdersOf(held: ReadonlyArray<{ node: NodeLock; held: HeldLock }>): LockHolder[] {
  return [...new Set(held.map((h) => h.held.owner?.runId ?? null))].map((runId) => {
    const mine = held.filter((h) => (h.held.owner?.runId ?? null) === runId);
    const first = mine[0]?.held;
    return {
      runId,
      nodes: mine.map((h) => h.node.steps.node),
      description: first ? describeHolder(first) : '?',
      live: first?.owner ? isRunLive(first.owner) : null,
      pid: first?.owner?.pid ?? null,
    };
  });
}
