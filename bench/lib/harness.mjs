// Shared by the cluster benchmarks (rolling-bench.mjs, vs-ansible.mjs): the test cluster compiled
// from test/cluster/*.ts, a snapshot of lrroll's dist/, cleanup on every path, observers and figures.

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const NODE = process.execPath;
export const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/**
 * The built CLI under a checkout: the bundle `lrroll` runs (dist/bin/lrroll.js), or tsc's entry point for a
 * baseline built before the CLI was bundled.
 */
export function cliPath(root) {
  const bundled = join(root, 'dist', 'bin', 'lrroll.js');
  return existsSync(bundled) ? bundled : join(root, 'dist', 'cli', 'main.js');
}

// ---------------------------------------------------------------------------------------------
// figures

/** Median of the numbers in `xs` (NaN when there are none). */
export const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number' && !Number.isNaN(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const sum = (xs) => xs.reduce((a, b) => a + b, 0);
export const ms = (x) =>
  x === undefined || x === null || Number.isNaN(x) ? 'n/a' : `${Math.round(x).toLocaleString('en-US')} ms`;
export const pctOf = (x, of) => (of > 0 && Number.isFinite(x) ? `${((100 * x) / of).toFixed(1)} %` : 'n/a');
export const log = (line) => process.stderr.write(`… ${line}\n`);
export const sleep = (t) => new Promise((r) => setTimeout(r, t));

/** A plain text table: the first row is the header, the first column is left-aligned. */
export function table(rows, indent = '  ') {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, i) => {
      const line = r
        .map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]) : String(cell).padStart(widths[c])))
        .join('  ');
      return indent + line + (i === 0 ? `\n${indent}${widths.map((w) => '-'.repeat(w)).join('  ')}` : '');
    })
    .join('\n');
}

// ---------------------------------------------------------------------------------------------
// cleanup on every path (normal end, error, Ctrl-C / SIGTERM / SIGHUP)

/** What is running and must be stopped: set the fields as things start, clear them as they stop. */
export const live = { cluster: null, load: null, child: null, sampler: null, work: null, keep: false, extra: [] };
let cleaning = null;
/** True once a signal asked the bench to stop. */
export const state = { interrupted: false };

/** Stops whatever is live, once (later calls share the first one's promise). */
export function cleanup() {
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
    for (const f of live.extra) await Promise.resolve(f()).catch(() => undefined);
    await live.cluster?.stop().catch(() => undefined);
    if (live.work && !live.keep) rmSync(live.work, { recursive: true, force: true });
  })();
  return cleaning;
}

/**
 * SIGINT/SIGTERM/SIGHUP: clean up and exit 130; a second signal exits at once (cluster.ts's exit hook still kills
 * everything).
 */
