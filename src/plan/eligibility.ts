import type { ArtifactFacts, PatchContent } from '../artifacts/types.js';
import type {
  Change,
  FixpackChange,
  FixpackRevertChange,
  HotfixChange,
  JavaChange,
  ModuleChange,
  ThemeChange,
} from '../playbook/playbook.generated.js';
import { judgeRelease, withHotfixRelease } from './eligibility-releases.js';
import type { ChangeVerdict } from './types.js';

/** The rows of the eligibility table (SPEC §3), as shown in verdicts. */
export const ROWS = {
  newModule: 'new module / plugin, theme → rolling: yes, unless it changes data incompatibly',
  moduleUpdate: 'module / plugin update → rolling: yes, unless its schema moves major/minor',
  patchRevertible: 'fix pack / hotfix install, revertible → rolling: yes',
  patchNonRevertible: 'fix pack install, non-revertible → rolling: no',
  patchRemoval: 'fix pack removal (revertible) → rolling: yes',
  config: 'portal-ext.properties, osgi/configs files → rolling: yes',
  appServer: 'app server / JVM settings → rolling: yes',
  javaMinor: 'Java minor update → rolling: yes',
  activationKey: 'activation key → rolling: yes',
  never: 'Java major update, OS upgrade, cluster code change, DB schema change → rolling: no (full restart only)',
  custom: 'custom commands → rolling as declared by `rollingSafe`',
  restart: 'restart only (no change) → rolling: yes',
  unknown: 'facts unknown → rolling: no (the safe verdict until they are declared or readable)',
} as const;

/** Inputs of the eligibility judgement: the changes and the facts gathered about their artifacts. */
export interface EligibilityInput {
  changes: readonly Change[];
  /** Facts keyed by the artifact path as written in the playbook. */
  artifacts: ReadonlyMap<string, ArtifactFacts>;
  /** Fix pack levels known to break rolling restarts (shipped list; changes may add their own). */
  breakingLevels: readonly string[];
}

/** Judges every change against the eligibility table; unknown facts give the safe verdict (not eligible). */
export function judgeChanges(input: EligibilityInput): ChangeVerdict[] {
  return input.changes.map((change, index) => judgeChange(change, index, input));
}

function judgeChange(change: Change, index: number, input: EligibilityInput): ChangeVerdict {
  const v = (summary: string, eligible: boolean, row: string, reasons: string[]): ChangeVerdict => ({
    index,
    type: change.type,
    summary,
    eligible,
    row,
    reasons,
    warnings: [],
    preflightChecks: [],
  });
  switch (change.type) {
    case 'module':
    case 'theme':
      return judgeBundle(change, index, input.artifacts.get(change.artifact));
    case 'fixpack':
    case 'hotfix':
      return withHotfixRelease(judgePatch(change, index, input.artifacts.get(change.artifact), input.breakingLevels), change);
    case 'fixpack-revert':
      return judgeRevert(change, index);
    case 'portal-properties':
      return withClusterLinkWarning(v('portal-ext.properties change', true, ROWS.config, ['Portal property changes can be applied in rolling restarts.']), change.set, change.unset);
    case 'osgi-config':
      return v('osgi/configs files', true, ROWS.config, ['System Settings configuration files can be applied in rolling restarts.']);
    case 'jvm-settings':
      return v('JVM settings (setenv.sh)', true, ROWS.appServer, ['JVM setting changes can be applied in rolling restarts.']);
    case 'app-server':
      return v(`app server files (${change.files.length})`, true, ROWS.appServer, ['Application server updates can be applied in rolling restarts.']);
    case 'java':
      return judgeJava(change, index);
    case 'activation-key':
      return v('activation key', true, ROWS.activationKey, ['Activation keys can be applied in rolling restarts (blue-green only with virtual cluster keys).']);
    case 'os-upgrade':
      return v('operating system upgrade', false, ROWS.never, ['An OS upgrade must be done with all cluster nodes shut down: use `strategy: full`.']);
    case 'restart':
      return v(change.reason ? `restart only: ${change.reason}` : 'restart only', true, ROWS.restart, ['Restarting nodes one by one changes nothing they share.']);
    case 'release':
      return judgeRelease(change, index, input.artifacts);
    case 'custom':
      return change.rollingSafe
        ? v(change.name, true, ROWS.custom, ['Declared `rollingSafe: true`: old and new nodes may serve side by side.'])
        : v(change.name, false, ROWS.custom, ['Declared `rollingSafe: false`: run it with `strategy: full`.']);
  }
}

function base(index: number, type: string, summary: string): ChangeVerdict {
  return { index, type, summary, eligible: true, row: ROWS.newModule, reasons: [], warnings: [], preflightChecks: [] };
}

