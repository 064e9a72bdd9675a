// The members a cluster gate expects, as the plan holds them (plan/cluster-view.ts, plan/health-gates.ts) and as
// a run reads them (execute/waits.ts).

/** The members a gate's view should show: the cluster's nodes but those starting later. */
export function runningMembers(clusterNodes: readonly string[], startingLater: readonly string[]): string[] {
  if (startingLater.length === 0) return [...clusterNodes];
  const later = new Set(startingLater);
  return clusterNodes.filter((n) => !later.has(n));
}

/** Names for a title or a message: all of them up to `max`, else the first `max` and how many more. */
export function someNames(names: readonly string[], max = 3): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
