import { someNames } from '../domain/name-list.js';
import { STEP_DEADLINES, TIMINGS } from './defaults.js';
import { makeStep } from './step.js';
import type { CapacityNode, CheckCapacityStep } from './types.js';

/**
 * The capacity check of a rolling batch: at least `minHealthy` of the nodes outside the batch
 * must be healthy — UP in the load balancer *and* answering their own health probe. `node` is
 * null for the check before the batch starts, or the node whose drain it guards (the same check
 * again, immediately before that node leaves the load balancer).
 */
export function capacityStep(
  batchNodes: readonly string[],
  minHealthy: number,
  others: readonly CapacityNode[],
  node: string | null,
): CheckCapacityStep {
  // At most three names: the title is in every check of the batch, so naming them all grows with the square of it.
  const out = `${someNames(batchNodes)} ${batchNodes.length === 1 ? 'is' : 'are'} out`;
  const how = others.some((o) => o.member !== null)
    ? others.some((o) => o.probe !== null)
      ? 'UP in the load balancer and answering their health probe'
      : 'UP in the load balancer'
    : 'answering their health probe';
  return makeStep<CheckCapacityStep>({
    action: 'check-capacity',
    node,
    title:
      node === null
        ? `at least ${minHealthy} healthy node(s) stay in the load balancer while ${out}`
        : `re-check right before the drain: at least ${minHealthy} healthy node(s) stay while ${out}`,
    // The batch's one list, shared like `others` below.
    batchNodes: batchNodes as string[],
    minHealthy,
    // The same list for every check of a batch (not a copy per node): the plan is never mutated, and copying it per
    // node made a plan's size and planning time grow with the square of the nodes.
    others: others as CapacityNode[],
    readTimeoutSec: TIMINGS.remoteCheckSec,
    probeTimeoutSec: TIMINGS.probeSec,
    timeoutSec: STEP_DEADLINES.capacitySec,
    expectSec: 1,
    waitsFor: `${others.length} node(s) outside the batch ${how} (≥ ${minHealthy})`,
  });
}
