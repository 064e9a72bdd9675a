import { _, Ajv, type ValidateFunction } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import { addFormats } from './formats.js';

// ajv's standalone module is CommonJS: its function is the default export's `default`.
const standaloneCode = standalone.default;

/**
 * The schema definitions validated on their own (an inventory file, one inventory node, a facts file), besides the
 * whole playbook.
 */
export const SCHEMA_DEFINITIONS = ['inventory', 'node', 'factsFile'] as const;
export type SchemaDefinition = (typeof SCHEMA_DEFINITIONS)[number];

/** The playbook validator and one per definition. */
export type Validators = Record<'playbook' | SchemaDefinition, ValidateFunction>;

/** Compiles the validators at run time (a source checkout, or tests): the build precompiles the same ones. */
export function compileValidators(schema: Record<string, unknown>): Validators {
  const ajv = newAjv(false);
  ajv.addSchema(schema);
  return Object.fromEntries(
    Object.entries(validatorRefs(schema)).map(([name, ref]) => [name, ajv.getSchema(ref) as ValidateFunction]),
  ) as Validators;
}

/** Each validator's schema reference: the playbook itself, and each definition validated on its own. */
function validatorRefs(schema: Record<string, unknown>): Record<keyof Validators, string> {
  const id = String(schema.$id);
  return Object.fromEntries([
    ['playbook', id],
    ...SCHEMA_DEFINITIONS.map((d) => [d, `${id}#/definitions/${d}`]),
  ]) as Record<keyof Validators, string>;
}

/**
 * The same validators as one script of plain JavaScript (ajv's standalone code), written at build time so that
 * `lrroll validate` does not compile the schema on every call: a function expression taking `exports` (it sets one
 * validator per name), `require` (ajv's code calls it for two small runtime helpers, deep equality and string length)
 * and lrroll's formats. precompiled.ts loads it, with the V8 code cache the build writes next to it.
 */
export function standaloneValidatorsSource(schema: Record<string, unknown>): string {
  const ajv = newAjv(true);
  ajv.addSchema(schema);
  return `(function (exports, require, FORMAT_DEFINITIONS) {${standaloneCode(ajv, validatorRefs(schema))}\n})\n`;
}

/** One ajv set up the way lrroll validates: every error, strict schema, and lrroll's own formats. */
function newAjv(standalone: boolean): Ajv {
  const code = standalone ? { source: true, formats: _`FORMAT_DEFINITIONS` } : {};
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    discriminator: true,
    verbose: true,
    // Each definition's validator is called where it is referenced instead of copied there: the precompiled module
    // is 450 KB instead of 650 KB (less for a cold start to read).
    inlineRefs: false,
    code,
  });
  addFormats(ajv);
  return ajv;
}
