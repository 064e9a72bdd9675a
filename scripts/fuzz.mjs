#!/usr/bin/env node
// Fuzzes lrroll's input handling: mutated playbooks, inventories and artifacts through `validate`
// and `plan`, each in a worker process with a memory cap and a deadline. Prints the counts of
// crashes, hangs, memory overruns, unlocated errors and invalid inputs accepted; exits 1 if any.
// Usage: npm run build && node scripts/fuzz.mjs [--runs 10000] [--seed 1] [--workers 2]
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { fuzzCase, loadCorpus } from '../test/fuzz/cases.mjs';
import { classify, PER_INPUT } from '../test/fuzz/check.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!existsSync(join(ROOT, 'dist/cli/run-cli.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}
const cases = fc.sample(fuzzCase(loadCorpus(join(ROOT, 'playbooks'))), { numRuns: runs, seed });
const KILL_AFTER_MS = 15_000;
const counts = { crash: 0, hang: 0, memory: 0, unlocated: 0, 'invalid-accepted': 0 };
const examples = Object.fromEntries(Object.keys(counts).map((k) => [k, []]));
const exits = {};
let next = 0;
let done = 0;
let slowest = { ms: 0, label: '' };
const started = Date.now();

function startWorker() {
  return new Promise((resolve) => {
    const child = fork(join(ROOT, 'test/fuzz/worker.mjs'), [], {
      execArgv: [`--max-old-space-size=${PER_INPUT.maxRssMb}`],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    child.once('message', () => resolve(child));
  });
}

function record(c, r) {
  exits[r.code] = (exits[r.code] ?? 0) + 1;
  if (r.ms > slowest.ms) slowest = { ms: r.ms, label: `${c.label} ${JSON.stringify(c.describe)?.slice(0, 120)}` };
  for (const p of classify(c, r)) {
    counts[p] += 1;
    if (examples[p].length < 5)
      examples[p].push({
        label: c.label,
        argv: c.argv,
        expect: c.expect,
        code: r.code,
        ms: Math.round(r.ms),
        describe: JSON.stringify(c.describe)?.slice(0, 300),
        stderr: r.stderr?.split('\n').slice(0, 3).join(' | ').slice(0, 300),
      });
  }
  done += 1;
  if (done % 500 === 0) process.stderr.write(`${done}/${runs} cases, ${Math.round((Date.now() - started) / 1000)} s\n`);
}

async function runOne(child, index) {
  return new Promise((resolve) => {
    const raw = cases[index];
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      record(
        { label: 'killed', argv: [], expect: 'any', describe: raw },
        { code: null, died: true, timedOut: true, ms: KILL_AFTER_MS, stdout: '', stderr: 'killed after 15 s' },
      );
      resolve({ restart: true });
    }, KILL_AFTER_MS);
    const onExit = () => {
      clearTimeout(timer);
      record(
        { label: 'worker died', argv: [], expect: 'any', describe: raw },
        { code: null, died: true, ms: 0, stdout: '', stderr: 'the worker process died (out of memory?)' },
      );
      resolve({ restart: true });
    };
    child.once('exit', onExit);
    child.once('message', (m) => {
      clearTimeout(timer);
      child.off('exit', onExit);
      record(m.case, m.result);
      resolve({ restart: m.result.rssMb > PER_INPUT.maxRssMb });
    });
    child.send({ index, raw });
  });
}

async function lane() {
  let child = await startWorker();
  while (next < cases.length) {
    const index = next++;
    const { restart } = await runOne(child, index);
    if (restart) {
      child.kill('SIGKILL');
      child = await startWorker();
    }
  }
  child.disconnect();
}

await Promise.all(Array.from({ length: Number(values.workers) }, lane));
const seconds = (Date.now() - started) / 1000;
console.log(
  `\nlrroll fuzz: ${done} cases (seed ${seed}) in ${seconds.toFixed(0)} s; exit codes ` +
    `${JSON.stringify(exits)}; slowest case ${Math.round(slowest.ms)} ms (${slowest.label})`,
);
for (const [k, list] of Object.entries(examples)) for (const e of list) console.log(`  ${k}: ${JSON.stringify(e)}`);
console.log(
  `crashes: ${counts.crash}, hangs: ${counts.hang}, over ${PER_INPUT.maxRssMb} MB: ${counts.memory}` +
    `, exit 2 without a location: ${counts.unlocated}, invalid inputs accepted: ` +
    `${counts['invalid-accepted']}`,
);
process.exit(Object.values(counts).some((n) => n > 0) ? 1 : 0);
