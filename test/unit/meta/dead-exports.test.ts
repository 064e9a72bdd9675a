// Every export of src/ has a user; an export nobody imports is dead code or a leak of a file's
// internals, and either one misleads the next reader about what the module offers.
//
// The rule. An export of a src/ module is used when:
//  - another src/ file imports it: `import`, `import type`, `import('…').Name` in a type, `await import('…')`
//    (the names destructured or read from it), or `export … from` (which counts only while the re-export
//    itself is used, so a chain of them is followed to its origin);
//  - bench/ or scripts/ load it from the build (`dist/<module>.js`, however the path is put together);
//  - a test imports it AND its own module uses it too. Tests may reach into a unit through its exports
//    (a parser, a judge, an event type); they may not keep alive code the product never runs: an export
//    only tests use, which its own module does not use either, is test code living in src/.
// A namespace import (`import * as m`) or a dynamic import whose names cannot be read uses every export.
// src/playbook/playbook.generated.ts is not judged: it is generated from the schema, every definition exported.
//
// What to do with a finding: 'unused' → delete it; 'file-local' → drop `export`; 'test-only' → delete it
// (with its tests) or move it to test/, and for a re-export, import from the origin instead.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findDeadExports } from '../../helpers/dead-exports.js';

const ROOT = join(import.meta.dirname, '../../..');
const CODE = /\.(?:ts|mts|mjs|js)$/;
const GENERATED = 'src/playbook/playbook.generated.ts';

function codeFiles(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) codeFiles(path, out);
    else if (CODE.test(entry.name)) out.set(relative(ROOT, path), readFileSync(path, 'utf8'));
  }
  return out;
}

describe('dead exports', () => {
  it('every export of src/ is used (see the rule above)', () => {
    const files = new Map(['src', 'test', 'bench', 'scripts'].flatMap((d) => [...codeFiles(join(ROOT, d))]));
    expect(files.size).toBeGreaterThan(400);
    const dead = findDeadExports(files, {
      skip: (f) => f === GENERATED,
    });
    expect(dead.map((d) => `${d.file}:${d.line} ${d.name} (${d.verdict})`)).toEqual([]);
  });

  const fixture = (extra: Record<string, string>): Map<string, string> =>
    new Map(
      Object.entries({
        'src/a.ts': 'export function used(): number { return helper(); }\nfunction helper(): number { return 1; }\n',
        'src/b.ts': "import { used } from './a.js';\nexport const value = used();\n",
        'bench/x.mjs': "const { value } = await import(join(ROOT, 'dist', 'b.js'));\n",
        ...extra,
      }),
    );

  it('passes a set of modules whose every export has a user', () => {
    expect(findDeadExports(fixture({}))).toEqual([]);
  });

  it('finds a planted export nobody imports, one only its file uses, and one only a test uses', () => {
    const planted = fixture({
      'src/c.ts':
        'export const orphan = 1;\nexport type Shape = { n: number };\nexport function make(): Shape ' +
        '{ return { n: 1 }; }\n',
      'src/d.ts': "export { make } from './c.js';\n",
      'test/c.test.ts': "import { make } from '../src/d.js';\n",
    });
    expect(findDeadExports(planted)).toEqual([
      { file: 'src/c.ts', line: 1, name: 'orphan', verdict: 'unused' },
      { file: 'src/c.ts', line: 2, name: 'Shape', verdict: 'file-local' },
      { file: 'src/c.ts', line: 3, name: 'make', verdict: 'test-only' },
      { file: 'src/d.ts', line: 1, name: 'make', verdict: 'test-only' },
    ]);
  });

  it('counts a test as a user of an export its own module uses', () => {
    const files = fixture({
      'src/a.ts':
        'export function used(): number { return helper(); }\nexport function helper(): number { return 1; }\n',
    });
    expect(findDeadExports(files)).toEqual([{ file: 'src/a.ts', line: 2, name: 'helper', verdict: 'file-local' }]);
    files.set('test/a.test.ts', "import { helper } from '../src/a.js';\n");
    expect(findDeadExports(files)).toEqual([]);
  });

  it('follows dynamic imports, type imports and namespace imports', () => {
    const files = fixture({
      'src/c.ts': 'export const one = 1;\nexport const two = 2;\nexport type T = number;\nexport const three = 3;\n',
      'src/d.ts':
        "export const x = (await import('./c.js')).one;\nconst { two } = await import('./c.js');\n" +
        "export type U = import('./c.js').T;\nexport const y = two;\n",
      'src/e.ts': "import * as c from './c.js';\nimport type { U } from './d.js';\nexport const z: U = c.three;\n",
      'scripts/s.mjs': "const { x, y } = await import(`${root}dist/d.js`);\nconst { z } = await load('e.js');\n",
    });
    expect(findDeadExports(files)).toEqual([]);
  });
});
