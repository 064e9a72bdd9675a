// Writes the small, real artifacts the example playbooks name (jars, a war, patch zips).
// They are committed; run this only to regenerate them: node scripts/make-example-artifacts.mjs
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yazl from 'yazl';

const dir = fileURLToPath(new URL('../playbooks/', import.meta.url));
const mtime = new Date('2026-01-01T00:00:00Z');

function zip(file, entries) {
  return new Promise((resolve, reject) => {
    const z = new yazl.ZipFile();
    for (const [name, content] of Object.entries(entries)) z.addBuffer(Buffer.from(content), name, { mtime });
    z.outputStream
      .pipe(createWriteStream(`${dir}${file}`))
      .on('close', resolve)
      .on('error', reject);
    z.end();
  });
}

const manifest = (fields) =>
  `Manifest-Version: 1.0\r\n${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;

mkdirSync(`${dir}artifacts`, { recursive: true });
mkdirSync(`${dir}patches`, { recursive: true });
await zip('artifacts/com.acme.orders.service-2.1.3.jar', {
  'META-INF/MANIFEST.MF': manifest({
    'Bundle-ManifestVersion': '2',
    'Bundle-SymbolicName': 'com.acme.orders.service',
    'Bundle-Version': '2.1.3',
    'Liferay-Require-SchemaVersion': '2.1.0',
    'Liferay-Service': 'true',
  }),
  'com/acme/orders/service/impl/OrderLocalServiceImpl.class': 'class bytes',
});
await zip('artifacts/acme-theme-1.4.0.war', {
  'WEB-INF/liferay-plugin-package.properties':
    'name=Acme Theme\nmodule-group-id=acme\nmodule-incremental-version=1\nservlet-context-name=acme-theme\nBundle-Version=1.4.0\n',
  'css/main.css': 'body { color: #123; }',
});
const portalKernel = await new Promise((resolve) => {
  const z = new yazl.ZipFile();
  z.addBuffer(Buffer.from(manifest({ 'Bundle-SymbolicName': 'portal-impl' })), 'META-INF/MANIFEST.MF', { mtime });
  z.addBuffer(Buffer.from('class bytes'), 'com/liferay/portal/service/impl/LayoutLocalServiceImpl.class', { mtime });
  const chunks = [];
  z.outputStream.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
  z.end();
});
const doc = (name, requirements, issues) =>
  JSON.stringify(
    {
      patch: { id: name, name, product: 'dxp', requirements, 'fixed-issues': issues },
      build: { 'git-revision': 'a1b2c3d' },
    },
    null,
    2,
  );
await zip('patches/liferay-fix-pack-dxp-15-7210.zip', {
  'fixpack_documentation.json': doc('dxp-15-7210', 'dxp=14', ['LPS-150001', 'LPS-150002']),
  'binary/war/WEB-INF/lib/portal-impl.jar': portalKernel,
  'binary/war/html/portlet/layouts_admin/view.jsp': '<%-- fixed --%>',
});
await zip('patches/liferay-hotfix-1234-7210.zip', {
  'fixpack_documentation.json': doc('hotfix-1234-7210', 'dxp=15', ['LPS-160123']),
  'binary/war/html/portlet/login/login.jsp': '<%-- fixed --%>',
  'binary/war/html/css/main.css': 'a { color: blue; }',
});
// DXP release artifacts: an lpkg set (as 7.4 updates ship) and a Tomcat bundle (as quarterly releases ship), each with
// a
// Service Builder module whose Liferay-Require-SchemaVersion preflight compares with the node's.
const jarBytes = (fields, cls) =>
  new Promise((resolve) => {
    const z = new yazl.ZipFile();
    z.addBuffer(Buffer.from(manifest(fields)), 'META-INF/MANIFEST.MF', { mtime });
    z.addBuffer(Buffer.from('class bytes'), cls, { mtime });
    const chunks = [];
    z.outputStream.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
    z.end();
  });
const journalService = await jarBytes(
  {
    'Bundle-SymbolicName': 'com.liferay.journal.service',
    'Bundle-Version': '5.0.93',
    'Liferay-Require-SchemaVersion': '4.4.2',
  },
  'com/liferay/journal/service/impl/JournalArticleLocalServiceImpl.class',
);
const journalApi = await jarBytes(
  { 'Bundle-SymbolicName': 'com.liferay.journal.api', 'Bundle-Version': '28.1.4' },
  'com/liferay/journal/model/JournalArticle.class',
);
mkdirSync(`${dir}releases`, { recursive: true });
await zip('releases/Liferay Foundation.lpkg', {
  'com.liferay.journal.service-5.0.93.jar': journalService,
  'com.liferay.journal.api-28.1.4.jar': journalApi,
  'liferay-marketplace.properties': 'title=Liferay Foundation\nversion=7.4.13.102\n',
});
await zip('releases/liferay-dxp-tomcat-2024.q1.3.zip', {
  'liferay-dxp/.liferay-home': '',
  'liferay-dxp/tomcat/bin/catalina.sh': '#!/bin/sh\necho "example bundle: not a real Tomcat"\n',
  'liferay-dxp/tomcat/conf/server.xml': '<Server port="8005" shutdown="SHUTDOWN"/>\n',
  'liferay-dxp/tomcat/webapps/ROOT/WEB-INF/web.xml': '<web-app/>\n',
  'liferay-dxp/osgi/portal/com.liferay.journal.service.jar': journalService,
  'liferay-dxp/osgi/portal/com.liferay.journal.api.jar': journalApi,
  'liferay-dxp/osgi/static/org.apache.felix.fileinstall.jar': await jarBytes(
    { 'Bundle-SymbolicName': 'org.apache.felix.fileinstall', 'Bundle-Version': '3.7.4' },
    'org/apache/felix/fileinstall/FileInstall.class',
  ),
  'liferay-dxp/patching-tool/patching-tool.sh': '#!/bin/sh\necho "Patching-tool version: 4.0.0"\n',
});
await zip('patches/liferay-dxp-2024.q1.1-hotfix-3.zip', {
  'fixpack_documentation.json': doc('liferay-dxp-2024.q1.1-hotfix-3', 'dxp=2024.q1.1', ['LPD-21001']),
  'binary/war/html/portlet/login/login.jsp': '<%-- fixed --%>',
});
writeFileSync(
  `${dir}configs/com.liferay.journal.configuration.JournalServiceConfiguration.config`,
  'articleCommentsEnabled=B"false"\ncheckInterval=I"15"\n',
);
writeFileSync(
  `${dir}files/server.xml`,
  '<?xml version="1.0" encoding="UTF-8"?>\n<Server port="8005" shutdown="SHUTDOWN">\n  <Service ' +
    'name="Catalina">\n    <Connector port="8080" protocol="HTTP/1.1" connectionTimeout="20000" ' +
    'maxThreads="400" URIEncoding="UTF-8" />\n    <Engine name="Catalina" defaultHost="localhost" ' +
    'jvmRoute="${jvmRoute}">\n      <Host name="localhost" appBase="webapps" unpackWARs="true" ' +
    'autoDeploy="false" />\n    </Engine>\n  </Service>\n</Server>\n',
);
writeFileSync(
  `${dir}files/activation-key-dxp-7.4-acme.xml`,
  '<?xml version="1.0"?>\n<license>\n  <account-name>Acme Corp</account-name>\n  ' +
    '<product-name>Digital Enterprise Production</product-name>\n  ' +
    '<product-version>7.4</product-version>\n  <license-type>production</license-type>\n  ' +
    '<expiration-date>Thursday, December 31, 2027</expiration-date>\n  ' +
    '<key>0000-EXAMPLE-KEY-NOT-VALID</key>\n</license>\n',
);
console.log('example artifacts written under playbooks/');
