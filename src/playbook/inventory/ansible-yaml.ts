/**
 * Ansible inventories, YAML (and JSON) format: `all: {hosts: …, vars: …, children: {grp: {…}}}`.
 *
 * Parsed as YAML 1.2 with `<<` merge keys and anchors, like Ansible's loader; as in PyYAML (YAML 1.1)
 * an unquoted yes/no/on/off value is a boolean. Lists, mappings and null values cannot be lrroll
 * variables (which are scalars): they are left out of `vars` with a W_INVENTORY warning.
 */
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { errorAt, sortDiagnostics, warningAt } from '../../errors/diagnostics.js';
import type { SourceLocation } from '../../errors/diagnostics.js';
import {
  addChild,
  addHost,
  createAnsibleModel,
  defineGroup,
  expandHostPattern,
  resolveAnsibleModel,
} from './ansible-ini.js';
import type { AnsibleInventoryOptions, AnsibleInventoryResult, AnsibleModel, AnsibleVar } from './ansible-ini.js';
import type { InventoryValue } from './types.js';

const MAX_NESTING = 64;
const YAML11_TRUE = new Set(['yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['no', 'No', 'NO', 'off', 'Off', 'OFF']);

interface YamlCtx {
  model: AnsibleModel;
  doc: Document;
  lines: LineCounter;
}

interface Entry {
  key: string;
  keyNode: Node;
  value: unknown;
}

/** Parses an Ansible YAML/JSON inventory; hosts come in order of first appearance (the rolling order). */
export function parseAnsibleYaml(text: string, file: string, opts: AnsibleInventoryOptions = {}): AnsibleInventoryResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, prettyErrors: false, uniqueKeys: false });
  const ctx: YamlCtx = { model: createAnsibleModel(file), doc, lines };
  const position = (offset: number): SourceLocation => ({ file, ...lines.linePos(offset) });
  if (doc.errors.length > 0) {
    const diagnostics = doc.errors.map((e) => errorAt('E_INVENTORY', `YAML syntax error: ${e.message}`, position(e.pos[0])));
    return { hosts: [], diagnostics: sortDiagnostics(diagnostics) };
  }
  for (const w of doc.warnings) ctx.model.diagnostics.push(warningAt('W_INVENTORY', w.message, position(w.pos[0])));
  walkRoot(ctx, doc.contents);
  return resolveAnsibleModel(ctx.model, opts);
}

/** Where a node starts. */
function loc(ctx: YamlCtx, node: unknown): SourceLocation {
  const range = isNode(node) ? node.range : undefined;
  return { file: ctx.model.file, ...ctx.lines.linePos(range?.[0] ?? 0) };
}

/** True for a YAML node. */
function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

/** Follows aliases to the node they name; null for an absent or null value. */
function deref(ctx: YamlCtx, node: unknown): Node | null {
  let current = node;
  for (let hops = 0; isAlias(current) && hops < MAX_NESTING; hops++) current = current.resolve(ctx.doc) ?? null;
  if (!isNode(current) || (isScalar(current) && current.value === null)) return null;
  return current;
}

/** Reports an E_INVENTORY error at a node. */
function fail(ctx: YamlCtx, node: unknown, summary: string, hint?: string): void {
  ctx.model.diagnostics.push(errorAt('E_INVENTORY', summary, loc(ctx, node), hint));
}

/** Reports a W_INVENTORY warning at a node. */
function warn(ctx: YamlCtx, node: unknown, summary: string, hint?: string): void {
  ctx.model.diagnostics.push(warningAt('W_INVENTORY', summary, loc(ctx, node), hint));
}

/** The entries of a mapping in order, `<<` merges expanded (explicit keys win, then earlier merges); duplicates are errors. */
function entries(ctx: YamlCtx, map: YAMLMap, depth = 0): Entry[] {
  const explicit = new Map<string, Entry>();
  const merged: Entry[] = [];
  for (const pair of map.items as Pair[]) {
    if (isScalar(pair.key) && typeof pair.key.value === 'symbol') {
      if (depth < MAX_NESTING) merged.push(...mergeSources(ctx, pair.value, depth));
      continue;
    }
    if (!isScalar(pair.key) || pair.key.value === null) {
      fail(ctx, pair.key ?? map, 'inventory keys must be plain names');
      continue;
    }
    const key = String(pair.key.value);
    const first = explicit.get(key);
    if (first) {
      const summary = `duplicate key \`${key}\` (first at line ${loc(ctx, first.keyNode).line})`;
      fail(ctx, pair.key, summary, 'keys must be unique; merge the two entries');
    } else explicit.set(key, { key, keyNode: pair.key, value: pair.value });
  }
  const out = new Map(explicit);
  for (const e of merged) if (!out.has(e.key)) out.set(e.key, e);
  return [...out.values()];
}

/** The entries contributed by the value of a `<<` key: one mapping or a list of them. */
function mergeSources(ctx: YamlCtx, value: unknown, depth: number): Entry[] {
  const node = deref(ctx, value);
  const sources = isSeq(node) ? node.items.map((item) => deref(ctx, item)) : [node];
  return sources.flatMap((source) => (isMap(source) ? entries(ctx, source, depth + 1) : []));
}

