import type { Ajv, ValidateFunction } from 'ajv';
import { createRequire } from 'node:module';
import { addFormats } from './formats.js';

// ajv is loaded only when a schema is compiled: the built CLI never does (it has the precompiled validators), tests
// and the build do. A static import would put ajv's 240 KB in every cold start.
const require = createRequire(import.meta.url);
type AjvModule = typeof import('ajv');
const ajvModule = (): AjvModule => require('ajv') as AjvModule;
// ajv's standalone module is CommonJS: its function is the export's `default`.
const standaloneCode = (...args: Parameters<(typeof import('ajv/dist/standalone/index.js'))['default']>): string =>
  (require('ajv/dist/standalone/index.js') as typeof import('ajv/dist/standalone/index.js')).default(...args);

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
 * The same validators as one CommonJS module of plain JavaScript (ajv's standalone code), written at build time so
 * that `lrroll validate` does not compile the schema on every call. It exports a function that takes lrroll's formats
 * and returns one validator per name; ajv's code `require`s two small runtime helpers (deep equality, string length).
 * schema.ts loads it; the built CLI loads it with V8's code cache (cli/code-cache.ts).
 */
export function standaloneValidatorsSource(schema: Record<string, unknown>): string {
  const ajv = newAjv(true);
  ajv.addSchema(schema);
  return (
    `'use strict';\nmodule.exports = function (FORMAT_DEFINITIONS) {\nconst exports = {};\n` +
    `${standaloneCode(ajv, validatorRefs(schema))}\nreturn exports;\n};\n`
  );
}

/** One ajv set up the way lrroll validates: every error, strict schema, and lrroll's own formats. */
function newAjv(standalone: boolean): Ajv {
  const { _, Ajv } = ajvModule();
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
