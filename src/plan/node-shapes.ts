// Tokens, shape keys and templates for compiling nodes alike once (node-shape-compile.ts). Two changed nodes whose
// settings, facts and place in their batches are the same get the same steps but for who they are
// (nodes-alike.test.ts holds that invariant over every example): their name, host and load-balancer member, their
// batch's number and batch-mates, and the batch's lists (its start order, the nodes outside it). A token stands for
// one run of letters and digits of such a value — digits for digits, a letter first for the rest — so quoting,
// escaping and URL encoding treat it as they treat the run; the separators between runs (dots, hyphens) stay as
// written and are part of the shape.
import type { NodeEntry } from '../playbook/inventory/normalize.js';
import type { Node } from '../playbook/playbook.generated.js';
import { FactsIndex } from './facts.js';

/** The node's own values (name, host, member) and its batch's names are tokens of two spaces. */
type Space = 'own' | 'batch';
const WORD = { own: (i: number) => `qz${i}zq`, batch: (i: number) => `mq${i}qm` };
const DIGITS = { own: (i: number) => `90417${five(i)}`, batch: (i: number) => `90418${five(i)}` };
/**
 * An IPv4 address is one token that is an address too (of 198.18.0.0/15, set aside for benchmarks): a URL takes a host
 * of numbers for an address, and a run of digits too large for one would make it no URL at all.
 */
const IPV4 = { own: (i: number) => `198.18.${i >> 8}.${i & 255}`, batch: (i: number) => `198.19.${i >> 8}.${i & 255}` };
const MAX_TOKENS = 65_535;
/** The batch number's token: a number, as the compile takes it. */
export const BATCH_TOKEN = 9_041_900_000;
const TOKEN_TEXT = /qz(\d+)zq|mq(\d+)qm|9041([78])(\d{5})|9041900000|198\.1([89])\.(\d{1,3})\.(\d{1,3})/g;
const TOKEN_TEST = /qz\d+zq|mq\d+qm|9041[789]\d{5}|198\.1[89]\./;
/** A dotted-quad address as a URL keeps it (no leading zero, each part at most 255). */
const PLAIN_IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function five(i: number): string {
  return String(i).padStart(5, '0');
}

/** The values the tokens of one space stand for, in the order they were given out. */
class Tokens {
  readonly values: string[] = [];

  constructor(private readonly space: Space) {}

  /**
   * A value with a token for each run of letters and digits, or null when it cannot be written so: what a URL would
   * rewrite in a host (a capital letter, a `%` escape, an `xn--` label), a run that starts with a digit and holds a
   * letter (no token is quoted like it), too many tokens.
   */
  runs(value: string): string | null {
    if (/[A-Z%]|xn--/.test(value)) return null;
    if (PLAIN_IPV4.test(value)) {
      if (this.values.length >= MAX_TOKENS) return null;
      this.values.push(value);
      return IPV4[this.space](this.values.length - 1);
    }
    let ok = true;
    const text = value.replace(/[A-Za-z0-9]+/g, (run) => {
      if (/^\d/.test(run) && !/^\d+$/.test(run)) ok = false;
      if (this.values.length >= MAX_TOKENS) ok = false;
      if (!ok) return run;
      const i = this.values.length;
      this.values.push(run);
      return /^\d+$/.test(run) ? DIGITS[this.space](i) : WORD[this.space](i);
    });
    return ok ? text : null;
  }
}

/** A batch's names as tokens of the batch space, made once per batch. */
export interface BatchTokens {
  /** Each name written with tokens (null when one cannot be). */
  forms: string[] | null;
  /** What the tokens stand for. */
  values: string[];
}

export function batchTokens(names: readonly string[]): BatchTokens {
  const tokens = new Tokens('batch');
  const forms: string[] = [];
  for (const n of names) {
    const form = tokens.runs(n);
    if (form === null) return { forms: null, values: [] };
    forms.push(form);
  }
  return { forms, values: tokens.values };
}

/** The entry a template is compiled from: the node's own, with tokens for its name, host and member. */
export function tokenEntry(entry: NodeEntry, forms: OwnForms): NodeEntry {
  const node: Node = { ...entry.node, name: forms.name };
  if (forms.host !== null) node.host = forms.host;
  if (forms.member !== null) node.member = forms.member;
  return { ...entry, node };
}

/**
 * A node's name, host and member written with tokens of the own space: how they are cut into runs and separators is
 * part of the node's shape.
 */
export interface OwnForms {
  name: string;
  /** Null when the node's entry gives no host (its host is its name). */
  host: string | null;
  /** Null without a load balancer. */
  member: string | null;
  values: string[];
}

/** The own-space tokens of a node, always given out in the same order (so alike nodes number them alike). */
export function ownForms(name: string, host: string | undefined, member: string | null): OwnForms | null {
  const tokens = new Tokens('own');
  const n = tokens.runs(name);
  const h = host === undefined ? null : tokens.runs(host);
  const m = member === null ? null : tokens.runs(member);
  if (n === null || (host !== undefined && h === null) || (member !== null && m === null)) return null;
  return { name: n, host: h, member: m, values: tokens.values };
}

/** The node facts a template is compiled with: the node's own, under its token name. */
export class TokenFacts extends FactsIndex {
  constructor(
    private readonly index: FactsIndex,
    private readonly token: string,
    private readonly real: string,
  ) {
    super(index.nodes);
  }

