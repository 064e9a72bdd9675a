import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import type { Node, NodeSettings } from '../playbook.generated.js';
import type { DocPath, SourceMap } from '../source-map.js';
import { nodeFromAnsibleHost } from './ansible-node.js';
import type { InventorySecrets } from './ansible-node.js';
import type { ResolvedHost } from './resolve.js';

/** A node declaration with where it was written. */
export interface NodeEntry {
  node: Node;
  /** Where the node is declared. */
  source: SourceLocation;
  /** Locates a field of this node (for diagnostics), e.g. `['host']`. */
  locate: (field: DocPath) => SourceLocation;
}

/** The cluster's nodes, whatever file they came from. */
export interface NormalizedInventory {
  defaults: NodeSettings | undefined;
  nodes: NodeEntry[];
  /** Locates a field of `defaults` (e.g. `['service', 'stop']`) where it was written; absent when unknown. */
  locateDefault?: (field: DocPath) => SourceLocation;
}

/** Nodes written in YAML (inline in the playbook, or an lrroll inventory file) at `basePath` in `sourceMap`. */
export function nodesFromYaml(nodes: readonly Node[], sourceMap: SourceMap, basePath: DocPath): NodeEntry[] {
  return nodes.map((node, i) => ({
    node,
    source: sourceMap.locate([...basePath, i]),
    locate: (field: DocPath) => sourceMap.locate([...basePath, i, ...field]),
  }));
}

/**
 * Turns resolved Ansible hosts into lrroll nodes (see ansible-node.ts); secret values go to `secrets`, never into a
 * node.
 */
export function nodesFromAnsible(
  hosts: readonly ResolvedHost[],
  secrets: InventorySecrets,
): { nodes: NodeEntry[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const nodes = hosts.map((h): NodeEntry => {
    const r = nodeFromAnsibleHost(h, secrets);
    diagnostics.push(...r.diagnostics);
    const where = (field: DocPath): SourceLocation =>
      h.vars.get(ANSIBLE_NAMES[String(field[0])] ?? '')?.source ?? h.source;
    return { node: r.node, source: h.source, locate: where };
  });
  return { nodes, diagnostics: unique(diagnostics) };
}

/** The variable a node field came from, to locate a problem found later at the place it was written. */
const ANSIBLE_NAMES: Record<string, string> = {
  host: 'ansible_host',
  port: 'ansible_port',
  user: 'ansible_user',
  identityFile: 'ansible_ssh_private_key_file',
  become: 'ansible_become',
  liferayHome: 'liferay_home',
  tomcatHome: 'tomcat_home',
  member: 'lb_member',
  httpPort: 'http_port',
  facts: 'lrroll_facts',
};

/** A group variable is read once per host: report each problem once. */
function unique(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = JSON.stringify([d.severity, d.code, d.summary.replace(/ \(host `[^`]*`\)/, ''), d.source]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
