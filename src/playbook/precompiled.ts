// The playbook schema's validators as `npm run build` precompiled them (ajv's standalone code, see
// schema-compile.ts), and the V8 code cache the build wrote next to them. The cache holds the
// compiled code of the functions a validation of the example playbooks ran, so a cold `lrroll
// validate` neither parses the 450 KB of validators nor compiles the ones it calls (about 20 ms of
// CPU, measured). Node 20 has no compile cache for ES modules, so the validators are a script run
// with node:vm, not a module.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as vm from 'node:vm';
import { FORMAT_DEFINITIONS } from './formats.js';
import type { Validators } from './schema-compile.js';

/** The code cache's file, next to the validators' script. */
export function codeCachePath(scriptPath: string): string {
  return scriptPath.replace(/\.js$/, '.cache');
}

/** What loading the validators found. */
interface LoadedValidators {
  validators: Validators;
  script: vm.Script;
  /**
   * `used`: V8 took the code cache; `rejected`: V8 refused it (another Node version or other V8 flags: correct, only
   * slower); `stale`: it was written for another script; `none`: there is no cache file.
   */
  cache: 'used' | 'rejected' | 'stale' | 'none';
}

/**
 * Loads the precompiled validators from `scriptPath` (a function expression taking `exports`, `require` and lrroll's
 * formats), with the code cache when it was written for this very script; null when the build wrote no validators
 * (running from source).
 */
export function loadPrecompiledValidators(
  scriptPath: string,
  options: { useCache?: boolean } = {},
): LoadedValidators | null {
  let source: string;
  try {
    source = readFileSync(scriptPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let cached: Buffer | null = null;
  if (options.useCache !== false) {
    try {
      cached = readFileSync(codeCachePath(scriptPath));
    } catch {
      cached = null;
    }
  }
  // V8 checks a cache against the source's length, not its text: the cache starts with the script's own hash, so a
  // cache left from another build is never taken for this one.
  const fresh = cached !== null && cached.subarray(0, HASH_BYTES).toString('latin1') === sourceHash(source);
  const script = new vm.Script(source, {
    filename: scriptPath,
    ...(fresh && cached ? { cachedData: cached.subarray(HASH_BYTES) } : {}),
  });
  const exports = {} as Validators;
  (script.runInThisContext() as (e: Validators, r: NodeJS.Require, f: typeof FORMAT_DEFINITIONS) => void)(
    exports,
    createRequire(scriptPath),
    FORMAT_DEFINITIONS,
  );
  const cache = cached === null ? 'none' : !fresh ? 'stale' : script.cachedDataRejected ? 'rejected' : 'used';
  return { validators: exports, script, cache };
}

/**
 * Writes the code cache for the validators at `scriptPath` (build time): loads them without a cache, lets `warm` run
 * them over typical documents so the functions it calls are compiled, then saves V8's code for all of it.
 */
export function writeCodeCache(scriptPath: string, warm: (validators: Validators) => void): void {
  const loaded = loadPrecompiledValidators(scriptPath, { useCache: false });
  if (!loaded) throw new Error(`no precompiled validators at ${scriptPath}`);
  warm(loaded.validators);
  const source = readFileSync(scriptPath, 'utf8');
  writeFileSync(
    codeCachePath(scriptPath),
    Buffer.concat([Buffer.from(sourceHash(source), 'latin1'), loaded.script.createCachedData()]),
  );
}

const HASH_BYTES = 64;

function sourceHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}
