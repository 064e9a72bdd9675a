import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_LIMITS, Budget, LimitError } from '../../../src/artifacts/budget.js';
import { inspectArtifact } from '../../../src/artifacts/inspect.js';
import { judgeChanges } from '../../../src/plan/eligibility.js';
import { makeZip, zipBuffer, zipWithRawNames } from '../../helpers/make-zip.js';

const DOC = JSON.stringify({ patch: { name: 'dxp-15-7210', product: '7210', requirements: 'dxp=14' } });
const CLASS = Buffer.from([0xca, 0xfe, 0xba, 0xbe]);
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function patchAt(name: string, entries: Record<string, string | Buffer>): Promise<string> {
  const file = join(dir, name);
  await makeZip(file, entries);
  return file;
}

function verdictOf(facts: Awaited<ReturnType<typeof inspectArtifact>>): { eligible: boolean; reasons: string[] } {
  const [v] = judgeChanges({
    changes: [{ type: 'fixpack', artifact: 'p.zip', revertible: true }],
    artifacts: new Map([['p.zip', facts]]),
    breakingLevels: [],
  });
  return { eligible: v ? v.level !== 'full-restart' : true, reasons: v?.reasons ?? [] };
}

describe('eligibility cannot be bypassed by hiding things in nested archives', () => {
  it('upgrade SQL in a zip inside the patch zip is found and refused', async () => {
    const file = await patchAt('zip-in-zip.zip', {
      'fixpack_documentation.json': DOC,
      'extras/more.zip': await zipBuffer({ 'sql/update-7.4.sql': 'ALTER TABLE x DROP COLUMN y;' }),
    });
    const facts = await inspectArtifact('p.zip', file, 'patch');
    expect(facts.patch?.sqlOrUpgradeFiles).toEqual(['extras/more.zip!sql/update-7.4.sql']);
    expect(verdictOf(facts).eligible).toBe(false);
  });

  it('an upgrade process in a jar inside a jar is found and refused', async () => {
    const inner = await zipBuffer({ 'com/acme/internal/upgrade/v2_0_0/UpgradeSchema.class': CLASS });
    const file = await patchAt('jar-in-jar.zip', {
      'fixpack_documentation.json': DOC,
      'binary/osgi/modules/a.jar': await zipBuffer({ 'lib/b.jar': await zipBuffer({ 'lib/c.jar': inner }) }),
    });
    const facts = await inspectArtifact('p.zip', file, 'patch');
    expect(facts.patch?.sqlOrUpgradeFiles).toEqual([
      'binary/osgi/modules/a.jar!lib/b.jar!lib/c.jar!com/acme/internal/upgrade/v2_0_0/UpgradeSchema.class',
    ]);
    expect(verdictOf(facts).eligible).toBe(false);
  });

  it('archives nested deeper than the limit are unreadable, so the verdict is the safe one', async () => {
    let nested = await zipBuffer({ 'Fine.class': CLASS });
    for (let i = 0; i < ARCHIVE_LIMITS.maxDepth + 1; i++) nested = await zipBuffer({ [`level${i}.jar`]: nested });
    const facts = await inspectArtifact(
      'p.zip',
      await patchAt('deep.zip', { 'fixpack_documentation.json': DOC, 'top.jar': nested }),
      'patch',
    );
    expect(facts.patch?.unreadable.join('\n')).toMatch(/archives nested more than 6 levels deep/);
    expect(verdictOf(facts).eligible).toBe(false);
  });
});

