const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

const parsed = new Map<string, number>();

/** Parses a schema-valid duration (seconds as a number, or `1h30m`-style text) into seconds. */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') return value;
  const known = parsed.get(value);
  if (known !== undefined) return known;
  const seconds = parseDurationText(value);
  parsed.set(value, seconds);
  return seconds;
}

function parseDurationText(value: string): number {
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h)/g)) {
    total += Number(match[1]) * (UNIT_SECONDS[match[2] ?? 's'] ?? 1);
  }
  return Math.round(total * 1000) / 1000;
}

/** Formats seconds for people: `45s`, `3m 20s`, `1h 05m`. */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Resolves a count or percentage against a cluster size; `round` says which way a percentage goes. */
export function resolveCount(value: number | string, total: number, round: 'down' | 'up'): number {
  if (typeof value === 'number') return value;
  const pct = Number(value.replace('%', ''));
  const raw = (pct / 100) * total;
  return round === 'up' ? Math.ceil(raw - 1e-9) : Math.floor(raw + 1e-9);
}
