import type { Io } from '../../src/cli/io.js';

/** An in-memory Io for running the CLI in-process: what it wrote, and a fixed environment. */
export interface CapturedIo extends Io {
  out: () => string;
  err: () => string;
}

/** Builds a captured Io (no terminal, no colour) with the given extra environment. */
export function captureIo(env: Record<string, string | undefined> = {}, cwd = process.cwd()): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t) => void (out += t), isTTY: false },
    stderr: { write: (t) => void (err += t), isTTY: false },
    env: { NO_COLOR: '1', ...env },
    cwd,
    out: () => out,
    err: () => err,
  };
}
