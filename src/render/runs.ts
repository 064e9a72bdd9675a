import type { ChalkInstance } from 'chalk';
import type { RunEndEvent, RunStatus } from '../execute/events.js';
import type { Report } from './report/types.js';
import { formatMs, formatRunSummary, paintStatus } from './summary.js';

/** One line of `lrroll runs`. */
export interface RunListRow {
  runId: string;
  playbook: string;
  startedAt: string;
  /** Null while the run has no end in its record. */
  durationMs: number | null;
  outcome: RunStatus | 'running';
  nodes: number;
}

const HEADERS = ['RUN', 'PLAYBOOK', 'STARTED', 'DURATION', 'OUTCOME', 'NODES'];

/** `lrroll runs`: a table, newest first (the caller sorts). */
export function formatRunsTable(rows: readonly RunListRow[], c: ChalkInstance): string {
  if (rows.length === 0) return 'No runs recorded yet.\n';
  const cells = rows.map((r) => [
    r.runId,
    r.playbook,
    r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    r.durationMs === null ? '-' : formatMs(r.durationMs),
    r.outcome,
    String(r.nodes),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (values: readonly string[], paint: (t: string, i: number) => string): string =>
    values
      .map((v, i) => paint(i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd();
  const body = rows.map((r, k) =>
    line(cells[k] ?? [], (t, i) =>
      i === 4 ? (r.outcome === 'running' ? c.yellow(t) : paintStatus(r.outcome, t, c)) : i === 0 ? c.cyan(t) : t,
    ),
  );
  return `${[line(HEADERS, (t) => c.bold(t)), ...body].join('\n')}\n`;
}

function header(r: Report, c: ChalkInstance): string[] {
  const s = r.summary;
  const git = s.gitCommit
    ? ` @ ${s.gitCommit.slice(0, 10)}${s.gitDirty ? c.yellow(' (uncommitted changes)') : ''}`
    : c.dim(' (not in git)');
  return [
    `${c.bold('Run')} ${c.cyan(s.runId)}: ${s.name}`,
    `${c.bold('Playbook:')} ${s.playbook}${git}`,
    `${c.bold('Plan:')} ${s.planHash.slice(0, 12)} · verdict ${s.verdict} · strategy ${s.strategy}`,
    `${c.bold('By:')} ${s.user}@${s.host} · started ${s.startedAt}` +
      `${s.endedAt ? ` · ended ${s.endedAt}` : ''}` +
      `${r.attempts.length > 1 ? ` · resumed ${r.attempts.length - 1} time(s)` : ''}`,
    '',
  ];
}

/** A run-end rebuilt from the report, so a recorded run prints the same table as the run did. */
function endOf(r: Report): RunEndEvent | null {
  const s = r.summary;
  if (s.outcome === 'running' || s.endedAt === null) return null;
  const nodes = r.nodes.map(
    (n) =>
      ({
        node: n.node,
        status: n.outcome === 'unfinished' ? 'failed' : n.outcome,
        inRotation: n.inRotation,
        updated: n.updated,
        outOfRotationMs: n.outOfRotationMs,
        durationMs: n.durationMs,
        failedStep: n.failedStep,
        state: n.state,
      }) as const,
  );
  return { v: 3, at: s.endedAt, kind: 'run-end', status: s.outcome, durationMs: s.durationMs, nodes, reason: s.reason };
}

function failures(r: Report, c: ChalkInstance): string[] {
  if (r.failures.length === 0) return [];
  const lines = ['', c.bold('Failures:')];
  for (const f of r.failures) {
    lines.push(c.red(`  ${f.node ? `${f.node}: ` : ''}${f.title}: ${f.detail ?? 'failed'}`));
    lines.push(...f.output.slice(-5).map((l) => c.dim(`    | ${l}`)));
    if (f.forensics.length > 0)
      lines.push(
        c.dim(
          `    forensics: ${f.forensics.length} lines in the report (lrroll report ${r.summary.runId} --format html)`,
        ),
      );
  }
  return lines;
}

/** `lrroll show`: the recorded run as the summary view the run ended with. */
export function formatShow(r: Report, c: ChalkInstance): string {
  const end = endOf(r);
  const lines = header(r, c);
  if (end) lines.push(formatRunSummary(end, c).trimEnd());
  else {
    lines.push(
      c.yellow(
        'The record has no end yet: the run is still going, or lrroll stopped before it finished ' +
          '(`lrroll resume` continues it).',
      ),
    );
    for (const n of r.nodes)
      lines.push(
        `  ${c.cyan(n.node.padEnd(Math.max(...r.nodes.map((m) => m.node.length))))}  ${n.outcome}` +
          `${n.outOfRotationMs === null ? '' : ` · out of rotation ${formatMs(n.outOfRotationMs)}`} · ` +
          `${n.state}`,
      );
  }
  lines.push(...failures(r, c));
  return `${lines.join('\n')}\n`;
}
