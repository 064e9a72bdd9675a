import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { addFormats } from './formats.js';

/** Absolute path of the playbook JSON Schema shipped with lrroll. */
export const PLAYBOOK_SCHEMA_PATH = fileURLToPath(new URL('../../schemas/playbook.schema.json', import.meta.url));

/** A JSON Schema object as read from disk. */
export type SchemaObject = Record<string, unknown>;

let cached: { schema: SchemaObject; validate: ValidateFunction } | undefined;

/** The playbook schema and its compiled validator (compiled once per process). */
export function playbookValidator(): { schema: SchemaObject; validate: ValidateFunction } {
  if (!cached) {
    const schema = JSON.parse(readFileSync(PLAYBOOK_SCHEMA_PATH, 'utf8')) as SchemaObject;
    cached = { schema, validate: newAjv().compile(schema) };
  }
  return cached;
}

/** Validates `data` against the schema (or one of its definitions) and returns ajv's raw errors. */
export function schemaErrors(data: unknown, definition?: string): ErrorObject[] {
  const { validate } = definition ? definitionValidator(definition) : playbookValidator();
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

const definitionCache = new Map<string, { validate: ValidateFunction }>();

function definitionValidator(definition: string): { validate: ValidateFunction } {
  let entry = definitionCache.get(definition);
  if (!entry) {
    const { schema } = playbookValidator();
    const ajv = newAjv();
    ajv.addSchema(schema);
    const ref = `${String(schema.$id)}#/definitions/${definition}`;
    const validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema definition ${definition}`);
    entry = { validate };
    definitionCache.set(definition, entry);
  }
  return entry;
}

/** One ajv set up the way lrroll validates: every error, strict schema, and lrroll's own formats. */
function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true, discriminator: true, verbose: true });
  addFormats(ajv);
  return ajv;
}
