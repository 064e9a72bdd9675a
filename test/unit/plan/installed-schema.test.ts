import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installedBundleCommand } from '../../../src/plan/change-bundle.js';
import { listBundlesCommand } from '../../../src/plan/change-bundle.js';
import { makeZip } from '../../helpers/make-zip.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'lrroll-schema-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

function run(command: string): { code: number | null; stdout: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, MARK: join(home, 'pwned') } });
  return { code: r.status, stdout: r.stdout };
}

describe('the preflight lookup of the installed schema version', () => {
  it(
    'finds the installed jar by its Bundle-SymbolicName, also when the manifest folds the name over two ' + 'lines',
    async () => {
      const bsn = 'com.liferay.commerce.product.type.grouped.service.with.a.long.name';
      await makeZip(join(home, 'osgi/modules/other.jar'), {
        'META-INF/MANIFEST.MF':
          'Manifest-Version: 1.0\r\nBundle-SymbolicName: ' +
          'com.acme.other\r\nLiferay-Require-SchemaVersion: 9.9.9\r\n\r\n',
      });
      await makeZip(join(home, 'osgi/modules/it.jar'), {
        'META-INF/MANIFEST.MF':
          `Manifest-Version: 1.0\r\nBundle-SymbolicName: ${bsn.slice(0, 50)}\r\n ${bsn.slice(50)}` +
          `;singleton:=true\r\nLiferay-Require-SchemaVersion: 2.1.0\r\n\r\n`,
      });
      expect(run(installedBundleCommand(home, bsn))).toEqual({ code: 0, stdout: 'installed\t\t2.1.0\n' });
      expect(run(installedBundleCommand(home, 'com.acme.absent'))).toEqual({ code: 0, stdout: '' });
    },
  );

  it(
    'tells an installed bundle without a schema version from one that is not installed, and reads its ' + 'version',
    async () => {
      await makeZip(join(home, 'osgi/modules/plain.jar'), {
        'META-INF/MANIFEST.MF':
          'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.plain\r\nBundle-Version: 1.4.2\r\n\r\n',
      });
      expect(run(installedBundleCommand(home, 'com.acme.plain'))).toEqual({ code: 0, stdout: 'installed\t1.4.2\t\n' });
    },
  );

  it(
    'lists every installed bundle in osgi/modules, osgi/war and the jars of osgi/marketplace (for ' + '`lrroll facts`)',
    async () => {
      await makeZip(join(home, 'osgi/modules/a.jar'), {
        'META-INF/MANIFEST.MF':
          'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.a;singleton:=true\r\nBundle-Version: ' +
          '2.1.3\r\nLiferay-Require-SchemaVersion: 2.1.0\r\n\r\n',
      });
      await makeZip(join(home, 'osgi/war/t.war'), {
        'META-INF/MANIFEST.MF':
          'Manifest-Version: 1.0\r\nBundle-SymbolicName: acme-theme\r\nBundle-Version: 1.4.0\r\n\r\n',
      });
      await makeZip(join(home, 'osgi/marketplace/m.jar'), {
        'META-INF/MANIFEST.MF':
          'Manifest-Version: 1.0\r\nBundle-SymbolicName: com.acme.m\r\nBundle-Version: 7.0.0\r\n\r\n',
      });
      await makeZip(join(home, 'osgi/modules/no-manifest.jar'), { 'x.txt': 'x' });
      const r = run(listBundlesCommand(home));
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual([
        'acme-theme\t1.4.0\t',
        'com.acme.a\t2.1.3\t2.1.0',
        'com.acme.m\t7.0.0\t',
      ]);
    },
  );

  it.each([
    'x`touch "$MARK"`y',
    'x$(touch "$MARK")',
    'x\'; touch "$MARK"; \'',
    'x"; touch "$MARK"; "',
    'x\\($\\|.*\\)',
  ])('never runs what a hostile name read from an artifact holds: %s', async (bsn) => {
    await makeZip(join(home, 'osgi/modules/it.jar'), {
      'META-INF/MANIFEST.MF':
        'Manifest-Version: 1.0\r\nBundle-SymbolicName: x\r\nLiferay-Require-SchemaVersion: 2.1.0\r\n\r\n',
    });
    const r = run(installedBundleCommand(home, bsn));
    expect(existsSync(join(home, 'pwned'))).toBe(false);
    expect(r).toEqual({ code: 0, stdout: '' });
  });
});
