/**
 * Ansible inventories, INI format, plus the format-neutral model both Ansible parsers share.
 *
 * Value rules chosen for the INI format (the same in host lines and in [group:vars]):
 * - a quoted value ('...' or "...") is always a string;
 * - an unquoted integer without leading zeros (`22`, `-1`) becomes a number; `007`, `7.4` stay strings;
 * - unquoted true/True/TRUE/yes/Yes/YES and false/False/FALSE/no/No/NO become booleans;
 * - anything else is a string; an empty value (`key=`) is the empty string.
 * Comments: a line whose first non-blank character is `#` or `;`; after content, `#` or `;` preceded by
 * whitespace and outside quotes starts a comment (so quote a value containing ` #`). Backslashes outside
 * quotes are kept literally. A malformed host line is reported once (its first problem) and skipped.
 */
import { errorAt, sortDiagnostics, warningAt } from '../../errors/diagnostics.js';
import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import type { InventoryHost, InventoryValue } from './types.js';
import { closest } from '../../errors/suggest.js';

/** Options of the Ansible inventory parsers. */
export interface AnsibleInventoryOptions {
  /** Return only the hosts of this group (directly or through children). */
  group?: string;
}

/** Result of an Ansible inventory parser: hosts in rolling order and every problem found. */
export interface AnsibleInventoryResult {
  hosts: InventoryHost[];
  diagnostics: Diagnostic[];
}

/** A variable as written in an inventory, with where it was written. */
export interface AnsibleVar {
  value: InventoryValue;
  source: SourceLocation;
}

/** One entry of a group's children list. */
export interface AnsibleChildRef {
  name: string;
  source: SourceLocation;
}

/** One group of an Ansible inventory before variable precedence is applied. */
export interface AnsibleGroup {
  name: string;
  /** True once the group has a declaration of its own ([g], [g:children], or a YAML group entry). */
  defined: boolean;
  /** Where the group is first mentioned. */
  source?: SourceLocation;
  vars: Map<string, AnsibleVar>;
  children: AnsibleChildRef[];
}

/** One host of an Ansible inventory before variable precedence is applied. */
export interface AnsibleHostDecl {
  /** Where the host is first declared. */
  source: SourceLocation;
  /** Groups that list the host directly. */
  groups: Set<string>;
  /** Host variables, merged over all declarations (a later declaration wins). */
  vars: Map<string, AnsibleVar>;
}

/** Groups and hosts read from an Ansible inventory, in file order. */
export interface AnsibleModel {
  file: string;
  groups: Map<string, AnsibleGroup>;
  /** Insertion order is the order of first appearance, i.e. the rolling order. */
  hosts: Map<string, AnsibleHostDecl>;
  diagnostics: Diagnostic[];
}

/** Expanded host pattern: host names and the port written as `name:port`, if any. */
export interface HostPattern {
  names: string[];
  port?: number;
}

