/**
 * The one table of defaults. The schema's `default` keywords document these values;
 * a test checks that they agree.
 */
export const DEFAULTS = {
  node: {
    transport: 'ssh',
    become: false,
    liferayHome: '/opt/liferay',
    tomcatHome: '{{liferayHome}}/tomcat',
    httpPort: 8080,
  },
  service: {
    type: 'scripts',
    unit: 'liferay',
    pidFile: '{{liferayHome}}/liferay.pid',
    stopTimeout: '5m',
    startTimeout: '2m',
  },
  loadBalancer: {
    drainTimeout: '2m',
    /**
     * A command load balancer without `sessions` cannot show when a member is idle: a short fixed wait instead of the
     * drain timeout.
     */
    drainWait: '30s',
    onDrainTimeout: 'maint',
    upTimeout: '1m',
    /**
     * On: by then the node has passed lrroll's own gates, the HTTP probe among them, which by default asks the node at
     * the address and port HAProxy checks; HAProxy keeps checking, so a member whose checks fail still goes DOWN.
     */
    healthUpAfterProbe: true,
    pollInterval: '1s',
  },
  change: {
    deployTo: 'deploy',
    clearOsgiState: true,
    clearWork: true,
    propertiesFile: 'portal-ext.properties',
    setenvFile: '{{tomcatHome}}/bin/setenv.sh',
    customWhen: 'stopped',
  },
  rollout: {
    strategy: 'rolling',
    serial: 1,
    order: 'inventory',
    seed: 0,
    minHealthy: 1,
    maxFailures: 0,
    onFailure: 'halt',
    canaryNodes: 1,
    canaryBake: '5m',
    canaryConfirm: true,
    // Liferay's log4j ERROR, Tomcat's SEVERE, and what a dying JVM prints.
    canaryErrorPattern: '\\b(ERROR|SEVERE|FATAL)\\b|OutOfMemoryError',
    canaryWatchInterval: '10s',
    pauseBetweenBatches: false,
    windowTimezone: 'UTC',
    clearCacheOn: 'node',
    clearCacheUrl: 'http://{{host}}:{{httpPort}}',
    consistencyCheck: true,
    retention: 3,
  },
  health: {
    startupMarkerEnabled: true,
    startupMarkerLog: '{{tomcatHome}}/logs/catalina.out',
    startupMarkerTimeout: '15m',
    httpEnabled: true,
    // The node's own address: a node bound to it (not to 0.0.0.0) does not answer on 127.0.0.1.
    httpUrl: 'http://{{host}}:{{httpPort}}/c/portal/layout',
    httpStatus: [200, 302],
    httpInterval: '2s',
    httpTimeout: '5m',
    httpAttemptTimeout: '10s',
    httpSuccesses: 1,
    clusterEnabled: false,
    clusterChannels: ['liferay-channel-control', 'liferay-channel-transport-0'],
    clusterLog: '{{tomcatHome}}/logs/catalina.out',
    clusterTimeout: '5m',
    modulesLog: '{{tomcatHome}}/logs/catalina.out',
    modulesTimeout: '5m',
    osgiEnabled: false,
    osgiPort: 11311,
    osgiCommands: ['scr:list'],
    osgiInterval: '10s',
    osgiAttemptTimeout: '30s',
    osgiTimeout: '10m',
    osgiSuccesses: 1,
    // No fixed wait by default: every gate waits for something observable (the startup line, an HTTP
    // answer, the cluster view); a blind sleep only adds time out of rotation on every node.
    settle: '0s',
    warmupTimeout: '2m',
    expectedStartTime: '3m',
  },
  hook: {
    on: 'local',
    method: 'POST',
    timeout: '1m',
    continueOnError: false,
  },
} as const;

/**
 * Deadlines and intervals of what the executor runs besides a step's own command (seconds), carried
 * on the steps so the executor holds no timing of its own.
 */
