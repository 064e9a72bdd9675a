import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import { suggestHint } from '../errors/suggest.js';
import { shq } from './shell.js';
import { hasMalformedTemplate, quoteKeepingSecretRefs, renderTemplate, secretRefs, type Rendered, type TemplateScope, type TemplateVar } from './template.js';

/** Built-in template names, set per node; playbook vars may not reuse them. */
export const BUILTIN_VARS = ['node', 'host', 'liferayHome', 'tomcatHome', 'httpPort', 'member'] as const;

/** Renders templates and records each missing name once per place, as a located diagnostic. */
export class Templater {
  private readonly reported = new Set<string>();

  constructor(private readonly diagnostics: Diagnostic[]) {}

  /** Renders `template` in `mode`; problems are reported at `where`. */
  render(template: string, scope: TemplateScope, mode: 'shell' | 'text', where: SourceLocation, node?: string): Rendered {
    const r = renderTemplate(template, scope, mode);
    for (const name of r.missing) this.report(name, scope, where, node);
    if (hasMalformedTemplate(template)) this.malformed(where);
    if (mode === 'shell' && quotesATemplate(template)) {
      this.once(`quoted|${key(where)}`, { severity: 'warning', code: 'W_PLAYBOOK', summary: 'a `{{ … }}` template is inside quotes in a shell command', source: where, hint: 'lrroll quotes every substituted value itself; remove the quotes around the template' });
    }
    return r;
  }

  /** Renders a value used as a path: secrets are not allowed there. */
  path(template: string, scope: TemplateScope, where: SourceLocation, node?: string): string {
    const r = this.render(template, scope, 'text', where, node);
    if (r.secretEnv.length > 0) this.once(`secret|${key(where)}`, { severity: 'error', code: 'E_TEMPLATE', summary: `a secret (${r.secretEnv.join(', ')}) cannot be part of a path`, source: where, hint: 'use secrets only in commands, URLs and headers' });
    return r.text;
  }

  private report(name: string, scope: TemplateScope, where: SourceLocation, node?: string): void {
    const candidates = [...scope.keys()];
    this.once(`${name}|${key(where)}`, {
      severity: 'error',
      code: 'E_TEMPLATE',
      summary: `template \`{{ ${name} }}\` names an undefined variable${node ? ` (for node \`${node}\`)` : ''}`,
      source: where,
      hint: `${suggestHint(name, candidates, 'variable')}; define it under \`vars\`, a node's \`vars\`, or with --var ${name}=…`,
    });
  }

  private malformed(where: SourceLocation): void {
    this.once(`malformed|${key(where)}`, { severity: 'error', code: 'E_TEMPLATE', summary: 'malformed template: use `{{ name }}` with a variable name', source: where });
  }

  private once(id: string, d: Diagnostic): void {
    if (this.reported.has(id)) return;
    this.reported.add(id);
    this.diagnostics.push(d);
  }
}

/** True when a `{{` starts inside a single- or double-quoted part of a shell command. */
export function quotesATemplate(command: string): boolean {
  let quote: string | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && quote !== "'") {
      i++;
      continue;
    }
    if (quote === null && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = null;
    else if (quote !== null && c === '{' && command[i + 1] === '{') return true;
  }
  return false;
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

/** A scope extended with more variables (later ones win). */
export function extendScope(scope: TemplateScope, extra: Record<string, TemplateVar>): Map<string, TemplateVar> {
  const out = new Map(scope);
  for (const [k, v] of Object.entries(extra)) out.set(k, v);
  return out;
}
