/**
 * Ansible inventories, YAML (and JSON) format: `all: {hosts: …, vars: …, children: {grp: {…}}}`,
 * read as Ansible's `yaml` inventory plugin reads them: values resolved by PyYAML's YAML 1.1 rules
 * (yaml-values.ts), merge keys and anchors, a string under `hosts`/`children`/`vars` taken as one
 * name, and the same warnings for keys Ansible skips.
 */
import { isMap, isScalar } from 'yaml';
import { errorAt, warningAt } from '../../errors/diagnostics.js';
import { expandHostPattern } from './host-pattern.js';
import { addChild, addHosts, createAnsibleModel, defineGroup, setGroupVar } from './model.js';
import type { AnsibleModel, AnsibleVar } from './model.js';
import { deref, entries, loc, parseAnsibleYamlText, toVarValue } from './yaml-values.js';
import type { YamlEntry, YamlSource } from './yaml-values.js';

const MAX_NESTING = 64;

interface YamlCtx extends YamlSource {
  model: AnsibleModel;
}

/** Reads an Ansible YAML/JSON inventory into the model; hosts come in order of first appearance (the rolling order). */
export function readAnsibleYaml(text: string, file: string): AnsibleModel {
  const model = createAnsibleModel(file);
  const parsed = parseAnsibleYamlText(text, file);
  const ctx: YamlCtx = { ...parsed, model, diagnostics: model.diagnostics };
  model.diagnostics.push(...parsed.diagnostics);
  if (!parsed.ok) return model;
  const root = deref(ctx, parsed.doc.contents);
  if (root === null) return model;
  if (!isMap(root)) {
    fail(ctx, root, 'an Ansible YAML inventory must be a mapping of groups', 'start it with `all:`');
    return model;
  }
  for (const e of entries(ctx, root)) walkGroup(ctx, e, undefined, 0);
  return model;
}

/** Reads one section of variables (`vars:` of a group, or a host's mapping) into a map. */
export function readYamlVars(src: YamlSource, value: unknown, owner: string): Map<string, AnsibleVar> {
  const vars = new Map<string, AnsibleVar>();
  const node = deref(src, value);
  if (node === null) return vars;
  if (!isMap(node)) {
    src.diagnostics.push(errorAt('E_INVENTORY', `${owner} must be a mapping of variables`, loc(src, node)));
    return vars;
  }
  for (const e of entries(src, node)) {
    const r = toVarValue(src, e.value);
    const source = loc(src, e.keyNode);
    if (r.unsafe) {
      // Only a scalar can be unsafe: keep the text as written.
      const scalar = deref(src, e.value);
      src.diagnostics.push(
        warningAt(
          'W_INVENTORY',
          `the number in \`${e.key}\` is too large or not finite here; it is kept as text`,
          source,
        ),
      );
      vars.set(e.key, { value: isScalar(scalar) ? String(scalar.value) : null, source });
      continue;
    }
    vars.set(e.key, { value: r.value, source, ...(r.vault ? { vault: true } : {}) });
  }
  return vars;
}

function fail(ctx: YamlCtx, node: unknown, summary: string, hint?: string): void {
  ctx.model.diagnostics.push(errorAt('E_INVENTORY', summary, loc(ctx, node), hint));
}

function warn(ctx: YamlCtx, node: unknown, summary: string, hint?: string): void {
  ctx.model.diagnostics.push(warningAt('W_INVENTORY', summary, loc(ctx, node), hint));
}

/** A section written as one name (`hosts: web1`) means `{web1: null}`, as in Ansible. */
function sectionEntries(ctx: YamlCtx, group: string, section: YamlEntry): YamlEntry[] | undefined {
  const node = deref(ctx, section.value);
  if (node === null) return [];
  if (isScalar(node)) return [{ key: String(node.value), keyNode: node, value: null }];
  if (isMap(node)) return entries(ctx, node);
  fail(
    ctx,
    node,
    `\`${section.key}\` of group \`${group}\` must be a mapping`,
    section.key === 'hosts'
      ? 'write each host as `name:` on its own line under `hosts:`'
      : 'write each name as `name:` on its own line',
  );
  return undefined;
}

/** Reads one group entry `name: {hosts, vars, children}` (null allowed), nested under `parent`. */
function walkGroup(ctx: YamlCtx, entry: YamlEntry, parent: string | undefined, depth: number): void {
  const node = deref(ctx, entry.value);
  if (node !== null && !isMap(node)) {
    warn(
      ctx,
      entry.keyNode,
      `\`${entry.key}\` is skipped: a group must be a mapping with \`hosts\`, \`vars\` or \`children\``,
      'Ansible skips it too',
    );
    return;
  }
  const source = loc(ctx, entry.keyNode);
  defineGroup(ctx.model, entry.key, source);
  if (parent !== undefined) addChild(ctx.model, parent, entry.key, source);
  if (depth >= MAX_NESTING) {
    fail(
      ctx,
      entry.keyNode,
      `groups are nested more than ${MAX_NESTING} deep under \`${entry.key}\``,
      'look for a recursive YAML alias',
    );
    return;
  }
  if (node === null) return;
  for (const e of entries(ctx, node)) {
    if (e.key !== 'hosts' && e.key !== 'vars' && e.key !== 'children') {
      warn(
        ctx,
        e.keyNode,
        `unexpected key \`${e.key}\` in group \`${entry.key}\` is ignored`,
        'a group has only `hosts`, `vars` and `children`, as in Ansible; a host goes under `hosts:`',
      );
      continue;
    }
    if (e.key === 'vars') {
      for (const [k, v] of readYamlVars(ctx, e.value, `vars of group \`${entry.key}\``))
        setGroupVar(ctx.model, entry.key, k, v);
      continue;
    }
    const list = sectionEntries(ctx, entry.key, e) ?? [];
    if (e.key === 'children') for (const child of list) walkGroup(ctx, child, entry.key, depth + 1);
    else for (const host of list) walkHost(ctx, entry.key, host);
  }
}

/** Reads one entry under `hosts:` (a name or a pattern such as `web[01:03]`, with its variables). */
function walkHost(ctx: YamlCtx, group: string, e: YamlEntry): void {
  const source = loc(ctx, e.keyNode);
  const pattern = expandHostPattern(e.key, source);
  if ('severity' in pattern) {
    ctx.model.diagnostics.push(pattern);
    return;
  }
  const body = deref(ctx, e.value);
  if (body !== null && !isMap(body)) {
    fail(
      ctx,
      body,
      `host \`${e.key}\` must have a mapping of variables or nothing`,
      'e.g. `ansible_host: 10.0.0.5` indented under the host',
    );
    return;
  }
  const vars = new Map<string, AnsibleVar>();
  if (pattern.port !== undefined) vars.set('ansible_port', { value: pattern.port, source });
  readYamlVars(ctx, body, `host \`${e.key}\``).forEach((v, k) => vars.set(k, v));
  addHosts(ctx.model, group, pattern.names, vars, source);
}
