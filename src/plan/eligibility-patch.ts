/**
 * Fix packs and hotfixes, installed or removed. The archive is evidence: SQL or upgrade steps and
 * classes in cluster packages are never rolled; class or jar changes roll only when declared
 * revertible. A move between fix pack levels, up or down, is refused when it crosses a known
 * breaking level.
 */
import type { ArtifactFacts, PatchContent } from '../artifacts/types.js';
import type { FixpackChange, FixpackRevertChange, HotfixChange } from '../playbook/playbook.generated.js';
import { ROWS } from './eligibility-rows.js';
import { factUse, type FactsIndex, type NodeValue } from './facts.js';
import {
  crossedLevels,
  installedLevel,
  levelDirection,
  levelName,
  parseFixPackLevel,
  type Level,
} from '../domain/levels.js';
import type { ChangeVerdict } from './types.js';
import { because, refuse, restsOn, startVerdict, warn } from './verdict.js';

/** What patch rules need besides the change. */
interface PatchContext {
  artifact: ArtifactFacts | undefined;
  /** Known breaking levels: the shipped list (the change's own are added here). */
  breakingLevels: readonly string[];
  facts: FactsIndex;
}

/** Judges a fix pack or hotfix install. */
export function judgePatch(change: FixpackChange | HotfixChange, index: number, ctx: PatchContext): ChangeVerdict {
  const patch = ctx.artifact?.patch;
  const out = startVerdict(
    index,
    change.type,
    `${change.type} ${patch?.name ?? ctx.artifact?.fileName ?? change.artifact}`,
    ROWS.patchRevertible,
  );
  if (!judgeEvidence(out, ctx.artifact)) return out;
  if (change.type === 'fixpack' && !judgeInstallLevels(change, out, patch?.name ?? null, ctx)) return out;
  return judgeRevertibility(out, change.revertible, (patch as NonNullable<typeof patch>).content, 'install');
}

/** Judges a patch removal: the level it returns to, the removed archive when given, and its revertibility. */
export function judgeRevert(change: FixpackRevertChange, index: number, ctx: PatchContext): ChangeVerdict {
  const out = startVerdict(
    index,
    change.type,
    `remove patch ${change.patch}${change.to ? ` (back to ${change.to})` : ''}`,
    ROWS.patchRemoval,
  );
  if (change.artifact !== undefined && !judgeEvidence(out, ctx.artifact)) return out;
  const documented = ctx.artifact?.patch?.name ?? null;
  const removed = parseFixPackLevel(documented ?? change.patch.replace(/\.zip$/i, ''));
  const named = parseFixPackLevel(change.patch.replace(/\.zip$/i, ''));
  if (removed && named && levelName(removed) !== levelName(named)) {
    return refuse(
      out,
      'declaration',
      `The artifact is fix pack ${levelName(removed)}, but \`patch\` names ${levelName(named)}` +
        `: say which one is removed.`,
      ROWS.unknown,
    );
  }
  if (removed && !judgeRevertLevels(change, out, removed, ctx)) return out;
  if (change.revertible === undefined && ctx.artifact?.patch)
    return judgeRevertibility(out, undefined, ctx.artifact.patch.content, 'removal');
  if (change.revertible === true)
    return because(
      out,
      'Declared `revertible: true`: revertible fix packs can be removed in rolling restarts.',
      'declaration',
    );
  if (change.revertible === false)
    return refuse(
      out,
      'declaration',
      'Declared non-revertible: non-revertible patches are never removed in a rolling restart.',
      ROWS.patchNonRevertible,
    );
  return refuse(
    out,
    'missing-declaration',
    'Only revertible patches can be removed in a rolling restart: declare `revertible: true` if the ' +
      'Customer Portal marks it revertible (or give the removed `artifact`, so lrroll reads what it ' +
      'changes).',
    ROWS.patchNonRevertible,
  );
}