describe('entry names that would escape their folder are refused', () => {
  it.each(['../../etc/cron.d/x', '/etc/passwd', 'a/../../b'])('%s', async (name) => {
    const file = join(dir, 'slip.zip');
    writeFileSync(file, await zipWithRawNames({ 'fixpack_documentation.json': DOC, [name]: 'x' }));
    const facts = await inspectArtifact('p.zip', file, 'patch');
    expect(facts.invalid).toMatch(
      /^it holds an entry that would be written outside its folder \((invalid relative path|absolute path): /,
    );
  });
});

describe('documentation XML is parsed in linear time', () => {
  it(
    '400,000 unclosed tags end quickly as unreadable documentation (was a catastrophic backtracking ' + 'hang)',
    async () => {
      const file = await patchAt('xml-bomb.zip', {
        'fixpack_documentation.xml': `<patch>${Array.from({ length: 400_000 }, (_, i) => `<t${i}>`).join('')}`,
        'x.jsp': '<p/>',
      });
      const started = Date.now();
      const facts = await inspectArtifact('p.zip', file, 'patch');
      expect(facts.error).toBeNull();
      expect(Date.now() - started).toBeLessThan(3000);
      expect(facts.patch?.documentation).toBeNull();
      expect(facts.patch?.unreadable[0]).toMatch(/^fixpack_documentation\.xml: invalid XML \(/);
    },
  );

  it('a DOCTYPE with its own entities does not expand them (no billion laughs)', async () => {
    const xml =
      '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b ' +
      '"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><patch><name>&b;</name></patch>';
    const facts = await inspectArtifact(
      'p.zip',
      await patchAt('entities.zip', { 'fixpack_documentation.xml': xml }),
      'patch',
    );
    expect(facts.patch?.name).toBeNull();
  });
});

describe('values read from an artifact are checked before use', () => {
  it.each([
    [
      'Bundle-SymbolicName: com.acme`touch /tmp/x`',
      /^its Bundle-SymbolicName `com\.acme`touch \/tmp\/x`` is not an OSGi symbolic name/,
    ],
    [
      'Bundle-SymbolicName: com.acme;x=$(id)\r\nBundle-Version: 1.0.0; rm -rf /',
      /^its Bundle-Version `1\.0\.0; rm -rf \/` is not an OSGi version/,
    ],
    [
      'Bundle-SymbolicName: com.acme\r\nLiferay-Require-SchemaVersion: 2.0.0\u001b[2J',
      /^its Liferay-Require-SchemaVersion `2\.0\.0\\u001b\[2J` is not a version/,
    ],
  ])('%j', async (headers, expected) => {
    const file = join(dir, 'module.jar');
    await makeZip(file, { 'META-INF/MANIFEST.MF': `Manifest-Version: 1.0\r\n${headers}\r\n\r\n` });
    const facts = await inspectArtifact('m.jar', file, 'bundle');
    expect(facts.invalid).toMatch(expected);
    expect(facts.manifest).toBeNull();
  });

  it('terminal escape codes in patch metadata never come out raw', async () => {
    const esc = '\u001b]0;pwned\u0007\u001b[2J';
    const file = await patchAt('esc.zip', {
      'fixpack_documentation.json': JSON.stringify({
        patch: { name: `dxp-1${esc}`, product: `7210${esc}`, requirements: [`dxp=1${esc}`] },
      }),
      [`x${esc}.sql`]: 'x',
    });
    const facts = await inspectArtifact('p.zip', file, 'patch');
    expect(facts.invalid).toMatch(
      /^its documentation names the patch `dxp-1\\u001b\]0;pwned\\u0007\\u001b\[2J`, which is not a patch name$/,
    );
    const strings: string[] = [];
    JSON.stringify(facts, (_k, v: unknown) => (typeof v === 'string' ? (strings.push(v), v) : v));
    expect(strings.filter((v) => /[\u0000-\u001f\u007f-\u009f]/.test(v))).toEqual([]);
    expect(facts.patch?.product).toBe('7210\\u001b]0;pwned\\u0007\\u001b[2J');
    expect(facts.patch?.sqlOrUpgradeFiles[0]).toBe('x\\u001b]0;pwned\\u0007\\u001b[2J.sql');
  });
});

describe('the per-artifact budget', () => {
  it('stops at the entry count, the declared size and the time limit', () => {
    const many = new Budget();
    expect(() => {
      for (let i = 0; i <= ARCHIVE_LIMITS.maxEntries; i++) many.entry(0);
    }).toThrow(LimitError);
    expect(() => new Budget().entry(ARCHIVE_LIMITS.maxDeclaredBytes + 1)).toThrow(/uncompressed/);
    let now = 0;
    const slow = new Budget(() => now);
    slow.entry(1);
    now = ARCHIVE_LIMITS.maxMillis + 1;
    expect(() => slow.entry(1)).toThrow(/took more than 60 s/);
  });

  it('refuses to inflate an entry whose compression ratio is a zip bomb, and bounds the bytes read', () => {
    expect(() => new Budget().beforeRead('bomb.jar', 50 * 1024 * 1024, 10_000)).toThrow(/bomb\.jar expands 5243 times/);
    const b = new Budget();
    expect(() => {
      for (let i = 0; i < 20; i++) b.beforeRead('x.jar', 60 * 1024 * 1024, 30 * 1024 * 1024);
    }).toThrow(/more than 1024 MiB/);
  });

  it('a patch over the limits is judged unreadable: the safe verdict', async () => {
    // 48 MiB of zeros named like a jar: inflating it to look inside is what a zip bomb asks for.
    const facts = await inspectArtifact(
      'p.zip',
      await patchAt('bomb.zip', { 'fixpack_documentation.json': DOC, 'x.jar': Buffer.alloc(48 * 1024 * 1024) }),
      'patch',
    );
    expect(facts.error ?? facts.patch?.unreadable.join()).toMatch(/expands \d+ times|not inspected further/);
    expect(verdictOf(facts).eligible).toBe(false);
  });
});
