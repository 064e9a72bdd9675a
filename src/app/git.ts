import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { LOCAL_TIMINGS } from '../plan/defaults.js';

/** The git state of the repository holding a file: its commit and whether tracked files have uncommitted changes. */
interface GitState {
  commit: string | null;
  dirty: boolean;
}

function git(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('git', ['-c', 'core.fsmonitor=false', ...args], { cwd, timeout: LOCAL_TIMINGS.gitMs }, (err, stdout) =>
      resolve(err ? null : stdout.trim()),
    );
  });
}

/** Reads the commit and dirtiness of the repository that holds `file` (null commit outside git or without git). */
export async function gitState(file: string): Promise<GitState> {
  const cwd = dirname(file);
  const commit = await git(['rev-parse', 'HEAD'], cwd);
  if (!commit) return { commit: null, dirty: false };
  const status = await git(['status', '--porcelain', '--untracked-files=no'], cwd);
  return { commit, dirty: status !== null && status !== '' };
}
