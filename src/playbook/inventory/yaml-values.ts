/**
 * YAML as Ansible's loader reads it (PyYAML's YAML 1.1 resolver and SafeConstructor): the document
 * is parsed with the `failsafe` schema (every scalar a string) and each plain scalar is resolved here
 * with PyYAML's own patterns, so `yes`/`on` are booleans but `y` and `1e3` stay strings, `0777` is
 * octal and `1:30` is 90. `!vault` values are kept encrypted and marked; `!unsafe` is a plain string.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, Scalar, YAMLMap } from 'yaml';
import { errorAt, warningAt } from '../../errors/diagnostics.js';
import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import type { VarValue } from './model.js';

const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const MAX_DEPTH = 64;
/** Levels of indentation plus open brackets a document may nest (checked before parsing). */
const MAX_TEXT_DEPTH = 128;

/** A parsed YAML document with what is needed to report positions. */
export interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  diagnostics: Diagnostic[];
}

/** One entry of a mapping, merges expanded. */
export interface YamlEntry {
  key: string;
  keyNode: Node;
  value: unknown;
}

/** Parses YAML text for Ansible; syntax errors are located diagnostics (and `doc` is then unusable). */
export function parseAnsibleYamlText(text: string, file: string): YamlSource & { ok: boolean } {
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const doc = parseDocument('');
    const lines = new LineCounter();
    const at = { file, line: deep, col: 1 };
    return {
      file,
      doc,
      lines,
      ok: false,
      diagnostics: [
        errorAt(
          'E_INVENTORY',
          `YAML is nested more than ${MAX_TEXT_DEPTH} levels deep`,
          at,
          'an inventory needs a few levels; look for a runaway indentation or bracket',
        ),
      ],
    };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: 'failsafe',
    merge: true,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const src: YamlSource = { file, doc, lines, diagnostics: [] };
  for (const e of doc.errors)
    src.diagnostics.push(
      errorAt('E_INVENTORY', `YAML syntax error: ${e.message.split('\n')[0]}`, position(src, e.pos[0])),
    );
  for (const w of doc.warnings)
    if (w.code !== 'TAG_RESOLVE_FAILED')
      src.diagnostics.push(warningAt('W_INVENTORY', w.message.split('\n')[0] ?? '', position(src, w.pos[0])));
  return { ...src, ok: doc.errors.length === 0 };
}

/**
 * The line at which block indentation and flow brackets together nest deeper than MAX_TEXT_DEPTH, found by a
 * linear scan before parsing (the YAML parser itself recurses and would exhaust the stack).
 */
function tooDeepAt(text: string): number | undefined {
  const indents: number[] = [];
  let flow = 0;
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo += 1;
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = line.length - body.length;
    while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
    indents.push(indent);
    for (const ch of body.replace(/(["'])(?:(?!\1).)*\1/g, '')) {
      if (ch === '[' || ch === '{') flow += 1;
      else if (ch === ']' || ch === '}') flow = Math.max(0, flow - 1);
      else if (ch === '#') break;
    }
    if (indents.length + flow > MAX_TEXT_DEPTH) return lineNo;
  }
  return undefined;
}

function position(src: YamlSource, offset: number): SourceLocation {
  return { file: src.file, ...src.lines.linePos(offset) };
}

/** Where a node starts. */
export function loc(src: YamlSource, node: unknown): SourceLocation {
  const range = isNode(node) ? node.range : undefined;
  return position(src, range?.[0] ?? 0);
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** Follows aliases to the node they name; null for an absent value or a null scalar. */
export function deref(src: YamlSource, node: unknown): Node | null {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < MAX_DEPTH; hops++) current = current.resolve(src.doc) ?? null;
  if (!isNode(current) || isAlias(current)) return null;
  if (isScalar(current) && resolveScalar(current).value === null && !current.tag) return null;
  return current;
}

/**
 * The entries of a mapping in PyYAML's order (merged keys first, a later duplicate overriding); duplicates are warned
 * about.
 */
export function entries(src: YamlSource, map: YAMLMap, depth = 0): YamlEntry[] {
  const merged: YamlEntry[] = [];
  const explicit: YamlEntry[] = [];
  const seen = new Map<string, YamlEntry>();
  for (const pair of map.items as Pair[]) {
    if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
      if (depth < MAX_DEPTH) merged.unshift(...mergeSources(src, pair.value, depth));
      continue;
    }
    const key = deref(src, pair.key);
    if (!isScalar(key)) {
      src.diagnostics.push(errorAt('E_INVENTORY', 'inventory keys must be plain names', loc(src, pair.key ?? map)));
      continue;
    }
    const entry: YamlEntry = { key: pythonStr(resolveScalar(key).value), keyNode: key, value: pair.value };
    const first = seen.get(entry.key);
    if (first)
      src.diagnostics.push(
        warningAt(
          'W_INVENTORY',
          `duplicate key \`${entry.key}\` (first at line ${loc(src, first.keyNode).line}` +
            `): the last value is used, as in Ansible`,
          loc(src, key),
          'remove one of them',
        ),
      );
    seen.set(entry.key, entry);
    explicit.push(entry);
  }
  const out = new Map<string, YamlEntry>();
  // Like a Python dict: a later duplicate takes the value, the first keeps its position.
  for (const e of [...merged, ...explicit]) out.set(e.key, e);
  return [...out.values()];
}

/** A key as Python's `str()` prints it (a `yes:` key is the boolean True, so the group is named "True"). */
function pythonStr(value: VarValue): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

/** The entries contributed by the value of a `<<` key: one mapping, or a list of them (the first wins). */
function mergeSources(src: YamlSource, value: unknown, depth: number): YamlEntry[] {
  const node = deref(src, value);
  const sources = isSeq(node) ? node.items.map((item) => deref(src, item)) : [node];
  return [...sources].reverse().flatMap((s) => (isMap(s) ? entries(src, s, depth + 1) : []));
}

/** A scalar's value by PyYAML's rules; `unsafe` marks a number JavaScript cannot hold (kept as text). */
function resolveScalar(node: Scalar): { value: VarValue; vault?: boolean; unsafe?: boolean } {
  const text = String(node.value);
  const tag = node.tag;
  if (tag === '!vault' || tag === '!vault-encrypted') return { value: text, vault: true };
  if (tag === '!unsafe' || tag === 'tag:yaml.org,2002:str' || tag === 'tag:yaml.org,2002:python/unicode')
    return { value: text };
  if (tag === 'tag:yaml.org,2002:int') return INT.test(text) ? number(constructInt(text)) : { value: text };
  if (tag === 'tag:yaml.org,2002:float')
    return FLOAT.test(text) || INT.test(text) ? number(constructFloat(text)) : { value: text };
  if (tag === 'tag:yaml.org,2002:bool')
    return BOOL.test(text) ? { value: /^(yes|true|on)$/i.test(text) } : { value: text };
  if (tag === 'tag:yaml.org,2002:null') return { value: null };
  if (tag !== undefined || node.type !== 'PLAIN') return { value: text };
  if (BOOL.test(text)) return { value: /^(yes|true|on)$/i.test(text) };
  if (INT.test(text)) return number(constructInt(text));
  if (FLOAT.test(text)) return number(constructFloat(text));
  if (NULL.test(text)) return { value: null };
  return { value: text };
}

function number(n: number): { value: VarValue; unsafe?: boolean } {
  return Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n))
    ? { value: n === 0 ? 0 : n }
    : { value: n, unsafe: true };
}

