/**
 * The Gogo shell on a node, asked the way Liferay's own container probe asks it: `telnet` to
 * 127.0.0.1 on the console port, one command, then the input ends and telnet closes. A Gogo
 * `echo` after the command marks the end of its answer, so the session ends as soon as the
 * answer is complete (a long `scr:list` is never cut short by a fixed sleep) and an answer
 * without the mark is known to be incomplete.
 */
import { shq } from '../shell/quote.js';
import type { GogoCommand } from './types.js';
import { GOGO_END, SESSION_MARK } from '../domain/gogo-markers.js';

/**
 * The node command that runs each Gogo command in its own session and prints them, each after its mark line; a session
 * gives up after `limitSec`.
 */
export function gogoCommand(port: number, commands: readonly GogoCommand[], limitSec: number): string {
  return commands.map((c) => `echo ${shq(`${SESSION_MARK}${c}`)}\n(\n${gogoSession(port, c, limitSec)}\n)`).join('\n');
}

function gogoSession(port: number, command: GogoCommand, limitSec: number): string {
  const seen = `grep -q -e ${shq(`^${GOGO_END}`)} -e 'Unable to connect' -e 'Connection closed' "$o"`;
  return [
    '  o=$(mktemp) || exit 1',
    `  trap 'rm -f "$o"' EXIT`,
    `  { sleep 1; printf '%s\\n' ${shq(command)} ${shq(`echo ${GOGO_END}`)}; i=0; while [ "$i" -lt ` +
      `${Math.max(1, Math.ceil(limitSec))} ] && ! ${seen}; do sleep 1; i=$((i + 1)); done; } | telnet ` +
      `127.0.0.1 ${port} > "$o" 2>&1`,
    '  cat "$o"',
  ].join('\n');
}
