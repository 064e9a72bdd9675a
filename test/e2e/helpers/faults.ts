// Shared helpers for the failure / interruption end-to-end tests (test/e2e/failures.test.ts,
// test/e2e/interrupt-resume.test.ts): a live-streaming lrroll child, sim.json faults over SSH,
// the state of every node (HAProxy, marker key, app server), the run record, and the check that
// no user request failed outside the window in which the failing node was being taken out.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { dirname, join } from 'node:path';
import type { ServerStat, TestCluster } from '../../cluster/cluster.js';
import type { LoadFailure, LoadReport } from '../../cluster/load.js';
import { BIN, type CliRun } from './lrroll-run.js';

export type LrEvent = CliRun['events'][number];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The environment `lrroll()` gives the CLI, with a per-scenario LRROLL_HOME. */
export function cliEnv(cluster: TestCluster, home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NO_COLOR: '1',
    CI: 'true',
    LRROLL_KNOWN_HOSTS: cluster.knownHostsFile,
    LRROLL_SSH_CONFIG: '/dev/null',
    SSH_AUTH_SOCK: '',
    LRROLL_HOME: home,
    ...extra,
  };
}

/** A running lrroll child whose NDJSON events can be awaited while it runs. */
export interface LiveRun {
  child: ChildProcess;
  /** Events so far (with --output json). */
  events: LrEvent[];
  /**
   * Resolves with the first event (already seen or future) matching `pred`; rejects after `timeoutMs` or when the child
   * exits first.
   */
  waitFor(pred: (e: LrEvent) => boolean, timeoutMs?: number): Promise<LrEvent>;
  /** Sends a signal to the CLI process. */
  signal(sig: NodeJS.Signals): void;
  done: Promise<CliRun & { startedAt: number; endedAt: number }>;
}

/** Starts the built CLI (`node dist/bin/lrroll.js …`) and streams its events. */
export function spawnLrroll(
  args: string[],
  cluster: TestCluster,
  home: string,
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): LiveRun {
  const startedAt = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: cluster.dir,
    env: cliEnv(cluster, home, env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const events: LrEvent[] = [];
  const waiters: Array<{ pred: (e: LrEvent) => boolean; resolve: (e: LrEvent) => void }> = [];
  let stdout = '';
  let stderr = '';
  let partial = '';
  let exited = false;
  const exitListeners: Array<() => void> = [];
  child.stdout?.on('data', (d: Buffer) => {
    const text = d.toString();
    stdout += text;
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      let e: LrEvent;
      try {
        e = JSON.parse(line) as LrEvent;
      } catch {
        continue;
      }
      events.push(e);
      if (process.env.LRROLL_E2E_TIMELINE === '1' && (e.kind === 'run-start' || e.kind === 'run-end'))
        process.stderr.write(`[lrroll ${args[0]}: ${e.kind} seen after ${Date.now() - startedAt} ms]\n`);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun & { startedAt: number; endedAt: number }>((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      exited = true;
      for (const l of exitListeners) l();
      resolve({
        code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 0) : null),
        stdout,
        stderr,
        events,
        startedAt,
        endedAt: Date.now(),
      });
      if (process.env.LRROLL_E2E_TIMELINE === '1')
        process.stderr.write(`[lrroll ${args.slice(0, 1).join(' ')}: ${Date.now() - startedAt} ms, exit ${code}]\n`);
    });
  });
  return {
    child,
    events,
    done,
    signal: (sig) => {
      child.kill(sig);
    },
    waitFor(pred, ms = 120_000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<LrEvent>((resolve, reject) => {
        const t = setTimeout(
          () =>
            reject(
              new Error(
                `no matching event within ${ms} ms; last events:\n${events
                  .slice(-8)
                  .map((e) => JSON.stringify(e))
                  .join('\n')}\nstderr: ${stderr.slice(-2000)}`,
              ),
            ),
          ms,
        );
        const w = {
          pred,
          resolve: (e: LrEvent) => {
            clearTimeout(t);
            resolve(e);
          },
        };
        waiters.push(w);
        const onExit = () => {
          if (!waiters.includes(w)) return;
          waiters.splice(waiters.indexOf(w), 1);
          clearTimeout(t);
          reject(
            new Error(
              `lrroll exited before the awaited event; stderr: ${stderr.slice(-3000)}\nstdout tail: ` +
                `${stdout.slice(-3000)}`,
            ),
          );
        };
        if (exited) onExit();
        else exitListeners.push(onExit);
      });
    },
  };
}

