/**
 * Ansible host patterns: `web[01:03].example.com`, `db-[a:c]`, `host:2222`, as Ansible's
 * `expand_hostname_range` expands them. Every range is counted before it is expanded, so a pattern
 * cannot produce more than INVENTORY_LIMITS.hostsPerPattern names, nor bounds longer than
 * INVENTORY_LIMITS.rangeDigits digits.
 */
import { errorAt } from '../../errors/diagnostics.js';
import type { Diagnostic, SourceLocation } from '../../errors/diagnostics.js';
import { INVENTORY_LIMITS } from './model.js';

/** Expanded host pattern: host names and the port written as `name:port`, if any. */
interface HostPattern {
  names: string[];
  port?: number;
}

/** A range counted but not expanded yet. */
interface Range {
  count: number;
  at: (index: number) => string;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const RANGE_HINT = 'a range is `[begin:end]` or `[begin:end:step]`, e.g. `web[01:03]` or `db-[a:c]`';

/** Expands an Ansible host pattern (`web[01:03].example.com`, `db-[a:c]`, `host:2222`). */
export function expandHostPattern(pattern: string, source: SourceLocation): HostPattern | Diagnostic {
  const split = splitHostPort(pattern, source);
  if ('severity' in split) return split;
  const parts: Array<string | Range> = [];
  let literal = '';
  for (let i = 0; i < split.name.length;) {
    const ch = split.name.charAt(i);
    if (ch === ']') return rangeError(`unexpected \`]\` in host \`${pattern}\``, source, i);
    if (ch !== '[') {
      literal += ch;
      i += 1;
      continue;
    }
    const close = split.name.indexOf(']', i);
    if (close < 0) return rangeError(`unclosed range in host \`${pattern}\``, source, i);
    const range = parseRange(split.name.slice(i + 1, close), pattern, source, i);
    if ('severity' in range) return range;
    parts.push(literal, range);
    literal = '';
    i = close + 1;
  }
  parts.push(literal);
  const total = parts.reduce((n, p) => (typeof p === 'string' ? n : n * p.count), 1);
  if (total > INVENTORY_LIMITS.hostsPerPattern) {
    return rangeError(
      `host pattern \`${pattern}\` expands to ${total > 1e15 ? 'far' : total} hosts, more than the ` +
        `${INVENTORY_LIMITS.hostsPerPattern} one pattern may produce`,
      source,
      0,
    );
  }
  const names = product(parts);
  return split.port === undefined ? { names } : { names, port: split.port };
}

/** Splits `name:port`; a name with several colons outside brackets is an IPv6 address, not a port. */
function splitHostPort(pattern: string, source: SourceLocation): { name: string; port?: number } | Diagnostic {
  const colons: number[] = [];
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '[') depth += 1;
    else if (ch === ']') depth -= 1;
    else if (ch === ':' && depth === 0) colons.push(i);
  }
  const colon = colons[0];
  if (colons.length !== 1 || colon === undefined) return { name: pattern };
  const portText = pattern.slice(colon + 1);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    return errorAt(
      'E_INVENTORY',
      `invalid port \`${portText}\` in host \`${pattern}\``,
      { ...source, col: source.col + colon + 1 },
      'write `name:port` with a port from 1 to 65535',
    );
  }
  return { name: pattern.slice(0, colon), port };
}

/** An E_INVENTORY diagnostic for a bad host range, `offset` characters into the host pattern. */
function rangeError(summary: string, source: SourceLocation, offset: number): Diagnostic {
  return errorAt('E_INVENTORY', summary, { ...source, col: source.col + offset }, RANGE_HINT);
}

/** Parses the body of one `[begin:end(:step)]` range, padding like Ansible (`01` pads to the end's width). */
function parseRange(body: string, pattern: string, source: SourceLocation, offset: number): Range | Diagnostic {
  const bad = (why: string): Diagnostic =>
    rangeError(`bad range \`[${clip(body)}]\` in host \`${clip(pattern)}\`: ${why}`, source, offset);
  const bounds = body.split(':');
  if (bounds.length < 2 || bounds.length > 3) return bad('expected begin:end or begin:end:step');
  const beg = bounds[0] || '0';
  const end = bounds[1] ?? '';
  const stepText = bounds[2] ?? '1';
  if (end === '') return bad('the end is missing');
  const digits = INVENTORY_LIMITS.rangeDigits;
  if (!/^[1-9]\d*$/.test(stepText) || stepText.length > digits)
    return bad(`the step must be a positive integer of at most ${digits} digits`);
  const step = Number(stepText);
  if (/^[a-zA-Z]$/.test(beg) && /^[a-zA-Z]$/.test(end)) {
    const from = LETTERS.indexOf(beg);
    const to = LETTERS.indexOf(end);
    if (from > to) return bad('the begin comes after the end');
    return { count: Math.floor((to - from) / step) + 1, at: (i) => LETTERS.charAt(from + i * step) };
  }
  if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) return bad('begin and end must both be numbers or both single letters');
  if (beg.length > digits || end.length > digits) return bad(`a bound may have at most ${digits} digits`);
  const padded = beg.length > 1 && beg.startsWith('0');
  if (padded && beg.length !== end.length) return bad('a zero-padded begin and its end must have the same width');
  const from = Number(beg);
  const to = Number(end);
  if (from > to) return bad('the begin is greater than the end');
  const text = (n: number): string => (padded ? String(n).padStart(beg.length, '0') : String(n));
  return { count: Math.floor((to - from) / step) + 1, at: (i) => text(from + i * step) };
}

/** Shortens text quoted in a message (a hostile pattern can be megabytes long). */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Cartesian product of the parts, the first range varying slowest (Ansible's order). */
function product(parts: ReadonlyArray<string | Range>): string[] {
  let out = [''];
  for (const part of parts) {
    if (typeof part === 'string') {
      out = out.map((prefix) => prefix + part);
      continue;
    }
    const next: string[] = [];
    for (const prefix of out) for (let i = 0; i < part.count; i++) next.push(prefix + part.at(i));
    out = next;
  }
  return out;
}
