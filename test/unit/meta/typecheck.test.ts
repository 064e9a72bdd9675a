// The tests are type-checked like the source: tsconfig.test.json (`npm run typecheck:tests`) checks src/ and test/
// with the project's strict settings. Vitest only strips types, so without this a test could build a fixture the
// types no longer allow (a field the plan now requires, an old event format) and keep passing on data the product
// never sees.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

/** Runs tsc on a project; its exit code and every line it printed. */
function tsc(project: string, ...args: string[]): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [TSC, '-p', project, '--pretty', 'false', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 150_000,
  });
  if (r.error) throw r.error;
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.split('\n').filter(Boolean) };
}

describe('type check of the tests', () => {
  it('src/ and test/ type-check under tsconfig.test.json (run `npm run typecheck:tests`)', { timeout: 180_000 }, () => {
    const r = tsc('tsconfig.test.json', '--listFiles');
    // --listFiles prints every file of the program as an absolute path; what else tsc prints is its errors.
    const listed = new Set(r.lines.filter((l) => isAbsolute(l)).map((l) => relative(ROOT, l)));
    const errors = r.lines.filter((l) => !isAbsolute(l));
    expect(r.status, errors.join('\n')).toBe(0);
    // The check covers the tests: unit and end-to-end files, their helpers, and this very file.
    for (const file of ['test/unit/meta/typecheck.test.ts', 'test/e2e/helpers/faults.ts', 'src/cli/main.ts'])
      expect(listed, file).toContain(file);
  });

  it('the check fails on a type error', { timeout: 180_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrroll-typecheck-'));
    try {
      writeFileSync(join(dir, 'bad.ts'), "export const n: number = 'not a number';\n");
      writeFileSync(
        join(dir, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [] }, files: ['bad.ts'] }),
      );
      const r = tsc(join(dir, 'tsconfig.json'));
      expect(r.status).not.toBe(0);
      expect(r.lines.join('\n')).toMatch(/bad\.ts\(1,14\): error TS2322: Type 'string' is not assignable/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
