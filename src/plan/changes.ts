/** The steps each change type contributes to a node: what it uploads, backs up, applies, verifies and checks in preflight. */
import type { AppServerChange, Change, CustomChange, JavaChange, JvmSettingsChange, OsUpgradeChange, PortalPropertiesChange } from '../playbook/playbook.generated.js';
import { bundleSteps } from './change-bundle.js';
import { patchSteps, revertPatchSteps } from './change-patch.js';
import { absoluteUnder, baseName, commandList, fileInstallSteps, simple, type ApplySpec, type ChangeContext, type ChangeSteps } from './change-steps.js';
import { DEFAULTS } from './defaults.js';
import { appServerVersionCommand, javaInUseCommand } from './facts-commands.js';
import { releaseSteps } from './changes-release.js';
import { managedBlockCommand, managedBlockFilter } from './shell/managed-block.js';
import { propertiesEditCommand, propertiesFilter } from './shell/properties.js';
import { shq } from '../shell/quote.js';
import { escapeForDoubleQuotes } from './template.js';

export type { ApplySpec, ChangeCheck, ChangeContext, ChangeSteps, PreviewDraft, Upload } from './change-steps.js';
export { absoluteUnder, baseName, installFileCommand, stagedPath } from './change-steps.js';
export { installedBundleCommand } from './change-bundle.js';

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
    case 'portal-properties':
      return propertiesSteps(change, ctx);
    case 'osgi-config':
      return osgiConfigSteps(change.files ?? [], change.remove ?? [], ctx);
    case 'jvm-settings':
      return jvmSettingsSteps(change, ctx);
    case 'app-server':
      return appServerSteps(change, ctx);
    case 'java':
      return javaSteps(change, ctx);
    case 'activation-key': {
      const out = fileInstallSteps('activation key', [{ source: change.artifact, dest: `${ctx.node.plan.liferayHome}/deploy/${baseName(change.artifact)}` }], ctx);
      out.backupPaths.push(`${ctx.node.plan.liferayHome}/data/license`);
      return out;
    }
    case 'os-upgrade':
      return osUpgradeSteps(change, ctx);
    case 'custom':
      return customSteps(change, ctx);
    case 'release':
      return releaseSteps(change, ctx);
    case 'restart':
      return { ...simple('restart only', [], ''), apply: null };
  }
}

function propertiesSteps(change: PortalPropertiesChange, ctx: ChangeContext): ChangeSteps {
  const file = absoluteUnder(ctx.node.plan.liferayHome, ctx.templater.path(change.file ?? DEFAULTS.change.propertiesFile, ctx.node.scope, ctx.locate(['file']), ctx.node.plan.name, 'relative-ok'));
  if (change.source !== undefined) return fileInstallSteps(`portal-ext.properties from ${change.source}`, [{ source: change.source, dest: file }], ctx);
  const set = Object.entries(change.set ?? {}).map(([k, v]) => [k, ctx.templater.path(String(v), ctx.node.scope, ctx.locate(['set', k]), ctx.node.plan.name)] as const);
  const keys = [...set.map(([k]) => k), ...(change.unset ?? []).map((k) => `-${k}`)];
  const out = simple(`edit ${file} (${keys.join(', ')})`, [file], propertiesEditCommand(file, set, change.unset ?? []));
  out.preview.push({ kind: 'edit', file, filter: propertiesFilter(set, change.unset ?? []) });
  return out;
}

function jvmSettingsSteps(change: JvmSettingsChange, ctx: ChangeContext): ChangeSteps {
  const file = setenvFile(change.file, ctx);
  if (change.source !== undefined) return fileInstallSteps(`setenv.sh from ${change.source}`, [{ source: change.source, dest: file }], ctx);
  const lines = [
    ...Object.entries(change.env ?? {}).filter(([k, v]) => oneLine(String(v), ['env', k], ctx)).map(([k, v]) => `${k}=${shq(String(v))}; export ${k}`),
    ...(change.options ?? []).filter((o, i) => oneLine(o, ['options', i], ctx)).map((o) => `CATALINA_OPTS="$CATALINA_OPTS ${escapeForDoubleQuotes(o)}"`),
  ];
  const out = simple(`managed JVM block in ${file}`, [file], managedBlockCommand(file, 'jvm-settings', lines));
  out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('jvm-settings', lines) });
  return out;
}

