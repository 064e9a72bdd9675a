// A rolling change on a real Tomcat test cluster while logged-in users keep working through its
// load balancer(s): the pieces the Tomcat end-to-end tests share.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestCluster,
  tomcatClusterSupport,
  type BalancerInfo,
  type StartOptions,
  type TestCluster,
} from '../../cluster/cluster.js';
import {
  expectedLosses,
  outWindows,
  startSessionLoad,
  unexplainedLosses,
  type OutWindow,
  type SessionLoadReport,
  type SessionSample,
} from '../../cluster/session-load.js';
import { lrroll, writePlaybook, type CliRun } from './lrroll-run.js';

/** The `loadBalancer:` section for the cluster's balancers of one type (a list when there are several). */
export function loadBalancerYaml(balancers: readonly BalancerInfo[]): string {
  const type = balancers[0]?.type;
  if (!type) return 'loadBalancer:\n  type: none\n';
  const key = type === 'haproxy' ? 'socket' : 'url';
  const pool = type === 'haproxy' ? 'backend' : 'balancer';
  const where =
    balancers.length === 1
      ? `  ${key}: ${balancers[0]?.admin}\n`
      : `  instances:\n${balancers.map((b, i) => `    - name: lb${i + 1}\n      ${key}: ${b.admin}\n`).join('')}`;
  return (
    `loadBalancer:\n  type: ${type}\n${where}  ${pool}: liferay\n  drainTimeout: 10s\n  pollInterval: ` +
    `200ms\n  upTimeout: 60s\n`
  );
}

/** The hotfix-style change: edit the text of home.jsp from `(build N)` to `(build N+1)`, as a JSP-only hotfix does. */
export function jspHotfix(from: number): string {
  const jsp = '/opt/liferay/tomcat/webapps/ROOT/home.jsp';
  return `change:
  type: custom
  name: JSP-only hotfix (build ${from} → ${from + 1})
  rollingSafe: true
  commands:
    - sed -i 's/(build ${from})/(build ${from + 1})/' ${jsp}
  backup: [${jsp}]
  verify:
    - grep -q '(build ${from + 1})' ${jsp}
`;
}

/** Health gates for real Tomcat: its own startup line, then the portal's layout page. */
export const TOMCAT_HEALTH = `health:
  startupMarker:
    timeout: 180s
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: 300ms
    timeout: 120s
  settle: 300ms
`;

/** What one rolling run under load gave. */
export interface RollResult {
  playbook: string;
  run: CliRun;
  load: SessionLoadReport;
  /** Node → when lrroll drained it and took it out hard (the `lb-state` events). */
  outs: Map<string, OutWindow[]>;
  /** Sessions the user-impact note predicts lost: users pinned to a node when it went out. */
  predictedLost: number;
  /** Lost sessions whose node was never taken out (should be none). */
  unexplained: SessionSample[];
}

/** Runs `lrroll run` with the JSP hotfix on every node while `users` logged-in users work through every balancer. */
export async function rollUnderSessions(
  cluster: TestCluster,
  name: string,
  build: number,
  options: { users?: number; serial?: number | string; extraArgs?: string[] } = {},
): Promise<RollResult> {
  const playbook = writePlaybook(
    cluster,
    name,
    `${jspHotfix(build)}rollout:\n  serial: ${JSON.stringify(options.serial ?? 1)}\n  minHealthy: 1\n${TOMCAT_HEALTH}`,
    { lbYaml: loadBalancerYaml(cluster.balancers) },
  );
  const sessions = startSessionLoad({ urls: cluster.balancers.map((b) => b.url), users: options.users ?? 12 });
  // Everyone logged in and working before the first drain.
  const t0 = Date.now();
  while (sessions.count() < (options.users ?? 12) * 3 && Date.now() - t0 < 60_000)
    await new Promise((r) => setTimeout(r, 100));
  process.stderr.write(`[${name}] ${sessions.count()} requests from logged-in users so far; lrroll run starts\n`);
  const run = await lrroll(
    ['run', playbook, '--yes', '--output', 'json', ...(options.extraArgs ?? [])],
    cluster,
    {},
    600_000,
  );
  process.stderr.write(`[${name}] lrroll run ended (exit ${run.code})\n`);
  // A few more requests on the final state.
  await new Promise((r) => setTimeout(r, 1500));
  const load = await sessions.stop();
  const outs = outWindows(run.events);
  return {
    playbook,
    run,
    load,
    outs,
    predictedLost: expectedLosses(load.samples, outs),
    unexplained: unexplainedLosses(load.samples, outs),
  };
}

