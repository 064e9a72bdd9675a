import type { Emit, EventInput } from './events.js';

/**
 * Secrets shorter than this are refused before a run touches anything. Every text that leaves
 * the executor has each secret value replaced wherever it occurs, as a substring; a value of one
 * to three characters would also match ordinary text ("1" in every duration), so lrroll refuses
 * it rather than mask every such letter or risk a partial, word-only masking that could leak it.
 */
const MIN_SECRET_LENGTH = 4;

/** What replaces a secret value in every output, event and record. */
const MASK = '***';

/** A function that replaces every secret value in a text. */
type Mask = (text: string) => string;

/** The forms a value takes in output: as is, URL-encoded (query strings, URLs) and JSON-escaped. */
function forms(value: string): string[] {
  return [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)];
}

/** The mask of a run without secrets. */
const NO_SECRETS: Mask = (text) => text;

/** A mask for these secret values; values too short to mask are refused before any run (see MIN_SECRET_LENGTH). */
export function secretMask(values: Iterable<string>): Mask {
  const needles = [...new Set([...values].filter((v) => v.length >= MIN_SECRET_LENGTH).flatMap(forms))].sort(
    (a, b) => b.length - a.length,
  );
  if (needles.length === 0) return NO_SECRETS;
  return (text) => {
    let out = text;
    for (const needle of needles) if (out.includes(needle)) out = out.split(needle).join(MASK);
    return out;
  };
}

/** A copy of a JSON-like value with every string masked. */
export function maskDeep<T>(value: T, mask: Mask): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskDeep(v, mask)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v, mask)])) as T;
  return value;
}

/** Wraps an event sink so no event carries a secret value: the one place every text leaves the executor. */
export function maskingEmit(emit: Emit, mask: Mask): Emit {
  if (mask === NO_SECRETS) return emit;
  return (event: EventInput) => emit(maskDeep(event, mask));
}

/** Why the secrets the plan names cannot be used (not set, empty, too short), or null when they all can. */
export function secretProblem(names: readonly string[], secrets: Readonly<Record<string, string>>): string | null {
  const missing = names.filter((n) => secrets[n] === undefined);
  if (missing.length > 0) return `secret environment variable(s) not set: ${missing.join(', ')}`;
  const short = names.filter((n) => (secrets[n] ?? '').length < MIN_SECRET_LENGTH);
  if (short.length === 0) return null;
  return (
    `secret environment variable(s) ${short.join(', ')} ${short.length === 1 ? 'is' : 'are'}` +
    ` empty or shorter than ${MIN_SECRET_LENGTH} characters: lrroll masks every secret value ` +
    `wherever it appears in output and records, and a value this short cannot be told apart from ` +
    `ordinary text; use a longer secret`
  );
}
