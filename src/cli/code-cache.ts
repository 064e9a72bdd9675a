// V8's code cache for lrroll's own CommonJS files (the bundled CLI in dist/bin/, the precompiled
// schema validators in dist/playbook/), used by the `lrroll` command (cli/launch.ts). A cold start
// then neither parses ~1 MB of JavaScript nor compiles the functions a command calls. Node 20 has
// no compile cache of its own, and none for ES modules: hence CommonJS files and node:vm.
//
// Each file's cache (`<file>.cache`) is written at build time by running typical commands with
// LRROLL_BUILD_CODE_CACHE=1 (scripts/bundle-cli.mjs), and starts with the hash of the source it was
// made for: V8 checks a cache against the source's length only, and would run a stale cache's code
// for another source of the same length. A Node of another version, or with other V8 flags, refuses
// the cache; the file is then compiled as usual, only slower.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vm from 'node:vm';

/** The package's dist/ folder: only files under it are lrroll's own. */
const DIST = dirname(dirname(fileURLToPath(import.meta.url)));
const HASH_CHARS = 64;

/** What became of one file's cache: taken, refused by V8, made for another source, or absent. */
type CacheUse = 'used' | 'rejected' | 'stale' | 'none';

/** The code cache's file for a script. */
export function codeCachePath(file: string): string {
  return `${file}.cache`;
}

/** Compiles `source` (of `file`, wrapped as CommonJS) with its code cache when the cache was made for this very source. */
export function compileWithCache(file: string, source: string): { script: vm.Script; use: CacheUse } {
  let cached: Buffer | null;
  try {
    cached = readFileSync(codeCachePath(file));
  } catch {
    cached = null;
  }
  const fresh = cached !== null && cached.subarray(0, HASH_CHARS).toString('latin1') === sourceHash(source);
  // The entry chunk keeps the CLI's `#!` line; a function body cannot start with one. Blanked, lines stay as they are.
  const script = new vm.Script(Module.wrap(source.replace(/^#!.*/, '')), {
    filename: file,
    ...(fresh && cached ? { cachedData: cached.subarray(HASH_CHARS) } : {}),
  });
  const use: CacheUse = cached === null ? 'none' : !fresh ? 'stale' : script.cachedDataRejected ? 'rejected' : 'used';
  return { script, use };
}

/** Writes the code cache of a script that has run (its functions compiled so far included). */
export function writeCodeCache(file: string, source: string, script: vm.Script): void {
  writeFileSync(
    codeCachePath(file),
    Buffer.concat([Buffer.from(sourceHash(source), 'latin1'), script.createCachedData()]),
  );
}

function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

type Loader = (module: Module, file: string) => void;
type CommonJsModule = Module & { exports: unknown };

/**
 * Makes `require` of lrroll's own `.cjs` files under dist/ use their code caches. `writing` (the build): at exit,
 * writes the cache of each file that ran without a usable one, with the functions compiled so far.
 */
export function installCodeCache(writing: boolean): void {
  const extensions = (Module as unknown as { _extensions: Record<string, Loader> })._extensions;
  const plain = extensions['.cjs'] ?? (extensions['.js'] as Loader);
  const ran: Array<{ file: string; source: string; script: vm.Script }> = [];
  extensions['.cjs'] = (module, file) => {
    if (!file.startsWith(DIST + sep)) return plain(module, file);
    const source = readFileSync(file, 'utf8');
    const { script, use } = compileWithCache(file, source);
    if (writing && use !== 'used') ran.push({ file, source, script });
    const run = script.runInThisContext() as (...args: unknown[]) => void;
    const m = module as CommonJsModule;
    run.call(m.exports, m.exports, createRequire(file), m, file, dirname(file));
  };
  if (writing)
    process.on('exit', () => {
      for (const r of ran)
        try {
          writeCodeCache(r.file, r.source, r.script);
        } catch {
          // Not the build (an install the user cannot write to): the command's own outcome stands.
        }
    });
}
