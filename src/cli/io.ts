/** The process edges the CLI uses, injected so tests run it in-process. */
export interface Io {
  stdout: { write(text: string): void; isTTY: boolean; columns?: number };
  stderr: { write(text: string): void; isTTY: boolean };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process streams. */
export function nodeIo(): Io {
  return {
    stdout: { write: (t) => void process.stdout.write(t), isTTY: process.stdout.isTTY === true, columns: process.stdout.columns },
    stderr: { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY === true },
    env: process.env,
    cwd: process.cwd(),
  };
}
