/** Options for one command. */
export interface ExecOptions {
  /** Hard deadline; the command is killed when it passes. */
  timeoutMs: number;
  /** Aborts the command (Ctrl-C). */
  signal?: AbortSignal;
  /** Secret environment variables for the command: passed on stdin, never on a command line. Values must not contain a newline. */
  env?: Readonly<Record<string, string>>;
  /** Run through `sudo -n`. */
  become?: boolean;
  /** Called with each complete output line as it arrives. */
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** The result of a command: the same shape whether it succeeded or not. */
export interface ExecResult {
  /** Exit code, or null when the command was killed or the connection was lost. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** True when `timeoutMs` passed and the command was killed. */
  timedOut: boolean;
  /** True when the signal aborted it. */
  aborted: boolean;
  durationMs: number;
}

/** How commands reach a host: SSH or local child processes (Ansible's connection plugins). */
export interface Transport {
  /** Human name of the target, e.g. `ssh liferay@10.0.0.11:22` or `local`. */
  readonly describe: string;
  /** Opens the connection (verifying the host key for SSH). Idempotent. */
  connect(signal?: AbortSignal): Promise<void>;
  /** Runs a POSIX shell command (`sh -c`). */
  exec(command: string, options: ExecOptions): Promise<ExecResult>;
  /** Copies a local file to `remotePath` (the parent folder is created), atomically (temp name, then rename). */
  put(localPath: string, remotePath: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  /** Closes the connection. Idempotent. */
  close(): Promise<void>;
}

/**
 * Wraps a command so secrets arrive on stdin (one `NAME=value` line each) instead of on any
 * command line, and optionally runs it through `sudo -n`. Returns the wrapped command and the
 * stdin to send.
 */
export function wrapCommand(command: string, env: Readonly<Record<string, string>> | undefined, become: boolean): { command: string; stdin: string } {
  const names = Object.keys(env ?? {}).sort();
  for (const n of names) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`invalid environment variable name ${n}`);
    if ((env?.[n] ?? '').includes('\n')) throw new Error(`the value of ${n} contains a newline, which cannot be passed safely`);
  }
  const reads = names.map((n) => `IFS= read -r ${n} || true; export ${n}`).join('; ');
  const inner = reads ? `${reads}; exec </dev/null; ${command}` : command;
  const quoted = `'${inner.replaceAll("'", "'\\''")}'`;
  return { command: become ? `sudo -n sh -c ${quoted}` : `sh -c ${quoted}`, stdin: names.map((n) => `${env?.[n] ?? ''}\n`).join('') };
}
