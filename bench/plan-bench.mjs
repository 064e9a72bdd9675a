#!/usr/bin/env node
// lrroll benchmark: CLI cold start, `validate` wall time, and plan compile time / memory / output
// size for generated playbooks of 100, 1,000 and 10,000 inline nodes, with a phase breakdown for the
// largest size. Prints figures and PASS/FAIL against the targets; it is not a test (exit code 0
// unless the benchmark itself could not run).
//
//   npm run bench                      # build, then run everything
//   node bench/plan-bench.mjs [options] # against the existing dist/
//
// Options:
//   --cold-runs N      spawns per command for the cold-start figure (default 20, after 2 warm-ups)
//   --validate-runs N  runs of `validate playbooks/fixpack.yml` (default 10, after 1 warm-up)
//   --sizes a,b,c      node counts to plan (default 100,1000,10000)
//   --baseline DIR     also time --version, validate and the plan sizes of another build (DIR holds its dist/, e.g. a
//                      checkout of the previous commit, built), interleaved with this one and bare node
//   --baseline-plan-max N  plan the baseline only up to N nodes (default 1000: older builds are quadratic)
//   --profile          also CPU-profile `lrroll plan` at the largest size and print the top functions
//   --keep             keep the temp dir with the generated playbooks (and profiles)
//
// Internally the script re-runs itself as a child (`--child inproc|phases <playbook>`) so that each
// size is measured in a fresh Node process with its own heap (run with --expose-gc).

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir, cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cliPath, optionReader, printHelp } from './lib/harness.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const CLI = cliPath(ROOT);
const NODE = process.execPath;
const ARTIFACT_NAME = 'com.acme.orders.service-2.1.3.jar';
const ARTIFACT_SRC = join(ROOT, 'playbooks', 'artifacts', ARTIFACT_NAME);

const TARGET_COLD_MS = 150;
const TARGET_PLAN_10K_MS = 2000;
const TARGET_COMPILE_10K_MS = 1000;
const TARGET_HEAP_10K_MB = 100;
const TARGET_VALIDATE_MS = 250;

// ---------------------------------------------------------------------------------------------
// small helpers

