import type { Diagnostic, DiagnosticCode, SourceLocation } from '../errors/diagnostics.js';
import { checkPath, checkUrl, printable, type PathKind } from './inputs.js';
import { suggestHint } from '../errors/suggest.js';
import { shq } from '../shell/quote.js';
import {
  hasMalformedTemplate,
  quoteKeepingSecretRefs,
  renderTemplate,
  secretRefs,
  type Rendered,
  type TemplateScope,
  type TemplateVar,
} from '../domain/template.js';

/** Stands in for a path that was reported as invalid, so the compiler can finish collecting diagnostics. */
const INVALID_PATH = '/lrroll-invalid-path';
/** Stands in for a URL that was reported as invalid. */
const INVALID_URL = 'http://invalid.invalid/';

/** Built-in template names, set per node; playbook vars may not reuse them. */
export const BUILTIN_VARS = ['node', 'host', 'liferayHome', 'tomcatHome', 'httpPort', 'member'] as const;

/** Renders templates and records each missing name once per place, as a located diagnostic. */
export class Templater {
  private readonly reported = new Set<string>();

  /** `sources`: the text of each file by name, so a diagnostic can point at the line inside a multi-line value. */
  constructor(
    private readonly diagnostics: Diagnostic[],
    private readonly sources: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Renders `template` in `mode`; problems are reported at `where`. */
  render(
    template: string,
    scope: TemplateScope,
    mode: 'shell' | 'text',
    where: SourceLocation,
    node?: string,
  ): Rendered {
    const r = renderTemplate(template, scope, mode);
    for (const name of r.missing) this.report(name, scope, where, node);
    if (hasMalformedTemplate(template)) this.malformed(where);
    // A value substituted inside quotes the user wrote could close them (`'{{ v }}'` with v = `'$(id)'`): refused, not
    // rendered.
    const enclosed = mode === 'shell' ? enclosingContext(template) : null;
    if (enclosed) {
      // Reported at the template's own line (a block scalar's text starts below its `|`).
      const at = lineWithin(this.sources.get(where.file), where, enclosedLine(template));
      this.once(`quoted|${key(at)}`, {
        severity: 'error',
        code: 'E_TEMPLATE',
        summary: `a \`{{ … }}\` template is inside ${enclosed} in a shell command: a value could break out of it`,
        source: at,
        hint: 'remove the quotes around the template: lrroll quotes every substituted value as one shell word itself',
      });
    }
    return r;
  }

  /**
   * Renders a value used as a path or a name on the node: secrets are not allowed there. With
   * `kind`, the result must be a literal path (see `checkPath`) and comes back normalised; a bad
   * one is reported here and replaced by a harmless placeholder, so later steps never see it.
   */
  path(template: string, scope: TemplateScope, where: SourceLocation, node?: string, kind?: PathKind): string {
    const r = this.render(template, scope, 'text', where, node);
    if (r.secretEnv.length > 0)
      this.once(`secret|${key(where)}`, {
        severity: 'error',
        code: 'E_TEMPLATE',
        summary: `a secret (${r.secretEnv.join(', ')}) cannot be part of a path`,
        source: where,
        hint: 'use secrets only in commands, URLs and headers',
      });
    if (kind === undefined) return r.text;
    const checked = checkPath(r.text, kind);
    if (checked.ok) return checked.value;
    this.invalid('E_PATH', `the path \`${printable(r.text)}\` ${checked.problem}`, checked.hint, where, node);
    return kind === 'absolute' ? INVALID_PATH : INVALID_PATH.slice(1);
  }

  /** Renders a URL (secrets stay `${NAME}` references); a malformed one is reported and replaced. */
  url(template: string, scope: TemplateScope, where: SourceLocation, node?: string): Rendered {
    const r = this.render(template, scope, 'text', where, node);
    const checked = checkUrl(r.text);
    if (checked.ok) return r;
    this.invalid(
      'E_URL',
      `the URL ${checked.problem.startsWith('`') ? checked.problem : `\`${printable(r.text)}\` ${checked.problem}`}`,
      checked.hint,
      where,
      node,
    );
    return { ...r, text: INVALID_URL };
  }

  /** Reports something allowed but risky, once per place. */
  warn(summary: string, hint: string, where: SourceLocation): void {
    this.once(`warn|${summary}|${key(where)}`, {
      severity: 'warning',
      code: 'W_PLAYBOOK',
      summary,
      source: where,
      hint,
    });
  }

  /** Reports a value that is not what its field needs, once per place and problem. */
  invalid(code: DiagnosticCode, summary: string, hint: string, where: SourceLocation, node?: string): void {
    this.once(`${code}|${summary}|${key(where)}`, {
      severity: 'error',
      code,
      summary: `${summary}${node ? ` (node \`${node}\`)` : ''}`,
      source: where,
      hint,
    });
  }

  private report(name: string, scope: TemplateScope, where: SourceLocation, node?: string): void {
    const candidates = [...scope.keys()];
    this.once(`${name}|${key(where)}`, {
      severity: 'error',
      code: 'E_TEMPLATE',
      summary: `template \`{{ ${name} }}\` names an undefined variable${node ? ` (for node \`${node}\`)` : ''}`,
      source: where,
      hint:
        `${suggestHint(name, candidates, 'variable')}; define it under \`vars\`, a node's \`vars\`, ` +
        `or with --var ${name}=…`,
    });
  }

  private malformed(where: SourceLocation): void {
    this.once(`malformed|${key(where)}`, {
      severity: 'error',
      code: 'E_TEMPLATE',
      summary: 'malformed template: use `{{ name }}` with a variable name',
      source: where,
    });
  }

  private once(id: string, d: Diagnostic): void {
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.diagnostics.push(d);
  }
}

/** The line of a shell command (trimmed) holding the first template that is inside quotes or a here-document. */
function enclosedLine(command: string): string {
  const lines = command.split('\n');
  // Quotes may span lines: the first line with a `{{` at which the scan of the command so far finds one enclosed.
  for (let i = 0; i < lines.length; i++)
    if (lines[i]?.includes('{{') && enclosingContext(lines.slice(0, i + 1).join('\n'))) return (lines[i] ?? '').trim();
  return (lines[0] ?? '').trim();
}

/**
 * Where `line` of a value's text sits in the file: the first source line after the value's start
 * that contains it (a block scalar starts at its `|`, its text on the lines below). The value's
 * start when that line is the first, or when the text is not found as written (YAML escapes).
 */
function lineWithin(text: string | undefined, where: SourceLocation, line: string): SourceLocation {
  if (!text || line === '') return where;
  const lines = text.split('\n');
  for (let i = where.line - 1; i < Math.min(lines.length, where.line + 500); i++) {
    const col = (lines[i] ?? '').indexOf(line, i === where.line - 1 ? where.col - 1 : 0);
    // On the value's own line the value's start is the place (a quoted scalar starts at its quote).
    if (col >= 0) return i === where.line - 1 ? where : { file: where.file, line: i + 1, col: col + 1 };
  }
  return where;
}

/**
 * Where the first template of a shell command sits when that is not a plain word position: inside
 * single or double quotes the user wrote, or in a here-document (whose body expands `$(…)` however
 * the value is quoted); null when every template stands where lrroll's own quoting holds.
 */
export function enclosingContext(command: string): 'quotes' | 'a here-document' | null {
  if (!command.includes('{{')) return null;
  let quote: string | null = null;
  let heredoc = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && quote !== "'") {
      i++;
      continue;
    }
    if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = null;
    else if (quote === null && c === '<' && command[i + 1] === '<' && command[i + 2] !== '<') heredoc = true;
    else if (c === '{' && command[i + 1] === '{' && (quote !== null || heredoc))
      return quote !== null ? 'quotes' : 'a here-document';
  }
  return null;
}

function key(where: SourceLocation): string {
  return `${where.file}:${where.line}:${where.col}`;
}

const NO_SECRETS: string[] = [];

/** Makes a template variable from a scalar; `${NAME}` parts make it secret. */
export function toVar(value: string | number | boolean): TemplateVar {
  const text = String(value);
  return { value: text, secretEnv: text.includes('${') ? [...new Set(secretRefs(text))].sort() : NO_SECRETS };
}

/** A rendered value as one shell word: single-quoted, or double-quoted keeping its secret references. */
export function shellWord(r: Pick<Rendered, 'text' | 'secretEnv'>): string {
  return r.secretEnv.length === 0 ? shq(r.text) : quoteKeepingSecretRefs(r.text);
}
