/**
 * Resolution of an Ansible inventory model: structure checks (undefined children, cycles, depth),
 * group membership, and variable precedence exactly as Ansible's VariableManager applies it:
 *
 *   `all` group vars (inventory file) < the host's groups' vars (inventory file), by depth, then
 *   `ansible_group_priority`, then name < group_vars/all < group_vars/<group> in the same order <
 *   host vars (inventory file) < host_vars/<host>.
 *
 * Every walk over the group graph is iterative, so a hostile `children` chain cannot overflow the stack.
 */
import { errorAt, sortDiagnostics, warningAt } from '../../errors/diagnostics.js';
import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import { closest } from '../../errors/suggest.js';
import { INVENTORY_LIMITS } from './model.js';
import type {
  AnsibleChildRef,
  AnsibleHostDecl,
  AnsibleInventoryOptions,
  AnsibleModel,
  AnsibleVar,
  VarMap,
} from './model.js';

/** Variables from `group_vars/` and `host_vars/` next to the inventory, one merged map per group or host. */
export interface VarsFiles {
  groups: Map<string, VarMap>;
  hosts: Map<string, VarMap>;
}

/** One host after precedence: every variable Ansible would give it, with where each was set. */
export interface ResolvedHost {
  /** The inventory name (Ansible's inventory_hostname). */
  name: string;
  /** Every group the host belongs to, parents included (never `all`), sorted by name. */
  groups: string[];
  vars: Map<string, AnsibleVar>;
  /** Where the host is first declared. */
  source: SourceLocation;
}

/** A resolved inventory: hosts in rolling order (first appearance) and every problem found. */
export interface ResolvedInventory {
  hosts: ResolvedHost[];
  diagnostics: Diagnostic[];
}

/** Checks the group graph, applies Ansible's variable precedence and the group filter. */
export function resolveAnsibleModel(
  model: AnsibleModel,
  opts: AnsibleInventoryOptions = {},
  files?: VarsFiles,
): ResolvedInventory {
  const removed = checkGroups(model);
  const parents = parentsOf(model, removed);
  const depth = groupDepths(model, parents, removed);
  if (depth === undefined) return { hosts: [], diagnostics: sortDiagnostics(unique(model.diagnostics)) };
  if (files) warnUnusedVarsFiles(model, files);
  const wanted = opts.group ?? 'all';
  if (!model.groups.has(wanted)) {
    model.diagnostics.push(unknownGroup(model, wanted, opts.groupSource));
    return { hosts: [], diagnostics: sortDiagnostics(unique(model.diagnostics)) };
  }
  const hosts = ansibleHostOrder(model, parents, removed, wanted).map((name): ResolvedHost => {
    const decl = model.hosts.get(name) as AnsibleHostDecl;
    const groups = membership(decl.groups, parents);
    return { name, groups, vars: precedence(model, name, groups, depth, files), source: decl.source };
  });
  return { hosts, diagnostics: sortDiagnostics(unique(model.diagnostics)) };
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
        model.diagnostics.push(
          errorAt('E_INVENTORY', `group \`all\` cannot be a child of \`${group.name}\``, ref.source),
        );
        removed.add(ref);
      } else if (!model.groups.get(ref.name)?.defined) {
        const summary = `group \`${group.name}\` lists child \`${ref.name}\`, which is never defined`;
        model.diagnostics.push(
          warningAt(
            'W_INVENTORY',
            summary,
            ref.source,
            `define \`[${ref.name}]\` or remove the entry; it is treated as an empty group`,
          ),
        );
      }
    }
  }
  for (const group of model.groups.values()) {
    if (group.defined || referenced.has(group.name) || group.vars.size === 0) continue;
    model.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `variables are set for group \`${group.name}\`, which is never defined`,
        group.source,
        'they apply to no host',
      ),
    );
  }
  findCycles(model, removed);
  return removed;
}

/**
 * Depth-first search over children with an explicit stack; every edge closing a cycle is an error and is ignored
 * afterwards.
 */
