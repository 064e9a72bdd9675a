// The node commands of a release move, run here with sh on temporary Liferay Homes: the preflight
// read of the installed release and schemas, and the bundle install (with its backup and restore).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundleInstallCommand, CARRIED_TOMCAT_PATHS } from '../../../src/plan/changes-release.js';
import { installedRelease, judgeInstalledRelease } from '../../../src/domain/release-judge.js';
import { installedReleaseCommand, releaseMarker } from '../../../src/plan/release-check.js';
import { backupCommand, restoreCommand } from '../../../src/plan/shell/backup.js';
import type { CheckReleaseStep } from '../../../src/plan/types.js';
import { makeZip } from '../../helpers/make-zip.js';

const ROOT = join(import.meta.dirname, '../../..');
let dir: string;
let home: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-release-'));
  home = join(dir, 'home');
  mkdirSync(join(home, 'tomcat/logs'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sh(command: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const step = (expected: string, schemas: CheckReleaseStep['schemas'] = []): CheckReleaseStep =>
  ({ action: 'check-release', expected, schemas }) as CheckReleaseStep;

const manifest = (bsn: string, schema: string): string =>
  `Manifest-Version: 1.0\r\nBundle-SymbolicName: ${bsn}` +
  `;singleton:=true\r\nLiferay-Require-SchemaVersion: ${schema}\r\n\r\n`;

describe('which release a node runs', () => {
  it('reads the newest "Starting Liferay" banner of the log, or lrroll\'s own record first', () => {
    writeFileSync(
      join(home, 'tomcat/logs/catalina.out'),
      'x\n2024-01-01 INFO [main][StartupHelperUtil:72] Starting Liferay Digital Experience Platform ' +
        '7.4.13 Update 92 (Cavanaugh)\n…\nStarting Liferay Digital Experience Platform 2024.Q1.1 (Build ' +
        '7413 / March 1, 2024)\n',
    );
    const out = sh(installedReleaseCommand(home, join(home, 'tomcat'), false)).stdout;
    expect(installedRelease(out)).toBe('2024.q1.1');
    writeFileSync(releaseMarker(home), '2024.q1.3\n');
    expect(installedRelease(sh(installedReleaseCommand(home, join(home, 'tomcat'), false)).stdout)).toBe('2024.q1.3');
  });

  it('a node that cannot tell fails the check with the reason; another release fails it too', () => {
    expect(
      judgeInstalledRelease(step('2024.q1.1'), sh(installedReleaseCommand(home, join(home, 'tomcat'), false)).stdout),
    ).toMatchObject({ ok: false, message: expect.stringMatching(/cannot tell which Liferay release/) });
    writeFileSync(releaseMarker(home), '2024.q1.2\n');
    expect(
      judgeInstalledRelease(step('2024.Q1.1'), sh(installedReleaseCommand(home, join(home, 'tomcat'), false)).stdout),
    ).toMatchObject({ ok: false, message: 'the node runs Liferay 2024.q1.2, the playbook says 2024.q1.1' });
  });

  it("compares the new release's schemas with the installed ones, in plain jars and inside lpkgs", async () => {
    writeFileSync(releaseMarker(home), '7.4.13-u100\n');
    await makeZip(join(home, 'osgi/portal/journal.jar'), {
      'META-INF/MANIFEST.MF': manifest('com.liferay.journal.service', '4.4.1'),
    });
    const inner = join(dir, 'inner.jar');
    await makeZip(inner, { 'META-INF/MANIFEST.MF': manifest('com.liferay.wiki.service', '2.0.0') });
    await makeZip(join(home, 'osgi/marketplace/Liferay Foundation.lpkg'), {
      'com.liferay.wiki.service [1].jar': readFileSync(inner),
    });
    const out = sh(installedReleaseCommand(home, join(home, 'tomcat'), true));
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^com\.liferay\.journal\.service\t4\.4\.1$/m);
    expect(out.stdout).toMatch(/^com\.liferay\.wiki\.service\t2\.0\.0$/m);
    expect(
      judgeInstalledRelease(
        step('7.4.13-u100', [{ bundle: 'com.liferay.journal.service', schemaVersion: '4.4.2' }]),
        out.stdout,
      ),
    ).toMatchObject({ ok: true });
    const refused = judgeInstalledRelease(
      step('7.4.13-u100', [
        { bundle: 'com.liferay.wiki.service', schemaVersion: '2.1.0' },
        { bundle: 'com.liferay.journal.service', schemaVersion: '4.4.9' },
      ]),
      out.stdout,
    );
    expect(refused).toEqual({
      ok: false,
      message: expect.stringMatching(/com\.liferay\.wiki\.service 2\.0\.0 → 2\.1\.0 \(minor\)/),
    });
  });
});

describe('a new bundle in place of the old one', () => {
  it(
    "carries the node's own Tomcat files and extra jars, replaces Liferay's folders, keeps " +
      'configuration and Marketplace apps; the backup restores it all',
    async () => {
      const tc = join(home, 'tomcat');
      mkdirSync(join(tc, 'conf/Catalina/localhost'), { recursive: true });
      mkdirSync(join(tc, 'bin'), { recursive: true });
      mkdirSync(join(tc, 'lib'), { recursive: true });
      writeFileSync(join(tc, 'conf/server.xml'), '<Server mine="yes"/>');
      writeFileSync(join(tc, 'conf/Catalina/localhost/ROOT.xml'), '<Context mine="yes"/>');
      writeFileSync(join(tc, 'bin/setenv.sh'), 'CATALINA_OPTS=-Xmx8g');
      writeFileSync(join(tc, 'lib/ojdbc8.jar'), 'driver');
      writeFileSync(join(tc, 'conf/context.xml'), '<Context extra="yes"/>');
      for (const [p, text] of [
        ['osgi/portal/old.jar', 'old'],
        ['osgi/marketplace/Liferay Old.lpkg', 'old'],
        ['osgi/marketplace/Acme App.lpkg', 'mine'],
        ['osgi/configs/x.config', 'mine'],
        ['portal-ext.properties', 'mine=1'],
        ['patching-tool/default.properties', 'liferay.home=..'],
        ['patching-tool/patches/hotfix-old.zip', 'old'],
      ] as const) {
        mkdirSync(join(home, p, '..'), { recursive: true });
        writeFileSync(join(home, p), text);
      }
      const staged = join(home, '.lrroll/staging/0ddef19d15a7b82a-bundle.zip');
      mkdirSync(join(staged, '..'), { recursive: true });
      cpSync(join(ROOT, 'playbooks/releases/liferay-dxp-tomcat-2024.q1.3.zip'), staged);
      const before = sh(
        `cd ${dir} && find home -path home/.lrroll -prune -o ` +
          `-type f -print0 | sort -z | xargs -0 sha256sum | sha256sum`,
      ).stdout;
      const paths = [
        tc,
        join(home, 'osgi/core'),
        join(home, 'osgi/portal'),
        join(home, 'osgi/portal-war'),
        join(home, 'osgi/static'),
        join(home, 'osgi/marketplace'),
        join(home, 'tools'),
        join(home, 'patching-tool'),
        releaseMarker(home),
      ];
      const backup = join(home, '.lrroll/backups/run1');
      expect(sh(backupCommand(paths, backup)).code).toBe(0);

      const install = bundleInstallCommand({
        home,
        tomcat: tc,
        staged,
        work: `${staged}.d`,
        carry: [...CARRIED_TOMCAT_PATHS, 'conf/context.xml'],
        clear: [],
        record: `printf '%s\\n' 2024.q1.3 > ${releaseMarker(home)}`,
      });
      const r = sh(install);
      expect(r.code, r.stderr).toBe(0);
      const read = (p: string): string => readFileSync(join(home, p), 'utf8');
      expect(read('tomcat/webapps/ROOT/WEB-INF/web.xml')).toBe('<web-app/>\n');
      expect(read('tomcat/conf/server.xml')).toBe('<Server mine="yes"/>');
      expect(read('tomcat/conf/Catalina/localhost/ROOT.xml')).toBe('<Context mine="yes"/>');
      expect(read('tomcat/bin/setenv.sh')).toBe('CATALINA_OPTS=-Xmx8g');
      expect(read('tomcat/conf/context.xml')).toBe('<Context extra="yes"/>');
      expect(read('tomcat/lib/ojdbc8.jar')).toBe('driver');
      expect(existsSync(join(home, 'osgi/portal/old.jar'))).toBe(false);
      expect(existsSync(join(home, 'osgi/portal/com.liferay.journal.service.jar'))).toBe(true);
      expect(existsSync(join(home, 'osgi/marketplace/Liferay Old.lpkg'))).toBe(false);
      expect(read('osgi/marketplace/Acme App.lpkg')).toBe('mine');
      expect(read('osgi/configs/x.config')).toBe('mine');
      expect(read('portal-ext.properties')).toBe('mine=1');
      expect(read('patching-tool/default.properties')).toBe('liferay.home=..');
      expect(existsSync(join(home, 'patching-tool/patches/hotfix-old.zip'))).toBe(false);
      expect(read('.lrroll-release')).toBe('2024.q1.3\n');
      expect(existsSync(`${staged}.d`)).toBe(false);

      expect(sh(restoreCommand(backup)).code).toBe(0);
      expect(
        sh(
          `cd ${dir} && find home -path home/.lrroll -prune -o ` +
            `-type f -print0 | sort -z | xargs -0 sha256sum | sha256sum`,
        ).stdout,
      ).toBe(before);
    },
  );

  it('a zip that is not a Liferay bundle changes nothing', async () => {
    mkdirSync(join(home, 'tomcat/conf'), { recursive: true });
    writeFileSync(join(home, 'tomcat/conf/server.xml'), 'mine');
    const staged = join(dir, 'not-a-bundle.zip');
    await makeZip(staged, { 'readme.txt': 'hello' });
    const r = sh(
      bundleInstallCommand({
        home,
        tomcat: join(home, 'tomcat'),
        staged,
        work: `${staged}.d`,
        carry: CARRIED_TOMCAT_PATHS,
        clear: [],
        record: 'true',
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no Liferay Home/);
    expect(readFileSync(join(home, 'tomcat/conf/server.xml'), 'utf8')).toBe('mine');
  });
});