const MAX_RANGE_HOSTS = 10000;
const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const GROUP_NAME = /^[^\s[\]:=#;'"]+$/;
const TRUE_WORDS = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO']);

/** Builds a source location. */
function at(file: string, line: number, col: number): SourceLocation {
  return { file, line, col };
}

/** Creates an empty model holding the implicit groups `all` and `ungrouped`. */
export function createAnsibleModel(file: string): AnsibleModel {
  const model: AnsibleModel = { file, groups: new Map(), hosts: new Map(), diagnostics: [] };
  ensureGroup(model, 'all').defined = true;
  ensureGroup(model, 'ungrouped').defined = true;
  return model;
}

/** Returns the group of that name, creating an undefined (merely referenced) one if needed. */
export function ensureGroup(model: AnsibleModel, name: string, source?: SourceLocation): AnsibleGroup {
  let group = model.groups.get(name);
  if (!group) {
    group = { name, defined: false, vars: new Map(), children: [] };
    model.groups.set(name, group);
  }
  if (!group.source && source) group.source = source;
  return group;
}

/** Returns the group of that name and marks it as declared. */
export function defineGroup(model: AnsibleModel, name: string, source: SourceLocation): AnsibleGroup {
  const group = ensureGroup(model, name, source);
  group.defined = true;
  return group;
}

/** Records `child` as a child of `parent` (a repeated entry is ignored). */
export function addChild(model: AnsibleModel, parent: string, child: string, source: SourceLocation): void {
  const group = ensureGroup(model, parent);
  ensureGroup(model, child, source);
  if (!group.children.some((c) => c.name === child)) group.children.push({ name: child, source });
}

/** Adds a host to a group; repeated declarations merge their variables, the later one winning. */
export function addHost(
  model: AnsibleModel,
  group: string,
  name: string,
  vars: ReadonlyMap<string, AnsibleVar>,
  source: SourceLocation,
): void {
  ensureGroup(model, group);
  let host = model.hosts.get(name);
  if (!host) {
    host = { source, groups: new Set(), vars: new Map() };
    model.hosts.set(name, host);
  }
  host.groups.add(group);
  for (const [key, v] of vars) host.vars.set(key, v);
}

// ---------------------------------------------------------------------------------------------
// Host patterns and ranges
// ---------------------------------------------------------------------------------------------

/** Expands an Ansible host pattern (`web[01:03].example.com`, `db-[a:c]`, `host:2222`). */
export function expandHostPattern(pattern: string, source: SourceLocation): HostPattern | Diagnostic {
  const split = splitHostPort(pattern, source);
  if ('severity' in split) return split;
  const segments: string[][] = [];
  let literal = '';
  let i = 0;
  while (i < split.name.length) {
    const ch = split.name.charAt(i);
    if (ch === ']') return rangeError(`unexpected \`]\` in host \`${pattern}\``, source, i);
    if (ch !== '[') {
      literal += ch;
      i += 1;
      continue;
    }
    const close = split.name.indexOf(']', i);
    if (close < 0) return rangeError(`unclosed range in host \`${pattern}\``, source, i);
    const values = expandRange(split.name.slice(i + 1, close), pattern, source, i);
    if (!Array.isArray(values)) return values;
    segments.push([literal], values);
    literal = '';
    i = close + 1;
  }
  segments.push([literal]);
  const names = product(segments);
  if (names.length > MAX_RANGE_HOSTS) {
    return rangeError(`host range \`${pattern}\` expands to more than ${MAX_RANGE_HOSTS} hosts`, source, 0);
  }
  return split.port === undefined ? { names } : { names, port: split.port };
}

/** Splits `name:port`; a name with several colons outside brackets is an IPv6 address, not a port. */
function splitHostPort(pattern: string, source: SourceLocation): { name: string; port?: number } | Diagnostic {
  const colons: number[] = [];
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '[') depth += 1;
    else if (ch === ']') depth -= 1;
    else if (ch === ':' && depth === 0) colons.push(i);
  }
  const colon = colons[0];
  if (colons.length !== 1 || colon === undefined) return { name: pattern };
  const portText = pattern.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) {
    return errorAt(
      'E_INVENTORY',
      `invalid port \`${portText}\` in host \`${pattern}\``,
      { ...source, col: source.col + colon + 1 },
      'write `name:port` with a port from 1 to 65535',
    );
  }
  return { name: pattern.slice(0, colon), port };
}

/** An E_INVENTORY diagnostic for a bad host range, `offset` characters into the host pattern. */
function rangeError(summary: string, source: SourceLocation, offset: number): Diagnostic {
  const hint = 'a range is `[begin:end]` or `[begin:end:step]`, e.g. `web[01:03]` or `db-[a:c]`';
  return errorAt('E_INVENTORY', summary, { ...source, col: source.col + offset }, hint);
}

