/** The JGroups view a node's cluster gate waits for, decided from the plan alone. */
export interface ExpectedView {
  /** The smallest member count that proves the node joined the nodes running at that point. */
  size: number;
  /** The plan's nodes that are running when this node starts (it included), in inventory order. */
  members: string[];
  /** Nodes of the same batch that start after this one: the plan still has them down. */
  down: string[];
}

/**
 * What the cluster view must reach when `node` starts: every node of the cluster except the
 * nodes of its batch that start after it (in a rolling batch of two or more, and in a full
 * restart, those are still stopped). `declaredSize` (health.cluster.expectedSize) replaces the
 * inventory's size as the size of the whole cluster, for clusters with members outside the
 * inventory.
 */
export function expectedView(
  clusterNodes: readonly string[],
  startOrder: readonly string[],
  node: string,
  declaredSize: number | null,
): ExpectedView {
  const at = startOrder.indexOf(node);
  const down = at < 0 ? [] : startOrder.slice(at + 1);
  const later = new Set(down);
  // With no batch-mate starting later the view is the whole cluster: every such node's gate holds the caller's one
  // list (never changed) rather than a copy each, which with `serial: 1` made the plan grow with the square of the
  // nodes.
  const members = down.length === 0 ? (clusterNodes as string[]) : clusterNodes.filter((n) => !later.has(n));
  const size = Math.max(1, (declaredSize ?? clusterNodes.length) - down.length);
  return { size, members, down };
}
