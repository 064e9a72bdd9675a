import type { Diagnostic } from '../errors/diagnostics.js';
import type { DocPath, SourceMap } from './source-map.js';

/**
 * Checks every value of a parsed document for what no field may hold, before the schema looks at
 * its shape: numbers that are not finite (`.nan`, `.inf`, `1e400`) and strings with a NUL or another
 * control character (only tab and line breaks are text). Iterative, so any nesting depth is safe.
 * Returns the diagnostics and the paths they are about (schema errors there add nothing).
 */
export function checkValues(data: unknown, sourceMap: SourceMap): { diagnostics: Diagnostic[]; paths: Set<string> } {
  const diagnostics: Diagnostic[] = [];
  const paths = new Set<string>();
  const stack: Array<{ value: unknown; path: DocPath }> = [{ value: data, path: [] }];
  const report = (path: DocPath, summary: string, hint: string, atKey?: string): void => {
    if (diagnostics.length >= 50) return;
    paths.add(pointer(path));
    const source = atKey === undefined ? sourceMap.locate(path) : sourceMap.locateKey(path, atKey);
    diagnostics.push({
      severity: 'error',
      code: atKey === undefined && summary.includes('number') ? 'E_TYPE' : 'E_SCHEMA',
      summary,
      source,
      hint,
    });
  };
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (typeof value === 'number' && !Number.isFinite(value)) {
      report(
        path,
        `${where(path)} is \`${String(value)}\`, which is not a finite number`,
        'write a plain number within the documented range',
      );
    } else if (typeof value === 'string') {
      const bad = controlCharacter(value, true);
      if (bad)
        report(
          path,
          `${where(path)} contains ${bad}`,
          'remove it: lrroll reads text, and passes it to shells, files and terminals',
        );
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        const bad = controlCharacter(k, false);
        if (bad) report(path, `a key in ${where(path)} contains ${bad}`, 'use a plain name', k);
        stack.push({ value: v, path: [...path, k] });
      }
    }
  }
  return { diagnostics, paths };
}

/** Names the first control character of `text` (tab and line breaks allowed in values), or null. */
function controlCharacter(text: string, allowLineBreaks: boolean): string | null {
  // eslint-disable-next-line no-control-regex
  const m = (
    allowLineBreaks ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/ : /[\u0000-\u001f\u007f-\u009f]/
  ).exec(text);
  if (!m) return null;
  const code = m[0].charCodeAt(0);
  return code === 0 ? 'a NUL character' : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The ajv-style JSON pointer of a path (`/rollout/serial/1`). */
function pointer(path: DocPath): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function where(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? 'the document' : `\`${out}\``;
}
