import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { lrroll, writePlaybook, type CliRun } from './helpers/lrroll-run.js';

const support = clusterSupport();

const lsOr = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
const detailOf = (run: CliRun, action: string, node: string): string =>
  String(
    run.events.find((e) => e.kind === 'step-end' && String(e.stepId).endsWith(`-${action}`) && e.node === node)
      ?.detail ?? '',
  );

/**
 * Backups and staged artifacts on real nodes over SSH: three runs with `retention: 2` (rolling
 * serial 1, full, rolling 50%) keep the last two runs' files and remove the first's; preflight says
 * what they take; `lrroll clean` removes them on demand, and refuses while another run holds the lock.
 */
describe.skipIf(!support.ok)(`disk hygiene over SSH${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;
  const backups = (node: TestCluster['nodes'][number]): string[] => lsOr(join(node.home, '.lrroll/backups'));
  const staging = (node: TestCluster['nodes'][number]): string[] => lsOr(join(node.home, '.lrroll/staging'));

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 2, haproxy: true, startMs: 500, stopMs: 200 });
    await cluster.startAll();
    cpSync(join('playbooks', 'artifacts'), join(cluster.dir, 'artifacts'), { recursive: true });
  }, 120_000);
  afterAll(() => cluster?.stop(), 60_000);

  const playbook = (name: string, change: string, rollout: string): string =>
    writePlaybook(cluster, name, `${change}rollout:\n  retention: 2\n  minHealthy: 0\n${rollout}`);
  const run = async (file: string): Promise<CliRun> => {
    const r = await lrroll(['run', file, '--yes', '--output', 'json'], cluster);
    expect(
      r.code,
      `${r.stderr}\n${JSON.stringify(r.events.filter((e) => e.status === 'failed' || e.kind === 'run-end'))}`,
    ).toBe(0);
    return r;
  };

  it(
    "keeps the last 2 runs: the third run removes the first run's backup, the second run's staged jar " +
      'stays, and the plan shows the step',
    async () => {
      const first = playbook(
        'Hygiene one',
        'change:\n  type: portal-properties\n  set: { hygiene.run: "1" }\n',
        '  serial: 1\n',
      );
      const plan = await lrroll(['plan', first], cluster);
      expect(plan.stdout).toMatch(
        /node1: keep the backups and staged files of the last 2 run\(s\) in \/opt\/liferay\/\.lrroll, remove older ones/,
      );
      const r1 = await run(first);
      expect(detailOf(r1, 'prune', 'node1')).toMatch(/kept 1 run\(s\); removed 0 backup/);
      // Each run backs up into a folder named by its run id.
      const k1 = String(r1.events.find((e) => e.kind === 'run-start')?.runId);
      expect(backups(cluster.nodes[0] as TestCluster['nodes'][number])).toEqual([k1]);

      const second = playbook(
        'Hygiene two',
        'change:\n  type: module\n  artifact: artifacts/com.acme.orders.service-2.1.3.jar\n  deployTo: modules\n',
        '  strategy: full\n',
      );
      const r2 = await run(second);
      // Preflight reads what the first run left.
      expect(detailOf(r2, 'check-disk', 'node2')).toMatch(
        /MiB free; \/opt\/liferay\/\.lrroll holds [\d.]+ MiB of backups \(1\) and staged files/,
      );
      for (const n of cluster.nodes) {
        expect(backups(n)).toHaveLength(2);
        expect(staging(n)).toEqual([expect.stringMatching(/-com\.acme\.orders\.service-2\.1\.3\.jar$/)]);
      }

      const third = playbook(
        'Hygiene three',
        'change:\n  type: portal-properties\n  set: { hygiene.run: "3" }\n',
        '  serial: 50%\n',
      );
      const r3 = await run(third);
      for (const n of cluster.nodes) {
        expect(backups(n)).toHaveLength(2);
        expect(backups(n)).not.toContain(k1);
        // The module run is still among the last two: its staged jar stays.
        expect(staging(n)).toHaveLength(1);
        expect(detailOf(r3, 'prune', n.name)).toMatch(/kept 2 run\(s\); removed 1 backup\(s\) and 0 staged file\(s\)/);
      }
    },
    360_000,
  );

  it(
    'lrroll clean refuses while another run holds the lock, then removes every backup and staged file ' +
      '(--limit: only that node)',
    async () => {
      const file = join(cluster.dir, 'hygiene-three.yml');
      const [n1, n2] = cluster.nodes as [TestCluster['nodes'][number], TestCluster['nodes'][number]];
      const lock = join(n2.home, '.lrroll/lock');
      mkdirSync(lock, { recursive: true });
      writeFileSync(
        join(lock, 'owner'),
        JSON.stringify({
          user: 'someone',
          host: 'elsewhere',
          pid: 1,
          runId: 'r-other',
          planHash: '0'.repeat(64),
          name: 'other run',
          since: new Date().toISOString(),
          message: '',
        }),
      );
      const held = await lrroll(['clean', file, '--yes'], cluster);
      expect(held.code, held.stderr).toBe(3);
      expect(held.stderr).toMatch(/another run holds the cluster's lock \(on node2\)[\s\S]*Nothing was removed/);
      expect(backups(n1)).toHaveLength(2);
      rmSync(lock, { recursive: true, force: true });

      const limited = await lrroll(['clean', file, '--yes', '--limit', 'node2'], cluster);
      expect(limited.code, limited.stderr).toBe(0);
      expect(limited.stdout).toMatch(
        /^node2: \/opt\/liferay\/\.lrroll holds [\d.]+ MiB of backups \(2\) and staged files$/m,
      );
      expect(limited.stdout).toMatch(/^node2: lrroll: kept 0 run\(s\); removed 2 backup\(s\) and 1 staged file\(s\)/m);
      expect(limited.stdout).not.toMatch(/^node1:/m);
      expect(backups(n2)).toEqual([]);
      expect(staging(n2)).toEqual([]);
      expect(backups(n1)).toHaveLength(2);

      const all = await lrroll(['clean', file, '--yes', '--keep', '1'], cluster);
      expect(all.code, all.stderr).toBe(0);
      expect(backups(n1)).toHaveLength(1);
      // The lock clean took is given back; the app server still runs, untouched.
      for (const n of cluster.nodes) expect(existsSync(join(n.home, '.lrroll/lock'))).toBe(false);
    },
    240_000,
  );
});
