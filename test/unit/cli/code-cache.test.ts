/**
 * The built `lrroll` runs its CommonJS files with V8's code cache written by the build
 * (src/cli/code-cache.ts). A cache is used only for the very source it was made for, and a file
 * whose cache is absent, stale or refused by V8 still runs.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { codeCachePath, compileWithCache, writeCodeCache } from '../../../src/cli/code-cache.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('code cache of the CommonJS files', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  /** Runs `code` in a fresh node (V8 keeps what it compiled in-process, whatever cache is passed) and returns stdout. */
  const inFreshNode = (code: string): string => {
    const probe =
      `import { readFileSync } from 'node:fs';` +
      `const { compileWithCache, writeCodeCache, codeCachePath } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/cli/code-cache.js')).href)});` +
      code;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return r.stdout;
  };

  it('is used only for the source it was made for; absent, stale or refused, the file still runs', () => {
    dir = mkdtempSync(join(tmpdir(), 'lrroll-code-cache-'));
    const file = join(dir, 'a.cjs');
    const source = (letter: string): string => `'use strict';\nmodule.exports = function () { return '${letter}'; };\n`;
    const run = (letter: string): string =>
      `{ const s = ${JSON.stringify(source(letter))}; const c = compileWithCache(${JSON.stringify(file)}, s);` +
      ` const m = { exports: {} }; c.script.runInThisContext()(m.exports, null, m, '', '');` +
      ` console.log(c.use, m.exports()); if (process.argv.includes('write')) writeCodeCache(${JSON.stringify(file)}, s, c.script); }`;
    expect(inFreshNode(`${run('A')}; process.argv.push('write'); ${run('A')}`)).toBe('none A\nnone A\n');
    expect(existsSync(codeCachePath(file))).toBe(true);
    expect(inFreshNode(run('A'))).toBe('used A\n');
    // Another source of the same length: V8 alone would take the cache made for `A` and run A's code.
    expect(source('B').length).toBe(source('A').length);
    expect(inFreshNode(run('B'))).toBe('stale B\n');
    // The right hash but data V8 cannot take (a cache from another Node version looks like this to it).
    const header = readFileSync(codeCachePath(file)).subarray(0, 64);
    writeFileSync(codeCachePath(file), Buffer.concat([header, Buffer.from('not a V8 code cache')]));
    expect(inFreshNode(run('A'))).toBe('rejected A\n');
    rmSync(codeCachePath(file));
    expect(compileWithCache(file, source('C')).use).toBe('none');
  });

  it('outside the build, a cache lrroll cannot write leaves the command as it was (no crash report)', () => {
    dir = mkdtempSync(join(tmpdir(), 'lrroll-code-cache-'));
    // A copy of the built package; cli.cjs's cache path is a folder, which nobody (root included) can write as a file.
    for (const part of ['dist', 'schemas', 'data', 'playbooks', 'package.json'])
      cpSync(join(ROOT, part), join(dir, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    rmSync(join(dir, 'dist/bin/cli.cjs.cache'));
    mkdirSync(join(dir, 'dist/bin/cli.cjs.cache'));
    const r = spawnSync(process.execPath, [join(dir, 'dist/bin/lrroll.js'), 'validate', 'playbooks/fixpack.yml'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, LRROLL_BUILD_CODE_CACHE: '1', LRROLL_HOME: join(dir, 'home') },
    });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/is valid/);
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, 'home'))).toBe(false);
  });

  it('the build wrote caches that a plain node takes for what `lrroll validate` loads', () => {
    const files = [join(ROOT, 'dist/bin/cli.cjs'), join(ROOT, 'dist/playbook/playbook.validators.cjs')];
    for (const f of files) expect(existsSync(codeCachePath(f)), `${f}: run \`npm run build\` first`).toBe(true);
    expect(
      inFreshNode(
        `for (const f of ${JSON.stringify(files)}) console.log(compileWithCache(f, readFileSync(f, 'utf8')).use);`,
      ),
    ).toBe('used\nused\n');
  });
});
