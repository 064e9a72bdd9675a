/**
 * Fix pack levels: `de-28`, `dxp-15-7210`, `liferay-fix-pack-dxp-15-7210` all name a level of a
 * family. Moving between two levels of one family, upwards or downwards, crosses the levels
 * between them; a known breaking level crossed either way makes the move a full restart.
 */

/** A fix pack level: family and number. */
export interface Level {
  family: string;
  number: number;
}

/** Parses a fix pack level such as `de-28`, `dxp-15-7210` or `liferay-fix-pack-dxp-15-7210`. */
export function parseLevel(text: string): Level | undefined {
  const m = /(?:^|-)(de|dxp|portal|fp)-(\d+)(?:-\d+)?$/.exec(text) ?? /^([a-z]+)-(\d+)(?:-\d+)?$/.exec(text);
  return m ? { family: m[1] as string, number: Number(m[2]) } : undefined;
}

/** A fix pack level (not a hotfix: hotfixes are not levels a cluster moves along). */
export function parseFixPackLevel(text: string): Level | undefined {
  const level = parseLevel(text);
  return level && level.family !== 'hotfix' ? level : undefined;
}

/** `dxp-15`: the short name of a level. */
export function levelName(level: Level): string {
  return `${level.family}-${level.number}`;
}

/** The breaking levels a move between two levels of one family crosses (upwards or downwards): those in (low, high]. */
export function crossedLevels(from: string, to: string, breaking: readonly string[]): string[] {
  const a = parseLevel(from);
  const b = parseLevel(to);
  if (!a || !b || a.family !== b.family) return [];
  const low = Math.min(a.number, b.number);
  const high = Math.max(a.number, b.number);
  const hits = breaking
    .map(parseLevel)
    .filter((l): l is Level => !!l && l.family === a.family && l.number > low && l.number <= high)
    .map(levelName);
  return [...new Set(hits)];
}

/** "an update", "a downgrade" or "no move" between two levels of one family. */
export function levelDirection(from: Level, to: Level): 'update' | 'downgrade' | 'none' {
  if (to.number === from.number) return 'none';
  return to.number > from.number ? 'update' : 'downgrade';
}

/** The installed level of `family` in a list of installed patches (`dxp-15-7210, hotfix-1234-7210`). */
export function installedLevel(patches: readonly string[], family: string): Level | undefined {
  return patches.map(parseFixPackLevel).find((l): l is Level => !!l && l.family === family);
}
