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
//   --checks SPEC      HAProxy's server check timing (default "inter 300ms fall 2 rise 2")
//   --health-up MODE   loadBalancer.healthUpAfterProbe: on, off, or both (runs alternate on/off, off/on, … and a
//                      comparison follows the report); default: not written (the playbook default, on)
//   --sample-ms MS     how often the bench itself samples HAProxy `show stat` (default 20)
//   --verbose          also print every run's per-node timeline
//   --no-snapshot      run dist/ in place instead of a copy taken at the start (others may rebuild dist/)
//   --lrroll DIR       benchmark another built lrroll (a checkout with dist/, e.g. an older commit) instead of this one
//   --keep             keep the work dir (compiled harness, playbook, events, sim logs, HAProxy samples)
//   --json FILE        write the raw per-run figures as JSON
//   --plain-login      give the nodes an empty ~/.bashrc for root (default: this machine's, as in earlier figures)
//
// How it works: test/cluster/*.ts are compiled with the project's TypeScript into a temp dir that
// mirrors test/ (test/sim is symlinked next to it, reaper.mjs copied), so cluster.js finds
// ../sim/make-home.mjs exactly as under vitest. Progress goes to stderr, the report to stdout.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  NODE,
  ROOT,
  TSC,
  cliPath,
  checkLoads,
  cleanupOnSignals,
  distStamp,
  live,
  loadHarness,
  log,
  median,
  ms,
  optionReader,
  printHelp,
  runBench,
  simEvents,
  sleep,
  snapshotLrroll,
  startSampler,
  state,
} from './lib/harness.mjs';
import { analyse, healthUpComparison, report } from './lib/rolling-report.mjs';

cleanupOnSignals();

/** The lrroll under test: a snapshot of dist/ (default) or the repository itself (--no-snapshot). */
let LRROLL = ROOT;
const cli = () => cliPath(LRROLL);

// ---------------------------------------------------------------------------------------------
// small helpers