export const TIMINGS = {
  /** A short read on a node or the load balancer: a log's size, a status, an error scan. */
  remoteCheckSec: 30,
  /**
   * How often a log gate asks whether the app server process still runs, and how long one ask may
   * take: a crashed start is seen within about a second (plus one status command), not at the deadline.
   */
  processWatchIntervalSec: 1,
  processWatchTimeoutSec: 15,
  /** How often a gate that sees nothing new says what it still waits for (and a fixed wait how long is left). */
  gateHeartbeatSec: 10,
  /** One HTTP probe of a node outside a gate (after a stop, in the capacity check). */
  probeSec: 15,
  /** Reading an uploaded file's checksum. */
  checksumSec: 120,
  /** Reading one node's fingerprint for the consistency check. */
  fingerprintSec: 60,
  /**
   * After the hard step of a drain, how long requests in flight get to finish, polled every `settlePollSec` at most.
   */
  settleAfterHardSec: 15,
  settlePollSec: 0.5,
  /**
   * Requests in flight usually end within a few seconds of a drain: look at the sessions every `drainFastPollSec` for
   * the first `drainFastForSec`, then every `loadBalancer.pollInterval` (a command load balancer: at its interval
   * throughout, its commands may call a rate-limited API).
   */
  drainFastPollSec: 0.1,
  drainFastForSec: 3,
  /**
   * A member is usually UP within a couple of health checks: look every `upFastPollSec` for the first `upFastForSec`.
   */
  upFastPollSec: 0.1,
  upFastForSec: 3,
  /**
   * An attempt of a polled gate may run this much longer than its own limit (curl's --max-time, telnet's sleep) before
   * it is killed.
   */
  attemptGraceSec: 5,
  /** One API request to a load balancer (HAProxy runtime API, balancer-manager, status worker). */
  lbRequestSec: 10,
  /** One command of a `command` load balancer. */
  lbCommandSec: 30,
  /** How long socat (the HAProxy `via` form) waits for the answer after sending a request: `socat -t`. */
  lbSocatIdleSec: 5,
} as const;

/**
 * Deadlines of the steps that have no playbook setting (seconds): what the step's command can take on a slow node,
 * with room to spare. A step still running at its deadline is stopped and fails.
 */
export const STEP_DEADLINES = {
  /** A person's answer at a confirm step (before a batch, after the canary): a day; the run keeps its lock meanwhile. */
  confirmSec: 86_400,
  /** One preflight check on a node (reachable, tools, sudo, service, healthy, disk) or of its load-balancer member. */
  checkSec: 30,
  /** One load-balancer action over every instance: drain, enable, health up. */
  lbActionSec: 30,
  /** The capacity check before a batch: it reads and probes every node staying in rotation. */
  capacitySec: 60,
  /** A change's check of the node's state before it (schema versions, patch level, Java). */
  changeCheckSec: 120,
  /** The check of the running release: the Patching Tool or the module listing may start a JVM. */
  releaseCheckSec: 600,
  /** Backing up what a change replaces, and restoring it (a Tomcat or a Liferay Home's OSGi folder can be large). */
  backupSec: 600,
  restoreSec: 600,
  /** A change's own commands when the change type sets no deadline of its own. */
  applySec: 300,
  /** A change's own verify command. */
  verifySec: 300,
  /** Clearing the caches a change leaves stale (work/, osgi/state). */
  cacheClearSec: 300,
  /** Collecting a failed node's forensics: log lines, a thread dump, its patches and modules. */
  forensicsSec: 120,
  /** The final consistency check of one node (its fingerprint: versions, patches, modules). */
  consistencyCheckSec: 120,
  /** Removing a run's old backups and staged files from one node. */
  pruneSec: 120,
  /** An upload: this much, plus a second for every `uploadBytesPerSec`. */
  uploadBaseSec: 60,
  uploadBytesPerSec: 1024 * 1024,
} as const;

/**
 * Fixed timings the estimate uses for steps that have no playbook setting (seconds): what such a
 * step takes on a real node, not its deadline. The start time comes from `health.expectedStartTime`.
 */
