import type { ErrorObject } from 'ajv';
import type { Diagnostic, DiagnosticCode, SourceLocation } from '../errors/diagnostics.js';
import { suggestHint } from '../errors/suggest.js';
import type { SchemaDefinition } from './schema-compile.js';
import { playbookSchema, schemaErrors } from './schema.js';
import { pathProblem } from './formats.js';
import { INPUT_LIMITS } from './limits.js';
import type { DocPath, SourceMap } from './source-map.js';
import { checkValues } from './values.js';

/** Validates parsed data against the playbook schema (or one definition) and returns located diagnostics. */
export function validateAgainstSchema(
  data: unknown,
  sourceMap: SourceMap,
  definition?: SchemaDefinition,
): Diagnostic[] {
  const values = checkValues(data, sourceMap);
  const errors = pruneOneOfBranches(schemaErrors(data, definition)).filter((e) => !values.paths.has(e.instancePath));
  const seen = new Set<string>();
  const diagnostics: Diagnostic[] = [...values.diagnostics];
  for (const error of errors) {
    const d = toDiagnostic(error, sourceMap);
    if (!d) continue;
    const key = `${d.code}|${d.source?.line}|${d.source?.col}|${d.summary}`;
    if (seen.has(key)) continue;
    seen.add(key);
    diagnostics.push(d);
  }
  return diagnostics;
}

/** Splits an ajv instancePath (`/rollout/serial/1`) into document path segments. */
function instancePathSegments(instancePath: string): DocPath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** The path as the subject of a sentence: `` `rollout.serial` ``, or "the playbook" for the root. */
function subject(where: string): string {
  return where === 'the playbook' ? where : `\`${where}\``;
}

/** Renders a document path as `rollout.serial[1]`. */
function displayPath(path: DocPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? 'the playbook' : out;
}

/**
 * Keeps only the errors of the oneOf branch whose type fits the data: the other branches' type
 * mismatches are dropped; when no branch fits, only the oneOf error stays (one "must be X or Y").
 */
function pruneOneOfBranches(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'oneOf') continue;
    const branches = (e.schema as SchemaNode[] | undefined) ?? [];
    const fits = branches.some((b) => typeAccepts(resolveRef(b, e), e.data));
    for (const x of errors) if (x !== e && x.instancePath === e.instancePath && x.keyword === 'type') dropped.add(x);
    if (fits) dropped.add(e);
  }
  return errors.filter((e) => !dropped.has(e));
}

interface SchemaNode {
  type?: string | string[];
  $ref?: string;
  pattern?: string;
  oneOf?: SchemaNode[];
}

function resolveRef(node: SchemaNode, error: ErrorObject): SchemaNode {
  if (!node.$ref) return node;
  const root = rootSchema();
  const name = node.$ref.replace('#/definitions/', '');
  const target = (root.definitions as Record<string, SchemaNode> | undefined)?.[name];
  void error;
  return target ? resolveRef(target, error) : node;
}

function rootSchema(): Record<string, unknown> {
  return playbookSchema();
}

function typeAccepts(node: SchemaNode, data: unknown): boolean {
  if (node.oneOf) return node.oneOf.some((b) => typeAccepts(b, data));
  if (node.type === undefined) return true;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  const actual = Array.isArray(data) ? 'array' : data === null ? 'null' : typeof data;
  return types.some(
    (t) => t === actual || (t === 'integer' && Number.isInteger(data)) || (t === 'number' && actual === 'number'),
  );
}

