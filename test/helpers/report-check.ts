import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';

// Checks every report a test writes: JSON against schemas/report.schema.json (ajv, as the events
// stream is checked), JUnit XML against the Jenkins JUnit XSD with xmllint (libxml2-utils).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The JUnit XSD committed under test/fixtures (its source is noted at its top). */
export const JUNIT_XSD = join(ROOT, 'test/fixtures/junit/jenkins-junit.xsd');

let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

function validator(definition: string | null): ValidateFunction {
  const key = definition ?? '';
  let v = validators.get(key);
  if (!v) {
    const schema = JSON.parse(readFileSync(join(ROOT, 'schemas/report.schema.json'), 'utf8')) as { $id: string };
    if (!ajv) {
      ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
      ajv.addSchema(schema);
    }
    v = ajv.getSchema(definition ? `${schema.$id}#/definitions/${definition}` : schema.$id);
    if (!v) throw new Error(`no report schema ${key}`);
    validators.set(key, v);
  }
  return v;
}

/** Problems of a JSON report (or of one of its definitions, e.g. `summary`) against the schema; [] when valid. */
export function reportSchemaErrors(value: unknown, definition: string | null = null): string[] {
  const v = validator(definition);
  return v(value)
    ? []
    : (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
}

/** xmllint's verdict on a JUnit document: exit code and messages. */
export function validateJunit(xml: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
    if (r.error)
      throw new Error(`xmllint is needed to validate JUnit output (Debian: libxml2-utils): ${r.error.message}`);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
