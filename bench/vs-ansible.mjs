#!/usr/bin/env node
// lrroll against Ansible: the same rolling portal-ext.properties change on the same real test cluster
// (sshd per node in its own mount namespace, HAProxy, simulated Liferay nodes that stop in --stop-ms
// and start in --start-ms, a steady sticky load through HAProxy), run alternately by
//   - lrroll: `lrroll run playbook.yml --yes` (startup-marker + HTTP gates, HAProxy runtime API), and
//   - Ansible (Debian's `ansible` package): an idiomatic playbook as a careful admin writes it —
//     `serial: 1`, `community.general.haproxy` (drain, wait, enable, wait UP), `lineinfile`,
//     catalina.sh stop/start, `wait_for` on the startup line of this start, `uri` until HTTP 200,
//     pipelining and ControlPersist on, no fact gathering.
// It prints each tool's wall time per round, medians and spread, the ratio lrroll / Ansible, each
// node's time out of rotation (from HAProxy samples, the same observer for both tools) and the
// failed requests. Goal: lrroll's wall ≤ 0.65 × Ansible's. A benchmark, not a test: exit 0 unless it
// could not run (no dist/, no root/sshd/haproxy/ansible-playbook, a run that did not end ok).
//
//   npm run build && node bench/vs-ansible.mjs [--nodes 3,6] [--rounds 3] [--start-ms 3000] [--stop-ms 1000]
//                                              [--rps 30] [--users 10] [--keep] [--json FILE] [--plain-login]
//
// The nodes keep this machine's ~/.bashrc for root (comparable with the earlier figures); --plain-login gives them
// an empty one, as on a freshly installed server.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  NODE,
  ROOT,
  cleanupOnSignals,
  cliPath,
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
  startSampler,
  state,
  table,
} from './lib/harness.mjs';
import { ansibleConfig, ansibleInventory, ansiblePlaybook, lrrollPlaybook } from './lib/vs-ansible-playbooks.mjs';

cleanupOnSignals();
const GOAL = 0.65;

function parseArgs(argv) {
  const o = {
    nodes: [3, 6],
    rounds: 3,
    startMs: 3000,
    stopMs: 1000,
    rps: 30,
    users: 10,
    keep: false,
    json: null,
    loginFiles: 'machine',
  };
  for (const { a, next, int, ints } of optionReader(argv)) {
    if (a === '--nodes') o.nodes = ints(2);
    else if (a === '--rounds') o.rounds = int(1);
    else if (a === '--start-ms') o.startMs = int(0);
    else if (a === '--stop-ms') o.stopMs = int(0);
    else if (a === '--rps') o.rps = int(1);
    else if (a === '--users') o.users = int(1);
    else if (a === '--keep') o.keep = true;
    else if (a === '--plain-login') o.loginFiles = 'plain';
    else if (a === '--json') o.json = resolve(next());
    else if (a === '--help' || a === '-h') printHelp(import.meta.url);
    else throw new Error(`unknown option ${a} (see --help)`);
  }
  return o;
}

/** Runs a command to its end; resolves with its exit and output (never rejects). */
function runTool(cmd, args, opts) {
  return new Promise((done) => {
    const t0 = Date.now();
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    live.child = child;
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15 * 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      live.child = null;
      done({ code, signal, out, wallMs: Date.now() - t0 });
    });
  });
}

/** Per server: total time its HAProxy status did not start with UP (DRAIN, MAINT, DOWN) — out of rotation. */
function outOfRotation(timeline, tEnd) {
  const out = {};
  for (const [server, samples] of timeline) {
    let total = 0;
    let since = null;
    for (const s of samples) {
      const inRotation = String(s.status).startsWith('UP');
      if (!inRotation && since === null) since = s.t;
      if (inRotation && since !== null) {
        total += s.t - since;
        since = null;
      }
    }
    if (since !== null) total += tEnd - since;
    out[server] = total;
  }
  return out;
}

/** Checks the change landed on every node and every server is back UP. */
async function verifyEnd(cluster, value) {
  const problems = [];
  for (const n of cluster.nodes) {
    const r = await cluster.ssh(n, 'grep -h "^bench.vs.run=" /opt/liferay/portal-ext.properties', {
      timeoutMs: 15_000,
    });
    if (!r.stdout.includes(`bench.vs.run=${value}`))
      problems.push(`${n.name}: portal-ext.properties has ${JSON.stringify(r.stdout.trim())}, not ${value}`);
  }
  const down = (await cluster.haproxyServers()).filter((s) => s.status !== 'UP');
  if (down.length) problems.push(`not UP at the end: ${down.map((s) => `${s.name}=${s.status}`).join(', ')}`);
  return problems;
}

