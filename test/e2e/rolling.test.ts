import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { startLoad } from '../cluster/load.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`rolling e2e skipped: ${support.reason}\n`);

describe.skipIf(!support.ok)(`a rolling change on a real cluster (sshd per node + HAProxy)${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 1200, stopMs: 300 });
    await cluster.startAll();
    mkdirSync(join(cluster.dir, 'artifacts'), { recursive: true });
    copyFileSync('playbooks/artifacts/com.acme.orders.service-2.1.3.jar', join(cluster.dir, 'artifacts/com.acme.orders.service-2.1.3.jar'));
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('rolls a properties + module change over 3 nodes under load with zero failed requests', async () => {
    const playbook = writePlaybook(
      cluster,
      'Properties and module',
      `change:
  - type: portal-properties
    set:
      lrroll.e2e.marker: rolled
  - type: module
    artifact: artifacts/com.acme.orders.service-2.1.3.jar
    deployTo: modules
    dataChanges: compatible
    installedSchemaVersion: 2.1.0
rollout:
  serial: 1
  minHealthy: 2
`,
    );
    const load = startLoad({ url: cluster.haproxy?.url ?? '', rps: 30, users: 10 });
    const run = await lrroll(['run', playbook, '--yes', '--output', 'json'], cluster);
    const report = await load.stop();
    process.stderr.write(`rolling e2e: ${report.total} requests through HAProxy, ${report.failed} failed\n`);
    const end = run.events.find((e) => e.kind === 'run-end');
    expect(end, run.stderr + run.stdout.slice(-3000)).toMatchObject({ status: 'ok' });
    expect(run.code).toBe(0);
    expect(report.failed, JSON.stringify(report.failures.slice(0, 5))).toBe(0);
    expect(report.total).toBeGreaterThan(50);
    for (const n of cluster.nodes) {
      const props = await cluster.ssh(n.name, 'cat /opt/liferay/portal-ext.properties; ls /opt/liferay/osgi/modules');
      expect(props.stdout).toContain('lrroll.e2e.marker=rolled');
      expect(props.stdout).toContain('com.acme.orders.service-2.1.3.jar');
    }
    const servers = await cluster.haproxyServers();
    expect(servers.map((s) => s.status)).toEqual(['UP', 'UP', 'UP']);
  }, 240_000);
});
