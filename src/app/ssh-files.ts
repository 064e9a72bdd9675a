import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Plan } from '../plan/types.js';

/** `--ssh-config` and `--known-hosts` as given on the command line. */
interface SshFileFlags {
  sshConfig?: string;
  knownHosts?: string[];
}

/**
 * The SSH config file and known_hosts files a run uses, absolute; null keeps the environment's choice (LRROLL_* or
 * ~/.ssh).
 */
export interface SshFiles {
  configFile: string | null;
  knownHostsFiles: string[] | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `~/x` → the home; a relative path → under `base`. */
function absolute(path: string, base: string, env: Env): string {
  if (path === '~' || path.startsWith('~/')) return join(env.HOME ?? homedir(), path.slice(1));
  return isAbsolute(path) ? path : resolve(base, path);
}

/**
 * Which SSH files apply: the command line's (relative to the working directory), else the
 * playbook's `inventory.ssh` (relative to the playbook), else none here (the environment decides).
 */
export function resolveSshFiles(
  plan: Pick<Plan, 'ssh' | 'source'>,
  flags: SshFileFlags,
  env: Env,
  cwd: string,
): SshFiles {
  const playbookDir = dirname(resolve(cwd, plan.source.file));
  const configFile =
    flags.sshConfig !== undefined
      ? absolute(flags.sshConfig, cwd, env)
      : plan.ssh.configFile !== null
        ? absolute(plan.ssh.configFile, playbookDir, env)
        : null;
  const knownHostsFiles = flags.knownHosts?.length
    ? flags.knownHosts.map((f) => absolute(f, cwd, env))
    : plan.ssh.knownHostsFiles
      ? plan.ssh.knownHostsFiles.map((f) => absolute(f, playbookDir, env))
      : null;
  return { configFile, knownHostsFiles };
}

/**
 * Why a chosen SSH config file cannot be used, or null. (A known_hosts file may be missing: accepted keys create it.)
 */
export function sshFilesProblem(files: SshFiles): string | null {
  if (files.configFile === null) return null;
  if (!existsSync(files.configFile)) return `the SSH config file ${files.configFile} does not exist`;
  if (!statSync(files.configFile).isFile()) return `the SSH config file ${files.configFile} is not a file`;
  return null;
}
