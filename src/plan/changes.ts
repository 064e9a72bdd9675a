import type { ArtifactFacts } from '../artifacts/types.js';
import type { Change, CustomChange, FixpackChange, FixpackRevertChange, HotfixChange, ModuleChange, ThemeChange } from '../playbook/playbook.generated.js';
import { releaseSteps } from './changes-release.js';
import { absoluteUnder, baseName, installFileCommand, simple, upload, verifySha, type ApplySpec, type ChangeContext, type ChangeSteps, type Upload } from './change-parts.js';
import { DEFAULTS, EXPECTED } from './defaults.js';
import { parseLevel } from './eligibility.js';
import type { ResolvedNode } from './nodes.js';
import { installedReleaseCommand } from './release-check.js';
import { managedBlockCommand, managedBlockFilter, propertiesEditCommand, propertiesFilter, shq } from './shell.js';
import { escapeForDoubleQuotes } from './template.js';

export type { ApplySpec, ChangeCheck, ChangeContext, ChangeSteps, PreviewDraft, Upload } from './change-parts.js';

/** Builds the steps of one change for one node. */
export function changeSteps(change: Change, ctx: ChangeContext): ChangeSteps {
  const steps = typedSteps(change, ctx);
  return { ...steps, type: change.type, backupPaths: steps.backupPaths.filter((p) => backupPathAllowed(p, ctx)) };
}

/**
 * A path a change touches is backed up into `<liferayHome>/.lrroll`; a path that holds that folder
 * (or lies inside it) cannot be: the copy would contain itself and a restore would delete it.
 */
function backupPathAllowed(path: string, ctx: ChangeContext): boolean {
  const own = `${ctx.node.plan.liferayHome}/.lrroll`;
  if (path !== '/' && path !== own && !own.startsWith(`${path}/`) && !path.startsWith(`${own}/`)) return true;
  ctx.templater.invalid('E_PATH', `the change would touch \`${path}\`, which holds lrroll's own folder ${own} (backups, staging, lock)`, 'name a file or folder inside Liferay Home, not Liferay Home itself or a folder above it', ctx.locate([]), ctx.node.plan.name);
  return false;
}

function typedSteps(change: Change, ctx: ChangeContext): ChangeSteps {
  switch (change.type) {
    case 'module':
    case 'theme':
      return bundleSteps(change, ctx);
    case 'fixpack':
    case 'hotfix':
      return patchSteps(change, ctx);
    case 'fixpack-revert':
      return revertPatchSteps(change, ctx);
    case 'portal-properties': {
      const file = absoluteUnder(ctx.node.plan.liferayHome, ctx.templater.path(change.file ?? DEFAULTS.change.propertiesFile, ctx.node.scope, ctx.locate(['file']), ctx.node.plan.name, 'relative-ok'));
      const set = Object.entries(change.set ?? {}).map(([k, v]) => [k, ctx.templater.path(String(v), ctx.node.scope, ctx.locate(['set', k]), ctx.node.plan.name)] as const);
      const keys = [...set.map(([k]) => k), ...(change.unset ?? []).map((k) => `-${k}`)];
      const out = simple(`edit ${file} (${keys.join(', ')})`, [file], propertiesEditCommand(file, set, change.unset ?? []));
      out.preview.push({ kind: 'edit', file, filter: propertiesFilter(set, change.unset ?? []) });
      return out;
    }
    case 'osgi-config':
      return osgiConfigSteps(change.files ?? [], change.remove ?? [], ctx);
    case 'jvm-settings': {
      const file = setenvFile(change.file, ctx);
      const lines = [
        ...Object.entries(change.env ?? {}).filter(([k, v]) => oneLine(String(v), ['env', k], ctx)).map(([k, v]) => `${k}=${shq(String(v))}; export ${k}`),
        ...(change.options ?? []).filter((o, i) => oneLine(o, ['options', i], ctx)).map((o) => `CATALINA_OPTS="$CATALINA_OPTS ${escapeForDoubleQuotes(o)}"`),
      ];
      const out = simple(`managed JVM block in ${file}`, [file], managedBlockCommand(file, 'jvm-settings', lines));
      out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('jvm-settings', lines) });
      return out;
    }
    case 'app-server':
      return fileInstallSteps('app server files', change.files.map((f, i) => ({ source: f.source, dest: absoluteUnder(ctx.node.plan.tomcatHome, ctx.templater.path(f.dest, ctx.node.scope, ctx.locate(['files', i, 'dest']), ctx.node.plan.name, 'relative-ok')) })), ctx);
    case 'java': {
      const file = setenvFile(change.file, ctx);
      const home = ctx.templater.path(change.javaHome, ctx.node.scope, ctx.locate(['javaHome']), ctx.node.plan.name, 'absolute');
      const lines = [`JAVA_HOME=${shq(home)}; export JAVA_HOME`, `JRE_HOME=${shq(home)}; export JRE_HOME`];
      const out = simple(`JAVA_HOME=${home} in ${file}`, [file], managedBlockCommand(file, 'java', lines));
      out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('java', lines) });
      out.verify = { title: `${home}/bin/java runs`, command: `${shq(`${home}/bin/java`)} -version` };
      out.checks.push({ action: 'check-java-version', expected: change.from ?? change.to, command: javaVersionCommand(ctx.node, home) });
      return out;
    }
    case 'activation-key': {
      const out = fileInstallSteps('activation key', [{ source: change.artifact, dest: `${ctx.node.plan.liferayHome}/deploy/${baseName(change.artifact)}` }], ctx);
      out.backupPaths.push(`${ctx.node.plan.liferayHome}/data/license`);
      return out;
    }
    case 'os-upgrade': {
      const r = commandList(change.commands, ctx, ['commands']);
      const out = simple('OS upgrade commands', [], r.command, r.secretEnv);
      out.apply.pointOfNoReturn = true;
      out.preview.push({ kind: 'opaque', title: 'OS upgrade commands' });
      return out;
    }
    case 'custom':
      return customSteps(change, ctx);
    case 'release':
      return releaseSteps(change, ctx);
    case 'restart':
      return { ...simple('restart only', [], ''), apply: null };
  }
}

