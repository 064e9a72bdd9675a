// The code is formatted by Prettier (`.prettierrc.json`, width 120): `npm run format` rewrites it,
// and this test fails on any source, test, bench or script file that `npm run format` would change.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const FOLDERS = ['src', 'test', 'bench', 'scripts'];
const EXTENSIONS = /\.(?:ts|mts|mjs)$/;

function codeFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) codeFiles(path, out);
    else if (EXTENSIONS.test(entry.name)) out.push(path);
  }
  return out;
}

async function unformatted(file: string): Promise<boolean> {
  const ignorePath = join(ROOT, '.prettierignore');
  const info = await prettier.getFileInfo(file, { ignorePath });
  if (info.ignored) return false;
  const options = await prettier.resolveConfig(file);
  return !(await prettier.check(readFileSync(file, 'utf8'), { ...options, filepath: file }));
}

describe('formatting', () => {
  it('every code file is as `npm run format` leaves it', { timeout: 120_000 }, async () => {
    const files = [...FOLDERS.flatMap((f) => codeFiles(join(ROOT, f))), join(ROOT, 'vitest.config.mjs')];
    expect(files.length).toBeGreaterThan(300);
    const bad: string[] = [];
    for (const file of files) if (await unformatted(file)) bad.push(relative(ROOT, file));
    expect(bad, 'run `npm run format`').toEqual([]);
  });

  it('the check tells a badly formatted file from a formatted one', async () => {
    const options = { ...(await prettier.resolveConfig(join(ROOT, 'src/x.ts'))), filepath: join(ROOT, 'src/x.ts') };
    expect(await prettier.check('const a = {b:1}\n', options)).toBe(false);
    expect(await prettier.check('const a = { b: 1 };\n', options)).toBe(true);
    expect(options.printWidth).toBe(120);
  });
});
