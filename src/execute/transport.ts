/** Options for one command. */
export interface ExecOptions {
  /** Hard deadline; the command is killed when it passes. */
  timeoutMs: number;
  /** Aborts the command (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Secret environment variables for the command: passed on stdin, never on a command line. Values must not contain a
   * newline.
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Environment variables that are not secret (the run id): set by the command's own shell, so they may show in the
   * node's process list, and the command needs no stdin for them.
   */
  vars?: Readonly<Record<string, string>>;
  /** Run through sudo (`sudo -n`, or with the node's sudo password). */
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
 * How a node's commands become another user: `sudo -u user` (null: root) and the sudo password (null: passwordless
 * `sudo -n`).
 */
export interface SudoSettings {
  user: string | null;
  password: string | null;
}

/** Passwordless sudo to root. */
export const PLAIN_SUDO: SudoSettings = { user: null, password: null };

/** The line after which a command's own stdin (its secrets) starts, when a sudo password comes first. */
const STDIN_MARK = '__lrroll_stdin__';

/**
 * Wraps a command so secrets arrive on stdin (one `NAME=value` line each) instead of on any
 * command line, and optionally runs it through sudo. Returns the wrapped command and the stdin to send.
 *
 * With a sudo password, stdin starts with the password: the outer shell reads it into a variable
 * and pipes it to `sudo -S -k` (-k: ask every time the policy wants a password, never trusting a
 * cached one, so what sudo reads is always known), followed by padding lines (a wrong password is
 * retried on them, never on a secret) and a mark; the command under sudo skips to the mark and reads
 * its secrets after it. The password appears on no command line and in no environment.
 */
export function wrapCommand(
  command: string,
  env: Readonly<Record<string, string>> | undefined,
  become: boolean,
  sudo: SudoSettings = PLAIN_SUDO,
  vars: Readonly<Record<string, string>> = {},
): { command: string; stdin: string } {
  const names = Object.keys(env ?? {}).sort();
  for (const n of names) {
    if (!VAR_NAME.test(n)) throw new Error(`invalid environment variable name ${n}`);
    if ((env?.[n] ?? '').includes('\n'))
      throw new Error(`the value of ${n} contains a newline, which cannot be passed safely`);
  }
  const sets = Object.keys(vars)
    .sort()
    .map((n) => {
      if (!VAR_NAME.test(n)) throw new Error(`invalid environment variable name ${n}`);
      return `${n}=${quote(vars[n] ?? '')}; export ${n}; `;
    })
    .join('');
  const reads = names.map((n) => `IFS= read -r ${n} || true; export ${n}`).join('; ');
  const inner = sets + (reads ? `${reads}; exec </dev/null; ${command}` : command);
  const secrets = names.map((n) => `${env?.[n] ?? ''}\n`).join('');
  if (!become) return { command: `sh -c ${quote(inner)}`, stdin: secrets };
  const asUser = sudo.user ? ` -u ${quote(sudo.user)}` : '';
  if (sudo.password === null) return { command: `sudo -n${asUser} sh -c ${quote(inner)}`, stdin: secrets };
  if (sudo.password.includes('\n'))
    throw new Error('the sudo password contains a newline, which cannot be passed safely');
  const skip = `while IFS= read -r __lrroll_l; do [ "$__lrroll_l" = ${STDIN_MARK} ] && break; done; `;
  const pad = Array.from({ length: 10 }, () => '__lrroll_pad__').join(' ');
  const outer =
    `IFS= read -r __lrroll_p; { printf '%s\\n' "$__lrroll_p" ${pad} ${STDIN_MARK}` +
    `; exec cat; } | sudo -S -k -p ''${asUser} sh -c ${quote(skip + inner)}`;
  return { command: `sh -c ${quote(outer)}`, stdin: `${sudo.password}\n${secrets}` };
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Single-quotes text for the shell. */
function quote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}
