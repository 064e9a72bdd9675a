/** One entry of `serial`: a count, or a percentage string such as `"25%"`. */
export type SerialEntry = number | string;

/**
 * Ansible's `pct_to_int`: `int((pct / 100.0) * total) or 1` for a percentage, computed in binary
 * floating point exactly as Python does (so `"29%"` of 100 is 28, not 29); an integer as is.
 * The schema only lets whole percentages through (`"12.5%"` fails Python's `int()` in Ansible too).
 */
export function serialEntryToInt(value: SerialEntry, total: number): number {
  if (typeof value === 'string' && value.endsWith('%')) {
    const pct = Number(value.slice(0, -1));
    return Math.trunc((pct / 100) * total) || 1;
  }
  return Math.trunc(Number(value));
}

/**
 * Splits hosts into batches exactly as Ansible's `_get_serialized_batches` does: the list is used in
 * order and its last entry repeats; percentages are of all hosts (`total`, default the hosts given);
 * a size ≤ 0 (`0` or `-1`, alone or inside the list, or an empty list) takes every remaining host.
 */
export function computeBatches<T>(
  hosts: readonly T[],
  serial: SerialEntry | readonly SerialEntry[] | undefined,
  total = hosts.length,
): T[][] {
  const list: readonly SerialEntry[] =
    serial === undefined
      ? [-1]
      : Array.isArray(serial)
        ? serial.length === 0
          ? [-1]
          : serial
        : [serial as SerialEntry];
  const remaining = [...hosts];
  const batches: T[][] = [];
  let item = 0;
  while (remaining.length > 0) {
    const size = serialEntryToInt(list[item] as SerialEntry, total);
    if (size <= 0) {
      batches.push(remaining.splice(0));
      break;
    }
    batches.push(remaining.splice(0, size));
    item = Math.min(item + 1, list.length - 1);
  }
  return batches;
}

/** Node orders (Ansible's play `order`). */
export type HostOrder = 'inventory' | 'reverse_inventory' | 'sorted' | 'reverse_sorted' | 'shuffle';

/** Orders hosts by name; `shuffle` is deterministic for a given seed (so the plan hash is stable). */
export function orderHosts<T extends { name: string }>(hosts: readonly T[], order: HostOrder, seed: number): T[] {
  const byName = (a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  switch (order) {
    case 'inventory':
      return [...hosts];
    case 'reverse_inventory':
      return [...hosts].reverse();
    case 'sorted':
      return [...hosts].sort(byName);
    case 'reverse_sorted':
      return [...hosts].sort(byName).reverse();
    case 'shuffle':
      return seededShuffle(hosts, seed);
  }
}

/** Fisher–Yates with mulberry32, so the same seed always gives the same order. */
function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
