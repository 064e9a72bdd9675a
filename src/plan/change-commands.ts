/** Changes that run the user's own commands on a node: app-server files and commands, OS upgrades, custom changes. */
import type { AppServerChange, CustomChange, OsUpgradeChange } from '../playbook/playbook.generated.js';
import {
  absoluteUnder,
  commandList,
  fileInstallSteps,
  simple,
  type ChangeContext,
  type ChangeSteps,
} from './change-steps.js';
import { DEFAULTS } from './defaults.js';
import { appServerVersionCommand } from './facts-commands.js';
import { shq } from '../shell/quote.js';
import { escapeForDoubleQuotes } from '../domain/template.js';

/** Installs app-server files and runs its commands; verifies the version the app server reports. */
export function appServerSteps(change: AppServerChange, ctx: ChangeContext): ChangeSteps {
  const files = (change.files ?? []).map((f, i) => ({
    source: f.source,
    dest: absoluteUnder(
      ctx.node.plan.tomcatHome,
      ctx.templater.path(f.dest, ctx.node.scope, ctx.locate(['files', i, 'dest']), ctx.node.plan.name, 'relative-ok'),
    ),
  }));
  const out = files.length > 0 ? fileInstallSteps('app server files', files, ctx) : simple('app server', [], '');
  if (change.commands?.length) {
    const run = commandList(change.commands, ctx, ['commands']);
    out.apply.command = [out.apply.command, run.command].filter((c) => c !== '').join('\n');
    out.apply.secretEnv = run.secretEnv;
    out.title = `${files.length > 0 ? `${out.title}; ` : ''}${change.commands.length} app server command(s)`;
    out.preview.push({ kind: 'opaque', title: 'app server commands' });
    const backup = (change.backup ?? []).map((p, i) =>
      ctx.templater.path(p, ctx.node.scope, ctx.locate(['backup', i]), ctx.node.plan.name, 'absolute'),
    );
    out.backupPaths.push(...backup);
    out.apply.pointOfNoReturn = backup.length === 0;
  }
  if (change.version) {
    const version = change.version;
    const check =
      `v=$(sh -c ${shq(appServerVersionCommand(ctx.node.plan.tomcatHome))}` +
      ` | sed -n 's/^Server number: *//p; s/^Server version: [^/]*\\///p' | head -n 1); case "$v" in ` +
      `${shq(version)}|${shq(version)}.*) ;; *) echo "lrroll: the app server reports ` +
      `\${v:-no version}, not ${escapeForDoubleQuotes(version)}" >&2; exit 1 ;; esac`;
    out.verify = {
      title: `${out.verify ? `${out.verify.title}; ` : ''}the app server reports ${version}`,
      command: out.verify ? `${out.verify.command} && ${check}` : check,
    };
    out.title = `${out.title} → ${version}`;
  }
  return out;
}

/** Runs the OS upgrade commands; verifies /etc/os-release when a target is named. */
export function osUpgradeSteps(change: OsUpgradeChange, ctx: ChangeContext): ChangeSteps {
  const r = commandList(change.commands, ctx, ['commands']);
  const target = change.target;
  const out = simple(
    `OS upgrade commands${target ? ` to ${target.id} ${target.version}` : ''}`,
    [],
    r.command,
    r.secretEnv,
  );
  out.apply.pointOfNoReturn = true;
  out.preview.push({ kind: 'opaque', title: 'OS upgrade commands' });
  if (target) {
    const read = (key: string): string => `$(sed -n 's/^${key}=//p' /etc/os-release | tr -d "\\"'")`;
    out.verify = {
      title: `/etc/os-release says ${target.id} ${target.version}`,
      command:
        `id=${read('ID')}; ver=${read('VERSION_ID')}; [ "$id" = ${shq(target.id)} ] && [ "$ver" = ` +
        `${shq(target.version)} ] || { echo "lrroll: the node runs $id $ver, not ` +
        `${escapeForDoubleQuotes(`${target.id} ${target.version}`)}" >&2; exit 1; }`,
    };
  }
  return out;
}

/** Runs a custom change's commands, with its own backup, verify and revert. */
export function customSteps(change: CustomChange, ctx: ChangeContext): ChangeSteps {
  const run = commandList(change.commands, ctx, ['commands']);
  const backup = (change.backup ?? []).map((p, i) =>
    ctx.templater.path(p, ctx.node.scope, ctx.locate(['backup', i]), ctx.node.plan.name, 'absolute'),
  );
  const out = simple(change.name, backup, run.command, run.secretEnv);
  out.preview.push({ kind: 'opaque', title: change.name });
  out.whileRunning = (change.when ?? DEFAULTS.change.customWhen) === 'running';
  if (change.verify?.length)
    out.verify = { title: `verify: ${change.name}`, command: commandList(change.verify, ctx, ['verify']).command };
  if (change.revert?.length) out.apply.revert = commandList(change.revert, ctx, ['revert']).command;
  out.apply.pointOfNoReturn = !change.revert?.length && backup.length === 0;
  return out;
}