function appServerSteps(change: AppServerChange, ctx: ChangeContext): ChangeSteps {
  const files = (change.files ?? []).map((f, i) => ({ source: f.source, dest: absoluteUnder(ctx.node.plan.tomcatHome, ctx.templater.path(f.dest, ctx.node.scope, ctx.locate(['files', i, 'dest']), ctx.node.plan.name, 'relative-ok')) }));
  const out = files.length > 0 ? fileInstallSteps('app server files', files, ctx) : simple('app server', [], '');
  if (change.commands?.length) {
    const run = commandList(change.commands, ctx, ['commands']);
    out.apply.command = [out.apply.command, run.command].filter((c) => c !== '').join('\n');
    out.apply.secretEnv = run.secretEnv;
    out.title = `${files.length > 0 ? `${out.title}; ` : ''}${change.commands.length} app server command(s)`;
    out.preview.push({ kind: 'opaque', title: 'app server commands' });
    const backup = (change.backup ?? []).map((p, i) => ctx.templater.path(p, ctx.node.scope, ctx.locate(['backup', i]), ctx.node.plan.name, 'absolute'));
    out.backupPaths.push(...backup);
    out.apply.pointOfNoReturn = backup.length === 0;
  }
  if (change.version) {
    const version = change.version;
    const check = `v=$(sh -c ${shq(appServerVersionCommand(ctx.node.plan.tomcatHome))} | sed -n 's/^Server number: *//p; s/^Server version: [^/]*\\///p' | head -n 1); case "$v" in ${shq(version)}|${shq(version)}.*) ;; *) echo "lrroll: the app server reports \${v:-no version}, not ${escapeForDoubleQuotes(version)}" >&2; exit 1 ;; esac`;
    out.verify = { title: `${out.verify ? `${out.verify.title}; ` : ''}the app server reports ${version}`, command: out.verify ? `${out.verify.command} && ${check}` : check };
    out.title = `${out.title} → ${version}`;
  }
  return out;
}

function javaSteps(change: JavaChange, ctx: ChangeContext): ChangeSteps {
  const file = setenvFile(change.file, ctx);
  const home = ctx.templater.path(change.javaHome, ctx.node.scope, ctx.locate(['javaHome']), ctx.node.plan.name, 'absolute');
  const lines = [`JAVA_HOME=${shq(home)}; export JAVA_HOME`, `JRE_HOME=${shq(home)}; export JRE_HOME`];
  const out = simple(`JAVA_HOME=${home} in ${file}`, [file], managedBlockCommand(file, 'java', lines));
  out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('java', lines) });
  out.verify = { title: `${home}/bin/java runs`, command: `${shq(`${home}/bin/java`)} -version` };
  const fact = ctx.facts.java().find((v) => v.node === ctx.node.plan.name)?.value ?? null;
  out.checks.push({ action: 'check-java-version', expected: change.from ?? fact ?? change.to, command: javaVersionCommand(ctx.node.plan.tomcatHome, home) });
  return out;
}

function osUpgradeSteps(change: OsUpgradeChange, ctx: ChangeContext): ChangeSteps {
  const r = commandList(change.commands, ctx, ['commands']);
  const target = change.target;
  const out = simple(`OS upgrade commands${target ? ` to ${target.id} ${target.version}` : ''}`, [], r.command, r.secretEnv);
  out.apply.pointOfNoReturn = true;
  out.preview.push({ kind: 'opaque', title: 'OS upgrade commands' });
  if (target) {
    const read = (key: string): string => `$(sed -n 's/^${key}=//p' /etc/os-release | tr -d "\\"'")`;
    out.verify = {
      title: `/etc/os-release says ${target.id} ${target.version}`,
      command: `id=${read('ID')}; ver=${read('VERSION_ID')}; [ "$id" = ${shq(target.id)} ] && [ "$ver" = ${shq(target.version)} ] || { echo "lrroll: the node runs $id $ver, not ${escapeForDoubleQuotes(`${target.id} ${target.version}`)}" >&2; exit 1; }`,
    };
  }
  return out;
}

/** A value that becomes one line of a file (setenv.sh): a line break would start a line lrroll did not write. */
function oneLine(value: string, field: ReadonlyArray<string | number>, ctx: ChangeContext): boolean {
  if (!/[\r\n]/.test(value)) return true;
  ctx.templater.invalid('E_SCHEMA', 'a JVM option or environment value contains a line break', 'write each option as its own list item, on one line', ctx.locate(field));
  return false;
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

/** Prints the `java -version` output of the JVM the app server starts with now, a `== new` line, then the new JDK's. */
function javaVersionCommand(tomcatHome: string, newHome: string): string {
  return [javaInUseCommand(tomcatHome), "echo '== new'", `${shq(`${newHome}/bin/java`)} -version 2>&1`].join('; ');
}