function findCycles(model: AnsibleModel, removed: Set<AnsibleChildRef>): void {
  const state = new Map<string, 'open' | 'done'>();
  for (const root of model.groups.keys()) {
    if (state.has(root)) continue;
    const stack: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { name: string; next: number };
      const ref = model.groups.get(top.name)?.children[top.next];
      if (!ref) {
        state.set(top.name, 'done');
        stack.pop();
        continue;
      }
      top.next += 1;
      if (removed.has(ref)) continue;
      const seen = state.get(ref.name);
      if (seen === 'open') {
        const path = stack.map((s) => s.name);
        const cycle = [...path.slice(path.indexOf(ref.name)), ref.name];
        const shown =
          cycle.length > 12 ? [...cycle.slice(0, 5), `… (${cycle.length - 10} more)`, ...cycle.slice(-5)] : cycle;
        model.diagnostics.push(
          errorAt(
            'E_INVENTORY',
            `groups form a cycle: ${shown.join(' -> ')}`,
            ref.source,
            'a group cannot contain itself, directly or through its children',
          ),
        );
        removed.add(ref);
      } else if (seen === undefined) {
        state.set(ref.name, 'open');
        stack.push({ name: ref.name, next: 0 });
      }
    }
  }
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

/**
 * Ansible's group depth: `all` is 0, a top-level group 1, a child one more than its deepest parent
 * (longest path, in topological order). Undefined, after an error, when groups nest too deep.
 */
function groupDepths(
  model: AnsibleModel,
  parents: ReadonlyMap<string, string[]>,
  removed: ReadonlySet<AnsibleChildRef>,
): Map<string, number> | undefined {
  const depth = new Map<string, number>();
  const waiting = new Map<string, number>();
  for (const name of model.groups.keys()) waiting.set(name, (parents.get(name) ?? []).length);
  const ready = [...model.groups.keys()].filter((name) => waiting.get(name) === 0);
  for (const name of ready) depth.set(name, name === 'all' ? 0 : 1);
  for (let i = 0; i < ready.length; i++) {
    const name = ready[i] as string;
    const below = (depth.get(name) ?? 1) + 1;
    if (below - 1 > INVENTORY_LIMITS.groupDepth) {
      const summary = `groups are nested more than ${INVENTORY_LIMITS.groupDepth} deep (at \`${name}\`)`;
      model.diagnostics.push(
        errorAt('E_INVENTORY', summary, model.groups.get(name)?.source, 'flatten the `children` hierarchy'),
      );
      return undefined;
    }
    for (const ref of model.groups.get(name)?.children ?? []) {
      if (removed.has(ref)) continue;
      if (name !== 'all') depth.set(ref.name, Math.max(depth.get(ref.name) ?? 1, below));
      const left = (waiting.get(ref.name) ?? 1) - 1;
      waiting.set(ref.name, left);
      if (left === 0) ready.push(ref.name);
    }
  }
  return depth;
}

/**
 * The hosts of a group in Ansible's order (`Group.get_hosts`): the group's own hosts in the order they
 * were added, then those of its children, level by level. `all` has `ungrouped`, its explicit children,
 * then every group without a parent, in the order the groups were created. (Below the first level
 * Ansible walks a Python set, so its order there is arbitrary; lrroll keeps the written order.)
 */
function ansibleHostOrder(
  model: AnsibleModel,
  parents: ReadonlyMap<string, string[]>,
  removed: ReadonlySet<AnsibleChildRef>,
  root: string,
): string[] {
  const childrenOf = (g: string): string[] => {
    const own = (model.groups.get(g)?.children ?? []).filter((ref) => !removed.has(ref)).map((ref) => ref.name);
    if (g !== 'all') return own;
    const parentless = [...model.groups.keys()].filter(
      (name) => name !== 'all' && (parents.get(name) ?? []).length === 0,
    );
    return [...new Set(['ungrouped', ...own, ...parentless])];
  };
  const ordered = [root];
  const seen = new Set(ordered);
  for (let level = [root]; level.length > 0;) {
    const next: string[] = [];
    for (const g of level) {
      for (const c of childrenOf(g)) {
        if (seen.has(c)) continue;
        seen.add(c);
        ordered.push(c);
        next.push(c);
      }
    }
    level = next;
  }
  const hosts = new Set<string>();
  for (const g of ordered)
    for (const h of g === 'ungrouped' ? ungroupedHosts(model) : (model.groups.get(g)?.hosts ?? [])) hosts.add(h);
  return [...hosts];
}