function parseArgs(argv) {
  const opts = {
    coldRuns: 20,
    validateRuns: 10,
    sizes: [100, 1000, 10000],
    profile: false,
    keep: false,
    child: null,
    childFile: null,
    baseline: null,
    baselinePlanMax: 1000,
  };
  for (const { a, next } of optionReader(argv)) {
    if (a === '--cold-runs') opts.coldRuns = Math.max(1, Number(next()));
    else if (a === '--validate-runs') opts.validateRuns = Math.max(1, Number(next()));
    else if (a === '--sizes')
      opts.sizes = next()
        .split(',')
        .map((s) => Number(s.replace(/_/g, '')))
        .filter((n) => n > 0);
    else if (a === '--profile') opts.profile = true;
    else if (a === '--baseline') opts.baseline = resolve(next());
    else if (a === '--baseline-plan-max') opts.baselinePlanMax = Number(next());
    else if (a === '--keep') opts.keep = true;
    else if (a === '--child') {
      opts.child = next();
      opts.childFile = next();
    } else if (a === '-h' || a === '--help') printHelp(import.meta.url);
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x) =>
  x === undefined || x === null || Number.isNaN(x) ? 'n/a' : x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`;
const mb = (bytes) => (bytes === undefined || bytes === null ? 'n/a' : `${(bytes / 1048576).toFixed(1)} MB`);
const smb = (bytes) =>
  bytes === undefined || bytes === null
    ? 'n/a'
    : `${bytes >= 0 ? '+' : '-'}${(Math.abs(bytes) / 1048576).toFixed(1)} MB`;
const num = (n) => n.toLocaleString('en-US');

/** Prints a table: rows of cells; first row is the header; numeric-looking cells are right-aligned. */
function table(rows, indent = '  ') {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  const right = (s) => /^[+\-~≈]?[\d.,]+(\s?(ms|MB|×|%|s))?$/.test(s) || /^[+-]?\d/.test(s);
  const line = (r) =>
    indent +
    r
      .map((cell, c) => {
        const s = String(cell ?? '');
        return right(s) && c > 0 ? s.padStart(widths[c]) : s.padEnd(widths[c]);
      })
      .join('  ')
      .trimEnd();
  console.log(line(rows[0]));
  console.log(indent + widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(1)) console.log(line(r));
}

/** Spawns synchronously and returns wall ms (includes spawn + exit, as a user would see it). */
function timedSpawn(args, { stdout = 'pipe', cwd = ROOT, env = process.env } = {}) {
  const t0 = performance.now();
  const r = spawnSync(NODE, args, {
    cwd,
    env,
    stdio: ['ignore', stdout, 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const t = performance.now() - t0;
  if (r.error) throw r.error;
  return { ms: t, status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * Spawns each command `runs` times (after `warmups` rounds), rotating which goes first so that drift
 * in machine load hits all of them alike; returns median, p90 and min wall ms per command name.
 */
function interleaved(commands, runs, warmups) {
  const names = Object.keys(commands);
  for (let i = 0; i < warmups; i++) for (const n of names) timedSpawn(commands[n]);
  const times = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
    for (const n of order) {
      const r = timedSpawn(commands[n]);
      if (r.status !== 0) throw new Error(`${commands[n].join(' ')} exited ${r.status}: ${r.stderr}`);
      times[n].push(r.ms);
    }
  }
  return Object.fromEntries(
    names.map((n) => [n, { med: median(times[n]), p90: pct(times[n], 90), min: Math.min(...times[n]) }]),
  );
}

// ---------------------------------------------------------------------------------------------
// playbook generation

/** A realistic module-update playbook with `n` inline nodes. The artifact path points one level up,
 *  so the playbook goes to <tmp>/bench/ and the jar is copied to <tmp>/playbooks/artifacts/. */
function playbookYaml(n) {
  const lines = [
    '# generated by bench/plan-bench.mjs',
    'lrroll: 1',
    `name: Update com.acme.orders.service to 2.1.3 on ${num(n)} nodes (bench)`,
    'description: |',
    '  Benchmark playbook: a Service Builder module update rolled 10% at a time.',
    'inventory:',
    '  defaults:',
    '    user: liferay',
    '    liferayHome: /opt/liferay',
    '    tomcatHome: /opt/liferay/tomcat-9.0.83',
    '  nodes:',
  ];
  for (let i = 1; i <= n; i++) {
    const name = `lr-prod-${String(i).padStart(5, '0')}`;
    lines.push(`    - name: ${name}`, `      host: 10.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`);
  }
  lines.push(
    'loadBalancer:',
    '  type: haproxy',
    '  socket: /run/haproxy/admin.sock',
    '  backend: liferay',
    '  drainTimeout: 2m',
    'change:',
    '  type: module',
    `  artifact: ../playbooks/artifacts/${ARTIFACT_NAME}`,
    '  deployTo: modules',
    '  replaces: com.acme.orders.service-*.jar',
    '  dataChanges: compatible',
    'rollout:',
    '  strategy: rolling',
    '  serial: "10%"',
    '  minHealthy: "50%"',
    '  maxFailures: 0',
    '  onFailure: rollback',
    'health:',
    '  startupMarker:',
    '    timeout: 20m',
    '  http:',
    '    url: http://127.0.0.1:{{httpPort}}/c/portal/layout',
    '    status: [200, 302]',
    '    timeout: 10m',
    '  cluster:',
    '    enabled: true',
    '  settle: 15s',
    '  warmup:',
    '    urls:',
    '      - http://127.0.0.1:{{httpPort}}/web/guest/home',
    '      - http://127.0.0.1:{{httpPort}}/o/api/health',
    'hooks:',
    '  beforeNode:',
    '    - name: record the node in the change log',
    '      run: echo CHG-2231 draining {{node}} >> /var/log/lrroll-changes.log',
    '      on: local',
    '',
  );
  return lines.join('\n');
}

function makeWorkspace(sizes) {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-bench-'));
  mkdirSync(join(dir, 'bench'));
  mkdirSync(join(dir, 'playbooks', 'artifacts'), { recursive: true });
  copyFileSync(ARTIFACT_SRC, join(dir, 'playbooks', 'artifacts', ARTIFACT_NAME));
  const files = new Map();
  for (const n of sizes) {
    const file = join(dir, 'bench', `module-${n}.yml`);
    writeFileSync(file, playbookYaml(n));
    files.set(n, file);
  }
  return { dir, files };
}

// ---------------------------------------------------------------------------------------------
// children (each runs in its own process, started with --expose-gc)

const gc = () => {
  if (typeof global.gc !== 'function') throw new Error('child needs --expose-gc');
  global.gc();
  global.gc();
};
const mem = () => process.memoryUsage();
// A child measures the build in LRROLL_BENCH_DIST when set (the --baseline's), else this one.
const dist = (p) => import(pathToFileURL(join(process.env.LRROLL_BENCH_DIST ?? DIST, p)).href);

/** planPlaybook: first call, then a warm-up and median of 3; memory deltas; JSON size. */
async function childInproc(file) {
  const { planPlaybook } = await dist('app/use-cases.js');
  gc();
  const base = mem();
  const t0 = performance.now();
  let outcome = await planPlaybook(file, { vars: {}, limit: null });
  const firstMs = performance.now() - t0;
  if (!outcome.plan) {
    const errs = outcome.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.summary}`);
    throw new Error(`planPlaybook produced no plan: ${errs.join('; ')}`);
  }
  const afterNoGc = mem();
  gc();
  const retained = mem(); // the plan (and whatever the modules cache) still alive
  const plan = outcome.plan;
  const { jsonBytes } = await jsonWriter();
  const compact = jsonBytes(plan, 0);
  const pretty = jsonBytes(plan, 2);
  const nodes = plan.nodes?.length ?? Object.keys(plan.nodePlans ?? {}).length;
  const batches = plan.batches?.length;
  const steps = countSteps(plan);
  outcome = undefined;
  gc();

  await planPlaybook(file, { vars: {}, limit: null }); // warm-up
  gc();
  const warm = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const o = await planPlaybook(file, { vars: {}, limit: null });
    warm.push(performance.now() - t);
    if (!o.plan) throw new Error('planPlaybook produced no plan on a warm run');
    gc();
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  return {
    firstMs,
    warmMs: warm,
    warmMedianMs: median(warm),
    heapDelta: retained.heapUsed - base.heapUsed,
    heapDeltaNoGc: afterNoGc.heapUsed - base.heapUsed,
    rssDelta: retained.rss - base.rss,
    rssDeltaNoGc: afterNoGc.rss - base.rss,
    baseRss: base.rss,
    peakRss,
    jsonCompact: compact,
    jsonPretty: pretty,
    nodes,
    batches,
    steps,
    verdictRefused: plan.verdict?.refused ?? null,
  };
}

