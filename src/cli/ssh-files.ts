import { resolveSshFiles, sshFilesProblem, type SshFiles } from '../app/ssh-files.js';
import type { PlanOutcome } from '../app/use-cases.js';
import type { Plan } from '../plan/types.js';
import { compile, report } from './compile.js';
import type { CommonPlanFlags, SshCliFlags } from './flags.js';
import type { Io } from './io.js';

/** The SSH files for this run (command line, else playbook), or null after saying why they cannot be used. */
export function sshFilesFor(plan: Pick<Plan, 'ssh' | 'source'>, flags: SshCliFlags, io: Io): SshFiles | null {
  const files = resolveSshFiles(
    plan,
    {
      ...(flags.sshConfig !== undefined ? { sshConfig: flags.sshConfig } : {}),
      ...(flags.knownHosts ? { knownHosts: flags.knownHosts } : {}),
    },
    io.env,
    io.cwd,
  );
  const problem = sshFilesProblem(files);
  if (!problem) return files;
  io.stderr.write(
    `error[E_USAGE]: ${problem}${flags.sshConfig !== undefined ? ' (--ssh-config)' : ' (inventory.ssh.configFile)'}\n`,
  );
  return null;
}

/** What a command that connects to the nodes starts from. */
interface NodesCommandStart {
  outcome: PlanOutcome;
  plan: Plan;
  sshFiles: SshFiles;
}

/**
 * Compiles the playbook for a command that connects to the nodes (status, diff, unlock, clean, facts): its plan and
 * the SSH files to use, or null once the problems are said (invalid input: exit 2).
 */
export async function compileForNodes(
  file: string,
  flags: CommonPlanFlags & SshCliFlags,
  io: Io,
): Promise<NodesCommandStart | null> {
  const outcome = await compile(file, flags, io);
  if (report(outcome, io)) return null;
  const plan = outcome.plan as Plan;
  const sshFiles = sshFilesFor(plan, flags, io);
  return sshFiles ? { outcome, plan, sshFiles } : null;
}
