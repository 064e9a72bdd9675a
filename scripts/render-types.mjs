// Renders the TypeScript types for the playbook schema (shared by gen-types and its drift test).
import { compileFromFile } from 'json-schema-to-typescript';

const BANNER = `/* eslint-disable */
// DO NOT EDIT: generated from schemas/playbook.schema.json by \`npm run gen:types\`.
// A test regenerates it and fails on any difference.
`;

/** Returns the generated TypeScript source for the schema at `schemaPath`. */
export async function renderPlaybookTypes(schemaPath) {
  const ts = await compileFromFile(schemaPath, {
    bannerComment: BANNER,
    additionalProperties: false,
    style: { singleQuote: true, printWidth: 100 },
    unreachableDefinitions: false,
  });
  return ts;
}
