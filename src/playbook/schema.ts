import type { ErrorObject } from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FORMAT_DEFINITIONS } from './formats.js';
import { compileValidators, type SchemaDefinition, type Validators } from './schema-compile.js';

/** Absolute path of the playbook JSON Schema shipped with lrroll. */
const PLAYBOOK_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/playbook.schema.json', import.meta.url));

/**
 * The CommonJS module `npm run build` writes into dist/playbook/: the validators precompiled from the schema
 * (schema-compile.ts), loaded with `require` so that the built CLI's launcher gives it V8's code cache
 * (cli/launch.ts). Named from the parent folder so that the bundled CLI (dist/bin/) finds the same file as tsc's
 * output (dist/playbook/).
 */
const PRECOMPILED_VALIDATORS_PATH = fileURLToPath(new URL('../playbook/playbook.validators.cjs', import.meta.url));

/** A JSON Schema object as read from disk. */
type SchemaObject = Record<string, unknown>;

let schemaCache: SchemaObject | undefined;
let validatorsCache: Validators | undefined;

/** The playbook schema as shipped. */
export function playbookSchema(): SchemaObject {
  schemaCache ??= JSON.parse(readFileSync(PLAYBOOK_SCHEMA_PATH, 'utf8')) as SchemaObject;
  return schemaCache;
}

function validators(): Validators {
  validatorsCache ??= precompiledValidators() ?? compileValidators(playbookSchema());
  return validatorsCache;
}

/** The precompiled validators, or null without a build (running from source: ajv compiles the schema once). */
function precompiledValidators(): Validators | null {
  if (!existsSync(PRECOMPILED_VALIDATORS_PATH)) return null;
  const make = createRequire(import.meta.url)(PRECOMPILED_VALIDATORS_PATH) as (formats: unknown) => Validators;
  return make(FORMAT_DEFINITIONS);
}

/** Validates `data` against the schema (or one of its definitions) and returns ajv's raw errors. */
export function schemaErrors(data: unknown, definition?: SchemaDefinition): ErrorObject[] {
  const validate = validators()[definition ?? 'playbook'];
  return validate(data) ? [] : [...(validate.errors ?? [])];
}