/** Expands the body of one `[begin:end(:step)]` range, padding like Ansible (`01` pads to the end's width). */
function expandRange(body: string, pattern: string, source: SourceLocation, offset: number): string[] | Diagnostic {
  const bad = (why: string): Diagnostic => rangeError(`bad range \`[${body}]\` in host \`${pattern}\`: ${why}`, source, offset);
  const bounds = body.split(':');
  if (bounds.length < 2 || bounds.length > 3) return bad('expected begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1] ?? '';
  const stepText = bounds[2] ?? '1';
  if (end === '') return bad('the end is missing');
  if (!/^[1-9]\d*$/.test(stepText)) return bad('the step must be a positive integer');
  const step = Number(stepText);
  if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(end)) {
    const from = LETTERS.indexOf(beg);
    const to = LETTERS.indexOf(end);
    if (from > to) return bad('the begin comes after the end');
    return [...LETTERS.slice(from, to + 1)].filter((_, i) => i % step === 0);
  }
  if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return bad('begin and end must both be numbers or both single letters');
  const padded = beg.length > 1 && beg.startsWith('0');
  if (padded && beg.length !== end.length) return bad('a zero-padded begin and its end must have the same width');
  const from = Number(beg);
  const to = Number(end);
  if (from > to) return bad('the begin is greater than the end');
  if ((to - from) / step >= MAX_RANGE_HOSTS) return bad(`it expands to more than ${MAX_RANGE_HOSTS} hosts`);
  const values: string[] = [];
  for (let n = from; n <= to; n += step) values.push(padded ? String(n).padStart(beg.length, '0') : String(n));
  return values;
}

/** Cartesian product of segments, the first segment varying slowest (Ansible's order). */
function product(segments: readonly string[][]): string[] {
  let out = [''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const prefix of out) for (const part of segment) next.push(prefix + part);
    out = next;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Resolution: structure checks, precedence, connection keys, group filter
// ---------------------------------------------------------------------------------------------

/** Checks the group graph, applies Ansible's variable precedence and the group filter. */
export function resolveAnsibleModel(model: AnsibleModel, opts: AnsibleInventoryOptions = {}): AnsibleInventoryResult {
  const diagnostics = model.diagnostics;
  const removed = checkGroups(model);
  const parents = parentsOf(model, removed);
  const depth = depthFunction(parents);
  let hosts = [...model.hosts].map(([name, decl]) => buildHost(model, name, decl, parents, depth));
  if (opts.group !== undefined && opts.group !== 'all') {
    const wanted = opts.group;
    if (model.groups.has(wanted)) hosts = hosts.filter((h) => h.groups.includes(wanted));
    else {
      diagnostics.push(unknownGroup(model, wanted));
      hosts = [];
    }
  }
  return { hosts, diagnostics: sortDiagnostics(unique(diagnostics)) };
}

/** Drops repeated diagnostics (a YAML alias can make the same node be read twice). */
function unique(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.severity, d.code, d.summary, d.source]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Reports undefined children, `all` as a child, vars of undefined groups and cycles; returns edges to ignore. */
function checkGroups(model: AnsibleModel): Set<AnsibleChildRef> {
  const removed = new Set<AnsibleChildRef>();
  const referenced = new Set<string>();
  for (const group of model.groups.values()) {
    for (const ref of group.children) {
      referenced.add(ref.name);
      if (ref.name === 'all') {
        model.diagnostics.push(errorAt('E_INVENTORY', `group \`all\` cannot be a child of \`${group.name}\``, ref.source));
        removed.add(ref);
      } else if (!model.groups.get(ref.name)?.defined) {
        const summary = `group \`${group.name}\` lists child \`${ref.name}\`, which is never defined`;
        const hint = `define \`[${ref.name}]\` or remove the entry; it is treated as an empty group`;
        model.diagnostics.push(warningAt('W_INVENTORY', summary, ref.source, hint));
      }
    }
  }
  for (const group of model.groups.values()) {
    if (group.defined || referenced.has(group.name) || group.vars.size === 0) continue;
    const summary = `variables are set for group \`${group.name}\`, which is never defined`;
    model.diagnostics.push(warningAt('W_INVENTORY', summary, group.source, 'they apply to no host'));
  }
  findCycles(model, removed);
  return removed;
}

/** Depth-first search over children; every edge closing a cycle is an error and is ignored afterwards. */
function findCycles(model: AnsibleModel, removed: Set<AnsibleChildRef>): void {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'open');
    path.push(name);
    for (const ref of model.groups.get(name)?.children ?? []) {
      if (removed.has(ref)) continue;
      const seen = state.get(ref.name);
      if (seen === 'open') {
        const cycle = [...path.slice(path.indexOf(ref.name)), ref.name].join(' -> ');
        const hint = 'a group cannot contain itself, directly or through its children';
        model.diagnostics.push(errorAt('E_INVENTORY', `groups form a cycle: ${cycle}`, ref.source, hint));
        removed.add(ref);
      } else if (seen === undefined) visit(ref.name);
    }
    path.pop();
    state.set(name, 'done');
  };
  for (const name of model.groups.keys()) if (!state.has(name)) visit(name);
}

