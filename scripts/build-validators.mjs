// Writes dist/playbook/playbook.validators.js: the playbook schema's validators precompiled as
// plain JavaScript (ajv's standalone code), so `lrroll validate` does not compile the schema on
// every call; and next to it playbook.validators.cache, V8's compiled code for them after they
// judged the example playbooks (their inventories and nodes too), so a cold start neither parses
// them nor compiles what it calls. Run by `npm run build` after tsc.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const { standaloneValidatorsSource } = await import(`${root}dist/playbook/schema-compile.js`);
const { writeCodeCache } = await import(`${root}dist/playbook/precompiled.js`);
const schema = JSON.parse(readFileSync(`${root}schemas/playbook.schema.json`, 'utf8'));
const script = `${root}dist/playbook/playbook.validators.js`;
writeFileSync(script, standaloneValidatorsSource(schema));

const examples = readdirSync(`${root}playbooks`)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => parse(readFileSync(`${root}playbooks/${f}`, 'utf8')));
writeCodeCache(script, (validators) => {
  for (const playbook of examples) {
    if (!validators.playbook(playbook)) throw new Error('an example playbook does not validate');
    const inventory = playbook.inventory;
    if (inventory && typeof inventory === 'object') {
      validators.inventory(inventory);
      for (const node of inventory.nodes ?? []) validators.node(node);
    }
  }
});