function judgeBundle(change: ModuleChange | ThemeChange, index: number, facts: ArtifactFacts | undefined): ChangeVerdict {
  const name = facts?.manifest?.bundleSymbolicName ?? facts?.fileName ?? change.artifact;
  const version = facts?.manifest?.bundleVersion;
  const out = base(index, change.type, `${change.type} ${name}${version ? ` ${version}` : ''}`);
  out.row = change.replaces ? ROWS.moduleUpdate : ROWS.newModule;
  if (!facts || facts.error) {
    out.row = ROWS.unknown;
    return refuse(out, `The artifact cannot be read (${facts?.error ?? 'not inspected'}), so its schema version is unknown.`);
  }
  if (change.dataChanges === 'incompatible') {
    out.row = ROWS.never;
    return refuse(out, 'Declared `dataChanges: incompatible`: non-backward-compatible data/schema changes need all nodes shut down.');
  }
  if (change.dataChanges === undefined) out.warnings.push('`dataChanges` is not declared: make sure this version does not change data or drop/rename columns incompatibly.');
  const required = facts.manifest?.requireSchemaVersion;
  if (!required) {
    out.reasons.push('The bundle has no `Liferay-Require-SchemaVersion`: it brings no Service Builder schema.');
    return out;
  }
  const installed = change.type === 'module' ? change.installedSchemaVersion : undefined;
  if (!installed) {
    out.reasons.push(`The new bundle requires schema ${required}; preflight compares it with the installed schema version.`);
    out.preflightChecks.push(`installed schema version of ${name} must have the same major.minor as ${required}`);
    return out;
  }
  return compareSchema(out, installed, required);
}

function compareSchema(out: ChangeVerdict, installed: string, required: string): ChangeVerdict {
  const level = schemaChangeLevel(installed, required);
  if (level === 'major' || level === 'minor') {
    out.row = ROWS.never;
    return refuse(out, `Liferay-Require-SchemaVersion moves ${installed} → ${required} (a ${level} change): a required upgrade that cannot be reverted without a database restore.`);
  }
  if (level === 'micro') {
    out.warnings.push(`Schema version moves ${installed} → ${required} (micro): optional upgrade, the module activates without it.`);
  }
  out.reasons.push(`Schema version ${installed} → ${required}: no major/minor change.`);
  return out;
}

/** Which part of a dotted schema version changes: 'major', 'minor', 'micro' or 'none'. */
export function schemaChangeLevel(from: string, to: string): 'major' | 'minor' | 'micro' | 'none' {
  const a = from.split('.').map(Number);
  const b = to.split('.').map(Number);
  if ((a[0] ?? 0) !== (b[0] ?? 0)) return 'major';
  if ((a[1] ?? 0) !== (b[1] ?? 0)) return 'minor';
  if ((a[2] ?? 0) !== (b[2] ?? 0)) return 'micro';
  return 'none';
}

function refuse(out: ChangeVerdict, reason: string): ChangeVerdict {
  out.eligible = false;
  out.reasons.push(reason);
  return out;
}

function judgePatch(change: FixpackChange | HotfixChange, index: number, facts: ArtifactFacts | undefined, shipped: readonly string[]): ChangeVerdict {
  const patch = facts?.patch;
  const out = base(index, change.type, `${change.type} ${patch?.name ?? facts?.fileName ?? change.artifact}`);
  out.row = ROWS.patchRevertible;
  if (!facts || facts.error || !patch) {
    out.row = ROWS.unknown;
    return refuse(out, `The patch archive cannot be read (${facts?.error ?? 'not inspected'}): its content is unknown.`);
  }
  if (!patch.documentation) {
    out.row = ROWS.unknown;
    return refuse(out, 'The archive has no fixpack_documentation.json/.xml: it is not a Liferay patch lrroll can judge.');
  }
  if (patch.unreadable.length > 0) {
    out.row = ROWS.unknown;
    return refuse(out, `Part of the patch cannot be inspected (${patch.unreadable.slice(0, 3).join('; ')}): SQL, upgrade steps or cluster classes inside it cannot be ruled out.`);
  }
  if (patch.content.sqlOrUpgrade > 0 || patch.sqlOrUpgradeFiles.length > 0) {
    out.row = ROWS.never;
    return refuse(out, `The patch contains SQL or upgrade steps (${patch.sqlOrUpgradeFiles.slice(0, 3).join(', ')}): schema/data changes are never rolled, whatever is declared.`);
  }
  if (patch.clusterClasses.length > 0) {
    out.row = ROWS.never;
    return refuse(out, `The patch changes cluster code (${patch.clusterClasses.slice(0, 3).join(', ')}): cluster communication must stay intact in a rolling restart.`);
  }
  const crossed = change.type === 'fixpack' ? judgeLevels(change, out, patch.name, shipped) : true;
  if (!crossed) return out;
  return judgePatchContent(change, out, patch.content);
}

function judgePatchContent(change: FixpackChange | HotfixChange, out: ChangeVerdict, content: PatchContent): ChangeVerdict {
  if (change.revertible === false) {
    out.row = ROWS.patchNonRevertible;
    return refuse(out, 'The patch is declared non-revertible: non-revertible patches are never rolled.');
  }
  const code = content.classes + content.jars;
  if (code === 0 && content.other === 0) {
    out.reasons.push(`Only JSP/static resources change (${content.jspOrStatic} files): safe to roll.`);
    return out;
  }
  const what = `${code > 0 ? `class/jar changes (${content.classes} classes, ${content.jars} jars)` : ''}${code > 0 && content.other > 0 ? ' and ' : ''}${content.other > 0 ? `${content.other} file(s) that are neither JSP/static nor code` : ''}`;
  if (change.revertible === true) {
    out.reasons.push(`The patch has ${what} and is declared \`revertible: true\`.`);
    return out;
  }
  out.row = ROWS.patchNonRevertible;
  return refuse(out, `The patch has ${what}; Liferay's metadata does not say whether it is revertible. Declare \`revertible: true\` if the Customer Portal marks it revertible.`);
}

