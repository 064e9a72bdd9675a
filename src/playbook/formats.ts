import type { Ajv } from 'ajv';
import { isDurationTextWithinLimit } from './limits.js';

/**
 * lrroll's own JSON Schema formats: checks of a value as written, before any template is
 * rendered, so a bad value is reported even where another setting overrides it. Editors ignore
 * formats they do not know; the plan checks the rendered values again.
 */
const FORMATS = {
  /** A duration string within the limit (the pattern checks its shape). */
  'lrroll-duration': isDurationTextWithinLimit,
  /** A path on the node that must be absolute (it may start with a template such as `{{liferayHome}}`). */
  'lrroll-absolute-path': (text: string): boolean => pathProblem(text, true) === null,
  /** A path on the node, absolute or relative to the folder its field names. */
  'lrroll-path': (text: string): boolean => pathProblem(text, false) === null,
} as const;

/** The formats as ajv format definitions: the precompiled validators import these by name. */
export const FORMAT_DEFINITIONS = Object.fromEntries(
  Object.entries(FORMATS).map(([name, validate]) => [name, { type: 'string' as const, validate }]),
);

/** Registers the formats with an ajv instance. */
export function addFormats(ajv: Ajv): void {
  for (const [name, definition] of Object.entries(FORMAT_DEFINITIONS)) ajv.addFormat(name, definition);
}

/** What is wrong with a path template as written, or null. */
export function pathProblem(template: string, absolute: boolean): string | null {
  const text = template.replace(/\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g, 'x');
  if (/[\0\r\n]/.test(text)) return 'contains a line break';
  if (/[*?[\]]/.test(text)) return 'contains `*`, `?`, `[` or `]`: this field takes one literal path, not a pattern';
  if (text.split('/').includes('..')) return 'has a `..` component: write the path without it';
  if (absolute && !template.startsWith('/') && !template.startsWith('{{'))
    return 'is not an absolute path: start it with `/`';
  return null;
}
