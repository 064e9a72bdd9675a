/** The process edges the CLI uses, injected so tests run it in-process. */
export interface Io {
  stdout: { write(text: string): void; isTTY: boolean; columns?: number };
  stderr: { write(text: string): void; isTTY: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process streams. */
export function nodeIo(): Io {
  // After SIGHUP (terminal closed) or a closed pipe, writes fail with EIO/EPIPE: the run must still
  // finish gracefully and record where every node stands, not crash on an unhandled stream error.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  return {
    stdout: {
      write: (t) => void process.stdout.write(t),
      isTTY: process.stdout.isTTY === true,
      columns: process.stdout.columns,
    },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true },
    env: process.env,
    cwd: process.cwd(),
  };
}
