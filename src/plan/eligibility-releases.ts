// Eligibility of a move to another Liferay DXP release (7.4 updates, quarterly and patch releases)
// and of a hotfix built for one. The facts and their sources are in docs/liferay-releases.md.
import type { ArtifactFacts } from '../artifacts/types.js';
import type { ReleaseChange } from '../playbook/playbook.generated.js';
import type { ChangeVerdict } from './types.js';
import { because, refuse, startVerdict, warn } from './verdict.js';
import { parseRelease, releaseMove, releaseName } from '../domain/releases.js';

/** The rows these rules add to the eligibility table. */
export const RELEASE_ROWS = {
  patchRelease: 'patch release within one quarter, or a later 7.4 update, without upgrade processes → rolling: yes',
  newRelease:
    'new quarterly release, 7.4 update → quarterly, or a lower release → ' +
    'rolling: no (a new version: full restart only)',
  upgrades: 'release that runs upgrade processes (schema or data) → rolling: no (full restart only)',
  unknown:
    'release move not known (no `from`, no `upgradeProcesses`, or an unreadable artifact) → ' +
    'rolling: no (the safe verdict)',
};

/**
 * Bundles in the release's artifacts that carry a `Liferay-Require-SchemaVersion` (what preflight compares with the
 * node).
 */
export function releaseSchemaBundles(
  change: ReleaseChange,
  artifacts: ReadonlyMap<string, ArtifactFacts>,
): Array<{ bundle: string; schemaVersion: string }> {
  const paths = change.bundle ? [change.bundle] : (change.lpkgs ?? []);
  const out = new Map<string, string>();
  for (const p of paths)
    for (const b of artifacts.get(p)?.bundles ?? [])
      if (b.requireSchemaVersion) out.set(b.bundleSymbolicName, b.requireSchemaVersion);
  return [...out.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([bundle, schemaVersion]) => ({ bundle, schemaVersion }));
}

/** Judges a `release` change. */
export function judgeRelease(
  change: ReleaseChange,
  index: number,
  artifacts: ReadonlyMap<string, ArtifactFacts>,
): ChangeVerdict {
  const to = parseRelease(change.to);
  const out = startVerdict(
    index,
    'release',
    `release ${change.from ?? '?'} → ${to ? releaseName(to) : change.to} (${change.bundle ? 'bundle' : 'lpkg set'})`,
    RELEASE_ROWS.unknown,
  );
  const unreadable = (change.bundle ? [change.bundle] : (change.lpkgs ?? []))
    .map((p) => artifacts.get(p))
    .filter((f) => !f || f.error || !f.bundles);
  if (unreadable.length > 0)
    return refuse(
      out,
      'unknown-fact',
      `The release archive cannot be read (` +
        `${unreadable.map((f) => f?.error ?? 'not inspected').join('; ')}` +
        `): its bundles' schema versions are unknown.`,
    );
  const from = change.from ? parseRelease(change.from) : undefined;
  if (!from || !to)
    return refuse(
      out,
      'missing-declaration',
      'The release installed now is not declared (`from`), so whether this is a patch step or a new ' +
        'version cannot be told.',
    );
  out.preflightChecks.push(`every node runs ${releaseName(from)} now`);
  const move = releaseMove(from, to);
  if (move === 'new-version')
    return refuse(
      out,
      'declaration',
      `${releaseName(from)} → ${releaseName(to)} is a new version: Liferay says each quarterly ` +
        `release is to be treated as a new version, and a new version's upgrade processes must run ` +
        `before it is used.`,
      RELEASE_ROWS.newRelease,
    );
  if (move === 'downgrade')
    return refuse(
      out,
      'declaration',
      `${releaseName(from)} → ${releaseName(to)} goes to a lower release: a database that may ` +
        `already be upgraded is not rolled back in place.`,
      RELEASE_ROWS.newRelease,
    );
  if (move === 'same') return refuse(out, 'declaration', `The nodes run ${releaseName(to)} already (from = to).`);
  if (change.upgradeProcesses === true)
    return refuse(
      out,
      'declaration',
      'Declared `upgradeProcesses: true`: schema or data upgrades are never rolled.',
      RELEASE_ROWS.upgrades,
    );
  if (change.upgradeProcesses === undefined)
    return refuse(
      out,
      'missing-declaration',
      'Whether this release runs upgrade processes is stated only in its release notes: declare ' +
        '`upgradeProcesses: false` once you have checked them (or `true`, for a full restart).',
    );
  out.row = RELEASE_ROWS.patchRelease;
  because(
    out,
    `${releaseName(from)} → ${releaseName(to)} is a ` +
      (to.line === 'quarterly'
        ? 'patch release of the same quarterly release (fixes only, per Liferay)'
        : 'later 7.4 update') +
      `, declared without upgrade processes.`,
    'declaration',
  );
  const schemas = releaseSchemaBundles(change, artifacts);
  if (schemas.length > 0)
    out.preflightChecks.push(
      `none of the ${schemas.length} Service Builder bundle(s) in the new release ` +
        `moves its Liferay-Require-SchemaVersion major/minor against the node's`,
    );
  if (to.line === 'update')
    warn(
      out,
      '7.4 updates may also bring new features (Liferay): check the release notes for anything that ' +
        'changes behaviour between old and new nodes while rolling.',
    );
  return out;
}

/**
 * A hotfix built for one release (`release`) is confirmed on every node in preflight; its content is judged as a fix
 * pack's.
 */
export function withHotfixRelease(verdict: ChangeVerdict, change: { type: string; release?: string }): ChangeVerdict {
  if (change.type === 'hotfix' && change.release) {
    const r = parseRelease(change.release);
    verdict.preflightChecks.push(
      `every node runs ${r ? releaseName(r) : change.release}, the release the hotfix is built for`,
    );
  }
  return verdict;
}
