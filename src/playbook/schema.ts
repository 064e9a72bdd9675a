import type { ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadPrecompiledValidators } from './precompiled.js';
import type { SchemaDefinition, Validators } from './schema-compile.js';

/** Absolute path of the playbook JSON Schema shipped with lrroll. */
const PLAYBOOK_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/playbook.schema.json', import.meta.url));

/**
 * The script `npm run build` writes into dist/playbook/: the validators precompiled from the schema. Named from the
 * parent folder so that the bundled CLI (dist/bin/) finds the same file as tsc's output (dist/playbook/).
 */
const PRECOMPILED_VALIDATORS_PATH = fileURLToPath(new URL('../playbook/playbook.validators.js', import.meta.url));

/** A JSON Schema object as read from disk. */
type SchemaObject = Record<string, unknown>;

let schemaCache: SchemaObject | undefined;
let validatorsCache: Validators | undefined;

/** The playbook schema as shipped. */
export function playbookSchema(): SchemaObject {
  schemaCache ??= JSON.parse(readFileSync(PLAYBOOK_SCHEMA_PATH, 'utf8')) as SchemaObject;
  return schemaCache;
}

// Precompiled validators when the build wrote them; otherwise (running from source) ajv compiles the schema once, on
// first use.
const precompiled = loadPrecompiledValidators(PRECOMPILED_VALIDATORS_PATH)?.validators ?? null;
const compiler = precompiled ? null : await import('./schema-compile.js');

function validators(): Validators {
  validatorsCache ??=
    precompiled ?? (compiler as typeof import('./schema-compile.js')).compileValidators(playbookSchema());
  return validatorsCache;
}

/** Validates `data` against the schema (or one of its definitions) and returns ajv's raw errors. */
export function schemaErrors(data: unknown, definition?: SchemaDefinition): ErrorObject[] {
  const validate = validators()[definition ?? 'playbook'];
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
