// Regenerates src/playbook/playbook.generated.ts from schemas/playbook.schema.json.
// Usage: node scripts/gen-types.mjs [--check]   (--check exits 1 when the file is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderPlaybookTypes } from './render-types.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}src/playbook/playbook.generated.ts`;
const text = await renderPlaybookTypes(`${root}schemas/playbook.schema.json`);
if (process.argv.includes('--check')) {
  const current = readFileSync(out, 'utf8');
  if (current !== text) {
    console.error('src/playbook/playbook.generated.ts is stale: run `npm run gen:types`');
    process.exit(1);
  }
} else {
  writeFileSync(out, text);
}
