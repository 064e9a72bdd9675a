/**
 * Reading the answers of the Gogo shell diagnostics the OSGi gate runs. `scr:list` (Felix SCR 2.x)
 * prints each component description (` [  42]   com.acme.Foo  enabled`) followed by its
 * configurations (`    [ 123] [unsatisfied reference] `); `dm wtf` (Felix Dependency Manager)
 * starts with `No missing dependencies found.` or `N missing dependencies found.` and lists what is
 * missing as ` * …` lines.
 */
import { GOGO_END, SESSION_MARK } from '../domain/gogo-markers.js';
import type { GogoCommand } from '../plan/types.js';

/**
 * What one diagnostic said: `problems` is empty when nothing is unsatisfied; `error` when the answer could not be read.
 */
interface GogoReading {
  problems: string[];
  error: string | null;
}

/** The states of a Declarative Services component configuration that keep a node from being ready. */
const BAD_STATES = new Set(['unsatisfied reference', 'failed activation']);

/**
 * Reads what one attempt printed (every session after its mark line, see `gogoCommand`): the problems and errors of all
 * its diagnostics.
 */
export function readGogoAttempt(
  stdout: string,
  commands: readonly GogoCommand[],
  ignore: readonly string[],
): GogoReading {
  const sessions = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of stdout.split('\n')) {
    if (line.startsWith(SESSION_MARK)) sessions.set(line.slice(SESSION_MARK.length).trim(), (current = []));
    else current?.push(line);
  }
  const readings = commands.map((c) => {
    const session = sessions.get(c);
    return session ? readGogo(session.join('\n'), c, ignore) : { problems: [], error: `\`${c}\` was not run` };
  });
  const error = readings.find((r) => r.error)?.error ?? null;
  return { problems: readings.flatMap((r) => r.problems), error };
}

/** Reads the printed session of one Gogo command (see `gogoCommand`). */
export function readGogo(session: string, command: GogoCommand, ignore: readonly string[]): GogoReading {
  const lines = session.split('\n').map((l) => l.replace(/\r/g, '').replace(/^(?:g! ?)+/, ''));
  const end = lines.findIndex((l) => l.trim() === GOGO_END);
  const failure = lines.find((l) => /Unable to connect|Connection refused|Connection closed by foreign host/.test(l));
  if (end < 0)
    return {
      problems: [],
      error: failure
        ? `the Gogo shell did not answer: ${failure.trim()}`
        : 'the Gogo shell did not finish its answer in time',
    };
  const answer = lines.slice(0, end);
  const missing = answer.find((l) => /CommandNotFoundException|Command not found/i.test(l));
  if (missing) return { problems: [], error: `\`${command}\` is not a command of this Gogo shell: ${missing.trim()}` };
  const counted = (text: string): boolean => !ignore.some((i) => text.includes(i));
  return command === 'scr:list' ? readScrList(answer, counted) : readDmWtf(answer, counted);
}

function readScrList(lines: string[], counted: (text: string) => boolean): GogoReading {
  if (!lines.some((l) => /^\s*BundleId\s+Component Name/.test(l)))
    return { problems: [], error: '`scr:list` printed no component list' };
  const problems: string[] = [];
  let component = '?';
  for (const line of lines) {
    const description = /^\s*\[\s*\d+\]\s+(\S+)\s+(?:enabled|disabled)\s*$/.exec(line);
    if (description) component = description[1] as string;
    const state = /^\s*\[\s*\d+\]\s+\[([a-z ]+?)\s*\]/.exec(line)?.[1];
    if (state && BAD_STATES.has(state) && counted(component)) problems.push(`${component} (${state})`);
  }
  return { problems, error: null };
}

function readDmWtf(lines: string[], counted: (text: string) => boolean): GogoReading {
  if (lines.some((l) => /^\s*No missing dependencies found\./.test(l))) return { problems: [], error: null };
  if (!lines.some((l) => /^\s*\d+ missing dependencies found\./.test(l)))
    return {
      problems: [],
      error: '`dm wtf` printed neither "No missing dependencies found." nor a count of missing ones',
    };
  const listed = lines
    .filter((l) => /^\s*\*\s|is not found in the service registry/.test(l))
    .map((l) => l.trim().replace(/^\*\s*/, ''));
  const problems = listed.filter(counted);
  // Every listed line ignored: the count alone is not a reason to hold the node back.
  return { problems: listed.length === 0 ? ['missing dependencies (none listed)'] : problems, error: null };
}
