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
import { LineSplitter } from './lines.js';

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
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', wrapped.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      const out = new LineSplitter((l) => options.onLine?.('stdout', l));
      const err = new LineSplitter((l) => options.onLine?.('stderr', l));
      let timedOut = false;
      let aborted = false;
      const kill = (): void => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      // After a kill, give the pipes a moment to close; a process that escaped the group and keeps
      // them open must not hold the caller past its deadline.
      let graceTimer: NodeJS.Timeout | undefined;
      const killAndFinishSoon = (): void => {
        kill();
        graceTimer = setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          finish(null);
        }, this.killGraceMs);
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killAndFinishSoon();
      }, options.timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        killAndFinishSoon();
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.stdin.on('error', () => undefined);
      child.stdin.end(wrapped.stdin);
      let finished = false;
      const finish = (exitCode: number | null): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        if (graceTimer) clearTimeout(graceTimer);
        options.signal?.removeEventListener('abort', onAbort);
        resolve({
          exitCode: timedOut || aborted ? null : exitCode,
          stdout: out.end(),
          stderr: err.end(),
          timedOut,
          aborted,
          durationMs: Date.now() - started,
        });
      };
      child.on('error', (e) => {
        err.pushText(`${e.message}\n`);
        finish(null);
      });
      child.on('close', (code) => finish(code));
      if (options.signal?.aborted) onAbort();
    });
  }

  async put(localPath: string, remotePath: string): Promise<void> {
    await mkdir(dirname(remotePath), { recursive: true });
    const tmp = `${remotePath}.lrroll-upload-${process.pid}`;
    await copyFile(localPath, tmp);
    await rename(tmp, remotePath);
  }

  async close(): Promise<void> {}
}