export const EXPECTED = {
  /** At most; a node declared to start faster is expected to stop faster too. */
  stopSec: 30,
  backupSec: 2,
  applySec: 3,
  patchInstallSec: 120,
  lbActionSec: 1,
  /** A load balancer's health checks mark a member UP after a couple of checks. */
  lbUpSec: 5,
  checkSec: 1,
  uploadBytesPerSec: 50 * 1024 * 1024,
  hookSec: 2,
  /** The LB's session count (HAProxy scur, Apache/mod_jk busy) counts requests in flight, which end within seconds. */
  drainSec: 5,
  warmupSec: 10,
  verifySec: 2,
} as const;

/**
 * Fixed timings of the steps around the batches (the cluster lock, reconcile, `lrroll status`):
 * not playbook settings, resolved into the plan's steps at compile time like every other deadline.
 */
export const CLUSTER_TIMINGS = {
  /** One lock command on one node (take, refresh, release, read, break). */
  lockTimeout: '30s',
  /**
   * How often a run refreshes its lock on every node and checks it is still its own: a run whose lock was broken
   * (`lrroll unlock`) or taken stops within this, before it drains another node. One short command per node, on a
   * shell kept open.
   */
  lockRefresh: '10s',
  /** A lock refreshed less recently than this is reported as stale (it is still never broken silently). */
  lockStaleAfter: '10m',
  /** `--lock-wait`: pauses between attempts, at least this … */
  lockWaitPollMin: '200ms',
  /** … and at most this. */
  lockWaitPollMax: '5s',
  /** Reconcile's and status's reads of the app server and its HTTP probe. */
  readTimeout: '20s',
  /** Reading the installed patches (the Patching Tool starts a JVM). */
  patchesTimeout: '1m',
  /** Putting a left-out member back (a command load balancer's enable). */
  putBackTimeout: '30s',
  /** Waiting for a put-back member to be UP: at least this, else the load balancer's upTimeout. */
  putBackUpMin: '10s',
  /** `lrroll clean`: reading a node's footprint, and removing old backups and staged files. */
  cleanTimeout: '2m',
  /** `lrroll facts`: the one command that reads a node's facts (Java, app server, patches, modules). */
  factsTimeout: '3m',
  /** `lrroll diff`: each read of what a change would touch on a node. */
  diffReadTimeout: '1m',
} as const;

/** Deadlines of local processes and the run record's writes (milliseconds): not remote actions, so not plan steps. */
export const LOCAL_TIMINGS = {
  /** One `git` command reading the playbook's repository state. */
  gitMs: 5_000,
  /** One `ansible-vault decrypt`. */
  vaultMs: 60_000,
  /** Streamed output lines reach the disk (fsync) at most this long after they arrive. */
  outputSyncDelayMs: 1_000,
  /** A killed local command: how long its pipes may take to close before the result is given without them. */
  localKillGraceMs: 1_000,
} as const;

/** How SSH connections are opened and kept (transport settings, not steps): milliseconds. */
export const SSH_TIMINGS = {
  connectTimeoutMs: 20_000,
  keepaliveMs: 15_000,
  /** A stopped command (deadline passed, run aborted): how long its channel may take to close before it is dropped. */
  killGraceMs: 2_000,
  /** The second channel that kills a stopped command's process group on the node: how long it may run. */
  killCommandMs: 5_000,
  /**
   * Shells kept open on each node for its commands (one per command running at once there, so that each command
   * need not start the login shell anew); beyond it a command gets a channel of its own. 0: every command does.
   */
  shellsPerConnection: 4,
} as const;

/** Regular expressions the health gates match (see the Liferay/Tomcat reference). */
export const PATTERNS = {
  /** Tomcat ≥ 9 `Server startup in [N] milliseconds` and ≤ 8.5 `Server startup in N ms`. */
  startupMarker: String.raw`Server startup in \[?([\d.,\s]+)\]? ?(ms|milliseconds)`,
  /** JGroups membership: coordinator, view id, member count, members. */
  clusterView: String.raw`JGroupsReceiver:\d+\] Accepted view \[([^|\]]+)\|(\d+)\] \((\d+)\)\s*\[([^\]]*)\]`,
  /** OSGi bundle started: symbolic name, version, bundle id. */
  moduleStarted: String.raw`BundleStartStopLogger:\d+\] STARTED (\S+)_(\S+) \[(\d+)\]`,
} as const;
