/**
 * On a real cluster (sshd per node + HAProxy, simulated Liferay nodes):
 * - the built-in cache clear (`rollout.clearCache.serverAdmin`) signs in and runs Server
 *   Administration's "Clear content cached across the cluster" exactly once, after every node is
 *   back, and its password never shows in the output or the run record;
 * - the canary bake watches the canary: an ERROR line in its log ends the bake within seconds
 *   and no other node is touched.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { runEnd, spawnLrroll, stepStart, type LrEvent } from './helpers/faults.js';
import { writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`cache-clear/canary e2e skipped: ${support.reason}\n`);

const ADMIN = { login: 'ops-admin@example.net', password: 'Cl3ar-Cach3s!' };

/** Every file under `dir`, as text. */
function allText(dir: string): string {
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .map((p) => (statSync(p).isDirectory() ? allText(p) : readFileSync(p, 'utf8')))
    .join('\n');
}

describe.skipIf(!support.ok)(
  `cache clear and canary bake on a real cluster${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;

    beforeAll(async () => {
      cluster = await startTestCluster({
        nodes: 3,
        haproxy: true,
        startMs: 1200,
        stopMs: 300,
        sim: { extra: { admin: ADMIN } },
      });
      await cluster.startAll();
    }, 120_000);
    afterAll(() => cluster?.stop(), 60_000);

    it('clears the caches once, on node1, after the last node is back; the password stays secret', async () => {
      const home = join(cluster.dir, 'home-cache');
      const pb = writePlaybook(
        cluster,
        'Cache clear',
        'change:\n  type: restart\nrollout:\n  clearCache:\n    serverAdmin:\n      login: ' +
          '${LR_ADMIN_LOGIN}\n      password: ${LR_ADMIN_PASSWORD}\n',
      );
      const run = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home, {
        LR_ADMIN_LOGIN: ADMIN.login,
        LR_ADMIN_PASSWORD: ADMIN.password,
      });
      const done = await run.done;
      expect(done.code, done.stderr + done.stdout.slice(-3000)).toBe(0);
      const clear = done.events.find((e) => e.kind === 'step-end' && String(e.stepId).includes('cache-clear'));
      expect(clear).toMatchObject({ status: 'ok', node: 'node1' });
      const lastUp = done.events.filter((e) => e.kind === 'lb-state' && e.state === 'up').at(-1) as LrEvent;
      const log = (await cluster.ssh('node1', 'grep "event=cache-clear" /opt/liferay/tomcat/logs/catalina.out')).stdout
        .trim()
        .split('\n')
        .filter(Boolean);
      expect(log).toHaveLength(1);
      expect(log[0]).toContain(`cmd=cacheMulti user=${ADMIN.login}`);
      expect(Date.parse(/at=(\S+)/.exec(log[0] ?? '')?.[1] ?? '')).toBeGreaterThanOrEqual(
        Date.parse(String(lastUp.at)),
      );
      for (const n of ['node2', 'node3'])
        expect(
          (
            await cluster.ssh(n, 'grep -c "event=cache-clear" /opt/liferay/tomcat/logs/catalina.out || true')
          ).stdout.trim(),
        ).toBe('0');
      expect(done.stdout + done.stderr).not.toContain(ADMIN.password);
      expect(allText(home)).not.toContain(ADMIN.password);
    }, 180_000);

    it(
      "an ERROR line in the canary's log during the bake fails it within seconds; node2 and node3 are " + 'not touched',
      async () => {
        const home = join(cluster.dir, 'home-canary');
        const pb = writePlaybook(
          cluster,
          'Canary',
          'change:\n  type: restart\nrollout:\n  canary:\n    nodes: 1\n    bake: 60s\n    ' +
            'watchInterval: 1s\n    confirm: false\n',
        );
        const run = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, home);
        const bake = await run.waitFor((e) => e.kind === 'step-start' && e.action === 'bake', 120_000);
        await cluster.ssh(
          'node1',
          `echo "$(date '+%Y-%m-%d %H:%M:%S.000') ERROR [http-nio-8080-exec-7][PortalImpl:6321] ` +
            `java.lang.NullPointerException: lrroll canary e2e" >> /opt/liferay/tomcat/logs/catalina.out`,
        );
        const done = await run.done;
        expect(done.code, done.stderr + done.stdout.slice(-3000)).toBe(1);
        const end = done.events.find((e) => e.kind === 'step-end' && e.stepId === bake.stepId);
        expect(end).toMatchObject({ status: 'failed' });
        expect(String(end?.detail)).toContain(
          'node1: an error in /opt/liferay/tomcat/logs/catalina.out during the bake',
        );
        expect(String(end?.detail)).toContain('java.lang.NullPointerException: lrroll canary e2e');
        expect(Number(end?.durationMs)).toBeLessThan(15_000);
        expect(runEnd(done.events)?.status).toBe('halted');
        for (const n of ['node2', 'node3']) expect(done.events.some(stepStart(n, 'lb-drain'))).toBe(false);
        expect((await cluster.haproxyServers()).map((s) => s.status)).toEqual(['UP', 'UP', 'UP']);
      },
      180_000,
    );
  },
);
