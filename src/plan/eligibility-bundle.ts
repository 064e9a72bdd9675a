/**
 * Modules, plugins and themes: a new bundle rolls unless it changes data incompatibly; an update
 * rolls unless its Service Builder schema moves major/minor (either way) between the installed
 * version and the new jar's `Liferay-Require-SchemaVersion`. Installed versions come from node
 * facts (declared or gathered), the change's `installedSchemaVersion`, or preflight.
 */
import type { ArtifactFacts } from '../artifacts/types.js';
import type { ModuleChange, ThemeChange } from '../playbook/playbook.generated.js';
import { ROWS } from './eligibility-rows.js';
import { factUse, type FactsIndex, type NodeValue } from './facts.js';
import type { ChangeVerdict } from './types.js';
import { because, refuse, restsOn, startVerdict, warn } from './verdict.js';
import { compareVersions, describeMove, versionMove } from '../domain/versions.js';

/** Judges a module or theme change. */
export function judgeBundle(
  change: ModuleChange | ThemeChange,
  index: number,
  artifact: ArtifactFacts | undefined,
  facts: FactsIndex,
): ChangeVerdict {
  const bsn = artifact?.manifest?.bundleSymbolicName ?? null;
  const name = bsn ?? artifact?.fileName ?? change.artifact;
  const version = artifact?.manifest?.bundleVersion ?? null;
  const out = startVerdict(
    index,
    change.type,
    `${change.type} ${name}${version ? ` ${version}` : ''}`,
    change.replaces ? ROWS.moduleUpdate : ROWS.newModule,
  );
  if (!artifact || artifact.error)
    return refuse(
      out,
      'unknown-fact',
      `The artifact cannot be read (${artifact?.error ?? 'not inspected'}), so its schema version is unknown.`,
      ROWS.unknown,
    );
  if (change.dataChanges === 'incompatible')
    return refuse(
      out,
      'declaration',
      'Declared `dataChanges: incompatible`: non-backward-compatible data/schema changes need all nodes shut down.',
      ROWS.never,
    );
  const required = artifact.manifest?.requireSchemaVersion ?? null;
  if (required && change.type === 'module' && change.dataChanges === undefined) {
    out.advice.push(
      '`dataChanges` is not declared: this module carries a Service Builder schema; make sure this ' +
        'version does not change data in existing columns or drop/rename columns incompatibly, and ' +
        'declare it.',
    );
  }
  const nodes = bsn ? facts.module(bsn) : [];
  judgeInstalled(out, name, version, nodes);
  if (!required)
    return because(out, 'The bundle has no `Liferay-Require-SchemaVersion`: it brings no Service Builder schema.');
  return judgeSchema(out, change, name, required, nodes);
}

type ModuleOnNodes = ReturnType<FactsIndex['module']>;

/** What node facts say about the installed bundle: where it is, which version, and a downgrade called so. */
function judgeInstalled(out: ChangeVerdict, name: string, version: string | null, nodes: ModuleOnNodes): void {
  if (nodes.length === 0 || nodes.some((n) => n.fact === null)) return;
  const installed = nodes.filter((n) => n.fact?.installed);
  if (installed.length === 0) {
    out.row = ROWS.newModule;
    because(out, `${name} is not installed on any node (node facts): a new module.`, 'node-facts');
    return;
  }
  out.row = ROWS.moduleUpdate;
  const versions: NodeValue[] = nodes.map((n) => ({
    node: n.node,
    value: n.fact?.installed ? (n.fact.version ?? null) : 'not installed',
    source: n.fact?.source ?? null,
  }));
  restsOn(out, factUse(`installed version of ${name}`, versions, 'preflight'));
  if (installed.length < nodes.length)
    warn(
      out,
      `${name} is installed on ${installed.map((n) => n.node).join(', ')} but not on ${nodes
        .filter((n) => !n.fact?.installed)
        .map((n) => n.node)
        .join(', ')}: the cluster is not uniform.`,
    );
  if (!version) return;
  for (const [from, on] of groupBy(installed.map((n) => ({ node: n.node, value: n.fact?.version ?? null })))) {
    const c = compareVersions(from, version);
    if (c > 0) warn(out, `This is a downgrade of ${name}: ${from} → ${version} (${on.join(', ')}).`);
    else if (c === 0)
      because(out, `${name} ${version} is already installed on ${on.join(', ')}: it is installed again.`);
    else because(out, `${name} moves ${from} → ${version} on ${on.join(', ')}.`);
  }
}

/** Compares the new jar's required schema with the installed one on every node (or leaves it to preflight). */
function judgeSchema(
  out: ChangeVerdict,
  change: ModuleChange | ThemeChange,
  name: string,
  required: string,
  nodes: ModuleOnNodes,
): ChangeVerdict {
  const declared = change.type === 'module' ? change.installedSchemaVersion : undefined;
  const values: NodeValue[] = declared
    ? (nodes.length > 0 ? nodes : [{ node: 'every node', fact: null }]).map((n) => ({
        node: n.node,
        value: declared,
        source: 'declared',
      }))
    : nodes.map((n) => ({
        node: n.node,
        value: n.fact ? (n.fact.installed ? (n.fact.schemaVersion ?? null) : 'not installed') : null,
        source: n.fact?.source ?? null,
      }));
  const use = factUse(`installed schema of ${name}`, values, 'preflight');
  restsOn(out, use);
  if (use.source === 'preflight') {
    because(
      out,
      `The new bundle requires schema ${required}; preflight compares it with the installed ` +
        `schema version on every node.`,
    );
    out.preflightChecks.push(`installed schema version of ${name} must have the same major.minor as ${required}`);
    return out;
  }
  out.preflightChecks.push(
    `installed schema version of ${name} must still be ${use.values.map((v) => v.value).join(' / ')}` +
      ` (as the ${use.source} facts say)`,
  );
  for (const { value: installed, nodes: on } of use.values) {
    if (installed === 'not installed') continue;
    compareSchema(out, installed, required, use.values.length > 1 ? ` on ${on.join(', ')}` : '');
  }
  return out;
}

function compareSchema(out: ChangeVerdict, installed: string, required: string, where: string): void {
  const move = versionMove(installed, required);
  const down = move.direction === 'down';
  if (move.level === 'major' || move.level === 'minor') {
    const why = down
      ? `the database keeps schema ${installed}, which this version does not accept; going ` +
        `back needs all nodes down and a database restore`
      : 'a required upgrade that cannot be reverted without a database restore';
    refuse(
      out,
      'artifact',
      `Liferay-Require-SchemaVersion moves ${down ? 'down ' : ''}${installed} → ${required}${where} (` +
        `${describeMove(move)}): ${why}.`,
      ROWS.never,
    );
    return;
  }
  if (move.level === 'micro') {
    warn(
      out,
      down
        ? `Schema version moves down ${installed} → ${required}${where} (${describeMove(move)}` +
            `): the database keeps schema ${installed}; check that this version works with it.`
        : `Schema version moves ${installed} → ${required}${where} (${describeMove(move)}` +
            `): an optional upgrade, the module activates without it.`,
    );
  }
  because(out, `Schema version ${installed} → ${required}${where}: no major/minor change.`, 'node-facts');
}

function groupBy(values: Array<{ node: string; value: string | null }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const v of values) if (v.value !== null) out.set(v.value, [...(out.get(v.value) ?? []), v.node]);
  return out;
}
