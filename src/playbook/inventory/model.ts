/**
 * The format-neutral model of an Ansible inventory, as its INI and YAML parsers fill it: groups,
 * children, hosts and variables exactly as written, before precedence is applied (resolve.ts).
 */
import { errorAt } from '../../errors/diagnostics.js';
import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';

/** A variable's value as Ansible holds it: any JSON value (INI values go through Python's literal_eval). */
export type VarValue = string | number | boolean | null | VarValue[] | { [key: string]: VarValue };

/** A variable as written in an inventory or a vars file, with where it was written. */
export interface AnsibleVar {
  value: VarValue;
  source: SourceLocation;
  /**
   * True for an Ansible Vault value (`!vault |` or a vault-encrypted vars file) still encrypted: `value` is the vault
   * text.
   */
  vault?: boolean;
  /** True once a vault value was decrypted: the value must never be printed or put into a plan. */
  secret?: boolean;
  /** Why a vault value could not be decrypted, and what to do. */
  vaultError?: { error: string; hint: string };
}

/** Variables by name, in the order they were written. */
export type VarMap = Map<string, AnsibleVar>;

/** One entry of a group's children list. */
export interface AnsibleChildRef {
  name: string;
  source: SourceLocation;
}

/** One group of an Ansible inventory before variable precedence is applied. */
interface AnsibleGroup {
  name: string;
  /** True once the group has a declaration of its own ([g], [g:children], or a YAML group entry). */
  defined: boolean;
  /** Where the group is first mentioned. */
  source?: SourceLocation;
  vars: VarMap;
  children: AnsibleChildRef[];
  /** Hosts listed directly in the group, in the order they were added (Ansible's order within a group). */
  hosts: string[];
  /** `ansible_group_priority` (Ansible keeps it out of the group's vars): breaks ties between groups of one depth. */
  priority: number;
}

/** One host of an Ansible inventory before variable precedence is applied. */
export interface AnsibleHostDecl {
  /** Where the host is first declared. */
  source: SourceLocation;
  /** Groups that list the host directly, in order. */
  groups: Set<string>;
  /** Host variables, merged over all declarations (a later declaration wins). */
  vars: VarMap;
}

/** Groups and hosts read from an Ansible inventory, in file order. */
export interface AnsibleModel {
  file: string;
  groups: Map<string, AnsibleGroup>;
  /** Insertion order is the order of first appearance, i.e. the rolling order. */
  hosts: Map<string, AnsibleHostDecl>;
  diagnostics: Diagnostic[];
}

/** Options of the Ansible inventory readers. */
export interface AnsibleInventoryOptions {
  /** Return only the hosts of this group (directly or through children). */
  group?: string;
  /** Where `group` is written (the playbook's `inventory.group`): an unknown group is reported there. */
  groupSource?: SourceLocation;
}

/** Bounds that keep a hostile or careless inventory from exhausting memory or the call stack. */
export const INVENTORY_LIMITS = {
  /** Hosts one host pattern (all its ranges together) may produce. */
  hostsPerPattern: 10_000,
  /** Hosts a whole inventory may hold. */
  hosts: 100_000,
  /** Digits in a numeric range bound (`[1:999999]` has 6). */
  rangeDigits: 6,
  /** Levels of groups inside groups (`all` is level 0). */
  groupDepth: 1_000,
} as const;

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
    group = { name, defined: false, vars: new Map(), children: [], hosts: [], priority: 1 };
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

/**
 * Sets a group variable as Ansible's `Group.set_variable` does: `ansible_group_priority` becomes the group's priority.
 */
export function setGroupVar(model: AnsibleModel, group: string, key: string, v: AnsibleVar): void {
  const g = ensureGroup(model, group, v.source);
  if (key !== 'ansible_group_priority') {
    g.vars.set(key, v);
    return;
  }
  const priority =
    typeof v.value === 'number'
      ? v.value
      : typeof v.value === 'string' && /^\s*[-+]?\d+\s*$/.test(v.value)
        ? Number(v.value)
        : NaN;
  if (Number.isSafeInteger(priority)) g.priority = priority;
  else
    model.diagnostics.push(
      errorAt(
        'E_INVENTORY',
        `\`ansible_group_priority\` of group \`${group}\` must be an integer, got \`${String(v.value)}\``,
        v.source,
      ),
    );
}

/** Adds hosts to a group; repeated declarations merge their variables, the later one winning. */
export function addHosts(
  model: AnsibleModel,
  group: string,
  names: readonly string[],
  vars: ReadonlyMap<string, AnsibleVar>,
  source: SourceLocation,
): void {
  const g = ensureGroup(model, group);
  const fresh = names.filter((n) => !model.hosts.has(n)).length;
  if (model.hosts.size + fresh > INVENTORY_LIMITS.hosts) {
    const summary = `the inventory holds more than ${INVENTORY_LIMITS.hosts} hosts`;
    if (!model.diagnostics.some((d) => d.summary === summary))
      model.diagnostics.push(errorAt('E_INVENTORY', summary, source, 'split it, or check the host ranges'));
    return;
  }
  for (const name of names) {
    let host = model.hosts.get(name);
    if (!host) {
      host = { source, groups: new Set(), vars: new Map() };
      model.hosts.set(name, host);
    }
    if (!host.groups.has(group)) g.hosts.push(name);
    host.groups.add(group);
    for (const [key, v] of vars) host.vars.set(key, v);
  }
}