/** Runs lrroll to completion (like `lrroll()` of lrroll-run.ts, but with a chosen LRROLL_HOME). */
export function runLrroll(
  args: string[],
  cluster: TestCluster,
  home: string,
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<CliRun & { startedAt: number; endedAt: number }> {
  return spawnLrroll(args, cluster, home, env, timeoutMs).done;
}

/** `step-start` of `action` on `node` (the main plan's step, not a rollback or recover step). */
export const stepStart = (node: string, action: string) => (e: LrEvent) =>
  e.kind === 'step-start' &&
  e.node === node &&
  e.action === action &&
  !String(e.stepId).includes('/rollback/') &&
  !String(e.stepId).includes('#');

// ---------------------------------------------------------------------------------------------
// Nodes

const SIM_PATCH_JS =
  'const fs=require("fs");const f="/opt/liferay/sim.json";const ' +
  'j=JSON.parse(fs.readFileSync(f,"utf8"));Object.assign(j,JSON.parse(fs.readFileSync(0,"utf8")));fs.writeFileSync(f+".tmp",JSON.stringify(j,null,2)+"\\n");fs.renameSync(f+".tmp",f);process.stdout.write(JSON.stringify(j))';

/**
 * Merges `patch` into the node's /opt/liferay/sim.json (atomically: the sim exits when the file disappears). Read by
 * the sim at its next start.
 */
export async function patchSim(
  cluster: TestCluster,
  node: string,
  patch: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const r = await cluster.ssh(node, `node -e '${SIM_PATCH_JS}'`, { stdin: JSON.stringify(patch) });
  if (r.code !== 0) throw new Error(`cannot patch sim.json on ${node}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

export async function readSimJson(cluster: TestCluster, node: string): Promise<Record<string, unknown>> {
  const r = await cluster.ssh(node, 'cat /opt/liferay/sim.json');
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** The sim's own view (`GET /lrroll-sim/state`), or null when nothing listens (app server not running). */
export function simState(
  cluster: TestCluster,
  node: string,
): Promise<{ phase: string; healthy: boolean; pid: number } | null> {
  const n = cluster.node(node);
  return new Promise((resolve) => {
    const req = http.get(
      {
        host: n.address,
        port: n.httpPort,
        path: '/lrroll-sim/state',
        agent: false,
        timeout: 3000,
        headers: { connection: 'close' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve(JSON.parse(body) as { phase: string; healthy: boolean; pid: number });
          } catch {
            resolve(null);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(null));
  });
}

/** True when the node's portal-ext.properties has `key=value` (the scenario's marker). */
export async function hasMarker(cluster: TestCluster, node: string, key: string): Promise<boolean> {
  const r = await cluster.ssh(node, `cat ${cluster.node(node).remoteHome}/portal-ext.properties`);
  if (r.code !== 0) throw new Error(`cannot read portal-ext.properties on ${node}: ${r.stderr}`);
  return new RegExp(`^${key.replace(/\./g, '\\.')}=`, 'm').test(r.stdout);
}

/** Number of `event=stop` lines the sim wrote in the node's catalina.out (one per SIGTERM). */
export async function simStops(cluster: TestCluster, node: string): Promise<number> {
  const r = await cluster.ssh(
    node,
    `grep -c "lrroll-sim: node=${node} event=stop " /opt/liferay/tomcat/logs/catalina.out || true`,
  );
  return Number(r.stdout.trim() || 0);
}

/** Where a node stands, seen from outside lrroll. */
export interface NodeFacts {
  node: string;
  /** HAProxy status word of the server ('UP', 'MAINT', 'DRAIN', 'DOWN', …). */
  lb: string;
  updated: boolean;
  /** The app server process answers (any phase). */
  running: boolean;
  /** It answers as a started, healthy node. */
  healthy: boolean;
}

export async function nodeFacts(cluster: TestCluster, marker: string): Promise<Record<string, NodeFacts>> {
  const servers = await cluster.haproxyServers();
  const facts = await Promise.all(
    cluster.nodes.map(async (n): Promise<NodeFacts> => {
      const [s, updated] = await Promise.all([simState(cluster, n.name), hasMarker(cluster, n.name, marker)]);
      return {
        node: n.name,
        lb: servers.find((x) => x.name === n.name)?.status ?? '?',
        updated,
        running: s !== null,
        healthy: s?.phase === 'started' && s.healthy,
      };
    }),
  );
  return Object.fromEntries(facts.map((f) => [f.node, f]));
}

/** Waits until HAProxy reports `servers` UP with a passing check (bounded). */
export async function waitUp(cluster: TestCluster, servers: string[], timeoutMs = 20_000): Promise<ServerStat[]> {
  await cluster.waitBackendUp({ servers, timeoutMs });
  return cluster.haproxyServers();
}

/**
 * Brings the cluster back to its baseline between scenarios: no sim.json faults, every app server
 * started with those settings, every server ready and UP in HAProxy, no run lock. Restarts only
 * what needs it.
 */
export async function resetCluster(cluster: TestCluster, baseline: Record<string, unknown> = {}): Promise<void> {
  const base: Record<string, unknown> = {
    failStart: false,
    neverHealthy: false,
    hangOnStop: false,
    responseMs: 0,
    ...baseline,
  };
  const sock = cluster.haproxy?.socket;
  if (sock && !existsSync(sock) && existsSync(`${sock}.away`)) spawnSync('mv', [`${sock}.away`, sock]);
  await Promise.all(
    cluster.nodes.map(async (n) => {
      const before = await readSimJson(cluster, n.name).catch(() => null);
      const dirty = !before || Object.entries(base).some(([k, v]) => (before[k] ?? v) !== v);
      if (dirty) await patchSim(cluster, n.name, base);
      const s = await simState(cluster, n.name);
      if (s && !dirty && s.phase === 'started' && s.healthy) return;
      await cluster.ssh(
        n.name,
        '/opt/liferay/tomcat/bin/catalina.sh stop 10 -force >/dev/null 2>&1; rm -f /opt/liferay/liferay.pid; true',
        { timeoutMs: 30_000 },
      );
      await cluster.startNode(n.name, { timeoutMs: 30_000 });
    }),
  );
  for (const n of cluster.nodes) await cluster.haproxyCommand(`set server liferay/${n.name} state ready`);
  await cluster.waitBackendUp({ timeoutMs: 20_000 });
  // The cluster's run lock is kept on every node.
  await Promise.all(cluster.nodes.map((n) => cluster.ssh(n.name, 'rm -rf /opt/liferay/.lrroll/lock')));
}

// ---------------------------------------------------------------------------------------------
// Run records

export interface RunRecord {
  dir: string;
  meta: Record<string, unknown> & { status: string; runId: string };
  events: LrEvent[];
}

/** Every run record under `<home>/runs`, oldest first. */
export function runRecords(home: string): RunRecord[] {
  const root = join(home, 'runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'meta.json')))
    .map((d) => readRecord(join(root, d)))
    .sort((a, b) => String(a.meta.startedAt).localeCompare(String(b.meta.startedAt)));
}

export function readRecord(dir: string): RunRecord {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as RunRecord['meta'];
  const text = readFileSync(join(dir, 'events.ndjson'), 'utf8');
  // The run may be writing its record right now: only complete (newline-terminated) lines are events yet.
  const events = text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LrEvent);
  return { dir, meta, events };
}

/** The record of the run whose stream (or record) says `run-start` with this id. */
export function recordOf(home: string, run: { events: LrEvent[] } | string): RunRecord {
  const id = typeof run === 'string' ? run : String(run.events.find((e) => e.kind === 'run-start')?.runId ?? '');
  if (!id) throw new Error('the run emitted no run-start event');
  return readRecord(join(home, 'runs', id));
}

/** The last lb-state per node in a list of events (absent: never touched). */
export function lastLbState(events: readonly LrEvent[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of events) if (e.kind === 'lb-state') out[String(e.node)] = String(e.state);
  return out;
}

/** Steps recorded for a node: `<action>:<status>` of every step-end, in order (rollback steps prefixed `rollback:`). */
export function stepTrail(events: readonly LrEvent[], node: string): string[] {
  return events
    .filter((e) => e.kind === 'step-end' && e.node === node && !String(e.stepId).startsWith('preflight/'))
    .map(
      (e) =>
        (String(e.stepId).includes('/rollback/')
          ? 'rollback:'
          : String(e.stepId).includes('/on-halt/')
            ? 'on-halt:'
            : '') + `${String(e.stepId).replace(/^.*\/\d+-/, '')}:${String(e.status)}`,
    );
}

export type RunEndNode = {
  node: string;
  status: string;
  inRotation: boolean;
  updated: boolean;
  failedStep: string | null;
  state: string;
};

export function runEnd(
  events: readonly LrEvent[],
): (LrEvent & { status: string; reason: string | null; nodes: RunEndNode[] }) | undefined {
  return events.find((e) => e.kind === 'run-end') as
    (LrEvent & { status: string; reason: string | null; nodes: RunEndNode[] }) | undefined;
}

/**
 * The record agrees with HAProxy: a node whose last recorded lb-state is `up` (or that the record
 * never touched) is UP; one recorded `draining`/`out`/`enabled` is not UP. Returns the mismatches.
 */
export function lbMismatches(
  events: readonly LrEvent[],
  servers: readonly ServerStat[],
  nodes: readonly string[],
): string[] {
  const last = lastLbState(events);
  const bad: string[] = [];
  for (const n of nodes) {
    const status = servers.find((s) => s.name === n)?.status ?? '?';
    const rec = last[n] ?? 'untouched';
    const recUp = rec === 'up' || rec === 'untouched';
    if (recUp !== (status === 'UP')) bad.push(`${n}: record says ${rec}, HAProxy says ${status}`);
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// User-visible failures

/** A span of time during which failures of requests answered by (or sticky to) `node` are tolerated. */
export interface Tolerance {
  node: string;
  from: number;
  to: number;
  why: string;
}

/**
 * The window in which a node is "being taken out": from the start of its drain to the end of its
 * stop step (the app server is gone then, and HAProxy no longer sends it anything), widened by
 * HAProxy's check interval × fall (2 × 300 ms) plus 1 s of slack. Nothing is tolerated outside.
 */
export function takeOutWindow(events: readonly LrEvent[], node: string): Tolerance | null {
  const drain = events.find((e) => e.kind === 'step-start' && e.node === node && e.action === 'lb-drain');
  if (!drain) return null;
  const stopStart = events.find(
    (e) =>
      e.kind === 'step-start' &&
      e.node === node &&
      e.action === 'service-stop' &&
      Date.parse(String(e.at)) >= Date.parse(String(drain.at)),
  );
  const stopEnd = stopStart ? events.find((e) => e.kind === 'step-end' && e.stepId === stopStart.stepId) : undefined;
  const from = Date.parse(String(drain.at));
  const to = stopEnd ? Date.parse(String(stopEnd.at)) : from;
  return { node, from, to: to + 1600, why: `${node} being taken out (drain → stop done)` };
}

/** The failures outside every tolerance (wrong node, or outside its window). */
export function unexpectedFailures(report: LoadReport, tolerances: ReadonlyArray<Tolerance | null>): LoadFailure[] {
  const t = tolerances.filter((x): x is Tolerance => x !== null);
  return report.failures.filter((f) => !t.some((w) => f.node === w.node && f.at >= w.from && f.at <= w.to));
}

export function describeLoad(report: LoadReport): string {
  return (
    `${report.total} requests, ${report.failed} failed, ${report.switches} switches, by node ` +
    `${JSON.stringify(report.byNode)}` +
    `${report.failed ? `; failures: ${JSON.stringify(report.failures.slice(0, 6))}` : ''}`
  );
}

// ---------------------------------------------------------------------------------------------
// SSH faults

/** Every sshd process of a node: the listener and one per open connection. */
export function sshdPids(cluster: TestCluster, node: string): number[] {
  return cluster
    .processes()
    .filter((p) => p.node === node && p.role === 'sshd')
    .map((p) => p.pid);
}

/** SIGKILLs every sshd process of the node: open connections drop, new ones are refused. */
export function killSshd(cluster: TestCluster, node: string): number[] {
  const pids = sshdPids(cluster, node);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return pids;
}

/**
 * Starts the node's sshd again inside the node's own mount namespace (entered through a process
 * still living there, e.g. its app server), with the harness's sshd_config, so cluster.stop()
 * still finds and kills it. Returns false when no process of the node is left to enter.
 */
export async function restartSshd(cluster: TestCluster, node: string): Promise<boolean> {
  const n = cluster.node(node);
  const member = cluster.processes().find((p) => p.node === node && p.role !== 'sshd');
  if (!member) return false;
  const config = join(dirname(n.home), 'sshd_config');
  const child = spawn(
    'nsenter',
    [`--mount=/proc/${member.pid}/ns/mnt`, '--', '/usr/sbin/sshd', '-D', '-e', '-f', config],
    { stdio: ['ignore', 'ignore', 'pipe'], detached: false },
  );
  let log = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (log += d));
  child.unref();
  (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (/Server listening on /.test(log)) break;
    if (child.exitCode !== null) throw new Error(`sshd for ${node} exited again: ${log}`);
    await sleep(50);
  }
  const r = await cluster.ssh(node, 'echo ok', { timeoutMs: 15_000 });
  return r.code === 0;
}

/**
 * Polls the newest run record under `home` until an event matching `pred` is recorded (for runs whose output is not
 * NDJSON).
 */
export async function waitForRecordEvent(
  home: string,
  pred: (e: LrEvent) => boolean,
  timeoutMs = 120_000,
  notBefore = 0,
): Promise<LrEvent> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const recs = runRecords(home).filter((r) => Date.parse(String(r.meta.startedAt)) >= notBefore);
    const rec = recs[recs.length - 1];
    const hit = rec?.events.find(pred);
    if (hit) return hit;
    await sleep(50);
  }
  throw new Error(`no matching event recorded under ${home} within ${timeoutMs} ms`);
}

/** writePlaybook() output with the load balancer's drain settings replaced. */
export function withDrain(file: string, drainTimeout: string, onDrainTimeout: string): string {
  const text = readFileSync(file, 'utf8');
  if (!/\n  drainTimeout: 4s\n/.test(text)) throw new Error('writePlaybook() no longer writes `drainTimeout: 4s`');
  writeFileSync(
    file,
    text.replace(/\n  drainTimeout: 4s\n/, `\n  drainTimeout: ${drainTimeout}\n  onDrainTimeout: ${onDrainTimeout}\n`),
  );
  return file;
}

/** With LRROLL_E2E_TIMELINE=1: prints a run's step timeline to stderr (for tuning the tests' timings). */
export function debugTimeline(label: string, events: readonly LrEvent[]): void {
  if (process.env.LRROLL_E2E_TIMELINE !== '1' || events.length === 0) return;
  const t0 = Date.parse(String(events[0]?.at));
  const lines = events
    .filter((e) => ['step-end', 'run-start', 'run-end', 'phase-end', 'lb-state'].includes(e.kind))
    .map(
      (e) =>
        `${((Date.parse(String(e.at)) - t0) / 1000).toFixed(2).padStart(7)} ${e.kind} ` +
        `${String(e.stepId ?? e.phase ?? e.state ?? '')} ${String(e.node ?? '')} ` +
        `${String(e.durationMs ?? '')} ${String(e.status ?? '')}`,
    );
  process.stderr.write(`--- ${label}\n${lines.join('\n')}\n`);
}
