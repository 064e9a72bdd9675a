/**
 * Version arithmetic the verdicts use: Service Builder schema versions, bundle versions, Java and
 * app server versions. Every comparison says its direction, so a move down is called a downgrade.
 */

/** Which part of a version changes. */
type ChangeLevel = 'major' | 'minor' | 'micro' | 'none';

/** A move between two versions: which part changes, and whether it goes up or down. */
interface VersionMove {
  level: ChangeLevel;
  direction: 'up' | 'down' | 'none';
}

/** The numeric parts of a dotted version: `2.1.0` → [2, 1, 0]; non-numeric parts count as 0. */
function parts(version: string): number[] {
  return version.split(/[._]/).map((p) => {
    const n = Number.parseInt(p, 10);
    return Number.isFinite(n) ? n : 0;
  });
}

/** Compares two dotted versions numerically, part by part (missing parts are 0): -1, 0 or 1. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The move between two dotted versions (schema or bundle versions: major.minor.micro). */
export function versionMove(from: string, to: string): VersionMove {
  const a = parts(from);
  const b = parts(to);
  const levels: ChangeLevel[] = ['major', 'minor', 'micro'];
  for (const [i, level] of levels.entries()) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return { level, direction: (a[i] ?? 0) < (b[i] ?? 0) ? 'up' : 'down' };
  }
  const rest = compareVersions(a.slice(3).join('.') || '0', b.slice(3).join('.') || '0');
  return rest === 0 ? { level: 'none', direction: 'none' } : { level: 'micro', direction: rest < 0 ? 'up' : 'down' };
}

/** Which part of a dotted schema version changes: 'major', 'minor', 'micro' or 'none'. */
export function schemaChangeLevel(from: string, to: string): ChangeLevel {
  return versionMove(from, to).level;
}

/** "a minor update", "a micro downgrade": the words for a move. */
export function describeMove(move: VersionMove): string {
  if (move.direction === 'none') return 'no change';
  return `a ${move.level} ${move.direction === 'up' ? 'update' : 'downgrade'}`;
}

/** The Java feature (major) version: `1.8.0_412` → 8, `17.0.12` → 17. */
export function javaMajor(version: string): number {
  const p = version.split(/[._+-]/).map(Number);
  return p[0] === 1 ? (p[1] ?? 1) : (p[0] ?? 0);
}

/**
 * The version in `java -version` output as it is (`openjdk version "17.0.12" 2024-07-16`), or in a
 * bare version (`17.0.12`, `1.8.0_412`); undefined when there is none.
 */
export function javaVersionOf(text: string): string | undefined {
  const quoted = /version "([0-9][0-9._+A-Za-z-]*)"/.exec(text)?.[1];
  if (quoted) return quoted;
  const bare = /^\s*(\d+(?:\.\d+)*(?:_\d+)?)\s*$/.exec(text)?.[1];
  return bare;
}

/** The Java move between two versions: major across feature versions, else minor (an update release). */
export function javaMove(from: string, to: string): VersionMove {
  const a = javaMajor(from);
  const b = javaMajor(to);
  if (a !== b) return { level: 'major', direction: a < b ? 'up' : 'down' };
  const c = compareVersions(from.replace(/[+-].*$/, ''), to.replace(/[+-].*$/, ''));
  return c === 0 ? { level: 'none', direction: 'none' } : { level: 'minor', direction: c < 0 ? 'up' : 'down' };
}

/**
 * The app server version in `catalina.sh version` output (`Server number:  9.0.83.0`, else
 * `Server version: Apache Tomcat/9.0.83`) or a bare version; undefined when there is none.
 */
export function appServerVersionOf(text: string): string | undefined {
  const number = /Server number:\s*(\d+(?:\.\d+)*)/.exec(text)?.[1];
  if (number) return number.replace(/^(\d+\.\d+\.\d+)\.0$/, '$1');
  const named = /Server version:\s*[^/\n]*\/(\d+(?:\.\d+)*)/.exec(text)?.[1];
  if (named) return named;
  return /^\s*(\d+(?:\.\d+)*)\s*$/.exec(text)?.[1];
}
