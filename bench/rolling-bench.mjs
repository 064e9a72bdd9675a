#!/usr/bin/env node
// lrroll rolling benchmark: runs the same rolling change with lrroll on the real test cluster
// (sshd per node in its own mount namespace, HAProxy, simulated Liferay nodes from test/sim/) and
// compares lrroll's wall time with the FLOOR, the sum of the waits no tool can avoid:
//
//   floor = Σ over nodes of  drain   (lb-drain done → HAProxy shows 0 sessions on the server)
//                          + stop    (sim `event=stop` → `event=exit`)
//                          + start   (sim `event=start` → `event=ready`)
//                          + LB rise (lb-enable done → HAProxy reports the server plainly `UP`)
//   overhead = wall − floor        target: overhead < 5 % of the floor
//
// It is a benchmark, not a test: it prints figures and PASS/FAIL, and exits 0 unless the benchmark
// itself could not run (no dist/, no root/sshd/haproxy, a run of lrroll that did not end `ok`).
//
//   npm run build && node bench/rolling-bench.mjs [options]      (root, sshd, haproxy, socat, unshare)
//
// Options:
//   --runs N           lrroll runs on the same cluster, medians reported (default 3)
//   --nodes N          cluster size (default 3)
//   --start-ms MS      sim start time, start → ready (default 3000)
//   --stop-ms MS       sim stop time after in-flight requests (default 500)
//   --rps N            load through HAProxy, requests per second (default 40)
//   --users N          load users, each with its own JSESSIONID (default 12)
//   --lb-poll D        the playbook's loadBalancer.pollInterval (default 200ms)
//   --http-interval D  the playbook's health.http.interval (default 200ms)
//   --sample-ms MS     how often the bench itself samples HAProxy `show stat` (default 20)
//   --verbose          also print every run's per-node timeline
//   --no-snapshot      run dist/ in place instead of a copy taken at the start (others may rebuild dist/)
//   --lrroll DIR       benchmark another built lrroll (a checkout with dist/, e.g. an older commit) instead of this one
//   --keep             keep the work dir (compiled harness, playbook, events, sim logs, HAProxy samples)
//   --json FILE        write the raw per-run figures as JSON
//
// How it works: test/cluster/*.ts are compiled with the project's TypeScript into a temp dir that
// mirrors test/ (test/sim is symlinked next to it, reaper.mjs copied), so cluster.js finds
// ../sim/make-home.mjs exactly as under vitest. Progress goes to stderr, the report to stdout.

import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The lrroll under test: a snapshot of dist/ (default) or the repository itself (--no-snapshot). */
let LRROLL = ROOT;
const cli = () => join(LRROLL, 'dist', 'cli', 'main.js');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NODE = process.execPath;
const TARGET_PCT = 5;
/** Health-gate step actions (between service-start and lb-enable). */
const GATES = new Set(['wait-log-marker', 'wait-http', 'wait-cluster', 'wait-modules', 'settle', 'warmup']);
/** Node steps that are exactly one short SSH command (their duration ≈ the cost of one remote command). */
const ONE_COMMAND = new Set(['backup', 'apply', 'wait-http']);

// ---------------------------------------------------------------------------------------------
// small helpers

function parseArgs(argv) {
  const o = { snapshot: true, lrroll: ROOT, runs: 3, nodes: 3, startMs: 3000, stopMs: 500, rps: 40, users: 12, lbPoll: '200ms', httpInterval: '200ms', sampleMs: 20, verbose: false, keep: false, json: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const int = (min) => {
      const n = Number(next());
      if (!Number.isInteger(n) || n < min) throw new Error(`${a} needs an integer ≥ ${min}`);
      return n;
    };
    if (a === '--runs') o.runs = int(1);
    else if (a === '--nodes') o.nodes = int(2);
    else if (a === '--start-ms') o.startMs = int(0);
    else if (a === '--stop-ms') o.stopMs = int(0);
    else if (a === '--rps') o.rps = int(1);
    else if (a === '--users') o.users = int(1);
    else if (a === '--lb-poll') o.lbPoll = next();
    else if (a === '--http-interval') o.httpInterval = next();
    else if (a === '--sample-ms') o.sampleMs = int(5);
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--lrroll') o.lrroll = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--json') o.json = resolve(next());
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const ms = (x) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : `${Math.round(x).toLocaleString('en-US')} ms`);
const pctOf = (x, of) => (of > 0 && Number.isFinite(x) ? `${((100 * x) / of).toFixed(1)} %` : 'n/a');
const log = (line) => process.stderr.write(`… ${line}\n`);
const sleep = (t) => new Promise((r) => setTimeout(r, t));

function table(rows, indent = '  ') {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, i) => {
      const line = r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c]))).join('  ');
      return indent + line + (i === 0 ? `\n${indent}${widths.map((w) => '-'.repeat(w)).join('  ')}` : '');
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// cleanup on every path (normal end, error, Ctrl-C / SIGTERM / SIGHUP)

const live = { cluster: null, load: null, child: null, sampler: null, work: null, keep: false };
let cleaning = null;