async function oneRun(h, cluster, tool, ctx, value) {
  await cluster.waitBackendUp({ timeoutMs: 60_000 });
  await sleep(500);
  const sampler = startSampler(cluster, 20);
  live.sampler = sampler;
  const load = h.startLoad({ url: cluster.haproxy.url, rps: ctx.opts.rps, users: ctx.opts.users });
  live.load = load;
  await sleep(500);
  const dir = join(ctx.work, `${tool}-${cluster.nodes.length}-${value}`);
  mkdirSync(dir, { recursive: true });
  const loadAvg = loadavg()[0];
  let r;
  if (tool === 'lrroll') {
    const pb = join(dir, 'playbook.yml');
    writeFileSync(pb, lrrollPlaybook(cluster, value));
    const env = {
      ...process.env,
      NO_COLOR: '1',
      CI: 'true',
      LRROLL_HOME: join(dir, 'home'),
      LRROLL_KNOWN_HOSTS: cluster.knownHostsFile,
      LRROLL_SSH_CONFIG: '/dev/null',
      SSH_AUTH_SOCK: '',
    };
    r = await runTool(NODE, [cliPath(ctx.lrroll), 'run', pb, '--yes', '--output', 'plain'], {
      cwd: dir,
      env,
    });
  } else {
    writeFileSync(join(dir, 'ansible.cfg'), ansibleConfig(cluster, join(ctx.work, 'cp')));
    writeFileSync(join(dir, 'inventory.ini'), ansibleInventory(cluster));
    writeFileSync(join(dir, 'playbook.yml'), ansiblePlaybook(cluster, value));
    const env = {
      ...process.env,
      ANSIBLE_CONFIG: join(dir, 'ansible.cfg'),
      ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'),
      ANSIBLE_NOCOLOR: '1',
    };
    r = await runTool('ansible-playbook', ['-i', 'inventory.ini', 'playbook.yml'], { cwd: dir, env });
  }
  const tEnd = Date.now();
  const report = await load.stop();
  live.load = null;
  await sampler.stop();
  live.sampler = null;
  writeFileSync(join(dir, 'output.txt'), r.out);
  if (r.code !== 0) throw new Error(`${tool} run ${value} exited ${r.code ?? r.signal}:\n${r.out.slice(-3000)}`);
  const problems = await verifyEnd(cluster, value);
  if (problems.length) throw new Error(`${tool} run ${value} ended 0 but: ${problems.join('; ')}`);
  const oor = outOfRotation(sampler.timeline, tEnd);
  return {
    tool,
    nodes: cluster.nodes.length,
    value,
    wallMs: r.wallMs,
    loadAvg,
    failed: report.failed,
    total: report.total,
    outOfRotationMs: oor,
  };
}

function spread(xs) {
  return `${ms(Math.min(...xs))} – ${ms(Math.max(...xs))}`;
}

