import type { MemberState } from './driver.js';

// The one reading of a load-balancer member's state, for a run's steps, `lrroll status` and reconcile alike.

const STATES: Record<string, MemberState['state']> = {
  UP: 'UP',
  DOWN: 'DOWN',
  DRAIN: 'DRAIN',
  DRAINING: 'DRAIN',
  MAINT: 'MAINT',
  MAINTENANCE: 'MAINT',
};

/**
 * Reads the output of a command load balancer's `status` command: its first word, case-insensitive,
 * as UP, DOWN, DRAIN (or DRAINING) or MAINT (or MAINTENANCE); anything else is UNKNOWN. A word that
 * only starts like a state (`UPDATING`, `UPGRADING`) is not that state: a member that is not plainly
 * UP must not count as healthy capacity nor as back in rotation.
 */
export function parseStatusOutput(stdout: string): MemberState['state'] {
  const word = stdout.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  return STATES[word] ?? 'UNKNOWN';
}

/** Reads the output of a command load balancer's `sessions` command: a non-negative integer, else null. */
export function parseSessionsOutput(stdout: string): number | null {
  const t = stdout.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

/** A command load balancer's member as its status command reports it; the raw text is the first line. */
export function commandMemberState(statusStdout: string, sessions: number | null = null): MemberState {
  const raw = statusStdout.trim();
  return { state: parseStatusOutput(raw), raw: raw.split('\n')[0] ?? '', sessions };
}

/**
 * True when the member is UP and settled. HAProxy reports `UP 1/3` (rising health checks) right
 * after `ready` even for a dead server: only an UP without such a count means the checks passed.
 */
export function isSettledUp(s: MemberState): boolean {
  return s.state === 'UP' && !/\d+\/\d+/.test(s.raw);
}
