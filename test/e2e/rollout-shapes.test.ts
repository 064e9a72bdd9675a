// The rollout shapes of the example playbooks on one real cluster (an sshd per node + HAProxy),
// under load: batches of one, two and "50%" with the cluster-view gate on, a full restart with
// every gate on, a `type: command` load balancer (HAProxy driven through socat) with put-back,
// and nodes whose Liferay Home and Tomcat folder differ. Each run checks the exit code, the
// failed requests, every node's load-balancer state and its change state.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { startLoad, type Load, type LoadReport } from '../cluster/load.js';
import { describeLoad, runEnd, type LrEvent } from './helpers/faults.js';
import { lrroll, writePlaybook, type CliRun } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`rollout-shapes e2e skipped: ${support.reason}\n`);
const log = (line: string): void => void process.stderr.write(`rollout shapes e2e: ${line}\n`);

/** node2 and node5 keep Liferay elsewhere, node2 and node4 have a versioned Tomcat folder. */
const HOMES: Record<string, string> = { node2: '/srv/dxp-2', node5: '/srv/liferay/node5' };
const TOMCATS: Record<string, string> = { node2: 'tomcat-9.0.83', node4: 'tomcat-9.0.90' };
const NODES = ['node1', 'node2', 'node3', 'node4', 'node5'];

const GATES = `  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 60s
  startupMarker:
    timeout: 60s
  cluster:
    enabled: true
    timeout: 60s
  settle: 300ms
`;

