import { Chalk, type ChalkInstance } from 'chalk';
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';

/** A chalk instance honouring NO_COLOR / FORCE_COLOR and whether the stream is a terminal. */
export function makeChalk(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): ChalkInstance {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return new Chalk({ level: 0 });
  if (env.FORCE_COLOR !== undefined) return new Chalk({ level: env.FORCE_COLOR === '0' ? 0 : 1 });
  return new Chalk({ level: isTTY ? 1 : 0 });
}

/**
 * Formats one diagnostic: `severity[CODE] file:line:col: summary`, then the source line with a caret, then the hint.
 */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, string>, chalk: ChalkInstance): string {
  const label = d.severity === 'error' ? chalk.red.bold(`error[${d.code}]`) : chalk.yellow.bold(`warning[${d.code}]`);
  const where = d.source ? ` ${chalk.bold(`${d.source.file}:${d.source.line}:${d.source.col}:`)}` : ':';
  const lines = [`${label}${where} ${terminalSafe(d.summary)}`];
  const text = d.source ? sources.get(d.source.file) : undefined;
  if (d.source && d.sourceHidden) lines.push(chalk.dim('  (the line is not shown: it may hold a secret)'));
  else if (d.source && text !== undefined) {
    const src = text.split(/\r?\n/)[d.source.line - 1];
    if (src !== undefined) {
      const num = String(d.source.line);
      const pad = ' '.repeat(num.length);
      const frame = codeFrameLine(src, d.source.col);
      lines.push(
        chalk.dim(`  ${pad} |`),
        `  ${chalk.dim(`${num} |`)} ${frame.text}`,
        `  ${chalk.dim(`${pad} |`)} ${' '.repeat(frame.caret)}${chalk.red('^')}`,
      );
    }
  }
  if (d.detail)
    lines.push(
      ...terminalSafe(d.detail)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  if (d.hint) lines.push(`  ${chalk.cyan('hint:')} ${terminalSafe(d.hint)}`);
  return lines.join('\n');
}

/** Control characters (terminal escapes among them) shown as `\uXXXX`; line breaks kept. */
function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(
    /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** At most 120 characters of a source line around the column, safe for a terminal, and where the caret goes. */
function codeFrameLine(src: string, col: number): { text: string; caret: number } {
  const start = src.length > 120 ? Math.max(0, Math.min(col - 60, src.length - 120)) : 0;
  const cut = src.slice(start, start + 120);
  const text = `${start > 0 ? '…' : ''}${terminalSafe(cut.replace(/\t/g, ' '))}${start + 120 < src.length ? '…' : ''}`;
  const before = terminalSafe(src.slice(start, Math.max(start, col - 1)).replace(/\t/g, ' '));
  return { text, caret: (start > 0 ? 1 : 0) + before.length };
}

/** Formats every diagnostic in file order, followed by a count line. */
export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
  chalk: ChalkInstance,
): string {
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  const blocks = sorted.map((d) => formatDiagnostic(d, sources, chalk));
  const count = [
    errors && `${errors} error${errors === 1 ? '' : 's'}`,
    warnings && `${warnings} warning${warnings === 1 ? '' : 's'}`,
  ]
    .filter(Boolean)
    .join(', ');
  return `${blocks.join('\n\n')}\n\n${count}\n`;
}
