/**
 * The plan: everything a run will do, fully resolved, as JSON-serializable data.
 * `lrroll plan` and `lrroll run --dry-run` render it; `lrroll run` executes this same object.
 * PLAN_FORMAT_VERSION must be bumped on any change to these types (and schemas/plan.schema.json).
 */
import type { PlanCluster } from './types-cluster.js';
import type { PlanFacts, Verdict } from './verdict-model.js';

export const PLAN_FORMAT_VERSION = 3;

export type { ClusterAction, ClusterStep, LockNodeSteps, Placeholder, PlanCluster, PlanLock, ReconcileNodeSteps, StatusNodeSteps } from './types-cluster.js';

export type { AppliedOverride, ChangeVerdict, FactSource, FactUse, KnownFact, PlanFacts, PlanNodeFacts, Verdict, VerdictBasis, VerdictLevel } from './verdict-model.js';

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
  /** The exact shell command (or null when the step is an API call or a wait). Secrets appear only as `"${NAME}"` references. */
  command: string | null;
  /** The load-balancer API call (HAProxy runtime command, balancer-manager/jkstatus request) when the step makes one, else null. */
  api: string | null;
  /** Run the command through sudo (`sudo -n`, or with the node's sudo password, see PlanNode.becomePassword). */
  become: boolean;
  /** Environment variables (secrets) the executor must pass to the command, by name. Values never appear in the plan. */
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

/** Preflight: sudo works on the node as the plan needs it (passwordless, or with the password from `passwordFrom`), before any step relies on it. */
export interface CheckSudoStep extends StepBase {
  action: 'check-sudo';
  /** The user commands run as (`sudo -u`), or null for root. */
  user: string | null;
  /** The secret holding the sudo password, or null for passwordless `sudo -n`. */
  passwordFrom: string | null;
}
/** Preflight: every program the node's commands use is installed (derived from those commands); `tail -F` works when logs are followed. */
export interface CheckToolsStep extends StepBase {
  action: 'check-tools';
  /** The programs looked for, sorted. */
  tools: string[];
}
/** Preflight: the node is reachable and its Liferay Home exists. */
export interface CheckReachableStep extends StepBase { action: 'check-reachable'; path: string }
/** Preflight: the app server runs and answers the health probe. */
export interface CheckNodeHealthyStep extends StepBase { action: 'check-node-healthy'; url: string; status: number[] }
/** Preflight: the LB member exists and is UP. */
export interface CheckLbMemberStep extends StepBase { action: 'check-lb-member'; member: string; readTimeoutSec: number }
/** Preflight, on a healthy node: the configured status command says the app server runs, and the stop/start commands exist. */
export interface CheckServiceStep extends StepBase { action: 'check-service'; statusCommand: string }
/** Preflight: enough free space for the staged artifacts and backups. */
export interface CheckDiskStep extends StepBase { action: 'check-disk'; path: string; requiredBytes: number }
/** Preflight: upload an artifact to the node's staging folder, skipped when the checksum already matches. */
export interface UploadStep extends StepBase {
  action: 'upload';
  /** Local path, relative to the folder of the playbook (`source.file`), so the plan hash does not depend on the checkout location. */
  localPath: string;
  /** Destination on the node. */
  remotePath: string;
  sha256: string;
  size: number;
  /** Deadline of the checksum command. */
  checksumTimeoutSec: number;
}
/** Preflight: the installed schema version of a bundle must be compatible with the new one (and be what the node facts say, when they say it). */
export interface CheckSchemaVersionStep extends StepBase {
  action: 'check-schema-version';
  bundle: string;
  newVersion: string;
  /** What the verdict took as installed on this node (declared or gathered facts), or null when preflight only reads it. */
  expected: { installed: boolean; schemaVersion: string | null } | null;
}
/** Preflight: the installed fix pack level must equal `expected` (when known: declared or gathered; `''` for none), and moving from it to `target` (up or down) must not cross a level in `breakingLevels`. */
export interface CheckPatchLevelStep extends StepBase {
  action: 'check-patch-level';
  /** The level the verdict took as installed (`from`, or a node fact; `''`: no fix pack), or null when it is only read. */
  expected: string | null;
  /** The level the change moves to, e.g. `dxp-15` (a removal: the level it returns to). */
  target: string;
  /** Known breaking levels (shipped list plus the playbook's). */
  breakingLevels: string[];
}
/** Preflight: the Java the app server starts with now must have the major version of `expected`. */
export interface CheckJavaVersionStep extends StepBase { action: 'check-java-version'; expected: string }
/** Preflight: the node runs the Liferay release `expected`, and no bundle of the new release moves its schema version major/minor against the node's. */
export interface CheckReleaseStep extends StepBase {
  action: 'check-release';
  /** The release the node must run now, e.g. `2024.q1.1` or `7.4.13-u92`. */
  expected: string;
  /** Service Builder bundles of the new release and the `Liferay-Require-SchemaVersion` each needs (empty for a hotfix). */
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
  /** `type: command` only: the playbook's `status` command for this member, so a node outside a `--limit` is read too; null for the other load balancers (their driver reads it). */
  lbStatus: LbStatusCall | null;
  /** The load-balancer API read of this member (as the node's own `check-lb-member` shows it), or null for `command` and `none`. */
  lbRead: string | null;
}

