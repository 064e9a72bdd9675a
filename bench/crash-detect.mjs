#!/usr/bin/env node
// How fast lrroll's startup gates notice a start that cannot succeed, on the real test cluster
// (sshd per node in its own mount namespace, HAProxy, simulated Liferay nodes from test/sim/).
// Each trial rolls a portal-ext.properties change over a 2-node cluster (serial 1, onFailure: halt);
// the first node's next start is made to fail while lrroll's `wait-log-marker` gate waits:
//
//   crash  the app server exits a known time after its start (sim.json `failStart`: it logs the
//          failure and exits 1 at --crash-after-ms); figure: the gate's `step-end` minus the exit
//          time the sim records (`event=exit … at=`). Goal: ≤ 2 s.
//   kill   the bench SIGKILLs the app server --crash-after-ms after its `event=start` line (a JVM
//          killed by the OOM killer: no log line at all); figure: `step-end` minus the kill time.
//          Goal: ≤ 2 s.
//   hang   the start never logs its startup line and never exits (sim.json startMs of an hour);
//          figure: the gate's `step-end` minus its deadline (`step-start` + startupMarker.timeout).
//          Goal: at the deadline (≤ 0.5 s late).
// A goal is met when every trial meets it (they are bounds), not the median.
//
// Every trial must end with the gate failed for the expected reason (`the app server process exited
// …` for crash/kill, `not seen within …` for hang), or the bench stops with an error. It prints every
// trial and, per kind, the median and the spread. A benchmark, not a test: exit 0 unless it could not run.
//
//   npm run build && node bench/crash-detect.mjs [options]      (root, sshd, haproxy, socat, unshare)
//
// Options:
//   --trials N           trials per kind (default 5)
//   --kinds LIST         which kinds, in the order run (default crash,kill,hang)
//   --crash-after-ms MS  how long after its start the app server exits (default 3000), plus
//   --crash-spread-ms MS trial i adds (i − 1) / trials × this (default 2000): a gate that polls
//                        (the plan's process-watch interval) sees the exit at every phase of its poll, not at one
//   --hang-timeout SEC   the playbook's startupMarker.timeout for the hang trials (default 10)
//   --no-snapshot        run dist/ in place instead of a copy taken at the start
//   --lrroll DIR         benchmark another built lrroll (a checkout with dist/)
//   --keep               keep the work dir (playbooks, NDJSON events, lrroll stderr)
//   --json FILE          write the per-trial figures as JSON

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  NODE,
  ROOT,
  checkLoads,
  cleanupOnSignals,
  live,
  loadHarness,
  log,
  median,
  ms,
  optionReader,
  printHelp,
  runBench,
  sleep,
  snapshotLrroll,
  state,
  table,
  cliPath,
} from './lib/harness.mjs';

cleanupOnSignals();
const GOAL_MS = 2000;
/** How late a hung start's gate may fail and still count as failing at its deadline. */
const HANG_SLACK_MS = 500;
const KINDS = ['crash', 'kill', 'hang'];

