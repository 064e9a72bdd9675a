// End-to-end: the cluster lock, `lrroll status` during another run, SIGTERM / SIGHUP and kill -9,
// on a real cluster (sshd per node in its own mount namespace, HAProxy, simulated Liferay nodes).
//
// A run is held at an exact point by a step that waits for a "go" file: a custom change applied
// while the node still runs (the node is drained, its app server up) or a local beforeNode hook.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { startLoad, type Load } from '../cluster/load.js';
import {
  describeLoad,
  lastLbState,
  recordOf,
  resetCluster,
  runEnd,
  runLrroll,
  spawnLrroll,
  stepStart,
  takeOutWindow,
  unexpectedFailures,
  type LrEvent,
} from './helpers/faults.js';
import { writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`lock/signals e2e skipped: ${support.reason}\n`);

const NODES = ['node1', 'node2', 'node3'];
const STACK = /\n\s+at .+:\d+:\d+\)?\n|internal error/;
const log = (text: string) => process.stderr.write(`lock/signals e2e: ${text}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * A rolling change whose apply (node drained, app server still running) waits for /opt/liferay/lrroll-e2e-go on the
 * node.
 */
function pausedPlaybook(cluster: TestCluster, name: string, order?: string[]): string {
  const body = `change:
  type: custom
  name: wait for the go file
  rollingSafe: true
  when: running
  commands:
    - "while [ ! -e /opt/liferay/lrroll-e2e-go ]; do sleep 0.1; done"
rollout:
  serial: 1
  minHealthy: 2
`;
  return writePlaybook(cluster, name, body, order ? { order } : {});
}

/** Lets every paused step go on. */
const release = (cluster: TestCluster) =>
  Promise.all(NODES.map((n) => cluster.ssh(n, 'touch /opt/liferay/lrroll-e2e-go')));

/**
 * The run lock's folder on every node: `<mode of the folder> <mode of the owner record>`, or `-` when there is none.
 */
async function lockModes(cluster: TestCluster): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of NODES)
    out[n] = (
      await cluster.ssh(n, 'd=/opt/liferay/.lrroll/lock; [ -d $d ] && stat -c %a $d $d/owner | paste -sd " " || echo -')
    ).stdout.trim();
  return out;
}

const lbStates = async (cluster: TestCluster): Promise<string[]> =>
  (await cluster.haproxyServers()).map((s) => s.status);
/** Processes on this machine (nodes included) whose command line contains `text`. */
const processesWith = (text: string): string[] =>
  spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l.includes(text) && !l.includes('ps -eo'));

describe.skipIf(!support.ok)(
  `lock, status and signals on a real cluster (sshd per node + HAProxy)` +
    `${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    let load: Load | null = null;
    const home = (s: string) => join(cluster.dir, `lrroll-home-${s}`);

    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 1000, stopMs: 200 });
      await cluster.startAll();
    }, 120_000);
    afterAll(async () => {
      await load?.stop();
      await cluster?.stop();
    }, 60_000);
    beforeEach(async () => {
      if (!cluster) return;
      await Promise.all(NODES.map((n) => cluster.ssh(n, 'rm -f /opt/liferay/lrroll-e2e-go')));
      await resetCluster(cluster, { startMs: 1000 });
    }, 90_000);

    it(
      'while a run holds the cluster, a run listing the nodes in another order or with --limit is ' +
        'refused (exit 3), and `status` changes nothing',
      async () => {
        const h = home('lock');
        const pb = pausedPlaybook(cluster, 'L1 holds the lock');
        load = startLoad({ url: cluster.haproxy?.url ?? '', rps: 30, users: 10 });
        const a = spawnLrroll(['run', pb, '--yes', '--output', 'json', '-m', 'patching the cluster'], cluster, h);
        const paused = await a.waitFor(stepStart('node1', 'apply'), 90_000);
        const runId = String(a.events.find((e) => e.kind === 'run-start')?.runId);
        expect(await lbStates(cluster)).toEqual(['MAINT', 'UP', 'UP']);

        // Another operator (another record folder): the same cluster listed backwards, then --limit node3.
        const reversed = pausedPlaybook(cluster, 'L1 same cluster reversed', ['node3', 'node2', 'node1']);
        for (const args of [
          ['run', reversed, '--yes', '--output', 'json'],
          ['run', pb, '--yes', '--output', 'json', '--limit', 'node3'],
        ]) {
          const other = await runLrroll(args, cluster, home('lock-other'));
          log(`second run ${args.join(' ')}: exit ${other.code}; ${String(runEnd(other.events)?.reason)}`);
          expect(other.code, other.stderr + other.stdout.slice(-2000)).toBe(3);
          expect(runEnd(other.events)?.reason).toMatch(
            new RegExp(
              `^another run holds the cluster's lock \\(on node1\\): \\S+ \\(pid ${a.child.pid}` +
                `\\), run ${runId} of "L1 holds the lock" .*: patching the ` +
                `cluster; last refreshed .* that run is still running \\(pid ${a.child.pid}` +
                ` on this host\\)`,
            ),
          );
          expect(other.events.filter((e) => e.kind === 'step-start')).toEqual([]);
          expect(other.stdout + other.stderr).not.toMatch(STACK);
        }

        // Held on every node, readable by its owner only.
        expect(await lockModes(cluster)).toEqual({ node1: '700 600', node2: '700 600', node3: '700 600' });

        // `lrroll status` from the same machine: says who holds the lock and that node1 is out for that live run; puts
        // nothing back.
        const status = await runLrroll(['status', pb], cluster, h);
        log(`status during the run: exit ${status.code}\n${status.stderr}${status.stdout}`);
        expect(status.stderr).toMatch(
          new RegExp(`note: the cluster is locked \\(on node1, node2, node3\\) by .*run ${runId}`),
        );
        expect(status.stderr).toContain(
          `note: node1 was left out of the load balancer by run ${runId}, which is still running on this host`,
        );
        expect(status.code).toBe(1);
        await sleep(1000); // HAProxy would have answered a put-back by now
        expect(await lbStates(cluster)).toEqual(['MAINT', 'UP', 'UP']);
        expect(await lockModes(cluster)).toEqual({ node1: '700 600', node2: '700 600', node3: '700 600' });

        await release(cluster);
        const run = await a.done;
        const report = await load.stop();
        load = null;
        log(`first run: exit ${run.code}; load ${describeLoad(report)}`);
        expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
        expect(paused.node).toBe('node1');
        expect(await lbStates(cluster)).toEqual(['UP', 'UP', 'UP']);
        expect(await lockModes(cluster)).toEqual({ node1: '-', node2: '-', node3: '-' });
        expect(
          unexpectedFailures(
            report,
            NODES.map((n) => takeOutWindow(run.events, n)),
          ),
          describeLoad(report),
        ).toEqual([]);
      },
      180_000,
    );

    it(
      'SIGTERM while a local hook runs: the hook finishes (no orphan), nothing new starts, summary, ' +
        'lock released, exit 130',
      async () => {
        const h = home('term');
        const go = join(cluster.dir, 'term-hook-go');
        const pb = writePlaybook(
          cluster,
          'T1 SIGTERM',
          `change:\n  type: restart\nrollout:\n  serial: ` +
            `1\n  minHealthy: 2\nhooks:\n  beforeNode:\n    - run: "while [ ! -e ${go}` +
            ` ]; do sleep 0.1; done"\n      on: local\n`,
        );
        const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
        await live.waitFor((e) => e.kind === 'step-start' && e.action === 'hook', 90_000);
        await sleep(300);
        expect(processesWith(go).length, 'the hook runs').toBeGreaterThan(0);
        live.signal('SIGTERM');
        await sleep(1500);
        // Graceful: lrroll waits for the hook in flight instead of dying and leaving it behind.
        expect(live.child.exitCode, 'lrroll is still finishing').toBeNull();
        writeFileSync(go, '');
        const run = await live.done;
        log(`SIGTERM: exit ${run.code}; ${String(runEnd(run.events)?.reason)}`);
        expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(130);
        expect(run.stderr).toContain('Interrupted (SIGTERM): finishing the commands in flight');
        expect(run.stderr).not.toMatch(STACK);
        expect(processesWith(go), 'no orphaned hook').toEqual([]);
        const end = runEnd(run.events);
        expect(end?.status).toBe('aborted');
        expect(end?.reason).toMatch(/^interrupted \(SIGTERM\)/);
        expect(end?.nodes.map((n) => [n.node, n.inRotation])).toEqual([
          ['node1', true],
          ['node2', true],
          ['node3', true],
        ]);
        expect(run.events.filter((e) => e.kind === 'step-start' && e.action === 'lb-drain')).toEqual([]);
        expect(await lbStates(cluster)).toEqual(['UP', 'UP', 'UP']);
        expect(await lockModes(cluster)).toEqual({ node1: '-', node2: '-', node3: '-' });
        expect(recordOf(h, run).meta.status).toBe('aborted');
      },
      120_000,
    );

    it(
      'SIGHUP while node1 is drained and still running: node1 goes back into the load balancer, lock ' +
        'released, exit 130',
      async () => {
        const h = home('hup');
        const pb = pausedPlaybook(cluster, 'H1 SIGHUP');
        const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
        await live.waitFor(stepStart('node1', 'apply'), 90_000);
        expect(await lbStates(cluster)).toEqual(['MAINT', 'UP', 'UP']);
        live.signal('SIGHUP');
        await sleep(1000);
        expect(live.child.exitCode, 'lrroll is still finishing').toBeNull();
        await release(cluster);
        const run = await live.done;
        log(`SIGHUP: exit ${run.code}; ${String(runEnd(run.events)?.reason)}`);
        expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(130);
        expect(run.stderr).not.toMatch(STACK);
        expect(runEnd(run.events)?.reason).toMatch(/^interrupted \(SIGHUP\)/);
        expect(runEnd(run.events)?.nodes.find((n) => n.node === 'node1')).toMatchObject({ inRotation: true });
        expect(await lbStates(cluster)).toEqual(['UP', 'UP', 'UP']);
        expect(lastLbState(recordOf(h, run).events)).toEqual({ node1: 'up' });
        expect(await lockModes(cluster)).toEqual({ node1: '-', node2: '-', node3: '-' });
        expect(processesWith('lrroll-e2e-go')).toEqual([]);
      },
      120_000,
    );

    it(
      'after kill -9 with node1 out of rotation, the next run is refused saying so and pointing to ' +
        'resume/unlock; resume takes over the lock and finishes',
      async () => {
        const h = home('kill');
        const pb = pausedPlaybook(cluster, 'K1 killed');
        const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
        await live.waitFor(stepStart('node1', 'apply'), 90_000);
        const runId = String(live.events.find((e) => e.kind === 'run-start')?.runId);
        live.signal('SIGKILL');
        await live.done;
        await release(cluster); // the orphaned apply on node1 ends; node1 stays drained
        expect(await lbStates(cluster)).toEqual(['MAINT', 'UP', 'UP']);

        const next = await runLrroll(
          ['run', pausedPlaybook(cluster, 'K1 next run', ['node2', 'node3', 'node1']), '--yes', '--output', 'json'],
          cluster,
          h,
        );
        const end = runEnd(next.events);
        log(`next run: exit ${next.code}; ${String(end?.reason)}; ${JSON.stringify(end?.nodes)}`);
        expect(next.code, next.stderr + next.stdout.slice(-2000)).toBe(3);
        expect(end?.reason).toContain(`run ${runId} of "K1 killed"`);
        expect(end?.reason).toContain(
          `that run is no longer running (pid ${live.child.pid}` +
            ` on this host is gone) and may have left nodes out of the load balancer: \`lrroll resume ` +
            `${runId}\` continues it (taking over its lock), or \`lrroll unlock `,
        );
        expect(end?.nodes.find((n) => n.node === 'node1')).toMatchObject({
          inRotation: false,
          state: `not touched by this run; OUT of the load balancer (MAINT) since run ${runId}`,
        });
        expect(end?.nodes.find((n) => n.node === 'node2')).toMatchObject({
          inRotation: true,
          state: 'not touched by this run; in the load balancer',
        });
        expect(JSON.stringify(end)).not.toContain('untouched');
        expect(await lbStates(cluster)).toEqual(['MAINT', 'UP', 'UP']);

        const resume = await runLrroll(['resume', runId, '--yes', '--output', 'json'], cluster, h);
        log(`resume: exit ${resume.code}`);
        expect(resume.code, resume.stderr + resume.stdout.slice(-3000)).toBe(0);
        expect(resume.stderr).toContain(
          `took over the cluster lock of the interrupted run ${runId} (pid ${live.child.pid} on `,
        );
        expect(await lbStates(cluster)).toEqual(['UP', 'UP', 'UP']);
        expect(recordOf(h, runId).meta.status).toBe('ok');
        expect(await lockModes(cluster)).toEqual({ node1: '-', node2: '-', node3: '-' });
      },
      180_000,
    );

    it(
      '`lrroll unlock` on a live run says so; the run whose lock was broken stops at its next refresh ' +
        '(nothing goes on silently), exit 130',
      async () => {
        const h = home('unlock');
        const pb = pausedPlaybook(cluster, 'U1 unlocked');
        const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
        await live.waitFor(stepStart('node1', 'apply'), 90_000);
        const unlock = await runLrroll(['unlock', pb, '--yes'], cluster, h);
        log(`unlock: exit ${unlock.code}\n${unlock.stderr}${unlock.stdout}`);
        expect(unlock.code).toBe(0);
        expect(unlock.stderr).toMatch(
          /The cluster's run lock is held on node1, node2, node3 by .*run \S+ of "U1 unlocked"/,
        );
        expect(unlock.stderr).toContain(`That run is STILL RUNNING on this host (pid ${live.child.pid})`);
        expect(unlock.stdout).toBe('Lock broken on 3 node(s).\n');
        expect(await lockModes(cluster)).toEqual({ node1: '-', node2: '-', node3: '-' });
        // Within one refresh (every 10 s) the run learns it and stops like on Ctrl-C; the apply in flight then
        // finishes.
        await sleep(11_000);
        expect(live.child.exitCode, 'still finishing the apply in flight').toBeNull();
        await release(cluster);
        const run = await live.done;
        log(`unlocked run: exit ${run.code}; ${String(runEnd(run.events)?.reason)}`);
        expect(run.stderr).toMatch(
          /WARNING: the cluster lock on node\d was broken \(lrroll unlock\): this run stops now, like on Ctrl-C/,
        );
        expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(130);
        expect(runEnd(run.events)?.reason).toMatch(
          /^interrupted \(the cluster lock on node\d was broken \(lrroll unlock\)\)/,
        );
        expect(
          run.events.filter(
            (e) => e.kind === 'step-start' && e.node === 'node2' && !String(e.stepId).startsWith('preflight/'),
          ),
        ).toEqual([]);
        expect(await lbStates(cluster)).toEqual(['UP', 'UP', 'UP']);
      },
      150_000,
    );

    it('the record of a resume refused by the lock keeps its run resumable', async () => {
      const h = home('refused-resume');
      const pb = pausedPlaybook(cluster, 'R1 interrupted');
      const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
      await live.waitFor(stepStart('node1', 'apply'), 90_000);
      live.signal('SIGINT');
      await release(cluster);
      const run = await live.done;
      expect(run.code).toBe(130);
      const runId = String(run.events.find((e: LrEvent) => e.kind === 'run-start')?.runId);
      // Someone else holds the cluster now.
      await Promise.all(NODES.map((n) => cluster.ssh(n, 'rm -f /opt/liferay/lrroll-e2e-go')));
      const other = spawnLrroll(
        ['run', pausedPlaybook(cluster, 'R1 other'), '--yes', '--output', 'json'],
        cluster,
        home('refused-resume-other'),
      );
      await other.waitFor(stepStart('node1', 'apply'), 90_000);
      const refused = await runLrroll(['resume', runId, '--yes', '--output', 'json'], cluster, h);
      expect(refused.code, refused.stderr).toBe(3);
      expect(recordOf(h, runId).meta.status).toBe('aborted');
      await release(cluster);
      expect((await other.done).code).toBe(0);
      expect(existsSync(join(h, 'runs', runId))).toBe(true);
      const again = await runLrroll(['resume', runId, '--yes', '--output', 'json'], cluster, h);
      expect(again.code, again.stderr + again.stdout.slice(-2000)).toBe(0);
      expect(recordOf(h, runId).meta.status).toBe('ok');
    }, 240_000);
  },
);
