#!/usr/bin/env node
// lrroll benchmark: the stop of a `scripts` node on a real Tomcat 10 (Debian's tomcat10, the test
// portal of test/tomcat/), Tomcat's own `catalina.sh stop <timeout> -force` against the stop command
// lrroll plans for the same node, alternately. For each stop: the command's wall time and its lag,
// from the JVM's exit (watched every 5 ms in /proc) to the command's end — time the node spends
// out of rotation for nothing. It is a benchmark, not a test: it prints figures and exits 0 unless
// it could not run.
//
//   npm run build && node bench/tomcat-stop.mjs [--rounds N]     (tomcat10, default-jre-headless)
//
// The node listens on 127.0.0.71 (HTTP 18480, AJP 18409, shutdown 18405).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTomcatHome, tomcatMissing } from '../test/tomcat/make-tomcat-home.mjs';
import { median, optionReader, printHelp, ROOT, sleep, table } from './lib/harness.mjs';

const HOST = '127.0.0.71';
const opts = { rounds: 5 };
for (const { a, int } of optionReader(process.argv.slice(2))) {
  if (a === '--rounds') opts.rounds = int(1);
  else if (a === '--help') printHelp(import.meta.url);
  else throw new Error(`unknown option ${a}`);
}

const missing = tomcatMissing();
if (missing) {
  process.stderr.write(`tomcat-stop: needs ${missing.join(', ')}\n`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'lrroll-tomcat-stop-'));
let pidFile = '';
const cleanup = () => {
  if (pidFile && existsSync(pidFile)) spawnSync('sh', ['-c', `kill -9 "$(cat '${pidFile}')" 2>/dev/null`]);
  rmSync(work, { recursive: true, force: true });
};
process.on('exit', cleanup);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => process.exit(130));

const home = join(work, 'node');
const node = makeTomcatHome({
  home,
  node: 'stop-bench',
  host: HOST,
  httpPort: 18480,
  ajpPort: 18409,
  shutdownPort: 18405,
});
pidFile = node.pidFile;

// The stop command lrroll plans for this node (type scripts, the default), from a playbook naming its homes.
const playbook = join(work, 'stop.yml');
writeFileSync(
  playbook,
  `lrroll: 1\nname: stop bench\ninventory:\n  defaults:\n    liferayHome: ${home}\n    tomcatHome: ${node.base}\n` +
    `    service:\n      stopTimeout: 30s\n  nodes:\n    - name: a\n    - name: b\nchange:\n  type: restart\n  reason: bench\n`,
);
const { planPlaybook } = await import(pathToFileURL(join(ROOT, 'dist/app/use-cases.js')).href);
const { plan, diagnostics } = await planPlaybook(playbook, { vars: {}, limit: null, readGit: false });
if (!plan) throw new Error(`no plan: ${JSON.stringify(diagnostics)}`);
const steps = plan.batches[0].nodePlans[0].steps;
const commandOf = (action) => steps.find((s) => s.action === action).command;
const start = commandOf('service-start');
const stops = {
  "Tomcat's own": `CATALINA_PID='${pidFile}' '${node.catalina}' stop 30 -force`,
  "lrroll's": commandOf('service-stop'),
};

const gone = (pid) => {
  try {
    return /^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
};

async function startNode() {
  const from = existsSync(node.log) ? statSync(node.log).size : 0;
  const r = spawnSync('sh', ['-c', start], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`start failed: ${r.stderr}`);
  for (let i = 0; i < 600; i++) {
    const text = readFileSync(node.log, 'utf8').slice(from);
    if (/Server startup in/.test(text)) return readFileSync(pidFile, 'utf8').trim();
    await sleep(100);
  }
  throw new Error('Tomcat did not start in 60 s');
}

/** Runs one stop; the JVM's exit is watched every 5 ms while the command runs. */
async function timedStop(command, pid) {
  const t0 = performance.now();
  let exitAt = null;
  const watch = setInterval(() => {
    if (exitAt === null && gone(pid)) exitAt = performance.now();
  }, 5);
  const code = await new Promise((resolve) => spawn('sh', ['-c', command], { stdio: 'ignore' }).on('exit', resolve));
  const end = performance.now();
  clearInterval(watch);
  if (code !== 0) throw new Error(`stop exited ${code}`);
  return { wallMs: end - t0, lagMs: exitAt === null ? NaN : end - exitAt };
}

const results = Object.fromEntries(Object.keys(stops).map((k) => [k, []]));
for (let round = 1; round <= opts.rounds; round++) {
  // Alternate which goes first, so a warming machine favours neither.
  const order = round % 2 ? Object.keys(stops) : Object.keys(stops).reverse();
  for (const name of order) {
    const pid = await startNode();
    await sleep(500);
    const r = await timedStop(stops[name], pid);
    results[name].push(r);
    process.stderr.write(`… round ${round}, ${name} stop: ${r.wallMs.toFixed(0)} ms, lag ${r.lagMs.toFixed(0)} ms\n`);
  }
}

const f = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;
process.stdout.write(
  `Stop of a real Tomcat 10 node, ${opts.rounds} rounds, median (range):\n` +
    table([
      ['stop command', 'wall', 'JVM exit → command end'],
      ...Object.entries(results).map(([name, rs]) => [name, f(rs.map((r) => r.wallMs)), f(rs.map((r) => r.lagMs))]),
    ]) +
    '\n',
);
