import type { Batch } from '../plan/types.js';

/**
 * Lets the nodes of a batch start one at a time, in batch order (and, for full restarts, only once all are prepared).
 */
export class StartGate {
  private readonly prepared: Array<Promise<void>>;
  private readonly preparedResolvers: Array<() => void> = [];
  private readonly started: Array<Promise<void>>;
  private readonly startedResolvers: Array<() => void> = [];

  constructor(private readonly batch: Batch) {
    this.prepared = batch.nodePlans.map(() => new Promise<void>((r) => this.preparedResolvers.push(r)));
    this.started = batch.nodePlans.map(() => new Promise<void>((r) => this.startedResolvers.push(r)));
  }

  /** The node finished (or gave up) its prepare phase. */
  markPrepared(i: number): void {
    this.preparedResolvers[i]?.();
  }

  /** Waits for the node's turn to start. */
  async turn(i: number): Promise<void> {
    if (this.batch.startAfterAllPrepared) await Promise.all(this.prepared);
    if (i > 0) await this.started[i - 1];
  }

  /** The node finished (or gave up) its start phase: the next one may start. */
  done(i: number): void {
    this.preparedResolvers[i]?.();
    this.startedResolvers[i]?.();
  }
}