function toDiagnostic(error: ErrorObject, sourceMap: SourceMap): Diagnostic | undefined {
  const path = instancePathSegments(error.instancePath);
  const where = displayPath(path);
  const source = sourceMap.locate(path);
  const make = (code: DiagnosticCode, summary: string, hint?: string, at = source): Diagnostic => {
    const d: Diagnostic = { severity: 'error', code, summary, source: at };
    if (hint) d.hint = hint;
    return d;
  };
  const special = specialKind(error);
  if (special) return specialDiagnostic(special, error, where, make, (key) => sourceMap.locateKey(path, key));
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const allowed = Object.keys((error.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      const inWhat = path.length === 0 ? 'at the top level' : `in \`${where}\``;
      return make(
        'E_UNKNOWN_KEY',
        `unknown key \`${key}\` ${inWhat}`,
        suggestHint(key, allowed),
        sourceMap.locateKey(path, key),
      );
    }
    case 'required': {
      const key = String((error.params as { missingProperty: string }).missingProperty);
      const at = path.length === 0 ? sourceMap.locate([]) : keyLocation(sourceMap, path);
      const of = path.length === 0 ? 'the playbook' : `\`${where}\``;
      return make('E_REQUIRED', `${of} is missing the required key \`${key}\``, requiredHint(key, error), at);
    }
    case 'type':
      return make(
        'E_TYPE',
        `${subject(where)} must be ${typeNoun(String((error.params as { type: string }).type))}, not ` +
          `${describe(error.data)}`,
      );
    case 'enum': {
      const allowed = ((error.params as { allowedValues: unknown[] }).allowedValues ?? []).map(String);
      return make(
        'E_ENUM',
        `\`${where}\` is ${describe(error.data)}, which is not allowed`,
        suggestHint(String(error.data), allowed, 'value'),
      );
    }
    case 'const':
      return make(
        'E_SCHEMA',
        `\`${where}\` must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`,
        constHint(path),
      );
    case 'discriminator':
      return discriminatorDiagnostic(error, where, make, sourceMap, path);
    case 'oneOf':
      return make('E_TYPE', `${subject(where)} must be ${oneOfNoun(error)}, not ${describe(error.data)}`);
    case 'pattern':
      if (String(error.schema) === SECRET_REF_PATTERN) {
        // The value may be the password itself: it is never repeated in the message.
        const d = make(
          'E_SCHEMA',
          `\`${where}\` must be a secret reference such as \`"\${SUDO_PASSWORD}"\`, not the password itself`,
          'put the password in an environment variable and name it here',
        );
        return { ...d, sourceHidden: true }; // nor in the code frame
      }
      return make('E_SCHEMA', `\`${where}\` ${describe(error.data)} ${patternExpectation(String(error.schema))}`);
    case 'propertyNames':
      return undefined; // the nested pattern error names the key
    case 'uniqueItems':
      return make('E_SCHEMA', `\`${where}\` lists the same value twice`, 'remove the duplicate');
    case 'minItems':
      return make('E_SCHEMA', `\`${where}\` must not be empty`);
    case 'minLength':
      return make('E_SCHEMA', `\`${where}\` must not be empty`);
    case 'maximum':
    case 'minimum':
    case 'maxItems':
      return boundDiagnostic(error, where, make);
    case 'format':
      return formatDiagnostic(error, where, make);
    default:
      return make('E_SCHEMA', `\`${where}\` ${error.message ?? 'is invalid'}`);
  }
}

/** A value that does not have lrroll's own format (a duration over the limit, a path that is not one). */
function formatDiagnostic(error: ErrorObject, where: string, make: Make): Diagnostic {
  const format = (error.params as { format: string }).format;
  if (format === 'lrroll-duration')
    return make(
      'E_DURATION',
      `\`${where}\` is ${describe(error.data)}, longer than the ${INPUT_LIMITS.maxDurationSec / 3600}h limit`,
      'durations are at most 24 hours (e.g. `30s`, `5m`, `2h`)',
    );
  const problem = pathProblem(String(error.data), format === 'lrroll-absolute-path') ?? 'is not a path';
  const [what, hint] = problem.split(': ');
  return make('E_PATH', `\`${where}\` ${describe(error.data)} ${what}`, hint ?? 'write one literal path');
}

