import type { RunEvent } from '../execute/events.js';

/**
 * The time left in a run, from this run's own pace: once a batch has finished, the seconds per
 * node it took (drain, stop, change, start, gates, back into the load balancer, as measured)
 * times the nodes still to go; before that, the plan's estimate minus the time elapsed.
 */
export class EtaTracker {
  private expectedSec = 0;
  private startMs: number | null = null;
  private readonly batchNodes = new Map<number, number>();
  private readonly batchStartMs = new Map<number, number>();
  private readonly finished = new Set<number>();
  private measuredMs = 0;
  private measuredNodes = 0;

  /** Feeds one event of the run. */
  onEvent(e: RunEvent): void {
    const at = Date.parse(e.at);
    switch (e.kind) {
      case 'run-start':
        this.expectedSec = e.expectedSec;
        this.startMs = at;
        for (const b of e.batches) this.batchNodes.set(b.index, b.nodes.length);
        break;
      case 'batch-start':
        this.batchStartMs.set(e.batch, at);
        break;
      case 'batch-end': {
        const from = this.batchStartMs.get(e.batch);
        this.finished.add(e.batch);
        if (from !== undefined) {
          this.measuredMs += at - from;
          this.measuredNodes += this.batchNodes.get(e.batch) ?? 0;
        }
        break;
      }
      default:
        break;
    }
  }

  /** True once the ETA comes from this run's measured batches rather than the plan's estimate. */
  get measured(): boolean {
    return this.measuredNodes > 0;
  }

  /** Seconds left at `nowMs` (never negative). */
  remainingSec(nowMs: number): number {
    if (this.startMs === null) return 0;
    if (!this.measured) return Math.max(0, this.expectedSec - (nowMs - this.startMs) / 1000);
    const perNodeSec = this.measuredMs / 1000 / this.measuredNodes;
    let left = 0;
    for (const [index, nodes] of this.batchNodes) {
      if (this.finished.has(index)) continue;
      const started = this.batchStartMs.get(index);
      left += started === undefined ? nodes * perNodeSec : Math.max(0, nodes * perNodeSec - (nowMs - started) / 1000);
    }
    return left;
  }
}