/**
 * The byte size of the plan's JSON as `plan --format json` writes it (`space` 2) and the run record (0): in pieces
 * with values held in several places written once (plan format 4, dist/plan/plan-json.js); JSON.stringify for a
 * build from before it (a --baseline).
 */
async function jsonWriter() {
  try {
    const { planJsonChunks } = await dist('plan/plan-json.js');
    return {
      jsonBytes: (plan, space) => {
        let n = 0;
        for (const piece of planJsonChunks(plan, { share: true, space })) n += Buffer.byteLength(piece);
        return n;
      },
    };
  } catch {
    return {
      // null when the JSON is more than one string may hold (what `plan --format json` then fails on).
      jsonBytes: (plan, space) => {
        try {
          return Buffer.byteLength(space ? `${JSON.stringify(plan, null, space)}\n` : JSON.stringify(plan));
        } catch (err) {
          if (err instanceof RangeError) return null;
          throw err;
        }
      },
    };
  }
}

function countSteps(value) {
  // Counts objects that look like steps (have an `id` and a `kind` or `title`), anywhere in the plan.
  // Each object once: the plan holds some lists in many places (the nodes outside a batch), never a step.
  let n = 0;
  const stack = [value];
  const seen = new Set();
  while (stack.length) {
    const v = stack.pop();
    if (v && typeof v === 'object') {
      if (seen.has(v)) continue;
      seen.add(v);
    }
    if (Array.isArray(v)) for (const x of v) stack.push(x);
    else if (v && typeof v === 'object') {
      if (typeof v.id === 'string' && ('kind' in v || 'title' in v)) n++;
      for (const k in v) stack.push(v[k]);
    }
  }
  return n;
}

