import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { PLAN_FORMAT_VERSION } from '../../../src/plan/types.js';

// schemas/plan.schema.json publishes the shape of `lrroll plan --format json` (src/plan/types.ts).
// These tests validate the real output of every example playbook against it, and guard against
// drift between the TypeScript types and the schema.

// planPlaybook asks git for the playbook's commit; do not let `git status` refresh the index.
process.env['GIT_OPTIONAL_LOCKS'] = '0';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PLAYBOOKS_DIR = join(ROOT, 'playbooks');
const PLAYBOOKS = readdirSync(PLAYBOOKS_DIR)
  .filter((f) => f.endsWith('.yml'))
  .sort();
// The plan's types: the files types.ts gathers, and the verdict part it re-exports.
const TYPES_TS = [
  'src/plan/types-checks.ts',
  'src/plan/types-node-steps.ts',
  'src/plan/types-step.ts',
  'src/plan/types-plan.ts',
  'src/plan/verdict-model.ts',
]
  .map((f) => readFileSync(join(ROOT, f), 'utf8'))
  .join('\n');

/** The subset of JSON Schema this file reads. */
interface JsonSchema {
  $schema?: string;
  $id?: string;
  $ref?: string;
  title?: string;
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

const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'schemas/plan.schema.json'), 'utf8')) as JsonSchema;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

let validator: ValidateFunction | undefined;

/** The compiled schema, with the options the CLI's consumers are expected to use. */
function validate(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true }).compile(SCHEMA);
  return validator;
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)} (${e.schemaPath})`)
    .join('\n');
}

/** Validates `value` and returns the ajv errors (empty when valid). */
function errorsOf(value: unknown): ErrorObject[] {
  const v = validate();
  return v(value) ? [] : [...(v.errors ?? [])];
}

const plans = new Map<string, Promise<JsonObject>>();

/** The plan of an example playbook exactly as `lrroll plan --format json` prints it (after a JSON round trip). */
function planJson(playbook: string): Promise<JsonObject> {
  let p = plans.get(playbook);
  if (!p) {
    p = planPlaybook(join(PLAYBOOKS_DIR, playbook), { vars: {}, limit: null }).then((outcome) => {
      if (!outcome.plan)
        throw new Error(`${playbook} did not compile:\n${JSON.stringify(outcome.diagnostics, null, 2)}`);
      return JSON.parse(JSON.stringify(outcome.plan)) as JsonObject;
    });
    plans.set(playbook, p);
  }
  return p;
}

function def(name: string): JsonSchema {
  const d = SCHEMA.definitions?.[name];
  if (!d) throw new Error(`schema has no definitions.${name}`);
  return d;
}

function resolve(schema: JsonSchema): JsonSchema {
  if (schema.$ref === undefined) return schema;
  const m = /^#\/definitions\/(\w+)$/.exec(schema.$ref);
  if (!m) throw new Error(`unexpected $ref ${schema.$ref}`);
  return def(m[1] as string);
}

/** The object schema behind a property: itself, its $ref, or the object branch of a nullable `oneOf`. */
function objectSchema(schema: JsonSchema): JsonSchema | undefined {
  const s = resolve(schema);
  if (s.properties) return s;
  return s.oneOf?.map(resolve).find((branch) => branch.properties !== undefined);
}

function variants(union: string): JsonSchema[] {
  const u = def(union);
  expect(u.discriminator, `${union} uses a discriminator`).toEqual({ propertyName: 'action' });
  return u.oneOf ?? [];
}

function actionOf(variant: JsonSchema): string {
  const a = variant.properties?.['action']?.const;
  if (typeof a !== 'string')
    throw new Error(`step variant without a const action: ${JSON.stringify(variant.description)}`);
  return a;
}

// ---- minimal TypeScript source reading (types.ts is plain declarations) ----

/** The text between the outer braces of `[export] interface <name> … { … }`. */
function interfaceBody(name: string): string {
  const m = new RegExp(`(?:export )?interface ${name}\\b[^{]*\\{`).exec(TYPES_TS);
  if (!m) throw new Error(`interface ${name} not found in src/plan/types.ts`);
  const start = m.index + m[0].length;
  let depth = 1;
  let i = start;
  for (; i < TYPES_TS.length && depth > 0; i++) {
    if (TYPES_TS[i] === '{') depth++;
    else if (TYPES_TS[i] === '}') depth--;
  }
  return TYPES_TS.slice(start, i - 1);
}

/** Top-level members of an interface (or inline object type) body: name → type text. Comments are ignored. */
function members(body: string): Map<string, string> {
  const text = body.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('{(<['.includes(ch)) depth++;
    else if ('})>]'.includes(ch)) depth--;
    if (depth === 0 && (ch === ';' || ch === '\n')) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  const out = new Map<string, string>();
  for (const part of parts) {
    if (part.trim() === '') continue;
    const m = /^\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:\s*([\s\S]+?)\s*$/.exec(part);
    if (!m) throw new Error(`cannot read interface member: ${JSON.stringify(part)}`);
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}

/** The string literals of a type that is only a union of them (`'a' | 'b'`), else undefined. */
function stringLiterals(type: string): string[] | undefined {
  if (!/^'[^']*'(\s*\|\s*'[^']*')*$/.test(type.trim())) return undefined;
  return [...type.matchAll(/'([^']*)'/g)].map((m) => m[1] as string);
}

/** The literals of `[export] type <name> = 'a' | 'b';`. */
function typeAliasLiterals(name: string): string[] {
  const m = new RegExp(`(?:export )?type ${name} =([^;]+);`).exec(TYPES_TS);
  const literals = m ? stringLiterals(m[1] as string) : undefined;
  if (!literals) throw new Error(`type ${name} is not a string literal union in src/plan/types.ts`);
  return literals;
}

/** The interfaces in `export type Step = | A | B …;`, in order. */
function stepUnionMembers(): string[] {
  const m = /export type Step =([^;]+);/.exec(TYPES_TS);
  if (!m) throw new Error('type Step not found in src/plan/types.ts');
  return [...(m[1] as string).matchAll(/\|\s*([A-Za-z_]\w*)/g)].map((x) => x[1] as string);
}

function actionLiteral(iface: string): string {
  const m = /^'([^']+)'$/.exec(members(interfaceBody(iface)).get('action') ?? '');
  if (!m) throw new Error(`${iface} has no \`action: '…'\` literal`);
  return m[1] as string;
}

