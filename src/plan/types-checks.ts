// Fields every step has, and the preflight checks. Part of the plan's shape (PLAN_FORMAT_VERSION in types-plan.ts,
// schemas/plan.schema.json).

/** Where a step's command runs. */
export type RunOn = 'node' | 'local' | 'lb' | 'webhook';

/** Fields every step has. */
export interface StepBase {
  /** Stable id, unique in the plan: `<scope>/<node>/<nn>-<action>` (used by the journal and resume). */
  id: string;
  /** One-line human title. */
  title: string;
  /** The node this step belongs to, or null for run-level steps. */
  node: string | null;
  /** Where the command runs. */
  runOn: RunOn;
  /**
   * The exact shell command (or null when the step is an API call or a wait). Secrets appear only as `"${NAME}"`
   * references.
   */
  command: string | null;
  /**
   * The load-balancer API call (HAProxy runtime command, balancer-manager/jkstatus request) when the step makes one,
   * else null.
   */
  api: string | null;
  /** Run the command through sudo (`sudo -n`, or with the node's sudo password, see PlanNode.becomePassword). */
  become: boolean;
  /**
   * Environment variables (secrets) the executor must pass to the command, by name. Values never appear in the plan.
   */
  secretEnv: string[];
  /** Hard deadline in seconds for the whole step. */
  timeoutSec: number;
  /** Expected duration in seconds, used for the estimate and the ETA. */
  expectSec: number;
  /** What the step waits for, in words, or null for a plain action. */
  waitsFor: string | null;
  /** True when this step cannot be undone by lrroll (a rollback past it is impossible). */
  pointOfNoReturn: boolean;
}

/**
 * A step whose work is its shell command, so `command` is never null: the executor runs it as planned, and the
 * compiler refuses a builder that leaves it out.
 */
export interface CommandStep extends StepBase {
  command: string;
}
/**
 * Preflight: sudo works on the node as the plan needs it (passwordless, or with the password from `passwordFrom`),
 * before any step relies on it.
 */
export interface CheckSudoStep extends CommandStep {
  action: 'check-sudo';
  /** The user commands run as (`sudo -u`), or null for root. */
  user: string | null;
  /** The secret holding the sudo password, or null for passwordless `sudo -n`. */
  passwordFrom: string | null;
}
/**
 * Preflight: every program the node's commands use is installed (derived from those commands); `tail -F` works when
 * logs are followed.
 */
export interface CheckToolsStep extends CommandStep {
  action: 'check-tools';
  /** The programs looked for, sorted. */
  tools: string[];
}
/** Preflight: the node is reachable and its Liferay Home exists. */
export interface CheckReachableStep extends CommandStep {
  action: 'check-reachable';
  path: string;
}
/** Preflight: the app server runs and answers the health probe. */
export interface CheckNodeHealthyStep extends CommandStep {
  action: 'check-node-healthy';
  url: string;
  status: number[];
}
/** Preflight: the LB member exists and is UP. */
export interface CheckLbMemberStep extends StepBase {
  action: 'check-lb-member';
  member: string;
  readTimeoutSec: number;
}
/**
 * Preflight, on a healthy node: the configured status command says the app server runs, and the stop/start commands
 * exist.
 */
export interface CheckServiceStep extends CommandStep {
  action: 'check-service';
  statusCommand: string;
}
/** Preflight: enough free space for the staged artifacts and backups. */
export interface CheckDiskStep extends CommandStep {
  action: 'check-disk';
  path: string;
  requiredBytes: number;
}
/** Preflight: upload an artifact to the node's staging folder, skipped when the checksum already matches. */
export interface UploadStep extends CommandStep {
  action: 'upload';
  /**
   * Local path, relative to the folder of the playbook (`source.file`), so the plan hash does not depend on the
   * checkout location.
   */
  localPath: string;
  /** Destination on the node. */
  remotePath: string;
  sha256: string;
  size: number;
  /** Deadline of the checksum command. */
  checksumTimeoutSec: number;
}
/**
 * Preflight: the installed schema version of a bundle must be compatible with the new one (and be what the node facts
 * say, when they say it).
 */
export interface CheckSchemaVersionStep extends CommandStep {
  action: 'check-schema-version';
  bundle: string;
  newVersion: string;
  /**
   * What the verdict took as installed on this node (declared or gathered facts), or null when preflight only reads it.
   */
  expected: { installed: boolean; schemaVersion: string | null } | null;
}
/**
 * Preflight: the installed fix pack level must equal `expected` (when known: declared or gathered; `''` for none), and
 * moving from it to `target` (up or down) must not cross a level in `breakingLevels`.
 */
export interface CheckPatchLevelStep extends CommandStep {
  action: 'check-patch-level';
  /**
   * The level the verdict took as installed (`from`, or a node fact; `''`: no fix pack), or null when it is only read.
   */
  expected: string | null;
  /** The level the change moves to, e.g. `dxp-15` (a removal: the level it returns to). */
  target: string;
  /** Known breaking levels (shipped list plus the playbook's). */
  breakingLevels: string[];
}
/** Preflight: the Java the app server starts with now must have the major version of `expected`. */
export interface CheckJavaVersionStep extends CommandStep {
  action: 'check-java-version';
  expected: string;
}
/**
 * Preflight: the node runs the Liferay release `expected`, and no bundle of the new release moves its schema version
 * major/minor against the node's.
 */
export interface CheckReleaseStep extends CommandStep {
  action: 'check-release';
  /** The release the node must run now, e.g. `2024.q1.1` or `7.4.13-u92`. */
  expected: string;
  /**
   * Service Builder bundles of the new release and the `Liferay-Require-SchemaVersion` each needs (empty for a hotfix).
   */
  schemas: Array<{ bundle: string; schemaVersion: string }>;
}

/** A node outside a batch, and how the capacity check tells whether it is healthy. */
export interface CapacityNode {
  node: string;
  /** Its load-balancer member (must be UP), or null without a load balancer. */
  member: string | null;
  /** Its HTTP probe command (runs on the node; must answer one of `status`), or null when the playbook has none. */
  probe: string | null;
  status: number[];
  /**
   * `type: command` only: the playbook's `status` command for this member, so a node outside a `--limit` is read too;
   * null for the other load balancers (their driver reads it).
   */
  lbStatus: LbStatusCall | null;
  /**
   * The load-balancer API read of this member (as the node's own `check-lb-member` shows it), or null for `command` and
   * `none`.
   */
  lbRead: string | null;
}

/** How the capacity check runs a command load balancer's `status` for one member. */
export interface LbStatusCall {
  command: string;
  runOn: RunOn;
  become: boolean;
  secretEnv: string[];
}

/**
 * Rolling: the rest of the cluster must stay at or above the healthy minimum while this batch is out (checked before
 * the batch, and again right before each node's drain).
 */
export interface CheckCapacityStep extends StepBase {
  action: 'check-capacity';
  /** Nodes this batch takes out. */
  batchNodes: string[];
  /** The minimum of healthy in-rotation nodes that must remain. */
  minHealthy: number;
  /** Every node outside the batch: a node counts as healthy only when its member is UP and its own probe answers. */
  others: CapacityNode[];
  /** Deadline of one member read and of one probe. */
  readTimeoutSec: number;
  probeTimeoutSec: number;
}
