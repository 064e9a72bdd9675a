/**
 * The Gogo shell on a node, asked the way Liferay's own container probe asks it: `telnet` to
 * 127.0.0.1 on the console port, one command, then the input ends and telnet closes. The command
 * is typed once the shell shows its `g! ` prompt (what is typed before may be lost in the
 * console's option negotiation), and a Gogo `echo` after it marks the end of its answer, so the
 * session ends as soon as the answer is complete (a long `scr:list` is never cut short by a fixed
 * sleep) and an answer without the mark is known to be incomplete. Both are watched every 0.1 s
 * where `sleep` takes fractions (GNU, busybox), else every second: this gate runs while the node
 * is out of rotation.
 */
import { shq } from '../shell/quote.js';
import { TICK } from './shell/script.js';
import type { GogoCommand } from './types.js';
import { GOGO_END, SESSION_MARK } from '../domain/gogo-markers.js';

/** How long a session waits for the `g! ` prompt before it types its command anyway, in seconds. */
const PROMPT_WAIT_SEC = 3;

/**
 * The node command that runs each Gogo command in its own session and prints them, each after its mark line; a session
 * gives up after `limitSec`.
 */
export function gogoCommand(port: number, commands: readonly GogoCommand[], limitSec: number): string {
  return commands.map((c) => `echo ${shq(`${SESSION_MARK}${c}`)}\n(\n${gogoSession(port, c, limitSec)}\n)`).join('\n');
}

function gogoSession(port: number, command: GogoCommand, limitSec: number): string {
  // One budget of `limitSec` for the prompt and the answer together (`i` counts ticks across both waits). A console
  // with another prompt than `g! ` gets the command after PROMPT_WAIT_SEC, as before it after a fixed second.
  const limit = Math.max(1, Math.ceil(limitSec));
  const watch = (patterns: string[], untilSec: number): string =>
    `while [ "$i" -lt $(( ${untilSec} * n )) ] && ! grep -q ${patterns.map((p) => `-e ${shq(p)}`).join(' ')} "$o"; ` +
    `do sleep "$t"; i=$((i + 1)); done`;
  const failed = ['Unable to connect', 'Connection closed'];
  return [
    '  o=$(mktemp) || exit 1',
    `  trap 'rm -f "$o"' EXIT`,
    `  ${TICK}`,
    `  { i=0; ${watch(['g! ', ...failed], Math.min(PROMPT_WAIT_SEC, limit))}; ` +
      `printf '%s\\n' ${shq(command)} ${shq(`echo ${GOGO_END}`)}; ` +
      `${watch([`^${GOGO_END}`, ...failed], limit)}; } | telnet 127.0.0.1 ${port} > "$o" 2>&1`,
    '  cat "$o"',
  ].join('\n');
}
