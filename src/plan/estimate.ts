import { batchTime } from '../domain/batch-time.js';
import type { Batch, Estimate, NodeStep, Step } from './types.js';

const sum = (steps: readonly Step[], pick: (s: Step) => number): number => steps.reduce((t, s) => t + pick(s), 0);

/**
 * Estimates the run: preflight uploads run in parallel across nodes; inside a batch the prepare
 * phases run in parallel, the start phases one node at a time, and the return phase of the last
 * node closes the batch.
 */
export function estimatePlan(
  preflight: readonly Step[],
  beforeRun: readonly Step[],
  batches: readonly Batch[],
  final: readonly Step[],
  clusterSize: number,
): Estimate {
  const byNode = new Map<string, Step[]>();
  for (const s of preflight) byNode.set(s.node ?? '', [...(byNode.get(s.node ?? '') ?? []), s]);
  const preflightExpected = Math.max(0, ...[...byNode.values()].map((steps) => sum(steps, (s) => s.expectSec)));
  const preflightWorst = Math.max(0, ...[...byNode.values()].map((steps) => sum(steps, (s) => s.timeoutSec)));
  let expected = preflightExpected + sum(beforeRun, (s) => s.expectSec) + sum(final, (s) => s.expectSec);
  let worst = preflightWorst + sum(beforeRun, (s) => s.timeoutSec) + sum(final, (s) => s.timeoutSec);
  let outOfRotation = 0;
  let downtime = 0;
  for (const b of batches) {
    expected += batchTime(b, (s) => s.expectSec);
    worst += batchTime(b, (s) => s.timeoutSec);
    for (const np of b.nodePlans) outOfRotation = Math.max(outOfRotation, outOfRotationTime(np.steps));
    if (b.nodes.length >= clusterSize) downtime += batchDowntime(b);
  }
  return {
    expectedSec: Math.round(expected),
    worstCaseSec: Math.round(worst),
    outOfRotationSec: Math.round(outOfRotation),
    downtimeSec: Math.round(downtime),
  };
}

/**
 * Expected downtime of a batch that takes every node out: from the stops (every node is drained by
 * then, so no new user gets in) until the first node to start is back in the load balancer.
 */
function batchDowntime(b: Batch): number {
  const afterDrain = (steps: readonly NodeStep[]): NodeStep[] =>
    steps.slice(steps.findIndex((s) => s.action === 'service-stop') + 1).filter((s) => s.phase === 'prepare');
  const stop = (steps: readonly NodeStep[]): number =>
    sum(
      steps.filter((s) => s.action === 'service-stop'),
      (s) => s.expectSec,
    );
  const prepared = Math.max(
    0,
    ...b.nodePlans.map((np) => stop(np.steps) + sum(afterDrain(np.steps), (s) => s.expectSec)),
  );
  const first = b.nodePlans[0];
  if (!first) return 0;
  const upAgain = first.steps
    .slice(0, first.steps.findIndex((s) => s.action === 'lb-wait-up') + 1 || first.steps.length)
    .filter((s) => s.phase !== 'prepare');
  return prepared + sum(upAgain, (s) => s.expectSec);
}

/** Expected time from the drain to the LB reporting the node UP again. */
function outOfRotationTime(steps: readonly NodeStep[]): number {
  const from = steps.findIndex((s) => s.action === 'lb-drain');
  const to = steps.findIndex((s) => s.action === 'lb-wait-up');
  if (from < 0 || to < 0)
    return sum(
      steps.filter((s) => s.phase !== 'return'),
      (s) => s.expectSec,
    );
  return sum(steps.slice(from, to + 1), (s) => s.expectSec);
}
