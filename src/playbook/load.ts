import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import { INPUT_LIMITS } from './limits.js';
import { createSourceMap, type SourceMap } from './source-map.js';

/** A YAML file parsed with positions. `data` is undefined when the text could not be parsed. */
interface ParsedYaml {
  /** The plain JavaScript value of the document. */
  data: unknown;
  /** Maps paths in `data` back to file positions. */
  sourceMap: SourceMap;
  /** YAML syntax problems and duplicate keys. */
  diagnostics: Diagnostic[];
  /** True when the structure could be read well enough to validate it. */
  usable: boolean;
}

/** Parses YAML text, collecting every syntax error and duplicate key with its position. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  // logLevel 'error': the library's own warnings (a collection as a key, say) would go to stderr as a stray line;
  // lrroll reports what it finds itself.
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    merge: false,
    logLevel: 'error',
  });
  const locate = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const diagnostics = [
    ...withoutCascades(doc.errors, lineCounter).map((e) => yamlDiagnostic(e, text, locate, 'error')),
    ...doc.warnings.map((e) => yamlDiagnostic(e, text, locate, 'warning')),
  ];
  const fatal = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  let data: unknown;
  if (!fatal) {
    try {
      data = doc.toJS({ maxAliasCount: INPUT_LIMITS.maxYamlAliases });
    } catch (err) {
      diagnostics.push(unreadable(err, file));
    }
  }
  if (data !== undefined && nestingDepth(data) > INPUT_LIMITS.maxYamlDepth) {
    diagnostics.push(tooDeep({ file, line: 1, col: 1 }));
    data = undefined;
  }
  return { data, sourceMap: createSourceMap(doc, lineCounter, file), diagnostics, usable: data !== undefined };
}

/** A document the parser read but whose data cannot be built (too many aliases, an alias loop). */
function unreadable(err: unknown, file: string): Diagnostic {
  const message = (err as Error).message;
  if (/alias/i.test(message)) {
    return {
      severity: 'error',
      code: 'E_LIMIT',
      summary: `the YAML document expands more than ${INPUT_LIMITS.maxYamlAliases} aliases (\`*name\`)`,
      source: { file, line: 1, col: 1 },
      hint: 'write the values out, or use fewer anchors: this limit protects against documents that expand without end',
    };
  }
  return {
    severity: 'error',
    code: 'E_YAML',
    summary: `the YAML document cannot be read: ${message}`,
    source: { file, line: 1, col: 1 },
  };
}

function tooDeep(source: SourceLocation): Diagnostic {
  return {
    severity: 'error',
    code: 'E_LIMIT',
    summary: `the YAML document is nested more than ${INPUT_LIMITS.maxYamlDepth} levels deep`,
    source,
    hint: 'a playbook needs fewer than 10 levels; check the indentation and the brackets',
  };
}

/** How deeply lists and mappings nest in `data` (iterative: any depth is safe to measure). */
function nestingDepth(data: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[data, 0]];
  const seen = new Set<unknown>();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const [value, depth] = item;
    if (value === null || typeof value !== 'object' || seen.has(value)) continue;
    seen.add(value);
    max = Math.max(max, depth + 1);
    if (max > INPUT_LIMITS.maxYamlDepth) return max;
    for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

/**
 * One syntax mistake often makes the parser report several errors on the same or the next line;
 * keep the first of each such run (duplicate keys are always kept: each is its own mistake).
 */
function withoutCascades(errors: readonly YAMLError[], lineCounter: LineCounter): YAMLError[] {
  const out: YAMLError[] = [];
  let lastLine = -10;
  for (const e of errors) {
    const line = lineCounter.linePos(e.pos[0]).line;
    if (e.code !== 'DUPLICATE_KEY' && line - lastLine <= 1) continue;
    out.push(e);
    if (e.code !== 'DUPLICATE_KEY') lastLine = line;
  }
  return out;
}

function yamlDiagnostic(
  e: YAMLError,
  text: string,
  locate: (offset: number) => SourceLocation,
  severity: 'error' | 'warning',
): Diagnostic {
  // The parser gives up on very deep nesting with a stack overflow: that is a limit, not a syntax error.
  if (/call stack/i.test(e.message)) return tooDeep(locate(e.pos[0]));
  if (e.code === 'DUPLICATE_KEY') {
    return {
      severity,
      code: 'E_DUPLICATE_KEY',
      summary: 'this key appears twice in the same mapping',
      source: locate(e.pos[0]),
      hint: 'remove one of them: YAML keeps only one value per key',
    };
  }
  const refined = refine(e, text);
  const message = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+.*$/, '') ?? e.message;
  return {
    severity,
    code: 'E_YAML',
    summary: `YAML syntax: ${refined.summary ?? lowerFirst(message)}`,
    source: locate(refined.offset),
    hint: refined.hint ?? yamlHint(e.code),
  };
}

/** Moves a YAML error to where the mistake is, with a better message where the parser's is cryptic. */
function refine(e: YAMLError, text: string): { offset: number; summary?: string; hint?: string } {
  const offset = e.pos[0];
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const colon = colonInPlainValue(text, offset);
    if (colon) return colon;
  }
  if (e.code === 'BLOCK_AS_IMPLICIT_KEY' || e.code === 'MULTILINE_IMPLICIT_KEY') {
    const next = text.indexOf('\n', offset);
    if (next >= 0) {
      const start = next + 1 + (/^[ \t]*/.exec(text.slice(next + 1))?.[0].length ?? 0);
      return {
        offset: start,
        summary: 'this line is indented more than the key before it',
        hint: 'indent it like the other keys of the same mapping (use spaces)',
      };
    }
  }
  if (e.code === 'BAD_INDENT') {
    const lead = /^[ \t]*/.exec(text.slice(offset))?.[0].length ?? 0;
    return { offset: offset + lead, hint: 'indent it like the other keys of the same mapping (use spaces)' };
  }
  if (e.code === 'MISSING_CHAR' && /quote/i.test(e.message)) {
    const quote = /'/.test(e.message.split('quote')[0] ?? '') ? "'" : '"';
    const open = text.lastIndexOf(quote, offset - 1);
    if (open >= 0)
      return {
        offset: open,
        summary: `this ${quote === '"' ? 'double' : 'single'} quote is never closed`,
        hint: 'close the quote on the same line, or use a block scalar (`|`) for text over several lines',
      };
  }
  return { offset };
}

/**
 * `name: Fix pack: dxp-15`: an unquoted value holding `: ` makes the parser see a nested mapping
 * on that line. Point at the value and show it quoted, rather than blaming the next line's indent.
 */
function colonInPlainValue(text: string, offset: number): { offset: number; summary: string; hint: string } | null {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
  const value = line
    .slice(offset - lineStart)
    .replace(/\s+#.*$/, '')
    .trimEnd();
  if (!/:(\s|$)/.test(value) || /^["'[{|>]/.test(value)) return null;
  const key = line.slice(0, offset - lineStart).trim();
  const quoted = `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return {
    offset,
    summary: 'this value contains `: `, which YAML reads as the start of another key',
    hint: `put the value in quotes: \`${key ? `${key} ` : ''}${quoted}\``,
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function yamlHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the `:` after each key';
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return 'a key must fit on one line and be followed by `: `';
    case 'UNEXPECTED_TOKEN':
      return 'quote values that contain `:`, `#`, `{` or `[`';
    default:
      return 'see https://yaml.org/spec/1.2.2/ for the syntax';
  }
}
