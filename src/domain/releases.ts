// Liferay DXP release names and how a move between two releases is judged (plan/ judges the
// playbook's move, execute/ the release a node runs).

/** A DXP release: a quarterly or patch release (`2024.q1.3`), or a 7.4 update (`7.4.13-u92`). */
type Release = { line: 'quarterly'; year: number; quarter: number; patch: number } | { line: 'update'; update: number };

/** Parses `2024.q1.3`, `2024.Q1.3`, `7.4.13-u92`, `7.4.13 Update 92`, `7.4.13.u92`; undefined for anything else. */
export function parseRelease(text: string): Release | undefined {
  const q = /^(\d{4})\.q([1-4])\.(\d+)$/i.exec(text.trim());
  if (q) return { line: 'quarterly', year: Number(q[1]), quarter: Number(q[2]), patch: Number(q[3]) };
  const u = /^7\.4\.13(?:-u|\.u| update )(\d+)$/i.exec(text.trim());
  if (u) return { line: 'update', update: Number(u[1]) };
  return undefined;
}

/** The canonical spelling: `2024.q1.3`, `7.4.13-u92`. */
export function releaseName(r: Release): string {
  return r.line === 'quarterly' ? `${r.year}.q${r.quarter}.${r.patch}` : `7.4.13-u${r.update}`;
}

/**
 * How a move between two releases is judged: a patch step within one quarter or update line, a new version, or a step
 * down.
 */
export function releaseMove(from: Release, to: Release): 'same' | 'patch' | 'new-version' | 'downgrade' {
  if (from.line === 'update' && to.line === 'quarterly') return 'new-version';
  if (from.line === 'quarterly' && to.line === 'update') return 'downgrade';
  if (from.line === 'update' && to.line === 'update')
    return to.update === from.update ? 'same' : to.update > from.update ? 'patch' : 'downgrade';
  if (from.line !== 'quarterly' || to.line !== 'quarterly') return 'new-version';
  const order = (r: { year: number; quarter: number }): number => r.year * 10 + r.quarter;
  if (order(to) !== order(from)) return order(to) > order(from) ? 'new-version' : 'downgrade';
  return to.patch === from.patch ? 'same' : to.patch > from.patch ? 'patch' : 'downgrade';
}
