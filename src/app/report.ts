import { appendFileSync, statSync, writeFileSync } from 'node:fs';
import type { RunEvent } from '../execute/events.js';
import type { Plan } from '../plan/types.js';
import { buildReport, buildSummaryOnly } from '../render/report/model.js';
import { STEP_SUMMARY_LIMIT_BYTES, renderReportMarkdown } from '../render/report/markdown.js';
import { renderReport, type ReportFormat } from '../render/report/render.js';
import type { Report } from '../render/report/types.js';
import type { RunListRow } from '../render/runs.js';
import { listRuns, readEvents, readMeta, readPlan, type RunMeta } from './journal.js';
import { lrrollVersion } from './version.js';

/** A run's whole record, read back from its folder. */
export interface RunRecord {
  dir: string;
  meta: RunMeta;
  plan: Plan;
  events: RunEvent[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a run's record (meta, plan, every event). */
export function loadRecord(dir: string, meta: RunMeta): RunRecord {
  return { dir, meta, plan: readPlan(dir), events: readEvents(dir) };
}

/** Reads the record in a run folder. */
function recordAt(dir: string): RunRecord {
  return loadRecord(dir, readMeta(dir));
}

/** The JSON report summary of the record so far: the body of `body: report` webhooks. */
export function summaryJsonAt(dir: string): string {
  return JSON.stringify(buildSummaryOnly(recordAt(dir)));
}

/**
 * At the end of a run (also a failed, refused or interrupted one): writes the report file when
 * one was asked for, and the Markdown summary to `$GITHUB_STEP_SUMMARY` when set. Returns what to tell the operator.
 */
export function publishRun(dir: string, env: Env, report: { file: string; format: ReportFormat } | null): string[] {
  const notes: string[] = [];
  let record: RunRecord;
  try {
    record = recordAt(dir);
  } catch (err) {
    return [`error[E_REPORT]: cannot read the run record ${dir}: ${(err as Error).message}`];
  }
  if (report) {
    try {
      writeReport(record, report.file, report.format);
      notes.push(`report: ${report.file}`);
    } catch (err) {
      notes.push(`error[E_REPORT]: cannot write the report to ${report.file}: ${(err as Error).message}`);
    }
  }
  try {
    const note = appendStepSummary(env, record);
    if (note) notes.push(note);
  } catch (err) {
    notes.push(`warning: cannot append to $GITHUB_STEP_SUMMARY: ${(err as Error).message}`);
  }
  return notes;
}

/** Finds a recorded run by id or id prefix; `last` (or nothing) is the newest. A string says why none was found. */
export function findRun(env: Env, which: string | undefined): { dir: string; meta: RunMeta } | string {
  const runs = listRuns(env);
  if (runs.length === 0) return 'no run is recorded yet (runs are kept in $LRROLL_HOME/runs, default ~/.lrroll/runs)';
  if (which === undefined || which === 'last' || which === 'latest') return runs[0] as { dir: string; meta: RunMeta };
  const exact = runs.find((r) => r.meta.runId === which);
  if (exact) return exact;
  const matches = runs.filter((r) => r.meta.runId.startsWith(which));
  if (matches.length === 1) return matches[0] as { dir: string; meta: RunMeta };
  if (matches.length > 1)
    return `run id ${which} is ambiguous: ${matches
      .slice(0, 5)
      .map((r) => r.meta.runId)
      .join(', ')}${matches.length > 5 ? ', …' : ''}`;
  return `no recorded run ${which} (see \`lrroll runs\`)`;
}

/** The report of a recorded run. */
export function reportOf(record: RunRecord): Report {
  return buildReport(record, `lrroll ${lrrollVersion()}`);
}

/** Writes a run's report to a file in a format. */
function writeReport(record: RunRecord, file: string, format: ReportFormat): void {
  writeFileSync(file, renderReport(reportOf(record), format));
}

/**
 * Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` when it is set, cut to what is left of the
 * step's 1 MiB (GitHub drops a step summary that exceeds it). Returns a note when nothing fitted.
 */
function appendStepSummary(env: Env, record: RunRecord): string | null {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return null;
  let used = 0;
  try {
    used = statSync(file).size;
  } catch {
    used = 0;
  }
  const text = renderReportMarkdown(reportOf(record), STEP_SUMMARY_LIMIT_BYTES - used);
  if (!text)
    return `$GITHUB_STEP_SUMMARY has no room left under GitHub's 1 MiB per step: the run summary was not added`;
  appendFileSync(file, text);
  return null;
}

/** `lrroll runs`: every recorded run, newest first. */
export function runRows(env: Env): RunListRow[] {
  return listRuns(env).map(({ meta }) => ({
    runId: meta.runId,
    playbook: meta.playbook,
    startedAt: meta.startedAt,
    durationMs: meta.endedAt ? Date.parse(meta.endedAt) - Date.parse(meta.startedAt) : null,
    outcome: meta.status,
    nodes: meta.nodes.length,
  }));
}
