import { formatMs } from '../summary.js';
import { stripControl } from './escape.js';
import type { GateResult, NodeOutcome, Report, RunOutcome, StepResult } from './types.js';

/**
 * GitHub's limit for one step's summary (`$GITHUB_STEP_SUMMARY`): 1 MiB; more and the whole summary of the step is
 * dropped.
 */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

const RUN_MARK: Record<RunOutcome, string> = {
  ok: '✅',
  failed: '❌',
  halted: '❌',
  refused: '⛔',
  aborted: '⚠️',
  running: '⏳',
};
const NODE_MARK: Record<NodeOutcome, string> = {
  ok: '✅',
  failed: '❌',
  'rolled-back': '↩️',
  skipped: '➖',
  unfinished: '⏳',
};
const STEP_MARK: Record<StepResult, string> = {
  ok: '✅',
  failed: '❌',
  skipped: '➖',
  unfinished: '⏳',
  'not-run': '·',
};

/** Text safe inside a Markdown table cell: one line, no pipes, no HTML. */
function cell(text: string): string {
  return stripControl(text)
    .replace(/\s+/g, ' ')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .trim();
}

function gates(list: readonly GateResult[]): string {
  if (list.length === 0) return '-';
  return list
    .map((g) => `${STEP_MARK[g.status]} ${g.gate}${g.durationMs === null ? '' : ` ${formatMs(g.durationMs)}`}`)
    .join(' · ');
}

function head(r: Report): string[] {
  const s = r.summary;
  const git = s.gitCommit ? ` · git \`${s.gitCommit.slice(0, 10)}\`${s.gitDirty ? ' (uncommitted changes)' : ''}` : '';
  const lines = [
    `### ${RUN_MARK[s.outcome]} lrroll: ${cell(s.name)} — ${s.outcome}`,
    '',
    `Run \`${s.runId}\` · plan \`${s.planHash.slice(0, 12)}\` · verdict ${s.verdict} · ${s.strategy}` +
      ` · ${cell(`${s.user}@${s.host}`)}${git} · ${formatMs(s.durationMs)}`,
    '',
    `${s.nodes.ok}/${s.nodes.total} node(s) ok, ${s.nodes.inRotation} in rotation, ${s.nodes.updated}` +
      ` updated` +
      (s.maxOutOfRotationMs === null ? '' : `; longest out of rotation ${formatMs(s.maxOutOfRotationMs)}`) +
      `.`,
  ];
  for (const c of r.plan.changes)
    if (c.override)
      lines.push(
        '',
        `**Override** of ${cell(c.summary)}: ${c.override.was} → ${c.override.verdict} — ` +
          `${cell(c.override.reason)}${c.override.ticket ? ` (${cell(c.override.ticket)})` : ''}`,
      );
  if (s.reason) lines.push('', `> ${cell(s.reason)}`);
  return lines;
}

function failures(r: Report): string[] {
  if (r.failures.length === 0) return [];
  return [
    '',
    '**Failures**',
    '',
    ...r.failures
      .slice(0, 20)
      .map(
        (f) =>
          `- ${f.node ? `${cell(f.node)}: ` : ''}${cell(f.title)}` +
          `${f.detail ? ` — ${cell(f.detail)}` : ''}${f.code ? ` (${f.code})` : ''}` +
          `${f.hint ? ` Hint: ${cell(f.hint)}` : ''}`,
      ),
  ];
}

/**
 * The short summary for CI: the run in two lines, then one row per node (outcome, time out of
 * rotation, gates). When it would exceed `maxBytes` (UTF-8), the last rows give way to a line
 * that says how many were left out.
 */
export function renderReportMarkdown(r: Report, maxBytes = STEP_SUMMARY_LIMIT_BYTES): string {
  const top = [...head(r), '', '| node | outcome | out of rotation | gates |', '|---|---|---|---|'].join('\n');
  const bottom = `${failures(r).join('\n')}\n\n`;
  const rows = r.nodes.map(
    (n) =>
      `| ${cell(n.node)} | ${NODE_MARK[n.outcome]} ${n.outcome} | ` +
      `${n.outOfRotationMs === null ? '-' : formatMs(n.outOfRotationMs)} | ${gates(n.gates)} |`,
  );
  const encoder = new TextEncoder();
  const size = (t: string): number => encoder.encode(t).length;
  const reserve = 120;
  let used = size(top) + size(bottom) + 2 + reserve;
  if (used > maxBytes) return '';
  const kept: string[] = [];
  for (const row of rows) {
    if (used + size(row) + 1 > maxBytes) break;
    kept.push(row);
    used += size(row) + 1;
  }
  const cut = rows.length - kept.length;
  const more = cut > 0 ? [`| … | ${cut} more node(s) left out to fit the size limit | | |`] : [];
  return `\n${top}\n${[...kept, ...more].join('\n')}\n${bottom}`;
}
