// The members a cluster gate's view should show, from what the plan's wait-cluster step holds (its clusterNodes, its
// batch's startOrder and its node, plan/cluster-view.ts): what a run waits for (execute/waits.ts).

/**
 * The nodes of a batch that start after `node`: still down while its gate waits. The step holds its batch's start
 * order (one list for the batch) rather than this list, which differs for every node and so would make a plan of
 * large batches grow with the square of the batch's size.
 */
export function startingLater(startOrder: readonly string[], node: string): string[] {
  const at = startOrder.indexOf(node);
  return at < 0 ? [] : startOrder.slice(at + 1);
}

/** The members a gate's view should show: the cluster's nodes but those starting later. */
export function runningMembers(clusterNodes: readonly string[], later: readonly string[]): string[] {
  if (later.length === 0) return [...clusterNodes];
  const set = new Set(later);
  return clusterNodes.filter((n) => !set.has(n));
}
