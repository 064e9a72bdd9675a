/**
 * Quoting for POSIX sh: the one place a value becomes a shell word. Used by the plan's command
 * generators, the transports, the load-balancer drivers and the lock protocol alike.
 */

/** Characters that need no quoting in any position of a shell word. */
const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;
/** A word that sh would take as a variable assignment if it came first in a command. */
const ASSIGNMENT_LIKE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * POSIX single-quotes `value` for sh; words made only of `[A-Za-z0-9_./:=@%+,-]` stay bare unless they start with `-`
 * (quoted to stand out; quoting cannot stop option parsing, so callers still need `--`) or look like `NAME=...` (quoted
 * so they can never be read as an assignment).
 */
export function shq(value: string): string {
  if (value.includes('\0')) {
    throw new Error('shq: a NUL character cannot be passed to a shell');
  }
  if (value === '') return "''";
  if (SAFE_WORD.test(value) && !value.startsWith('-') && !ASSIGNMENT_LIKE.test(value)) {
    return value;
  }
  // Inside single quotes nothing is special except `'` itself, which has to
  // close the quote, be escaped, and reopen it.
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/**
 * Fills a plan step's named placeholders (`{owner}`, `{runId}`, …) with run-time values, each
 * shell-quoted: the one place a value known only at run time enters a planned command. Only the
 * names the step declares are replaced; a declared name without a value is an error, never an
 * empty word.
 */
export function fillPlaceholders(
  command: string,
  names: readonly string[],
  values: Readonly<Record<string, string>>,
): string {
  let out = command;
  for (const name of names) {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the placeholder {${name}}`);
    out = out.split(`{${name}}`).join(shq(value));
  }
  return out;
}
