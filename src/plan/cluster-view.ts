/** The JGroups view a node's cluster gate waits for, decided from the plan alone. */
export interface ExpectedView {
  /** The smallest member count that proves the node joined the nodes running at that point. */
  size: number;
  /**
   * The plan's nodes, in inventory order: the same list for every gate of the plan. The members the view should show
   * are these but the nodes of its batch that start after it.
   */
  clusterNodes: string[];
  /** The start order of the node's batch: the caller's one list for the batch, held by every gate of it. */
  startOrder: string[];
  /** How many nodes of the same batch start after this one: the plan still has them down. */
  laterCount: number;
  /** The first of them (at most three), for the gate's title: the whole list would grow with the batch. */
  laterFirst: string[];
}

/**
 * What the cluster view must reach when `node` starts: every node of the cluster except the
 * nodes of its batch that start after it (in a rolling batch of two or more, and in a full
 * restart, those are still stopped). `declaredSize` (health.cluster.expectedSize) replaces the
 * inventory's size as the size of the whole cluster, for clusters with members outside the
 * inventory.
 *
 * Every gate holds the caller's one list of the cluster's nodes rather than its own list of the nodes running, and its
 * batch's one start order rather than its own list of the nodes starting later: those lists differ for each node of a
 * batch, which made a plan of thousands of nodes grow with the square of them.
 */
export function expectedView(
  clusterNodes: readonly string[],
  startOrder: readonly string[],
  node: string,
  declaredSize: number | null,
): ExpectedView {
  const at = startOrder.indexOf(node);
  const laterCount = at < 0 ? 0 : startOrder.length - at - 1;
  const size = Math.max(1, (declaredSize ?? clusterNodes.length) - laterCount);
  return {
    size,
    clusterNodes: clusterNodes as string[],
    startOrder: startOrder as string[],
    laterCount,
    laterFirst: at < 0 ? [] : startOrder.slice(at + 1, at + 4),
  };
}