/** Reads the top level: a mapping of groups, normally just `all`. */
function walkRoot(ctx: YamlCtx, contents: unknown): void {
  const root = deref(ctx, contents);
  if (root === null) return;
  if (!isMap(root)) {
    fail(ctx, root, 'an Ansible YAML inventory must be a mapping of groups', 'start it with `all:`');
    return;
  }
  for (const e of entries(ctx, root)) walkGroup(ctx, e, undefined, 0);
}

/** Reads one group entry `name: {hosts, vars, children}` (null allowed), nested under `parent`. */
function walkGroup(ctx: YamlCtx, entry: Entry, parent: string | undefined, depth: number): void {
  const source = loc(ctx, entry.keyNode);
  const group = defineGroup(ctx.model, entry.key, source);
  if (parent !== undefined) addChild(ctx.model, parent, entry.key, source);
  if (depth >= MAX_NESTING) {
    const summary = `groups are nested more than ${MAX_NESTING} deep under \`${entry.key}\``;
    fail(ctx, entry.keyNode, summary, 'look for a recursive YAML alias');
    return;
  }
  const node = deref(ctx, entry.value);
  if (node === null) return;
  if (!isMap(node)) {
    fail(ctx, node, `group \`${entry.key}\` must be a mapping with \`hosts\`, \`vars\` or \`children\``);
    return;
  }
  for (const e of entries(ctx, node)) {
    if (e.key === 'hosts') walkHosts(ctx, entry.key, e.value);
    else if (e.key === 'vars') {
      for (const [k, v] of readVars(ctx, e.value, `vars of group \`${entry.key}\``)) group.vars.set(k, v);
    }
    else if (e.key === 'children') walkChildren(ctx, entry.key, e.value, depth);
    else {
      const hint = 'a group has only `hosts`, `vars` and `children`; a host goes under `hosts:`';
      warn(ctx, e.keyNode, `unexpected key \`${e.key}\` in group \`${entry.key}\` is ignored`, hint);
    }
  }
}

/** Reads `children: {grp: {…}}` of a group. */
function walkChildren(ctx: YamlCtx, parent: string, value: unknown, depth: number): void {
  const node = deref(ctx, value);
  if (node === null) return;
  if (!isMap(node)) {
    const hint = 'write each child as `name:` on its own line';
    fail(ctx, node, `children of group \`${parent}\` must be a mapping of group names`, hint);
    return;
  }
  for (const e of entries(ctx, node)) walkGroup(ctx, e, parent, depth + 1);
}

/** Reads `hosts: {h1: {…}, web[01:03]: null}` of a group. */
function walkHosts(ctx: YamlCtx, group: string, value: unknown): void {
  const node = deref(ctx, value);
  if (node === null) return;
  if (!isMap(node)) {
    const hint = 'write each host as `name:` on its own line under `hosts:`';
    fail(ctx, node, `hosts of group \`${group}\` must be a mapping of host names`, hint);
    return;
  }
  for (const e of entries(ctx, node)) {
    const source = loc(ctx, e.keyNode);
    const pattern = expandHostPattern(e.key, source);
    if ('severity' in pattern) {
      ctx.model.diagnostics.push(pattern);
      continue;
    }
    const body = deref(ctx, e.value);
    if (body !== null && !isMap(body)) {
      const hint = 'e.g. `ansible_host: 10.0.0.5` indented under the host';
      fail(ctx, body, `host \`${e.key}\` must have a mapping of variables or nothing`, hint);
      continue;
    }
    const vars = new Map<string, AnsibleVar>();
    if (pattern.port !== undefined) vars.set('ansible_port', { value: pattern.port, source });
    readVars(ctx, body, `host \`${e.key}\``).forEach((v, k) => vars.set(k, v));
    for (const name of pattern.names) addHost(ctx.model, group, name, vars, source);
  }
}

/** Reads a mapping of scalar variables; other values are left out with a warning. */
function readVars(ctx: YamlCtx, value: unknown, owner: string): Map<string, AnsibleVar> {
  const vars = new Map<string, AnsibleVar>();
  const node = deref(ctx, value);
  if (node === null) return vars;
  if (!isMap(node)) {
    fail(ctx, node, `${owner} must be a mapping of variables`);
    return vars;
  }
  for (const e of entries(ctx, node)) {
    const v = deref(ctx, e.value);
    if (isScalar(v)) {
      vars.set(e.key, { value: scalarValue(v.value, v.type, v.source), source: loc(ctx, e.keyNode) });
      continue;
    }
    const what = v === null ? 'has no value' : isSeq(v) ? 'is a list' : 'is a mapping';
    const hint = 'lrroll variables are scalars (string, number or boolean); quote the value to keep it as a string';
    warn(ctx, e.keyNode, `variable \`${e.key}\` in ${owner} ${what}, so it is left out of vars`, hint);
  }
  return vars;
}

/** Converts a YAML scalar to an inventory value (PyYAML's yes/no/on/off booleans included). */
function scalarValue(value: unknown, type: string | undefined, source: string | undefined): InventoryValue {
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (type === 'PLAIN' && YAML11_TRUE.has(value)) return true;
    if (type === 'PLAIN' && YAML11_FALSE.has(value)) return false;
    return value;
  }
  return source ?? String(value);
}
