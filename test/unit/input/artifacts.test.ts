import { describe, expect, it } from 'vitest';
import { zipBuffer, zipWithRawNames } from '../../helpers/make-zip.js';
import { BASE, errorsOf, planText } from './helpers.js';

const withChange = (change: string): string => BASE.replace('change:\n  type: restart\n', `change:\n${change}`);

describe('artifacts lrroll cannot trust are refused with a located error (exit 2)', () => {
  it('a module whose Bundle-SymbolicName holds shell metacharacters', async () => {
    const jar = await zipBuffer({
      'META-INF/MANIFEST.MF':
        'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme`touch ' +
        '/tmp/pwned`\r\nLiferay-Require-SchemaVersion: 1.0.0\r\n\r\n',
    });
    const errors = errorsOf(await planText(withChange('  type: module\n  artifact: m.jar\n'), { 'm.jar': jar }));
    expect(errors).toEqual([
      'E_ARTIFACT 20:13 artifact `m.jar`: its Bundle-SymbolicName `com.acme`touch /tmp/pwned`` is not ' +
        'an OSGi symbolic name (letters, digits, `_`, `-` and dots)',
    ]);
  });

  it('a patch with a zip-slip entry', async () => {
    const zip = await zipWithRawNames({
      'fixpack_documentation.json': '{"patch":{"name":"dxp-15-7210"}}',
      '../../../etc/cron.d/x': '* * * * * root id',
    });
    const errors = errorsOf(
      await planText(
        withChange('  type: fixpack\n  artifact: liferay-fix-pack-dxp-15-7210.zip\n  revertible: true\n'),
        { 'liferay-fix-pack-dxp-15-7210.zip': zip },
      ),
    );
    expect(errors).toEqual([
      'E_ARTIFACT 20:13 artifact `liferay-fix-pack-dxp-15-7210.zip`: it holds an entry that would be ' +
        'written outside its folder (invalid relative path: ../../../etc/cron.d/x)',
    ]);
  });

  it('an artifact whose file name has a line break (it would become part of paths on every node)', async () => {
    const jar = await zipBuffer({
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme\r\n\r\n',
    });
    const errors = errorsOf(
      await planText(withChange('  type: module\n  artifact: "m\\nx.jar"\n'), { 'm\nx.jar': jar }),
    );
    expect(errors).toEqual(['E_ARTIFACT 20:13 artifact `m\\nx.jar` has a line break or one of `*?[]` in its name']);
  });

  it('a well-formed module is planned, and its name reaches the preflight command as one quoted word', async () => {
    const jar = await zipBuffer({
      'META-INF/MANIFEST.MF':
        'Manifest-Version: 1.0\r\nBundle-SymbolicName: ' +
        'com.acme.orders-service_2;singleton:=true\r\nLiferay-Require-SchemaVersion: 1.0.0\r\n\r\n',
    });
    const outcome = await planText(withChange('  type: module\n  artifact: m.jar\n'), { 'm.jar': jar });
    expect(errorsOf(outcome)).toEqual([]);
    const check = outcome.plan?.preflight.find((s) => s.action === 'check-schema-version');
    expect(check && 'command' in check ? check.command : '').toContain(
      '[ "$n" = com.acme.orders-service_2 ] || continue',
    );
  });
});
