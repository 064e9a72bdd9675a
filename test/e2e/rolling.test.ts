import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { startLoad } from '../cluster/load.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();

/** HH:MM (UTC) `minutes` from now: a maintenance window open around the test. */
const hhmm = (minutes: number): string => new Date(Date.now() + minutes * 60_000).toISOString().slice(11, 16);
if (!support.ok) process.stderr.write(`rolling e2e skipped: ${support.reason}\n`);

describe.skipIf(!support.ok)(
  `a rolling change on a real cluster (sshd per node + HAProxy)${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 1200, stopMs: 300, cluster: true });
      await cluster.startAll();
      mkdirSync(join(cluster.dir, 'artifacts'), { recursive: true });
      copyFileSync(
        'playbooks/artifacts/com.acme.orders.service-2.1.3.jar',
        join(cluster.dir, 'artifacts/com.acme.orders.service-2.1.3.jar'),
      );
    }, 120_000);
    afterAll(() => cluster?.stop(), 60_000);

    // The shape of playbooks/fixpack.yml (serial 1, rollback, window, cluster gate, warm-up) and
    // playbooks/osgi-config.yml (a canary that bakes and is confirmed).
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
  onFailure: rollback
  window:
    start: "${hhmm(-60)}"
    end: "${hhmm(180)}"
    timezone: UTC
  canary:
    nodes: 1
    bake: 1s
    confirm: true
health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
  cluster:
    enabled: true
    log: /opt/liferay/tomcat/logs/catalina.out
    timeout: 60s
  modules:
    bundles: [com.acme.orders.service]
  settle: 300ms
  warmup:
    urls: ['http://{{host}}:{{httpPort}}/web/guest/home']
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
      // Each node waited for the JGroups view to reach 3 members on both channels after its start.
      const gates = run.events.filter((e) => e.kind === 'step-end' && String(e.stepId).endsWith('-wait-cluster'));
      expect(gates.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
      const ended = (action: string): unknown[] =>
        run.events.filter((e) => e.kind === 'step-end' && String(e.stepId).endsWith(`-${action}`)).map((e) => e.status);
      expect(ended('warmup')).toEqual(['ok', 'ok', 'ok']);
      expect([...ended('bake'), ...ended('confirm')]).toEqual(['ok', 'ok']);
      expect(run.events.find((e) => e.kind === 'run-start')?.batches).toEqual([
        { index: 1, nodes: ['node1'] },
        { index: 2, nodes: ['node2'] },
        { index: 3, nodes: ['node3'] },
      ]);
      // The NDJSON stream is the published contract: every line validates against events.schema.json.
      const ajv = new Ajv({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true });
      const validate = ajv.compile(JSON.parse(readFileSync('schemas/events.schema.json', 'utf8')) as object);
      for (const e of run.events)
        expect(validate(e), `${JSON.stringify(e)}\n${ajv.errorsText(validate.errors)}`).toBe(true);
    }, 240_000);

    it("stopped and started the nodes in the planned order, one at a time (from the nodes' own logs)", async () => {
      const events: Array<{ node: string; event: string; at: number }> = [];
      for (const n of cluster.nodes) {
        const log = await cluster.ssh(n.name, 'grep -hE "event=(start|stop) " /opt/liferay/tomcat/logs/catalina.out');
        for (const m of log.stdout.matchAll(/lrroll-sim: node=(\S+) event=(start|stop) pid=\d+ at=(\S+)/g))
          events.push({ node: m[1] ?? '', event: m[2] ?? '', at: Date.parse(m[3] ?? '') });
      }
      // Drop the first start of each node (the harness brought the cluster up); keep lrroll's stop → start.
      const rolled = events
        .sort((a, b) => a.at - b.at)
        .filter(
          (e, i, all) =>
            !(e.event === 'start' && !all.slice(0, i).some((x) => x.node === e.node && x.event === 'stop')),
        );
      expect(rolled.map((e) => `${e.node}:${e.event}`)).toEqual([
        'node1:stop',
        'node1:start',
        'node2:stop',
        'node2:start',
        'node3:stop',
        'node3:start',
      ]);
    });

    it('refuses an unknown SSH host key (exit 3, its fingerprint shown, nothing touched)', async () => {
      const empty = `${cluster.dir}/empty_known_hosts`;
      writeFileSync(empty, '');
      const before = await cluster.ssh('node1', 'cat /opt/liferay/portal-ext.properties');
      const playbook = writePlaybook(
        cluster,
        'Unknown key',
        'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.never: written\n',
      );
      const run = await lrroll(['run', playbook, '--yes', '--output', 'plain'], cluster, { LRROLL_KNOWN_HOSTS: empty });
      expect(run.code).toBe(3);
      expect(run.stdout + run.stderr).toContain('is not in known_hosts');
      expect(run.stdout + run.stderr).toContain(cluster.nodes[0]?.hostKeyFingerprint ?? 'SHA256:');
      expect((await cluster.ssh('node1', 'cat /opt/liferay/portal-ext.properties')).stdout).toBe(before.stdout);
      expect(readFileSync(empty, 'utf8')).toBe('');
    }, 120_000);

    it('refuses a changed SSH host key even with --accept-new-host-keys', async () => {
      const wrong = `${cluster.dir}/wrong_known_hosts`;
      const real = readFileSync(cluster.knownHostsFile, 'utf8');
      const other = readFileSync(`${cluster.nodes[1]?.hostKeyFile}.pub`, 'utf8')
        .trim()
        .split(/\s+/)
        .slice(0, 2)
        .join(' ');
      const node1 = cluster.nodes[0];
      const name = node1?.sshPort === 22 ? node1.address : `[${node1?.address}]:${node1?.sshPort}`;
      writeFileSync(
        wrong,
        `${real
          .split('\n')
          .filter((l) => !l.startsWith(`${name} `))
          .join('\n')}\n${name} ${other}\n`,
      );
      const playbook = writePlaybook(cluster, 'Changed key', 'change:\n  type: restart\n');
      const run = await lrroll(['run', playbook, '--yes', '--output', 'plain', '--accept-new-host-keys'], cluster, {
        LRROLL_KNOWN_HOSTS: wrong,
      });
      expect(run.code).toBe(3);
      expect(run.stdout + run.stderr).toContain('has CHANGED');
    }, 120_000);

    it('lrroll status shows every node reachable, running, answering and UP in HAProxy (read-only)', async () => {
      const playbook = writePlaybook(cluster, 'Status', 'change:\n  type: restart\n');
      const run = await lrroll(['status', playbook], cluster);
      expect(run.code, run.stderr).toBe(0);
      const lines = run.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^NODE\s+HOST\s+SSH\s+APP\s+HTTP\s+PATCHES\s+LB MEMBER\s+LB STATE\s+SESSIONS$/);
      for (const n of cluster.nodes)
        expect(run.stdout).toMatch(
          new RegExp(`${n.name}\\s+${n.address.replace(/\./g, '\\.')}\\s+ok\\s+running\\s+302\\s+.*${n.name}\\s+UP`),
        );
    }, 120_000);

    it(
      'one run at a time: a held lock refuses a second run (exit 3, owner and age shown); unlock breaks ' + 'it',
      async () => {
        expect(
          (await cluster.ssh('node1', 'test -e /opt/liferay/.lrroll/lock && echo held || echo free')).stdout.trim(),
        ).toBe('free');
        const owner = JSON.stringify({
          user: 'alice',
          host: 'ops-laptop',
          pid: 4242,
          runId: '20261121T2200-abcdef',
          planHash: 'f'.repeat(64),
          name: 'Another rollout',
          since: '2026-11-21T22:00:00.000Z',
          message: 'CHG-1',
        });
        await cluster.ssh(
          'node1',
          `mkdir -p /opt/liferay/.lrroll/lock && printf '%s\\n' '${owner}' > /opt/liferay/.lrroll/lock/owner`,
        );
        const playbook = writePlaybook(cluster, 'Locked', 'change:\n  type: restart\n');
        const run = await lrroll(['run', playbook, '--yes', '--output', 'plain'], cluster);
        expect(run.code).toBe(3);
        expect(run.stdout + run.stderr).toContain('another run holds the cluster');
        expect(run.stdout + run.stderr).toContain('alice@ops-laptop (pid 4242)');
        expect(run.stdout + run.stderr).toContain('CHG-1');
        const unlock = await lrroll(['unlock', playbook, '--yes'], cluster);
        expect(unlock.code, unlock.stderr).toBe(0);
        expect(unlock.stderr).toContain('is held on node1 by alice@ops-laptop');
        expect(
          (await cluster.ssh('node1', 'test -e /opt/liferay/.lrroll/lock && echo held || echo free')).stdout.trim(),
        ).toBe('free');
      },
      120_000,
    );
  },
);
