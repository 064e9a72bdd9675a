// A rolling change on a real Tomcat test cluster while logged-in users keep working through its
// load balancer(s): the pieces the Tomcat end-to-end tests share.
import { expect } from 'vitest';
import type { BalancerInfo, TestCluster } from '../../cluster/cluster.js';
import { expectedLosses, startSessionLoad, type SessionLoadReport } from '../../cluster/session-load.js';
import { lrroll, writePlaybook, type CliRun } from './lrroll-run.js';

/** The `loadBalancer:` section for the cluster's balancers of one type (a list when there are several). */
export function loadBalancerYaml(balancers: readonly BalancerInfo[]): string {
  const type = balancers[0]?.type;
  if (!type) return 'loadBalancer:\n  type: none\n';
  const key = type === 'haproxy' ? 'socket' : 'url';
  const pool = type === 'haproxy' ? 'backend' : 'balancer';
  const where = balancers.length === 1 ? `  ${key}: ${balancers[0]?.admin}\n` : `  instances:\n${balancers.map((b) => `    - ${key}: ${b.admin}\n`).join('')}`;
  return `loadBalancer:\n  type: ${type}\n${where}  ${pool}: liferay\n  drainTimeout: 10s\n  pollInterval: 200ms\n  upTimeout: 60s\n`;
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
  /** Node → when lrroll took it out hard (the `lb-state: out` events). */
  outs: Map<string, number[]>;
  /** Sessions the user-impact note predicts lost: users pinned to a node when it went out. */
  predictedLost: number;
}

/** Runs `lrroll run` with the JSP hotfix on every node while `users` logged-in users work through every balancer. */
export async function rollUnderSessions(cluster: TestCluster, name: string, build: number, options: { users?: number; serial?: number | string; extraArgs?: string[] } = {}): Promise<RollResult> {
  const playbook = writePlaybook(cluster, name, `${jspHotfix(build)}rollout:\n  serial: ${options.serial ?? 1}\n  minHealthy: 1\n${TOMCAT_HEALTH}`, { lbYaml: loadBalancerYaml(cluster.balancers) });
  const sessions = startSessionLoad({ urls: cluster.balancers.map((b) => b.url), users: options.users ?? 12 });
  // Everyone logged in and working before the first drain.
  const t0 = Date.now();
  while (sessions.count() < (options.users ?? 12) * 3 && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
  process.stderr.write(`[${name}] ${sessions.count()} requests from logged-in users so far; lrroll run starts\n`);
  const run = await lrroll(['run', playbook, '--yes', '--output', 'json', ...(options.extraArgs ?? [])], cluster, {}, 600_000);
  process.stderr.write(`[${name}] lrroll run ended (exit ${run.code})\n`);
  // A few more requests on the final state.
  await new Promise((r) => setTimeout(r, 1500));
  const load = await sessions.stop();
  const outs = new Map<string, number[]>();
  for (const e of run.events) {
    if (e.kind === 'lb-state' && e.state === 'out') outs.set(String(e.node), [...(outs.get(String(e.node)) ?? []), Date.parse(String(e.at))]);
  }
  return { playbook, run, load, outs, predictedLost: expectedLosses(load.samples, outs) };
}

/** The run ended ok, nothing failed, and every node serves the new build. */
export async function expectRolled(cluster: TestCluster, r: RollResult, build: number): Promise<void> {
  const end = r.run.events.find((e) => e.kind === 'run-end');
  expect(end, r.run.stderr + r.run.stdout.slice(-4000)).toMatchObject({ status: 'ok' });
  expect(r.run.code).toBe(0);
  expect(r.load.failed, JSON.stringify(r.load.samples.filter((s) => s.kind === 'failed').slice(0, 5))).toBe(0);
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

/** The plan's user-impact note for the playbook (`lrroll plan --format json`). */
export async function impactNote(cluster: TestCluster, playbook: string): Promise<string[]> {
  const plan = await lrroll(['plan', playbook, '--format', 'json'], cluster);
  expect(plan.code, plan.stderr).toBe(0);
  return (JSON.parse(plan.stdout) as { impact: string[] }).impact;
}

/** One line for the test log: requests sent / failed, sessions kept / lost. */
export function summary(label: string, r: RollResult): string {
  const logins: Record<string, number> = {};
  for (const s of r.load.samples) if (s.kind === 'login') logins[s.node ?? 'none'] = (logins[s.node ?? 'none'] ?? 0) + 1;
  return `${label}: ${r.load.requests} requests, ${r.load.failed} failed; ${r.load.usersKept} of ${r.load.usersKept + r.load.usersLost} users kept their session, ${r.load.lost} session(s) lost (predicted ${r.predictedLost}), ${r.load.skipped} stale counter(s); answers per node ${JSON.stringify(r.load.perNode)}, logins per node ${JSON.stringify(logins)}\n`;
}