/** Checks the move from `from` to the new level against known breaking levels (either direction); false when refused. */
function judgeLevels(change: FixpackChange, out: ChangeVerdict, name: string | null, shipped: readonly string[]): boolean {
  const target = name ? parseLevel(name) : undefined;
  if (!target) {
    out.row = ROWS.unknown;
    refuse(out, `The fix pack level cannot be read from its name (${name ?? 'none'}), so known breaking levels cannot be checked.`);
    return false;
  }
  const to = `${target.family}-${target.number}`;
  if (!change.from) {
    out.preflightChecks.push(`the installed fix pack level is read on every node; the move to ${to} must not cross a known breaking level`);
    return true;
  }
  out.preflightChecks.push(`installed fix pack level must be ${change.from}`);
  const hits = crossedLevels(change.from, to, [...shipped, ...(change.breakingLevels ?? [])]);
  if (hits.length === 0) return true;
  out.row = ROWS.never;
  refuse(out, `Moving ${change.from} → ${to} crosses the breaking level ${hits.join(', ')}: the whole move needs a full cluster restart.`);
  return false;
}

/** The breaking levels a move between two levels of one family crosses (upwards or downwards): those in (low, high]. */
export function crossedLevels(from: string, to: string, breaking: readonly string[]): string[] {
  const a = parseLevel(from);
  const b = parseLevel(to);
  if (!a || !b || a.family !== b.family) return [];
  const low = Math.min(a.number, b.number);
  const high = Math.max(a.number, b.number);
  return breaking
    .map(parseLevel)
    .filter((l): l is Level => !!l && l.family === a.family && l.number > low && l.number <= high)
    .map((l) => `${l.family}-${l.number}`);
}

interface Level {
  family: string;
  number: number;
}

/** Parses a fix pack level such as `de-28`, `dxp-15-7210` or `liferay-fix-pack-dxp-15-7210`. */
export function parseLevel(text: string): Level | undefined {
  const m = /(?:^|-)(de|dxp|portal|fp)-(\d+)(?:-\d+)?$/.exec(text) ?? /^([a-z]+)-(\d+)(?:-\d+)?$/.exec(text);
  return m ? { family: m[1] as string, number: Number(m[2]) } : undefined;
}

function judgeRevert(change: FixpackRevertChange, index: number): ChangeVerdict {
  const out = base(index, change.type, `remove patch ${change.patch}`);
  out.row = ROWS.patchRemoval;
  if (change.revertible === true) {
    out.reasons.push('Declared `revertible: true`: revertible fix packs can be removed in rolling restarts.');
    return out;
  }
  out.row = ROWS.patchNonRevertible;
  return refuse(out, 'Only revertible patches can be removed in a rolling restart: declare `revertible: true` if the Customer Portal marks it revertible.');
}

function judgeJava(change: JavaChange, index: number): ChangeVerdict {
  const out = base(index, change.type, `Java ${change.from ?? '?'} → ${change.to}`);
  out.row = ROWS.javaMinor;
  if (!change.from) {
    out.row = ROWS.unknown;
    return refuse(out, 'The current Java version is not declared (`from`), so a major update cannot be ruled out.');
  }
  const a = javaMajor(change.from);
  const b = javaMajor(change.to);
  out.preflightChecks.push(`nodes must run Java ${change.from} now, and ${change.javaHome} must hold Java ${change.to}`);
  if (a !== b) {
    out.row = ROWS.never;
    return refuse(out, `Java ${change.from} → ${change.to} is a major update (${a} → ${b}): it must be done with all cluster nodes shut down.`);
  }
  out.reasons.push(`Java ${change.from} → ${change.to} stays on major version ${a}: a minor update.`);
  return out;
}

/** The Java feature (major) version: `1.8.0_412` → 8, `17.0.12` → 17. */
export function javaMajor(version: string): number {
  const parts = version.split(/[._]/).map(Number);
  return parts[0] === 1 ? (parts[1] ?? 1) : (parts[0] ?? 0);
}

const CLUSTER_KEYS = /^cluster\.link\./;

function withClusterLinkWarning(out: ChangeVerdict, set: Record<string, unknown> | undefined, unset: string[] | undefined): ChangeVerdict {
  const keys = [...Object.keys(set ?? {}), ...(unset ?? [])].filter((k) => CLUSTER_KEYS.test(k));
  if (keys.length > 0) {
    out.warnings.push(`${keys.join(', ')} change Cluster Link: old and new nodes must still be able to form one cluster while rolling, or use \`strategy: full\`.`);
  }
  return out;
}
