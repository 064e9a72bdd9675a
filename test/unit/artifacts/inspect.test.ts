import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectArtifact, inspectArtifacts } from '../../../src/artifacts/inspect.js';
import type { PatchContent } from '../../../src/artifacts/types.js';
import { forEachZipEntry, ZipError } from '../../../src/artifacts/zip.js';
import { makeZip, zipBuffer } from '../../helpers/make-zip.js';
import { listZipEntries, readZipEntry } from '../../helpers/read-zip.js';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lrroll-inspect-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CLASS_BYTES = Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]);

function content(partial: Partial<PatchContent>): PatchContent {
  return { jspOrStatic: 0, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0, ...partial };
}

function manifest(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
}

const JSON_DOC = JSON.stringify({
  patch: { id: 15, name: 'dxp-15-7210', product: '7210', requirements: 'dxp=14' },
  'fixed-issues': ['LPS-101', 'LPS-102', 'LPE-17'],
});

describe('inspectArtifact: bundles', () => {
  it('reads a module jar manifest (continuation line, directives) and hashes the file', async () => {
    const file = join(dir, 'com.liferay.journal.service.jar');
    await makeZip(file, {
      'META-INF/': '',
      'META-INF/MANIFEST.MF': manifest([
        'Manifest-Version: 1.0',
        'Bundle-SymbolicName: com.liferay.journal.service;singleton:=true',
        'Bundle-Version: 5.0.1',
        ' 20',
        'Liferay-Require-SchemaVersion: 4.4.2',
      ]),
      'com/liferay/journal/service/impl/JournalArticleLocalServiceImpl.class': CLASS_BYTES,
    });
    const facts = await inspectArtifact('artifacts/com.liferay.journal.service.jar', file, 'bundle');
    expect(facts).toEqual({
      path: 'artifacts/com.liferay.journal.service.jar',
      absPath: file,
      fileName: 'com.liferay.journal.service.jar',
      sha256: await sha256Of(file),
      size: (await stat(file)).size,
      manifest: {
        bundleSymbolicName: 'com.liferay.journal.service',
        bundleVersion: '5.0.120',
        requireSchemaVersion: '4.4.2',
      },
      patch: null,
      config: null,
      error: null,
      invalid: null,
    });
    expect(facts.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a null schema version for a module without Liferay-Require-SchemaVersion', async () => {
    const file = join(dir, 'com.liferay.journal.web.jar');
    await makeZip(file, {
      'META-INF/MANIFEST.MF': manifest([
        'Manifest-Version: 1.0',
        'Bundle-SymbolicName: com.liferay.journal.web',
        'Bundle-Version: 5.0.3',
      ]),
    });
    const facts = await inspectArtifact('com.liferay.journal.web.jar', file, 'bundle');
    expect(facts.manifest).toEqual({
      bundleSymbolicName: 'com.liferay.journal.web',
      bundleVersion: '5.0.3',
      requireSchemaVersion: null,
    });
    expect(facts.error).toBeNull();
  });

  it('finds the manifest case-insensitively and gives null for a jar without one', async () => {
    const lower = join(dir, 'lower.jar');
    await makeZip(lower, { 'meta-inf/manifest.mf': 'Bundle-SymbolicName: com.acme.lower\n' });
    expect((await inspectArtifact('lower.jar', lower, 'bundle')).manifest?.bundleSymbolicName).toBe('com.acme.lower');

    const none = join(dir, 'plain.jar');
    await makeZip(none, { 'com/acme/Plain.class': CLASS_BYTES });
    const facts = await inspectArtifact('plain.jar', none, 'bundle');
    expect(facts.manifest).toBeNull();
    expect(facts.error).toBeNull();
  });

  it('reads a WAB war from its root META-INF/MANIFEST.MF', async () => {
    const file = join(dir, 'acme-portlet.war');
    await makeZip(file, {
      'META-INF/MANIFEST.MF': manifest([
        'Bundle-SymbolicName: acme-portlet',
        'Bundle-Version: 1.4.0',
        'Web-ContextPath: /acme-portlet',
      ]),
      'WEB-INF/liferay-plugin-package.properties': 'servlet-context-name=ignored-name\n',
      'WEB-INF/classes/com/acme/portlet/AcmePortlet.class': CLASS_BYTES,
    });
    const facts = await inspectArtifact('acme-portlet.war', file, 'bundle');
    expect(facts.manifest).toEqual({
      bundleSymbolicName: 'acme-portlet',
      bundleVersion: '1.4.0',
      requireSchemaVersion: null,
    });
  });

  it('fills a plain war from WEB-INF/liferay-plugin-package.properties the way the WAB generator does', async () => {
    const byContext = join(dir, 'legacy-portlet.war');
    await makeZip(byContext, {
      'META-INF/MANIFEST.MF': manifest(['Manifest-Version: 1.0', 'Created-By: Apache Ant']),
      'WEB-INF/liferay-plugin-package.properties':
        'name=Legacy Portlet\nservlet-context-name=legacy-portlet\nmodule-incremental-version=3\n',
    });
    expect((await inspectArtifact('legacy-portlet.war', byContext, 'bundle')).manifest).toEqual({
      bundleSymbolicName: 'legacy-portlet',
      bundleVersion: null,
      requireSchemaVersion: null,
    });

    const byHeaders = join(dir, 'service-portlet.war');
    await makeZip(byHeaders, {
      'WEB-INF/liferay-plugin-package.properties': [
        'name=Service Portlet',
        'servlet-context-name=not-used',
        'Bundle-SymbolicName=com.acme.service.portlet;singleton:=true',
        'Bundle-Version=2.1.0',
        'Liferay-Require-SchemaVersion=1.0.3',
      ].join('\n'),
    });
    expect((await inspectArtifact('service-portlet.war', byHeaders, 'bundle')).manifest).toEqual({
      bundleSymbolicName: 'com.acme.service.portlet',
      bundleVersion: '2.1.0',
      requireSchemaVersion: '1.0.3',
    });
  });

  it('gives a war without any metadata a manifest of nulls (not null)', async () => {
    const file = join(dir, 'bare.war');
    await makeZip(file, { 'index.jsp': '<p>hi</p>' });
    const facts = await inspectArtifact('bare.war', file, 'bundle');
    expect(facts.manifest).toEqual({ bundleSymbolicName: null, bundleVersion: null, requireSchemaVersion: null });
    expect(facts.error).toBeNull();
  });

  it('reports an lpkg with a null manifest and nothing else', async () => {
    const file = join(dir, 'Liferay Foundation - Liferay Journal - API.lpkg');
    await makeZip(file, {
      'liferay-marketplace.properties': 'title=Liferay Journal\n',
      'com.liferay.journal.api.jar': await zipBuffer({
        'META-INF/MANIFEST.MF': 'Bundle-SymbolicName: com.liferay.journal.api\n',
      }),
    });
    const facts = await inspectArtifact('journal.lpkg', file, 'bundle');
    expect(facts).toMatchObject({ manifest: null, patch: null, error: null, sha256: await sha256Of(file) });
  });

  it('only hashes for kind "file", even when the file is not an archive', async () => {
    const file = join(dir, 'portal-ext.properties');
    await writeFile(file, 'cluster.link.enabled=true\n');
    expect(await inspectArtifact('portal-ext.properties', file, 'file')).toEqual({
      path: 'portal-ext.properties',
      absPath: file,
      fileName: 'portal-ext.properties',
      sha256: createHash('sha256').update('cluster.link.enabled=true\n').digest('hex'),
      size: 26,
      manifest: null,
      patch: null,
      config: null,
      error: null,
      invalid: null,
    });
  });
});

describe('inspectArtifact: patches', () => {
  it('classifies a JSP-only fix pack with JSON documentation as only jspOrStatic', async () => {
    const file = join(dir, 'liferay-fix-pack-dxp-15-7210.zip');
    await makeZip(file, {
      'fixpack_documentation.json': JSON_DOC,
      'fixpack_documentation.html': '<html></html>',
      'binary/': '',
      'binary/webapps/ROOT/html/portlet/login/view.jsp': '<%@ include file="/init.jsp" %>',
      'binary/webapps/ROOT/html/common/init.jspf': '<%-- init --%>',
      'binary/webapps/ROOT/html/css/main.css': 'body{}',
      'binary/webapps/ROOT/html/js/liferay/util.js': 'void 0;',
      'binary/webapps/ROOT/html/themes/classic/images/logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      'binary/webapps/ROOT/WEB-INF/classes/content/Language_pt_BR.properties': 'login=Entrar\n',
    });
    const facts = await inspectArtifact('patches/dxp-15.zip', file, 'patch');
    expect(facts.error).toBeNull();
    expect(facts.manifest).toBeNull();
    expect(facts.patch).toEqual({
      name: 'dxp-15-7210',
      product: '7210',
      requirements: ['dxp=14'],
      fixedIssues: 3,
      documentation: 'json',
      content: content({ jspOrStatic: 6 }),
      clusterClasses: [],
      sqlOrUpgradeFiles: [],
      unreadable: [],
    });
  });

  it(
    'counts a changed portal-impl.jar and its classes; requirements as a list, fixed issues as a comma ' + 'string',
    async () => {
      const file = join(dir, 'liferay-hotfix-1234-7210.zip');
      await makeZip(file, {
        'fixpack_documentation.json': JSON.stringify({
          patch: { id: '1234', name: 'hotfix-1234-7210', product: 7210, requirements: ['dxp=10', 'hotfix-1000-7210'] },
          'fixed-issues': 'LPS-1, LPS-2,LPS-3,,LPS-4',
        }),
        'binary/webapps/ROOT/WEB-INF/lib/portal-impl.jar': await zipBuffer({
          'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
          'com/liferay/portal/service/impl/UserLocalServiceImpl.class': CLASS_BYTES,
          'com/liferay/portal/service/impl/UserLocalServiceImpl$1.class': CLASS_BYTES,
          'com/liferay/portal/util/PortalImpl.class': CLASS_BYTES,
          'portal.properties': 'x=1\n',
        }),
        'binary/webapps/ROOT/WEB-INF/web.xml': '<web-app/>',
      });
      const patch = (await inspectArtifact('hotfix.zip', file, 'patch')).patch;
      expect(patch).toEqual({
        name: 'hotfix-1234-7210',
        product: '7210',
        requirements: ['dxp=10', 'hotfix-1000-7210'],
        fixedIssues: 4,
        documentation: 'json',
        content: content({ jars: 1, classes: 3, other: 1 }),
        clusterClasses: [],
        sqlOrUpgradeFiles: [],
        unreadable: [],
      });
    },
  );

  it('lists classes from the cluster packages, inside jars and loose in the archive', async () => {
    const file = join(dir, 'cluster-hotfix.zip');
    await makeZip(file, {
      'fixpack_documentation.json': JSON_DOC,
      'binary/webapps/ROOT/WEB-INF/lib/portal-kernel.jar': await zipBuffer({
        'com/liferay/portal/kernel/cluster/ClusterExecutor.class': CLASS_BYTES,
        'com/liferay/portal/kernel/cluster/messaging/ClusterBridgeMessageListener.class': CLASS_BYTES,
        'com/liferay/portal/kernel/exception/NoSuchClusterGroupException.class': CLASS_BYTES,
        'com/liferay/portal/kernel/exception/NoSuchLayoutException.class': CLASS_BYTES,
        'com/liferay/portal/kernel/clustering/NotACluster.class': CLASS_BYTES,
        'com/liferay/portal/kernel/scheduler/multiple/MultipleSchedulerHelper.class': CLASS_BYTES,
        'com/liferay/portal/kernel/scheduler/SchedulerEngine.class': CLASS_BYTES,
      }),
      'binary/webapps/ROOT/WEB-INF/classes/com/liferay/portal/cache/multiple/internal/PortalCacheClusterLink.class':
        CLASS_BYTES,
      'binary/webapps/ROOT/WEB-INF/classes/com/liferay/portal/scheduler/multiple/internal/ClusterSchedulerEngine.class':
        CLASS_BYTES,
      'binary/webapps/ROOT/WEB-INF/classes/com/liferay/portal/cache/single/SinglePortalCache.class': CLASS_BYTES,
    });
    const patch = (await inspectArtifact('cluster.zip', file, 'patch')).patch;
    const jar = 'binary/webapps/ROOT/WEB-INF/lib/portal-kernel.jar';
    expect(patch?.clusterClasses).toEqual([
      `${jar}!com/liferay/portal/kernel/cluster/ClusterExecutor.class`,
      `${jar}!com/liferay/portal/kernel/cluster/messaging/ClusterBridgeMessageListener.class`,
      `${jar}!com/liferay/portal/kernel/exception/NoSuchClusterGroupException.class`,
      `${jar}!com/liferay/portal/kernel/scheduler/multiple/MultipleSchedulerHelper.class`,
      'binary/webapps/ROOT/WEB-INF/classes/com/liferay/portal/cache/multiple/internal/PortalCacheClusterLink.class',
      'binary/webapps/ROOT/WEB-INF/classes/com/liferay/portal/scheduler/multiple/internal/ClusterSchedulerEngine.class',
    ]);
    expect(patch?.content).toEqual(content({ jars: 1, classes: 10 }));
    expect(patch?.sqlOrUpgradeFiles).toEqual([]);
  });

  it('caps clusterClasses at 20 entries but keeps counting classes', async () => {
    const entries: Record<string, Buffer> = {};
    for (let i = 0; i < 25; i += 1) entries[`com/liferay/portal/kernel/cluster/C${i}.class`] = CLASS_BYTES;
    const file = join(dir, 'many-cluster.zip');
    await makeZip(file, { 'portal-kernel.jar': await zipBuffer(entries) });
    const patch = (await inspectArtifact('many.zip', file, 'patch')).patch;
    expect(patch?.clusterClasses).toHaveLength(20);
    expect(patch?.clusterClasses[19]).toBe('portal-kernel.jar!com/liferay/portal/kernel/cluster/C19.class');
    expect(patch?.content.classes).toBe(25);
  });

  it('counts an .sql file as sqlOrUpgrade', async () => {
    const file = join(dir, 'sql-hotfix.zip');
    await makeZip(file, {
      'fixpack_documentation.json': JSON_DOC,
      'binary/webapps/ROOT/WEB-INF/sql/update-7.2.10-fp15.sql': 'alter table User_ add foo VARCHAR(75);',
      'binary/webapps/ROOT/html/portlet/foo/view.jsp': '<p/>',
    });
    const patch = (await inspectArtifact('sql.zip', file, 'patch')).patch;
    expect(patch?.content).toEqual(content({ sqlOrUpgrade: 1, jspOrStatic: 1 }));
    expect(patch?.sqlOrUpgradeFiles).toEqual(['binary/webapps/ROOT/WEB-INF/sql/update-7.2.10-fp15.sql']);
  });

  it('counts an upgrade class inside a module jar as both a class and an upgrade step', async () => {
    const file = join(dir, 'upgrade-hotfix.zip');
    const jar = 'binary/osgi/marketplace/override/com.liferay.journal.service.jar';
    await makeZip(file, {
      'fixpack_documentation.json': JSON_DOC,
      [jar]: await zipBuffer({
        'META-INF/MANIFEST.MF':
          'Bundle-SymbolicName: com.liferay.journal.service\nLiferay-Require-SchemaVersion: 4.4.3\n',
        'com/liferay/journal/internal/upgrade/v4_4_3/JournalArticleUpgradeProcess.class': CLASS_BYTES,
        'com/liferay/journal/service/impl/JournalArticleLocalServiceImpl.class': CLASS_BYTES,
        'META-INF/sql/indexes.sql': 'create index IX_1 on JournalArticle (groupId);',
      }),
    });
    const patch = (await inspectArtifact('upgrade.zip', file, 'patch')).patch;
    expect(patch?.content).toEqual(content({ jars: 1, classes: 2, sqlOrUpgrade: 2 }));
    expect(patch?.sqlOrUpgradeFiles).toEqual([
      `${jar}!com/liferay/journal/internal/upgrade/v4_4_3/JournalArticleUpgradeProcess.class`,
      `${jar}!META-INF/sql/indexes.sql`,
    ]);
    expect(patch?.clusterClasses).toEqual([]);
  });

  it('reads the older XML documentation form', async () => {
    const file = join(dir, 'liferay-hotfix-405-7010.zip');
    await makeZip(file, {
      'fixpack_documentation.xml': [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!-- <name>commented-out</name> -->',
        '<patch>',
        '\t<id>hotfix-405</id>',
        '\t<name>hotfix-405-7010</name>',
        '\t<product>7010</product>',
        '\t<requirements>de=7</requirements>',
        '\t<fixed-issues>LPS-70001,LPS-70002,LPE-15000</fixed-issues>',
        '</patch>',
      ].join('\n'),
      'binary/webapps/ROOT/html/portlet/blogs/view.jsp': '<p/>',
    });
    const patch = (await inspectArtifact('hotfix-405.zip', file, 'patch')).patch;
    expect(patch).toMatchObject({
      name: 'hotfix-405-7010',
      product: '7010',
      requirements: ['de=7'],
      fixedIssues: 3,
      documentation: 'xml',
      content: content({ jspOrStatic: 1 }),
      unreadable: [],
    });
  });

  it('reads XML requirements and fixed issues given as child elements, with entities and CDATA', async () => {
    const file = join(dir, 'xml-children.zip');
    await makeZip(file, {
      'fixpack_documentation.xml': [
        '<patch id="x">',
        '<name><![CDATA[hotfix-7-7110]]></name>',
        '<product>7110</product>',
        '<requirements><requirement>dxp=3</requirement><requirement>hotfix-2&amp;3</requirement></requirements>',
        '<fixed-issues><issue>LPS-1</issue><issue>LPS-2</issue></fixed-issues>',
        '</patch>',
      ].join(''),
    });
    expect((await inspectArtifact('x.zip', file, 'patch')).patch).toMatchObject({
      name: 'hotfix-7-7110',
      product: '7110',
      requirements: ['dxp=3', 'hotfix-2&3'],
      fixedIssues: 2,
      documentation: 'xml',
    });
  });

  it('prefers the JSON documentation when both forms are present, and accepts top-level fields', async () => {
    const file = join(dir, 'both-docs.zip');
    await makeZip(file, {
      'fixpack_documentation.xml': '<patch><name>from-xml</name></patch>',
      'fixpack_documentation.json': JSON.stringify({
        name: 'from-json',
        product: '7310',
        requirements: 'dxp=2',
        fixed_issues: ['LPS-9'],
      }),
    });
    expect((await inspectArtifact('both.zip', file, 'patch')).patch).toMatchObject({
      name: 'from-json',
      product: '7310',
      requirements: ['dxp=2'],
      fixedIssues: 1,
      documentation: 'json',
    });
  });

  it('falls back to the XML documentation when the JSON one is invalid, and says so', async () => {
    const file = join(dir, 'bad-json.zip');
    await makeZip(file, {
      'fixpack_documentation.json': '{"patch": {"name": ',
      'fixpack_documentation.xml': '<patch><name>hotfix-9-7210</name><requirements>dxp=5</requirements></patch>',
    });
    const patch = (await inspectArtifact('bad-json.zip', file, 'patch')).patch;
    expect(patch).toMatchObject({
      name: 'hotfix-9-7210',
      requirements: ['dxp=5'],
      fixedIssues: 0,
      documentation: 'xml',
    });
    expect(patch?.unreadable).toHaveLength(1);
    expect(patch?.unreadable[0]).toMatch(/^fixpack_documentation\.json: invalid JSON \(/);
  });

  it('reports a patch without documentation with documentation null and name null, still classifying it', async () => {
    const file = join(dir, 'undocumented.zip');
    await makeZip(file, {
      'binary/webapps/ROOT/html/portlet/foo/view.jsp': '<p/>',
      'binary/webapps/ROOT/WEB-INF/classes/com/acme/Foo.class': CLASS_BYTES,
      'README.txt': 'read me',
    });
    const facts = await inspectArtifact('undocumented.zip', file, 'patch');
    expect(facts.error).toBeNull();
    expect(facts.patch).toEqual({
      name: null,
      product: null,
      requirements: [],
      fixedIssues: 0,
      documentation: null,
      content: content({ jspOrStatic: 1, classes: 1, other: 1 }),
      clusterClasses: [],
      sqlOrUpgradeFiles: [],
      unreadable: [],
    });
  });

  it(
    'inspects archives at every level inside a nested lpkg and war (a cluster class in a jar inside a ' +
      'jar is found)',
    async () => {
      const file = join(dir, 'nested.zip');
      const lpkg = 'binary/osgi/marketplace/Liferay Foundation.lpkg';
      const war = 'binary/osgi/war/acme-portlet.war';
      await makeZip(file, {
        'fixpack_documentation.json': JSON_DOC,
        [lpkg]: await zipBuffer({
          'liferay-marketplace.properties': 'title=Foundation\n',
          'com.liferay.portal.cache.impl.jar': await zipBuffer({
            'com/liferay/portal/cache/multiple/internal/cluster/link/PortalCacheClusterLinkImpl.class': CLASS_BYTES,
            'com/liferay/portal/cache/impl/Other.class': CLASS_BYTES,
            // A jar inside a jar inside the lpkg is opened too (it used to hide this class).
            'lib/deeper.jar': await zipBuffer({ 'com/liferay/portal/kernel/cluster/Hidden.class': CLASS_BYTES }),
          }),
        }),
        [war]: await zipBuffer({
          'WEB-INF/classes/com/acme/upgrade/v1_0_1/AcmeUpgrade.class': CLASS_BYTES,
          'WEB-INF/lib/acme-service.jar': await zipBuffer({ 'com/acme/service/AcmeService.class': CLASS_BYTES }),
          'WEB-INF/lib/broken.jar': 'this is not a zip',
        }),
      });
      const patch = (await inspectArtifact('nested.zip', file, 'patch')).patch;
      expect(patch?.content).toEqual(content({ jars: 2, classes: 5, sqlOrUpgrade: 1 }));
      expect(patch?.clusterClasses).toEqual([
        `${lpkg}` +
          `!com.liferay.portal.cache.impl.jar!com/liferay/portal/cache/multiple/internal/cluster/link/PortalCacheClusterLinkImpl.class`,
        `${lpkg}!com.liferay.portal.cache.impl.jar!lib/deeper.jar!com/liferay/portal/kernel/cluster/Hidden.class`,
      ]);
      expect(patch?.sqlOrUpgradeFiles).toEqual([`${war}!WEB-INF/classes/com/acme/upgrade/v1_0_1/AcmeUpgrade.class`]);
      expect(patch?.unreadable).toHaveLength(1);
      expect(patch?.unreadable[0]).toMatch(
        /^binary\/osgi\/war\/acme-portlet\.war!WEB-INF\/lib\/broken\.jar: not a readable zip archive \(/,
      );
    },
  );

  it('lists a nested archive over 64 MiB as unreadable without reading it', async () => {
    const file = join(dir, 'huge-nested.zip');
    await makeZip(file, {
      'fixpack_documentation.json': JSON_DOC,
      'binary/osgi/marketplace/Huge.lpkg': Buffer.alloc(64 * 1024 * 1024 + 1),
      'binary/webapps/ROOT/WEB-INF/lib/corrupt.jar': 'PK\u0003\u0004 not really',
    });
    const patch = (await inspectArtifact('huge.zip', file, 'patch')).patch;
    expect(patch?.content).toEqual(content({ jars: 2 }));
    expect(patch?.unreadable[0]).toBe(
      'binary/osgi/marketplace/Huge.lpkg: 67108865 bytes, larger than the 64 MiB inspection limit',
    );
    expect(patch?.unreadable[1]).toMatch(
      /^binary\/webapps\/ROOT\/WEB-INF\/lib\/corrupt\.jar: not a readable zip archive \(/,
    );
    expect(patch?.unreadable).toHaveLength(2);
  });
});

describe('inspectArtifact: bad input never throws', () => {
  it('reports a missing file', async () => {
    const file = join(dir, 'does-not-exist.zip');
    expect(await inspectArtifact('does-not-exist.zip', file, 'patch')).toEqual({
      path: 'does-not-exist.zip',
      absPath: file,
      fileName: 'does-not-exist.zip',
      sha256: null,
      size: 0,
      manifest: null,
      patch: null,
      config: null,
      error: `File not found: ${file}`,
      invalid: null,
    });
  });

  it('reports a directory given as a file', async () => {
    const facts = await inspectArtifact('dir', dir, 'file');
    expect(facts.error).toBe(`${dir} is a directory, not a file`);
    expect(facts.sha256).toBeNull();
  });

  it('reports a non-zip file, keeping its hash', async () => {
    const file = join(dir, 'not-a-zip.jar');
    await writeFile(file, 'definitely not a zip archive\n');
    for (const kind of ['bundle', 'patch'] as const) {
      const facts = await inspectArtifact('not-a-zip.jar', file, kind);
      expect(facts.error).toMatch(
        /^not-a-zip\.jar is not a readable zip archive \(end of central directory record signature not found/i,
      );
      expect(facts.error).not.toMatch(/\.$/);
      expect(facts.sha256).toBe(await sha256Of(file));
      expect(facts.size).toBe(29);
      expect(facts.manifest).toBeNull();
      expect(facts.patch).toBeNull();
    }
  });

  it('reports truncated zips (patch, jar and lpkg)', async () => {
    const cases = [
      ['truncated.zip', 'patch'],
      ['truncated.jar', 'bundle'],
      ['truncated.lpkg', 'bundle'],
    ] as const;
    for (const [name, kind] of cases) {
      const file = join(dir, name);
      await makeZip(file, {
        'fixpack_documentation.json': JSON_DOC,
        'META-INF/MANIFEST.MF': 'Bundle-SymbolicName: x\n',
        'binary/a.jsp': 'x'.repeat(5000),
      });
      const { size } = await stat(file);
      await truncate(file, Math.floor(size / 2));
      const facts = await inspectArtifact(name, file, kind);
      expect(facts.error).toMatch(new RegExp(`^${name.replace('.', '\\.')} is not a readable zip archive \\(`));
      expect(facts.size).toBe(Math.floor(size / 2));
      expect(facts.manifest).toBeNull();
      expect(facts.patch).toBeNull();
    }
  });

  it('reports a zip whose central directory is corrupt', async () => {
    const file = join(dir, 'corrupt-cd.zip');
    const bytes = await zipBuffer({ 'a.jsp': 'x', 'b.jsp': 'y' });
    const cd = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    bytes.writeUInt32LE(0xdeadbeef, cd);
    await writeFile(file, bytes);
    const facts = await inspectArtifact('corrupt-cd.zip', file, 'patch');
    expect(facts.error).toBe(
      'corrupt-cd.zip is not a readable zip archive (invalid central directory file header signature: 0xdeadbeef)',
    );
  });
});

describe('inspectArtifacts', () => {
  it('inspects every request once, keyed by path in request order', async () => {
    const jar = join(dir, 'multi', 'a.jar');
    await makeZip(jar, { 'META-INF/MANIFEST.MF': 'Bundle-SymbolicName: com.acme.a\nBundle-Version: 1.0.0\n' });
    const patch = join(dir, 'multi', 'p.zip');
    await makeZip(patch, { 'fixpack_documentation.json': JSON_DOC });
    const files = await Promise.all(
      [1, 2, 3, 4, 5].map(async (i) => {
        const file = join(dir, 'multi', `f${i}.txt`);
        await writeFile(file, `file ${i}`);
        return file;
      }),
    );
    const requests = [
      { path: 'p.zip', absPath: patch, kind: 'patch' as const },
      ...files.map((file, i) => ({ path: `f${i + 1}.txt`, absPath: file, kind: 'file' as const })),
      { path: 'a.jar', absPath: jar, kind: 'bundle' as const },
      { path: 'missing.jar', absPath: join(dir, 'multi', 'missing.jar'), kind: 'bundle' as const },
      { path: 'p.zip', absPath: join(dir, 'elsewhere.zip'), kind: 'patch' as const },
    ];
    const results = await inspectArtifacts(requests);
    expect([...results.keys()]).toEqual([
      'p.zip',
      'f1.txt',
      'f2.txt',
      'f3.txt',
      'f4.txt',
      'f5.txt',
      'a.jar',
      'missing.jar',
    ]);
    expect(results.get('p.zip')?.patch?.name).toBe('dxp-15-7210');
    expect(results.get('p.zip')?.absPath).toBe(patch);
    expect(results.get('f3.txt')?.sha256).toBe(createHash('sha256').update('file 3').digest('hex'));
    expect(results.get('a.jar')?.manifest?.bundleSymbolicName).toBe('com.acme.a');
    expect(results.get('missing.jar')?.error).toMatch(/^File not found: /);
  });

  it('returns an empty map for no requests', async () => {
    expect((await inspectArtifacts([])).size).toBe(0);
  });
});

/** A zip whose single deflated entry has garbage in the middle of its compressed data. */
async function corruptDeflateZip(): Promise<Buffer> {
  const bytes = await zipBuffer({ 'big.txt': 'abcdefghij'.repeat(2000) });
  const start = 30 + bytes.readUInt16LE(26) + bytes.readUInt16LE(28);
  bytes.fill(0xff, start + 2, start + 40);
  return bytes;
}

describe('zip adapter', () => {
  it('lists entries from a path and from a Buffer', async () => {
    const entries = { 'META-INF/': '', 'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n', 'a/b.txt': 'hello' };
    const file = join(dir, 'list.zip');
    await makeZip(file, entries);
    const expected = [
      { name: 'META-INF/', size: 0, isDirectory: true },
      { name: 'META-INF/MANIFEST.MF', size: 22, isDirectory: false },
      { name: 'a/b.txt', size: 5, isDirectory: false },
    ];
    const shape = (list: Array<{ name: string; size: number; isDirectory: boolean }>): unknown =>
      list.map(({ name, size, isDirectory }) => ({ name, size, isDirectory }));
    expect(shape(await listZipEntries(file))).toEqual(expected);
    expect(shape(await listZipEntries(await zipBuffer(entries)))).toEqual(expected);
  });

  it('reads one entry, and refuses an oversized one with the archive in the message', async () => {
    const file = join(dir, 'read.zip');
    await makeZip(file, { 'a.txt': 'alpha', 'big.bin': Buffer.alloc(1000, 7) });
    expect((await readZipEntry(file, 'a.txt', 5)).toString('utf8')).toBe('alpha');
    await expect(readZipEntry(file, 'big.bin', 999)).rejects.toThrow(
      `Cannot read zip archive ${file}: entry big.bin is 1000 bytes, over the 999-byte limit`,
    );
    const err = await readZipEntry(await zipBuffer({ x: 'xy' }), 'x', 1, 'memory.zip').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZipError);
    expect(err).toMatchObject({
      archive: 'memory.zip',
      kind: 'too-large',
      reason: 'entry x is 2 bytes, over the 1-byte limit',
    });
  });

  it('turns open and format failures into ZipError naming the archive', async () => {
    const missing = join(dir, 'nothing-here.zip');
    await expect(listZipEntries(missing)).rejects.toMatchObject({ kind: 'io', archive: missing });
    await expect(listZipEntries(Buffer.from('not a zip'), 'buf.zip')).rejects.toThrow(
      /^Cannot read zip archive buf\.zip: /,
    );
  });

  it('lets a visitor stop early and passes visitor errors through unchanged', async () => {
    const data = await zipBuffer({ a: '1', b: '2', c: '3' });
    const seen: string[] = [];
    await forEachZipEntry(data, (entry) => {
      seen.push(entry.name);
      return entry.name !== 'b';
    });
    expect(seen).toEqual(['a', 'b']);
    const boom = new Error('boom');
    await expect(
      forEachZipEntry(data, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });

  it('rejects an entry whose compressed data is corrupt', async () => {
    const file = join(dir, 'bad-deflate.zip');
    await writeFile(file, await corruptDeflateZip());
    await expect(readZipEntry(file, 'big.txt', 1_000_000)).rejects.toMatchObject({ kind: 'format', archive: file });
  });

  it.runIf(existsSync('/proc/self/fd'))('closes the archive file in every outcome', async () => {
    const file = join(dir, 'fd.zip');
    await makeZip(file, { 'a.txt': 'alpha', 'b.txt': 'beta', 'big.bin': Buffer.alloc(100) });
    const corrupt = join(dir, 'fd-bad-deflate.zip');
    await writeFile(corrupt, await corruptDeflateZip());
    const count = (): number => readdirSync('/proc/self/fd').length;
    const before = count();
    for (let i = 0; i < 30; i += 1) {
      await listZipEntries(file);
      await readZipEntry(file, 'a.txt', 10);
      await readZipEntry(file, 'big.bin', 10).catch(() => undefined);
      await readZipEntry(file, 'missing', 10).catch(() => undefined);
      await forEachZipEntry(file, () => {
        throw new Error('stop');
      }).catch(() => undefined);
      await readZipEntry(corrupt, 'big.txt', 1_000_000).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(count()).toBeLessThanOrEqual(before + 2);
  });
});