function cleanup() {
  cleaning ??= (async () => {
    if (live.child && live.child.exitCode === null && live.child.signalCode === null) {
      try {
        live.child.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    live.sampler?.stop();
    await live.load?.stop().catch(() => undefined);
    await live.cluster?.stop().catch(() => undefined);
    if (live.work && !live.keep) rmSync(live.work, { recursive: true, force: true });
  })();
  return cleaning;
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (interrupted) {
      // Second signal: exit now; cluster.ts's own exit hook still SIGKILLs everything synchronously.
      process.exit(130);
    }
    interrupted = true;
    process.stderr.write(`\n${sig}: stopping lrroll, the load and the test cluster…\n`);
    cleanup().finally(() => process.exit(130));
  });
}

// ---------------------------------------------------------------------------------------------
// the harness: compile test/cluster/*.ts into <work>/test/cluster, with test/sim next to it

async function loadHarness(work) {
  const outTest = join(work, 'test');
  const args = [
    TSC,
    '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--lib', 'ES2023',
    '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--skipLibCheck',
    '--outDir', outTest, '--rootDir', join(ROOT, 'test'),
    join(ROOT, 'test', 'cluster', 'cluster.ts'), join(ROOT, 'test', 'cluster', 'load.ts'),
  ];
  const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const clusterJs = join(outTest, 'cluster', 'cluster.js');
  const loadJs = join(outTest, 'cluster', 'load.js');
  if (!existsSync(clusterJs) || !existsSync(loadJs)) throw new Error(`tsc did not compile test/cluster (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  // Type errors in test code do not stop tsc from emitting; vitest does not type-check either.
  if (r.status !== 0) log(`tsc reported type errors in test/cluster (ignored, JavaScript emitted): ${(r.stdout + r.stderr).split('\n').filter(Boolean).length} line(s)`);
  writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n'); // the emitted .js files are ES modules
  symlinkSync(join(ROOT, 'test', 'sim'), join(outTest, 'sim'), 'dir'); // cluster.ts: HERE/../sim/make-home.mjs
  copyFileSync(join(ROOT, 'test', 'cluster', 'reaper.mjs'), join(outTest, 'cluster', 'reaper.mjs')); // cluster.ts: HERE/reaper.mjs
  const cluster = await import(pathToFileURL(clusterJs).href);
  const load = await import(pathToFileURL(loadJs).href);
  return { ...cluster, ...load };
}

// ---------------------------------------------------------------------------------------------
// observers: HAProxy `show stat` sampler, sim log parser

/** Samples every server's status / last check / current sessions; stores only changes (t = midpoint of the request). */
function startSampler(cluster, everyMs) {
  const timeline = new Map(); // server → [{ t, status, check, scur }]
  let active = true;
  let samples = 0;
  const done = (async () => {
    while (active) {
      const t0 = Date.now();
      try {
        const servers = await cluster.haproxyServers();
        const t = Math.round((t0 + Date.now()) / 2);
        samples++;
        for (const s of servers) {
          const list = timeline.get(s.name) ?? [];
          const last = list[list.length - 1];
          if (!last || last.status !== s.status || last.check !== s.checkStatus || last.scur !== s.sessions) list.push({ t, status: s.status, check: s.checkStatus, scur: s.sessions });
          timeline.set(s.name, list);
        }
      } catch {
        /* socket busy or cluster stopping */
      }
      await sleep(Math.max(0, everyMs - (Date.now() - t0)));
    }
  })();
  return {
    timeline,
    get samples() {
      return samples;
    },
    stop() {
      active = false;
      return done;
    },
  };
}

/** `lrroll-sim: node=<n> event=<e> pid=<pid> at=<ISO>` lines of every node's catalina.out. */
function simEvents(cluster) {
  const out = [];
  for (const n of cluster.nodes) {
    const tomcat = readdirSync(n.home).find((d) => /^tomcat/.test(d)) ?? 'tomcat';
    const text = readFileSync(join(n.home, tomcat, 'logs', 'catalina.out'), 'utf8');
    for (const m of text.matchAll(/lrroll-sim: node=(\S+) event=(start|ready|stop|exit) pid=(\d+) at=(\S+)/g)) out.push({ node: m[1], event: m[2], pid: Number(m[3]), t: Date.parse(m[4]) });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** The newest modification time under dist/ (others may rebuild it while the bench runs). */
function distStamp(root = ROOT) {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  walk(join(root, 'dist'));
  return new Date(newest).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

// ---------------------------------------------------------------------------------------------
// environment figures: one SSH command through lrroll's own transport, the remote login shell

async function sshBaseline(cluster) {
  const { SshTransport } = await import(pathToFileURL(join(LRROLL, 'dist', 'execute', 'transports', 'ssh.js')).href);
  const { sshSettings } = await import(pathToFileURL(join(LRROLL, 'dist', 'app', 'execute.js')).href);
  const n = cluster.nodes[0];
  const settings = sshSettings({ ...process.env, LRROLL_KNOWN_HOSTS: cluster.knownHostsFile, LRROLL_SSH_CONFIG: '/dev/null', SSH_AUTH_SOCK: '' }, false);
  const t = new SshTransport(n.address, { port: n.sshPort, user: cluster.sshUser, identityFile: cluster.identityFile }, settings);
  try {
    let t0 = performance.now();
    await t.connect();
    const connect = performance.now() - t0;
    const times = [];
    for (let i = 0; i < 12; i++) {
      t0 = performance.now();
      const r = await t.exec('true', { timeoutMs: 15_000 });
      if (r.exitCode !== 0) throw new Error(`ssh ${n.name} true: exit ${r.exitCode}: ${r.stderr}`);
      times.push(performance.now() - t0);
    }
    return { connectMs: connect, execMs: median(times.slice(2)) };
  } finally {
    await t.close();
  }
}

/**
 * What the remote login shell costs per command: sshd runs every command as `<shell> -c …`, and
 * bash (Debian's build) sources ~/.bashrc when SSH_CLIENT is set. Measured here, locally, as
 * `<shell> -c true` with SSH_CLIENT (like sshd) minus without it. Only meaningful because the
 * test cluster's "hosts" share this machine's /etc/passwd and home directories.
 */
function loginShellCost(user) {
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  const [, , , , , home, shell] = entry?.split(':') ?? [];
  if (!shell || !existsSync(shell)) return null;
  const base = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, USER: user, LOGNAME: user, SHELL: shell };
  const once = (env) => {
    const t0 = performance.now();
    spawnSync(shell, ['-c', 'true'], { env, stdio: 'ignore', timeout: 10_000 });
    return performance.now() - t0;
  };
  const sshdEnv = { ...base, SSH_CLIENT: '127.0.0.1 50000 22', SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 22' };
  const plainTimes = [];
  const sshdTimes = [];
  for (let i = 0; i < 16; i++) {
    // interleaved, so that a busy moment hits both
    plainTimes.push(once(base));
    sshdTimes.push(once(sshdEnv));
  }
  const plain = median(plainTimes.slice(1));
  const asSshd = median(sshdTimes.slice(1));
  return { shell, home, plainMs: plain, sshdMs: asSshd, rcMs: Math.max(0, asSshd - plain) };
}

// ---------------------------------------------------------------------------------------------
// one run

function playbookText(cluster, opts, run) {
  const nodes = cluster.nodes.map((n) => `    - name: ${n.name}\n      host: ${n.address}\n      port: ${n.sshPort}\n      httpPort: ${n.httpPort}\n`).join('');
  return `lrroll: 1
name: rolling-bench run ${run}
inventory:
  defaults:
    user: ${cluster.sshUser}
    identityFile: ${cluster.identityFile}
    liferayHome: /opt/liferay
    tomcatHome: /opt/liferay/tomcat
    service:
      stopTimeout: 20s
      startTimeout: 30s
  nodes:
${nodes}loadBalancer:
  type: haproxy
  socket: ${cluster.haproxy.socket}
  backend: ${cluster.haproxy.backend}
  drainTimeout: 4s
  pollInterval: ${opts.lbPoll}
  upTimeout: 30s
health:
  http:
    url: http://{{host}}:{{httpPort}}/c/portal/layout
    interval: ${opts.httpInterval}
    timeout: 60s
  startupMarker:
    timeout: 60s
  settle: 0s
change:
  type: portal-properties
  set:
    bench.rolling.run: "${run}"
rollout:
  serial: 1
  minHealthy: 1
`;
}

function runLrroll(cluster, playbook) {
  return new Promise((resolveRun) => {
    const t0 = Date.now();
    const child = spawn(NODE, [cli(), 'run', playbook, '--yes', '--output', 'json'], {
      cwd: dirname(playbook),
      env: { ...process.env, NO_COLOR: '1', CI: 'true', LRROLL_KNOWN_HOSTS: cluster.knownHostsFile, LRROLL_SSH_CONFIG: '/dev/null', SSH_AUTH_SOCK: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.child = child;
    let stdout = '';
    let stderr = '';
    let tExit = null;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.on('exit', () => (tExit = Date.now()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.child = null;
      const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
      resolveRun({ code, signal, stdout, stderr, events, tSpawn: t0, tExit: tExit ?? Date.now() });
    });
  });
}

/** SSH commands a step runs on the critical path (estimate from src/execute: one exec per command). */
function execsOf(step, events) {
  switch (step.action) {
    case 'check-reachable':
    case 'check-node-healthy':
    case 'check-disk':
    case 'backup':
    case 'apply':
    case 'verify':
      return 1;
    case 'service-stop':
      return 2; // stop command + status command
    case 'service-start':
      return 2; // log offset (wc -c) + start command
    case 'wait-http':
      return 1 + events.filter((e) => e.kind === 'step-output' && e.stepId === step.id && e.stream === 'progress').length;
    case 'consistency-check':
      return step.nodes ?? 0;
    default:
      return 0; // LB steps use the local admin socket; wait-log-marker's exec overlaps the start
  }
}

/** Figures of one run from lrroll's events, the sims' logs and the HAProxy samples. */
function analyse(raw, sims, timeline, lockExecs) {
  const { events, tSpawn, tExit } = raw;
  const T = (e) => Date.parse(e.at);
  const ends = new Map(events.filter((e) => e.kind === 'step-end').map((e) => [e.stepId, e]));
  const steps = events
    .filter((e) => e.kind === 'step-start')
    .map((s) => {
      const end = ends.get(s.stepId);
      return { id: s.stepId, action: s.action, node: s.node, batch: s.batch, t0: T(s), t1: end ? T(end) : NaN, dur: end?.durationMs ?? NaN };
    });
  const one = (kind, pred = () => true) => events.find((e) => e.kind === kind && pred(e));
  const all = (kind) => events.filter((e) => e.kind === kind);
  const runStart = T(one('run-start'));
  const runEnd = T(one('run-end'));
  const batchStarts = all('batch-start').map(T);
  const batchEnds = all('batch-end').map(T);
  const wall = tExit - tSpawn;
  const problems = [];

  const nodes = all('node-start').map((ns) => {
    const name = ns.node;
    const nodeStart = T(ns);
    const nodeEnd = T(one('node-end', (e) => e.node === name));
    const own = steps.filter((s) => s.node === name && s.batch !== null && s.t0 >= nodeStart && s.t0 <= nodeEnd);
    const step = (action) => {
      const s = own.find((x) => x.action === action);
      if (!s) throw new Error(`${name}: no ${action} step in the events`);
      return s;
    };
    const drain = step('lb-drain');
    const drained = step('lb-wait-drained');
    const stop = step('service-stop');
    const start = step('service-start');
    const marker = step('wait-log-marker');
    const enable = step('lb-enable');
    const waitUp = step('lb-wait-up');
    const gates = own.filter((s) => GATES.has(s.action) && s.t0 >= start.t0 && s.t1 <= enable.t0);
    const lastGate = gates[gates.length - 1] ?? marker;
    const sim = (event, after) => {
      const e = sims.find((x) => x.node === name && x.event === event && x.t >= after);
      if (!e) throw new Error(`${name}: no sim event=${event} after ${new Date(after).toISOString()}`);
      return e.t;
    };
    const simStop = sim('stop', stop.t0);
    const simExit = sim('exit', simStop);
    const simStart = sim('start', simExit);
    const simReady = sim('ready', simStart);
    const tl = timeline.get(name) ?? [];
    // Drain: HAProxy's sessions on the server when lb-drain returned; if > 0, the first sample with 0.
    const atDrain = [...tl].reverse().find((x) => x.t <= drain.t1);
    let drainZero = drain.t1;
    if (atDrain && atDrain.scur > 0) drainZero = tl.find((x) => x.t > drain.t1 && x.scur === 0)?.t ?? drained.t1;
    drainZero = Math.min(Math.max(drainZero, drain.t1), drained.t1);
    // LB rise: the first sample after lb-enable with a plain `UP` (what lb-wait-up waits for too).
    let lbUp = tl.find((x) => x.t >= enable.t0 && x.status === 'UP')?.t ?? waitUp.t1;
    lbUp = Math.min(Math.max(lbUp, enable.t1), waitUp.t1);

    const floor = { drain: drainZero - drain.t1, stop: simExit - simStop, start: simReady - simStart, rise: lbUp - enable.t1 };
    const seg = {
      lbDrain: drain.t1 - nodeStart + (drained.t1 - drainZero), // drain + MAINT commands, drain polling
      toSigterm: simStop - drained.t1, // stop step: SSH exec + catalina.sh until the SIGTERM lands
      stopDetect: stop.t1 - simExit, // catalina.sh's 0.1 s poll + lrroll's status command
      stopped: start.t0 - stop.t1, // backup + apply (+ verify) while stopped
      startLaunch: simStart - start.t0, // log offsets + start command + process launch
      markerReaction: marker.t1 - simReady, // ready line → wait-log-marker step-end
      gatesAfterMarker: lastGate.t1 - marker.t1, // wait-http (and any later gate)
      enable: enable.t1 - lastGate.t1,
      upReaction: waitUp.t1 - lbUp, // HAProxy UP → lb-wait-up step-end
      tail: nodeEnd - waitUp.t1,
    };
    for (const [k, v] of Object.entries({ ...floor, ...seg })) if (v < -5) problems.push(`${name}: ${k} = ${v} ms (events out of the expected order)`);
    const floorMs = sum(Object.values(floor));
    const durMs = nodeEnd - nodeStart;
    const intervals = [
      [drain.t1, drainZero],
      [simStop, simExit],
      [simStart, simReady],
      [enable.t1, lbUp],
    ];
    const floorOverlap = (s) => sum(intervals.map(([a, b]) => Math.max(0, Math.min(b, s.t1) - Math.max(a, s.t0))));
    return {
      name,
      durMs,
      floor,
      floorMs,
      overheadMs: durMs - floorMs,
      seg,
      readyToGatesMs: lastGate.t1 - simReady,
      stopStepMs: stop.dur,
      steps: own.map((s) => ({ action: s.action, dur: s.dur, floor: floorOverlap(s), execs: execsOf(s, events) })),
      timeline: { nodeStart, drainDone: drain.t1, drainZero, drained: drained.t1, stopStep: stop.t0, simStop, simExit, stopDone: stop.t1, startStep: start.t0, simStart, simReady, marker: marker.t1, gates: lastGate.t1, enabled: enable.t1, lbUp, waitUp: waitUp.t1, nodeEnd },
    };
  });

  const nodeSpan = sum(nodes.map((n) => n.durMs));
  const batchSpan = sum(batchStarts.map((b, i) => (batchEnds[i] ?? b) - b));
  const betweenBatches = sum(batchStarts.slice(1).map((b, i) => b - (batchEnds[i] ?? b)));
  const run = {
    cliStart: runStart - tSpawn, // process start, load + validate + plan, until run-start
    preflight: (batchStarts[0] ?? runStart) - runStart, // SSH connect + checks (nodes in parallel)
    batchGates: batchSpan - nodeSpan + betweenBatches, // check-capacity before each batch
    final: runEnd - (batchEnds[batchEnds.length - 1] ?? runEnd), // consistency check
    exit: tExit - runEnd, // closing connections, process exit
  };
  const floorMs = sum(nodes.map((n) => n.floorMs));
  const overheadMs = wall - floorMs;
  const accounted = sum(Object.values(run)) + sum(nodes.map((n) => n.overheadMs));
  if (Math.abs(accounted - overheadMs) > 5) problems.push(`overhead parts add up to ${accounted} ms, not ${overheadMs} ms`);
  const phaseSteps = (prefix) => steps.filter((s) => s.id.startsWith(prefix)).map((s) => ({ action: s.action, node: s.node, dur: s.dur }));
  // Critical-path SSH commands: preflight runs the nodes in parallel (count the longest chain), the rest is sequential.
  const planNodes = one('run-start')?.nodes ?? [];
  const execs = (s) => execsOf({ ...s, nodes: s.action === 'consistency-check' ? planNodes.length : undefined }, events);
  const preflightChains = new Map();
  for (const s of steps.filter((x) => x.id.startsWith('preflight/'))) preflightChains.set(s.node, (preflightChains.get(s.node) ?? 0) + execs(s));
  const criticalExecs = Math.max(0, ...preflightChains.values()) + sum(steps.filter((x) => !x.id.startsWith('preflight/')).map(execs)) + lockExecs;
  return {
    wall,
    floorMs,
    overheadMs,
    overheadPct: (100 * overheadMs) / floorMs,
    nodes,
    run,
    preflightSteps: phaseSteps('preflight/'),
    finalSteps: phaseSteps('run/finally/'),
    criticalExecs,
    problems,
  };
}

// ---------------------------------------------------------------------------------------------
// report

function report(opts, env, runs, loads) {
  const out = [];
  const p = (s = '') => out.push(s);
  const med = (f) => median(runs.map(f));
  const nodeNames = runs[0].nodes.map((n) => n.name);
  const nodeMed = (name, f) => median(runs.map((r) => f(r.nodes.find((n) => n.name === name))));

  p('# lrroll rolling benchmark');
  p();
  p(`${opts.runs} run(s) of \`lrroll run … --yes --output json\` (portal-properties change, serial 1, settle 0s, drainTimeout 4s,`);
  p(`pollInterval ${opts.lbPoll}, health.http.interval ${opts.httpInterval}) on ${opts.nodes} nodes behind HAProxy (check inter 300ms rise 2 fall 2),`);
  p(`sim startMs ${opts.startMs} / stopMs ${opts.stopMs}, load ${opts.rps} req/s from ${opts.users} sticky users through HAProxy. Medians over the runs.`);
  p(`lrroll ${env.version} from ${env.source === ROOT ? '' : `${env.source}/`}dist/ built ${env.distBuilt}${env.snapshot ? ' (a copy taken at the start)' : ' (in place)'}; node ${process.version}, ${cpus().length} CPU(s), ${env.haproxyVersion}; HAProxy sampled every ${opts.sampleMs} ms.`);
  p(`Load average (1 min) at the start ${env.loadBefore.toFixed(2)}, at the end ${loadavg()[0].toFixed(2)}: everything (lrroll, sshd, sims, HAProxy, the load) shares these CPUs.`);
  p();
  p('## Environment');
  p();
  p(`- SSH via lrroll's SshTransport (node1): connect ${ms(env.ssh.connectMs)}, one command (\`true\`) ${ms(env.ssh.execMs)} (median of 10, idle cluster)`);
  if (env.shell) {
    p(`- remote login shell ${env.shell.shell}: \`-c true\` ${ms(env.shell.plainMs)}, ${ms(env.shell.sshdMs)} as sshd runs it (SSH_CLIENT set → ~/.bashrc sourced):`);
    p(`  ${ms(env.shell.rcMs)} of every SSH command here is ${env.shell.home}/.bashrc — this machine's, not lrroll's (the test "hosts" share it)`);
  }
  p();

  p('## Wall time against the floor');
  p();
  p('floor = Σ nodes (drain with sessions open + process stop + process start to ready + LB rise); overhead = wall − floor');
  p();
  const rows = [['run', 'wall', 'floor', 'overhead', 'of floor', 'failed requests', 'status']];
  runs.forEach((r, i) => rows.push([`#${i + 1}`, ms(r.wall), ms(r.floorMs), ms(r.overheadMs), pctOf(r.overheadMs, r.floorMs), `${loads[i].failed} / ${loads[i].total}`, r.status]));
  rows.push(['median', ms(med((r) => r.wall)), ms(med((r) => r.floorMs)), ms(med((r) => r.overheadMs)), `${med((r) => r.overheadPct).toFixed(1)} %`, `${sum(loads.map((l) => l.failed))} / ${sum(loads.map((l) => l.total))} (all runs)`, '']);
  p(table(rows));
  p();
  const pct = med((r) => r.overheadPct);
  p(`TARGET  lrroll's overhead < ${TARGET_PCT} % of the floor: ${pct < TARGET_PCT ? 'PASS' : 'FAIL'} (median ${pct.toFixed(1)} %, ${ms(med((r) => r.overheadMs))} over ${ms(med((r) => r.floorMs))})`);
  p();

  p('## Per node (medians)');
  p();
  const nrows = [['node', 'drain', 'stop', 'start→ready', 'LB rise', 'floor', 'node wall', 'overhead', 'of floor']];
  for (const name of nodeNames) {
    const f = (g) => nodeMed(name, g);
    nrows.push([name, ms(f((n) => n.floor.drain)), ms(f((n) => n.floor.stop)), ms(f((n) => n.floor.start)), ms(f((n) => n.floor.rise)), ms(f((n) => n.floorMs)), ms(f((n) => n.durMs)), ms(f((n) => n.overheadMs)), pctOf(f((n) => n.overheadMs), f((n) => n.floorMs))]);
  }
  p(table(nrows));
  p('  node wall = node-start → node-end; the run-level parts (CLI start, preflight, final checks…) are in the breakdown below.');
  p();
  p('Latencies per node (medians):');
  p();
  const lrows = [['node', 'stop step', 'sim stop→exit', 'ready→marker end', 'ready→gates end', 'UP→wait-up end', 'SIGTERM delay', 'exit→stop end']];
  for (const name of nodeNames) {
    const f = (g) => nodeMed(name, g);
    lrows.push([name, ms(f((n) => n.stopStepMs)), ms(f((n) => n.floor.stop)), ms(f((n) => n.seg.markerReaction)), ms(f((n) => n.readyToGatesMs)), ms(f((n) => n.seg.upReaction)), ms(f((n) => n.seg.toSigterm)), ms(f((n) => n.seg.stopDetect))]);
  }
  p(table(lrows));
  p();

  p('## Where the overhead goes (median per run, all nodes summed)');
  p();
  const nodeSum = (r, k) => sum(r.nodes.map((n) => n.seg[k]));
  const parts = [
    [`CLI start: load, validate, plan${env.lock ? ', run lock' : ''} (spawn → run-start)`, (r) => r.run.cliStart],
    ['preflight: SSH connect + checks, nodes in parallel', (r) => r.run.preflight],
    ['per-step latency: LB drain/MAINT commands + drain polling', (r) => nodeSum(r, 'lbDrain')],
    ['per-step latency: stop step start → SIGTERM', (r) => nodeSum(r, 'toSigterm')],
    ['per-step latency: process exit → stop step end', (r) => nodeSum(r, 'stopDetect')],
    ['per-step latency: backup + apply while stopped', (r) => nodeSum(r, 'stopped')],
    ['per-step latency: start step → process up (log offsets, start cmd)', (r) => nodeSum(r, 'startLaunch')],
    ['health-gate reaction: ready line → wait-log-marker end', (r) => nodeSum(r, 'markerReaction')],
    ['health-gate reaction: marker end → last gate end (wait-http)', (r) => nodeSum(r, 'gatesAfterMarker')],
    ['per-step latency: last gate → lb-enable end', (r) => nodeSum(r, 'enable')],
    ['LB-UP reaction: HAProxy UP → lb-wait-up end', (r) => nodeSum(r, 'upReaction')],
    ['per-step latency: after lb-wait-up → node-end', (r) => nodeSum(r, 'tail')],
    ['batch gates: check-capacity, between batches', (r) => r.run.batchGates],
    ['final checks: consistency check (run-end)', (r) => r.run.final],
    [`exit: run-end → process exit${env.lock ? ' (lock release, disconnect)' : ''}`, (r) => r.run.exit],
  ];
  const over = med((r) => r.overheadMs);
  const prow = [['part', 'median', 'of overhead', 'of floor']];
  for (const [label, f] of parts) prow.push([label, ms(med(f)), pctOf(med(f), over), pctOf(med(f), med((r) => r.floorMs))]);
  prow.push(['total overhead', ms(over), '', pctOf(over, med((r) => r.floorMs))]);
  p(table(prow));
  p('  (medians of each part need not add up exactly to the median total)');
  p();
  const groups = [
    ['CLI start + exit', (r) => r.run.cliStart + r.run.exit],
    ['preflight', (r) => r.run.preflight],
    ['per-step SSH/LB latency', (r) => sum(['lbDrain', 'toSigterm', 'stopDetect', 'stopped', 'startLaunch', 'enable', 'tail'].map((k) => nodeSum(r, k))) + r.run.batchGates],
    ['health-gate reaction', (r) => nodeSum(r, 'markerReaction') + nodeSum(r, 'gatesAfterMarker')],
    ['LB-UP reaction', (r) => nodeSum(r, 'upReaction')],
    ['final checks', (r) => r.run.final],
  ];
  const grows = [['group', 'median', 'of overhead']];
  for (const [label, f] of groups) grows.push([label, ms(med(f)), pctOf(med(f), over)]);
  p(table(grows));
  p();
  const fixed = med((r) => sum(Object.values(r.run)));
  const perNode = median(runs.flatMap((r) => r.nodes.map((n) => n.overheadMs)));
  p(`Fixed per run (CLI start, preflight, batch gates, final checks, exit): ${ms(fixed)}; per node (node-start → node-end minus its floor): ${ms(perNode)}.`);
  p(`The overhead does not grow with the floor: with the same overhead, a ${opts.nodes}-node roll whose app servers take S s to start`);
  p(`stays under ${TARGET_PCT} % once S ≳ ${Math.ceil(((fixed + opts.nodes * perNode) / (TARGET_PCT / 100) / opts.nodes - (med((r) => r.floorMs) / opts.nodes - opts.startMs)) / 1000)} s (here ${(opts.startMs / 1000).toFixed(1)} s).`);
  p();
  const execs = med((r) => r.criticalExecs);
  const oneCmd = median(runs.flatMap((r) => r.nodes.flatMap((n) => n.steps.filter((s) => ONE_COMMAND.has(s.action) && s.execs === 1).map((s) => s.dur))));
  p(`SSH commands on the critical path (counted from the steps${env.lock ? ', + 2 for the run lock' : ''}, see README): ${execs} per run.`);
  p(`One SSH command during the runs (median of the backup, apply and wait-http steps): ${ms(oneCmd)}; at idle: ${ms(env.ssh.execMs)}.`);
  p(`  ${execs} × ${ms(oneCmd)} ≈ ${ms(execs * oneCmd)} = ${pctOf(execs * oneCmd, over)} of the overhead is starting remote commands one after another.`);
  if (env.shell) {
    const rcEach = Math.min(env.shell.rcMs, oneCmd); // both are noisy; ~/.bashrc cannot cost more than the whole command
    const rc = execs * rcEach;
    p(`  Of that, about ${ms(rc)} (${execs} × ${ms(rcEach)}) is this machine's ${env.shell.home}/.bashrc; without it the overhead would be about`);
    p(`  ${ms(over - rc)} = ${pctOf(over - rc, med((r) => r.floorMs))} of the floor (an estimate, not used for PASS/FAIL).`);
  }
  p();

  p('## Step durations (median per node, all runs)');
  p();
  const byAction = new Map();
  for (const r of runs) for (const n of r.nodes) for (const s of n.steps) byAction.set(s.action, [...(byAction.get(s.action) ?? []), s]);
  const srows = [['node step', 'duration', 'floor inside', 'overhead']];
  for (const [action, list] of byAction) srows.push([action, ms(median(list.map((s) => s.dur))), ms(median(list.map((s) => s.floor))), ms(median(list.map((s) => s.dur - s.floor)))]);
  const run1 = (list) => {
    const m = new Map();
    for (const s of list) m.set(s.action, [...(m.get(s.action) ?? []), s.dur]);
    return m;
  };
  for (const [action, durs] of run1(runs.flatMap((r) => r.preflightSteps))) srows.push([`preflight ${action}`, ms(median(durs)), '', '']);
  for (const [action, durs] of run1(runs.flatMap((r) => r.finalSteps))) srows.push([`final ${action}`, ms(median(durs)), '', '']);
  p(table(srows));
  p('  each column is its own median; "floor inside" = the part of the step inside the floor intervals above');
  p();

  p('## Load through HAProxy');
  p();
  loads.forEach((l, i) => {
    const first = l.failures.slice(0, 3).map((f) => `${f.node ?? '?'}: ${f.status ?? f.error}`).join('; ');
    p(`  run #${i + 1}: ${l.total} requests, ${l.failed} failed${l.failed ? ` (${first}${l.failed > 3 ? '; …' : ''})` : ''}, ${l.switches} node switches`);
  });
  p(`  failed requests, all runs: ${sum(loads.map((l) => l.failed))}`);
  const problems = runs.flatMap((r, i) => r.problems.map((x) => `run #${i + 1}: ${x}`));
  if (problems.length) {
    p();
    p('## Measurement warnings');
    for (const x of problems) p(`  ${x}`);
  }
  if (opts.verbose) {
    p();
    p('## Timelines (ms since node-start)');
    runs.forEach((r, i) => {
      for (const n of r.nodes) {
        const t0 = n.timeline.nodeStart;
        p(`  run #${i + 1} ${n.name}: ${Object.entries(n.timeline).map(([k, v]) => `${k} ${v - t0}`).join(', ')}`);
      }
    });
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const SRC = opts.lrroll;
  if (!existsSync(join(SRC, 'dist', 'cli', 'main.js'))) throw new Error(`${join(SRC, 'dist', 'cli', 'main.js')} is missing: run \`npm run build\` first`);
  if (!existsSync(TSC)) throw new Error(`${TSC} is missing: run \`npm install\` first`);
  const work = mkdtempSync(join(tmpdir(), 'lrroll-rolling-bench-'));
  live.work = work;
  live.keep = opts.keep;

  log('compiling test/cluster with the project TypeScript');
  const h = await loadHarness(work);
  const support = h.clusterSupport();
  if (!support.ok) throw new Error(support.reason);
  const loadBefore = loadavg()[0];
  const distBuilt = distStamp(SRC);
  LRROLL = SRC;
  if (opts.snapshot) {
    // Other people may rebuild dist/ while this runs: every run uses one copy taken now.
    LRROLL = join(work, 'lrroll');
    mkdirSync(LRROLL);
    cpSync(join(SRC, 'dist'), join(LRROLL, 'dist'), { recursive: true });
    for (const d of ['schemas', 'data', 'playbooks']) if (existsSync(join(SRC, d))) cpSync(join(SRC, d), join(LRROLL, d), { recursive: true });
    copyFileSync(join(SRC, 'package.json'), join(LRROLL, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(LRROLL, 'node_modules'), 'dir');
  }
  const versionRun = spawnSync(NODE, [cli(), '--version'], { encoding: 'utf8' });
  if (versionRun.status !== 0) throw new Error(`lrroll --version failed (is dist/ complete? a build in progress?): ${versionRun.stderr.trim().slice(0, 500)}`);
  const version = versionRun.stdout.trim() || '?';
  // A half-written build fails here rather than in the middle of a run: load every module but the entry point.
  const check = spawnSync(NODE, ['--input-type=module', '-e', `
    import { readdirSync } from 'node:fs'; import { join } from 'node:path'; import { pathToFileURL } from 'node:url';
    const files = []; const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.js') && p !== process.argv[2]) files.push(p); } };
    walk(process.argv[1]); for (const f of files) await import(pathToFileURL(f).href);`, join(LRROLL, 'dist'), cli()], { encoding: 'utf8', timeout: 60_000 });
  if (check.status !== 0) throw new Error(`dist/ does not load (a build in progress?): ${check.stderr.trim().slice(0, 800)}`);
  const haproxyVersion = (spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'haproxy').replace(/ - https?:.*/, '');

  log(`starting a ${opts.nodes}-node test cluster with HAProxy (startMs ${opts.startMs}, stopMs ${opts.stopMs})`);
  const cluster = await h.startTestCluster({ nodes: opts.nodes, haproxy: true, startMs: opts.startMs, stopMs: opts.stopMs });
  live.cluster = cluster;
  await cluster.startAll();
  log(`cluster up in ${cluster.dir}; measuring the SSH command baseline`);
  const env = { loadBefore, version, source: SRC, distBuilt, distAtStart: distStamp(LRROLL), snapshot: opts.snapshot, lock: existsSync(join(LRROLL, 'dist', 'app', 'lock.js')), haproxyVersion, ssh: await sshBaseline(cluster), shell: loginShellCost(cluster.sshUser) };

  const results = [];
  const loads = [];
  for (let i = 1; i <= opts.runs; i++) {
    await cluster.waitBackendUp({ timeoutMs: 30_000 });
    await sleep(1000);
    const runDir = join(work, `run-${i}`);
    mkdirSync(runDir, { recursive: true });
    const playbook = join(runDir, 'playbook.yml');
    writeFileSync(playbook, playbookText(cluster, opts, i));
    const sampler = startSampler(cluster, opts.sampleMs);
    live.sampler = sampler;
    await sleep(200);
    const load = h.startLoad({ url: cluster.haproxy.url, rps: opts.rps, users: opts.users });
    live.load = load;
    await sleep(500);
    log(`run ${i}/${opts.runs}: lrroll run ${playbook}`);
    const builtBefore = distStamp(LRROLL);
    const raw = await runLrroll(cluster, playbook);
    const builtAfter = distStamp(LRROLL);
    const loadReport = await load.stop();
    live.load = null;
    await sampler.stop();
    live.sampler = null;
    if (interrupted) return;
    const sims = simEvents(cluster);
    writeFileSync(join(runDir, 'events.ndjson'), raw.stdout);
    writeFileSync(join(runDir, 'lrroll.stderr'), raw.stderr);
    writeFileSync(join(runDir, 'sim-events.json'), JSON.stringify(sims, null, 1));
    writeFileSync(join(runDir, 'haproxy-samples.json'), JSON.stringify(Object.fromEntries(sampler.timeline), null, 1));
    const end = raw.events.find((e) => e.kind === 'run-end');
    if (raw.code !== 0 || end?.status !== 'ok') {
      throw new Error(`lrroll run ${i} did not end ok (exit ${raw.code ?? raw.signal}, status ${end?.status ?? 'none'}: ${end?.reason ?? ''})\n${raw.stderr.slice(-2000)}${raw.stdout.slice(-2000)}`);
    }
    const r = analyse(raw, sims, sampler.timeline, env.lock ? 2 : 0);
    r.status = end.status;
    r.dist = builtBefore;
    if (builtAfter !== builtBefore || builtBefore !== env.distAtStart) r.problems.push(`dist/ was rebuilt (${env.distAtStart} at the start, ${builtBefore} before this run, ${builtAfter} after it): runs may have measured different code`);
    results.push(r);
    loads.push(loadReport);
    log(`run ${i}: wall ${ms(r.wall)}, floor ${ms(r.floorMs)}, overhead ${ms(r.overheadMs)} (${r.overheadPct.toFixed(1)} %), ${loadReport.failed}/${loadReport.total} requests failed, ${sampler.samples} HAProxy samples`);
  }

  if (opts.snapshot && distStamp(SRC) !== env.distBuilt) log(`note: dist/ was rebuilt during the bench (now ${distStamp(SRC)}); the runs used the copy of ${env.distBuilt}`);
  process.stdout.write(`${report(opts, env, results, loads)}\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ opts, env, runs: results, loads: loads.map(({ failures, ...l }) => ({ ...l, failures: failures.slice(0, 50) })) }, null, 2));
  if (opts.keep) process.stderr.write(`kept: ${work}\n`);
}

try {
  await main();
} catch (err) {
  if (!interrupted) {
    process.stderr.write(`rolling-bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanup();
}
