import { shq } from '../shell/quote.js';

/** A variable in scope: its text and the secret environment variables it references. */
export interface TemplateVar {
  /** The value; secret parts stay as `${NAME}` references and are filled in only at run time. */
  value: string;
  /** Environment variables this value references (non-empty means the value is secret). */
  secretEnv: string[];
}

/** Variables visible to a template. */
export type TemplateScope = ReadonlyMap<string, TemplateVar>;

/** The result of rendering a template. */
export interface Rendered {
  text: string;
  /** Secret environment variables the text references. */
  secretEnv: string[];
  /** Names used by the template that are not in scope. */
  missing: string[];
}

const TEMPLATE = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const SECRET_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** True when the string contains a `{{`…`}}` that is not a well-formed template. */
export function hasMalformedTemplate(template: string): boolean {
  return template.replace(TEMPLATE, '').includes('{{');
}

/** The `${NAME}` environment references in a var value. */
export function secretRefs(value: string): string[] {
  return [...value.matchAll(SECRET_REF)].map((m) => m[1] as string);
}

/**
 * Renders `{{ name }}` templates. In `shell` mode every substituted value becomes one quoted shell
 * word: plain values single-quoted, secret-bearing values double-quoted with their `${NAME}`
 * references left for the shell to expand from the environment. In `text` mode values are inserted
 * as they are, and every `${NAME}` in the result (from a var or written directly) is a secret
 * reference the executor fills in at run time.
 */
export function renderTemplate(template: string, scope: TemplateScope, mode: 'shell' | 'text'): Rendered {
  const missing: string[] = [];
  const secretEnv = new Set<string>();
  const text = template.replace(TEMPLATE, (_whole, name: string) => {
    const v = scope.get(name);
    if (!v) {
      missing.push(name);
      return '';
    }
    v.secretEnv.forEach((s) => secretEnv.add(s));
    if (mode === 'text') return v.value;
    return v.secretEnv.length > 0 ? quoteKeepingSecretRefs(v.value) : shq(v.value);
  });
  // Outside the shell (URLs, headers, bodies) a literal `${NAME}` is a secret reference too: the
  // executor fills it in from the environment. In shell commands it is the shell's own syntax.
  if (mode === 'text') secretRefs(text).forEach((s) => secretEnv.add(s));
  return { text, secretEnv: [...secretEnv].sort(), missing };
}

/** Double-quotes a value for the shell, escaping everything but its `${NAME}` references. */
export function quoteKeepingSecretRefs(value: string): string {
  let out = '';
  let last = 0;
  for (const m of value.matchAll(SECRET_REF)) {
    out += escapeForDoubleQuotes(value.slice(last, m.index)) + m[0];
    last = (m.index ?? 0) + m[0].length;
  }
  return `"${out}${escapeForDoubleQuotes(value.slice(last))}"`;
}

/** Escapes `\`, `"`, `$` and backquote for use inside a double-quoted shell word. */
export function escapeForDoubleQuotes(text: string): string {
  return text.replace(/[\\"$`]/g, (c) => `\\${c}`);
}