const STEP_BASE = [...members(interfaceBody('StepBase')).keys()];
const STEP_INTERFACES = stepUnionMembers();

/**
 * Compares an interface's members with an object schema: same property names, and for members whose type is
 * a string literal union or an inline object type, the same literals / nested property names.
 */
function expectSameShape(
  where: string,
  tsMembers: Map<string, string>,
  schema: JsonSchema,
  extra: string[] = [],
): void {
  const props = Object.keys(schema.properties ?? {});
  expect(props.sort(), `${where}: schema properties vs TypeScript members`).toEqual(
    [...tsMembers.keys(), ...extra].sort(),
  );
  for (const [name, type] of tsMembers) {
    const prop = schema.properties?.[name];
    if (!prop) continue;
    const literals = stringLiterals(type);
    if (literals) {
      const s = resolve(prop);
      expect(s.enum ?? [s.const], `${where}.${name}: literal values`).toEqual(literals);
    }
    const inline = /^\{([^{}]*)\}(\s*\|\s*null)?$/.exec(type.trim());
    if (inline) {
      const nested = objectSchema(prop);
      expect(nested, `${where}.${name}: an object schema`).toBeDefined();
      expectSameShape(`${where}.${name}`, members(inline[1] as string), nested as JsonSchema);
      if (inline[2])
        expect(
          resolve(prop).oneOf?.some((b) => b.type === 'null'),
          `${where}.${name} is nullable`,
        ).toBe(true);
    }
  }
}

