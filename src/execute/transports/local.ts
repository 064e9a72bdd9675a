import { spawn } from 'node:child_process';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  PLAIN_SUDO,
  wrapCommand,
  type ExecOptions,
  type ExecResult,
  type SudoSettings,
  type Transport,
} from '../transport.js';
import { CommandRun } from './command-run.js';

/** Runs commands as child processes on this machine (single-host use, the demo, fast tests). */
export class LocalTransport implements Transport {
  readonly describe = 'local';

  /** `killGraceMs`: after a kill, how long the pipes may take to close (LOCAL_TIMINGS in plan/defaults.ts). */
  constructor(
    private readonly killGraceMs: number,
    private readonly sudo: SudoSettings = PLAIN_SUDO,
  ) {}

  async connect(): Promise<void> {}

  exec(command: string, options: ExecOptions): Promise<ExecResult> {
    const wrapped = wrapCommand(command, options.env, options.become === true, this.sudo, options.vars);
    const child = spawn('/bin/sh', ['-c', wrapped.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const run = new CommandRun(
      options,
      {
        // The whole process group (detached: the child leads its own).
        kill: () => {
          try {
            if (child.pid) process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        },
        // A process that escaped the group and keeps the pipes open must not hold the caller past its deadline.
        giveUp: () => {
          child.stdout.destroy();
          child.stderr.destroy();
        },
      },
      this.killGraceMs,
    );
    child.stdout.on('data', (d: Buffer) => run.stdout(d));
    child.stderr.on('data', (d: Buffer) => run.stderr(d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(wrapped.stdin);
    child.on('error', (e) => {
      run.stderr(`${e.message}\n`);
      run.finish(null);
    });
    child.on('close', (code) => run.finish(code));
    run.underWay();
    return run.result;
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    const tmp = `${remotePath}.lrroll-upload-${process.pid}`;
    await copyFile(localPath, tmp);
    await rename(tmp, remotePath);
  }

  async close(): Promise<void> {}
}