function report(opts, env, runs) {
  const lines = [];
  const p = (s = '') => lines.push(s);
  p('# lrroll vs Ansible: the same rolling change on the same cluster');
  p();
  p(
    `${opts.rounds} round(s) per size, lrroll and Ansible alternately (the first tool alternates by ` +
      `round). Sim nodes stop in ${opts.stopMs} ms and start in ${opts.startMs} ms;`,
  );
  p(
    `load ${opts.rps} req/s from ${opts.users} sticky users through HAProxy. ${env.ansible}; lrroll ` +
      `${env.version} (commit ${env.commit}); node ${process.version}; ${cpus().length} CPU(s).`,
  );
  p(`Load average (1 min) at the start ${env.loadBefore.toFixed(2)}, at the end ${loadavg()[0].toFixed(2)}.`);
  for (const size of opts.nodes) {
    const of = (tool) => runs.filter((r) => r.nodes === size && r.tool === tool);
    const l = of('lrroll');
    const a = of('ansible');
    if (!l.length || !a.length) continue;
    const ratios = l.map((x, i) => x.wallMs / (a[i]?.wallMs ?? NaN));
    const floor = size * (opts.stopMs + opts.startMs);
    p();
    p(`## ${size} nodes (floor: Σ stop + start = ${ms(floor)})`);
    p();
    p(
      table([
        [
          'round',
          'lrroll wall',
          'Ansible wall',
          'ratio',
          'failed (lrroll)',
          'failed (Ansible)',
          'load avg (lrroll / Ansible)',
        ],
        ...l.map((x, i) => [
          i + 1,
          ms(x.wallMs),
          ms(a[i]?.wallMs),
          ratios[i].toFixed(2),
          `${x.failed}/${x.total}`,
          `${a[i]?.failed}/${a[i]?.total}`,
          `${x.loadAvg.toFixed(1)} / ${a[i]?.loadAvg.toFixed(1)}`,
        ]),
      ]),
    );
    const medRatio = median(l.map((x) => x.wallMs)) / median(a.map((x) => x.wallMs));
    p();
    p(
      `median wall: lrroll ${ms(median(l.map((x) => x.wallMs)))} (spread ` +
        `${spread(l.map((x) => x.wallMs))}), Ansible ${ms(median(a.map((x) => x.wallMs)))} (spread ` +
        `${spread(a.map((x) => x.wallMs))})`,
    );
    p(
      `ratio of medians ${medRatio.toFixed(2)} (per-round ratios ` +
        `${ratios.map((x) => x.toFixed(2)).join(', ')}) — goal ≤ ${GOAL}: ` +
        `${medRatio <= GOAL ? 'MET' : 'NOT MET'}`,
    );
    const oor = (list) => median(list.flatMap((x) => Object.values(x.outOfRotationMs)));
    const oorSpread = (list) => spread(list.flatMap((x) => Object.values(x.outOfRotationMs)));
    p(
      `time out of rotation per node (median, HAProxy samples): lrroll ${ms(oor(l))} (${oorSpread(l)}` +
        `), Ansible ${ms(oor(a))} (${oorSpread(a)}); stop + start is ${ms(opts.stopMs + opts.startMs)}`,
    );
    // serial 1: wall minus the nodes' time out of rotation is what a tool spends with every node in rotation (start,
    // checks, exit).
    const inRotation = (list) =>
      median(list.map((x) => x.wallMs - Object.values(x.outOfRotationMs).reduce((s, v) => s + v, 0)));
    p(
      `wall time with every node in rotation (median of wall − Σ out of rotation): lrroll ` +
        `${ms(inRotation(l))}, Ansible ${ms(inRotation(a))}`,
    );
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(cliPath(ROOT))) throw new Error('dist/ is missing: run `npm run build` first');
  const ansibleV = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (ansibleV.status !== 0) throw new Error('ansible-playbook is not installed (Debian: apt-get install ansible)');
  const work = mkdtempSync(join(tmpdir(), 'lrroll-vs-ansible-'));
  live.work = work;
  live.keep = opts.keep;
  log('compiling test/cluster with the project TypeScript');
  const h = await loadHarness(work);
  const support = h.clusterSupport();
  if (!support.ok) throw new Error(support.reason);
  const lrroll = snapshotLrroll(ROOT, work);
  const version = spawnSync(NODE, [cliPath(lrroll), '--version'], {
    encoding: 'utf8',
  }).stdout.trim();
  const commit =
    spawnSync('git', ['describe', '--always', '--dirty'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() || '?';
  const env = { loadBefore: loadavg()[0], version, commit, ansible: ansibleV.stdout.split('\n')[0] };
  const runs = [];
  for (const size of opts.nodes) {
    log(`starting a ${size}-node test cluster with HAProxy`);
    const cluster = await h.startTestCluster({
      nodes: size,
      haproxy: true,
      startMs: opts.startMs,
      stopMs: opts.stopMs,
      loginFiles: opts.loginFiles,
    });
    live.cluster = cluster;
    await cluster.startAll();
    for (let round = 1; round <= opts.rounds; round++) {
      const order = round % 2 ? ['lrroll', 'ansible'] : ['ansible', 'lrroll'];
      for (const tool of order) {
        if (state.interrupted) return;
        const r = await oneRun(h, cluster, tool, { opts, work, lrroll }, `${tool}-r${round}`);
        log(`${size} nodes, round ${round}, ${tool}: wall ${ms(r.wallMs)}, ${r.failed}/${r.total} requests failed`);
        runs.push(r);
      }
    }
    await cluster.stop();
    live.cluster = null;
  }
  process.stdout.write(`${report(opts, env, runs)}\n`);
  if (opts.json) writeFileSync(opts.json, JSON.stringify({ opts, env, runs }, null, 2));
  if (opts.keep) process.stderr.write(`kept: ${work}\n`);
}

await runBench('vs-ansible', main);