/** A value that becomes one line of a file (setenv.sh): a line break would start a line lrroll did not write. */
function oneLine(value: string, field: ReadonlyArray<string | number>, ctx: ChangeContext): boolean {
  if (!/[\r\n]/.test(value)) return true;
  ctx.templater.invalid('E_SCHEMA', 'a JVM option or environment value contains a line break', 'write each option as its own list item, on one line', ctx.locate(field));
  return false;
}

function bundleSteps(change: ModuleChange | ThemeChange, ctx: ChangeContext): ChangeSteps {
  const up = upload(change.artifact, ctx);
  const facts = ctx.artifacts.get(change.artifact);
  const file = baseName(change.artifact);
  const home = ctx.node.plan.liferayHome;
  const isWar = /\.war$/i.test(file);
  const installed = `${home}/osgi/${/\.lpkg$/i.test(file) ? 'marketplace' : isWar ? 'war' : 'modules'}`;
  const dest = (change.deployTo ?? DEFAULTS.change.deployTo) === 'deploy' ? `${home}/deploy/${file}` : `${installed}/${file}`;
  const commands: string[] = [];
  if (change.replaces) {
    commands.push(`find ${shq(`${home}/osgi/modules`)} ${shq(`${home}/osgi/war`)} -maxdepth 1 -type f -name ${shq(change.replaces)} ! -name ${shq(file)} -exec rm -f {} + 2>/dev/null || true`);
  }
  commands.push(installFileCommand(up.remotePath, dest));
  const out = simple(`${change.type} ${file} → ${dest}`, [installed, dest], commands.join(' && '));
  out.uploads.push(up);
  out.preview.push({ kind: 'install', path: dest, sha256: up.sha256, size: up.size });
  const bundle = facts?.manifest?.bundleSymbolicName;
  if (bundle) out.preview.push({ kind: 'module', home, bundle, version: facts.manifest?.bundleVersion ?? '?', file, replaces: change.replaces ?? null });
  out.verify = { title: `${file} in place with sha256 ${up.sha256.slice(0, 12)}…`, command: verifySha(dest, up.sha256) };
  const bsn = facts?.manifest?.bundleSymbolicName;
  if (bsn) out.bundles.push(bsn);
  const required = facts?.manifest?.requireSchemaVersion;
  if (bsn && required && !(change.type === 'module' && change.installedSchemaVersion)) {
    out.checks.push({ action: 'check-schema-version', bundle: bsn, newVersion: required, command: installedSchemaCommand(home, bsn) });
  }
  return out;
}

/** Joins a manifest's continuation lines (a line starting with one space continues the one before). */
const UNFOLD_MANIFEST_AWK = 'NR > 1 && /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }';

/**
 * Prints the Liferay-Require-SchemaVersion of the installed jar of `bsn` (empty when not installed).
 * The name read from the artifact is compared as a quoted value (`[ "$n" = 'bsn' ]`), never put into
 * a pattern or unquoted text, whatever it holds.
 */