/** Where the time goes on the CLI's path, in its order: loadPlaybook, gitState, compilePlan, JSON.stringify. */
async function childPhases(file) {
  const { loadPlaybook, sha256Hex } = await dist('app/load.js');
  const { shippedBreakingLevels } = await dist('app/use-cases.js');
  const { gitState } = await dist('app/git.js');
  const { compilePlan } = await dist('plan/compile.js');

  const pass = async () => {
    const r = {};
    let t = performance.now();
    const { loaded, diagnostics } = await loadPlaybook(file);
    r.load = performance.now() - t;
    if (!loaded) throw new Error(`loadPlaybook failed: ${diagnostics.map((d) => d.summary).join('; ')}`);
    t = performance.now();
    const git = await gitState(loaded.file);
    r.git = performance.now() - t;
    const breakingLevels = shippedBreakingLevels();
    const sha256 = sha256Hex(loaded.text);
    t = performance.now();
    const compiled = compilePlan({
      playbook: loaded.playbook,
      sourceMap: loaded.sourceMap,
      inventory: loaded.inventory,
      artifacts: loaded.artifacts,
      breakingLevels,
      source: { file, sha256, gitCommit: git.commit, gitDirty: git.dirty },
      vars: {},
      limit: null,
      hashText: sha256Hex,
    });
    r.compile = performance.now() - t;
    if (!compiled.plan)
      throw new Error(`compilePlan produced no plan: ${compiled.diagnostics.map((d) => d.summary).join('; ')}`);
    const { jsonBytes } = await jsonWriter();
    t = performance.now();
    const s1 = jsonBytes(compiled.plan, 0);
    r.stringify = performance.now() - t;
    t = performance.now();
    const s2 = jsonBytes(compiled.plan, 2);
    r.stringifyPretty = performance.now() - t;
    if (!s1 || !s2) throw new Error('empty JSON');
    return r;
  };

  const first = await pass();
  gc();
  const warm = [];
  for (let i = 0; i < 3; i++) {
    warm.push(await pass());
    gc();
  }
  const warmMedian = Object.fromEntries(Object.keys(first).map((k) => [k, median(warm.map((w) => w[k]))]));
  return { first, warmMedian };
}

/** The parts of loading, in their own fresh process so their first call is as cold as loadPlaybook's:
 *  read, YAML parse (with source map), schema validation (the first call includes compiling the schema),
 *  inline-node normalisation and artifact inspection. */
async function childLoadParts(file) {
  const { parseYaml } = await dist('playbook/load.js');
  const { validateAgainstSchema } = await dist('playbook/validate.js');
  const { nodesFromYaml } = await dist('playbook/inventory/normalize.js');
  const { inspectArtifacts } = await dist('artifacts/inspect.js');
  const pass = async () => {
    const r = {};
    let t = performance.now();
    const text = readFileSync(file, 'utf8');
    r.read = performance.now() - t;
    t = performance.now();
    const parsed = parseYaml(text, file);
    r.parse = performance.now() - t;
    if (!parsed.usable) throw new Error('parseYaml: not usable');
    t = performance.now();
    const diags = validateAgainstSchema(parsed.data, parsed.sourceMap);
    r.schema = performance.now() - t;
    if (diags.some((d) => d.severity === 'error'))
      throw new Error(`schema errors: ${diags.map((d) => d.summary).join('; ')}`);
    t = performance.now();
    const entries = nodesFromYaml(parsed.data.inventory.nodes, parsed.sourceMap, ['inventory', 'nodes']);
    r.nodes = performance.now() - t;
    if (entries.length !== parsed.data.inventory.nodes.length) throw new Error('nodesFromYaml lost nodes');
    const artifact = parsed.data.change.artifact;
    t = performance.now();
    await inspectArtifacts([{ path: artifact, absPath: resolve(dirname(file), artifact), kind: 'bundle' }]);
    r.artifacts = performance.now() - t;
    return r;
  };
  const first = await pass();
  gc();
  const warm = [];
  for (let i = 0; i < 3; i++) {
    warm.push(await pass());
    gc();
  }
  return { first, warmMedian: Object.fromEntries(Object.keys(first).map((k) => [k, median(warm.map((w) => w[k]))])) };
}

// ---------------------------------------------------------------------------------------------
// CPU profile summary

