/**
 * `npm run build` precompiles the playbook schema into plain JavaScript (ajv's standalone code) so
 * `lrroll validate` does not compile the schema on each call, and writes V8's code cache for it. The
 * precompiled validators must judge every document exactly as the schema compiled at run time does,
 * and a cache must never be taken for another script than the one it was written for.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { codeCachePath, loadPrecompiledValidators } from '../../../src/playbook/precompiled.js';
import { compileValidators, SCHEMA_DEFINITIONS, type Validators } from '../../../src/playbook/schema-compile.js';
import { playbookSchema } from '../../../src/playbook/schema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = join(ROOT, 'dist/playbook/playbook.validators.js');
const documents = [
  ...readdirSync(join(ROOT, 'playbooks'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(ROOT, 'playbooks', f)),
  ...['valid', 'invalid'].flatMap((d) =>
    readdirSync(join(ROOT, 'test/fixtures/playbooks', d))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => join(ROOT, 'test/fixtures/playbooks', d, f)),
  ),
];

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // a fixture whose YAML is broken on purpose
  }
}

function judge(validators: Validators, name: keyof Validators, data: unknown): unknown {
  const validate = validators[name];
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e) => ({
        path: e.instancePath,
        schemaPath: e.schemaPath,
        keyword: e.keyword,
        params: e.params,
        message: e.message,
      }));
}

function loadedBuilt(): Validators {
  const loaded = loadPrecompiledValidators(BUILT);
  if (!loaded) throw new Error('run `npm run build` first');
  return loaded.validators;
}

describe('the precompiled schema validators (dist/playbook/playbook.validators.js)', () => {
  it('are written by the build, with their code cache', () => {
    expect(existsSync(BUILT), 'run `npm run build` first').toBe(true);
    expect(existsSync(codeCachePath(BUILT))).toBe(true);
  });

  it('a cold lrroll takes the code cache (Node run as the CLI runs)', () => {
    const probe =
      `const { loadPrecompiledValidators } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/playbook/precompiled.js')).href)});` +
      `console.log(loadPrecompiledValidators(${JSON.stringify(BUILT)}).cache);`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('used');
  });

  it('a cache written for another script is not used, and no cache or no script is handled', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lrroll-validators-'));
    try {
      // Where the script's require finds ajv's runtime helpers, as it does in dist/.
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const script = join(dir, 'playbook.validators.js');
      expect(loadPrecompiledValidators(script)).toBeNull();
      // Another script of the same length: V8 checks a cache against the length only, and would run the old code.
      const built = readFileSync(BUILT, 'utf8');
      const other = built.replace('"title":"Playbook"', '"title":"PlaybooK"');
      expect(other).not.toBe(built);
      expect(other.length).toBe(built.length);
      writeFileSync(script, other);
      expect(loadPrecompiledValidators(script)?.cache).toBe('none');
      copyFileSync(codeCachePath(BUILT), codeCachePath(script));
      const loaded = loadPrecompiledValidators(script);
      expect(loaded?.cache).toBe('stale');
      expect(loaded?.validators.playbook({})).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(
    'judge every example and fixture playbook, and their inventories and nodes, as the run-time ' +
      'compiled schema does',
    async () => {
      const built = loadedBuilt();
      const compiled = compileValidators(playbookSchema());
      const parsed = documents.map((f) => [f, readYaml(f)] as const).filter(([, d]) => d !== undefined);
      expect(parsed.length).toBeGreaterThan(40);
      let withErrors = 0;
      for (const [file, data] of parsed) {
        const expected = judge(compiled, 'playbook', data);
        if ((expected as unknown[]).length > 0) withErrors += 1;
        expect(judge(built, 'playbook', data), file).toEqual(expected);
        const inventory = (data as { inventory?: { nodes?: unknown[] } } | null)?.inventory;
        expect(judge(built, 'inventory', inventory), `${file} inventory`).toEqual(
          judge(compiled, 'inventory', inventory),
        );
        for (const node of inventory?.nodes ?? [])
          expect(judge(built, 'node', node), `${file} node`).toEqual(judge(compiled, 'node', node));
      }
      expect(withErrors, 'the invalid fixtures exercise the error paths').toBeGreaterThan(20);
      expect(SCHEMA_DEFINITIONS).toEqual(['inventory', 'node', 'factsFile']);
    },
  );

  it('judge facts files (`lrroll facts` output read by --facts) as the run-time compiled schema does', async () => {
    const built = loadedBuilt();
    const compiled = compileValidators(playbookSchema());
    const good = {
      lrrollFacts: 1,
      gatheredAt: '2026-12-01T10:00:00.000Z',
      playbook: 'p.yml',
      nodes: { n1: { java: '17.0.12', patches: ['dxp-15-7210'], modules: { 'com.acme.foo': 'not-installed' } } },
    };
    const bad = { lrrollFacts: 2, nodes: { n1: { java: 17, modules: { x: 'gone' } } } };
    expect(judge(built, 'factsFile', good)).toEqual([]);
    expect(judge(built, 'factsFile', bad)).toEqual(judge(compiled, 'factsFile', bad));
    expect((judge(built, 'factsFile', bad) as unknown[]).length).toBeGreaterThan(0);
  });
});
