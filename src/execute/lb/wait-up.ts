import type { Clock } from '../context.js';
import type { MemberState } from './driver.js';
import { isSettledUp } from './member-state.js';

/** How to wait for a member: the deadline, how often to look, and for how long to look fast at first. */
interface WaitUpOptions {
  clock: Clock;
  signal: AbortSignal;
  timeoutMs: number;
  pollMs: number;
  /** At first a member is usually UP within a couple of health checks: look every `fastPollMs` for `fastForMs`. */
  fastPollMs: number;
  fastForMs: number;
  /** Called with each state read that is not yet UP. */
  onPoll?: (s: MemberState) => void;
}

/**
 * How the wait ended: UP (with what the load balancer said), or not by the deadline / interrupted, with the last state
 * seen.
 */
interface WaitUpResult {
  up: boolean;
  interrupted: boolean;
  /** The last state's raw text (`unknown` when none was read). */
  last: string;
}

/**
 * How long to wait before the next look, `elapsedMs` into a wait: `fastPollMs` during the first `fastForMs`, then
 * `pollMs`.
 */
export function pollDelayMs(elapsedMs: number, o: { pollMs: number; fastPollMs: number; fastForMs: number }): number {
  return elapsedMs < o.fastForMs ? Math.min(o.fastPollMs, o.pollMs) : o.pollMs;
}

/** Reads the member's state until it is settled UP, the deadline passes or the signal aborts. */
export async function waitUntilUp(read: () => Promise<MemberState>, o: WaitUpOptions): Promise<WaitUpResult> {
  const started = o.clock.now();
  const deadline = started + o.timeoutMs;
  let last = 'unknown';
  while (o.clock.now() < deadline && !o.signal.aborted) {
    const s = await read();
    last = s.raw || s.state;
    if (isSettledUp(s)) return { up: true, interrupted: false, last };
    o.onPoll?.(s);
    await o.clock.sleep(pollDelayMs(o.clock.now() - started, o), o.signal);
  }
  return { up: false, interrupted: o.signal.aborted, last };
}

/** Puts a member back into rotation and waits until the load balancer reports it settled UP. */
export async function enableAndWaitUp(
  enable: () => Promise<void>,
  read: () => Promise<MemberState>,
  o: WaitUpOptions,
): Promise<WaitUpResult> {
  await enable();
  return waitUntilUp(read, o);
}
