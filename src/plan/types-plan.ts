// The plan around its steps: nodes, batches, the load balancer, the run-wide policy, the estimate.
// Part of the plan's shape (PLAN_FORMAT_VERSION in types-plan.ts, schemas/plan.schema.json).
import type { PlanCluster } from './types-cluster.js';
import type { NodeStep, Step } from './types-step.js';
import type { PlanFacts, Verdict } from './verdict-model.js';

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
  /**
   * With `onFailure: rollback`: run when the node fails after its app server was stopped (forensics, stop, restore,
   * revert, start, health gates, back into the LB); empty otherwise.
   */
  rollback: NodeStep[];
  /**
   * With `onFailure: halt`: run when the node fails after its drain (the last log lines, a thread dump when the JVM is
   * alive, the patch and module state, into the run record), before the run halts; empty otherwise (a rollback starts
   * with them).
   */
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
  /**
   * SSH target for socket access or commands on the LB host, or null for local (with several instances: the first
   * one's).
   */
  via: LbVia | null;
  /**
   * Every instance lrroll drives, in order: one for a single load balancer, several for an HA pair
   * (each drain, enable and state check goes to all of them; a member counts as out when it is out
   * of any). Empty for `command` and `none`.
   */
  instances: PlanLbInstance[];
  drainTimeoutSec: number;
  /**
   * Without a session count (a command load balancer with no `sessions` command): the fixed wait after the drain, in
   * seconds; null when sessions are counted.
   */
  drainWaitSec: number | null;
  onDrainTimeout: 'maint' | 'maint-and-shutdown-sessions' | 'fail';
  upTimeoutSec: number;
  /**
   * HAProxy: after a node's own HTTP probe passed, its member is marked UP with `set server … health up` (an
   * `lb-health-up` step) rather than left to rise through HAProxy's checks. False for the other types.
   */
  healthUpAfterProbe: boolean;
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
  /**
   * Its name in the plan, `lrroll status` and messages: as written, else its `via` host, socket or URL host. Unique.
   */
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
    /**
     * Which playbook setting it comes from: `rollout.window`, or the strategy's own `rollout.window.rolling` /
     * `rollout.window.full`.
     */
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

/**
 * Bumped on any change to the plan's types (these files and schemas/plan.schema.json) or to how its JSON is written
 * (5: values the plan holds in several places are written once, see plan-json.ts; 6: a cluster gate holds the
 * cluster's nodes, the same list in every gate, instead of the nodes running when its node starts; 7: `lb-wait-drained`
 * holds how fast it looks at first, `fastPollSec` and `fastPollForSec`; 8: a cluster gate holds its batch's start order,
 * the same list in every gate of the batch, instead of the nodes starting after it).
 */
export const PLAN_FORMAT_VERSION = 8;

/**
 * Bumped on any change to what a plan says (its types, or what a step holds); not when only its JSON is written
 * differently. The plan hash covers it (with the compile's inputs), so a plan's hash stays the same across changes of
 * representation (5: a cluster gate holds the cluster's nodes and names at most three nodes starting later; the lock
 * is refreshed every 10 s instead of every 30 s; 6: the OSGi gate's Gogo session types its command at the shell's
 * prompt and watches for the answer every 0.1 s instead of every second; a `scripts` node's stop ends once its JVM
 * is gone instead of at catalina.sh's next once-a-second look; 7: the drain's wait lets a request routed to the
 * member just before its hard step end before the stop, and with `onDrainTimeout: fail` holds the hard step it takes
 * once the sessions reach 0; 8: a capacity check's title names at most three of its batch's nodes).
 */
export const PLAN_CONTENT_VERSION = 8;

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
  /**
   * Around the batches: the cluster lock (before the first batch, refreshed, released after), the reconcile of nodes an
   * earlier run left out, and what `status` and `unlock` read and do.
   */
  cluster: PlanCluster;
  /** What users will notice. */
  impact: string[];
  estimate: Estimate;
  /** Secret environment variables the run needs (names only). */
  secrets: string[];
  /** `--limit`: the only nodes this plan changes, as given on the command line; null when it changes every node. */
  limit: string[] | null;
  /**
   * `--var name=value` as given on the command line (already applied to this plan); a `run` of the same plan needs the
   * same.
   */
  vars: Record<string, string>;
  /** Policy values set on the command line (`--set path=value`, as given), already applied to this plan. */
  overrides: Record<string, string>;
  /**
   * SSH settings from `inventory.ssh`, as written (relative to the playbook's folder, `~` for the home); null where
   * unset. `--ssh-config` / `--known-hosts` override them at run time.
   */
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
  /**
   * Expected time the site is down (no node in the load balancer): a full restart, or a rolling batch that takes every
   * node out; 0 otherwise.
   */
  downtimeSec: number;
}
