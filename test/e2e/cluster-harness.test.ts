// The real test cluster itself (test/cluster/): sshd per node in its own mount namespace,
// HAProxy in front, the load generator. Other end-to-end tests build on these guarantees.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterSupport,
  parseShowStat,
  processAlive,
  startTestCluster,
  type ClusterProcess,
  type TestCluster,
} from '../cluster/cluster.js';
import { startLoad } from '../cluster/load.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`\n[cluster-harness] SKIPPED: ${support.reason}\n\n`);

function run(
  cmd: string,
  args: string[],
  input?: string,
  timeoutMs = 20_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

describe.skipIf(!support.ok)(
  `real test cluster: 3 nodes over SSH + HAProxy${support.ok ? '' : ` (skipped: ${support.reason})`}`,
  () => {
    let cluster: TestCluster | undefined;
    const c = (): TestCluster => {
      if (!cluster) throw new Error('cluster did not start (see beforeAll)');
      return cluster;
    };

    beforeAll(async () => {
      const t0 = Date.now();
      cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 800, stopMs: 300 });
      process.stderr.write(
        `[cluster-harness] cluster up in ${Date.now() - t0} ms: ` +
          `${cluster.nodes.map((n) => `${n.name}=${n.address}:${n.sshPort}`).join(' ')} haproxy=` +
          `${cluster.haproxy?.url}\n`,
      );
    }, 90_000);

    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);

    it('over SSH, every node sees its own home on /opt/liferay', async () => {
      const nodes = c().nodes;
      // node2 also writes a marker into its home: it must land there only.
      const results = await Promise.all(
        nodes.map((n) =>
          c().ssh(
            n,
            `${n.name === 'node2' ? 'echo only-on-node2 > /opt/liferay/marker && ' : ''}` +
              `id -un && cat /opt/liferay/sim.json`,
          ),
        ),
      );
      results.forEach((r, i) => {
        const node = nodes[i]!;
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        const [user, ...json] = r.stdout.split('\n');
        expect(user).toBe('root');
        expect(JSON.parse(json.join('\n'))).toMatchObject({
          node: node.name,
          host: node.address,
          httpPort: node.httpPort,
        });
      });
      const [n1, n2, n3, viaConfig] = await Promise.all([
        // The home was made as /opt/liferay (paths baked into catalina.sh etc.), not as the harness's temp dir.
        c().ssh('node1', `test ! -e /opt/liferay/marker && ! grep -rl ${JSON.stringify(c().dir)} /opt/liferay`),
        c().ssh('node2', 'cat /opt/liferay/marker'),
        c().ssh('node3', 'test ! -e /opt/liferay/marker'),
        // The generated ssh config works for the plain ssh client too.
        run('ssh', ['-F', c().sshConfigFile, 'node3', 'cat /opt/liferay/sim.json']),
      ]);
      expect(n1).toMatchObject({ code: 0, stdout: '' });
      expect(n2).toMatchObject({ code: 0, stdout: 'only-on-node2\n' });
      expect(n3).toMatchObject({ code: 0 });
      expect(viaConfig.code).toBe(0);
      expect(JSON.parse(viaConfig.stdout)).toMatchObject({ node: 'node3' });
      expect(readFileSync(join(nodes[1]!.home, 'marker'), 'utf8')).toBe('only-on-node2\n');
    });

    it('startAll() brings every node up and HAProxy (show stat via socat) reports 3 servers UP', async () => {
      const t0 = Date.now();
      await c().startAll({ timeoutMs: 30_000 });
      process.stderr.write(`[cluster-harness] startAll() took ${Date.now() - t0} ms\n`);
      const hap = c().haproxy!;
      const r = await run('socat', ['-t', '5', '-', `UNIX-CONNECT:${hap.socket}`], 'show stat\n');
      expect(r.code).toBe(0);
      const servers = parseShowStat(r.stdout, hap.backend);
      expect(servers.map((s) => [s.name, s.status])).toEqual([
        ['node1', 'UP'],
        ['node2', 'UP'],
        ['node3', 'UP'],
      ]);
      // The app server runs inside the node's mount namespace: it was started from /opt/liferay.
      const sims = c()
        .processes()
        .filter((p) => p.role === 'sim');
      expect(sims.map((p) => p.node).sort()).toEqual(['node1', 'node2', 'node3']);
    });

    it('steady load through HAProxy for ~2 s: no failures, sticky users spread over all 3 nodes', async () => {
      const load = startLoad({ url: c().haproxy!.url, rps: 40, users: 12 });
      await new Promise((r) => setTimeout(r, 2000));
      const report = await load.stop();
      expect(report.failures).toEqual([]);
      expect(report.failed).toBe(0);
      expect(report.total).toBeGreaterThanOrEqual(50); // ~80 at 40 rps
      expect(Object.keys(report.byNode).sort()).toEqual(['node1', 'node2', 'node3']);
      expect(report.switches).toBe(0); // every user stays on its node (JSESSIONID cookie, prefix mode)
    });

    it(
      'refuses a host whose key is unknown (StrictHostKeyChecking=yes, empty known_hosts), accepts it ' +
        'with the harness known_hosts',
      async () => {
        const n = c().nodes[0]!;
        const empty = join(c().dir, 'empty_known_hosts');
        writeFileSync(empty, '');
        const base = [
          '-F',
          '/dev/null',
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=yes',
          '-o',
          'GlobalKnownHostsFile=/dev/null',
          '-o',
          'IdentitiesOnly=yes',
          '-o',
          'ConnectTimeout=10',
        ];
        const target = ['-i', c().identityFile, '-p', String(n.sshPort), `root@${n.address}`, 'true'];
        const refused = await run('ssh', [...base, '-o', `UserKnownHostsFile=${empty}`, ...target]);
        expect(refused.code).toBe(255);
        expect(refused.stderr).toMatch(/Host key verification failed/);
        const accepted = await run('ssh', [...base, '-o', `UserKnownHostsFile=${c().knownHostsFile}`, ...target]);
        expect(accepted).toMatchObject({ code: 0, stderr: '' });
        const fingerprints = new Set(c().nodes.map((x) => x.hostKeyFingerprint));
        expect(fingerprints.size).toBe(3);
      },
    );

    it('stop() leaves no sshd, haproxy or sim process of this cluster', async () => {
      const before: ClusterProcess[] = c().processes();
      const roles = new Set(before.map((p) => p.role));
      expect(roles).toContain('sshd');
      expect(roles).toContain('haproxy');
      expect(roles).toContain('sim');
      const t0 = Date.now();
      await c().stop();
      process.stderr.write(`[cluster-harness] stop() took ${Date.now() - t0} ms\n`);
      expect(before.filter((p) => processAlive(p.pid, p.start))).toEqual([]);
      expect(c().processes()).toEqual([]);
      expect(existsSync(c().dir)).toBe(false);
    });
  },
);
