/**
 * The shared parts of the shell commands that plan steps carry (see the files next to this one).
 *
 * Every command is a self-contained script for `sh -c` on a Linux node with a
 * POSIX sh (often dash), coreutils and a POSIX awk (often mawk). No bash, gawk,
 * python or perl is assumed. Every value reaching the shell goes through `shq`;
 * data for awk travels in environment variables, never inside program text.
 * Commands print progress on stdout and exit 1 with an `lrroll: ...` line on
 * stderr when they fail. The awk used is `${LRROLL_AWK:-awk}`, so a node (or a
 * test) can pick a specific implementation.
 *
 * All paths must be absolute (a remote command's working directory is
 * whatever the SSH login gives) and may not contain a newline or NUL. The plan
 * checks every path a user wrote before it reaches a generator (`checkPath` in
 * plan/inputs.ts), so a generator that throws here is a mistake in the plan's code.
 */

import { shq } from '../../shell/quote.js';

/**
 * Shell code that prints `lrroll: <message>` on stderr and exits 1; `message` is shell text inside double quotes (it
 * may use `$var`).
 */
export function die(message: string): string {
  return `{ printf '%s\\n' "lrroll: ${message}" >&2; exit 1; }`;
}

/** Checks that `path` is absolute and free of newline/NUL, collapses `//` and drops a trailing `/`. */
export function absolutePath(path: string, what: string): string {
  if (!path.startsWith('/')) throw new Error(`${what} must be an absolute path: ${JSON.stringify(path)}`);
  if (/[\n\0]/.test(path)) throw new Error(`${what} must not contain a newline or NUL: ${JSON.stringify(path)}`);
  const parts = path.split('/').filter((part) => part !== '');
  if (parts.some((part) => part === '.' || part === '..')) {
    throw new Error(`${what} must not contain '.' or '..' components: ${JSON.stringify(path)}`);
  }
  return '/' + parts.join('/');
}

/** `NAME=value` prefix assignments (each value quoted) that put data into one command's environment. */
function envPrefix(vars: ReadonlyArray<readonly [string, string]>): string {
  return vars.map(([name, value]) => `${name}=${shq(value)}`).join(' ');
}

/** The awk invocation used by every generator: byte semantics (LC_ALL=C) and an overridable binary. */
export function awkCall(env: ReadonlyArray<readonly [string, string]>, program: string): string {
  const prefix = env.length > 0 ? envPrefix(env) + ' ' : '';
  return `${prefix}LC_ALL=C "\${LRROLL_AWK:-awk}" ${shq(program)}`;
}

interface AtomicRewrite {
  /** Absolute, normalised path of the file to rewrite. */
  file: string;
  /** Mode given to the file when it has to be created, e.g. '0644'. */
  createMode: string;
  /** Whether a missing file is created; if false a missing file is left missing. */
  createIfMissing: boolean;
  /** Shell command reading the old content on stdin and writing the new content on stdout. */
  filter: string;
}

/**
 * Wraps a stdin→stdout filter into an atomic in-place rewrite of a file.
 * A symlink is followed (the target is rewritten, the link kept). The temp file
 * is a `cp -p` copy of the original, truncated and rewritten, so mode and (for
 * root) owner survive; `mv -f` then replaces the original in one rename. When
 * `cmp` is available and the content did not change, the file is not touched.
 */
export function atomicRewrite(spec: AtomicRewrite): string {
  const missing = spec.createIfMissing
    ? ''
    : `if [ ! -e "$f" ]; then printf '%s\\n' "lrroll: $f does not exist; nothing to do"; exit 0; fi`;
  return [
    `f=${shq(spec.file)}`,
    't=',
    // Remove the temp file however we leave; a signal goes through `exit` so the EXIT trap runs.
    `trap '[ -z "$t" ] || rm -f -- "$t"' EXIT`,
    `trap 'exit 1' HUP INT TERM`,
    `if [ -L "$f" ]; then f=$(readlink -f -- "$f") || ${die('cannot resolve the symlink $f')}; fi`,
    `if [ -e "$f" ] && [ ! -f "$f" ]; then ${die('$f is not a regular file')}; fi`,
    missing,
    'd=${f%/*}; [ -n "$d" ] || d=/',
    `[ -d "$d" ] || ${die('directory $d does not exist')}`,
    `t=$(mktemp "$d/.\${f##*/}.lrroll.XXXXXX") || ${die('cannot create a temporary file in $d')}`,
    `if [ -e "$f" ]; then cp -p -- "$f" "$t" && s=$f; else chmod ${spec.createMode}` +
      ` "$t" && s=/dev/null; fi || ${die('cannot prepare $t')}`,
    `${spec.filter} < "$s" > "$t" || ${die('failed to edit $f')}`,
    `if [ -e "$f" ] && command -v cmp >/dev/null 2>&1 && cmp -s -- "$f" "$t"; then printf '%s\\n' ` +
      `"lrroll: $f unchanged"; exit 0; fi`,
    `mv -f -- "$t" "$f" || ${die('cannot replace $f')}`,
    't=',
    `printf '%s\\n' "lrroll: $f updated"`,
  ]
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * Caches a pure generator by its arguments: plans for large clusters ask for the same command
 * (same Liferay Home, same backup folder) on every node, so they share one string.
 */
export function memo<A extends unknown[]>(fn: (...args: A) => string): (...args: A) => string {
  const cache = new Map<string, string>();
  return (...args: A): string => {
    const key = JSON.stringify(args);
    let text = cache.get(key);
    if (text === undefined) {
      text = fn(...args);
      if (cache.size < 4096) cache.set(key, text);
    }
    return text;
  };
}

/**
 * Shell line setting `t`, the tick of a wait loop, and `n`, ticks per second: 0.1 s where `sleep` takes fractions (GNU,
 * busybox), else 1 s. A loop that waits for something with the node out of rotation looks every `t`.
 */
export const TICK = 'if sleep 0.01 2>/dev/null; then t=0.1; n=10; else t=1; n=1; fi';
