import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findRun, loadRecord, reportOf, runRows, type RunRecord } from '../app/report.js';
import type { RunMeta } from '../app/journal.js';
import { makeChalk } from '../errors/format.js';
import { formatOfPath, renderReport, REPORT_FORMATS, type ReportFormat } from '../render/report/render.js';
import { formatRunsTable, formatShow } from '../render/runs.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

/**
 * `--report FILE` of run/resume: the format from the extension, checked before anything runs; null after saying what is
 * wrong.
 */
export function reportTarget(
  file: string | undefined,
  io: Io,
): { file: string; format: ReportFormat } | null | 'invalid' {
  if (file === undefined) return null;
  const format = formatOfPath(file);
  if (!format) {
    io.stderr.write(
      `error[E_USAGE]: --report ${file}: the format comes from the extension: .html, .json, .md or .xml (JUnit)\n`,
    );
    return 'invalid';
  }
  const path = resolve(io.cwd, file);
  if (!isDir(dirname(path))) {
    io.stderr.write(`error[E_USAGE]: --report ${file}: the folder ${dirname(path)} does not exist\n`);
    return 'invalid';
  }
  return { file: path, format };
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** The record of the run a command names, or null after saying why there is none. */
function recordNamed(which: string | undefined, io: Io): { record: RunRecord; meta: RunMeta } | null {
  const found = findRun(io.env, which);
  if (typeof found === 'string') {
    io.stderr.write(`error[E_USAGE]: ${found}\n`);
    return null;
  }
  try {
    return { record: loadRecord(found.dir, found.meta), meta: found.meta };
  } catch (err) {
    io.stderr.write(
      `error[E_RECORD]: the record of run ${found.meta.runId} cannot be read (${found.dir}): ` +
        `${(err as Error).message}\n`,
    );
    return null;
  }
}

/** `lrroll report RUN`: a recorded run's report in a format, to stdout or a file. */
export function reportCommand(
  which: string | undefined,
  opts: { format?: ReportFormat; output?: string },
  io: Io,
): number {
  const found = recordNamed(which, io);
  if (!found) return EXIT_CODES.invalid;
  const format = opts.format ?? (opts.output ? formatOfPath(opts.output) : null) ?? 'html';
  if (!REPORT_FORMATS.includes(format)) return EXIT_CODES.invalid;
  const text = renderReport(reportOf(found.record), format);
  if (!opts.output || opts.output === '-') {
    io.stdout.write(text);
    return EXIT_CODES.ok;
  }
  const path = resolve(io.cwd, opts.output);
  if (!isDir(dirname(path))) {
    io.stderr.write(`error[E_USAGE]: -o ${opts.output}: the folder ${dirname(path)} does not exist\n`);
    return EXIT_CODES.invalid;
  }
  writeFileSync(path, text);
  io.stderr.write(`report (${format}) of run ${found.meta.runId}: ${path}\n`);
  return EXIT_CODES.ok;
}

/** `lrroll runs`: recorded runs, newest first. */
export function runsCommand(opts: { format: 'text' | 'json' | 'ids' }, io: Io): number {
  const rows = runRows(io.env);
  if (opts.format === 'json') io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (opts.format === 'ids') io.stdout.write(rows.map((r) => `${r.runId}\n`).join(''));
  else io.stdout.write(formatRunsTable(rows, makeChalk(io.stdout.isTTY, io.env)));
  return EXIT_CODES.ok;
}

/** `lrroll show RUN`: a recorded run as the summary view it ended with. */
export function showCommand(which: string | undefined, io: Io): number {
  const found = recordNamed(which, io);
  if (!found) return EXIT_CODES.invalid;
  io.stdout.write(formatShow(reportOf(found.record), makeChalk(io.stdout.isTTY, io.env)));
  return EXIT_CODES.ok;
}