/** Maps each group to the groups that list it as a child. */
function parentsOf(model: AnsibleModel, removed: ReadonlySet<AnsibleChildRef>): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const group of model.groups.values()) {
    for (const ref of group.children) {
      if (removed.has(ref)) continue;
      const list = parents.get(ref.name) ?? [];
      list.push(group.name);
      parents.set(ref.name, list);
    }
  }
  return parents;
}

/** Ansible's group depth: `all` is 0, a top-level group 1, a child one more than its deepest parent. */
function depthFunction(parents: ReadonlyMap<string, string[]>): (group: string) => number {
  const memo = new Map<string, number>();
  const depth = (group: string): number => {
    if (group === 'all') return 0;
    const known = memo.get(group);
    if (known !== undefined) return known;
    const above = (parents.get(group) ?? []).filter((p) => p !== 'all').map(depth);
    const value = 1 + Math.max(0, ...above);
    memo.set(group, value);
    return value;
  };
  return depth;
}

/** Every group a host belongs to (direct groups and their ancestors), never `all`, sorted by name. */
function membership(decl: AnsibleHostDecl, parents: ReadonlyMap<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [...decl.groups];
  for (let g = queue.shift(); g !== undefined; g = queue.shift()) {
    if (seen.has(g)) continue;
    seen.add(g);
    queue.push(...(parents.get(g) ?? []));
  }
  seen.delete('all');
  if (seen.size > 1) seen.delete('ungrouped');
  if (seen.size === 0) seen.add('ungrouped');
  return [...seen].sort(byName);
}

/** Plain code-point comparison, as Python's sort uses. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface RankedVar extends AnsibleVar {
  rank: number;
}

/** Resolves one host: precedence all < shallower group < deeper group (ties: later name) < host vars. */
function buildHost(
  model: AnsibleModel,
  name: string,
  decl: AnsibleHostDecl,
  parents: ReadonlyMap<string, string[]>,
  depth: (group: string) => number,
): InventoryHost {
  const groups = membership(decl, parents);
  const ordered = ['all', ...[...groups].sort((a, b) => depth(a) - depth(b) || byName(a, b))];
  const merged = new Map<string, RankedVar>();
  ordered.forEach((g, rank) => {
    for (const [key, v] of model.groups.get(g)?.vars ?? []) merged.set(key, { ...v, rank });
  });
  for (const [key, v] of decl.vars) merged.set(key, { ...v, rank: ordered.length });
  const host: InventoryHost = { name, vars: {}, groups, source: decl.source };
  applyConnectionVars(host, merged, model.diagnostics);
  for (const [key, v] of merged) host.vars[key] = v.value;
  return host;
}

type ConnectionField = 'host' | 'port' | 'user' | 'identityFile';

const CONNECTION_KEYS: ReadonlyArray<{ field: ConnectionField; names: readonly string[] }> = [
  { field: 'host', names: ['ansible_host'] },
  { field: 'port', names: ['ansible_port', 'ansible_ssh_port'] },
  { field: 'user', names: ['ansible_user', 'ansible_ssh_user'] },
  { field: 'identityFile', names: ['ansible_ssh_private_key_file', 'ansible_private_key_file'] },
];