/** PyYAML's construct_yaml_int: `_` ignored, `0b`, `0x`, a leading `0` for octal, `a:b` base 60. */
function constructInt(raw: string): number {
  let text = raw.replaceAll('_', '');
  const sign = text.startsWith('-') ? -1 : 1;
  if (/^[-+]/.test(text)) text = text.slice(1);
  if (text === '0') return 0;
  if (text.startsWith('0b')) return sign * parseInt(text.slice(2), 2);
  if (text.startsWith('0x')) return sign * parseInt(text.slice(2), 16);
  if (text.startsWith('0')) return sign * parseInt(text, 8);
  if (text.includes(':')) return sign * text.split(':').reduce((n, part) => n * 60 + Number(part), 0);
  return sign * Number(text);
}

/** PyYAML's construct_yaml_float: `_` ignored, `.inf`, `.nan`, `a:b.c` base 60. */
function constructFloat(raw: string): number {
  let text = raw.replaceAll('_', '').toLowerCase();
  const sign = text.startsWith('-') ? -1 : 1;
  if (/^[-+]/.test(text)) text = text.slice(1);
  if (text === '.inf') return sign * Infinity;
  if (text === '.nan') return NaN;
  if (text.includes(':')) return sign * text.split(':').reduce((n, part) => n * 60 + Number(part), 0);
  return sign * Number(text);
}

/**
 * Converts a YAML node to a variable value; vault values inside lists or mappings are reported (lrroll reads them only
 * as whole values).
 */
export function toVarValue(
  src: YamlSource,
  node: unknown,
  depth = 0,
): { value: VarValue; vault?: boolean; unsafe?: boolean } {
  const n = deref(src, node);
  if (n === null) return { value: null };
  if (depth > MAX_DEPTH) {
    src.diagnostics.push(errorAt('E_INVENTORY', `a value is nested more than ${MAX_DEPTH} deep`, loc(src, n)));
    return { value: null };
  }
  if (isScalar(n)) return resolveScalar(n);
  if (isSeq(n)) return { value: n.items.map((item) => nested(src, item, depth)) };
  if (isMap(n)) return { value: Object.fromEntries(entries(src, n).map((e) => [e.key, nested(src, e.value, depth)])) };
  return { value: null };
}

function nested(src: YamlSource, node: unknown, depth: number): VarValue {
  const r = toVarValue(src, node, depth + 1);
  if (r.vault)
    src.diagnostics.push(
      warningAt('W_INVENTORY', 'a vault value inside a list or mapping is kept encrypted', loc(src, node)),
    );
  return r.value;
}
