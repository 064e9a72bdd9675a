/**
 * The steps that deal with a node that failed: the forensics collected for the post-mortem, and the restore and
 * reverts a rollback runs to bring it back to how it was.
 */
import { EXPECTED, STEP_DEADLINES } from './defaults.js';
import type { ResolvedNode } from './nodes.js';
import { makeStep } from './step.js';
import { shq } from '../shell/quote.js';
import type { ApplyStep, BackupStep, ForensicsStep, RestoreStep, RevertStep } from './types.js';

/** The last lines of `log`, a thread dump of the running JVM and the patch/module state of the node. */
export function forensicsStep(node: ResolvedNode, log: string): ForensicsStep {
  const home = shq(node.plan.liferayHome);
  const pid = node.service.pidCommand;
  const lines = [
    `echo '== last 200 lines of ${log.replace(/'/g, '')}'; tail -n 200 ${shq(log)} 2>&1`,
    pid
      ? `p=$(${pid}); if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; ` +
        `then echo '== thread dump (kill -3)'; s=$(wc -c < ${shq(log)}` +
        `); kill -3 "$p"; sleep 3; tail -c +$((s + 1)) ${shq(log)}` +
        ` | head -n 2000; else echo '== no running JVM: no thread dump'; fi`
      : "echo '== no pid known: no thread dump'",
    `echo '== patches'; if [ -x ${home}/patching-tool/patching-tool.sh ]; then (cd ${home}` +
      `/patching-tool && ./patching-tool.sh info 2>&1 | sed -n 's/^ *Currently installed ` +
      `patches:/patches:/p'); fi`,
    `echo '== modules'; ls -l ${home}/osgi/modules ${home}/osgi/war 2>&1`,
  ];
  return makeStep<ForensicsStep>({
    action: 'forensics',
    node: node.plan.name,
    title: 'collect the last log lines, a thread dump and the patch/module state',
    runOn: 'node',
    command: lines.join('\n'),
    become: node.become,
    timeoutSec: STEP_DEADLINES.forensicsSec,
    expectSec: 5,
  });
}

/** Puts back what `backup` saved. */
export function restoreStep(node: ResolvedNode, backup: BackupStep): RestoreStep {
  return makeStep<RestoreStep>({
    action: 'restore',
    node: node.plan.name,
    title: `restore the backup from ${backup.backupDir}`,
    runOn: 'node',
    command: backup.restoreCommand,
    become: backup.become,
    backupDir: backup.backupDir,
    timeoutSec: STEP_DEADLINES.restoreSec,
    expectSec: EXPECTED.backupSec,
  });
}

/** Undoes what `apply` did, with its revert command. */
export function revertStep(node: ResolvedNode, apply: ApplyStep, revertCommand: string): RevertStep {
  return makeStep<RevertStep>({
    action: 'revert',
    node: node.plan.name,
    title: `revert: ${apply.title.replace(/^apply: /, '')}`,
    runOn: 'node',
    command: revertCommand,
    become: apply.become,
    change: apply.change,
    timeoutSec: apply.timeoutSec,
    expectSec: apply.expectSec,
  });
}