export function installedSchemaCommand(home: string, bsn: string): string {
  const script = [
    `for f in ${shq(`${home}/osgi/modules`)}/*.jar ${shq(`${home}/osgi/marketplace`)}/*.jar; do`,
    '  [ -f "$f" ] || continue',
    `  m=$(unzip -p "$f" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk ${shq(UNFOLD_MANIFEST_AWK)}) || continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; s/[[:space:]]*$//')`,
    `  [ "$n" = ${shq(bsn)} ] || continue`,
    `  printf '%s\\n' "$m" | sed -n 's/^Liferay-Require-SchemaVersion: *//p'`,
    '  exit 0',
    'done',
  ];
  return script.join('\n');
}

function patchingTool(home: string, profile: string | undefined, args: string): string {
  return `cd ${shq(`${home}/patching-tool`)} && ./patching-tool.sh ${profile ? `${shq(profile)} ` : ''}${args}`;
}

function cleanupAfterPatch(change: { clearOsgiState?: boolean; clearWork?: boolean }, home: string): string[] {
  const out: string[] = [];
  if (change.clearOsgiState ?? DEFAULTS.change.clearOsgiState) out.push(`rm -rf ${shq(`${home}/osgi/state`)}`);
  if (change.clearWork ?? DEFAULTS.change.clearWork) out.push(`if [ -d ${shq(`${home}/work`)} ]; then find ${shq(`${home}/work`)} -mindepth 1 -delete; fi`);
  return out;
}

function patchSteps(change: FixpackChange | HotfixChange, ctx: ChangeContext): ChangeSteps {
  const up = upload(change.artifact, ctx);
  const home = ctx.node.plan.liferayHome;
  const name = ctx.artifacts.get(change.artifact)?.patch?.name ?? baseName(change.artifact).replace(/\.zip$/i, '').replace(/^liferay-(fix-pack|hotfix)-/, (_m, kind: string) => (kind === 'hotfix' ? 'hotfix-' : ''));
  const patches = `${home}/patching-tool/patches`;
  const install = [installFileCommand(up.remotePath, `${patches}/${baseName(change.artifact)}`), `(${patchingTool(home, change.profile, 'install')})`, ...cleanupAfterPatch(change, home)];
  const out = simple(`${change.type} ${name} with the Patching Tool`, [patches], install.join(' && '));
  out.uploads.push(up);
  out.preview.push({ kind: 'install', path: `${patches}/${baseName(change.artifact)}`, sha256: up.sha256, size: up.size });
  out.preview.push({ kind: 'patches', home, profile: change.profile ?? null, add: name, remove: null, fixpack: change.type === 'fixpack' });
  out.apply.expectSec = EXPECTED.patchInstallSec;
  out.apply.timeoutSec = 1800;
  out.apply.revert = [`(${patchingTool(home, change.profile, 'install')})`, ...cleanupAfterPatch(change, home)].join(' && ');
  out.verify = { title: `patching-tool info lists ${name}`, command: `(${patchingTool(home, change.profile, 'info')}) | grep -F 'Currently installed patches:' | grep -qF ${shq(name)}` };
  if (change.type === 'hotfix' && change.release) {
    out.checks.push({ action: 'check-release', expected: change.release, schemas: [], command: installedReleaseCommand(home, ctx.node.plan.tomcatHome, false) });
  }
  const target = parseLevel(name);
  if (change.type === 'fixpack' && target) {
    const breakingLevels = [...ctx.breakingLevels, ...(change.breakingLevels ?? [])];
    out.checks.push({ action: 'check-patch-level', expected: change.from ?? null, target: `${target.family}-${target.number}`, breakingLevels, command: `(${patchingTool(home, change.profile, 'info')}) | sed -n 's/^ *Currently installed patches: *//p'` });
  }
  return out;
}

function revertPatchSteps(change: FixpackRevertChange, ctx: ChangeContext): ChangeSteps {
  const home = ctx.node.plan.liferayHome;
  const patches = `${home}/patching-tool/patches`;
  const pattern = /\.zip$/i.test(change.patch) ? change.patch : `*${change.patch}*.zip`;
  const remove = [
    `n=$(find ${shq(patches)} -maxdepth 1 -type f -name ${shq(pattern)} | wc -l)`,
    `[ "$n" -eq 1 ] || { echo "lrroll: expected exactly one patch file matching ${escapeForDoubleQuotes(pattern)} in ${escapeForDoubleQuotes(patches)}, found $n" >&2; exit 1; }`,
    `find ${shq(patches)} -maxdepth 1 -type f -name ${shq(pattern)} -exec rm -f {} +`,
    `(${patchingTool(home, change.profile, 'install')})`,
    ...cleanupAfterPatch(change, home),
  ];
  const out = simple(`remove patch ${change.patch} with the Patching Tool`, [patches], remove.join(' && '));
  out.preview.push({ kind: 'patches', home, profile: change.profile ?? null, add: null, remove: change.patch, fixpack: false });
  out.apply.expectSec = EXPECTED.patchInstallSec;
  out.apply.timeoutSec = 1800;
  out.apply.revert = [`(${patchingTool(home, change.profile, 'install')})`, ...cleanupAfterPatch(change, home)].join(' && ');
  out.verify = { title: `patching-tool info no longer lists ${change.patch}`, command: `! (${patchingTool(home, change.profile, 'info')}) | grep -F 'Currently installed patches:' | grep -qF ${shq(change.patch.replace(/\.zip$/i, ''))}` };
  return out;
}

