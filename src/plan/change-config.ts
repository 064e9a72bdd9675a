/**
 * Changes that edit configuration on a node: portal properties, the JVM block and JAVA_HOME in setenv.sh, OSGi config
 * files.
 */
import type { JavaChange, JvmSettingsChange, PortalPropertiesChange } from '../playbook/playbook.generated.js';
import {
  absoluteUnder,
  baseName,
  fileInstallSteps,
  simple,
  type ApplySpec,
  type ChangeContext,
  type ChangeSteps,
} from './change-steps.js';
import { DEFAULTS } from './defaults.js';
import { javaInUseCommand } from './facts-commands.js';
import { managedBlockCommand, managedBlockFilter } from './shell/managed-block.js';
import { propertiesEditCommand, propertiesFilter } from './shell/properties.js';
import { shq } from '../shell/quote.js';
import { escapeForDoubleQuotes } from '../domain/template.js';

/** Sets and unsets keys of portal-ext.properties (or installs a shipped file in its place). */
export function propertiesSteps(change: PortalPropertiesChange, ctx: ChangeContext): ChangeSteps {
  const file = absoluteUnder(
    ctx.node.plan.liferayHome,
    ctx.templater.path(
      change.file ?? DEFAULTS.change.propertiesFile,
      ctx.node.scope,
      ctx.locate(['file']),
      ctx.node.plan.name,
      'relative-ok',
    ),
  );
  if (change.source !== undefined)
    return fileInstallSteps(
      `portal-ext.properties from ${change.source}`,
      [{ source: change.source, dest: file }],
      ctx,
    );
  const set = Object.entries(change.set ?? {}).map(
    ([k, v]) => [k, ctx.templater.path(String(v), ctx.node.scope, ctx.locate(['set', k]), ctx.node.plan.name)] as const,
  );
  const keys = [...set.map(([k]) => k), ...(change.unset ?? []).map((k) => `-${k}`)];
  const out = simple(`edit ${file} (${keys.join(', ')})`, [file], propertiesEditCommand(file, set, change.unset ?? []));
  out.preview.push({ kind: 'edit', file, filter: propertiesFilter(set, change.unset ?? []) });
  return out;
}

/** Keeps lrroll's managed JVM block (options and environment) in setenv.sh, or installs a shipped setenv.sh. */
export function jvmSettingsSteps(change: JvmSettingsChange, ctx: ChangeContext): ChangeSteps {
  const file = setenvFile(change.file, ctx);
  if (change.source !== undefined)
    return fileInstallSteps(`setenv.sh from ${change.source}`, [{ source: change.source, dest: file }], ctx);
  const lines = [
    ...Object.entries(change.env ?? {})
      .filter(([k, v]) => oneLine(String(v), ['env', k], ctx))
      .map(([k, v]) => `${k}=${shq(String(v))}; export ${k}`),
    ...(change.options ?? [])
      .filter((o, i) => oneLine(o, ['options', i], ctx))
      .map((o) => `CATALINA_OPTS="$CATALINA_OPTS ${escapeForDoubleQuotes(o)}"`),
  ];
  const out = simple(`managed JVM block in ${file}`, [file], managedBlockCommand(file, 'jvm-settings', lines));
  out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('jvm-settings', lines) });
  return out;
}

/** Points JAVA_HOME and JRE_HOME at the new JDK in setenv.sh; preflight checks the JDK's version. */
export function javaSteps(change: JavaChange, ctx: ChangeContext): ChangeSteps {
  const file = setenvFile(change.file, ctx);
  const home = ctx.templater.path(
    change.javaHome,
    ctx.node.scope,
    ctx.locate(['javaHome']),
    ctx.node.plan.name,
    'absolute',
  );
  const lines = [`JAVA_HOME=${shq(home)}; export JAVA_HOME`, `JRE_HOME=${shq(home)}; export JRE_HOME`];
  const out = simple(`JAVA_HOME=${home} in ${file}`, [file], managedBlockCommand(file, 'java', lines));
  out.preview.push({ kind: 'edit', file, filter: managedBlockFilter('java', lines) });
  out.verify = { title: `${home}/bin/java runs`, command: `${shq(`${home}/bin/java`)} -version` };
  const fact = ctx.facts.javaOf(ctx.node.plan.name);
  out.checks.push({
    action: 'check-java-version',
    expected: change.from ?? fact ?? change.to,
    command: javaVersionCommand(ctx.node.plan.tomcatHome, home),
  });
  return out;
}

/** A value that becomes one line of a file (setenv.sh): a line break would start a line lrroll did not write. */
function oneLine(value: string, field: ReadonlyArray<string | number>, ctx: ChangeContext): boolean {
  if (!/[\r\n]/.test(value)) return true;
  ctx.templater.invalid(
    'E_SCHEMA',
    'a JVM option or environment value contains a line break',
    'write each option as its own list item, on one line',
    ctx.locate(field),
  );
  return false;
}

/** Installs and removes files in osgi/configs. */
export function osgiConfigSteps(
  files: ReadonlyArray<{ source: string; name?: string }>,
  remove: readonly string[],
  ctx: ChangeContext,
): ChangeSteps & { apply: ApplySpec } {
  const dir = `${ctx.node.plan.liferayHome}/osgi/configs`;
  const out = fileInstallSteps(
    'osgi/configs files',
    files.map((f) => ({ source: f.source, dest: `${dir}/${f.name ?? baseName(f.source)}` })),
    ctx,
  );
  for (const name of remove) {
    out.backupPaths.push(`${dir}/${name}`);
    out.preview.push({ kind: 'remove', path: `${dir}/${name}` });
    out.apply.command = [out.apply.command, `rm -f ${shq(`${dir}/${name}`)}`].filter((c) => c !== '').join(' && ');
  }
  out.title =
    `osgi/configs: ` +
    [...files.map((f) => `+${f.name ?? baseName(f.source)}`), ...remove.map((r) => `-${r}`)].join(', ');
  return out;
}

function setenvFile(file: string | undefined, ctx: ChangeContext): string {
  return absoluteUnder(
    ctx.node.plan.tomcatHome,
    ctx.templater.path(
      file ?? DEFAULTS.change.setenvFile,
      ctx.node.scope,
      ctx.locate(['file']),
      ctx.node.plan.name,
      'relative-ok',
    ),
  );
}

/** Prints the `java -version` output of the JVM the app server starts with now, a `== new` line, then the new JDK's. */
function javaVersionCommand(tomcatHome: string, newHome: string): string {
  return [javaInUseCommand(tomcatHome), "echo '== new'", `${shq(`${newHome}/bin/java`)} -version 2>&1`].join('; ');
}