function parseArgs(argv) {
  const o = {
    trials: 5,
    kinds: [...KINDS],
    crashAfterMs: 3000,
    crashSpreadMs: 2000,
    hangTimeoutSec: 10,
    snapshot: true,
    lrroll: ROOT,
    keep: false,
    json: null,
  };
  for (const { a, next, int } of optionReader(argv)) {
    if (a === '--trials') o.trials = int(1);
    else if (a === '--kinds') {
      o.kinds = next().split(',');
      const bad = o.kinds.filter((k) => !KINDS.includes(k));
      if (bad.length) throw new Error(`--kinds: unknown ${bad.join(', ')} (known: ${KINDS.join(', ')})`);
    } else if (a === '--crash-after-ms') o.crashAfterMs = int(0);
    else if (a === '--crash-spread-ms') o.crashSpreadMs = int(0);
    else if (a === '--hang-timeout') o.hangTimeoutSec = int(1);
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--lrroll') o.lrroll = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--json') o.json = resolve(next());
    else if (a === '--help' || a === '-h') printHelp(import.meta.url);
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

function playbookText(cluster, trial, markerTimeoutSec) {
  const nodes = cluster.nodes
    .map((n) => `    - { name: ${n.name}, host: ${n.address}, port: ${n.sshPort}, httpPort: ${n.httpPort} }\n`)
    .join('');
  return `lrroll: 1
name: crash-detect ${trial}
inventory:
  defaults:
    user: ${cluster.sshUser}
    identityFile: ${cluster.identityFile}
    liferayHome: /opt/liferay
    tomcatHome: /opt/liferay/tomcat
    service: { stopTimeout: 20s, startTimeout: 60s }
  nodes:
${nodes}loadBalancer:
  type: haproxy
  socket: ${cluster.haproxy.socket}
  backend: ${cluster.haproxy.backend}
  drainTimeout: 2s
health:
  startupMarker: { timeout: ${markerTimeoutSec}s }
  http: { url: "http://{{host}}:{{httpPort}}/c/portal/layout", timeout: 60s }
  settle: 0s
change:
  type: portal-properties
  set:
    bench.crash.trial: "${trial}"
rollout:
  serial: 1
  minHealthy: 1
  onFailure: halt
`;
}

const catalinaOut = (node) => {
  const tomcat = readdirSync(node.home).find((d) => /^tomcat/.test(d)) ?? 'tomcat';
  return join(node.home, tomcat, 'logs', 'catalina.out');
};

/** The sim's `event=<e>` lines written to catalina.out after byte `offset`. */
function simEventsSince(node, offset) {
  const text = readFileSync(catalinaOut(node)).subarray(offset).toString('utf8');
  return [...text.matchAll(/lrroll-sim: node=\S+ event=(start|ready|stop|exit) pid=(\d+) at=(\S+)(.*)/g)].map((m) => ({
    event: m[1],
    pid: Number(m[2]),
    t: Date.parse(m[3]),
    rest: m[4].trim(),
  }));
}

/**
 * kill: waits for this start's `event=start` line, then SIGKILLs that process `afterMs` after it; resolves with the
 * kill time.
 */
async function killAfterStart(node, offset, afterMs, until) {
  while (!until.done) {
    const start = simEventsSince(node, offset).find((e) => e.event === 'start');
    if (start) {
      await sleep(Math.max(0, start.t + afterMs - Date.now()));
      process.kill(start.pid, 'SIGKILL');
      return { pid: start.pid, t: Date.now() };
    }
    await sleep(20);
  }
  return null;
}

function runLrroll(cli, cluster, playbook, home) {
  return new Promise((done) => {
    const child = spawn(NODE, [cli, 'run', playbook, '--yes', '--output', 'json'], {
      cwd: resolve(playbook, '..'),
      env: {
        ...process.env,
        NO_COLOR: '1',
        CI: 'true',
        LRROLL_HOME: home,
        LRROLL_KNOWN_HOSTS: cluster.knownHostsFile,
        LRROLL_SSH_CONFIG: '/dev/null',
        SSH_AUTH_SOCK: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.child = child;
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.child = null;
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      done({ code, signal, stdout, stderr, events });
    });
  });
}

/** Puts the victim back as it was: its own sim.json, the app server running, UP in HAProxy, no run lock left. */
async function restore(cluster, victim, simJson) {
  writeFileSync(join(victim.home, 'sim.json'), simJson);
  await cluster.ssh(
    victim.name,
    '/opt/liferay/tomcat/bin/catalina.sh stop 10 -force >/dev/null 2>&1; rm -f /opt/liferay/liferay.pid; true',
    { timeoutMs: 30_000 },
  );
  await cluster.startNode(victim.name, { timeoutMs: 30_000 });
  for (const n of cluster.nodes)
    await cluster.haproxyCommand(`set server ${cluster.haproxy.backend}/${n.name} state ready`);
  await Promise.all(
    cluster.nodes.map((n) => cluster.ssh(n.name, 'rm -rf /opt/liferay/.lrroll/lock', { timeoutMs: 15_000 })),
  );
  await cluster.waitBackendUp({ timeoutMs: 30_000 });
}

async function trial(ctx, kind, index) {
  const { cluster, opts, work } = ctx;
  const victim = cluster.nodes[0];
  const simPath = join(victim.home, 'sim.json');
  const original = readFileSync(simPath, 'utf8');
  const sim = JSON.parse(original);
  const crashAfterMs = opts.crashAfterMs + Math.round(((index - 1) / opts.trials) * opts.crashSpreadMs);
  // sim.json is read once, at the start that lrroll's service-start step makes.
  if (kind === 'crash') Object.assign(sim, { failStart: true, startMs: crashAfterMs });
  else Object.assign(sim, { startMs: 3_600_000 });
  writeFileSync(simPath, JSON.stringify(sim, null, 2));
  const dir = join(work, `${kind}-${index}`);
  mkdirSync(dir, { recursive: true });
  const playbook = join(dir, 'playbook.yml');
  const markerTimeoutSec = kind === 'hang' ? opts.hangTimeoutSec : 120;
  writeFileSync(playbook, playbookText(cluster, `${kind}-${index}`, markerTimeoutSec));
  const offset = statSync(catalinaOut(victim)).size;
  const until = { done: false };
  const killing = kind === 'kill' ? killAfterStart(victim, offset, crashAfterMs, until) : Promise.resolve(null);
  const loadAvg = loadavg()[0];
  const raw = await runLrroll(ctx.cli, cluster, playbook, join(dir, 'home'));
  until.done = true;
  const killed = await killing;
  writeFileSync(join(dir, 'events.ndjson'), raw.stdout);
  writeFileSync(join(dir, 'lrroll.stderr'), raw.stderr);
  const sims = simEventsSince(victim, offset);
  await restore(cluster, victim, original);
  if (state.interrupted) return null;

  const gateStart = raw.events.find(
    (e) => e.kind === 'step-start' && e.node === victim.name && e.action === 'wait-log-marker',
  );
  const gateEnd = gateStart && raw.events.find((e) => e.kind === 'step-end' && e.stepId === gateStart.stepId);
  const fail = (why) =>
    new Error(
      `${kind} trial ${index}: ${why} (exit ${raw.code ?? raw.signal}; events in ${dir}` +
        ` with --keep)\n${raw.stderr.slice(-1500)}`,
    );
  if (!gateEnd) throw fail(`no wait-log-marker step-end for ${victim.name}`);
  if (gateEnd.status !== 'failed') throw fail(`the gate ended ${gateEnd.status}, not failed`);
  const expected = kind === 'hang' ? /not seen within/ : /process exited before the gate passed/;
  if (!expected.test(gateEnd.detail ?? '')) throw fail(`the gate failed for another reason: ${gateEnd.detail}`);
  const tGateStart = Date.parse(gateStart.at);
  const tGateEnd = Date.parse(gateEnd.at);
  const r = {
    kind,
    trial: index,
    loadAvg,
    gateStart: tGateStart,
    gateEnd: tGateEnd,
    detail: gateEnd.detail,
    exitCode: raw.code,
  };
  if (kind === 'hang') {
    r.deadline = tGateStart + markerTimeoutSec * 1000;
    r.lateMs = tGateEnd - r.deadline;
  } else {
    // The log since the trial began also holds the stop of the previous process: take this start's exit.
    const start = sims.find((e) => e.event === 'start');
    const exit = kind === 'kill' ? killed : start && sims.find((e) => e.event === 'exit' && e.pid === start.pid);
    if (!start || !exit)
      throw fail(
        kind === 'kill' ? 'the app server was never started, so never killed' : 'the sim recorded no start and exit',
      );
    r.exitAt = exit.t;
    r.exitToGateMs = tGateEnd - exit.t;
    r.startToExitMs = exit.t - start.t;
  }
  return r;
}

function report(opts, env, results) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p('# Startup gates: a crashed start and a hung start');
  p();
  p(
    `${opts.trials} trial(s) per kind on a 2-node cluster; lrroll ${env.version}; node ` +
      `${process.version}; ${cpus().length} CPU(s).`,
  );
  p(
    `Crash/kill ${ms(opts.crashAfterMs)} after the app server's start, + (trial − 1) / ${opts.trials}` +
      ` × ${ms(opts.crashSpreadMs)}; hang with startupMarker.timeout ${opts.hangTimeoutSec}s.`,
  );
  p(`Load average (1 min) at the start ${env.loadBefore.toFixed(2)}, at the end ${loadavg()[0].toFixed(2)}.`);
  for (const kind of opts.kinds) {
    const rs = results.filter((r) => r.kind === kind);
    if (!rs.length) continue;
    const figure = (r) => (kind === 'hang' ? r.lateMs : r.exitToGateMs);
    const xs = rs.map(figure);
    const what = kind === 'hang' ? 'deadline → gate failed' : `${kind === 'kill' ? 'SIGKILL' : 'exit'} → gate failed`;
    p();
    p(`## ${kind}`);
    p();
    // Every trial's gate failed for the expected reason (trial() checks it): the reason is not repeated here.
    const extra =
      kind === 'hang'
        ? ['gate start → failed', (r) => ms(r.gateEnd - r.gateStart)]
        : ['app start → exit', (r) => ms(r.startToExitMs)];
    p(
      table([
        ['trial', what, extra[0], 'load avg'],
        ...rs.map((r) => [r.trial, ms(figure(r)), extra[1](r), r.loadAvg.toFixed(2)]),
      ]),
    );
    p();
    // The goal is a bound ("within 2 s", "at its deadline"): every trial must meet it, not the median.
    const worst = Math.max(...xs);
    const met = kind === 'hang' ? Math.min(...xs) >= 0 && worst <= HANG_SLACK_MS : worst <= GOAL_MS;
    p(
      `median ${ms(median(xs))}, spread ${ms(Math.min(...xs))} – ${ms(worst)} — goal ` +
        (kind === 'hang'
          ? `at the deadline (every trial ≤ ${ms(HANG_SLACK_MS)} late)`
          : `every trial ≤ ${ms(GOAL_MS)}`) +
        `: ${met ? 'MET' : 'NOT MET'}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(cliPath(opts.lrroll)))
    throw new Error(`${cliPath(opts.lrroll)} is missing: run \`npm run build\` first`);
  const work = mkdtempSync(join(tmpdir(), 'lrroll-crash-detect-'));
  live.work = work;
  live.keep = opts.keep;
  log('compiling test/cluster with the project TypeScript');
  const h = await loadHarness(work);
  const support = h.clusterSupport();
  if (!support.ok) throw new Error(support.reason);
  const lrroll = opts.snapshot ? snapshotLrroll(opts.lrroll, work) : opts.lrroll;
  const env = { loadBefore: loadavg()[0], version: checkLoads(lrroll) };
  log('starting a 2-node test cluster with HAProxy');
  const cluster = await h.startTestCluster({ nodes: 2, haproxy: true, startMs: 1500, stopMs: 300 });
  live.cluster = cluster;
  await cluster.startAll();
  await cluster.waitBackendUp({ timeoutMs: 30_000 });
  const ctx = { cluster, opts, work, cli: cliPath(lrroll) };
  const results = [];
  // Kinds alternate trial by trial, so that a busy moment of the machine does not hit one kind only.
  for (let i = 1; i <= opts.trials; i++) {
    for (const kind of opts.kinds) {
      if (state.interrupted) return;
      const r = await trial(ctx, kind, i);
      if (!r) return;
      results.push(r);
      log(
        `${kind} ${i}/${opts.trials}: ` +
          (kind === 'hang'
            ? `failed ${ms(r.lateMs)} after its deadline`
            : `failed ${ms(r.exitToGateMs)} after the exit`) +
          ` (load ${r.loadAvg.toFixed(2)})`,
      );
    }
  }
  process.stdout.write(`${report(opts, env, results)}\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ opts, env, results }, null, 2));
  if (opts.keep) process.stderr.write(`kept: ${work}\n`);
}

await runBench('crash-detect', main);