/** Top self-time functions of a .cpuprofile, mapped through dist's source maps to src/*.ts where possible. */
function summarizeProfile(path, top = 15) {
  const prof = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // time of sample i = timeDeltas[i + 1] (time until the next sample); last sample gets the median delta
  const deltas = prof.timeDeltas ?? [];
  const fallback = median(deltas.filter((d) => d > 0)) || 0;
  const sampleTime = (i) => (i + 1 < deltas.length ? Math.max(0, deltas[i + 1]) : fallback);
  const keyOf = (cf) => `${cf.functionName || '(anonymous)'}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`;
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const t = sampleTime(i) / 1000;
    all += t;
    const leaf = byId.get(prof.samples[i]);
    const k = keyOf(leaf.callFrame);
    self.set(k, (self.get(k) ?? 0) + t);
    const seen = new Set();
    for (let id = leaf.id; id !== undefined; id = parent.get(id)) {
      const kk = keyOf(byId.get(id).callFrame);
      if (seen.has(kk)) continue;
      seen.add(kk);
      total.set(kk, (total.get(kk) ?? 0) + t);
    }
  }
  const maps = new Map();
  const where = (url, line, col) => {
    if (!url) return '';
    if (!url.startsWith('file://')) return `${url}:${line + 1}`;
    const file = fileURLToPath(url);
    const rel = relative(ROOT, file);
    if (file.startsWith(DIST)) {
      if (!maps.has(file)) {
        try {
          maps.set(file, new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8'))));
        } catch {
          maps.set(file, null);
        }
      }
      const sm = maps.get(file);
      const e = sm?.findEntry(line, col);
      if (e && e.originalSource) {
        const src = e.originalSource.startsWith('file://')
          ? fileURLToPath(e.originalSource)
          : resolve(dirname(file), e.originalSource);
        return `${relative(ROOT, src)}:${e.originalLine + 1}  (${rel}:${line + 1})`;
      }
    }
    return `${rel}:${line + 1}`;
  };
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => {
      const [fn, url, line, col] = k.split('|');
      return [
        fn,
        `${t.toFixed(0)} ms`,
        `${((100 * t) / all).toFixed(1)}%`,
        `${(total.get(k) ?? 0).toFixed(0)} ms`,
        where(url, Number(line), Number(col)),
      ];
    });
  // the heaviest project functions by inclusive time, to see which phase the self time belongs to
  const incl = [...total.entries()]
    .filter(([k]) => k.split('|')[1].startsWith(pathToFileURL(DIST).href))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, t]) => {
      const [fn, url, line, col] = k.split('|');
      return [
        fn,
        `${t.toFixed(0)} ms`,
        `${((100 * t) / all).toFixed(1)}%`,
        `${(self.get(k) ?? 0).toFixed(0)} ms`,
        where(url, Number(line), Number(col)),
      ];
    });
  return { all, rows, incl };
}