/** The archive's evidence: false (and the verdict refused) when it is unreadable or holds what never rolls. */
function judgeEvidence(out: ChangeVerdict, artifact: ArtifactFacts | undefined): boolean {
  const patch = artifact?.patch;
  if (!artifact || artifact.error || !patch) {
    refuse(
      out,
      'unknown-fact',
      `The patch archive cannot be read (${artifact?.error ?? 'not inspected'}): its content is unknown.`,
      ROWS.unknown,
    );
  } else if (!patch.documentation) {
    refuse(
      out,
      'unknown-fact',
      'The archive has no fixpack_documentation.json/.xml: it is not a Liferay patch lrroll can judge.',
      ROWS.unknown,
    );
  } else if (patch.unreadable.length > 0) {
    refuse(
      out,
      'unknown-fact',
      `Part of the patch cannot be inspected (${patch.unreadable.slice(0, 3).join('; ')}` +
        `): SQL, upgrade steps or cluster classes inside it cannot be ruled out.`,
      ROWS.unknown,
    );
  } else if (patch.content.sqlOrUpgrade > 0 || patch.sqlOrUpgradeFiles.length > 0) {
    refuse(
      out,
      'artifact',
      `The patch contains SQL or upgrade steps (${patch.sqlOrUpgradeFiles.slice(0, 3).join(', ')}` +
        `): schema/data changes are never rolled, whatever is declared.`,
      ROWS.never,
    );
  } else if (patch.clusterClasses.length > 0) {
    refuse(
      out,
      'artifact',
      `The patch changes cluster code (${patch.clusterClasses.slice(0, 3).join(', ')}` +
        `): cluster communication must stay intact in a rolling restart.`,
      ROWS.never,
    );
  }
  return out.level !== 'full-restart';
}

function judgeRevertibility(
  out: ChangeVerdict,
  revertible: boolean | undefined,
  content: PatchContent,
  what: 'install' | 'removal',
): ChangeVerdict {
  if (revertible === false)
    return refuse(
      out,
      'declaration',
      'The patch is declared non-revertible: non-revertible patches are never rolled.',
      ROWS.patchNonRevertible,
    );
  const code = content.classes + content.jars;
  if (code === 0 && content.other === 0)
    return because(
      out,
      `Only JSP/static resources change (${content.jspOrStatic} files): safe to roll` +
        `${what === 'removal' ? ' out again' : ''}.`,
      'artifact',
    );
  const parts = [
    code > 0 ? `class/jar changes (${content.classes} classes, ${content.jars} jars)` : '',
    content.other > 0 ? `${content.other} file(s) that are neither JSP/static nor code` : '',
  ];
  const has = parts.filter(Boolean).join(' and ');
  if (revertible === true)
    return because(out, `The patch has ${has} and is declared \`revertible: true\`.`, 'declaration');
  return refuse(
    out,
    'missing-declaration',
    `The patch has ${has}; Liferay's metadata does not say whether it is ` +
      `revertible. Declare \`revertible: true\` if the Customer Portal marks it revertible.`,
    ROWS.patchNonRevertible,
  );
}

/**
 * Checks the move from the installed level to the new one; false (refused) when it cannot be judged or crosses a
 * breaking level.
 */
function judgeInstallLevels(
  change: FixpackChange,
  out: ChangeVerdict,
  name: string | null,
  ctx: PatchContext,
): boolean {
  const target = name ? parseFixPackLevel(name) : undefined;
  if (!target) {
    refuse(
      out,
      'unknown-fact',
      `The fix pack level cannot be read from its name (${name ?? 'none'}` +
        `), so known breaking levels cannot be checked.`,
      ROWS.unknown,
    );
    return false;
  }
  const froms = installedLevels(change.from, target.family, ctx.facts);
  const to = levelName(target);
  if (froms.source === 'preflight') {
    out.preflightChecks.push(
      `the installed fix pack level is read on every node; the move to ${to} must not cross a known breaking level`,
    );
    restsOn(out, froms.use);
    return true;
  }
  restsOn(out, froms.use);
  out.preflightChecks.push(`installed fix pack level must be ${froms.use.values.map((v) => v.value).join(' / ')}`);
  for (const { value: from, nodes } of froms.use.values) {
    const a = parseFixPackLevel(from);
    const direction = a ? levelDirection(a, target) : 'update';
    if (direction === 'none')
      because(out, `${to} is installed already on ${nodes.join(', ')}: the Patching Tool installs it again.`);
    if (direction === 'downgrade')
      warn(
        out,
        `Installing ${to} where ${from} is installed is a downgrade (${nodes.join(', ')}` +
          `): the Patching Tool keeps the highest fix pack in patches/; remove ${from}` +
          ` with a \`fixpack-revert\` change instead.`,
      );
    const hits = crossedLevels(a ? from : `${target.family}-0`, to, [
      ...ctx.breakingLevels,
      ...(change.breakingLevels ?? []),
    ]);
    if (hits.length > 0) {
      refuse(
        out,
        'breaking-level',
        `Moving ${a ? from : 'from no fix pack'} → ${to}` +
          `${direction === 'downgrade' ? ' (a downgrade)' : ''} crosses the breaking level ` +
          `${hits.join(', ')}: the whole move needs a full cluster restart.`,
        ROWS.never,
      );
      return false;
    }
  }
  return true;
}

