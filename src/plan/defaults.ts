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
    /** A command load balancer without `sessions` cannot show when a member is idle: a short fixed wait instead of the drain timeout. */
    drainWait: '30s',
    onDrainTimeout: 'maint',
    upTimeout: '1m',
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
    pauseBetweenBatches: false,
    windowTimezone: 'UTC',
    clearCacheOn: 'node',
    consistencyCheck: true,
  },
  health: {
    startupMarkerEnabled: true,
    startupMarkerLog: '{{tomcatHome}}/logs/catalina.out',
    startupMarkerTimeout: '15m',
    httpEnabled: true,
    httpUrl: 'http://127.0.0.1:{{httpPort}}/c/portal/layout',
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
    settle: '10s',
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

/** Fixed timings the estimate uses for steps that have no playbook setting (seconds). */
export const EXPECTED = {
  stopSec: 30,
  backupSec: 5,
  applySec: 10,
  patchInstallSec: 120,
  lbActionSec: 1,
  lbUpSec: 5,
  checkSec: 2,
  uploadBytesPerSec: 50 * 1024 * 1024,
  hookSec: 2,
  drainSec: 30,
  warmupSec: 10,
  verifySec: 5,
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