describe.skipIf(!support.ok)(
  `rollout shapes on a real 5-node cluster with per-node paths${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    let load: Load | null = null;

    beforeAll(async () => {
      cluster = await startTestCluster({
        nodes: 5,
        haproxy: true,
        cluster: true,
        startMs: 700,
        stopMs: 150,
        remoteHome: (name) => HOMES[name] ?? '/opt/liferay',
        sim: (name) => (TOMCATS[name] ? { tomcatDir: TOMCATS[name] } : {}),
      });
      await cluster.startAll();
      mkdirSync(join(cluster.dir, 'artifacts'), { recursive: true });
      copyFileSync(
        'playbooks/artifacts/com.acme.orders.service-2.1.3.jar',
        join(cluster.dir, 'artifacts/com.acme.orders.service-2.1.3.jar'),
      );
    }, 120_000);
    afterAll(async () => {
      await load?.stop();
      await cluster?.stop();
    }, 60_000);

    const home = (node: string): string => cluster.node(node).remoteHome;
    const sh = async (node: string, command: string): Promise<string> => {
      const r = await cluster.ssh(node, command);
      if (r.code !== 0) throw new Error(`${node}: ${command}: exit ${r.code}: ${r.stderr}`);
      return r.stdout;
    };
    const users = (): void => {
      load = startLoad({ url: cluster.haproxy?.url ?? '', rps: 25, users: 8 });
    };
    const stopUsers = async (): Promise<LoadReport> => {
      const report = (await load?.stop()) as LoadReport;
      load = null;
      return report;
    };
    const run = async (playbook: string, ...args: string[]): Promise<CliRun> => {
      const r = await lrroll(['run', playbook, '--yes', '--output', 'json', ...args], cluster);
      if (process.env.LRROLL_E2E_TIMINGS)
        for (const e of r.events.filter((x) => x.kind === 'step-end' && Number(x.durationMs) > 700))
          log(`  ${String(e.stepId)} ${String(e.durationMs)} ms ${String(e.detail ?? '')}`);
      return r;
    };
    const stepEnds = (r: CliRun, action: string): LrEvent[] =>
      r.events.filter((e) => e.kind === 'step-end' && new RegExp(`-${action}$`).test(String(e.stepId)));
    /** Every node UP in HAProxy, in rotation and updated in the summary. */
    const expectAllBackAndUpdated = async (r: CliRun): Promise<void> => {
      await cluster.waitBackendUp({ timeoutMs: 10_000 });
      expect((await cluster.haproxyServers()).map((s) => `${s.name}=${s.status}`)).toEqual(NODES.map((n) => `${n}=UP`));
      expect(runEnd(r.events)?.nodes.map((n) => `${n.node}:${n.status}:${n.inRotation}:${n.updated}`)).toEqual(
        NODES.map((n) => `${n}:ok:true:true`),
      );
    };

    it(
      'serial [1, 2, "50%"] with pauses and the cluster gate (portal-properties.yml): the first node of ' +
        'the "50%" batch expects 4 of 5 members',
      async () => {
        const pb = writePlaybook(
          cluster,
          'Shape list serial',
          `change:\n  type: portal-properties\n  set:\n    lrroll.e2e.shape1: rolled\nrollout:\n  ` +
            `serial: [1, 2, "50%"]\n  minHealthy: 3\n  pauseBetweenBatches: true\nhealth:\n${GATES}`,
        );
        users();
        const r = await run(pb);
        const report = await stopUsers();
        log(`serial [1, 2, "50%"]: exit ${r.code}; ${describeLoad(report)}`);
        expect(runEnd(r.events), r.stderr + r.stdout.slice(-3000)).toMatchObject({ status: 'ok' });
        expect(r.code).toBe(0);
        expect(report.failed, JSON.stringify(report.failures.slice(0, 5))).toBe(0);
        expect(r.events.find((e) => e.kind === 'run-start')?.batches).toEqual([
          { index: 1, nodes: ['node1'] },
          { index: 2, nodes: ['node2', 'node3'] },
          { index: 3, nodes: ['node4', 'node5'] },
        ]);
        const gates = stepEnds(r, 'wait-cluster');
        expect(gates.map((e) => `${String(e.node)}:${String(e.status)}`)).toEqual(NODES.map((n) => `${n}:ok`));
        // node4 starts while node5 is (being) taken down: the plan expects at least 4 members, and
        // the view it passed on shows node4 with the nodes that were running
        const gateOf = (n: string): LrEvent | undefined =>
          r.events.find((e) => e.kind === 'step-start' && e.node === n && e.action === 'wait-cluster');
        expect(gateOf('node4')?.title).toBe('wait for the cluster view to reach 4 member(s) (node5 starts later)');
        expect(gateOf('node5')?.title).toBe('wait for the cluster view to reach 5 member(s)');
        const node4Views = r.events
          .filter((e) => e.kind === 'step-output' && String(e.stepId).endsWith('-wait-cluster') && e.node === 'node4')
          .map((e) => String(e.line));
        const last = /\((\d+)\) \[([^\]]*)\]/.exec(node4Views.filter((l) => l.includes('Accepted view')).pop() ?? '');
        expect(Number(last?.[1]), node4Views.join('\n')).toBeGreaterThanOrEqual(4);
        expect(last?.[2]?.split(', ')).toEqual(expect.arrayContaining(['node1', 'node2', 'node3', 'node4']));
        expect(stepEnds(r, 'confirm').map((e) => e.status)).toEqual(['ok', 'ok']);
        for (const n of NODES)
          expect(await sh(n, `cat ${home(n)}/portal-ext.properties`), n).toContain('lrroll.e2e.shape1=rolled');
        expect(stepEnds(r, 'consistency-check')[0]).toMatchObject({ status: 'ok', detail: '5 node(s) agree' });
        await expectAllBackAndUpdated(r);
      },
      180_000,
    );

    it(
      'serial 2 through a `type: command` load balancer (jvm-settings.yml: HAProxy driven by socat ' +
        'commands) with the cluster gate',
      async () => {
        const pb = writePlaybook(
          cluster,
          'Shape serial 2 command',
          `change:\n  type: jvm-settings\n  options:\n    - -Dlrroll.e2e.shape2=rolled\nrollout:\n  ` +
            `serial: 2\n  minHealthy: 2\nhealth:\n${GATES}`,
          { lbYaml: commandLb(cluster, true) },
        );
        users();
        const r = await run(pb);
        const report = await stopUsers();
        log(`serial 2 (command LB): exit ${r.code}; ${describeLoad(report)}`);
        expect(runEnd(r.events), r.stderr + r.stdout.slice(-3000)).toMatchObject({ status: 'ok' });
        expect(r.code).toBe(0);
        expect(report.failed, JSON.stringify(report.failures.slice(0, 5))).toBe(0);
        expect(r.events.find((e) => e.kind === 'run-start')?.batches).toEqual([
          { index: 1, nodes: ['node1', 'node2'] },
          { index: 2, nodes: ['node3', 'node4'] },
          { index: 3, nodes: ['node5'] },
        ]);
        expect(stepEnds(r, 'wait-cluster').map((e) => e.status)).toEqual(NODES.map(() => 'ok'));
        // the drain waited on the sessions the command counts, then the disable command took the member out
        expect(r.events.filter((e) => e.kind === 'lb-state' && e.node === 'node3').map((e) => e.state)).toEqual([
          'draining',
          'out',
          'enabled',
          'up',
        ]);
        for (const n of NODES)
          expect(await sh(n, `cat ${home(n)}/${TOMCATS[n] ?? 'tomcat'}/bin/setenv.sh`), n).toContain(
            '-Dlrroll.e2e.shape2=rolled',
          );
        await expectAllBackAndUpdated(r);
      },
      180_000,
    );

    it(
      'a full restart with every gate on (full-restart.yml, os-upgrade.yml): views grow 1, 2 … 5; users ' +
        'fail only while the site is down; never silent',
      async () => {
        const pb = writePlaybook(
          cluster,
          'Shape full restart',
          `change:\n  type: module\n  artifact: artifacts/com.acme.orders.service-2.1.3.jar\n  ` +
            `deployTo: modules\n  dataChanges: compatible\n  installedSchemaVersion: 2.1.0\nrollout:\n  ` +
            `strategy: full\nhealth:\n${GATES}  modules:\n    timeout: 60s\n  warmup:\n    ` +
            `urls: ['http://{{host}}:{{httpPort}}/web/guest/home']\n`,
        );
        users();
        const r = await run(pb);
        const report = await stopUsers();
        log(`full restart: exit ${r.code}; ${report.total} requests, ${report.failed} failed`);
        expect(runEnd(r.events), r.stderr + r.stdout.slice(-3000)).toMatchObject({ status: 'ok' });
        expect(r.code).toBe(0);
        for (const action of ['wait-log-marker', 'wait-http', 'wait-cluster', 'wait-modules', 'settle', 'warmup'])
          expect(
            stepEnds(r, action).map((e) => `${String(e.node)}:${String(e.status)}`),
            action,
          ).toEqual(NODES.map((n) => `${n}:ok`));
        const sizes = NODES.map((n) =>
          r.events
            .filter((e) => e.kind === 'step-output' && e.node === n && String(e.stepId).endsWith('-wait-cluster'))
            .map((e) => /\((\d+)\) \[/.exec(String(e.line))?.[1])
            .filter(Boolean)
            .pop(),
        );
        expect(sizes).toEqual(['1', '2', '3', '4', '5']);
        // The site is down from the first drain until the first node is back UP: failures only then.
        const firstDrain = Date.parse(
          String(r.events.find((e) => e.kind === 'step-start' && e.action === 'lb-drain')?.at),
        );
        const firstUp = Date.parse(String(r.events.find((e) => e.kind === 'lb-state' && e.state === 'up')?.at));
        const outside = report.failures.filter((f) => f.at < firstDrain || f.at > firstUp + 1500);
        expect(outside, describeLoad(report)).toEqual([]);
        const times = r.events.map((e) => Date.parse(String(e.at)));
        expect(Math.max(...times.slice(1).map((t, i) => t - (times[i] ?? t)))).toBeLessThan(12_000);
        for (const n of NODES)
          expect(await sh(n, `ls ${home(n)}/osgi/modules`), n).toContain('com.acme.orders.service-2.1.3.jar');
        await expectAllBackAndUpdated(r);
      },
      180_000,
    );

    it(
      'the consistency check reads each node from its own Liferay Home: agreement across different ' +
        'paths, drift on node5 found',
      async () => {
        await sh('node5', `echo drift > ${home('node5')}/osgi/modules/com.acme.drift-1.0.0.jar`);
        const pb = writePlaybook(
          cluster,
          'Shape drift',
          `change:\n  type: restart\nrollout:\n  serial: 2\n  minHealthy: 3\nhealth:\n  http:\n    url: ` +
            `http://{{host}}:{{httpPort}}/c/portal/layout\n    interval: 300ms\n  settle: 0s\n`,
        );
        const r = await run(pb, '--limit', 'node2,node5');
        const check = stepEnds(r, 'consistency-check')[0];
        log(`drift: exit ${r.code}; ${String(check?.detail)}`);
        expect(r.code).toBe(1);
        expect(check?.status).toBe('failed');
        expect(String(check?.detail)).toMatch(
          /— node2: patches: .* ≠ node5: patches: .*osgi\/modules\/com\.acme\.drift-1\.0\.0\.jar/,
        );
        await sh('node5', `rm ${home('node5')}/osgi/modules/com.acme.drift-1.0.0.jar`);
        await cluster.waitBackendUp({ timeoutMs: 10_000 });
      },
      120_000,
    );

    it(
      'a command load balancer without `sessions` drains for its short fixed wait; a node it left out ' +
        'is put back by the next run',
      async () => {
        const lbYaml = commandLb(cluster, false);
        const pb = writePlaybook(
          cluster,
          'Shape put back',
          `change:\n  type: custom\n  name: fails on node1\n  rollingSafe: true\n  commands:\n    - ` +
            `test {{node}} != node1\nrollout:\n  serial: 1\n  minHealthy: 3\n`,
          { lbYaml },
        );
        const r = await run(pb);
        const wait = r.events.find((e) => e.kind === 'step-start' && e.action === 'lb-wait-drained');
        expect(String(wait?.title)).toBe('wait 1s for node1 to drain (no session count; then `disable`)');
        expect(r.code).toBe(1);
        expect(runEnd(r.events)?.nodes.find((n) => n.node === 'node1')).toMatchObject({
          status: 'failed',
          inRotation: false,
        });
        expect((await cluster.haproxyServers()).find((s) => s.name === 'node1')?.status).toBe('MAINT');
        // the admin fixes node1 and starts it; the next run reconciles first: the enable command puts it back
        await cluster.startNode('node1');
        const next = await run(
          writePlaybook(
            cluster,
            'Shape put back next',
            'change:\n  type: restart\nrollout:\n  serial: 1\n  minHealthy: 3\n',
            { lbYaml },
          ),
          '--limit',
          'node2',
        );
        log(
          `put back: next run exit ${next.code}; ${next.stderr
            .trim()
            .split('\n')
            .filter((l) => /reconciled|WARNING/.test(l))
            .join(' ')}`,
        );
        expect(next.stderr).toMatch(
          /reconciled: node1 left out of the load balancer by run \S+ \(not updated\); healthy, so it was put back and is UP/,
        );
        expect(next.code, next.stdout.slice(-2000) + next.stderr).toBe(0);
        await cluster.waitBackendUp({ timeoutMs: 10_000 });
        expect((await cluster.haproxyServers()).map((s) => s.status)).toEqual(NODES.map(() => 'UP'));
      },
      120_000,
    );

    it(
      "backups are per run: the second run's rollback restores the second run's pre-state, not the " + "first run's",
      async () => {
        const key = 'lrroll.e2e.backup';
        const pb = writePlaybook(
          cluster,
          'Shape backups per run',
          `change:\n  - type: portal-properties\n    set:\n      ${key}` +
            `: "{{v}}"\n  - type: custom\n    name: fails in the second run\n    rollingSafe: true\n    ` +
            `commands:\n      - test {{v}} != two\nrollout:\n  serial: 1\n  minHealthy: 4\n  ` +
            `onFailure: rollback\n`,
        );
        const first = await run(pb, '--limit', 'node5', '--var', 'v=one');
        expect(first.code, first.stderr + first.stdout.slice(-2000)).toBe(0);
        expect(await sh('node5', `cat ${home('node5')}/portal-ext.properties`)).toContain(`${key}=one`);
        users();
        const second = await run(pb, '--limit', 'node5', '--var', 'v=two');
        const report = await stopUsers();
        log(`backups: second run exit ${second.code}; ${describeLoad(report)}`);
        expect(second.code).toBe(1);
        expect(report.failed, JSON.stringify(report.failures.slice(0, 5))).toBe(0);
        expect(runEnd(second.events)?.nodes.find((n) => n.node === 'node5')).toMatchObject({
          status: 'rolled-back',
          inRotation: true,
          updated: false,
        });
        const props = await sh('node5', `cat ${home('node5')}/portal-ext.properties`);
        expect(props).toContain(`${key}=one`);
        expect(props).not.toContain(`${key}=two`);
        // one backup folder per run, named by the run id
        const runIds = [first, second].map((r) => String(r.events.find((e) => e.kind === 'run-start')?.runId));
        const folders = (await sh('node5', `ls ${home('node5')}/.lrroll/backups`)).trim().split('\n');
        expect(folders).toEqual(expect.arrayContaining(runIds));
        expect(
          await sh(
            'node5',
            `grep -h '^${key}=' ${home('node5')}/.lrroll/backups/${runIds[1]}/files${home('node5')}` +
              `/portal-ext.properties`,
          ),
        ).toBe(`${key}=one\n`);
        await cluster.waitBackendUp({ timeoutMs: 10_000 });
      },
      120_000,
    );

    it(
      'preflight refuses a node whose stop/start program is missing (it would "stop" while the app ' +
        'keeps running): exit 3, nothing touched',
      async () => {
        const catalina = `${home('node3')}/tomcat/bin/catalina.sh`;
        await sh('node3', `mv ${catalina} ${catalina}.away`);
        try {
          const pb = writePlaybook(
            cluster,
            'Shape missing catalina',
            `change:\n  type: portal-properties\n  set:\n    lrroll.e2e.never: written\nrollout:\n  minHealthy: 4\n`,
          );
          const r = await run(pb);
          expect(r.code).toBe(3);
          expect(runEnd(r.events)?.reason).toContain(
            `node3: the scripts service: status says running, ${catalina} found`,
          );
          expect(
            r.events.some(
              (e) =>
                e.kind === 'step-output' &&
                String(e.line).includes(
                  `lrroll: ${catalina} (from the service's stop/start commands) ` +
                    `is not found or not executable on this node`,
                ),
            ),
          ).toBe(true);
          expect(r.events.some((e) => e.kind === 'step-start' && e.action === 'lb-drain')).toBe(false);
          for (const n of NODES)
            expect(await sh(n, `cat ${home(n)}/portal-ext.properties`), n).not.toContain('lrroll.e2e.never');
        } finally {
          await sh('node3', `mv ${catalina}.away ${catalina}`);
        }
      },
      60_000,
    );
  },
);

/**
 * A `type: command` load balancer that drives the cluster's HAProxy through its admin socket with socat (with or
 * without a `sessions` command).
 */
function commandLb(cluster: TestCluster, sessions: boolean): string {
  const sock = cluster.haproxy?.socket ?? '';
  const send = (cmd: string): string => `printf '${cmd}\\n' {{member}} | socat -t 5 stdio UNIX-CONNECT:${sock}`;
  const stat = `printf 'show stat liferay 4 -1\\n' | socat -t 5 stdio UNIX-CONNECT:${sock} | awk -F, -v m={{member}}`;
  return [
    'loadBalancer:',
    '  type: command',
    `  drain: ${send('set server liferay/%s state drain')}`,
    `  disable: ${send('set server liferay/%s state maint')}`,
    `  enable: ${send('set server liferay/%s state ready')}`,
    `  status: ${stat} '$2 == m { print $18 }'`,
    ...(sessions ? [`  sessions: ${stat} '$2 == m { print $3 + $5 }'`] : ['  drainWait: 1s']),
    '  drainTimeout: 4s',
    '  pollInterval: 200ms',
    '  upTimeout: 30s',
    '',
  ].join('\n');
}
