import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { FIXTURES, fixtureText } from './helpers.js';

// schemas/events.schema.json publishes one line of `--output json` (RunEvent in src/execute/events.ts).
// These tests validate every recorded stream against it, and guard against drift between the two.

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const EVENTS_TS = readFileSync(`${ROOT}src/execute/events.ts`, 'utf8');

/** The subset of JSON Schema this file reads. */
interface JsonSchema {
  $ref?: string;
  description?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  discriminator?: { propertyName: string };
  definitions?: Record<string, JsonSchema>;
}

const SCHEMA = JSON.parse(readFileSync(`${ROOT}schemas/events.schema.json`, 'utf8')) as JsonSchema;
let validator: ValidateFunction | undefined;

function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true, discriminator: true, allowUnionTypes: true }).compile(SCHEMA);
  return validator;
}

function errorsOf(value: unknown): string[] {
  const v = validate();
  return v(value)
    ? []
    : (v.errors ?? []).map(
        (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
      );
}

function resolve(s: JsonSchema): JsonSchema {
  const name = /^#\/definitions\/(\w+)$/.exec(s.$ref ?? '')?.[1];
  return name ? (SCHEMA.definitions?.[name] ?? s) : s;
}

// ---- minimal reading of events.ts (plain declarations) ----

/** Members of `interface <name> … { … }` (own members only): name → type text. */
function members(name: string): Map<string, string> {
  const m = new RegExp(`interface ${name}\\b[^{]*\\{`).exec(EVENTS_TS);
  if (!m) throw new Error(`interface ${name} not found in src/execute/events.ts`);
  let depth = 1;
  let i = m.index + m[0].length;
  const start = i;
  for (; i < EVENTS_TS.length && depth > 0; i++) depth += EVENTS_TS[i] === '{' ? 1 : EVENTS_TS[i] === '}' ? -1 : 0;
  const body = EVENTS_TS.slice(start, i - 1)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/[^\n]*/g, '');
  const out = new Map<string, string>();
  let current = '';
  depth = 0;
  for (const ch of `${body};`) {
    if ('{(<['.includes(ch)) depth++;
    if ('})>]'.includes(ch)) depth--;
    if (depth === 0 && (ch === ';' || ch === '\n')) {
      const mm = /^\s*([A-Za-z_$][\w$]*)\??\s*:\s*([\s\S]+?)\s*$/.exec(current);
      if (mm) out.set(mm[1] as string, mm[2] as string);
      current = '';
    } else current += ch;
  }
  return out;
}

/** The string literals of a type (`'a' | 'b'`, or an alias of one), else undefined. */
function literals(type: string): string[] | undefined {
  const alias = new RegExp(`(?:export )?type ${type.trim()} =([^;]+);`).exec(EVENTS_TS)?.[1];
  const text = (alias ?? type).trim();
  return /^'[^']*'(\s*\|\s*'[^']*')*$/.test(text)
    ? [...text.matchAll(/'([^']*)'/g)].map((m) => m[1] as string)
    : undefined;
}

/** The interfaces of `export type RunEvent = | A | B …;`. */
const UNION = [...(/export type RunEvent =([^;]+);/.exec(EVENTS_TS)?.[1] ?? '').matchAll(/\|\s*(\w+)/g)].map(
  (m) => m[1] as string,
);
const BASE = [...members('Base').keys()];
const kindOf = (iface: string): string => literals(members(iface).get('kind') ?? '')?.[0] ?? `<no kind in ${iface}>`;
const variants = SCHEMA.oneOf ?? [];
const variantOf = (kind: string): JsonSchema | undefined =>
  variants.find((v) => v.properties?.['kind']?.const === kind);

describe('schemas/events.schema.json', () => {
  it.each(FIXTURES)('every line of %s validates', (fixture) => {
    const bad = fixtureText(fixture)
      .trimEnd()
      .split('\n')
      .map((line, i) => ({ line: i + 1, errors: errorsOf(JSON.parse(line)) }))
      .filter((r) => r.errors.length > 0);
    expect(bad).toEqual([]);
  });

  it('rejects unknown kinds, extra fields and missing fields', () => {
    const ok = { v: 3, at: '2026-03-14T22:00:00.000Z', kind: 'batch-end', batch: 1, status: 'ok' };
    expect(errorsOf(ok)).toEqual([]);
    expect(errorsOf({ ...ok, kind: 'batch-done' })).not.toEqual([]);
    expect(errorsOf({ ...ok, extra: true })).not.toEqual([]);
    expect(errorsOf({ v: 3, at: ok.at, kind: 'batch-end', batch: 1 })).not.toEqual([]);
  });

  it('is a closed oneOf on `kind` with a discriminator; every field required and described', () => {
    expect(SCHEMA.discriminator).toEqual({ propertyName: 'kind' });
    for (const v of variants) {
      expect(v.additionalProperties, v.description).toBe(false);
      expect([...(v.required ?? [])].sort(), v.description).toEqual(Object.keys(v.properties ?? {}).sort());
      for (const [name, p] of Object.entries(v.properties ?? {}))
        expect(p.description, `${v.description}: ${name}`).toBeTruthy();
    }
    const summary = resolve({ $ref: '#/definitions/nodeSummary' });
    expect(summary.additionalProperties).toBe(false);
    expect([...(summary.required ?? [])].sort()).toEqual(Object.keys(summary.properties ?? {}).sort());
  });

  it('drift: the `kind` variants are exactly the RunEvent kinds in src/execute/events.ts', () => {
    expect(UNION.length).toBeGreaterThan(0);
    expect(variants.map((v) => v.properties?.['kind']?.const).sort()).toEqual(UNION.map(kindOf).sort());
  });

  it.each(UNION)('drift: %s has the same fields and literal values in the schema', (iface) => {
    const ts = members(iface);
    const schema = variantOf(kindOf(iface));
    expect(Object.keys(schema?.properties ?? {}).sort()).toEqual([...BASE, ...ts.keys()].sort());
    for (const [name, type] of ts) {
      const values = name === 'kind' ? undefined : literals(type);
      if (!values) continue;
      const prop = resolve(schema?.properties?.[name] ?? {});
      expect(prop.enum ?? [prop.const], `${iface}.${name}`).toEqual(values);
    }
  });

  it('drift: NodeSummary has the same fields and statuses', () => {
    const ts = members('NodeSummary');
    const schema = resolve({ $ref: '#/definitions/nodeSummary' });
    expect(Object.keys(schema.properties ?? {}).sort()).toEqual([...ts.keys()].sort());
    expect(resolve(schema.properties?.['status'] ?? {}).enum).toEqual(literals(ts.get('status') ?? ''));
  });
});