/** A number or a list outside its stated range; durations say so in their own words. */
function boundDiagnostic(error: ErrorObject, where: string, make: Make): Diagnostic {
  const limit = (error.params as { limit: number }).limit;
  // Durations are the only numbers bounded by the duration limit (a meta test keeps the schema so).
  if (error.keyword === 'maximum' && limit === INPUT_LIMITS.maxDurationSec) {
    return make(
      'E_DURATION',
      `\`${where}\` is ${describe(error.data)} seconds, longer than the ${INPUT_LIMITS.maxDurationSec / 3600}h limit`,
      'durations are at most 24 hours (e.g. `30s`, `5m`, `2h`)',
    );
  }
  if (error.keyword === 'maxItems') return make('E_SCHEMA', `\`${where}\` has more than ${limit} entries`);
  const side = error.keyword === 'maximum' ? `more than the maximum ${limit}` : `less than the minimum ${limit}`;
  return make('E_SCHEMA', `\`${where}\` is ${describe(error.data)}, ${side}`);
}

type SpecialKind = 'duration' | 'percent' | 'serial' | 'propertyName';

const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*)+$';
const PERCENT_PATTERN = '^\\d+(\\.\\d+)?%$';
/** A value that must be a `${NAME}` reference to a secret in the environment (a sudo password). */
const SECRET_REF_PATTERN = '^\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}$';
/** Ansible's serial takes whole percentages only (its `int()` rejects `12.5`). */
const SERIAL_PERCENT_PATTERN = '^\\d+%$';

/** Recognises the shared value kinds (durations, percentages, serial) by their patterns. */
function specialKind(error: ErrorObject): SpecialKind | undefined {
  if (error.keyword === 'pattern' && error.propertyName !== undefined) return 'propertyName';
  const patterns =
    error.keyword === 'pattern'
      ? [String(error.schema)]
      : error.keyword === 'oneOf'
        ? ((error.schema as SchemaNode[]) ?? []).map((b) => resolveRef(b, error).pattern ?? '')
        : [];
  const underSerial = /^\/rollout\/serial(\/|$)/.test(error.instancePath);
  if (patterns.includes(DURATION_PATTERN)) return 'duration';
  if (patterns.includes(PERCENT_PATTERN)) return underSerial ? 'serial' : 'percent';
  if (underSerial && patterns.includes(SERIAL_PERCENT_PATTERN)) return 'serial';
  if (underSerial && (error.keyword === 'oneOf' || error.keyword === 'minimum')) return 'serial';
  if (error.keyword === 'minimum' && /^\/rollout\/(minHealthy|maxFailures)$/.test(error.instancePath)) return 'percent';
  return undefined;
}

type Make = (code: DiagnosticCode, summary: string, hint?: string) => Diagnostic;

function specialDiagnostic(
  kind: SpecialKind,
  error: ErrorObject,
  where: string,
  make: Make,
  locateKey: (key: string) => SourceLocation,
): Diagnostic {
  const got = describe(error.data);
  switch (kind) {
    case 'duration':
      return make(
        'E_DURATION',
        `\`${where}\` is ${got}, which is not a duration`,
        'use a number of seconds or a string like `30s`, `5m`, `1h30m`',
      );
    case 'percent':
      return make(
        'E_PERCENT',
        `\`${where}\` is ${got}, which is neither a node count nor a percentage`,
        'use an integer ≥ 0 or a percentage like `"25%"`',
      );
    case 'serial':
      return serialDiagnostic(error.data, where, got, make);
    case 'propertyName': {
      const name = String(error.propertyName);
      return {
        ...make(
          'E_VAR',
          `\`${name}\` in ${subject(where)} is not a valid variable name`,
          'use letters, digits and `_`, not starting with a digit',
        ),
        source: locateKey(name),
      };
    }
  }
}

/** A bad `serial` value; a decimal percentage gets its own message (Ansible's `int()` rejects it). */
function serialDiagnostic(data: unknown, where: string, got: string, make: Make): Diagnostic {
  const decimal = typeof data === 'string' ? /^(\d+)\.\d+%$/.exec(data) : null;
  if (decimal) {
    const low = Number(decimal[1]);
    return make(
      'E_SERIAL',
      `\`${where}\` is ${got}: a serial percentage must be a whole number, as in Ansible`,
      `use \`"${low}%"\` or \`"${low + 1}%"\``,
    );
  }
  return make(
    'E_SERIAL',
    `\`${where}\` is ${got}, which is not a batch size`,
    'use an integer ≥ 1, `0` or `-1` for all remaining nodes, a whole percentage like `"25%"`, or a ' +
      'list such as `[1, 2, "50%"]`',
  );
}