describe('schemas/plan.schema.json', () => {
  it('is a draft-07 schema that compiles with ajv in strict mode', () => {
    expect(SCHEMA.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(SCHEMA.$id).toBe('https://lrroll.dev/schemas/plan.schema.json');
    expect(SCHEMA.title).toBeTruthy();
    expect(() => validate()).not.toThrow();
  });

  it('is closed: every object schema has additionalProperties false, every property required and described', () => {
    const problems: string[] = [];
    const walk = (s: unknown, path: string): void => {
      if (Array.isArray(s)) {
        s.forEach((x, i) => walk(x, `${path}/${i}`));
        return;
      }
      if (!s || typeof s !== 'object') return;
      const schema = s as JsonSchema;
      if (schema.properties) {
        const names = Object.keys(schema.properties);
        if (schema.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
        if (JSON.stringify([...(schema.required ?? [])].sort()) !== JSON.stringify([...names].sort()))
          problems.push(`${path}: required ≠ properties`);
        for (const [name, prop] of Object.entries(schema.properties)) {
          if (typeof prop.description !== 'string' || prop.description.trim() === '')
            problems.push(`${path}/properties/${name}: no description`);
        }
      }
      for (const [k, v] of Object.entries(schema)) if (k !== 'const' && k !== 'enum') walk(v, `${path}/${k}`);
    };
    walk(SCHEMA, '#');
    expect(problems).toEqual([]);
  });

  it('has formatVersion const equal to PLAN_FORMAT_VERSION', () => {
    expect(SCHEMA.properties?.['formatVersion']?.const).toBe(PLAN_FORMAT_VERSION);
  });
});

describe('example playbooks produce plans valid against the schema', () => {
  it('finds the example playbooks', () => {
    expect(PLAYBOOKS.length).toBeGreaterThan(0);
  });

  it.each(PLAYBOOKS)('%s', async (playbook) => {
    const plan = await planJson(playbook);
    const errors = errorsOf(plan);
    expect(errors, `${playbook} does not match schemas/plan.schema.json:\n${formatErrors(errors)}`).toEqual([]);
  });
});

describe('schema ↔ src/plan/types.ts drift guard', () => {
  it('reads the Step union and StepBase from types.ts', () => {
    expect(STEP_INTERFACES.length).toBeGreaterThan(0);
    expect(STEP_BASE).toContain('id');
    expect(STEP_BASE).not.toContain('action');
  });

  it('has one variant per Step action in each step union, and no others', () => {
    const unionActions = STEP_INTERFACES.map(actionLiteral);
    expect(new Set(unionActions).size, 'action literals are unique').toBe(unionActions.length);
    // Every `action: '…'` literal of the file belongs to an interface of the Step union.
    const fileActions = [...TYPES_TS.matchAll(/\baction:\s*'([^']+)'/g)].map((m) => m[1] as string);
    expect([...fileActions].sort(), 'action literals in types.ts vs the Step union').toEqual([...unionActions].sort());
    for (const union of ['step', 'nodeStep']) {
      const schemaActions = variants(union).map(actionOf);
      expect(new Set(schemaActions).size, `${union}: one variant per action`).toBe(schemaActions.length);
      expect([...schemaActions].sort(), `${union}: schema variants vs Step actions`).toEqual([...unionActions].sort());
    }
  });

  it(
    'lists every member of each step interface (StepBase included) in the matching variant; node steps ' +
      'add only phase',
    () => {
      const byAction = (union: string): Map<string, JsonSchema> =>
        new Map(variants(union).map((v) => [actionOf(v), v]));
      const step = byAction('step');
      const nodeStep = byAction('nodeStep');
      const base = members(interfaceBody('StepBase'));
      for (const iface of STEP_INTERFACES) {
        const action = actionLiteral(iface);
        const all = new Map([...base, ...members(interfaceBody(iface))]);
        expectSameShape(`step ${action} (${iface})`, all, step.get(action) ?? {});
        expectSameShape(`nodeStep ${action} (${iface})`, all, nodeStep.get(action) ?? {}, ['phase']);
      }
    },
  );

  it('has step phases, run targets and hook points equal to their TypeScript unions', () => {
    expect(def('stepPhase').enum).toEqual(typeAliasLiterals('StepPhase'));
    expect(def('runOn').enum).toEqual(typeAliasLiterals('RunOn'));
    expect(def('hookPoint').enum).toEqual(typeAliasLiterals('HookPoint'));
    expect(def('verdictLevel').enum).toEqual(typeAliasLiterals('VerdictLevel'));
    expect(def('changeVerdict').properties?.['basis']?.enum).toEqual(typeAliasLiterals('VerdictBasis'));
    expect(def('factUse').properties?.['source']?.enum).toEqual(typeAliasLiterals('FactSource'));
    for (const v of variants('nodeStep')) expect(v.properties?.['phase']?.$ref).toBe('#/definitions/stepPhase');
    for (const v of variants('step')) expect(v.properties?.['phase']).toBeUndefined();
  });

  it.each([
    ['Plan', ''],
    ['PlanNode', 'planNode'],
    ['NodePlan', 'nodePlan'],
    ['Batch', 'batch'],
    ['ChangeVerdict', 'changeVerdict'],
    ['Verdict', 'verdict'],
    ['PlanLoadBalancer', 'planLoadBalancer'],
    ['Policy', 'policy'],
    ['PlanSource', 'planSource'],
    ['Estimate', 'estimate'],
    ['FactUse', 'factUse'],
    ['AppliedOverride', 'appliedOverride'],
    ['PlanFacts', 'planFacts'],
    ['PlanNodeFacts', 'planNodeFacts'],
    ['KnownFact', 'knownFact'],
  ])('interface %s matches its schema', (iface, definition) => {
    expectSameShape(iface, members(interfaceBody(iface)), definition === '' ? SCHEMA : def(definition));
  });

  it('the drift guard can fail: a member missing from a variant is reported', () => {
    const upload = variants('step').find((v) => actionOf(v) === 'upload') as JsonSchema;
    const { sha256: _dropped, ...rest } = upload.properties ?? {};
    const all = new Map([...members(interfaceBody('StepBase')), ...members(interfaceBody('UploadStep'))]);
    expect(() => expectSameShape('upload', all, { ...upload, properties: rest })).toThrow();
  });
});

describe('invalid plans are rejected', () => {
  const BASE_PLAYBOOK = PLAYBOOKS.includes('restart.yml') ? 'restart.yml' : (PLAYBOOKS[0] as string);

  async function base(): Promise<JsonObject> {
    return structuredClone(await planJson(BASE_PLAYBOOK));
  }

  function firstNodeStep(plan: JsonObject): JsonObject {
    const batches = plan['batches'] as JsonObject[];
    const nodePlans = batches[0]?.['nodePlans'] as JsonObject[];
    return (nodePlans[0]?.['steps'] as JsonObject[])[0] as JsonObject;
  }

  function firstRunLevelStep(plan: JsonObject): JsonObject {
    const step = (plan['preflight'] as JsonObject[])[0];
    if (!step) throw new Error(`${BASE_PLAYBOOK} has no preflight step`);
    return step;
  }

  it('the unmodified base plan is valid', async () => {
    expect(errorsOf(await base())).toEqual([]);
  });

  it('rejects an extra top-level property', async () => {
    const plan = await base();
    plan['extra'] = true;
    const errors = errorsOf(plan);
    expect(
      errors.some((e) => e.keyword === 'additionalProperties' && e.instancePath === ''),
      formatErrors(errors),
    ).toBe(true);
  });

  it('rejects an extra property in a step', async () => {
    const plan = await base();
    firstNodeStep(plan)['extra'] = 1;
    const errors = errorsOf(plan);
    expect(
      errors.some(
        (e) => e.keyword === 'additionalProperties' && e.instancePath.startsWith('/batches/0/nodePlans/0/steps/0'),
      ),
      formatErrors(errors),
    ).toBe(true);
  });

  it('rejects a step whose action is unknown', async () => {
    const plan = await base();
    firstRunLevelStep(plan)['action'] = 'reboot-the-datacenter';
    const errors = errorsOf(plan);
    expect(
      errors.some((e) => e.instancePath === '/preflight/0' && e.keyword === 'discriminator'),
      formatErrors(errors),
    ).toBe(true);
  });

  it('rejects a node step whose action is unknown', async () => {
    const plan = await base();
    firstNodeStep(plan)['action'] = 'unknown';
    expect(errorsOf(plan)).not.toEqual([]);
  });

  it('rejects a node step without phase, and a run-level step with one', async () => {
    const noPhase = await base();
    delete firstNodeStep(noPhase)['phase'];
    expect(errorsOf(noPhase)).not.toEqual([]);
    const withPhase = await base();
    firstRunLevelStep(withPhase)['phase'] = 'prepare';
    expect(errorsOf(withPhase)).not.toEqual([]);
  });

  it('rejects a missing field, another formatVersion and a malformed hash', async () => {
    const missing = await base();
    delete firstRunLevelStep(missing)['timeoutSec'];
    expect(errorsOf(missing)).not.toEqual([]);
    const version = await base();
    version['formatVersion'] = PLAN_FORMAT_VERSION + 1;
    expect(errorsOf(version)).not.toEqual([]);
    const hash = await base();
    hash['hash'] = 'not-a-hash';
    expect(errorsOf(hash)).not.toEqual([]);
  });
});
