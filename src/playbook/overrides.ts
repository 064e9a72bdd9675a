import { parse } from 'yaml';
import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import type { DocPath, SourceMap } from './source-map.js';

/** The name diagnostics give to values set on the command line (`--set path=value`). */
export const OVERRIDES_FILE = '--set';

/** Policy settings a run may change from the command line, like Ansible's `-e`: anything under these. */
const SETTABLE = [
  'rollout',
  'health',
  'loadBalancer.drainTimeout',
  'loadBalancer.onDrainTimeout',
  'loadBalancer.upTimeout',
  'loadBalancer.healthUpAfterProbe',
  'loadBalancer.pollInterval',
];

/** The playbook data with `--set` values applied, a source map that places them, and what was set. */
interface Overridden {
  data: unknown;
  sourceMap: SourceMap;
  /** `path` → value as given, in the order given (a later `--set` of the same path wins). */
  overrides: Record<string, string>;
  /** The `--set` lines, for code frames. */
  text: string;
  diagnostics: Diagnostic[];
}

/**
 * Applies `--set path=value` to parsed playbook data before it is validated, so each value is
 * checked by the schema like any other and reported at `--set:<n>` when it is wrong. Values are
 * YAML (`30s`, `rollback`, `"25%"`, `[1, 2]`).
 */
export function applyOverrides(data: unknown, sourceMap: SourceMap, sets: readonly string[]): Overridden {
  const diagnostics: Diagnostic[] = [];
  const overrides: Record<string, string> = {};
  const placed: Array<{ path: string[]; at: SourceLocation }> = [];
  let out: unknown = data;
  sets.forEach((set, i) => {
    const eq = set.indexOf('=');
    const path = set.slice(0, Math.max(0, eq)).split('.');
    const at = { file: OVERRIDES_FILE, line: i + 1, col: eq + 2 };
    const usage = (summary: string, hint?: string): void =>
      void diagnostics.push({
        severity: 'error',
        code: 'E_USAGE',
        summary: `--set ${set}: ${summary}`,
        source: { ...at, col: 1 },
        ...(hint ? { hint } : {}),
      });
    if (eq <= 0 || path.some((p) => !/^[A-Za-z][A-Za-z0-9]*$/.test(p)))
      return usage('expected path=value, e.g. --set rollout.onFailure=rollback');
    if (!SETTABLE.some((s) => path.join('.') === s || path.join('.').startsWith(`${s}.`)) || path.length < 2)
      return usage(
        'only policy settings can be set from the command line',
        `settable: rollout.<key>, health.<key>, ${SETTABLE.slice(2).join(', ')}`,
      );
    let value: unknown;
    try {
      value = parse(set.slice(eq + 1), { logLevel: 'error' }); // no stray library warning on stderr
    } catch (err) {
      return usage(`the value is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`);
    }
    const next = setPath(out, path, value);
    if (next === undefined) return usage(`\`${path.slice(0, -1).join('.')}\` is not a mapping in the playbook`);
    out = next;
    overrides[path.join('.')] = set.slice(eq + 1);
    placed.push({ path, at });
  });
  return { data: out, sourceMap: placing(sourceMap, placed), overrides, text: sets.join('\n'), diagnostics };
}

/**
 * A copy of `data` with `value` at `path` (mappings created as needed), or undefined when the way is blocked by a
 * non-mapping.
 */
function setPath(data: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) return undefined;
  const obj = (data ?? {}) as Record<string, unknown>;
  const [head, ...rest] = path as [string, ...string[]];
  const child = setPath(obj[head], rest, value);
  return child === undefined ? undefined : { ...obj, [head]: child };
}

/** The file's source map, except that set paths (and anything below them) point at their `--set` line. */
function placing(sourceMap: SourceMap, placed: ReadonlyArray<{ path: string[]; at: SourceLocation }>): SourceMap {
  const find = (path: DocPath): SourceLocation | undefined =>
    [...placed].reverse().find((p) => p.path.every((seg, i) => String(path[i]) === seg))?.at;
  return {
    file: sourceMap.file,
    locate: (path) => find(path) ?? sourceMap.locate(path),
    locateKey: (path, key) => find([...path, key]) ?? sourceMap.locateKey(path, key),
  };
}
