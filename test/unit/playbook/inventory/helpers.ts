/**
 * Test view of an Ansible inventory as lrroll reads it: each host with its groups, its variables
 * (plain values, connection keys left out) and the connection fields lrroll takes from them.
 */
import { sortDiagnostics, type Diagnostic, type SourceLocation } from '../../../../src/errors/diagnostics.js';
import { nodeFromAnsibleHost, type InventorySecrets } from '../../../../src/playbook/inventory/ansible-node.js';
import { readAnsibleInventory } from '../../../../src/playbook/inventory/ansible.js';
import type { AnsibleInventoryOptions, VarValue } from '../../../../src/playbook/inventory/model.js';
import {
  resolveAnsibleModel,
  type ResolvedHost,
  type ResolvedInventory,
} from '../../../../src/playbook/inventory/resolve.js';

/** One host as a test reads it. */
export interface TestHost {
  name: string;
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  vars: Record<string, VarValue>;
  groups: string[];
  source: SourceLocation;
}

export interface TestInventory {
  hosts: TestHost[];
  diagnostics: Diagnostic[];
}

const CONNECTION = new Set([
  'ansible_host',
  'ansible_ssh_host',
  'ansible_port',
  'ansible_ssh_port',
  'ansible_user',
  'ansible_ssh_user',
  'ansible_ssh_private_key_file',
  'ansible_private_key_file',
]);

/** Reads and resolves an Ansible inventory text (INI or YAML by its name) into hosts with their variables. */
export function parseAnsibleInventory(
  text: string,
  file: string,
  opts: AnsibleInventoryOptions = {},
): ResolvedInventory {
  return resolveAnsibleModel(readAnsibleInventory(text, file), opts);
}

/** Every variable a resolved host has, as plain values (connection keys included). */
export function allVars(h: ResolvedHost): Record<string, VarValue> {
  return Object.fromEntries([...h.vars].map(([k, v]) => [k, v.value]));
}

/** Parses an inventory (INI or YAML by its name) and maps the connection keys like lrroll does. */
export function parseInventory(text: string, file: string, group?: string): TestInventory {
  const resolved = parseAnsibleInventory(text, file, group === undefined ? {} : { group });
  const secrets: InventorySecrets = { values: new Map(), names: new Map() };
  const diagnostics = [...resolved.diagnostics];
  const seen = new Set(diagnostics.map((d) => JSON.stringify(d)));
  const hosts = resolved.hosts.map((h): TestHost => {
    const mapped = nodeFromAnsibleHost(h, secrets);
    for (const d of mapped.diagnostics) {
      const key = JSON.stringify(d);
      if (!seen.has(key)) diagnostics.push(d);
      seen.add(key);
    }
    const out: TestHost = {
      name: h.name,
      vars: Object.fromEntries([...h.vars].filter(([k]) => !CONNECTION.has(k)).map(([k, v]) => [k, v.value])),
      groups: h.groups,
      source: h.source,
    };
    if (mapped.node.host !== undefined) out.host = mapped.node.host;
    if (mapped.node.port !== undefined) out.port = mapped.node.port;
    if (mapped.node.user !== undefined) out.user = mapped.node.user;
    if (mapped.node.identityFile !== undefined) out.identityFile = mapped.node.identityFile;
    return out;
  });
  return { hosts, diagnostics: sortDiagnostics(diagnostics) };
}
