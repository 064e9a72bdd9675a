// The plan as JSON text: each value the plan holds in several places written once. The compiler gives every step
// of a batch the same lists (the nodes outside the batch and how each is read, the batch's nodes), and a cluster's
// nodes share what they run alike; written out in full those lists make the JSON grow with the square of the nodes.
// The written form (`plan --format json`, the run record) names each such value once in `shared` and refers to it
// as `{"$shared": k}`; `expandPlanJson` reads either form back into the very plan, shared values shared again.
import type { Plan } from './types.js';

/**
 * The key of a reference to a shared value: `{"$shared": 3}` stands for `shared[3]`. No plan object can look like one:
 * the plan's records keyed by names it was given (vars, members, overrides …) hold strings, never numbers.
 */
const REF = '$shared';

/**
 * Values smaller than this many JSON values (scalars, arrays, objects, counted through the tree) are written where
 * they are even when held twice: a reference saves little on them and makes the JSON harder to read.
 */
const MIN_SHARED_SIZE = 24;

/** Options of `planJsonChunks`. */
interface PlanJsonOptions {
  /** Write each shared value once (the default); false writes every value where it is (`--full`). */
  share: boolean;
  /** Indentation as JSON.stringify's `space`: 2 for `plan --format json`, 0 for the run record. */
  space: number;
}

/**
 * The plan's JSON text in pieces (so a plan of many nodes never has to fit one string). Without sharing, the pieces
 * joined equal `JSON.stringify(plan, null, space)`. With it, the document is the plan with its shared values
 * replaced by references, plus a `shared` array holding them (written last).
 */
export function* planJsonChunks(plan: Plan, options: PlanJsonOptions): Generator<string> {
  const shared = options.share ? sharedValues(plan) : new Map<object, number>();
  const root: object = shared.size === 0 ? plan : { ...plan, shared: [...shared.keys()] };
  yield* chunks(root, { space: options.space, shared }, 0, '');
  if (options.space > 0) yield '\n';
}

/** What every level of the writing shares. */
interface Writing {
  space: number;
  shared: ReadonlyMap<object, number>;
}

/** The JSON of a value, in pieces: the first levels written here, anything deeper by JSON.stringify. */
function* chunks(value: unknown, w: Writing, depth: number, indent: string): Generator<string> {
  if (value && typeof value === 'object' && depth > 0 && w.shared.has(value)) {
    yield JSON.stringify({ [REF]: w.shared.get(value) }, null, w.space).replace(/\n/g, `\n${indent}`);
    return;
  }
  if (!value || typeof value !== 'object' || depth >= 4) {
    yield stringify(value, w, indent);
    return;
  }
  const inner = w.space > 0 ? `${indent}${' '.repeat(w.space)}` : '';
  const nl = w.space > 0 ? '\n' : '';
  const isArray = Array.isArray(value);
  const entries: Array<[string | null, unknown]> = isArray
    ? value.map((v): [null, unknown] => [null, v])
    : Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield isArray ? '[]' : '{}';
    return;
  }
  yield isArray ? '[' : '{';
  for (let i = 0; i < entries.length; i++) {
    const [key, v] = entries[i] as [string | null, unknown];
    yield `${i > 0 ? ',' : ''}${nl}${inner}${key === null ? '' : `${JSON.stringify(key)}:${w.space > 0 ? ' ' : ''}`}`;
    // The `shared` array holds the shared values themselves: each written in full (what it holds that is shared in
    // turn as references).
    if (depth === 0 && key === 'shared') yield* table(v as unknown[], w, inner);
    else yield* chunks(v, w, depth + 1, inner);
  }
  yield `${nl}${indent}${isArray ? ']' : '}'}`;
}

/** The `shared` array: each value written in full, what it holds that is shared in turn as references. */
function* table(values: readonly unknown[], w: Writing, indent: string): Generator<string> {
  const inner = w.space > 0 ? `${indent}${' '.repeat(w.space)}` : '';
  const nl = w.space > 0 ? '\n' : '';
  yield '[';
  for (let i = 0; i < values.length; i++) yield `${i > 0 ? ',' : ''}${nl}${inner}${stringify(values[i], w, inner)}`;
  yield `${nl}${indent}]`;
}

/** JSON.stringify of a value written at `indent`, its shared parts (not itself) as references. */
function stringify(value: unknown, w: Writing, indent: string): string {
  const replacer =
    w.shared.size === 0
      ? undefined
      : (_key: string, v: unknown): unknown => {
          if (v === value || !v || typeof v !== 'object') return v;
          const k = w.shared.get(v);
          return k === undefined ? v : { [REF]: k };
        };
  const text = JSON.stringify(value, replacer, w.space) ?? 'null';
  return w.space > 0 && indent ? text.replace(/\n/g, `\n${indent}`) : text;
}

/**
 * The arrays and objects the plan holds in more than one place (the same object, as the compiler shares them) and
 * large enough to be worth a reference, numbered in the order they are first met.
 */
export function sharedValues(plan: Plan): Map<object, number> {
  const seen = new Map<object, { count: number; size: number }>();
  const sizeOf = (v: unknown): number => {
    if (!v || typeof v !== 'object') return 1;
    const known = seen.get(v);
    if (known) {
      known.count += 1;
      return known.size;
    }
    const entry = { count: 1, size: 1 };
    seen.set(v, entry);
    for (const x of Array.isArray(v) ? v : Object.values(v)) entry.size += sizeOf(x);
    return entry.size;
  };
  sizeOf(plan);
  const shared = new Map<object, number>();
  for (const [v, { count, size }] of seen) if (count > 1 && size >= MIN_SHARED_SIZE) shared.set(v, shared.size);
  return shared;
}

/**
 * The plan a JSON document holds, written with or without shared values: references are replaced by the one value
 * they name (the same object wherever it is referred to, as the compiler made it). The parsed document is changed in
 * place and becomes the plan.
 */
export function expandPlanJson(doc: unknown): Plan {
  if (!doc || typeof doc !== 'object' || !('shared' in doc)) return doc as Plan;
  const { shared, ...plan } = doc as { shared: unknown[] } & Record<string, unknown>;
  if (!Array.isArray(shared)) return doc as unknown as Plan;
  const resolved = new Map<number, unknown>();
  const resolving = new Set<number>();
  const resolveRef = (k: number): unknown => {
    if (resolved.has(k)) return resolved.get(k);
    if (resolving.has(k) || k < 0 || k >= shared.length) throw new Error(`plan JSON: bad reference ${REF} ${k}`);
    resolving.add(k);
    const value = resolve(shared[k]);
    resolved.set(k, value);
    return value;
  };
  const resolve = (v: unknown): unknown => {
    if (!v || typeof v !== 'object') return v;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) v[i] = resolve(v[i]);
      return v;
    }
    const o = v as Record<string, unknown>;
    const ref = o[REF];
    if (typeof ref === 'number' && Object.keys(o).length === 1) return resolveRef(ref);
    for (const key of Object.keys(o)) o[key] = resolve(o[key]);
    return o;
  };
  return resolve(plan) as Plan;
}