/** The run ended ok, nothing failed, and every node serves the new build. */
export async function expectRolled(cluster: TestCluster, r: RollResult, build: number): Promise<void> {
  const end = r.run.events.find((e) => e.kind === 'run-end');
  // The failed steps first: a failed node's forensics alone can fill the tail of the output.
  const failedSteps = r.run.events.filter((e) => e.kind === 'step-end' && e.status === 'failed');
  expect(
    end,
    `${JSON.stringify(failedSteps)}\n${cluster.balancerLog()}\n${r.run.stderr}${r.run.stdout.slice(-4000)}`,
  ).toMatchObject({
    status: 'ok',
  });
  expect(r.run.code).toBe(0);
  expect(r.load.failed, failedRequestsContext(cluster, r)).toBe(0);
  expect(r.load.requests).toBeGreaterThan(100);
  // Every node went out (hard) once and was the one answering some users before and after.
  expect([...r.outs.keys()].sort()).toEqual(cluster.nodes.map((n) => n.name));
  for (const n of cluster.nodes) {
    const page = await cluster.ssh(n.name, `curl -s http://${n.address}:${n.httpPort}/web/guest/home`);
    expect(page.stdout).toContain(`(build ${build + 1})`);
  }
  // Sticky sessions keep a user on one version: nobody saw the new build and then the old one.
  expect(r.load.buildFlips).toBe(0);
}

/**
 * What a failed request needs to be explained: the first failures, the node each user was last
 * answered by before, the run's steps around them (node, step, start and end times) and what the
 * balancers logged (Apache's proxy errors name the member and the cause).
 */
function failedRequestsContext(cluster: TestCluster, r: RollResult): string {
  const failed = r.load.samples.filter((s) => s.kind === 'failed').slice(0, 5);
  const lastNode = (f: SessionSample): string | null =>
    r.load.samples.filter((s) => s.user === f.user && s.node && s.endedAt <= f.sentAt).at(-1)?.node ?? null;
  const near = (at: number): boolean => failed.some((f) => Math.abs(at - f.sentAt) < 3000);
  const steps = r.run.events
    .filter((e) => (e.kind === 'step-start' || e.kind === 'step-end') && near(Date.parse(String(e.at))))
    .map((e) => `${Date.parse(String(e.at))} ${String(e.kind)} ${String(e.stepId)} ${String(e.status ?? '')}`);
  return [JSON.stringify(failed.map((f) => ({ ...f, lastNode: lastNode(f) }))), ...steps, cluster.balancerLog()].join(
    '\n',
  );
}

/** The plan's user-impact note for the playbook (`lrroll plan --format json`). */
export async function impactNote(cluster: TestCluster, playbook: string): Promise<string[]> {
  const plan = await lrroll(['plan', playbook, '--format', 'json'], cluster);
  expect(plan.code, plan.stderr).toBe(0);
  return (JSON.parse(plan.stdout) as { impact: string[] }).impact;
}

/** One line for the test log: requests sent / failed, sessions kept / lost. */
export function summary(label: string, r: RollResult): string {
  const logins: Record<string, number> = {};
  for (const s of r.load.samples)
    if (s.kind === 'login') logins[s.node ?? 'none'] = (logins[s.node ?? 'none'] ?? 0) + 1;
  return (
    `${label}: ${r.load.requests} requests, ${r.load.failed} failed; ${r.load.usersKept} of ` +
    `${r.load.usersKept + r.load.usersLost} users kept their session, ${r.load.lost}` +
    ` session(s) lost (predicted ${r.predictedLost}), ${r.load.skipped}` +
    ` stale counter(s); answers per node ${JSON.stringify(r.load.perNode)}, logins per node ` +
    `${JSON.stringify(logins)}\n`
  );
}

/** The load-balancer type for the figures line, `-pair` for several instances. */
function figuresLabel(cluster: TestCluster, lbType: BalancerInfo['type']): string {
  return cluster.balancers.length > 1 ? `${lbType}-pair` : lbType;
}

/**
 * The same figures as one plain `key=value` line, easy to collect from a test log. `sessions kept`
 * / `lost` count users (lost: found the session gone at least once); `moved` counts the times a
 * user was on a node when it was taken out hard (what the impact note says is lost without
 * replication); `relogins` counts the times a user found the session gone.
 */
export function figuresLine(lb: string, replication: boolean, serial: number | string, r: RollResult): string {
  return (
    `figures: lb=${lb} serial=${serial} replication=${replication ? 'on' : 'off'} requests=` +
    `${r.load.requests} failed=${r.load.failed} sessions kept=${r.load.usersKept} lost=` +
    `${r.load.usersLost} moved=${r.predictedLost} relogins=${r.load.lost}\n`
  );
}

/**
 * Each node drained, taken out hard, put back and seen UP by the real load balancer, its start gated on
 * Tomcat's own startup line, and afterwards `lrroll status` sees every node in rotation in the LB's own words.
 */
