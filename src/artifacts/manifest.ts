/**
 * Parsers for the two metadata formats found in Liferay archives: the JAR manifest
 * (META-INF/MANIFEST.MF) and Java `.properties` files (WEB-INF/liferay-plugin-package.properties).
 */
import type { ManifestFacts } from './types.js';

/**
 * Unfolds manifest lines: a line starting with exactly one space continues the previous line
 * (the space is dropped). Stops at the first blank line after the main section began.
 */
function unfoldMainSection(text: string): string[] {
  const logical: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (logical.length > 0) break;
      continue;
    }
    const last = logical.length - 1;
    if (line.startsWith(' ') && last >= 0) logical[last] += line.slice(1);
    else logical.push(line);
  }
  return logical;
}

/** The main-section attributes of a manifest, keyed by lower-case name, values as written after `": "`. */
// A Buffer is unfolded byte-wise before UTF-8 decoding, so a character split by the 72-byte line limit survives.
export function parseManifestAttributes(input: string | Uint8Array): Map<string, string> {
  const isBytes = typeof input !== 'string';
  let text = isBytes ? Buffer.from(input).toString('latin1') : input;
  if (isBytes && text.startsWith('\xEF\xBB\xBF')) text = text.slice(3);
  if (!isBytes && text.startsWith('\uFEFF')) text = text.slice(1);
  const attributes = new Map<string, string>();
  for (const line of unfoldMainSection(text)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    let value = line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    attributes.set(name, isBytes ? Buffer.from(value, 'latin1').toString('utf8') : value);
  }
  return attributes;
}

/** Trims a header value; empty or absent becomes null. */
function clean(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** Removes OSGi directives and attributes (`;singleton:=true`, `;foo=bar`) from a Bundle-SymbolicName value. */
export function stripDirectives(value: string | undefined): string | null {
  if (value === undefined) return null;
  return clean(value.split(';')[0]);
}

/** Parses META-INF/MANIFEST.MF text (or bytes) into the facts lrroll uses; absent headers are null. */
export function parseManifest(input: string | Uint8Array): ManifestFacts {
  const attributes = parseManifestAttributes(input);
  return {
    bundleSymbolicName: stripDirectives(attributes.get('bundle-symbolicname')),
    bundleVersion: clean(attributes.get('bundle-version')),
    requireSchemaVersion: clean(attributes.get('liferay-require-schemaversion')),
  };
}

const ESCAPES: Readonly<Record<string, string>> = { t: '\t', n: '\n', r: '\r', f: '\f' };

/** Decodes Java properties escapes: `\t \n \r \f`, `\uXXXX`, and `\x` for any other x. */
function unescapeProperty(raw: string): string {
  return raw.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_m, esc: string) => {
    if (esc.length === 5) return String.fromCharCode(parseInt(esc.slice(1), 16));
    return ESCAPES[esc] ?? esc;
  });
}

/** True when the line ends with an odd number of backslashes (a line continuation). */
function continues(line: string): boolean {
  const trailing = /\\*$/.exec(line)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

/** Joins continued lines of a properties file and drops blank and comment lines. */
function logicalPropertyLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | null = null;
  for (const physical of text.split(/\r\n|\r|\n/)) {
    const stripped = physical.replace(/^[ \t\f]+/, '');
    const line: string = pending === null ? stripped : pending + stripped;
    if (pending === null && (line === '' || line.startsWith('#') || line.startsWith('!'))) continue;
    if (continues(line)) {
      pending = line.slice(0, -1);
      continue;
    }
    pending = null;
    out.push(line);
  }
  if (pending !== null) out.push(pending);
  return out;
}

/**
 * Parses a Java `.properties` file (comments, `\` continuations, `=`/`:`/space separators, escapes); later keys win.
 */
export function parseProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const line of logicalPropertyLines(text.replace(/^\uFEFF/, ''))) {
    const match = /^((?:\\.|[^\\=: \t\f])*)[ \t\f]*[=:]?[ \t\f]*(.*)$/s.exec(line);
    if (!match) continue;
    properties.set(unescapeProperty(match[1] ?? ''), unescapeProperty(match[2] ?? ''));
  }
  return properties;
}
