import type { ChalkInstance } from 'chalk';
import type { DiffReport, EditDiff, FileDiff, ModuleDiff, NodeDiff } from '../plan/preview.js';

/** Renders `lrroll diff` for people: per node, now → after, only what the change touches. */
export function renderDiffText(report: DiffReport, c: ChalkInstance): string {
  const out: string[] = [
    c.dim(
      `diff of plan ${report.plan.slice(0, 12)} (${report.playbook}` +
        `${report.limit ? `, --limit ${report.limit.join(',')}` : ''}` +
        `): what each node has now → what the change would make of it`,
    ),
    '',
  ];
  for (const n of report.nodes) out.push(...nodeBlock(n, c), '');
  const same = report.nodes.filter((n) => n.reachable && !n.changes).map((n) => n.node);
  if (same.length > 0) out.push(c.dim(`already as the change would leave them: ${same.join(', ')}`));
  return `${out.join('\n').trimEnd()}\n`;
}

function nodeBlock(n: NodeDiff, c: ChalkInstance): string[] {
  const head = `${c.bold.cyan(n.node)} ${c.dim(`(${n.host})`)}`;
  if (!n.reachable) return [head, c.red(`  cannot be read: ${n.problem ?? 'unreachable'}`)];
  const lines = [head];
  if (n.patches) {
    const now = n.patches.current.join(', ') || 'none';
    lines.push(
      n.patches.problem
        ? c.red(`  patches: cannot be read: ${n.patches.problem}`)
        : `  patches:  ${now}  →  ${n.patches.after.join(', ') || 'none'}` +
            `${same(now, n.patches.after.join(', ') || 'none', c)}`,
    );
  }
  for (const m of n.modules) lines.push(...moduleLines(m, c));
  for (const e of n.edits) lines.push(...editLines(e, c));
  if (n.files.length > 0) lines.push('  files:', ...n.files.map((f) => fileLine(f, c)));
  for (const o of n.opaque) lines.push(c.yellow(`  runs commands lrroll cannot preview: ${o}`));
  if (lines.length === 1) lines.push(c.dim('  nothing this change touches can be read beforehand'));
  return lines;
}

function same(now: string, after: string, c: ChalkInstance): string {
  return now === after ? c.dim('  (unchanged)') : '';
}

function moduleLines(m: ModuleDiff, c: ChalkInstance): string[] {
  if (m.problem) return [c.red(`  module ${m.bundle}: cannot be read: ${m.problem}`)];
  const now = m.current.length > 0 ? m.current.map((x) => `${x.version} (${x.file})`).join(', ') : 'not installed';
  const lines = [`  module ${m.bundle}:  ${now}  →  ${m.after.version} (${m.after.file})`];
  for (const r of m.removed) lines.push(c.red(`    - removes ${r}`));
  return lines;
}

function editLines(e: EditDiff, c: ChalkInstance): string[] {
  if (e.problem) return [c.red(`  ${e.file}: cannot be read: ${e.problem}`)];
  const head = `  ${e.file}${e.exists ? '' : c.dim(' (created)')}:`;
  if (e.lines.length === 0) return [`${head} ${c.dim('unchanged')}`];
  return [head, ...e.lines.map((l) => (l.op === '-' ? c.red(`    - ${l.text}`) : c.green(`    + ${l.text}`)))];
}

function fileLine(f: FileDiff, c: ChalkInstance): string {
  if (f.problem) return c.red(`    ${f.path}: cannot be read: ${f.problem}`);
  const show = (v: { sha256: string; size: number } | null, absent: string): string =>
    v ? `sha256 ${v.sha256.slice(0, 12)}… ${v.size} B` : absent;
  const unchanged = f.current !== null && f.after !== null && f.current.sha256 === f.after.sha256;
  return (
    `    ${f.path}: ${show(f.current, 'absent')}  →  ${show(f.after, 'removed')}` +
    `${unchanged ? c.dim('  (unchanged)') : ''}`
  );
}
