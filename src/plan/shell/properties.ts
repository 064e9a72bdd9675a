/** Editing a Java .properties file on a node: set keys in place or append them, remove unset keys. */

import { PROPERTIES_AWK } from './properties-awk.js';
import { absolutePath, atomicRewrite, awkCall, memo } from './script.js';

/** Escapes one control character the way Java's Properties.store does. */
function escapeControl(ch: string): string {
  const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\f': '\\f' };
  return named[ch] ?? '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/**
 * Escapes a key or value for a .properties file: `\` → `\\`, control
 * characters → `\t \n \r \f \uXXXX`; in keys also space, `=`, `:` and a leading
 * `#`/`!`; in values a leading space, `=` or `:` (the latter two so a
 * whitespace separator kept from the old line cannot swallow them).
 */
function escapeProperty(text: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    const code = ch.charCodeAt(0);
    if (ch === '\\') out += '\\\\';
    else if (code < 0x20 || code === 0x7f) out += escapeControl(ch);
    else if (isKey && (ch === ' ' || ch === '=' || ch === ':')) out += '\\' + ch;
    else if (i === 0 && (isKey ? ch === '#' || ch === '!' : ch === ' ' || ch === '=' || ch === ':')) out += '\\' + ch;
    else out += ch;
  }
  return out;
}

/** Throws unless the set/unset lists are unambiguous and every key is free of NUL. */
function checkPropertyKeys(set: ReadonlyArray<readonly [string, string]>, unset: readonly string[]): void {
  const seen = new Set<string>();
  for (const key of [...set.map(([k]) => k), ...unset]) {
    // The raw key travels in an environment variable, which cannot hold NUL.
    if (key.includes('\0')) throw new Error(`property key contains NUL: ${JSON.stringify(key)}`);
  }
  for (const [key] of set) {
    if (seen.has(key)) throw new Error(`property key set twice: ${JSON.stringify(key)}`);
    seen.add(key);
  }
  for (const key of unset) {
    if (seen.has(key)) throw new Error(`property key both set and unset: ${JSON.stringify(key)}`);
  }
}

/**
 * Shell command editing a .properties file in place (set keys in place or append them, remove unset keys), atomically;
 * creates it (0644) if missing and there is something to set.
 */
function propertiesEditCommandUncached(
  file: string,
  set: ReadonlyArray<readonly [string, string]>,
  unset: readonly string[],
): string {
  const path = absolutePath(file, 'properties file');
  return atomicRewrite({
    file: path,
    createMode: '0644',
    createIfMissing: set.length > 0,
    filter: propertiesFilter(set, unset),
  });
}

/**
 * The filter (stdin → stdout) that sets and unsets keys of a .properties text: what `propertiesEditCommand` writes, for
 * previews too.
 */
export function propertiesFilter(set: ReadonlyArray<readonly [string, string]>, unset: readonly string[]): string {
  checkPropertyKeys(set, unset);
  const uniqueUnset = [...new Set(unset)];
  const env: Array<readonly [string, string]> = [['LRROLL_PN', String(set.length)]];
  set.forEach(([key, value], i) => {
    env.push([`LRROLL_PK${i + 1}`, key]);
    env.push([`LRROLL_PE${i + 1}`, escapeProperty(key, true)]);
    env.push([`LRROLL_PV${i + 1}`, escapeProperty(value, false)]);
  });
  env.push(['LRROLL_UN', String(uniqueUnset.length)]);
  uniqueUnset.forEach((key, i) => env.push([`LRROLL_UK${i + 1}`, key]));
  return awkCall(env, PROPERTIES_AWK);
}

/** Shell command editing a .properties file in place (see `propertiesEditCommandUncached`). */
export const propertiesEditCommand = memo(propertiesEditCommandUncached);