function discriminatorDiagnostic(
  error: ErrorObject,
  where: string,
  make: Make,
  sourceMap: SourceMap,
  path: DocPath,
): Diagnostic {
  const params = error.params as { error: string; tag: string; tagValue: unknown };
  const variants =
    (error.parentSchema?.oneOf as Array<{ properties?: { type?: { const?: string } } }> | undefined) ?? [];
  const allowed = variants.map((v) => v.properties?.type?.const).filter((v): v is string => typeof v === 'string');
  if (params.error === 'tag' && params.tagValue === undefined) {
    return {
      ...make(
        'E_REQUIRED',
        `\`${where}\` is missing the required key \`${params.tag}\``,
        `allowed types: ${allowed.join(', ')}`,
      ),
      source: keyLocation(sourceMap, path),
    };
  }
  const hint = suggestHint(String(params.tagValue), allowed, 'type');
  return {
    ...make('E_ENUM', `\`${where}.${params.tag}\` is ${describe(params.tagValue)}, which is not a known type`, hint),
    source: sourceMap.locate([...path, params.tag]),
  };
}

function keyLocation(sourceMap: SourceMap, path: DocPath): ReturnType<SourceMap['locate']> {
  const last = path[path.length - 1];
  if (typeof last === 'string') return sourceMap.locateKey(path.slice(0, -1), last);
  return sourceMap.locate(path);
}

function requiredHint(key: string, error: ErrorObject): string | undefined {
  const prop = (error.parentSchema?.properties as Record<string, { description?: string }> | undefined)?.[key];
  return prop?.description ? `\`${key}\`: ${prop.description.split(/(?<=\.)\s/)[0]}` : undefined;
}

function constHint(path: DocPath): string | undefined {
  return path.length === 1 && path[0] === 'lrroll'
    ? 'this release reads playbook format 1: write `lrroll: 1`'
    : undefined;
}

function typeNoun(type: string): string {
  const nouns: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    integer: 'an integer',
    boolean: '`true` or `false`',
    object: 'a mapping (`key: value` lines)',
    array: 'a list',
    'string,number,boolean': 'a string, number or boolean',
  };
  return nouns[type] ?? type;
}

function oneOfNoun(error: ErrorObject): string {
  const branches = (error.schema as Array<{ type?: string | string[] }> | undefined) ?? [];
  const nouns = branches.map((b) => typeNoun(Array.isArray(b.type) ? b.type.join(',') : String(b.type ?? 'a value')));
  return [...new Set(nouns)].join(' or ');
}

function patternExpectation(pattern: string): string {
  const known: Record<string, string> = {
    '^[A-Za-z0-9][A-Za-z0-9_.-]*$': 'is not a valid name: use letters, digits, `_`, `.` and `-`',
    '^\\d+(\\.\\d+){0,2}$': 'is not a version like `2.1.0`',
    '^\\d+(\\.\\d+)*(_\\d+)?$': 'is not a Java version like `17.0.12` or `1.8.0_412`',
    '^([01]\\d|2[0-3]):[0-5]\\d$': 'is not a time like `22:00`',
    '^[a-z]+-\\d+(-\\d+)?$': 'is not a fix pack level like `dxp-10` or `de-28`',
    '^[a-z]+-\\d+$': 'is not a fix pack level like `de-30`',
  };
  return known[pattern] ?? `does not match the expected form (${pattern})`;
}

/** Describes a value for a message: strings quoted, others by kind. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    // eslint-disable-next-line no-control-regex
    const shown = value.replace(
      /[\u0000-\u001f\u007f-\u009f]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    return `\`${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}\``;
  }
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'empty (null)';
  if (typeof value === 'object') return 'a mapping';
  return `\`${String(value)}\``;
}
