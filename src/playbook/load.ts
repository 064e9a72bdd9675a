import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import { createSourceMap, type SourceMap } from './source-map.js';

/** A YAML file parsed with positions. `data` is undefined when the text could not be parsed. */
export interface ParsedYaml {
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
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: false });
  const locate = (offset: number): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, col: pos.col };
  };
  const diagnostics = [
    ...doc.errors.map((e) => yamlDiagnostic(e, locate, 'error')),
    ...doc.warnings.map((e) => yamlDiagnostic(e, locate, 'warning')),
  ];
  const fatal = doc.errors.some((e) => e.code !== 'DUPLICATE_KEY');
  let data: unknown;
  if (!fatal) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      diagnostics.push({
        severity: 'error',
        code: 'E_YAML',
        summary: `the YAML document cannot be read: ${(err as Error).message}`,
        source: { file, line: 1, col: 1 },
      });
    }
  }
  return { data, sourceMap: createSourceMap(doc, lineCounter, file), diagnostics, usable: data !== undefined };
}

function yamlDiagnostic(
  e: YAMLError,
  locate: (offset: number) => SourceLocation,
  severity: 'error' | 'warning',
): Diagnostic {
  const source = locate(e.pos[0]);
  if (e.code === 'DUPLICATE_KEY') {
    return {
      severity,
      code: 'E_DUPLICATE_KEY',
      summary: 'this key appears twice in the same mapping',
      source,
      hint: 'remove one of them: YAML keeps only one value per key',
    };
  }
  const message = e.message.split('\n')[0]?.replace(/ at line \d+, column \d+.*$/, '') ?? e.message;
  return { severity, code: 'E_YAML', summary: `YAML syntax: ${lowerFirst(message)}`, source, hint: yamlHint(e.code) };
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