function osgiConfigSteps(files: ReadonlyArray<{ source: string; name?: string }>, remove: readonly string[], ctx: ChangeContext): ChangeSteps & { apply: ApplySpec } {
  const dir = `${ctx.node.plan.liferayHome}/osgi/configs`;
  const out = fileInstallSteps('osgi/configs files', files.map((f) => ({ source: f.source, dest: `${dir}/${f.name ?? baseName(f.source)}` })), ctx);
  for (const name of remove) {
    out.backupPaths.push(`${dir}/${name}`);
    out.preview.push({ kind: 'remove', path: `${dir}/${name}` });
    out.apply.command = [out.apply.command, `rm -f ${shq(`${dir}/${name}`)}`].filter((c) => c !== '').join(' && ');
  }
  out.title = `osgi/configs: ${[...files.map((f) => `+${f.name ?? baseName(f.source)}`), ...remove.map((r) => `-${r}`)].join(', ')}`;
  return out;
}

function fileInstallSteps(title: string, files: ReadonlyArray<{ source: string; dest: string }>, ctx: ChangeContext): ChangeSteps & { apply: ApplySpec } {
  const uploads = files.map((f) => upload(f.source, ctx));
  const out = simple(`${title}: ${files.map((f) => f.dest).join(', ')}`, files.map((f) => f.dest), files.map((f, i) => installFileCommand((uploads[i] as Upload).remotePath, f.dest)).join(' && '));
  out.uploads.push(...uploads);
  files.forEach((f, i) => out.preview.push({ kind: 'install', path: f.dest, sha256: (uploads[i] as Upload).sha256, size: (uploads[i] as Upload).size }));
  out.verify = { title: `${files.length} file(s) in place with the expected checksums`, command: files.map((f, i) => verifySha(f.dest, (uploads[i] as Upload).sha256)).join(' && ') };
  return out;
}

function commandList(commands: readonly string[], ctx: ChangeContext, field: string[]): { command: string; secretEnv: string[] } {
  const secret = new Set<string>();
  const lines = commands.map((c, i) => {
    const r = ctx.templater.render(c, ctx.node.scope, 'shell', ctx.locate([...field, i]), ctx.node.plan.name);
    r.secretEnv.forEach((s) => secret.add(s));
    return r.text;
  });
  return { command: ['set -e', ...lines].join('\n'), secretEnv: [...secret].sort() };
}

function customSteps(change: CustomChange, ctx: ChangeContext): ChangeSteps {
  const run = commandList(change.commands, ctx, ['commands']);
  const backup = (change.backup ?? []).map((p, i) => ctx.templater.path(p, ctx.node.scope, ctx.locate(['backup', i]), ctx.node.plan.name, 'absolute'));
  const out = simple(change.name, backup, run.command, run.secretEnv);
  out.preview.push({ kind: 'opaque', title: change.name });
  out.whileRunning = (change.when ?? DEFAULTS.change.customWhen) === 'running';
  if (change.verify?.length) out.verify = { title: `verify: ${change.name}`, command: commandList(change.verify, ctx, ['verify']).command };
  if (change.revert?.length) out.apply.revert = commandList(change.revert, ctx, ['revert']).command;
  out.apply.pointOfNoReturn = !change.revert?.length && backup.length === 0;
  return out;
}

function setenvFile(file: string | undefined, ctx: ChangeContext): string {
  return absoluteUnder(ctx.node.plan.tomcatHome, ctx.templater.path(file ?? DEFAULTS.change.setenvFile, ctx.node.scope, ctx.locate(['file']), ctx.node.plan.name, 'relative-ok'));
}

function javaVersionCommand(node: ResolvedNode, newHome: string): string {
  const pid = `${node.plan.liferayHome}/liferay.pid`;
  return [
    `if [ -f ${shq(pid)} ] && [ -e "/proc/$(cat ${shq(pid)})/exe" ]; then "/proc/$(cat ${shq(pid)})/exe" -version 2>&1 | head -n 1; else echo 'current: unknown (no running JVM)'; fi`,
    `${shq(`${newHome}/bin/java`)} -version 2>&1 | head -n 1`,
  ].join('; ');
}