/** How the capacity check runs a command load balancer's `status` for one member. */
export interface LbStatusCall {
  command: string;
  runOn: RunOn;
  become: boolean;
  secretEnv: string[];
}

/** Rolling: the rest of the cluster must stay at or above the healthy minimum while this batch is out (checked before the batch, and again right before each node's drain). */
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
/** Takes the member out of rotation for new sessions. */
export interface LbDrainStep extends StepBase { action: 'lb-drain'; member: string; readTimeoutSec: number }
/** Waits for the member's sessions to reach zero, then the configured hard step. */
export interface LbWaitDrainedStep extends StepBase {
  action: 'lb-wait-drained';
  member: string;
  pollSec: number;
  onTimeout: 'maint' | 'maint-and-shutdown-sessions' | 'fail';
  /** False when the load balancer cannot count the member's sessions (a command load balancer without `sessions`): the step is a fixed wait of `timeoutSec`, then the hard step. */
  countsSessions: boolean;
  /** The hard-step command run on timeout (null for `fail` or when the LB driver does it through its API). */
  hardCommand: string | null;
  /** Deadline of one read (or command) of the load balancer. */
  readTimeoutSec: number;
  /** After the hard step: how long requests in flight get, polled every `settlePollSec` at most. */
  settleAfterHardSec: number;
  settlePollSec: number;
  /** A fixed wait says every `heartbeatSec` how long is left. */
  heartbeatSec: number;
}
/** Puts the member back into rotation. */
export interface LbEnableStep extends StepBase { action: 'lb-enable'; member: string; readTimeoutSec: number }
/** Waits until the LB reports the member UP. */
export interface LbWaitUpStep extends StepBase {
  action: 'lb-wait-up';
  member: string;
  pollSec: number;
  readTimeoutSec: number;
  /** Looks every `fastPollSec` during the first `fastPollForSec`, then every `pollSec`. */
  fastPollSec: number;
  fastPollForSec: number;
}
/** Stops the app server; on timeout runs `forceCommand`. It succeeds only when the process is observed gone: the status command says stopped and the HTTP probe finds nothing listening. */
export interface ServiceStopStep extends StepBase {
  action: 'service-stop';
  forceCommand: string;
  statusCommand: string;
  /** The node's HTTP probe: after the stop nothing may answer it (null without an HTTP health gate). */
  probeCommand: string | null;
  /** Deadline of the status and force commands, and of the probe. */
  checkTimeoutSec: number;
  probeTimeoutSec: number;
}
/** Starts the app server; the executor records the log positions first, so health gates read only new lines. */
export interface ServiceStartStep extends StepBase {
  action: 'service-start';
  logs: string[];
  /** Per log (same order): the command that prints its size before the start, so the gates read only what this start writes. */
  logSizes: SideCommand[];
}
/** A command a step runs besides its own `command`, with its deadline; `{firstByte}` in it is filled at run time. */
export interface SideCommand {
  command: string;
  become: boolean;
  timeoutSec: number;
}
/** What a log gate runs: the log followed from this start's first byte, and the app server's process watched. */
export type LogGateCommands = Pick<WaitLogMarkerStep, 'follow' | 'processWatch' | 'heartbeatSec'>;
/** Backs up every path the changes touch, into a folder of this run. */
export interface BackupStep extends StepBase {
  action: 'backup';
  paths: string[];
  /** `<liferayHome>/.lrroll/backups/$LRROLL_RUN_ID`: the executor passes the run id in LRROLL_RUN_ID, so every run backs up into its own folder. */
  backupDir: string;
  restoreCommand: string;
}
/** Applies one change (its commands in order). */
export interface ApplyStep extends StepBase {
  action: 'apply';
  /** Index of the change in the playbook's change list. */
  change: number;
  changeType: string;
  /** The command that reverts this change after the backup is restored (null when the restore is enough). */
  revertCommand: string | null;
}
/** Verifies one change after apply (e.g. patching-tool info shows the new level). */
export interface VerifyStep extends StepBase { action: 'verify'; change: number }
/** Waits for the Tomcat startup line written after this start. */
export interface WaitLogMarkerStep extends StepBase {
  action: 'wait-log-marker';
  log: string;
  pattern: string;
  /** `tail -c +{firstByte} -F <log>`. */
  follow: SideCommand;
  /** The service's status command, every `intervalSec`: the gate fails as soon as the process is gone; null: not watched. */
  processWatch: (SideCommand & { intervalSec: number }) | null;
  /** How often a gate that sees nothing new says what it still waits for. */
  heartbeatSec: number;
}
/** Polls an HTTP URL until the status (and body) match. */
export interface WaitHttpStep extends StepBase {
  action: 'wait-http';
  url: string;
  status: number[];
  bodyMatch: string | null;
  intervalSec: number;
  /** Passing attempts needed in a row (a failing one starts the count again). */
  successes: number;
  /** Time one attempt may take. */
  attemptSec: number;
  /** Deadline of one attempt as a whole (the attempt's own limit plus a grace). */
  attemptDeadlineSec: number;
}
/** Waits until the JGroups view on each channel has at least the members the plan has running at that point. */
export interface WaitClusterStep extends StepBase {
  action: 'wait-cluster';
  follow: SideCommand;
  processWatch: (SideCommand & { intervalSec: number }) | null;
  heartbeatSec: number;
  log: string;
  /** The member count every channel's view must reach: the cluster's size minus the batch-mates that start after this node. */
  expectedSize: number;
  /** The plan's nodes running when this node starts (it included): the members the view should show. */
  members: string[];
  /** Nodes of the same batch that start after this one: still down while this gate waits. */
  startingLater: string[];
  channels: string[];
  pattern: string;
}
/** Waits for `STARTED <bundle>_<version>` lines. */
export interface WaitModulesStep extends StepBase {
  action: 'wait-modules';
  log: string;
  bundles: string[];
  pattern: string;
  follow: SideCommand;
  processWatch: (SideCommand & { intervalSec: number }) | null;
  heartbeatSec: number;
}
/** Asks the node's Gogo shell until no OSGi component is unsatisfied, `successes` times in a row. */
export interface WaitOsgiStep extends StepBase {
  action: 'wait-osgi';
  port: number;
  /** The Gogo diagnostics run (`scr:list`, `dm wtf`), in order. */
  commands: GogoCommand[];
  /** Texts that, found in a component's name or a `dm wtf` line, keep it from counting. */
  ignore: string[];
  intervalSec: number;
  successes: number;
  /** Time one Gogo session may take. */
  attemptSec: number;
  /** Deadline of one attempt as a whole (the attempt's own limit plus a grace). */
  attemptDeadlineSec: number;
}
/** A Gogo shell diagnostic the OSGi gate understands. */
export type GogoCommand = 'scr:list' | 'dm wtf';
/** Waits a fixed time after the gates. */
export interface SettleStep extends StepBase { action: 'settle'; seconds: number; heartbeatSec: number }
/** Requests warm-up URLs. */
export interface WarmupStep extends StepBase { action: 'warmup'; urls: string[] }
/** A hook command or webhook. */
export interface HookStep extends StepBase {
  action: 'hook';
  point: HookPoint;
  continueOnError: boolean;
  /**
   * For webhooks: the request (headers/body may hold `${NAME}` secret references the executor fills in).
   * `report`: the body is the run's JSON report summary, built when the hook runs (`body: report`); `body` is then null.
   */
  request: { method: string; url: string; headers: Record<string, string>; body: string | null; report: boolean } | null;
}
/** What the canary bake watches on one canary node; any of it going wrong fails the bake early. */
export interface BakeWatch {
  node: string;
  /** The HTTP probe command (as `wait-http` runs it), or null when the HTTP gate is off. */
  probeCommand: string | null;
  url: string | null;
  status: number[];
  /** Exits 0 while the app server process runs. */
  statusCommand: string;
  /** Run `statusCommand` through `sudo -n`. */
  statusBecome: boolean;
  /** The log scanned for lines written during the bake. */
  log: string;
  /** A line of `log` matching this (extended regular expression) fails the bake; null: the log is not scanned. */
  errorPattern: string | null;
  /** The log's size when the bake begins, and the scan of what was written since (`{firstByte}`); null when the log is not scanned. */
  logSize: SideCommand | null;
  errorScan: SideCommand | null;
  /** Deadline of each look (status, probe, scan). */
  checkTimeoutSec: number;
}
/** Waits before the next batch (canary bake time), checking the canary nodes every `intervalSec`. */
export interface BakeStep extends StepBase { action: 'bake'; seconds: number; intervalSec: number; watch: BakeWatch[] }
/** Asks the operator to continue (canary confirm, approval between batches). */
export interface ConfirmStep extends StepBase { action: 'confirm'; question: string }
/** Rollback: collects the failed node's last log lines, a thread dump and its patch/module state into the run record. */
export interface ForensicsStep extends StepBase { action: 'forensics' }
/** Rollback: restores every backed-up path from this run's backup (`$LRROLL_RUN_ID`, as for the backup). */
export interface RestoreStep extends StepBase { action: 'restore'; backupDir: string }
/** Rollback: undoes one change after the restore (e.g. re-runs the Patching Tool). */
export interface RevertStep extends StepBase { action: 'revert'; change: number }
/** After the last batch: cluster-wide cache clear. */
export interface CacheClearStep extends StepBase { action: 'cache-clear' }
/** After the last batch, per node: keeps the backups and staged artifacts of the last `keep` runs under `path` (this run's included) and removes the rest. */
export interface PruneStep extends StepBase {
  action: 'prune';
  /** The node's `.lrroll` folder. */
  path: string;
  /** Runs kept (`rollout.retention`). */
  keep: number;
}
/** After the last batch: every node reports the same patch level, modules and properties. */
export interface ConsistencyCheckStep extends StepBase {
  action: 'consistency-check';
  nodes: string[];
  /** Node → the command printing its fingerprint, built from that node's own paths (Liferay Home, properties files). */
  fingerprintCommands: Record<string, string>;
  /** Deadline of one node's fingerprint. */
  fingerprintTimeoutSec: number;
}

