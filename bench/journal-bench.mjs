#!/usr/bin/env node
// lrroll benchmark: the cost of the run record while a startup log streams through a gate.
// A gate that waits for the startup line records step-start, one step-output event per log line,
// then step-end. This script does exactly that through the built Journal (dist/app/journal.js),
// twice per round, alternating:
//   after  — the record as shipped: state changes synced, output lines written and synced with the
//            next state change (or after a short delay);
//   before — every event synced as it is written (what the record did before), reproduced by
//            giving the same Journal a file whose every write is followed by an fdatasync.
// Prints wall time, per-line cost and fdatasync calls for each, and the ratio. Not a test.
//
//   npm run build && node bench/journal-bench.mjs [--lines N] [--rounds N] [--dir DIR]
//
// Options:
//   --lines N    log lines per gate (default 50000)
//   --rounds N   alternating rounds of after/before (default 1)
//   --dir DIR    where the run records go (default: a temp dir under the OS temp dir; use a folder
//                on the disk that holds ~/.lrroll to measure that disk). Removed at the end.

import { fdatasyncSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { Journal, readEvents } = await import(pathToFileURL(join(ROOT, 'dist', 'app', 'journal.js')).href);
const { EVENTS_FORMAT_VERSION } = await import(pathToFileURL(join(ROOT, 'dist', 'execute', 'events.js')).href);

function parseArgs(argv) {
  const opts = { lines: 50_000, rounds: 1, dir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${a} needs a value`);
    if (a === '--lines') opts.lines = Math.max(1, Number(value));
    else if (a === '--rounds') opts.rounds = Math.max(1, Number(value));
    else if (a === '--dir') opts.dir = resolve(value);
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** Counts the syncs; `syncEveryWrite` turns the shipped record into the one that synced every event. */
function countingFile(syncEveryWrite) {
  const counts = { writes: 0, syncs: 0 };
  const sync = (fd) => {
    counts.syncs++;
    fdatasyncSync(fd);
  };
  return {
    counts,
    file: {
      writeSync: (fd, text) => {
        counts.writes++;
        const n = writeSync(fd, text);
        if (syncEveryWrite) sync(fd);
        return n;
      },
      fdatasyncSync: syncEveryWrite ? () => {} : sync,
    },
  };
}

/** One gate streaming `lines` lines of a Tomcat startup log, stamped as the run's emit stamps events. */
function streamGate(journal, lines) {
  const stamp = (e) => ({ ...e, v: EVENTS_FORMAT_VERSION, at: new Date().toISOString() });
  const stepId = 'node1.wait-startup';
  journal.record(
    stamp({
      kind: 'step-start',
      stepId,
      action: 'wait-log',
      title: 'Wait for the startup line',
      node: 'node1',
      batch: 1,
      command: null,
    }),
  );
  for (let i = 0; i < lines; i++) {
    const line =
      `02-Dec-2026 07:${String(i % 60).padStart(2, '0')}:00.${String(i % 1000).padStart(3, '0')}` +
      ` INFO  [main][BundleStartStopLogger:${i}] STARTED com.acme.module.n${i}_1.0.${i % 97} [` +
      `${1000 + i}]`;
    journal.record(stamp({ kind: 'step-output', stepId, node: 'node1', stream: 'stdout', line }));
  }
  journal.record(
    stamp({ kind: 'step-end', stepId, node: 'node1', status: 'ok', durationMs: 1, exitCode: null, detail: null }),
  );
}

function measure(root, name, lines, syncEveryWrite) {
  const dir = join(root, `${name}-${Date.now()}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'meta.json'), JSON.stringify({ runId: name, status: 'running', nodes: ['node1'] }));
  const { file, counts } = countingFile(syncEveryWrite);
  const t0 = performance.now();
  const journal = Journal.open(dir, undefined, { file });
  streamGate(journal, lines);
  journal.close();
  const ms = performance.now() - t0;
  const recorded = readEvents(dir).length;
  if (recorded !== lines + 2) throw new Error(`${name}: ${recorded} events recorded, expected ${lines + 2}`);
  const bytes = statSync(join(dir, 'events.ndjson')).size;
  rmSync(dir, { recursive: true, force: true });
  return { ms, ...counts, bytes };
}

const opts = parseArgs(process.argv.slice(2));
const root = opts.dir
  ? (mkdirSync(opts.dir, { recursive: true }), mkdtempSync(join(opts.dir, 'lrroll-journal-bench-')))
  : mkdtempSync(join(tmpdir(), 'lrroll-journal-bench-'));
const results = { after: [], before: [] };
try {
  for (let r = 0; r < opts.rounds; r++) {
    process.stderr.write(`round ${r + 1}/${opts.rounds}: after … `);
    results.after.push(measure(root, 'after', opts.lines, false));
    process.stderr.write('before … ');
    results.before.push(measure(root, 'before', opts.lines, true));
    process.stderr.write('done\n');
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(
  `journal: a gate streaming ${opts.lines.toLocaleString('en-US')} log lines (${opts.rounds}` +
    ` round(s), median; records in ${dirname(root)})`,
);
for (const name of ['after', 'before']) {
  const rs = results[name];
  const ms = median(rs.map((x) => x.ms));
  console.log(
    `  ${name.padEnd(6)}  ${(ms / 1000).toFixed(2).padStart(8)} s  ` +
      `${((ms * 1000) / opts.lines).toFixed(1).padStart(8)} µs/line  fdatasync ×${rs[0].syncs}  ` +
      `${(rs[0].bytes / 1048576).toFixed(1)} MB`,
  );
}
const ratio = median(results.before.map((x) => x.ms)) / median(results.after.map((x) => x.ms));
console.log(`  before / after: ${ratio.toFixed(1)}×`);
