import { cpSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();

/** Every change type applied over SSH on a real cluster (no load: correctness of each step). */
describe.skipIf(!support.ok)(`every change type over SSH${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({
      nodes: 2,
      haproxy: true,
      startMs: 900,
      stopMs: 200,
      sim: { patches: 'dxp-14', tomcatDir: 'tomcat-9.0.83' },
    });
    await cluster.startAll();
    for (const dir of ['artifacts', 'patches', 'configs', 'files'])
      cpSync(join('playbooks', dir), join(cluster.dir, dir), { recursive: true });
    for (const n of cluster.nodes) {
      const jdk = '/opt/liferay/jdk-17.0.13/bin';
      const r = await cluster.ssh(
        n.name,
        `mkdir -p ${jdk} && printf '%s\\n' '#!/bin/sh' 'echo "openjdk ` +
          `version \\"17.0.13\\" 2024-10-15" >&2' > ${jdk}/java && chmod 755 ${jdk}` +
          `/java && mkdir -p /srv/drivers && echo jar > /srv/drivers/postgresql-42.7.4.jar`,
      );
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  async function roll(name: string, body: string): Promise<void> {
    const playbook = writePlaybook(cluster, name, body, { tomcatDir: 'tomcat-9.0.83' });
    const run = await lrroll(['run', playbook, '--yes', '--output', 'json'], cluster);
    const end = run.events.find((e) => e.kind === 'run-end');
    const failures = run.events.filter((e) => e.kind === 'step-end' && e.status === 'failed');
    expect(end?.status, `${run.stderr}\n${JSON.stringify(failures, null, 1)}`).toBe('ok');
    expect(run.code).toBe(0);
  }

  async function onEveryNode(command: string): Promise<string[]> {
    return Promise.all(cluster.nodes.map(async (n) => (await cluster.ssh(n.name, command)).stdout));
  }

  it(
    'applies module, theme, fix pack, portal-properties, osgi-config, jvm-settings, app-server, java, ' +
      'activation-key and custom in one roll',
    async () => {
      await roll(
        'All changes',
        `change:
  - type: module
    artifact: artifacts/com.acme.orders.service-2.1.3.jar
    dataChanges: compatible
    installedSchemaVersion: 2.1.0
  - type: theme
    artifact: artifacts/acme-theme-1.4.0.war
    dataChanges: none
  - type: fixpack
    artifact: patches/liferay-fix-pack-dxp-15-7210.zip
    revertible: true
    from: dxp-14
  - type: portal-properties
    set:
      session.timeout: 45
  - type: osgi-config
    files:
      - source: configs/com.liferay.journal.configuration.JournalServiceConfiguration.config
  - type: jvm-settings
    options: [-Xmx2g, -Dlrroll.e2e=yes]
  - type: app-server
    files:
      - source: files/server.xml
        dest: conf/server.xml
  - type: java
    javaHome: /opt/liferay/jdk-17.0.13
    from: 17.0.12
    to: 17.0.13
  - type: activation-key
    artifact: files/activation-key-dxp-7.4-acme.xml
  - type: custom
    name: replace the JDBC driver
    rollingSafe: true
    backup: ["{{tomcatHome}}/lib"]
    commands:
      - rm -f {{tomcatHome}}/lib/postgresql-*.jar
      - cp /srv/drivers/postgresql-42.7.4.jar {{tomcatHome}}/lib/
    verify:
      - test -f {{tomcatHome}}/lib/postgresql-42.7.4.jar
health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 60s
  startupMarker:
    timeout: 60s
  modules:
    bundles: [com.acme.orders.service, acme-theme]
  settle: 300ms
`,
      );
      const state = await onEveryNode(
        'cat /opt/liferay/portal-ext.properties /opt/liferay/tomcat-9.0.83/bin/setenv.sh; ls ' +
          '/opt/liferay/osgi/modules /opt/liferay/osgi/war /opt/liferay/osgi/configs ' +
          '/opt/liferay/tomcat-9.0.83/lib /opt/liferay/data/license; cat ' +
          '/opt/liferay/patching-tool/.installed /opt/liferay/tomcat-9.0.83/conf/server.xml',
      );
      for (const text of state) {
        expect(text).toContain('session.timeout=45');
        expect(text).toContain('-Dlrroll.e2e=yes');
        expect(text).toContain('JAVA_HOME=/opt/liferay/jdk-17.0.13');
        expect(text).toContain('com.acme.orders.service-2.1.3.jar');
        expect(text).toContain('acme-theme-1.4.0.war');
        expect(text).toContain('com.liferay.journal.configuration.JournalServiceConfiguration.config');
        expect(text).toContain('postgresql-42.7.4.jar');
        expect(text).not.toContain('postgresql-42.2.5.jar');
        expect(text).toContain('dxp-15-7210');
        expect(text).toContain('maxThreads="400"');
        expect(text).toContain('activation-key-dxp-7.4-acme.xml');
      }
    },
    240_000,
  );

  it('installs a hotfix, then removes it again with fixpack-revert, and restarts only', async () => {
    await roll('Hotfix', 'change:\n  type: hotfix\n  artifact: patches/liferay-hotfix-1234-7210.zip\n');
    for (const text of await onEveryNode('cat /opt/liferay/patching-tool/.installed'))
      expect(text).toContain('hotfix-1234-7210');
    await roll('Revert hotfix', 'change:\n  type: fixpack-revert\n  patch: hotfix-1234-7210\n  revertible: true\n');
    for (const text of await onEveryNode('cat /opt/liferay/patching-tool/.installed'))
      expect(text).not.toContain('hotfix-1234-7210');
    await roll('Restart', 'change:\n  type: restart\n');
  }, 240_000);

  it('runs an OS upgrade as a full restart: every node stops before the first one starts', async () => {
    await roll(
      'OS upgrade',
      `change:
  type: os-upgrade
  commands:
    - date -u +%FT%TZ > /opt/liferay/os-upgraded
rollout:
  strategy: full
`,
    );
    const logs = await onEveryNode(
      'cat /opt/liferay/os-upgraded && grep -hE "event=(start|stop) " ' +
        '/opt/liferay/tomcat-9.0.83/logs/catalina.out | tail -n 2',
    );
    const events = logs.flatMap((text) =>
      [...text.matchAll(/lrroll-sim: node=(\S+) event=(start|stop) pid=\d+ at=(\S+)/g)].map((m) => ({
        node: m[1],
        event: m[2],
        at: Date.parse(m[3] ?? ''),
      })),
    );
    const stops = events.filter((e) => e.event === 'stop').map((e) => e.at);
    const starts = events.filter((e) => e.event === 'start').map((e) => e.at);
    expect(stops, logs.join('\n---\n')).toHaveLength(2);
    expect(Math.max(...stops)).toBeLessThan(Math.min(...starts.filter((t) => t > Math.min(...stops))));
  }, 240_000);

  it('runs hooks at every point: locally, on the node, on the LB host and as webhooks with secrets', async () => {
    const calls: Array<{ url: string; auth: string; body: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls.push({ url: req.url ?? '', auth: req.headers.authorization ?? '', body });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const log = `${cluster.dir}/hooks.log`;
    try {
      const playbook = writePlaybook(
        cluster,
        'Hooks',
        `vars:
  token: \${HOOK_TOKEN}
change:
  type: restart
hooks:
  beforeRun:
    - run: echo before-run >> ${log}
  beforeBatch:
    - run: echo before-batch >> ${log}
  beforeNode:
    - run: echo {{node}} > /opt/liferay/hook-before-node
      on: node
  afterNode:
    - webhook: http://127.0.0.1:${port}/after-node/{{node}}
      headers:
        Authorization: Bearer {{token}}
  afterBatch:
    - run: echo after-batch >> ${log}
      on: lb
  afterRun:
    - run: echo after-run >> ${log}
`,
        { tomcatDir: 'tomcat-9.0.83' },
      );
      const run = await lrroll(['run', playbook, '--yes', '--output', 'json'], cluster, { HOOK_TOKEN: 's3cr3t-value' });
      expect(run.events.find((e) => e.kind === 'run-end')?.status, run.stderr).toBe('ok');
      expect(run.stdout).not.toContain('s3cr3t-value');
      expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
        'before-run',
        'before-batch',
        'after-batch',
        'before-batch',
        'after-batch',
        'after-run',
      ]);
      expect(await onEveryNode('cat /opt/liferay/hook-before-node')).toEqual(['node1\n', 'node2\n']);
      expect(calls.map((c) => [c.url, c.auth])).toEqual([
        ['/after-node/node1', 'Bearer s3cr3t-value'],
        ['/after-node/node2', 'Bearer s3cr3t-value'],
      ]);
      expect(JSON.parse(calls[0]?.body ?? '{}')).toMatchObject({ event: 'afterNode', node: 'node1', batch: 1 });
    } finally {
      server.close();
    }
  }, 240_000);
});
