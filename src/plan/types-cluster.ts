/**
 * The plan's steps around the batches: the cluster lock, the reconcile of nodes an earlier run left
 * out of the load balancer, and what `lrroll status` and `lrroll unlock` read and do. Part of the
 * plan's shape (PLAN_FORMAT_VERSION in types.ts, schemas/plan.schema.json).
 */

/**
 * A value known only when the step runs, written `{name}` in the step's command and filled in,
 * shell-quoted, in one place (`fillPlaceholders`, src/shell/quote.ts):
 * `owner` this run's owner record (JSON), `runId` this run's id (a resumed run keeps the id of the
 * run it continues), `heldRunId` the run id read from the lock being broken (empty when unreadable),
 * `keep` the runs `lrroll clean --keep` keeps.
 */
export type Placeholder = 'owner' | 'runId' | 'heldRunId' | 'keep';

/** What a cluster step does. */
export type ClusterAction =
  | 'lock-take'
  | 'lock-take-over'
  | 'lock-refresh'
  | 'lock-release'
  | 'lock-read'
  | 'lock-break'
  | 'read-app'
  | 'read-http'
  | 'read-patches'
  | 'lb-put-back'
  | 'lb-wait-up'
  | 'read-footprint'
  | 'prune'
  | 'read-facts'
  | 'read-diff'
  | 'read-lb-members'
  | 'read-lb-member'
  | 'read-lb-sessions';

/** One remote action of the lock, reconcile, `status` or `unlock`. */
export interface ClusterStep {
  /** Stable id, unique in the plan: `cluster/<section>/<node>/<action>`. */
  id: string;
  action: ClusterAction;
  title: string;
  /** The node it is about; for a read of a whole load-balancer instance (`read-lb-members`), that instance's name. */
  node: string;
  /** Where it runs: on the node, or (putting a member back) the load balancer's host or this machine. */
  runOn: 'node' | 'local' | 'lb';
  /** The exact shell command, with `{placeholder}`s; null when the step is a load-balancer API call. */
  command: string | null;
  /** The load-balancer API call, or null. */
  api: string | null;
  become: boolean;
  secretEnv: string[];
  /** The placeholders the command holds. */
  placeholders: Placeholder[];
  /** Deadline of one attempt, in seconds. */
  timeoutSec: number;
  /** When it runs, in words (null: always, in its section). */
  when: string | null;
}

/** The lock's steps on one node (every node of the inventory, whatever `--limit`). */
export interface LockNodeSteps {
  node: string;
  /** `<liferayHome>/.lrroll/lock`. */
  dir: string;
  take: ClusterStep;
  takeOver: ClusterStep;
  refresh: ClusterStep;
  release: ClusterStep;
  read: ClusterStep;
  break: ClusterStep;
}

/**
 * The cluster's run lock: taken node by node in `nodes` order before the first batch, refreshed while the run holds it,
 * released after.
 */
export interface PlanLock {
  nodes: LockNodeSteps[];
  /** A lock refreshed less recently than this is reported stale (never broken silently). */
  staleAfterSec: number;
  /** How often the run refreshes its lock (and checks it is still its own). */
  refreshSec: number;
  /** `--lock-wait`: the shortest and longest pause between two attempts. */
  waitPollSec: { min: number; max: number };
}

/** How the reconcile checks one node an earlier run left out, and puts it back. */
export interface ReconcileNodeSteps {
  node: string;
  member: string;
  /** The app server runs (null: the plan has no status command for it). */
  app: ClusterStep | null;
  /** The node's HTTP probe, and the answers that count as healthy (null: no HTTP gate). */
  http: ClusterStep | null;
  status: number[];
  /** Puts the member back (every instance). */
  putBack: ClusterStep;
  /** Waits until the load balancer reports it UP (a command load balancer: its `status` command). */
  waitUp: ClusterStep;
  /** Pause between two reads of the member's state. */
  pollSec: number;
}

/** What `lrroll status` reads on one node (read-only). */
export interface StatusNodeSteps {
  node: string;
  app: ClusterStep | null;
  http: ClusterStep | null;
  patches: ClusterStep;
}

/** What `lrroll clean` runs on one node: reads what earlier runs left under `.lrroll`, then removes it. */
export interface CleanNodeSteps {
  node: string;
  footprint: ClusterStep;
  /** Keeps the last `{keep}` runs' backups and staged files. */
  prune: ClusterStep;
}

/** One thing a change would touch on a node, and how `lrroll diff` reads it. */
export interface DiffRead {
  /** The change, by its 0-based index in the playbook. */
  change: number;
  /** An edited file, a file put in place or removed, the installed patches, a bundle's installed copies. */
  kind: 'edit' | 'file' | 'patches' | 'module';
  /** The read of what the node has now. */
  now: ClusterStep;
  /** An edit only: the file as the change would leave it (the apply step's own filter, to standard output). */
  after: ClusterStep | null;
}

/** What `lrroll diff` reads on one node the plan changes (read-only, with the rights the change writes with). */
export interface DiffNodeSteps {
  node: string;
  /** One entry per thing a change would touch that can be read beforehand, in change order. */
  reads: DiffRead[];
}

/** The steps around the batches. */
export interface PlanCluster {
  lock: PlanLock;
  /** One entry per node of the inventory with a load balancer (empty without one). */
  reconcile: ReconcileNodeSteps[];
  status: StatusNodeSteps[];
  /**
   * What `lrroll status` reads of the load balancer: every member of each instance (`read-lb-members`, one request
   * each), or for a `command` load balancer each node's member with its `status` and `sessions` commands; empty
   * without a load balancer.
   */
  statusLb: ClusterStep[];
  /** What `lrroll clean` runs, per node (every node of the inventory). */
  clean: CleanNodeSteps[];
  /** What `lrroll facts` reads, one step per node. */
  facts: ClusterStep[];
  /** What `lrroll diff` reads, per node the plan changes. */
  diff: DiffNodeSteps[];
}
