/**
 * `npm run build` precompiles the playbook schema into plain JavaScript (ajv's standalone code) so
 * `lrroll validate` does not compile the schema on each call. The precompiled validators must
 * judge every document exactly as the schema compiled at run time does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FORMAT_DEFINITIONS } from '../../../src/playbook/formats.js';
import { compileValidators, SCHEMA_DEFINITIONS, type Validators } from '../../../src/playbook/schema-compile.js';
import { playbookSchema } from '../../../src/playbook/schema.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT = join(ROOT, 'dist/playbook/playbook.validators.cjs');
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
  return (createRequire(import.meta.url)(BUILT) as (formats: unknown) => Validators)(FORMAT_DEFINITIONS);
}

describe('the precompiled schema validators (dist/playbook/playbook.validators.cjs)', () => {
  it('are written by the build', () => {
    expect(existsSync(BUILT), 'run `npm run build` first').toBe(true);
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