/** Moves the ansible_* connection keys out of `merged` onto the host; among aliases the higher precedence wins. */
function applyConnectionVars(host: InventoryHost, merged: Map<string, RankedVar>, diagnostics: Diagnostic[]): void {
  for (const { field, names } of CONNECTION_KEYS) {
    let best: { key: string; v: RankedVar } | undefined;
    for (const key of names) {
      const v = merged.get(key);
      if (v && (!best || v.rank > best.v.rank)) best = { key, v };
      merged.delete(key);
    }
    if (!best) continue;
    const { key, v } = best;
    const got = `got \`${String(v.value)}\``;
    if (field === 'port') {
      const port = toPort(v.value);
      if (port === undefined) {
        diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a port number from 1 to 65535, ${got}`, v.source));
      } else host.port = port;
    } else if (typeof v.value === 'boolean') {
      diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a string, ${got}`, v.source));
    } else host[field] = String(v.value);
  }
}

/** A port number from a number or a string of digits, or undefined. */
function toPort(value: InventoryValue): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? n : undefined;
}

/** The error for an unknown `opts.group`, listing the groups that exist. */
function unknownGroup(model: AnsibleModel, wanted: string): Diagnostic {
  const names = [...model.groups.keys()].filter((g) => g !== 'ungrouped' || hasUngrouped(model)).sort(byName);
  const near = closest(wanted, names);
  const list = `groups in ${model.file}: ${names.join(', ')}`;
  const hint = near ? `did you mean \`${near}\`? ${list}` : list;
  return errorAt('E_INVENTORY', `group \`${wanted}\` is not defined in ${model.file}`, undefined, hint);
}

/** True when some host ends up in `ungrouped`. */
function hasUngrouped(model: AnsibleModel): boolean {
  return [...model.hosts.values()].some((h) => [...h.groups].every((g) => g === 'all' || g === 'ungrouped'));
}

// ---------------------------------------------------------------------------------------------
// INI parser
// ---------------------------------------------------------------------------------------------

interface IniState {
  kind: 'hosts' | 'vars' | 'children' | 'skip';
  group: string;
}

interface IniLine {
  model: AnsibleModel;
  /** The line with surrounding whitespace removed. */
  body: string;
  line: number;
  /** 1-based column of the first character of `body`. */
  col: number;
}

interface Token {
  raw: string;
  col: number;
}

/** Parses an Ansible INI inventory; hosts come in order of first appearance (the rolling order). */
export function parseAnsibleIni(text: string, file: string, opts: AnsibleInventoryOptions = {}): AnsibleInventoryResult {
  const model = createAnsibleModel(file);
  let state: IniState = { kind: 'hosts', group: 'ungrouped' };
  text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/).forEach((raw, index) => {
    const body = raw.trim();
    if (body === '' || body.startsWith('#') || body.startsWith(';')) return;
    const ctx: IniLine = { model, body, line: index + 1, col: raw.length - raw.trimStart().length + 1 };
    if (body.startsWith('[')) state = parseSectionHeader(ctx);
    else if (state.kind === 'hosts') parseHostLine(ctx, state.group);
    else if (state.kind === 'vars') parseVarsLine(ctx, state.group);
    else if (state.kind === 'children') parseChildLine(ctx, state.group);
  });
  return resolveAnsibleModel(model, opts);
}

/** Reports an INI error `offset` characters into the line body. */
function iniError(ctx: IniLine, summary: string, offset = 0, hint?: string): void {
  ctx.model.diagnostics.push(errorAt('E_INVENTORY', summary, at(ctx.model.file, ctx.line, ctx.col + offset), hint));
}