/**
 * Checks the way down from the removed level to the declared `to`; false (refused) when it cannot be judged or crosses
 * a breaking level.
 */
function judgeRevertLevels(
  change: FixpackRevertChange,
  out: ChangeVerdict,
  removed: Level,
  ctx: PatchContext,
): boolean {
  const from = levelName(removed);
  if (!change.to) {
    refuse(
      out,
      'missing-declaration',
      `Removing fix pack ${from} returns the nodes to a level lrroll does not ` +
        `know: declare \`to\` (the level it returns to, e.g. \`${removed.family}-` +
        `${Math.max(0, removed.number - 1)}\`) so known breaking levels can be checked.`,
      ROWS.unknown,
    );
    return false;
  }
  const target = parseFixPackLevel(change.to);
  if (!target || target.family !== removed.family || target.number >= removed.number) {
    refuse(
      out,
      'declaration',
      `\`to: ${change.to}\` is not a level below ${from}: a removal returns to a lower level of the same family.`,
      ROWS.unknown,
    );
    return false;
  }
  const to = levelName(target);
  const installed = installedLevels(undefined, removed.family, ctx.facts);
  restsOn(out, installed.use);
  const off = installed.use.values.filter((v) => v.value !== from);
  if (installed.source !== 'preflight' && off.length > 0)
    warn(
      out,
      `The node facts say ${off.map((v) => `${v.nodes.join(', ')}: ${v.value || 'none'}`).join('; ')}` +
        `, not ${from}: the removal would not return those nodes from ${from}.`,
    );
  out.preflightChecks.push(`installed fix pack level must be ${from}; after the removal, ${to}`);
  const hits = crossedLevels(from, to, [...ctx.breakingLevels, ...(change.breakingLevels ?? [])]);
  if (hits.length > 0) {
    refuse(
      out,
      'breaking-level',
      `Moving down ${from} → ${to} (a downgrade) crosses the breaking level ${hits.join(', ')}` +
        `: the whole move needs a full cluster restart.`,
      ROWS.never,
    );
    return false;
  }
  because(out, `Moving down ${from} → ${to} (a downgrade) crosses no known breaking level.`);
  return true;
}

/** The installed level of a family per node: declared by `from`, else node facts, else left to preflight. */
function installedLevels(
  from: string | undefined,
  family: string,
  facts: FactsIndex,
): { source: 'declared' | 'gathered' | 'preflight'; use: ReturnType<typeof factUse> } {
  const fact = `installed ${family} fix pack level`;
  if (from !== undefined) {
    const level = parseFixPackLevel(from);
    const use = factUse(
      fact,
      [{ node: 'every node', value: level ? levelName(level) : from, source: 'declared' }],
      'preflight',
    );
    return { source: 'declared', use };
  }
  const values: NodeValue[] = facts.patches().map((p) => {
    if (p.value === null) return { ...p };
    const level = installedLevel(p.value.split(/,\s*/).filter(Boolean), family);
    return { ...p, value: level ? levelName(level) : '' };
  });
  const use = factUse(fact, values, 'preflight');
  return { source: use.source === 'gathered' || use.source === 'declared' ? use.source : 'preflight', use };
}
