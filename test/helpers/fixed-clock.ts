import type { Clock } from '../../src/execute/context.js';

/** 2025-01-07T02:00:00Z: a Tuesday night, inside the example maintenance windows. */
export const FIXED_START_MS = Date.UTC(2025, 0, 7, 2, 0, 0);

let seq = 0;

/** A logical clock shared by every fake: numbers calls so the call logs of different fakes merge in order. */
export function nextSeq(): number {
  seq += 1;
  return seq;
}

/**
 * A Clock on virtual time: `sleep` advances `now()` at once (so drain timeouts, settle times and
 * polling deadlines pass instantly and do expire) and then yields one macrotask, so loops that
 * only sleep cannot starve the fakes' replies.
 */
export class FixedClock implements Clock {
  private t: number;
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[] = [];
  private readonly listeners = new Set<(now: number) => void>();

  constructor(startMs: number = FIXED_START_MS) {
    this.t = startMs;
  }

  now(): number {
    return this.t;
  }

  /** Moves virtual time forward and tells the listeners (the fakes' deadlines and scheduled log lines). */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
    for (const l of [...this.listeners]) l(this.t);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.advance(ms);
    await new Promise<void>((r) => setImmediate(r));
  }

  /** Calls `listener` after every advance; returns the unsubscribe function. */
  onAdvance(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Milliseconds of virtual time since the clock was created at `startMs`. */
  elapsedSince(startMs: number = FIXED_START_MS): number {
    return this.t - startMs;
  }

  /** The current virtual time as ISO 8601 (what event `at` fields carry). */
  iso(): string {
    return new Date(this.t).toISOString();
  }
}
