import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DiffReport, NodeDiff } from '../../src/plan/preview.js';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { makeZip } from '../helpers/make-zip.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();

/** Every file under a folder with its size and mtime: what `lrroll diff` must leave exactly as it was. */
function snapshot(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'logs' ? [] : snapshot(path, `${prefix}${e.name}/`);
    const st = statSync(path);
    return [`${prefix}${e.name} ${st.size} ${st.mtimeMs}`];
  });
}

const CHANGES = `change:
  - type: fixpack
    artifact: patches/liferay-fix-pack-dxp-15-7210.zip
    revertible: true
  - type: module
    artifact: artifacts/com.acme.orders.service-2.1.3.jar
    deployTo: modules
    replaces: com.acme.orders.service-*.jar
  - type: portal-properties
    set:
      session.timeout: 45
    unset: [layout.show.portlet.access.denied]
  - type: osgi-config
    files:
      - source: configs/com.liferay.journal.configuration.JournalServiceConfiguration.config
  - type: jvm-settings
    options: [-Xmx2g]
rollout:
  strategy: full
  minHealthy: 0
`;

/**
 * `lrroll diff` on a real cluster whose nodes differ: each node's own state next to what the change would make of it.
 */
describe.skipIf(!support.ok)(`lrroll diff over SSH${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;
  let playbook: string;

  beforeAll(async () => {
    cluster = await startTestCluster({
      nodes: 3,
      haproxy: false,
      startMs: 600,
      stopMs: 200,
      sim: { tomcatDir: 'tomcat-9.0.83' },
    });
    for (const dir of ['artifacts', 'patches', 'configs'])
      cpSync(join('playbooks', dir), join(cluster.dir, dir), { recursive: true });
    const [n1, n2, n3] = cluster.nodes as [
      TestCluster['nodes'][number],
      TestCluster['nodes'][number],
      TestCluster['nodes'][number],
    ];
    // node1 runs fix pack dxp-14; node2 has its own session timeout; node3 has the old module and already the new
    // config file.
    writeFileSync(join(n1.home, 'patching-tool/.installed'), 'dxp-14-7210\n');
    const props2 = readFileSync(join(n2.home, 'portal-ext.properties'), 'utf8');
    expect(props2).toContain('    session.timeout=30\n');
    writeFileSync(
      join(n2.home, 'portal-ext.properties'),
      `${props2.replace('    session.timeout=30\n', '    session.timeout=20\n')}` +
        `layout.show.portlet.access.denied=false\n`,
    );
    await makeZip(join(n3.home, 'osgi/modules/com.acme.orders.service-2.1.0.jar'), {
      'META-INF/MANIFEST.MF':
        'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.orders.service\r\nBundle-Version: 2.1.0\r\n',
    });
    cpSync(
      join(cluster.dir, 'configs/com.liferay.journal.configuration.JournalServiceConfiguration.config'),
      join(n3.home, 'osgi/configs/com.liferay.journal.configuration.JournalServiceConfiguration.config'),
    );
    playbook = writePlaybook(cluster, 'Diff', CHANGES, { lb: false, tomcatDir: 'tomcat-9.0.83' });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  it(
    'shows per node its patch level, module versions, changed properties lines and replaced files, and ' +
      'changes nothing',
    async () => {
      const before = cluster.nodes.map((n) => snapshot(n.home));
      const run = await lrroll(['diff', playbook, '--format', 'json'], cluster);
      expect(run.code, run.stderr).toBe(0);
      const diff = JSON.parse(run.stdout) as DiffReport;
      expect(diff.formatVersion).toBe(1);
      const node = (name: string): NodeDiff => diff.nodes.find((n) => n.node === name) as NodeDiff;

      expect(node('node1').patches).toEqual({ current: ['dxp-14-7210'], after: ['dxp-15-7210'], problem: null });
      expect(node('node2').patches).toEqual({ current: [], after: ['dxp-15-7210'], problem: null });

      expect(node('node1').modules[0]).toMatchObject({
        bundle: 'com.acme.orders.service',
        current: [],
        after: { version: '2.1.3' },
        removed: [],
      });
      expect(node('node3').modules[0]).toMatchObject({
        current: [{ version: '2.1.0', file: '/opt/liferay/osgi/modules/com.acme.orders.service-2.1.0.jar' }],
        removed: ['/opt/liferay/osgi/modules/com.acme.orders.service-2.1.0.jar'],
      });

      const props = (name: string) => node(name).edits.find((e) => e.file === '/opt/liferay/portal-ext.properties');
      expect(props('node1')?.lines).toEqual([
        { op: '-', text: '    session.timeout=30' },
        { op: '+', text: '    session.timeout=45' },
        { op: '-', text: '    layout.show.portlet.access.denied=true' },
      ]);
      expect(props('node2')?.lines).toEqual([
        { op: '-', text: '    session.timeout=20' },
        { op: '+', text: '    session.timeout=45' },
        { op: '-', text: '    layout.show.portlet.access.denied=true' },
        { op: '-', text: 'layout.show.portlet.access.denied=false' },
      ]);
      expect(
        node('node1')
          .edits.find((e) => e.file.endsWith('setenv.sh'))
          ?.lines.map((l) => l.text),
      ).toContain('CATALINA_OPTS="$CATALINA_OPTS -Xmx2g"');

      const config = (name: string) =>
        node(name).files.find((f) => f.path.endsWith('JournalServiceConfiguration.config'));
      expect(config('node1')?.current).toBeNull();
      expect(config('node3')?.current?.sha256).toBe(config('node3')?.after?.sha256);
      expect(node('node1').files.find((f) => f.path.endsWith('liferay-fix-pack-dxp-15-7210.zip'))).toMatchObject({
        current: null,
        after: { size: statSync(join(cluster.dir, 'patches/liferay-fix-pack-dxp-15-7210.zip')).size },
      });

      // Read-only: no file of any node changed, and no staging, backup or lock folder appeared.
      expect(cluster.nodes.map((n) => snapshot(n.home))).toEqual(before);
    },
    120_000,
  );

  it('prints the same as text, node by node', async () => {
    const run = await lrroll(['diff', playbook], cluster);
    expect(run.code, run.stderr).toBe(0);
    const text = run.stdout;
    expect(text).toMatch(/node1 \(127\.[\d.]+\)\n {2}patches: {2}dxp-14-7210 {2}→ {2}dxp-15-7210/);
    expect(text).toMatch(
      /node3[\s\S]*module com\.acme\.orders\.service: {2}2\.1\.0 \(\/opt\/liferay\/osgi\/modules\/com\.acme\.orders\.service-2\.1\.0\.jar\) {2}→ {2}2\.1\.3[\s\S]*- removes \/opt\/liferay\/osgi\/modules\/com\.acme\.orders\.service-2\.1\.0\.jar/,
    );
    expect(text).toMatch(/node2[\s\S]*- {5}session\.timeout=20\n {4}\+ {5}session\.timeout=45/);
    expect(text).toMatch(
      /JournalServiceConfiguration\.config: sha256 \w{12}… \d+ B {2}→ {2}sha256 \w{12}… \d+ B {2}\(unchanged\)/,
    );
  }, 120_000);

  it('--limit reads only the nodes it names; a node that cannot be reached is reported and exits 1', async () => {
    const limited = JSON.parse(
      (await lrroll(['diff', playbook, '--format', 'json', '--limit', 'node2'], cluster)).stdout,
    ) as DiffReport;
    expect(limited.nodes.map((n) => n.node)).toEqual(['node2']);
    expect(limited.limit).toEqual(['node2']);

    const text = readFileSync(playbook, 'utf8').replace(
      /(- name: node3\n\s+host: )\S+(\n\s+port: )\d+/,
      '$1127.0.0.1$21',
    );
    const broken = join(cluster.dir, 'diff-unreachable.yml');
    writeFileSync(broken, text);
    const run = await lrroll(['diff', broken, '--format', 'json'], cluster);
    expect(run.code).toBe(1);
    const n3 = (JSON.parse(run.stdout) as DiffReport).nodes.find((n) => n.node === 'node3');
    expect(n3).toMatchObject({ reachable: false });
    expect(n3?.problem).toBeTruthy();
  }, 180_000);
});