/**
 * Ansible's `ungrouped` after reconciling: hosts written there or only under `all`, unless they belong to another
 * group.
 */
function ungroupedHosts(model: AnsibleModel): string[] {
  const alone = (name: string): boolean =>
    [...(model.hosts.get(name)?.groups ?? [])].every((g) => g === 'all' || g === 'ungrouped');
  const written = (model.groups.get('ungrouped')?.hosts ?? []).filter(alone);
  return [...new Set([...written, ...[...model.hosts.keys()].filter(alone)])];
}

/** Every group a host belongs to (direct groups and their ancestors), never `all`, sorted by name. */
function membership(direct: ReadonlySet<string>, parents: ReadonlyMap<string, string[]>): string[] {
  const seen = new Set<string>();
  const queue = [...direct];
  for (let i = 0; i < queue.length; i++) {
    const g = queue[i] as string;
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

/** A host's variables after Ansible's precedence (see the file comment). */
function precedence(
  model: AnsibleModel,
  host: string,
  groups: readonly string[],
  depth: ReadonlyMap<string, number>,
  files: VarsFiles | undefined,
): Map<string, AnsibleVar> {
  const priority = (g: string): number => model.groups.get(g)?.priority ?? 1;
  const ordered = [
    'all',
    ...[...groups].sort(
      (a, b) => (depth.get(a) ?? 1) - (depth.get(b) ?? 1) || priority(a) - priority(b) || byName(a, b),
    ),
  ];
  const merged = new Map<string, AnsibleVar>();
  const layer = (vars: VarMap | undefined): void => {
    for (const [key, v] of vars ?? []) merged.set(key, v);
  };
  for (const g of ordered) layer(model.groups.get(g)?.vars);
  for (const g of ordered) layer(files?.groups.get(g));
  layer(model.hosts.get(host)?.vars);
  layer(files?.hosts.get(host));
  return merged;
}

/** group_vars/host_vars files that match no group or host are ignored, as Ansible does; a typo deserves a warning. */
function warnUnusedVarsFiles(model: AnsibleModel, files: VarsFiles): void {
  const report = (kind: 'group' | 'host', name: string, vars: VarMap, known: string[]): void => {
    const first = vars.values().next().value as AnsibleVar | undefined;
    const near = closest(name, known);
    const hint = `Ansible ignores it too${near ? `; did you mean \`${near}\`?` : ''}`;
    model.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `${kind}_vars for \`${name}\`, which is not a ${kind} of the inventory`,
        first?.source,
        hint,
      ),
    );
  };
  for (const [name, vars] of files.groups)
    if (!model.groups.has(name) && vars.size > 0) report('group', name, vars, [...model.groups.keys()]);
  for (const [name, vars] of files.hosts)
    if (!model.hosts.has(name) && vars.size > 0) report('host', name, vars, [...model.hosts.keys()]);
}

/** The error for an unknown `opts.group`, listing the groups that exist. */
function unknownGroup(model: AnsibleModel, wanted: string, source: SourceLocation | undefined): Diagnostic {
  const names = [...model.groups.keys()].filter((g) => g !== 'ungrouped' || hasUngrouped(model)).sort(byName);
  const near = closest(wanted, names);
  const shown = names.length > 30 ? [...names.slice(0, 30), `… (${names.length - 30} more)`] : names;
  const list = `groups in ${model.file}: ${shown.join(', ')}`;
  return errorAt(
    'E_INVENTORY',
    `group \`${wanted}\` is not defined in ${model.file}`,
    source,
    near ? `did you mean \`${near}\`? ${list}` : list,
  );
}

/** True when some host ends up in `ungrouped`. */
function hasUngrouped(model: AnsibleModel): boolean {
  return [...model.hosts.values()].some((h) => [...h.groups].every((g) => g === 'all' || g === 'ungrouped'));
}