/** Every kind of step: a closed union (switches on `action` end with a `never` check). */
export type Step =
  | CheckSudoStep
  | CheckToolsStep
  | CheckReachableStep
  | CheckNodeHealthyStep
  | CheckLbMemberStep
  | CheckServiceStep
  | CheckDiskStep
  | UploadStep
  | CheckSchemaVersionStep
  | CheckPatchLevelStep
  | CheckJavaVersionStep
  | CheckReleaseStep
  | CheckCapacityStep
  | LbDrainStep
  | LbWaitDrainedStep
  | LbEnableStep
  | LbWaitUpStep
  | ServiceStopStep
  | ServiceStartStep
  | BackupStep
  | ApplyStep
  | VerifyStep
  | WaitLogMarkerStep
  | WaitHttpStep
  | WaitClusterStep
  | WaitModulesStep
  | WaitOsgiStep
  | SettleStep
  | WarmupStep
  | HookStep
  | BakeStep
  | ConfirmStep
  | CacheClearStep
  | PruneStep
  | ConsistencyCheckStep
  | ForensicsStep
  | RestoreStep
  | RevertStep;

/** The step kinds. */
export type StepAction = Step['action'];

/** Points at which hooks run. */
export type HookPoint = 'beforeRun' | 'afterRun' | 'beforeBatch' | 'afterBatch' | 'beforeNode' | 'afterNode' | 'onFailure';