function parseArgs(argv) {
  const o = {
    snapshot: true,
    lrroll: ROOT,
    runs: 3,
    nodes: 3,
    startMs: 3000,
    stopMs: 500,
    rps: 40,
    users: 12,
    lbPoll: '200ms',
    checks: 'inter 300ms fall 2 rise 2',
    healthUp: null,
    httpInterval: '200ms',
    sampleMs: 20,
    verbose: false,
    keep: false,
    json: null,
    loginFiles: 'machine',
  };
  for (const { a, next, int } of optionReader(argv)) {
    if (a === '--runs') o.runs = int(1);
    else if (a === '--nodes') o.nodes = int(2);
    else if (a === '--start-ms') o.startMs = int(0);
    else if (a === '--stop-ms') o.stopMs = int(0);
    else if (a === '--rps') o.rps = int(1);
    else if (a === '--users') o.users = int(1);
    else if (a === '--lb-poll') o.lbPoll = next();
    else if (a === '--http-interval') o.httpInterval = next();
    else if (a === '--checks') o.checks = next();
    else if (a === '--health-up') {
      o.healthUp = next();
      if (!['on', 'off', 'both'].includes(o.healthUp)) throw new Error(`--health-up: on, off or both`);
    } else if (a === '--sample-ms') o.sampleMs = int(5);
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--no-snapshot') o.snapshot = false;
    else if (a === '--lrroll') o.lrroll = resolve(next());
    else if (a === '--keep') o.keep = true;
    else if (a === '--plain-login') o.loginFiles = 'plain';
    else if (a === '--json') o.json = resolve(next());
    else if (a === '-h' || a === '--help') printHelp(import.meta.url);
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// environment figures: one SSH command through lrroll's own transport, the remote login shell

async function sshBaseline(cluster) {
  const { SshTransport } = await import(pathToFileURL(join(LRROLL, 'dist', 'execute', 'transports', 'ssh.js')).href);
  const { sshSettings } = await import(pathToFileURL(join(LRROLL, 'dist', 'app', 'execute.js')).href);
  const n = cluster.nodes[0];
  const settings = sshSettings(
    { ...process.env, LRROLL_KNOWN_HOSTS: cluster.knownHostsFile, LRROLL_SSH_CONFIG: '/dev/null', SSH_AUTH_SOCK: '' },
    false,
  );
  const t = new SshTransport(
    n.address,
    { port: n.sshPort, user: cluster.sshUser, identityFile: cluster.identityFile },
    settings,
  );
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
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  const [, , , , , home, shell] = entry?.split(':') ?? [];
  if (!shell || !existsSync(shell)) return null;
  const base = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: home,
    USER: user,
    LOGNAME: user,
    SHELL: shell,
  };
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

/** The run's healthUpAfterProbe: as asked, or with `both` on/off, off/on, … so neither always goes first. */
function healthUpOf(opts, run) {
  if (opts.healthUp !== 'both') return opts.healthUp;
  const pair = Math.floor((run - 1) / 2);
  return (run - 1) % 2 === pair % 2 ? 'on' : 'off';
}

function playbookText(cluster, opts, run) {
  const healthUp = healthUpOf(opts, run);
  const nodes = cluster.nodes
    .map(
      (n) =>
        `    - name: ${n.name}\n      host: ${n.address}\n      port: ${n.sshPort}\n      httpPort: ${n.httpPort}\n`,
    )
    .join('');
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
${healthUp ? `  healthUpAfterProbe: ${healthUp === 'on'}\n` : ''}health:
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
      env: {
        ...process.env,
        NO_COLOR: '1',
        CI: 'true',
        LRROLL_KNOWN_HOSTS: cluster.knownHostsFile,
        LRROLL_SSH_CONFIG: '/dev/null',
        SSH_AUTH_SOCK: '',
        // The run record and lock go with the run's own files, not into the user's ~/.lrroll.
        LRROLL_HOME: join(dirname(playbook), 'home'),
      },
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
      const events = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      resolveRun({ code, signal, stdout, stderr, events, tSpawn: t0, tExit: tExit ?? Date.now() });
    });
  });
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const SRC = opts.lrroll;
  if (!existsSync(cliPath(SRC))) throw new Error(`${cliPath(SRC)} is missing: run \`npm run build\` first`);
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
  // Other people may rebuild dist/ while this runs: every run uses one copy taken now.
  if (opts.snapshot) LRROLL = snapshotLrroll(SRC, work);
  const version = checkLoads(LRROLL);
  const haproxyVersion = (
    spawnSync('haproxy', ['-v'], { encoding: 'utf8' }).stdout.split('\n')[0] ?? 'haproxy'
  ).replace(/ - https?:.*/, '');

  log(`starting a ${opts.nodes}-node test cluster with HAProxy (startMs ${opts.startMs}, stopMs ${opts.stopMs})`);
  const cluster = await h.startTestCluster({
    nodes: opts.nodes,
    haproxy: true,
    startMs: opts.startMs,
    stopMs: opts.stopMs,
    loginFiles: opts.loginFiles,
    haproxyChecks: opts.checks,
  });
  live.cluster = cluster;
  await cluster.startAll();
  log(`cluster up in ${cluster.dir}; measuring the SSH command baseline`);
  const env = {
    loadBefore,
    version,
    source: SRC,
    distBuilt,
    distAtStart: distStamp(LRROLL),
    snapshot: opts.snapshot,
    lock: existsSync(join(LRROLL, 'dist', 'app', 'lock.js')),
    haproxyVersion,
    ssh: await sshBaseline(cluster),
    shell: loginShellCost(cluster.sshUser),
  };

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
    if (state.interrupted) return;
    const sims = simEvents(cluster);
    writeFileSync(join(runDir, 'events.ndjson'), raw.stdout);
    writeFileSync(join(runDir, 'lrroll.stderr'), raw.stderr);
    writeFileSync(join(runDir, 'sim-events.json'), JSON.stringify(sims, null, 1));
    writeFileSync(join(runDir, 'haproxy-samples.json'), JSON.stringify(Object.fromEntries(sampler.timeline), null, 1));
    const end = raw.events.find((e) => e.kind === 'run-end');
    if (raw.code !== 0 || end?.status !== 'ok') {
      throw new Error(
        `lrroll run ${i} did not end ok (exit ${raw.code ?? raw.signal}, status ` +
          `${end?.status ?? 'none'}: ${end?.reason ?? ''})\n${raw.stderr.slice(-2000)}` +
          `${raw.stdout.slice(-2000)}`,
      );
    }
    const r = analyse(raw, sims, sampler.timeline, env.lock ? 2 : 0);
    r.status = end.status;
    r.healthUp = healthUpOf(opts, i);
    r.dist = builtBefore;
    if (builtAfter !== builtBefore || builtBefore !== env.distAtStart)
      r.problems.push(
        `dist/ was rebuilt (${env.distAtStart} at the start, ${builtBefore} before this run, ` +
          `${builtAfter} after it): runs may have measured different code`,
      );
    results.push(r);
    loads.push(loadReport);
    log(
      `run ${i}: wall ${ms(r.wall)}, floor ${ms(r.floorMs)}, overhead ${ms(r.overheadMs)} (` +
        `${r.overheadPct.toFixed(1)} %), ${loadReport.failed}/${loadReport.total} requests failed, ` +
        `${sampler.samples} HAProxy samples`,
    );
  }

  if (opts.snapshot && distStamp(SRC) !== env.distBuilt)
    log(`note: dist/ was rebuilt during the bench (now ${distStamp(SRC)}); the runs used the copy of ${env.distBuilt}`);
  process.stdout.write(`${report(opts, env, results, loads)}\n`);
  if (opts.healthUp === 'both') process.stdout.write(`${healthUpComparison(results)}\n`);
  if (opts.json)
    writeFileSync(
      opts.json,
      JSON.stringify(
        {
          opts,
          env,
          runs: results,
          loads: loads.map(({ failures, ...l }) => ({ ...l, failures: failures.slice(0, 50) })),
        },
        null,
        2,
      ),
    );
  if (opts.keep) process.stderr.write(`kept: ${work}\n`);
}

await runBench('rolling-bench', main);
