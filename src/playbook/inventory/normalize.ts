import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import type { Node, NodeSettings } from '../playbook.generated.js';
import type { DocPath, SourceMap } from '../source-map.js';
import type { InventoryHost, InventoryValue } from './types.js';

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
}

/** Nodes written in YAML (inline in the playbook, or an lrroll inventory file) at `basePath` in `sourceMap`. */
export function nodesFromYaml(nodes: readonly Node[], sourceMap: SourceMap, basePath: DocPath): NodeEntry[] {
  return nodes.map((node, i) => ({
    node,
    source: sourceMap.locate([...basePath, i]),
    locate: (field: DocPath) => sourceMap.locate([...basePath, i, ...field]),
  }));
}

/** Host variables with a meaning for lrroll when they come from an Ansible inventory. */
const ANSIBLE_NODE_VARS = {
  liferay_home: 'liferayHome',
  tomcat_home: 'tomcatHome',
  lb_member: 'member',
  http_port: 'httpPort',
} as const;

/** Turns Ansible inventory hosts into lrroll nodes (mapping `liferay_home`, `tomcat_home`, `lb_member`, `http_port`). */
export function nodesFromAnsible(hosts: readonly InventoryHost[]): { nodes: NodeEntry[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const nodes = hosts.map((h): NodeEntry => {
    const node: Node = { name: h.name };
    if (h.host) node.host = h.host;
    if (h.port !== undefined) node.port = h.port;
    if (h.user) node.user = h.user;
    if (h.identityFile) node.identityFile = h.identityFile;
    const vars: Record<string, InventoryValue> = {};
    for (const [key, value] of Object.entries(h.vars)) {
      const mapped = ANSIBLE_NODE_VARS[key as keyof typeof ANSIBLE_NODE_VARS];
      if (mapped === 'httpPort') {
        if (typeof value === 'number') node.httpPort = value;
        else diagnostics.push({ severity: 'error', code: 'E_INVENTORY', summary: `host \`${h.name}\`: http_port must be a number`, source: h.source });
      } else if (mapped) node[mapped] = String(value);
      else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !key.startsWith('ansible_')) vars[key] = value;
    }
    if (Object.keys(vars).length > 0) node.vars = vars;
    return { node, source: h.source, locate: () => h.source };
  });
  return { nodes, diagnostics };
}
