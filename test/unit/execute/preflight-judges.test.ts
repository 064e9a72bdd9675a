import { describe, expect, it } from 'vitest';
import { judgeJava, judgePatchLevel, judgeSchema } from '../../../src/execute/preflight.js';
import type { CheckJavaVersionStep, CheckPatchLevelStep, CheckSchemaVersionStep } from '../../../src/plan/types.js';

// Preflight confirms the facts a verdict rests on, node by node, and reads those not known yet.

const base = {
  id: 'p',
  title: 't',
  node: 'n1',
  runOn: 'node' as const,
  command: 'x',
  api: null,
  become: false,
  secretEnv: [],
  timeoutSec: 1,
  expectSec: 1,
  waitsFor: null,
  pointOfNoReturn: false,
};
const schema = (expected: CheckSchemaVersionStep['expected']): CheckSchemaVersionStep => ({
  ...base,
  action: 'check-schema-version',
  bundle: 'com.acme.foo',
  newVersion: '2.2.0',
  expected,
});
const level = (expected: string | null, target: string, breakingLevels: string[] = []): CheckPatchLevelStep => ({
  ...base,
  action: 'check-patch-level',
  expected,
  target,
  breakingLevels,
});
const java = (expected: string): CheckJavaVersionStep => ({ ...base, action: 'check-java-version', expected });

describe('check-schema-version', () => {
  it.each([
    ['installed\t2.1.3\t2.2.0', null, 'ok', 'installed schema 2.2.0, new 2.2.0 (same)'],
    ['installed\t2.1.3\t2.2.3', null, 'ok', 'micro downgrade'],
    [
      'installed\t2.1.3\t2.1.0',
      null,
      'failed',
      'installed schema 2.1.0 → 2.2.0 is a minor change, which cannot be rolled',
    ],
    [
      'installed\t2.1.3\t3.0.0',
      null,
      'failed',
      'is a major downgrade, which cannot be rolled (the database keeps the newer schema)',
    ],
    ['', null, 'ok', 'not installed'],
    ['installed\t1.0.0\t', null, 'ok', 'installed without a schema version'],
  ])('%j (no facts) → %s', (out, expected, status, detail) => {
    const r = judgeSchema(schema(expected), out);
    expect(r.status).toBe(status);
    expect(r.detail).toContain(detail);
  });

  it('facts say not installed, the node has it: refused, naming both', () => {
    const r = judgeSchema(schema({ installed: false, schemaVersion: null }), 'installed\t2.1.3\t2.2.0');
    expect(r).toMatchObject({ status: 'failed' });
    expect(r.detail).toBe(
      'com.acme.foo: the facts the verdict rests on say not installed, the node has schema 2.2.0: ' +
        'gather them again (`lrroll facts`) or correct the declaration',
    );
  });

  it('facts say schema 2.2.0, the node has 2.1.9: refused although the move alone would pass as micro', () => {
    expect(judgeSchema(schema({ installed: true, schemaVersion: '2.2.0' }), 'installed\t2.1.3\t2.2.1')).toMatchObject({
      status: 'failed',
    });
  });

  it('facts say installed, no jar found (inside an .lpkg, or only in Release_): no contradiction', () => {
    const r = judgeSchema(schema({ installed: true, schemaVersion: '2.2.0' }), '');
    expect(r.status).toBe('ok');
    expect(r.detail).toContain('the facts say schema 2.2.0');
  });
});

describe('check-patch-level', () => {
  it('the level the facts say, and no breaking level on the way', () => {
    expect(judgePatchLevel(level('dxp-14', 'dxp-15', ['dxp-12']), 'dxp-14-7210, hotfix-9-7210')).toMatchObject({
      status: 'ok',
      detail: 'installed dxp-14',
    });
  });

  it('another level than expected → refused', () => {
    expect(judgePatchLevel(level('dxp-14', 'dxp-15'), 'dxp-13-7210').detail).toBe(
      'installed fix pack level is dxp-13, the plan expected dxp-14',
    );
  });

  it("expected none (`''`) and none installed → ok; one installed → refused", () => {
    expect(judgePatchLevel(level('', 'dxp-15'), '').status).toBe('ok');
    expect(judgePatchLevel(level('', 'dxp-15'), 'dxp-2-7210').status).toBe('failed');
  });

  it('a removal: down from the installed level across a breaking level → refused, as upwards', () => {
    expect(judgePatchLevel(level('dxp-15', 'dxp-10', ['dxp-12']), 'dxp-15-7210').detail).toBe(
      'moving dxp-15 → dxp-10 crosses the breaking level dxp-12: a full cluster restart is needed',
    );
  });

  it(
    'read only (no expectation), nothing installed: moving up from no fix pack crosses the breaking ' +
      'levels below the target',
    () => {
      expect(judgePatchLevel(level(null, 'dxp-15', ['dxp-3']), '').detail).toBe(
        'moving from no fix pack → dxp-15 crosses the breaking level dxp-3: a full cluster restart is needed',
      );
    },
  );
});

describe('check-java-version', () => {
  const out = (now: string, then: string): string =>
    `openjdk version "${now}" 2024-07-16\nOpenJDK Runtime Environment\n== new\nopenjdk version "${then}" 2024-10-15\n`;

  it('same major as expected → ok, naming both', () => {
    expect(judgeJava(java('17.0.12'), out('17.0.12', '17.0.13'))).toMatchObject({
      status: 'ok',
      detail: 'starts with 17.0.12, new 17.0.13',
    });
  });

  it('a node-facts value in `java -version` form is compared by its version', () => {
    expect(judgeJava(java('openjdk version "17.0.12" 2024-07-16'), out('17.0.10', '17.0.13')).status).toBe('ok');
  });

  it('another major than expected → refused', () => {
    expect(judgeJava(java('17.0.12'), out('11.0.25', '17.0.13')).detail).toBe(
      'the app server starts with Java 11.0.25, the plan expected Java 17.0.12',
    );
  });

  it('the new JDK does not run → refused', () => {
    expect(
      judgeJava(java('17.0.12'), 'openjdk version "17.0.12"\n== new\nsh: /opt/jdk/bin/java: not found\n').status,
    ).toBe('failed');
  });
});