/** Phase of a node step: `prepare` steps may run in parallel across a batch; `start` steps hold the batch's start lock (one node at a time); `return` steps follow. */
export type StepPhase = 'prepare' | 'start' | 'return';

/** A node step with its phase. */
export type NodeStep = Step & { phase: StepPhase };

/** A node as the plan resolved it. */
export interface PlanNode {
  name: string;
  /** Address or ssh-config alias. */
  host: string;
  transport: 'ssh' | 'local';
  /** SSH port, or null to follow ~/.ssh/config. */
  port: number | null;
  /** SSH user, or null to follow ~/.ssh/config. */
  user: string | null;
  /** Identity file, or null to follow ~/.ssh/config and ssh-agent. */
  identityFile: string | null;
  /** ProxyJump hops (`user@host:port`, comma-separated), or null to follow ~/.ssh/config. */
  proxyJump: string | null;
  /** The user sudo runs commands as (`sudo -u`), or null for root. */
  becomeUser: string | null;
  /** The environment variable (a secret) holding the sudo password, or null for passwordless `sudo -n`. */
  becomePassword: string | null;
  liferayHome: string;
  tomcatHome: string;
  httpPort: number;
  /** LB member name (null without a load balancer). */
  member: string | null;
  /** Staging folder for uploads on the node. */
  stagingDir: string;
}

