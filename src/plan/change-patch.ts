/** Steps of fix pack / hotfix installs and removals, all through the Patching Tool. */
import type { FixpackChange, FixpackRevertChange, HotfixChange } from '../playbook/playbook.generated.js';
import {
  baseName,
  installFileCommand,
  simple,
  upload,
  type ChangeCheck,
  type ChangeContext,
  type ChangeSteps,
} from './change-steps.js';
import { DEFAULTS, EXPECTED } from './defaults.js';
import { installedLevel, levelName, parseFixPackLevel } from '../domain/levels.js';
import { installedReleaseCommand } from './release-check.js';
import { shq } from '../shell/quote.js';
import { escapeForDoubleQuotes } from '../domain/template.js';

function patchingTool(home: string, profile: string | undefined, args: string): string {
  return `cd ${shq(`${home}/patching-tool`)} && ./patching-tool.sh ${profile ? `${shq(profile)} ` : ''}${args}`;
}

/** Prints the installed patches, comma-separated, as `patching-tool.sh info` lists them. */
export function installedPatchesCommand(home: string, profile?: string): string {
  return `(${patchingTool(home, profile, 'info')}) | sed -n 's/^ *Currently installed patches: *//p'`;
}

function cleanupAfterPatch(change: { clearOsgiState?: boolean; clearWork?: boolean }, home: string): string[] {
  const out: string[] = [];
  if (change.clearOsgiState ?? DEFAULTS.change.clearOsgiState) out.push(`rm -rf ${shq(`${home}/osgi/state`)}`);
  if (change.clearWork ?? DEFAULTS.change.clearWork)
    out.push(`if [ -d ${shq(`${home}/work`)} ]; then find ${shq(`${home}/work`)} -mindepth 1 -delete; fi`);
  return out;
}

/** Builds the steps of a fix pack or hotfix install for one node. */
export function patchSteps(change: FixpackChange | HotfixChange, ctx: ChangeContext): ChangeSteps {
  const up = upload(change.artifact, ctx);
  const home = ctx.node.plan.liferayHome;
  const name =
    ctx.artifacts.get(change.artifact)?.patch?.name ??
    baseName(change.artifact)
      .replace(/\.zip$/i, '')
      .replace(/^liferay-(fix-pack|hotfix)-/, (_m, kind: string) => (kind === 'hotfix' ? 'hotfix-' : ''));
  const patches = `${home}/patching-tool/patches`;
  const install = [
    installFileCommand(up.remotePath, `${patches}/${baseName(change.artifact)}`),
    `(${patchingTool(home, change.profile, 'install')})`,
    ...cleanupAfterPatch(change, home),
  ];
  const out = simple(`${change.type} ${name} with the Patching Tool`, [patches], install.join(' && '));
  out.uploads.push(up);
  out.preview.push({
    kind: 'install',
    path: `${patches}/${baseName(change.artifact)}`,
    sha256: up.sha256,
    size: up.size,
  });
  out.preview.push({
    kind: 'patches',
    home,
    profile: change.profile ?? null,
    add: name,
    remove: null,
    fixpack: change.type === 'fixpack',
  });
  out.apply.expectSec = EXPECTED.patchInstallSec;
  out.apply.timeoutSec = 1800;
  out.apply.revert = [`(${patchingTool(home, change.profile, 'install')})`, ...cleanupAfterPatch(change, home)].join(
    ' && ',
  );
  out.verify = {
    title: `patching-tool info lists ${name}`,
    command:
      `(${patchingTool(home, change.profile, 'info')}) | grep -F 'Currently installed patches:' | ` +
      `grep -qF ${shq(name)}`,
  };
  if (change.type === 'hotfix' && change.release) {
    out.checks.push({
      action: 'check-release',
      expected: change.release,
      schemas: [],
      command: installedReleaseCommand(home, ctx.node.plan.tomcatHome, false),
    });
  }
  const target = parseFixPackLevel(name);
  if (change.type === 'fixpack' && target) {
    const expected =
      change.from !== undefined ? levelName(parseFixPackLevel(change.from) ?? target) : knownLevel(ctx, target.family);
    out.checks.push(levelCheck(ctx, change.profile, expected, levelName(target), change.breakingLevels));
  }
  return out;
}