export function cleanupOnSignals() {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (state.interrupted) process.exit(130);
      state.interrupted = true;
      process.stderr.write(`\n${sig}: stopping the runs, the load and the test cluster…\n`);
      cleanup().finally(() => process.exit(130));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// the command line and the ending every bench shares

/**
 * Walks the command line, one option at a time: `{ a, next, int, ints }` where `a` is the option, `next()` takes its
 * value, `int(min)` that value as an integer ≥ min and `ints(min)` a comma-separated list of them.
 */
export function* optionReader(argv) {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const integer = (v, min, what) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${a} needs ${what} ≥ ${min}`);
      return n;
    };
    const int = (min) => integer(next(), min, 'an integer');
    const ints = (min) =>
      next()
        .split(',')
        .map((x) => integer(x, min, 'integers'));
    yield { a, next, int, ints };
  }
}

/** `--help`: prints the `//` comment lines of the bench's own file (its header) and exits 0. */
export function printHelp(benchUrl) {
  console.log(
    readFileSync(fileURLToPath(benchUrl), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('//'))
      .map((l) => l.slice(3))
      .join('\n'),
  );
  process.exit(0);
}

/**
 * Runs a cluster bench's `main`: a failure is one line `<name>: <message>` and exit code 1, and whatever it started is
 * stopped on every path — unless a signal came first, whose handler is already cleaning up and exits 130.
 */
export async function runBench(name, main, stop = cleanup) {
  try {
    await main();
  } catch (err) {
    if (!state.interrupted) {
      process.stderr.write(`${name}: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    }
  } finally {
    if (!state.interrupted) await stop();
  }
}

// ---------------------------------------------------------------------------------------------
// the harness: compile test/cluster/*.ts into <work>/test/cluster, with test/sim next to it

/** Compiles and imports test/cluster/cluster.ts and load.ts; returns their exports. */
export async function loadHarness(work) {
  const outTest = join(work, 'test');
  const args = [
    TSC,
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
    '--target',
    'ES2022',
    '--lib',
    'ES2023',
    '--types',
    'node',
    '--typeRoots',
    join(ROOT, 'node_modules', '@types'),
    '--skipLibCheck',
    '--outDir',
    outTest,
    '--rootDir',
    join(ROOT, 'test'),
    join(ROOT, 'test', 'cluster', 'cluster.ts'),
    join(ROOT, 'test', 'cluster', 'load.ts'),
  ];
  const r = spawnSync(NODE, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const clusterJs = join(outTest, 'cluster', 'cluster.js');
  const loadJs = join(outTest, 'cluster', 'load.js');
  if (!existsSync(clusterJs) || !existsSync(loadJs))
    throw new Error(
      `tsc did not compile test/cluster (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`,
    );
  // Type errors in test code do not stop tsc from emitting; vitest does not type-check either.
  if (r.status !== 0)
    log(
      `tsc reported type errors in test/cluster (ignored, JavaScript emitted): ` +
        `${(r.stdout + r.stderr).split('\n').filter(Boolean).length} line(s)`,
    );
  writeFileSync(join(work, 'package.json'), '{ "type": "module" }\n'); // the emitted .js files are ES modules
  symlinkSync(join(ROOT, 'test', 'sim'), join(outTest, 'sim'), 'dir'); // cluster.ts: HERE/../sim/make-home.mjs
  // cluster.ts: HERE/../tomcat/make-tomcat-home.mjs
  symlinkSync(join(ROOT, 'test', 'tomcat'), join(outTest, 'tomcat'), 'dir');
  // cluster.ts imports its plain-JavaScript neighbours (reaper.mjs, lb-configs.mjs) from HERE: tsc does not emit them.
  for (const f of readdirSync(join(ROOT, 'test', 'cluster')).filter((n) => n.endsWith('.mjs')))
    copyFileSync(join(ROOT, 'test', 'cluster', f), join(outTest, 'cluster', f));
  const cluster = await import(pathToFileURL(clusterJs).href);
  const load = await import(pathToFileURL(loadJs).href);
  return { ...cluster, ...load };
}

/** The newest modification time under `<root>/dist/` (others may rebuild it while a bench runs). */
export function distStamp(root = ROOT) {
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

/**
 * Copies `<src>/dist` (with package.json, schemas, data, playbooks; node_modules symlinked) into
 * `<work>/lrroll`, so every run measures the same build even if someone rebuilds dist/ meanwhile,
 * and checks that the copy loads. Returns the copy's root.
 */
export function snapshotLrroll(src, work) {
  const dest = join(work, 'lrroll');
  mkdirSync(dest);
  cpSync(join(src, 'dist'), join(dest, 'dist'), { recursive: true });
  for (const d of ['schemas', 'data', 'playbooks'])
    if (existsSync(join(src, d))) cpSync(join(src, d), join(dest, d), { recursive: true });
  copyFileSync(join(src, 'package.json'), join(dest, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dest, 'node_modules'), 'dir');
  checkLoads(dest);
  return dest;
}

/** Fails early when a build is half written: `--version`, and an import of every module but the entry points. */
export function checkLoads(root) {
  const cli = cliPath(root);
  const version = spawnSync(NODE, [cli, '--version'], { encoding: 'utf8' });
  if (version.status !== 0)
    throw new Error(
      `lrroll --version failed (is dist/ complete? a build in progress?): ${version.stderr.trim().slice(0, 500)}`,
    );
  const check = spawnSync(
    NODE,
    [
      '--input-type=module',
      '-e',
      `
    import { readdirSync } from 'node:fs'; import { join } from 'node:path'; import { pathToFileURL } from 'node:url';
    const files = []; const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.endsWith('.js') && !process.argv.slice(2).includes(p)) files.push(p); } };
    walk(process.argv[1]); for (const f of files) await import(pathToFileURL(f).href);`,
      join(root, 'dist'),
      join(root, 'dist', 'cli', 'main.js'),
      join(root, 'dist', 'bin', 'lrroll.js'),
      join(root, 'dist', 'cli', 'launch.js'),
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (check.status !== 0)
    throw new Error(`dist/ does not load (a build in progress?): ${check.stderr.trim().slice(0, 800)}`);
  return version.stdout.trim() || '?';
}

// ---------------------------------------------------------------------------------------------
// observers: HAProxy `show stat` sampler, sim log parser

/** Samples every server's status / last check / current sessions; stores only changes (t = midpoint of the request). */
export function startSampler(cluster, everyMs) {
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
          if (!last || last.status !== s.status || last.check !== s.checkStatus || last.scur !== s.sessions)
            list.push({ t, status: s.status, check: s.checkStatus, scur: s.sessions });
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
export function simEvents(cluster) {
  const out = [];
  for (const n of cluster.nodes) {
    const tomcat = readdirSync(n.home).find((d) => /^tomcat/.test(d)) ?? 'tomcat';
    const logs = join(n.home, tomcat, 'logs');
    for (const f of readdirSync(logs).filter((x) => x.startsWith('catalina.out'))) {
      const text = readFileSync(join(logs, f), 'utf8');
      for (const m of text.matchAll(/lrroll-sim: node=(\S+) event=(start|ready|stop|exit) pid=(\d+) at=(\S+)/g))
        out.push({ node: m[1], event: m[2], pid: Number(m[3]), t: Date.parse(m[4]) });
    }
  }
  return out.sort((a, b) => a.t - b.t);
}