/** The steps one node goes through in its batch. */
export interface NodePlan {
  node: string;
  steps: NodeStep[];
  /** With `onFailure: rollback`: run when the node fails after its app server was stopped (forensics, stop, restore, revert, start, health gates, back into the LB); empty otherwise. */
  rollback: NodeStep[];
  /** With `onFailure: halt`: run when the node fails after its drain (the last log lines, a thread dump when the JVM is alive, the patch and module state, into the run record), before the run halts; empty otherwise (a rollback starts with them). */
  onHalt: NodeStep[];
}

/** A batch: nodes taken out together. */
export interface Batch {
  /** 1-based batch number. */
  index: number;
  /** True for the canary batch. */
  canary: boolean;
  /** Node names in order; starts happen one at a time in this order. */
  nodes: string[];
  /** No node of the batch starts until every node of it has finished its prepare phase (full restarts). */
  startAfterAllPrepared: boolean;
  /** Run-level steps before the nodes (capacity check, beforeBatch hooks, approval). */
  before: Step[];
  /** Per-node steps. */
  nodePlans: NodePlan[];
  /** Steps after every node is back (afterBatch hooks, canary bake and confirm). */
  after: Step[];
}

/** The resolved load balancer. */
export interface PlanLoadBalancer {
  type: 'haproxy' | 'apache' | 'mod_jk' | 'command' | 'none';
  /** Where it is reached: socket path, URL, `ssh://user@host` or `local` (with several instances: the first one's). */
  endpoint: string;
  /** HAProxy backend / balancer / lb worker name (empty for command/none). */
  pool: string;
  /** SSH target for socket access or commands on the LB host, or null for local (with several instances: the first one's). */
  via: LbVia | null;
  /**
   * Every instance lrroll drives, in order: one for a single load balancer, several for an HA pair
   * (each drain, enable and state check goes to all of them; a member counts as out when it is out
   * of any). Empty for `command` and `none`.
   */
  instances: PlanLbInstance[];
  drainTimeoutSec: number;
  /** Without a session count (a command load balancer with no `sessions` command): the fixed wait after the drain, in seconds; null when sessions are counted. */
  drainWaitSec: number | null;
  onDrainTimeout: 'maint' | 'maint-and-shutdown-sessions' | 'fail';
  upTimeoutSec: number;
  pollSec: number;
  /** Deadline of one API request to an instance (HAProxy, Apache, mod_jk), in seconds. */
  requestTimeoutSec: number;
  /** Deadline of one command of a `command` load balancer, in seconds. */
  commandTimeoutSec: number;
  /** node name → member. */
  members: Record<string, string>;
  /** For type `command`: the templates (with `{{member}}` resolved per step). */
  commands: { drain: string; disable: string | null; enable: string; status: string; sessions: string | null } | null;
}