/** Parses `[group]`, `[group:vars]` or `[group:children]`; after a bad header the section is skipped. */
function parseSectionHeader(ctx: IniLine): IniState {
  const skip: IniState = { kind: 'skip', group: '' };
  const hint = 'sections are `[group]`, `[group:vars]` or `[group:children]`';
  const close = ctx.body.indexOf(']');
  if (close < 0) {
    iniError(ctx, `unclosed section header \`${ctx.body}\``, 0, 'close it with `]`, e.g. `[liferay]`');
    return skip;
  }
  const after = ctx.body.slice(close + 1);
  const rest = after.trimStart();
  if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
    iniError(ctx, `unexpected text \`${rest}\` after section header`, close + 1 + after.length - rest.length, hint);
    return skip;
  }
  const [name = '', kind, ...extra] = ctx.body.slice(1, close).split(':');
  if (!GROUP_NAME.test(name) || extra.length > 0) {
    iniError(ctx, `malformed section header \`${ctx.body.slice(0, close + 1)}\``, 0, hint);
    return skip;
  }
  const source = at(ctx.model.file, ctx.line, ctx.col + 1);
  if (kind === undefined || kind === 'children') {
    defineGroup(ctx.model, name, source);
    return { kind: kind === undefined ? 'hosts' : 'children', group: name };
  }
  if (kind !== 'vars') {
    iniError(ctx, `unknown section type \`:${kind}\``, name.length + 2, hint);
    return skip;
  }
  ensureGroup(ctx.model, name, source);
  return { kind: 'vars', group: name };
}

/** Parses `name[range][:port] key=value key2="quoted value" # comment`. */
function parseHostLine(ctx: IniLine, group: string): void {
  const tokens = tokenize(ctx);
  const first = tokens?.[0];
  if (!tokens || !first) return;
  const before = ctx.model.diagnostics.length;
  const source = at(ctx.model.file, ctx.line, ctx.col + first.col);
  if (assignmentIndex(first.raw) >= 0 || /['"]/.test(first.raw)) {
    const hint = 'host lines are `name key=value ...`; variables for a whole group go in `[group:vars]`';
    iniError(ctx, `malformed host line: \`${first.raw}\` is not a host name`, first.col, hint);
    return;
  }
  const pattern = expandHostPattern(first.raw, source);
  if ('severity' in pattern) ctx.model.diagnostics.push(pattern);
  const vars = new Map<string, AnsibleVar>();
  if (!('severity' in pattern) && pattern.port !== undefined) vars.set('ansible_port', { value: pattern.port, source });
  for (const token of tokens.slice(1)) {
    if (ctx.model.diagnostics.length > before) return;
    readAssignment(ctx, token, vars);
  }
  if ('severity' in pattern || ctx.model.diagnostics.length > before) return;
  for (const name of pattern.names) addHost(ctx.model, group, name, vars, source);
}

/** Reads one `key=value` token of a host line into `vars`, reporting a malformed one. */
function readAssignment(ctx: IniLine, token: Token, vars: Map<string, AnsibleVar>): void {
  const eq = assignmentIndex(token.raw);
  if (eq < 0) {
    iniError(ctx, `malformed host line: expected key=value, got \`${token.raw}\``, token.col);
    return;
  }
  const key = unquote(token.raw.slice(0, eq));
  if (key === '') {
    iniError(ctx, `\`${token.raw}\` has no variable name before \`=\``, token.col, 'write `key=value`');
    return;
  }
  const rawValue = token.raw.slice(eq + 1);
  const value = /['"]/.test(rawValue) ? unquote(rawValue) : parseIniScalar(rawValue);
  vars.set(key, { value, source: at(ctx.model.file, ctx.line, ctx.col + token.col) });
}

/** Splits a host line into shell-like tokens (columns are 0-based offsets in the body); undefined on error. */
function tokenize(ctx: IniLine): Token[] | undefined {
  const { body } = ctx;
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    if (/\s/.test(body.charAt(i))) {
      i += 1;
      continue;
    }
    if (body.charAt(i) === '#' || body.charAt(i) === ';') break;
    const start = i;
    while (i < body.length && !/\s/.test(body.charAt(i))) {
      const ch = body.charAt(i);
      if (ch === '"' || ch === "'") {
        const close = closingQuote(body, i);
        if (close < 0) {
          iniError(ctx, `unterminated quote \`${ch}\``, i, `close it with \`${ch}\``);
          return undefined;
        }
        i = close;
      }
      i += 1;
    }
    tokens.push({ raw: body.slice(start, i), col: start });
  }
  return tokens;
}

/** Index of the quote closing the one at `open` (backslash escapes inside double quotes), or -1. */
function closingQuote(text: string, open: number): number {
  const quote = text.charAt(open);
  for (let i = open + 1; i < text.length; i++) {
    const ch = text.charAt(i);
    if (quote === '"' && ch === '\\') i += 1;
    else if (ch === quote) return i;
  }
  return -1;
}

/** Index of the first `=` outside quotes, or -1. */
function assignmentIndex(raw: string): number {
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (ch === '=') return i;
    if (ch === '"' || ch === "'") i = Math.max(i, closingQuote(raw, i));
  }
  return -1;
}

