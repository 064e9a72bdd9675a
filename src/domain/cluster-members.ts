// The members a cluster gate's view should show, from what the plan's wait-cluster step holds (its clusterNodes and
// startingLater, plan/cluster-view.ts): what a run waits for (execute/waits.ts).

/** The members a gate's view should show: the cluster's nodes but those starting later. */
export function runningMembers(clusterNodes: readonly string[], startingLater: readonly string[]): string[] {
  if (startingLater.length === 0) return [...clusterNodes];
  const later = new Set(startingLater);
  return clusterNodes.filter((n) => !later.has(n));
}
