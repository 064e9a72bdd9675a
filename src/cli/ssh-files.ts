import { resolveSshFiles, sshFilesProblem, type SshFiles } from '../app/ssh-files.js';
import type { Plan } from '../plan/types.js';
import type { SshCliFlags } from './flags.js';
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
