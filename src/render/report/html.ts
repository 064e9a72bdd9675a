import { formatMs } from '../summary.js';
import { escapeMarkup as x } from './escape.js';
import { REPORT_CSS } from './html-style.js';
import { capacitySvg, KIND_NAMES, makeAxis, timelineSvg } from './html-timeline.js';
import type { Report, ReportFailure, StepResult } from './types.js';

/** No network at all: inline styles and inline SVG only, no scripts. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const ms = (v: number | null): string => (v === null ? '–' : formatMs(v));
const row = (th: string, td: string): string => `<tr><th>${th}</th><td>${td}</td></tr>`;
const MARK: Record<StepResult, string> = { ok: '✔', failed: '✖', skipped: '–', unfinished: '…', 'not-run': '·' };

function facts(r: Report): string {
  const s = r.summary;
  const git = s.gitCommit
    ? ` at commit <code>${x(s.gitCommit)}</code>` +
      `${s.gitDirty ? ' <span class="warn">(uncommitted changes in the working tree)</span>' : ''}`
    : ' <span class="muted">(not in git)</span>';
  const verdictWarnings = [...r.plan.changes.flatMap((c) => c.warnings), ...r.plan.differences];
  const overrides = r.plan.changes.flatMap((c) =>
    c.override
      ? [
          `override of ${x(c.summary)}: ${x(c.override.was)} → ${x(c.override.verdict)} — “` +
            `${x(c.override.reason)}”${c.override.ticket ? ` (${x(c.override.ticket)})` : ''}`,
        ]
      : [],
  );
  const list = (items: string[]): string => (items.length > 0 ? `<ul>${items.join('')}</ul>` : '');
  const verdict =
    `<strong>${x(s.verdict)}</strong> · strategy ${x(s.strategy)}` +
    list(overrides.map((o) => `<li class="warn"><strong>${o}</strong></li>`)) +
    list(verdictWarnings.map((w) => `<li class="warn">${x(w)}</li>`));
  const ended = s.endedAt ? ` · ended ${x(s.endedAt)}` : ' · <span class="warn">no end in the record</span>';
  const resumed = r.attempts.length > 1 ? ` · resumed ${r.attempts.length - 1} time(s)` : '';
  const nodes =
    `${s.nodes.ok}/${s.nodes.total} ok · ${s.nodes.failed} failed · ${s.nodes.rolledBack} rolled back · ` +
    `${s.nodes.inRotation} in rotation · ${s.nodes.updated} updated · ` +
    `longest out of rotation ${ms(s.maxOutOfRotationMs)}`;
  const policy =
    `minimum healthy ${r.plan.minHealthy} · failure budget ${r.plan.maxFailures} · ` +
    `on failure ${x(r.plan.onFailure)} · load balancer ${x(r.plan.loadBalancer)}`;
  return `<table class="facts">
${row('Verdict', verdict)}
${row('Plan hash', `<code>${x(s.planHash)}</code>`)}
${row('Playbook', `<code>${x(s.playbook)}</code>${git}`)}
${row('Run by', `${x(s.user)}@${x(s.host)}`)}
${row('Run id', `<code>${x(s.runId)}</code>`)}
${row('Started', `${x(s.startedAt)}${ended} · ${ms(s.durationMs)}${resumed}`)}
${row('Nodes', nodes)}
${row('Policy', policy)}
</table>`;
}

function changes(r: Report): string {
  const mark = (level: string): string => (level === 'rolling' ? '✔' : level === 'rolling-with-warning' ? '!' : '✖');
  const items = r.plan.changes.map(
    (c) =>
      `<li>${mark(c.level)} ${x(c.summary)} <span class="muted">— ${x(c.level)} · ${x(c.row)}</span>` +
      `${c.reasons.length > 0 ? `<br><span class="muted">${c.reasons.map(x).join(' ')}</span>` : ''}` +
      (c.advice.length > 0 ? `<br><span class="muted">Advice: ${c.advice.map(x).join(' ')}</span>` : '') +
      `</li>`,
  );
  return `<h2>Changes</h2><ul>${items.join('')}</ul>`;
}

function legend(): string {
  const items = KIND_NAMES.map(([kind, name]) => `<span><i class="seg-${kind}"></i>${x(name)}</span>`);
  return `<div class="legend">${items.join('')}<span><i class="seg-out"></i>out of rotation</span></div>`;
}

function nodesTable(r: Report): string {
  const rows = r.nodes.map((n) => {
    const gates =
      n.gates
        .map((g) => `${MARK[g.status]} ${x(g.gate)}${g.durationMs === null ? '' : ` ${ms(g.durationMs)}`}`)
        .join(' · ') || '–';
    return (
      `<tr><td><strong>${x(n.node)}</strong></td><td>${n.batch ?? '–'}</td><td class="outcome-` +
      `${n.outcome}">${x(n.outcome)}</td><td>` +
      (n.inRotation === null ? '?' : n.inRotation ? 'yes' : '<strong class="outcome-failed">NO</strong>') +
      `</td><td>${n.updated ? 'yes' : 'no'}</td><td>${ms(n.outOfRotationMs)}</td><td>${gates}</td><td>` +
      `${x(n.state)}</td></tr>`
    );
  });
  return (
    `<table><thead><tr><th>node</th><th>batch</th><th>outcome</th><th>in ` +
    `rotation</th><th>updated</th><th>out of ` +
    `rotation</th><th>gates</th><th>state</th></tr></thead><tbody>${rows.join('')}</tbody></table>`
  );
}

function failure(f: ReportFailure): string {
  const output = f.output.length > 0 ? `<p>Last output lines:</p><pre>${x(f.output.join('\n'))}</pre>` : '';
  const forensics =
    f.forensics.length > 0
      ? `<details class="forensics"><summary>Forensics from ${x(f.node ?? '')}` +
        `: log tail, thread dump, patch and module state (${f.forensics.length} lines)</summary><pre>` +
        `${x(f.forensics.join('\n'))}</pre></details>`
      : '';
  return (
    `<details class="failure"><summary>${f.node ? `${x(f.node)}: ` : ''}${x(f.title)}` +
    ` <span class="muted">at ${x(f.at)}</span></summary><p>${x(f.detail ?? 'failed')}` +
    `${f.exitCode === null ? '' : ` (exit code ${f.exitCode})`}` +
    `${f.code ? ` <code>${x(f.code)}</code>` : ''}</p>${f.hint ? `<p>Hint: ${x(f.hint)}</p>` : ''}` +
    `<p class="muted">step <code>${x(f.stepId)}</code></p>${output}${forensics}</details>`
  );
}

function lbTable(r: Report): string {
  if (r.lbChanges.length === 0) return '<p class="muted">No load-balancer state changed.</p>';
  const rows = r.lbChanges.map(
    (c) =>
      `<tr><td>${x(c.at)}</td><td>${x(c.node)}</td><td><code>${x(c.member)}</code></td><td>${x(c.state)}</td></tr>`,
  );
  return (
    `<table><thead><tr><th>time</th><th>node</th><th>member</th><th>state</th></tr></thead><tbody>` +
    `${rows.join('')}</tbody></table>`
  );
}

function hooksTable(r: Report): string {
  if (r.hooks.length === 0) return '';
  const rows = r.hooks.map((h) => {
    const outcome = h.status === 'failed' ? 'failed' : h.status === 'ok' ? 'ok' : 'skipped';
    return (
      `<tr><td>${x(h.point)}</td><td>${x(h.node ?? '–')}</td><td>${x(h.title)}</td>` +
      `<td class="outcome-${outcome}">${x(h.status)}</td>` +
      `<td>${ms(h.durationMs)}</td><td>${x(h.detail ?? '')}</td></tr>`
    );
  });
  return (
    '<h2>Hooks</h2><table><thead><tr>' +
    '<th>point</th><th>node</th><th>hook</th><th>result</th><th>time</th><th>detail</th>' +
    `</tr></thead><tbody>` +
    `${rows.join('')}</tbody></table>`
  );
}

/**
 * One self-contained HTML page: verdict, who and from which commit, the timeline, capacity, nodes, failures, LB
 * changes, hooks, user impact.
 */