/**
 * Builds the steps of a patch removal for one node: the zip leaves `patches/`, then `install` (and `to`, when given, is
 * checked before and after).
 */
export function revertPatchSteps(change: FixpackRevertChange, ctx: ChangeContext): ChangeSteps {
  const home = ctx.node.plan.liferayHome;
  const patches = `${home}/patching-tool/patches`;
  const pattern = /\.zip$/i.test(change.patch) ? change.patch : `*${change.patch}*.zip`;
  const remove = [
    `n=$(find ${shq(patches)} -maxdepth 1 -type f -name ${shq(pattern)} | wc -l)`,
    `[ "$n" -eq 1 ] || { echo "lrroll: expected exactly one patch file matching ` +
      `${escapeForDoubleQuotes(pattern)} in ${escapeForDoubleQuotes(patches)}, found $n" >&2; exit 1; }`,
    `find ${shq(patches)} -maxdepth 1 -type f -name ${shq(pattern)} -exec rm -f {} +`,
    `(${patchingTool(home, change.profile, 'install')})`,
    ...cleanupAfterPatch(change, home),
  ];
  const out = simple(`remove patch ${change.patch} with the Patching Tool`, [patches], remove.join(' && '));
  out.preview.push({
    kind: 'patches',
    home,
    profile: change.profile ?? null,
    add: null,
    remove: change.patch,
    fixpack: false,
  });
  out.apply.expectSec = EXPECTED.patchInstallSec;
  out.apply.timeoutSec = 1800;
  out.apply.revert = [`(${patchingTool(home, change.profile, 'install')})`, ...cleanupAfterPatch(change, home)].join(
    ' && ',
  );
  const gone =
    `! (${patchingTool(home, change.profile, 'info')}) | grep -F 'Currently installed patches:' | grep ` +
    `-qF ${shq(change.patch.replace(/\.zip$/i, ''))}`;
  out.verify = { title: `patching-tool info no longer lists ${change.patch}`, command: gone };
  const removed = parseFixPackLevel(
    ctx.artifacts.get(change.artifact ?? '')?.patch?.name ?? change.patch.replace(/\.zip$/i, ''),
  );
  const to = change.to ? parseFixPackLevel(change.to) : undefined;
  if (removed && to) {
    out.checks.push(levelCheck(ctx, change.profile, levelName(removed), levelName(to), change.breakingLevels));
    const family = `${to.family}-`;
    out.verify = {
      title: `patching-tool info no longer lists ${change.patch} and shows ${levelName(to)}`,
      command:
        `${gone} && (${installedPatchesCommand(home, change.profile)}` +
        `) | tr ',' '\\n' | sed 's/^ *//' | grep -E ` +
        `${shq(`^${family.replace(/[.]/g, '\\.')}[0-9]+(-[0-9]+)?$`)} | grep -qE ` +
        `${shq(`^${levelName(to)}(-[0-9]+)?$`)}`,
    };
  }
  return out;
}

/** The installed level of a family on this node per its facts: a level, `''` (none installed), or null (not known). */
function knownLevel(ctx: ChangeContext, family: string): string | null {
  const p = ctx.facts.patchesOf(ctx.node.plan.name);
  if (p === null) return null;
  const level = installedLevel(p.split(/,\s*/).filter(Boolean), family);
  return level ? levelName(level) : '';
}

function levelCheck(
  ctx: ChangeContext,
  profile: string | undefined,
  expected: string | null,
  target: string,
  own: readonly string[] | undefined,
): ChangeCheck {
  const breakingLevels = [...ctx.breakingLevels, ...(own ?? [])];
  return {
    action: 'check-patch-level',
    expected,
    target,
    breakingLevels,
    command: installedPatchesCommand(ctx.node.plan.liferayHome, profile),
  };
}