async function expectRolledThroughLb(cluster: TestCluster, r: RollResult, lbType: BalancerInfo['type']): Promise<void> {
  const lbSteps = r.run.events.filter(
    (e) => e.kind === 'step-end' && /-(lb-drain|lb-wait-drained|lb-enable|lb-wait-up)$/.test(String(e.stepId)),
  );
  expect(lbSteps.map((e) => e.status)).toEqual(Array(4 * cluster.nodes.length).fill('ok'));
  const markers = r.run.events.filter((e) => e.kind === 'step-end' && /-wait-log-marker$/.test(String(e.stepId)));
  expect(markers.map((e) => e.status)).toEqual(Array(cluster.nodes.length).fill('ok'));
  for (const n of cluster.nodes) {
    const log = await cluster.ssh(
      n.name,
      'grep -c "org.apache.catalina.startup.Catalina.start Server startup in \\[" /opt/liferay/tomcat/logs/catalina.out',
    );
    expect(Number(log.stdout.trim()), `${n.name}: the harness's start and lrroll's`).toBeGreaterThanOrEqual(2);
  }
  const status = await lrroll(['status', r.playbook], cluster);
  expect(status.code, status.stdout + status.stderr).toBe(0);
  const word = { haproxy: 'UP', apache: 'Init Ok', mod_jk: 'ACT OK' }[lbType];
  for (const n of cluster.nodes) expect(status.stdout).toMatch(new RegExp(`${n.name}\\s.*\\s${word}`));
}

/**
 * The session tests every load-balancer type gets, on one cluster: a rolling JSP hotfix under load
 * with session replication on (no request fails, no user loses the session), then again with it
 * off (no request fails; exactly the users pinned to a node when it is taken out hard lose their
 * session, as the plan's impact note says). `options.serial` is the rollout's serial (default 1;
 * the files vary it). Each type runs each roll once, with one instance or two: `unreplicated: false`
 * leaves out the second roll (the HA pairs: the hard take-out against the impact note does not
 * depend on the number of instances), `replicated: false` the first (the single-instance files of a
 * type whose pair file runs it; the cluster then starts with replication off, which saves a restart
 * of every Tomcat). `extra` adds tests on the same cluster.
 */
export function sessionRollSuite(
  label: string,
  options: StartOptions & { app: 'tomcat'; serial?: number | string; replicated?: boolean; unreplicated?: boolean },
  lbType: BalancerInfo['type'],
  extra?: (cluster: () => TestCluster) => void,
): void {
  const support = tomcatClusterSupport(options.apache?.kind);
  if (!support.ok) process.stderr.write(`${label} e2e skipped: ${support.reason}\n`);
  describe.skipIf(!support.ok)(
    `rolling real Tomcat nodes behind ${label}${support.ok ? '' : ` — skipped: ${support.reason}`}`,
    () => {
      let cluster: TestCluster;
      const replicated = options.replicated !== false;
      beforeAll(async () => {
        cluster = await startTestCluster({ ...options, replication: replicated });
        await cluster.startAll({ timeoutMs: 240_000 });
      }, 300_000);
      afterAll(() => cluster?.stop(), 60_000);

      // Each roll is not registered at all when left out: a skipped end-to-end test fails the suite under CI.
      if (replicated)
        it('with session replication: 0 failed requests, and every user keeps the session through the roll', async () => {
          expect(cluster.balancers.every((b) => b.type === lbType)).toBe(true);
          const r = await rollUnderSessions(cluster, `${lbType} replicated`, 1, { serial: options.serial });
          process.stderr.write(summary(`${label}, replication on`, r));
          process.stderr.write(figuresLine(figuresLabel(cluster, lbType), true, options.serial ?? 1, r));
          await expectRolled(cluster, r, 1);
          expect(r.load.lost, JSON.stringify(r.load.samples.filter((s) => s.kind === 'lost').slice(0, 5))).toBe(0);
          expect(r.load.skipped).toBe(0);
          await expectRolledThroughLb(cluster, r, lbType);
        }, 900_000);

      if (options.unreplicated !== false)
        it(
          'without replication: the users pinned to each node when it is taken out lose their session, as ' +
            'the plan says, and no one else',
          async () => {
            expect(cluster.balancers.every((b) => b.type === lbType)).toBe(true);
            if (replicated) {
              cluster.setReplication(false);
              await Promise.all(cluster.nodes.map((n) => cluster.stopNode(n.name)));
              await cluster.startAll({ timeoutMs: 240_000 });
            }
            const build = replicated ? 2 : 1;
            const r = await rollUnderSessions(cluster, `${lbType} not replicated`, build, { serial: options.serial });
            process.stderr.write(summary(`${label}, replication off`, r));
            process.stderr.write(figuresLine(figuresLabel(cluster, lbType), false, options.serial ?? 1, r));
            await expectRolled(cluster, r, build);
            await expectRolledThroughLb(cluster, r, lbType);
            expect(r.load.lost).toBeGreaterThan(0);
            // What the balancers saw then (a server marked DOWN by its health checks moves its users too).
            expect(r.unexplained, `${JSON.stringify([...r.outs])}\n${cluster.balancerLog()}`).toEqual([]);
            expect(r.load.lost).toBe(r.predictedLost);
            expect((await impactNote(cluster, r.playbook)).join('\n')).toMatch(
              /taken out hard, and users still on it are sent to another node and must log in again unless HTTP session replication is configured/,
            );
          },
          900_000,
        );

      extra?.(() => cluster);
    },
  );
}
