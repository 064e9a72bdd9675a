/**
 * The steps each change type contributes to a node: what it uploads, backs up, applies, verifies and checks in
 * preflight.
 */
import type { Change } from '../playbook/playbook.generated.js';
import { bundleSteps } from './change-bundle.js';
import { appServerSteps, customSteps, osUpgradeSteps } from './change-commands.js';
import { javaSteps, jvmSettingsSteps, osgiConfigSteps, propertiesSteps } from './change-config.js';
import { patchSteps, revertPatchSteps } from './change-patch.js';
import { baseName, fileInstallSteps, simple, type ChangeContext, type ChangeSteps } from './change-steps.js';
import { releaseSteps } from './changes-release.js';

export type { ChangeCheck, ChangeSteps, Upload } from './change-steps.js';

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
  ctx.templater.invalid(
    'E_PATH',
    `the change would touch \`${path}\`, which holds lrroll's own folder ${own} (backups, staging, lock)`,
    'name a file or folder inside Liferay Home, not Liferay Home itself or a folder above it',
    ctx.locate([]),
    ctx.node.plan.name,
  );
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
      const out = fileInstallSteps(
        'activation key',
        [{ source: change.artifact, dest: `${ctx.node.plan.liferayHome}/deploy/${baseName(change.artifact)}` }],
        ctx,
      );
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