export function renderReportHtml(r: Report): string {
  const s = r.summary;
  const axis = makeAxis(r);
  const reason = s.reason ? `<p class="reason">${x(s.reason)}</p>` : '';
  const failures = r.failures.length > 0 ? r.failures.map(failure).join('') : '<p class="muted">No step failed.</p>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${x(`lrroll: ${s.name} — ${s.outcome}`)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>${x(s.name)} <span class="badge ${s.outcome}">${x(s.outcome)}</span></h1>
<p class="muted">lrroll run report · run ${x(s.runId)}</p></header>
${reason}
${facts(r)}
${changes(r)}
<h2>Timeline</h2>
${timelineSvg(r, axis)}
${legend()}
<h2>Capacity: nodes in rotation</h2>
${capacitySvg(r, axis)}
<h2>Nodes</h2>
${nodesTable(r)}
<h2>Failures</h2>
${failures}
<h2>Load-balancer state changes</h2>
${lbTable(r)}
${hooksTable(r)}
<h2>User impact</h2>
<ul>${r.impact.map((i) => `<li>${x(i)}</li>`).join('')}</ul>
<footer>Generated by ${x(r.generator)} · report format ${x(r.formatVersion)} · plan ${x(s.planHash)}</footer>
</body>
</html>
`;
}
