// Writes dist/playbook/playbook.validators.cjs: the playbook schema's validators precompiled as
// plain JavaScript (ajv's standalone code), so `lrroll validate` does not compile the schema on
// every call. Run by `npm run build` after tsc (bundle-cli.mjs then writes their code cache).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { standaloneValidatorsSource } = await import(`${root}dist/playbook/schema-compile.js`);
const schema = JSON.parse(readFileSync(`${root}schemas/playbook.schema.json`, 'utf8'));
writeFileSync(`${root}dist/playbook/playbook.validators.cjs`, standaloneValidatorsSource(schema));