  override of(node: string): ReturnType<FactsIndex['of']> {
    if (node !== this.token) return this.index.of(node);
    const own = this.index.of(this.real);
    return own ? { ...own, node: this.token } : null;
  }
}

/** What a template's tokens and placeholders stand for in one node. */
export interface Bindings {
  own: readonly string[];
  batch: readonly string[];
  batchNumber: number;
  /** The template's placeholder objects (its batch's lists) → this node's. */
  objects: ReadonlyMap<object, object>;
}

/**
 * A template ready to be copied: per object that holds a token, a placeholder or a step (whose id is set after the
 * copy), the keys to fill in again; per text with tokens, its pieces. Every other object holds the same for every
 * node and is shared, not copied: the plan is data, never changed once made, but for the step ids.
 */
export interface Prepared {
  objects: Map<object, Array<string | number>>;
  /** Literal text, or a token: 3i an own value, 3i + 1 a batch value, 2 the batch number. */
  texts: Map<string, Array<string | number>>;
}

/** Finds what a template's copies must redo; `kept` are the run's objects (never read through), `placeholders` too. */
export function prepare(template: unknown, placeholders: ReadonlySet<object>, kept: ReadonlySet<object>): Prepared {
  const prepared: Prepared = { objects: new Map(), texts: new Map() };
  const clean = new Set<object>();
  const redo = (v: unknown): boolean => {
    if (typeof v === 'string')
      return prepared.texts.has(v) || (TOKEN_TEST.test(v) && !!prepared.texts.set(v, pieces(v)));
    if (typeof v === 'number') return v === BATCH_TOKEN;
    if (!v || typeof v !== 'object') return false;
    if (placeholders.has(v)) return true;
    if (kept.has(v) || clean.has(v)) return false;
    if (prepared.objects.has(v)) return true;
    const keys: Array<string | number> = [];
    if (Array.isArray(v)) v.forEach((x: unknown, i) => redo(x) && keys.push(i));
    else for (const [k, x] of Object.entries(v)) if (redo(x)) keys.push(k);
    if (keys.length === 0 && !('action' in v)) {
      clean.add(v);
      return false;
    }
    prepared.objects.set(v, keys);
    return true;
  };
  redo(template);
  return prepared;
}

/** A text cut at its tokens. */
function pieces(text: string): Array<string | number> {
  const out: Array<string | number> = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN_TEXT)) {
    const [, own, batch, space, digits, ipSpace, hi, lo] = m;
    if (m.index > last) out.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    const i =
      own !== undefined
        ? 3 * Number(own)
        : batch !== undefined
          ? 3 * Number(batch) + 1
          : digits !== undefined
            ? 3 * Number(digits) + (space === '7' ? 0 : 1)
            : ipSpace !== undefined
              ? 3 * (Number(hi) * 256 + Number(lo)) + (ipSpace === '8' ? 0 : 1)
              : 2;
    out.push(i);
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** The template with one node's values put in: a copy of what differs between nodes, the rest shared. */
export function materialise<T>(template: T, prepared: Prepared, b: Bindings): T {
  const copies = new Map<object, unknown>();
  const value = (i: number): string =>
    i === 2 ? String(b.batchNumber) : ((i % 3 === 0 ? b.own : b.batch)[Math.floor(i / 3)] ?? '');
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const parts = prepared.texts.get(v);
      if (!parts) return v;
      let text = '';
      for (const p of parts) text += typeof p === 'string' ? p : value(p);
      return text;
    }
    if (typeof v === 'number') return v === BATCH_TOKEN ? b.batchNumber : v;
    if (!v || typeof v !== 'object') return v;
    const placed = b.objects.get(v);
    if (placed !== undefined) return placed;
    const keys = prepared.objects.get(v);
    if (keys === undefined) return v;
    const done = copies.get(v);
    if (done !== undefined) return done;
    const copy = (Array.isArray(v) ? [...v] : { ...v }) as Record<string | number, unknown>;
    copies.set(v, copy);
    for (const k of keys) copy[k] = walk((v as Record<string | number, unknown>)[k]);
    return copy;
  };
  return walk(template) as T;
}

/** Calls `visit` on every string a value holds, but in the objects `skip` holds; stops at the first true. */
export function someText(value: unknown, visit: (text: string) => boolean, skip: ReadonlySet<object>): boolean {
  const seen = new Set<object>();
  const walk = (v: unknown): boolean => {
    if (typeof v === 'string') return visit(v);
    if (typeof v === 'number') return visit(String(v));
    if (!v || typeof v !== 'object' || seen.has(v) || skip.has(v)) return false;
    seen.add(v);
    return (Array.isArray(v) ? v : Object.values(v)).some(walk);
  };
  return walk(value);
}

/** Whether a text holds something a token could be mistaken for. */
export function tokenLike(text: string): boolean {
  return TOKEN_TEST.test(text);
}

/** Every object a value holds (itself included), but those in `skip` and what they hold. */
export function objectsOf(value: unknown, skip: ReadonlySet<object>, into = new Set<object>()): Set<object> {
  if (!value || typeof value !== 'object' || into.has(value) || skip.has(value)) return into;
  into.add(value);
  for (const v of Array.isArray(value) ? value : Object.values(value)) objectsOf(v, skip, into);
  return into;
}

/** Deep equality of two compiled values (plain data), keys in the same order. */
export function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k, i) => k === kb[i] && sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}
