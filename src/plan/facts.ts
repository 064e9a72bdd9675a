/**
 * Node facts: what is installed on each node (module and schema versions, patches, Java, app
 * server), as declared in the inventory or gathered by `lrroll facts`. A gathered fact wins over
 * a declared one (it was read from the node); a disagreement is reported. Nothing here reads a
 * node: preflight does that, and confirms every fact a verdict rests on.
 */
import type { Diagnostic } from '../errors/diagnostics.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import type { NodeFacts } from '../playbook/playbook.generated.js';
import type { FactUse, KnownFact, PlanFacts, PlanNodeFacts } from './types.js';
import { appServerVersionOf, javaVersionOf } from '../domain/versions.js';

/** Facts gathered by `lrroll facts`, as read from the facts file. */
export interface GatheredFacts {
  /** The file as given on the command line. */
  path: string;
  sha256: string;
  gatheredAt: string;
  nodes: Readonly<Record<string, NodeFacts>>;
}

/** A module on one node. */
type ModuleFact = PlanNodeFacts['modules'][number];

/** One node's value of a fact, or null when it is not known. */
export interface NodeValue {
  node: string;
  value: string | null;
  source: 'declared' | 'gathered' | null;
}

/** The facts of every node, merged from the inventory and the facts file. */
export class FactsIndex {
  constructor(readonly nodes: readonly PlanNodeFacts[]) {}

  /** The Java version per node (parsed from `java -version` output). */
  java(): NodeValue[] {
    return this.nodes.map(javaValue);
  }

  /** One node's Java version (see `java`), or null when not known. */
  javaOf(node: string): string | null {
    const n = this.of(node);
    return n ? javaValue(n).value : null;
  }

  /** The app server version per node. */
  appServer(): NodeValue[] {
    return this.nodes.map((n) => ({
      node: n.node,
      value: n.appServer ? (appServerVersionOf(n.appServer.value) ?? null) : null,
      source: n.appServer?.source ?? null,
    }));
  }

  /** One node's installed patches (see `patches`), or null when not known. */
  patchesOf(node: string): string | null {
    return this.of(node)?.patches?.value ?? null;
  }

  /** The installed patches per node, comma-separated (`''`: none). */
  patches(): NodeValue[] {
    return this.nodes.map((n) => ({
      node: n.node,
      value: n.patches?.value ?? null,
      source: n.patches?.source ?? null,
    }));
  }

  /** A module on every node, or null where its state is not known. */
  module(bundle: string): Array<{ node: string; fact: ModuleFact | null }> {
    return this.nodes.map((n) => ({ node: n.node, fact: n.modules.find((m) => m.bundle === bundle) ?? null }));
  }

  /** One node's facts (a node's own steps read only its own: listing every node for each made planning quadratic). */
  of(node: string): PlanNodeFacts | null {
    this.byName ??= new Map(this.nodes.map((n) => [n.node, n]));
    return this.byName.get(node) ?? null;
  }

  private byName: Map<string, PlanNodeFacts> | undefined;
}

function javaValue(n: PlanNodeFacts): NodeValue {
  return { node: n.node, value: n.java ? (javaVersionOf(n.java.value) ?? null) : null, source: n.java?.source ?? null };
}

/**
 * Merges declared (inventory defaults, then the node) and gathered facts into one record per node; disagreements become
 * warnings.
 */
export function mergeFacts(
  inventory: NormalizedInventory,
  gathered: GatheredFacts | null,
): { facts: PlanFacts; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const defaults = inventory.defaults?.facts;
  const nodes = inventory.nodes.map((entry): PlanNodeFacts => {
    const name = entry.node.name;
    const declared = toRecord(
      name,
      { ...defaults, ...entry.node.facts, modules: { ...defaults?.modules, ...entry.node.facts?.modules } },
      'declared',
    );
    const read = gathered?.nodes[name];
    if (!read) return declared;
    const got = toRecord(name, read, 'gathered');
    for (const what of disagreements(declared, got)) {
      diagnostics.push({
        severity: 'warning',
        code: 'W_FACTS',
        summary: `node \`${name}\`: the inventory declares ${what}; the gathered facts (${gathered.path}) win`,
        source: entry.locate(['facts']),
        hint: 'correct the declaration, or gather the facts again if the node changed since',
      });
    }
    return {
      node: name,
      java: got.java ?? declared.java,
      appServer: got.appServer ?? declared.appServer,
      patches: got.patches ?? declared.patches,
      modules: [
        ...got.modules,
        ...declared.modules.filter((m) => !got.modules.some((g) => g.bundle === m.bundle)),
      ].sort((a, b) => a.bundle.localeCompare(b.bundle)),
    };
  });
  const names = new Set(inventory.nodes.map((e) => e.node.name));
  const strangers = Object.keys(gathered?.nodes ?? {}).filter((n) => !names.has(n));
  if (gathered && strangers.length > 0) {
    diagnostics.push({
      severity: 'warning',
      code: 'W_FACTS',
      summary:
        `${gathered.path} has facts of ${strangers.join(', ')}` +
        `, which the inventory does not name: they are not used`,
      hint: 'gather the facts with this playbook (`lrroll facts`), or check that the file belongs to this cluster',
    });
  }
  const file = gathered ? { path: gathered.path, sha256: gathered.sha256, gatheredAt: gathered.gatheredAt } : null;
  return { facts: { file, nodes }, diagnostics };
}

