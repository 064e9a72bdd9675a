// The steps of a node's turn in its batch (drain, stop, apply, start, gates, return) and the run-level
// steps around the batches. Part of the plan's shape (PLAN_FORMAT_VERSION in types-plan.ts, schemas/plan.schema.json).
import type { CommandStep, StepBase } from './types-checks.js';

/** Takes the member out of rotation for new sessions. */
export interface LbDrainStep extends StepBase {
  action: 'lb-drain';
  member: string;
  readTimeoutSec: number;
}
/** Waits for the member's sessions to reach zero, then the configured hard step. */
export interface LbWaitDrainedStep extends StepBase {
  action: 'lb-wait-drained';
  member: string;
  pollSec: number;
  /** Looks every `fastPollSec` during the first `fastPollForSec` (0: never), then every `pollSec`. */
  fastPollSec: number;
  fastPollForSec: number;
  onTimeout: 'maint' | 'maint-and-shutdown-sessions' | 'fail';
  /**
   * False when the load balancer cannot count the member's sessions (a command load balancer without `sessions`): the
   * step is a fixed wait of `timeoutSec`, then the hard step.
   */
  countsSessions: boolean;
  /**
   * The hard step (API requests or the `disable` command), run once the sessions reach 0 and at the timeout unless
   * `onTimeout` is `fail`; null for a command load balancer without `disable`.
   */
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
export interface LbEnableStep extends StepBase {
  action: 'lb-enable';
  member: string;
  readTimeoutSec: number;
}
/**
 * HAProxy only, after `lb-enable` and only when the node's own HTTP probe has passed: `set server <bk>/<srv> health up`
 * on every instance, so the member is UP at once instead of after its health checks rise again. `check` and
 * `agent-check` stay on: a member whose checks then fail goes DOWN after `fall` of them, as always.
 */
export interface LbHealthUpStep extends StepBase {
  action: 'lb-health-up';
  member: string;
  readTimeoutSec: number;
}
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
/**
 * Stops the app server; on timeout runs `forceCommand`. It succeeds only when the process is observed gone: the status
 * command says stopped and the HTTP probe finds nothing listening.
 */
export interface ServiceStopStep extends CommandStep {
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
export interface ServiceStartStep extends CommandStep {
  action: 'service-start';
  logs: string[];
  /**
   * Per log (same order): the command that prints its size before the start, so the gates read only what this start
   * writes.
   */
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
export interface BackupStep extends CommandStep {
  action: 'backup';
  paths: string[];
  /**
   * `<liferayHome>/.lrroll/backups/$LRROLL_RUN_ID`: the executor passes the run id in LRROLL_RUN_ID, so every run backs
   * up into its own folder.
   */
  backupDir: string;
  restoreCommand: string;
}
/** Applies one change (its commands in order). */
export interface ApplyStep extends CommandStep {
  action: 'apply';
  /** Index of the change in the playbook's change list. */
  change: number;
  changeType: string;
  /** The command that reverts this change after the backup is restored (null when the restore is enough). */
  revertCommand: string | null;
}
/** Verifies one change after apply (e.g. patching-tool info shows the new level). */
export interface VerifyStep extends CommandStep {
  action: 'verify';
  change: number;
}
/** Waits for the Tomcat startup line written after this start. */
export interface WaitLogMarkerStep extends StepBase {
  action: 'wait-log-marker';
  log: string;
  pattern: string;
  /** `tail -c +{firstByte} -F <log>`. */
  follow: SideCommand;
  /**
   * The service's status command, every `intervalSec`: the gate fails as soon as the process is gone; null: not
   * watched.
   */
  processWatch: (SideCommand & { intervalSec: number }) | null;
  /** How often a gate that sees nothing new says what it still waits for. */
  heartbeatSec: number;
}
/** Polls an HTTP URL until the status (and body) match. */
export interface WaitHttpStep extends CommandStep {
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
  /**
   * The member count every channel's view must reach: the cluster's size minus the batch-mates that start after this
   * node.
   */
  expectedSize: number;
  /**
   * The plan's nodes, in inventory order (the same list in every gate of the plan): the view should show all of them
   * but those of its batch that start after this gate's node.
   */
  clusterNodes: string[];
  /**
   * The start order of this node's batch (the same list in every gate of the batch): the nodes after this one are
   * still down while this gate waits.
   */
  startOrder: string[];
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
export interface WaitOsgiStep extends CommandStep {
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
export interface SettleStep extends StepBase {
  action: 'settle';
  seconds: number;
  heartbeatSec: number;
}
/** Requests warm-up URLs. */
export interface WarmupStep extends CommandStep {
  action: 'warmup';
  urls: string[];
}
/** Points at which hooks run. */
export type HookPoint =
  'beforeRun' | 'afterRun' | 'beforeBatch' | 'afterBatch' | 'beforeNode' | 'afterNode' | 'onFailure';

/** A hook command or webhook. */
export interface HookStep extends StepBase {
  action: 'hook';
  point: HookPoint;
  continueOnError: boolean;
  /**
   * For webhooks: the request (headers/body may hold `${NAME}` secret references the executor fills in).
   * `report`: the body is the run's JSON report summary, built when the hook runs (`body: report`); `body` is then
   * null.
   */
  request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string | null;
    report: boolean;
  } | null;
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
  /**
   * The log's size when the bake begins, and the scan of what was written since (`{firstByte}`); null when the log is
   * not scanned.
   */
  logSize: SideCommand | null;
  errorScan: SideCommand | null;
  /** Deadline of each look (status, probe, scan). */
  checkTimeoutSec: number;
}
/** Waits before the next batch (canary bake time), checking the canary nodes every `intervalSec`. */
export interface BakeStep extends StepBase {
  action: 'bake';
  seconds: number;
  intervalSec: number;
  watch: BakeWatch[];
}
/** Asks the operator to continue (canary confirm, approval between batches). */
export interface ConfirmStep extends StepBase {
  action: 'confirm';
  question: string;
}
/**
 * Rollback: collects the failed node's last log lines, a thread dump and its patch/module state into the run record.
 */
export interface ForensicsStep extends CommandStep {
  action: 'forensics';
}
/** Rollback: restores every backed-up path from this run's backup (`$LRROLL_RUN_ID`, as for the backup). */
export interface RestoreStep extends CommandStep {
  action: 'restore';
  backupDir: string;
}
/** Rollback: undoes one change after the restore (e.g. re-runs the Patching Tool). */
export interface RevertStep extends CommandStep {
  action: 'revert';
  change: number;
}
/** After the last batch: cluster-wide cache clear. */
export interface CacheClearStep extends CommandStep {
  action: 'cache-clear';
}
/**
 * After the last batch, per node: keeps the backups and staged artifacts of the last `keep` runs under `path` (this
 * run's included) and removes the rest.
 */
export interface PruneStep extends CommandStep {
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