/** Removes quotes from a token: '...' is literal, "..." honours `\"` and `\\`, unquoted text is kept. */
function unquote(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charAt(i);
    if (ch !== '"' && ch !== "'") {
      out += ch;
      continue;
    }
    const close = closingQuote(raw, i);
    const inner = raw.slice(i + 1, close < 0 ? raw.length : close);
    out += ch === '"' ? inner.replace(/\\(["\\])/g, '$1') : inner;
    i = close < 0 ? raw.length : close;
  }
  return out;
}

/** Parses an unquoted INI value: integers become numbers, true/false/yes/no words booleans, else a string. */
export function parseIniScalar(raw: string): InventoryValue {
  if (/^[-+]?(0|[1-9]\d*)$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  return raw;
}

/** Parses `key = value` in a `[group:vars]` section. */
function parseVarsLine(ctx: IniLine, group: string): void {
  const eq = ctx.body.indexOf('=');
  if (eq < 0) {
    iniError(ctx, `malformed line in \`[${group}:vars]\`: expected key=value, got \`${ctx.body}\``);
    return;
  }
  const key = ctx.body.slice(0, eq).trim();
  if (key === '') {
    iniError(ctx, `\`${ctx.body}\` has no variable name before \`=\``, 0, 'write `key=value`');
    return;
  }
  if (/\s/.test(key)) {
    iniError(ctx, `malformed line in \`[${group}:vars]\`: variable name \`${key}\` contains whitespace`);
    return;
  }
  const afterEq = ctx.body.slice(eq + 1);
  const text = afterEq.trimStart();
  const value = parseVarsValue(ctx, text, eq + 1 + afterEq.length - text.length);
  if (value === undefined) return;
  const source = at(ctx.model.file, ctx.line, ctx.col);
  ensureGroup(ctx.model, group).vars.set(key, { value, source });
}

/** Parses the value part of a vars line starting at `offset`; undefined after reporting an error. */
function parseVarsValue(ctx: IniLine, text: string, offset: number): InventoryValue | undefined {
  const quote = text.charAt(0);
  if (quote !== '"' && quote !== "'") return parseIniScalar(text.replace(/\s[#;].*$/, '').trim());
  const close = closingQuote(text, 0);
  if (close < 0) {
    iniError(ctx, `unterminated quote \`${quote}\``, offset, `close it with \`${quote}\``);
    return undefined;
  }
  const rest = text.slice(close + 1).trimStart();
  if (rest !== '' && !rest.startsWith('#') && !rest.startsWith(';')) {
    iniError(ctx, `unexpected text \`${rest}\` after quoted value`, offset + text.length - rest.length);
    return undefined;
  }
  return unquote(text.slice(0, close + 1));
}

/** Parses one group name in a `[group:children]` section. */
function parseChildLine(ctx: IniLine, group: string): void {
  const name = ctx.body.replace(/\s+[#;].*$/, '');
  if (!GROUP_NAME.test(name)) {
    iniError(ctx, `malformed line in \`[${group}:children]\`: expected one group name, got \`${name}\``);
    return;
  }
  addChild(ctx.model, group, name, at(ctx.model.file, ctx.line, ctx.col));
}