function toRecord(node: string, f: NodeFacts, source: KnownFact['source']): PlanNodeFacts {
  const known = (value: string | undefined): KnownFact | null => (value === undefined ? null : { value, source });
  const modules = Object.entries(f.modules ?? {}).map(([bundle, m]) =>
    m === 'not-installed'
      ? { bundle, installed: false, version: null, schemaVersion: null, source }
      : { bundle, installed: true, version: m.version ?? null, schemaVersion: m.schemaVersion ?? null, source },
  );
  return {
    node,
    java: known(f.java),
    appServer: known(f.appServer),
    patches: f.patches ? { value: f.patches.join(', '), source } : null,
    modules: modules.sort((a, b) => a.bundle.localeCompare(b.bundle)),
  };
}

function disagreements(declared: PlanNodeFacts, got: PlanNodeFacts): string[] {
  const out: string[] = [];
  const java = (f: KnownFact | null): string | undefined => (f ? javaVersionOf(f.value) : undefined);
  if (declared.java && got.java && java(declared.java) !== java(got.java))
    out.push(`Java ${java(declared.java) ?? declared.java.value}, the node has ${java(got.java) ?? got.java.value}`);
  const app = (f: KnownFact | null): string | undefined => (f ? appServerVersionOf(f.value) : undefined);
  if (declared.appServer && got.appServer && app(declared.appServer) !== app(got.appServer))
    out.push(`app server ${app(declared.appServer) ?? '?'}, the node has ${app(got.appServer) ?? '?'}`);
  if (declared.patches && got.patches && declared.patches.value !== got.patches.value)
    out.push(`patches [${declared.patches.value}], the node has [${got.patches.value}]`);
  for (const m of declared.modules) {
    const g = got.modules.find((x) => x.bundle === m.bundle);
    if (g && describeModule(g) !== describeModule(m))
      out.push(`${m.bundle} ${describeModule(m)}, the node has ${describeModule(g)}`);
  }
  return out;
}

/** A module fact in words: `not installed`, `2.1.2 (schema 2.1.0)`. */
function describeModule(m: ModuleFact): string {
  if (!m.installed) return 'not installed';
  return `${m.version ?? 'version unknown'}${m.schemaVersion ? ` (schema ${m.schemaVersion})` : ''}`;
}

/** Node facts that differ between nodes, one sentence each. */
export function factDifferences(index: FactsIndex): string[] {
  const out: string[] = [];
  const report = (what: string, values: NodeValue[]): void => {
    const groups = groupValues(values);
    if (groups.length > 1)
      out.push(
        `${what} differs between nodes: ` +
          groups.map((g) => `${g.nodes.join(', ')}: ${g.value === '' ? 'none' : g.value}`).join('; '),
      );
  };
  report('Java', index.java());
  report('the app server version', index.appServer());
  report('the installed patches', index.patches());
  const bundles = [...new Set(index.nodes.flatMap((n) => n.modules.map((m) => m.bundle)))].sort();
  for (const b of bundles)
    report(
      `module ${b}`,
      index
        .module(b)
        .map((x) => ({ node: x.node, value: x.fact ? describeModule(x.fact) : null, source: x.fact?.source ?? null })),
    );
  return out;
}

/** Known values grouped by value, nodes in inventory order; nodes with no value are left out. */
function groupValues(values: readonly NodeValue[]): Array<{ value: string; nodes: string[] }> {
  const groups = new Map<string, string[]>();
  for (const v of values) if (v.value !== null) groups.set(v.value, [...(groups.get(v.value) ?? []), v.node]);
  return [...groups.entries()].map(([value, nodes]) => ({ value, nodes }));
}

/**
 * The fact as a verdict uses it: known on every node (declared or gathered), or waiting for preflight when a node's
 * value is missing.
 */
export function factUse(fact: string, values: readonly NodeValue[], whenMissing: 'preflight' | 'unknown'): FactUse {
  const missing = values.length === 0 || values.some((v) => v.value === null);
  const source = missing ? whenMissing : values.some((v) => v.source === 'gathered') ? 'gathered' : 'declared';
  return { fact, source, values: groupValues(values) };
}