/** How lrroll reaches a load-balancer host over SSH. */
export interface LbVia {
  host: string;
  port: number | null;
  user: string | null;
  identityFile: string | null;
  become: boolean;
}

/** One load-balancer instance (of an HA pair, say). */
export interface PlanLbInstance {
  /** Its name in the plan, `lrroll status` and messages: as written, else its `via` host, socket or URL host. Unique. */
  name: string;
  /** Socket path or URL (a URL's `${NAME}` secrets are filled in only when it is called). */
  endpoint: string;
  via: LbVia | null;
  /**
   * HAProxy reached over `via`: the shell command that sends one runtime API request on that host
   * (`printf '%s\n' {request} | socat -t 5 stdio <address>`), the request being the shell-quoted
   * `{request}` placeholder; null otherwise.
   */
  wrapper: string | null;
}

/** Run-wide policy the executor enforces. */
export interface Policy {
  strategy: 'rolling' | 'full';
  minHealthy: number;
  maxFailures: number;
  onFailure: 'halt' | 'rollback';
  /** The maintenance window for this run's strategy, or null when none applies. */
  window: {
    days: string[];
    start: string;
    end: string;
    timezone: string;
    /** Which playbook setting it comes from: `rollout.window`, or the strategy's own `rollout.window.rolling` / `rollout.window.full`. */
    source: 'rollout.window' | 'rollout.window.rolling' | 'rollout.window.full';
  } | null;
  pauseBetweenBatches: boolean;
}

/** Where the plan came from. Not part of the hash. */
export interface PlanSource {
  /** Playbook path as given. */
  file: string;
  /** sha256 of the playbook text. */
  sha256: string;
  /** The git commit of the playbook's repository, or null outside git. */
  gitCommit: string | null;
  /** True when the working tree had uncommitted changes to tracked files. */
  gitDirty: boolean;
}

/** The plan. */
export interface Plan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  /** sha256 of the canonical JSON of every field but `hash` and `source`. */
  hash: string;
  name: string;
  description: string;
  source: PlanSource;
  verdict: Verdict;
  /** The node facts known before the run (part of the hash: they decide verdicts). */
  facts: PlanFacts;
  policy: Policy;
  loadBalancer: PlanLoadBalancer;
  nodes: PlanNode[];
  /** Preflight steps, run before anything is changed (uploads run in parallel). */
  preflight: Step[];
  /** Run-level steps after preflight: beforeRun hooks. */
  beforeRun: Step[];
  batches: Batch[];
  /** Once, after the last batch: cache clear, consistency check, afterRun hooks. */
  finally: Step[];
  /** Hooks run when the run fails or halts. */
  onFailure: Step[];
  /** Around the batches: the cluster lock (before the first batch, refreshed, released after), the reconcile of nodes an earlier run left out, and what `status` and `unlock` read and do. */
  cluster: PlanCluster;
  /** What users will notice. */
  impact: string[];
  estimate: Estimate;
  /** Secret environment variables the run needs (names only). */
  secrets: string[];
  /** `--limit`: the only nodes this plan changes, as given on the command line; null when it changes every node. */
  limit: string[] | null;
  /** `--var name=value` as given on the command line (already applied to this plan); a `run` of the same plan needs the same. */
  vars: Record<string, string>;
  /** Policy values set on the command line (`--set path=value`, as given), already applied to this plan. */
  overrides: Record<string, string>;
  /** SSH settings from `inventory.ssh`, as written (relative to the playbook's folder, `~` for the home); null where unset. `--ssh-config` / `--known-hosts` override them at run time. */
  ssh: { configFile: string | null; knownHostsFiles: string[] | null };
}

/** Duration estimate in seconds. */
export interface Estimate {
  /** Expected wall time of the run. */
  expectedSec: number;
  /** Sum of every deadline: the longest the run can take. */
  worstCaseSec: number;
  /** Expected time each node spends out of the load balancer. */
  outOfRotationSec: number;
  /** Expected time the site is down (no node in the load balancer): a full restart, or a rolling batch that takes every node out; 0 otherwise. */
  downtimeSec: number;
}