// ---------------------------------------------------------------------------------------------
// main

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.child) {
    const children = { inproc: childInproc, phases: childPhases, loadparts: childLoadParts };
    const result = children[opts.child] ? await children[opts.child](opts.childFile) : null;
    if (!result) throw new Error(`unknown child mode ${opts.child}`);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }

  try {
    readFileSync(CLI);
  } catch {
    console.error(`${relative(process.cwd(), CLI)} not found: build first (npm run build), or use npm run bench`);
    process.exit(2);
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const sizes = [...new Set(opts.sizes)].sort((a, b) => a - b);
  const largest = sizes[sizes.length - 1];
  const ws = makeWorkspace(sizes);
  const results = { sizes: new Map() };

  console.log(
    `lrroll ${pkg.version} benchmark — node ${process.version}, ${process.platform}/${process.arch}, ` +
      `${cpus().length} CPU(s) (${cpus()[0]?.model?.trim() ?? '?'})`,
  );
  console.log(`workspace: ${ws.dir}${opts.keep ? ' (kept)' : ''}`);
  console.log('');

  // 1. cold start ----------------------------------------------------------------------------
  console.log(`1. Cold start (${opts.coldRuns} spawns each after 2 warm-ups, interleaved; wall time of spawnSync)`);
  const bare = ['-e', '0'];
  const ver = [CLI, '--version'];
  const baseCli = opts.baseline ? cliPath(opts.baseline) : null;
  const vcheck = timedSpawn(ver);
  if (vcheck.status !== 0 || vcheck.stdout.trim() !== pkg.version)
    throw new Error(
      `lrroll --version printed ${JSON.stringify(vcheck.stdout)} (exit ${vcheck.status}): ${vcheck.stderr}`,
    );
  const cold = interleaved({ bare, ver, ...(baseCli ? { baseVer: [baseCli, '--version'] } : {}) }, opts.coldRuns, 2);
  table([
    ['command', 'median', 'p90', 'min'],
    ['node -e 0', ms(cold.bare.med), ms(cold.bare.p90), ms(cold.bare.min)],
    ['node dist/bin/lrroll.js --version', ms(cold.ver.med), ms(cold.ver.p90), ms(cold.ver.min)],
    ...(cold.baseVer ? [['baseline --version', ms(cold.baseVer.med), ms(cold.baseVer.p90), ms(cold.baseVer.min)]] : []),
  ]);
  console.log(
    `  lrroll overhead over bare node: ${ms(cold.ver.med - cold.bare.med)} (median), ratio ` +
      `${(cold.ver.med / cold.bare.med).toFixed(2)}×`,
  );
  console.log('');

  // 2. validate ------------------------------------------------------------------------------
  console.log(
    `2. validate playbooks/fixpack.yml (${opts.validateRuns} spawns each after 1 warm-up, interleaved with bare node)`,
  );
  const vargs = [CLI, 'validate', 'playbooks/fixpack.yml'];
  const vfirst = timedSpawn(vargs);
  if (vfirst.status !== 0) throw new Error(`validate exited ${vfirst.status}: ${vfirst.stderr}${vfirst.stdout}`);
  const vt = interleaved(
    { bare, validate: vargs, ...(baseCli ? { baseValidate: [baseCli, 'validate', 'playbooks/fixpack.yml'] } : {}) },
    opts.validateRuns,
    1,
  );
  const validate = vt.validate;
  table([
    ['command', 'median', 'p90', 'min', 'over bare node'],
    ['node -e 0', ms(vt.bare.med), ms(vt.bare.p90), ms(vt.bare.min), ''],
    [
      'lrroll validate playbooks/fixpack.yml',
      ms(validate.med),
      ms(validate.p90),
      ms(validate.min),
      ms(validate.med - vt.bare.med),
    ],
    ...(vt.baseValidate
      ? [
          [
            'baseline validate',
            ms(vt.baseValidate.med),
            ms(vt.baseValidate.p90),
            ms(vt.baseValidate.min),
            ms(vt.baseValidate.med - vt.bare.med),
          ],
        ]
      : []),
  ]);
  if (vt.baseValidate)
    console.log(`  this build / baseline: ${(validate.med / vt.baseValidate.med).toFixed(2)}× (medians)`);
  console.log(`  (${vfirst.stdout.trim()})`);
  console.log('');

  // 3. plan at several sizes ----------------------------------------------------------------
  console.log(
    `3. Plan compile: generated module-update playbooks (haproxy, serial "10%", minHealthy "50%", ` +
      `cluster + warm-up health, beforeNode hook)`,
  );
  const devNull = openSync('/dev/null', 'w');
  /** One size against one build: the in-process child, then `plan --format json` end to end. */
  const measure = (n, label, cli, distDir) => {
    const file = ws.files.get(n);
    process.stderr.write(`   … ${num(n)} nodes${label}: in-process\n`);
    const env = distDir ? { ...process.env, LRROLL_BENCH_DIST: distDir } : process.env;
    const child = timedSpawn(['--expose-gc', fileURLToPath(import.meta.url), '--child', 'inproc', file], { env });
    if (child.status !== 0) {
      if (!distDir) throw new Error(`in-process child for ${n} nodes failed (exit ${child.status}):\n${child.stderr}`);
      return {
        failed: `in-process child exited ${child.status}: ${child.stderr.trim().split('\n').slice(-3).join(' ')}`,
      };
    }
    const inproc = JSON.parse(child.stdout.trim().split('\n').pop());
    process.stderr.write(`   … ${num(n)} nodes${label}: end to end\n`);
    const e2eRuns = n >= 10000 ? 3 : 5;
    const pargs = [cli, 'plan', file, '--format', 'json'];
    const pfirst = timedSpawn(pargs, { stdout: devNull });
    if (pfirst.status !== 0) {
      const why = `lrroll plan (${n} nodes) exited ${pfirst.status}: ${pfirst.stderr.trim().split('\n')[0]}`;
      if (!distDir) throw new Error(why);
      return { inproc, e2e: null, e2eFailed: why };
    }
    const etimes = [];
    for (let i = 0; i < e2eRuns; i++) etimes.push(timedSpawn(pargs, { stdout: devNull }).ms);
    return { inproc, e2e: { med: median(etimes), min: Math.min(...etimes), runs: e2eRuns, first: pfirst.ms } };
  };
  const baseSizes = new Map();
  for (const n of sizes) {
    results.sizes.set(n, measure(n, '', CLI, null));
    // The baseline's plan, right after this build's (same load): --baseline-plan-max caps the sizes it is given.
    if (baseCli && n <= opts.baselinePlanMax)
      baseSizes.set(n, measure(n, ' (baseline)', baseCli, join(opts.baseline, 'dist')));
  }
  closeSync(devNull);
  const sizeRows = [
    [
      'nodes',
      'batches',
      'steps',
      'first call',
      'warm (med 3)',
      'heap Δ',
      'rss Δ',
      'peak rss',
      'JSON (-format json)',
      'CLI plan e2e (med)',
      'e2e per node',
    ],
  ];
  const rows = [...results.sizes].flatMap(([n, r]) => [
    [n, '', r],
    ...(baseSizes.has(n) ? [[n, ' baseline', baseSizes.get(n)]] : []),
  ]);
  for (const [n, label, r] of rows) {
    if (r.failed) {
      sizeRows.push([`${num(n)}${label}`, r.failed]);
      continue;
    }
    sizeRows.push([
      `${num(n)}${label}`,
      String(r.inproc.batches ?? '?'),
      num(r.inproc.steps),
      ms(r.inproc.firstMs),
      ms(r.inproc.warmMedianMs),
      smb(r.inproc.heapDelta),
      smb(r.inproc.rssDelta),
      mb(r.inproc.peakRss),
      `${mb(r.inproc.jsonPretty)} (${mb(r.inproc.jsonCompact)} compact)`,
      r.e2e ? `${ms(r.e2e.med)} (${r.e2e.runs} runs)` : r.e2eFailed,
      r.e2e ? `${((r.e2e.med - cold.bare.med) / n).toFixed(3)} ms` : '',
    ]);
  }
  table(sizeRows);
  console.log(
    '  first call / warm: planPlaybook() in a fresh process (load + validate + git + compile, no rendering);',
  );
  console.log(
    '  heap Δ / rss Δ: after the first call and a full GC with the plan still referenced, vs before ' +
      'it; peak rss: whole child;',
  );
  console.log(
    '  e2e: `node dist/bin/lrroll.js plan <file> --format json > /dev/null`, process spawn to exit; per ' +
      'node excludes bare node start.',
  );
  console.log('');

  // 3b. phases -------------------------------------------------------------------------------
  console.log(
    `3b. Where the time goes at ${num(largest)} nodes (fresh process; first pass, then median of 3 warm passes)`,
  );
  process.stderr.write(`   … ${num(largest)} nodes: phases\n`);
  const runChild = (mode) => {
    const c = timedSpawn(['--expose-gc', fileURLToPath(import.meta.url), '--child', mode, ws.files.get(largest)]);
    if (c.status !== 0) throw new Error(`${mode} child failed (exit ${c.status}):\n${c.stderr}`);
    return JSON.parse(c.stdout.trim().split('\n').pop());
  };
  const phases = runChild('phases');
  const parts = runChild('loadparts');
  const f = { ...phases.first, ...parts.first };
  const w = { ...phases.warmMedian, ...parts.warmMedian };
  const cliPathMs = (x) => x.load + x.git + x.compile + x.stringifyPretty;
  const share = (x) => `${((100 * x) / cliPathMs(f)).toFixed(0)}%`;
  const phaseRows = [
    ['phase', 'first', 'warm', 'share (first)', 'what'],
    ['  read file', ms(f.read), ms(w.read), share(f.read), 'readFileSync'],
    ['  YAML parse (+ source map)', ms(f.parse), ms(w.parse), share(f.parse), 'parseYaml, dist/playbook/load.js'],
    [
      '  schema validation',
      ms(f.schema),
      ms(w.schema),
      share(f.schema),
      'validateAgainstSchema (ajv; first call compiles the schema)',
    ],
    [
      '  inline node normalisation',
      ms(f.nodes),
      ms(w.nodes),
      share(f.nodes),
      'nodesFromYaml, dist/playbook/inventory/normalize.js',
    ],
    [
      '  artifact inspection',
      ms(f.artifacts),
      ms(w.artifacts),
      share(f.artifacts),
      'inspectArtifacts (the jar: sha256, manifest)',
    ],
    ['loadPlaybook (total)', ms(f.load), ms(w.load), share(f.load), 'parse + validate + inventory + artifacts'],
    ['gitState', ms(f.git), ms(w.git), share(f.git), 'spawns git rev-parse (+ git status inside a repo)'],
    ['compilePlan', ms(f.compile), ms(w.compile), share(f.compile), 'dist/plan/compile.js'],
    [
      'plan JSON, 2-space indent',
      ms(f.stringifyPretty),
      ms(w.stringifyPretty),
      share(f.stringifyPretty),
      'what `--format json` writes',
    ],
    ['  plan JSON, no indent', ms(f.stringify), ms(w.stringify), '', 'what the run record writes'],
    ['sum of the CLI path', ms(cliPathMs(f)), ms(cliPathMs(w)), '100%', 'load + git + compile + pretty JSON'],
  ];
  table(phaseRows);
  console.log(
    '  (the indented parts of loadPlaybook are timed one by one in a second fresh process, so they need not add',
  );
  console.log(
    '   up exactly to its total; "first" includes JIT warm-up and one-off work such as compiling the JSON schema.)',
  );
  console.log('');

  // 4. targets -------------------------------------------------------------------------------
  console.log('4. Targets');
  const big = results.sizes.get(10000) ?? null;
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  const targetRows = [['target', 'measured', 'result']];
  targetRows.push([
    `cold start (lrroll --version, median) < ${TARGET_COLD_MS} ms`,
    ms(cold.ver.med),
    verdict(cold.ver.med < TARGET_COLD_MS),
  ]);
  targetRows.push([
    `validate playbooks/fixpack.yml (median) < ${TARGET_VALIDATE_MS} ms`,
    ms(validate.med),
    verdict(validate.med < TARGET_VALIDATE_MS),
  ]);
  if (big) {
    // The issue's goal 4: the compile < 1 s and < 100 MB of heap, `plan --format json` < 2 s end to end.
    if (largest === 10000)
      targetRows.push([
        `compilePlan of 10,000 nodes (first pass) < ${TARGET_COMPILE_10K_MS} ms`,
        ms(f.compile),
        verdict(f.compile < TARGET_COMPILE_10K_MS),
      ]);
    targetRows.push([
      `heap a 10,000-node plan keeps < ${TARGET_HEAP_10K_MB} MB`,
      smb(big.inproc.heapDelta),
      verdict(big.inproc.heapDelta < TARGET_HEAP_10K_MB * 1e6),
    ]);
    targetRows.push([
      `lrroll plan --format json of 10,000 nodes (e2e median) < ${TARGET_PLAN_10K_MS} ms`,
      ms(big.e2e.med),
      verdict(big.e2e.med < TARGET_PLAN_10K_MS),
    ]);
  } else targetRows.push(['10,000 nodes planned', 'not measured (10000 not in --sizes)', '-']);
  table(targetRows);
  console.log(
    `  (noise check: bare node start median ${ms(cold.bare.med)}` +
      `; if that is far above ~40 ms the machine is loaded, compare ratios)`,
  );

  // optional profiles -----------------------------------------------------------------------
  if (opts.profile) {
    const profDir = join(ws.dir, 'profiles');
    mkdirSync(profDir);
    const profiles = [
      ['cold-start', '`lrroll --version`', [CLI, '--version'], 10],
      ['validate', '`lrroll validate playbooks/fixpack.yml`', [CLI, 'validate', 'playbooks/fixpack.yml'], 12],
      [
        `plan-${largest}`,
        `\`lrroll plan <${num(largest)} nodes> --format json > /dev/null\``,
        [CLI, 'plan', ws.files.get(largest), '--format', 'json'],
        15,
      ],
    ];
    console.log('');
    console.log(
      `5. CPU profiles (node --cpu-prof; .cpuprofile files in ${profDir}` +
        `, open them in Chrome DevTools for a flame chart)`,
    );
    for (const [name, label, args, top] of profiles) {
      const dir = join(profDir, name);
      mkdirSync(dir);
      const out = openSync('/dev/null', 'w');
      const r = timedSpawn(['--cpu-prof', '--cpu-prof-dir', dir, ...args], { stdout: out });
      closeSync(out);
      if (r.status !== 0) throw new Error(`profiled ${label} exited ${r.status}: ${r.stderr}`);
      const file = readdirSync(dir)
        .filter((x) => x.endsWith('.cpuprofile'))
        .map((x) => join(dir, x))[0];
      const s = summarizeProfile(file, top);
      console.log('');
      console.log(`  ${label}: ${ms(s.all)} sampled (wall ${ms(r.ms)}). Top self time:`);
      table([['function', 'self', 'self %', 'total', 'where (src via source map, dist)'], ...s.rows], '    ');
      if (s.incl.length) {
        console.log(`  heaviest lrroll functions by total (inclusive) time:`);
        table([['function', 'total', 'total %', 'self', 'where'], ...s.incl.slice(0, top)], '    ');
      }
    }
    opts.keep = true;
  }

  if (!opts.keep) rmSync(ws.dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack ?? err}`);
  process.exit(1);
});
