import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { makeZip } from '../helpers/make-zip.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();

/** Two fake JDKs on a node (only `-version`); `inUse` is set as JAVA_HOME in the node's setenv.sh. */
function jdkCommand(inUse: string): string {
  const install = (version: string): string[] => {
    const home = `/opt/liferay/jdk-${version}`;
    return [
      `mkdir -p ${home}/bin`,
      `printf '%s\\n' '#!/bin/sh' 'echo "openjdk version \\"${version}` +
        `\\" 2024-07-16" >&2' 'echo "OpenJDK Runtime Environment (build ${version}+7)" >&2' > ${home}` +
        `/bin/java`,
      `chmod 755 ${home}/bin/java`,
    ];
  };
  return [
    ...install('17.0.10'),
    ...install('17.0.12'),
    `echo 'JAVA_HOME=/opt/liferay/jdk-${inUse}; export JAVA_HOME' >> /opt/liferay/tomcat-9.0.83/bin/setenv.sh`,
  ].join(' && ');
}

const MANIFEST = (schema: string, version: string): string =>
  `Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.orders.service\r\nBundle-Version: ` +
  `${version}\r\nLiferay-Require-SchemaVersion: ${schema}\r\n\r\n`;

/** `lrroll facts` over SSH on a real cluster, then `plan --facts` and `run --facts` using them. */
describe.skipIf(!support.ok)(`node facts gathered over SSH${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({
      nodes: 3,
      haproxy: false,
      startMs: 600,
      stopMs: 200,
      sim: { patches: 'dxp-14', tomcatDir: 'tomcat-9.0.83' },
    });
    mkdirSync(join(cluster.dir, 'artifacts'), { recursive: true });
    copyFileSync(
      'playbooks/artifacts/com.acme.orders.service-2.1.3.jar',
      join(cluster.dir, 'artifacts/com.acme.orders.service-2.1.3.jar'),
    );
    await makeZip(join(cluster.dir, 'artifacts/com.acme.orders.service-2.2.0.jar'), {
      'META-INF/MANIFEST.MF': MANIFEST('2.2.0', '2.2.0'),
    });
    for (const [i, n] of cluster.nodes.entries()) {
      const install =
        i < 2 ? ' && cp /opt/liferay/staged.jar /opt/liferay/osgi/modules/com.acme.orders.service-2.1.3.jar' : '';
      const r = await cluster.ssh(
        n.name,
        `${jdkCommand(i < 2 ? '17.0.12' : '17.0.10')} && base64 -d > /opt/liferay/staged.jar${install}`,
        { stdin: readFileSync('playbooks/artifacts/com.acme.orders.service-2.1.3.jar').toString('base64') },
      );
      expect(r.code, r.stderr).toBe(0);
    }
    await cluster.startAll();
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  const body = (jar: string): string => `change:
  - type: module
    artifact: artifacts/${jar}
    deployTo: modules
    replaces: com.acme.orders.service-*.jar
    dataChanges: compatible
  - type: java
    javaHome: /opt/liferay/jdk-17.0.12
    to: 17.0.12
`;

  it(
    'gathers Java as `java -version` prints it, the app server, the patches and the modules of every ' +
      'node into a file',
    async () => {
      const playbook = writePlaybook(cluster, 'Facts', body('com.acme.orders.service-2.2.0.jar'), {
        lb: false,
        tomcatDir: 'tomcat-9.0.83',
      });
      const r = await lrroll(['facts', playbook, '-o', 'facts.json'], cluster);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('node1: Java 17.0.12 · app server 9.0.83 · patches dxp-14-7210 · 1 module(s)');
      expect(r.stderr).toContain('node3: Java 17.0.10 · app server 9.0.83 · patches dxp-14-7210 · 1 module(s)');
      const file = JSON.parse(readFileSync(join(cluster.dir, 'facts.json'), 'utf8')) as {
        lrrollFacts: number;
        nodes: Record<string, Record<string, unknown>>;
      };
      expect(file.lrrollFacts).toBe(1);
      expect(file.nodes['node1']).toEqual({
        java: 'openjdk version "17.0.12" 2024-07-16\nOpenJDK Runtime Environment (build 17.0.12+7)',
        appServer: 'Server version: Apache Tomcat/9.0.83\nServer number:  9.0.83.0',
        patches: ['dxp-14-7210'],
        modules: { 'com.acme.orders.service': { version: '2.1.3', schemaVersion: '2.1.0' } },
      });
      expect(file.nodes['node3']?.['modules']).toEqual({ 'com.acme.orders.service': 'not-installed' });
    },
    120_000,
  );

  it(
    'plan --facts decides the verdicts from them: a minor schema move on the nodes that have the ' +
      'module, and the differences',
    async () => {
      const playbook = writePlaybook(cluster, 'Facts', body('com.acme.orders.service-2.2.0.jar'), {
        lb: false,
        tomcatDir: 'tomcat-9.0.83',
      });
      const r = await lrroll(['plan', playbook, '--facts', 'facts.json', '--format', 'json'], cluster);
      expect(r.code, r.stderr).toBe(3);
      const plan = JSON.parse(r.stdout) as {
        verdict: {
          level: string;
          differences: string[];
          changes: Array<{ level: string; basis: string; reasons: string[]; facts: Array<{ source: string }> }>;
        };
        facts: { file: { path: string } };
      };
      expect(plan.facts.file.path).toBe('facts.json');
      expect(plan.verdict.level).toBe('full-restart');
      expect(plan.verdict.changes[0]).toMatchObject({ level: 'full-restart', basis: 'artifact' });
      expect(plan.verdict.changes[0]?.reasons.join(' ')).toContain(
        'Liferay-Require-SchemaVersion moves 2.1.0 → 2.2.0 on node1, node2 (a minor update)',
      );
      expect(plan.verdict.changes[1]?.facts[0]?.source).toBe('gathered');
      expect(plan.verdict.differences).toEqual([
        'Java differs between nodes: node1, node2: 17.0.12; node3: 17.0.10',
        'module com.acme.orders.service differs between nodes: node1, node2: 2.1.3 (schema 2.1.0); ' +
          'node3: not installed',
      ]);
    },
    120_000,
  );

  it(
    'preflight confirms the gathered facts: a node changed since they were gathered refuses the run ' +
      'before anything changes',
    async () => {
      const playbook = writePlaybook(cluster, 'Same schema', body('com.acme.orders.service-2.1.3.jar'), {
        lb: false,
        tomcatDir: 'tomcat-9.0.83',
      });
      const plan = await lrroll(['plan', playbook, '--facts', 'facts.json'], cluster);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout.split('\n')[0]).toBe(
        'Verdict: ! ROLLING WITH WARNING — may be rolled; 4 warning(s) below deserve attention',
      );
      await makeZip(join(cluster.dir, 'older.jar'), { 'META-INF/MANIFEST.MF': MANIFEST('2.0.0', '2.0.1') });
      const swap = await cluster.ssh(
        'node2',
        'base64 -d > /opt/liferay/osgi/modules/com.acme.orders.service-2.1.3.jar',
        {
          stdin: readFileSync(join(cluster.dir, 'older.jar')).toString('base64'),
        },
      );
      expect(swap.code, swap.stderr).toBe(0);
      const run = await lrroll(['run', playbook, '--facts', 'facts.json', '--yes', '--output', 'json'], cluster);
      expect(run.code, run.stderr).toBe(3);
      const failed = run.events.filter((e) => e.kind === 'step-end' && e.status === 'failed');
      expect(failed.map((e) => [e['node'], e['detail']])).toEqual([
        [
          'node2',
          'com.acme.orders.service: the facts the verdict rests on say schema 2.1.0, the node has ' +
            'schema 2.0.0: gather them again (`lrroll facts`) or correct the declaration',
        ],
      ]);
      expect(
        run.events.some((e) => e.kind === 'step-start' && (e['action'] === 'service-stop' || e['action'] === 'apply')),
      ).toBe(false);
    },
    180_000,
  );
});
