/**
 * The steps that put a node's changes in place: the backup of what they replace, then each change's apply and verify.
 */
import type { ChangeSteps } from './changes.js';
import { EXPECTED, STEP_DEADLINES } from './defaults.js';
import type { ResolvedNode } from './nodes.js';
import { backupCommand, restoreCommand } from './shell/backup.js';
import { RUN_ID_VAR } from '../domain/run-id.js';
import { makeStep } from './step.js';
import type { ApplyStep, BackupStep, VerifyStep } from './types.js';

/**
 * Backs up into `<backups>/$LRROLL_RUN_ID`: every run has its own copy, so a rollback restores the state from before
 * this run.
 */
export function backupStep(node: ResolvedNode, paths: string[], backups: string): BackupStep {
  const backupDir = `${backups}/$${RUN_ID_VAR}`;
  return makeStep<BackupStep>({
    action: 'backup',
    node: node.plan.name,
    title: `back up ${paths.length} path(s) to ${backupDir}`,
    runOn: 'node',
    command: backupCommand(paths, backups, true),
    become: node.become,
    paths,
    backupDir,
    restoreCommand: restoreCommand(backups, true),
    timeoutSec: STEP_DEADLINES.backupSec,
    expectSec: EXPECTED.backupSec,
  });
}

export function applyStep(node: ResolvedNode, c: ChangeSteps, index: number): ApplyStep[] {
  if (!c.apply) return [];
  return [
    makeStep<ApplyStep>({
      action: 'apply',
      node: node.plan.name,
      title: `apply: ${c.title}`,
      runOn: 'node',
      command: c.apply.command,
      become: node.become,
      secretEnv: c.apply.secretEnv,
      change: index,
      changeType: c.type,
      revertCommand: c.apply.revert,
      pointOfNoReturn: c.apply.pointOfNoReturn,
      timeoutSec: c.apply.timeoutSec,
      expectSec: c.apply.expectSec,
    }),
  ];
}

export function verifyStep(node: ResolvedNode, c: ChangeSteps, index: number): VerifyStep[] {
  if (!c.verify) return [];
  return [
    makeStep<VerifyStep>({
      action: 'verify',
      node: node.plan.name,
      title: `verify: ${c.verify.title}`,
      runOn: 'node',
      command: c.verify.command,
      become: node.become,
      change: index,
      timeoutSec: STEP_DEADLINES.verifySec,
      expectSec: EXPECTED.verifySec,
    }),
  ];
}
