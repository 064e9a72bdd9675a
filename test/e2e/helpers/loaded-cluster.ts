// The set-up the failure and interrupt/resume e2e files share: one three-node test cluster behind
// HAProxy for the whole file (started once, reset before each test), a simulated user load through
// HAProxy that a test starts and stops around its run, and an lrroll home per test.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestCluster, type TestCluster } from '../../cluster/cluster.js';
import { startLoad, type Load, type LoadReport } from '../../cluster/load.js';
import { resetCluster } from './faults.js';

export interface LoadedCluster {
  /** lrroll's home for one test (its run records and lock), inside the cluster's folder. */
  home: (suffix: string) => string;
  /** Starts 10 users sending 30 requests/s through HAProxy. */
  startUsers: () => Load;
  /** Stops them and returns what they saw. */
  stopUsers: () => Promise<LoadReport>;
}

/**
 * Registers the file's hooks; `use` receives the cluster once it is up (the tests keep it in their own variable, so
 * their bodies read `cluster.…` as before).
 */
export function useLoadedCluster(use: (cluster: TestCluster) => void): LoadedCluster {
  let cluster: TestCluster | undefined;
  let load: Load | null = null;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 1000, stopMs: 200 });
    use(cluster);
    await cluster.startAll();
  }, 120_000);
  afterAll(async () => {
    await load?.stop();
    await cluster?.stop();
  }, 60_000);
  beforeEach(async () => {
    if (cluster) await resetCluster(cluster, { startMs: 1000 });
  }, 90_000);
  return {
    home: (suffix) => join((cluster as TestCluster).dir, `lrroll-home-${suffix}`),
    startUsers: () => (load = startLoad({ url: cluster?.haproxy?.url ?? '', rps: 30, users: 10 })),
    stopUsers: async () => {
      const report = await (load as Load).stop();
      load = null;
      return report;
    },
  };
}
