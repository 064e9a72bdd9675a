import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('playbook types generated from the schema', () => {
  it('src/playbook/playbook.generated.ts is exactly what the schema generates (run `npm run gen:types`)', async () => {
    const { renderPlaybookTypes } = (await import(`${root}scripts/render-types.mjs`)) as {
      renderPlaybookTypes: (p: string) => Promise<string>;
    };
    const fresh = await renderPlaybookTypes(`${root}schemas/playbook.schema.json`);
    const committed = readFileSync(`${root}src/playbook/playbook.generated.ts`, 'utf8');
    expect(committed).toBe(fresh);
  });
});
