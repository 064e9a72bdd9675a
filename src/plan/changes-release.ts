// A move to another Liferay DXP release on one node: a new `.lpkg` set into osgi/marketplace, or a
// new Tomcat bundle laid in place the way Liferay's "Updating Liferay" describes (the node's own
// configuration carried over). See docs/liferay-releases.md.
import type { ReleaseChange } from '../playbook/playbook.generated.js';
import {
  absoluteUnder,
  baseName,
  installFileCommand,
  simple,
  upload,
  verifySha,
  type ChangeContext,
  type ChangeSteps,
  type Upload,
} from './change-steps.js';
import { DEFAULTS } from './defaults.js';
import { releaseSchemaBundles } from './eligibility-releases.js';
import { parseRelease, releaseName } from '../domain/releases.js';
import { installedReleaseCommand, releaseMarker } from './release-check.js';
import { shq } from '../shell/quote.js';

/** Tomcat paths Liferay says to keep when moving to a new bundle ("Updating Liferay", Important Files). */
export const CARRIED_TOMCAT_PATHS = [
  'conf/server.xml',
  'conf/web.xml',
  'bin/setenv.sh',
  'conf/Catalina/localhost',
  'webapps/ROOT/WEB-INF/classes/ehcache-config',
  'webapps/ROOT/WEB-INF/classes/META-INF/portal-log4j-ext.xml',
] as const;

/** Liferay Home folders a bundle brings and lrroll replaces whole (configs, modules, wars and data stay). */
const PRODUCT_OSGI_DIRS = ['core', 'portal', 'portal-war', 'static'] as const;

/** The steps of a `release` change on one node. */
export function releaseSteps(change: ReleaseChange, ctx: ChangeContext): ChangeSteps {
  const home = ctx.node.plan.liferayHome;
  const target = parseRelease(change.to);
  const to = target ? releaseName(target) : change.to;
  const out = change.bundle
    ? bundleRelease(change, change.bundle, to, ctx)
    : lpkgRelease(change, change.lpkgs ?? [], to, ctx);
  out.apply.timeoutSec = 1800;
  out.apply.expectSec = change.bundle ? 120 : 30;
  if (change.from) {
    const schemas = releaseSchemaBundles(change, ctx.artifacts).map((b) => ({
      bundle: b.bundle,
      schemaVersion: b.schemaVersion,
    }));
    out.checks.push({
      action: 'check-release',
      expected: change.from,
      schemas,
      command: installedReleaseCommand(home, ctx.node.plan.tomcatHome, schemas.length > 0),
    });
  }
  return out;
}

/** Records the release lrroll installed, so the next move's preflight reads it without the log. */
function recordRelease(home: string, to: string): string {
  const marker = releaseMarker(home);
  return `mkdir -p ${shq(marker.slice(0, marker.lastIndexOf('/')))} && printf '%s\\n' ${shq(to)} > ${shq(marker)}`;
}

function clearState(change: ReleaseChange, home: string): string[] {
  return (change.clearOsgiState ?? DEFAULTS.change.clearOsgiState) ? [`rm -rf ${shq(`${home}/osgi/state`)}`] : [];
}

function lpkgRelease(
  change: ReleaseChange,
  lpkgs: readonly string[],
  to: string,
  ctx: ChangeContext,
): ChangeSteps & { apply: NonNullable<ChangeSteps['apply']> } {
  const home = ctx.node.plan.liferayHome;
  const dir = `${home}/osgi/marketplace`;
  const uploads = lpkgs.map((p) => upload(p, ctx));
  const files = lpkgs.map((p, i) => ({ dest: `${dir}/${baseName(p)}`, up: uploads[i] as Upload }));
  const install = [
    ...files.map((f) => installFileCommand(f.up.remotePath, f.dest)),
    ...clearState(change, home),
    recordRelease(home, to),
  ];
  const out = simple(
    `Liferay ${to}: ${files.length} lpkg(s) into ${dir}`,
    [dir, releaseMarker(home)],
    install.join(' && '),
  );
  out.uploads.push(...uploads);
  out.verify = {
    title: `${files.length} lpkg(s) in place with the expected checksums`,
    command: files.map((f) => verifySha(f.dest, f.up.sha256)).join(' && '),
  };
  for (const f of files) out.preview.push({ kind: 'install', path: f.dest, sha256: f.up.sha256, size: f.up.size });
  return out;
}

function bundleRelease(
  change: ReleaseChange,
  bundle: string,
  to: string,
  ctx: ChangeContext,
): ChangeSteps & { apply: NonNullable<ChangeSteps['apply']> } {
  const home = ctx.node.plan.liferayHome;
  const tomcat = ctx.node.plan.tomcatHome;
  const up = upload(bundle, ctx);
  const carry = [
    ...CARRIED_TOMCAT_PATHS,
    ...(change.carry ?? []).map((c, i) =>
      ctx.templater.path(c, ctx.node.scope, ctx.locate(['carry', i]), ctx.node.plan.name, 'relative-ok'),
    ),
  ];
  const backups = [
    tomcat,
    ...PRODUCT_OSGI_DIRS.map((d) => `${home}/osgi/${d}`),
    `${home}/osgi/marketplace`,
    `${home}/tools`,
    `${home}/patching-tool`,
    releaseMarker(home),
  ];
  const out = simple(
    `Liferay ${to}: the bundle ${baseName(bundle)} in place of ${tomcat} and Liferay's osgi folders`,
    backups,
    bundleInstallCommand({
      home,
      tomcat,
      staged: up.remotePath,
      work: `${up.remotePath}.d`,
      carry,
      clear: clearState(change, home),
      record: recordRelease(home, to),
    }),
  );
  out.uploads.push(up);
  out.verify = {
    title: `Liferay ${to} in place (its Tomcat and release record)`,
    command: `[ -d ${shq(`${tomcat}/webapps/ROOT`)} ] && grep -qxF ${shq(to)} ${shq(releaseMarker(home))}`,
  };
  out.preview.push({
    kind: 'opaque',
    title: `replace ${tomcat} and Liferay's osgi folders with the bundle ${baseName(bundle)}`,
  });
  return out;
}

interface BundleInstall {
  home: string;
  tomcat: string;
  staged: string;
  work: string;
  carry: readonly string[];
  clear: string[];
  record: string;
}

/**
 * Unpacks the bundle next to its staged zip, carries the node's own Tomcat files into the new
 * Tomcat folder, then swaps the new Tomcat and Liferay's own folders in. Every path replaced was
 * backed up first; a failure before the swap leaves the node as it was.
 */
export function bundleInstallCommand(b: BundleInstall): string {
  const carried = b.carry
    .map((c) => absoluteUnder('', c).replace(/^\/+/, ''))
    .map((c) => shq(c))
    .join(' ');
  return [
    'set -e',
    `home=${shq(b.home)}; tc=${shq(b.tomcat)}; work=${shq(b.work)}`,
    'rm -rf "$work"; mkdir -p "$work"',
    `unzip -q ${shq(b.staged)} -d "$work"`,
    `root=$(find "$work" -maxdepth 3 -type d -name osgi | head -n 1); root=\${root%/osgi}`,
    `[ -n "$root" ] || { echo 'lrroll: the bundle has no Liferay Home (no osgi folder)' >&2; exit 1; }`,
    'ntc=$(find "$root" -mindepth 1 -maxdepth 1 -type d -name \'tomcat*\' | head -n 1)',
    `[ -n "$ntc" ] || { echo 'lrroll: the bundle has no tomcat folder' >&2; exit 1; }`,
    `for f in ${carried}; do if [ -e "$tc/$f" ]; then rm -rf "$ntc/$f"; ` +
      `mkdir -p "$(dirname "$ntc/$f")"; cp -pPR "$tc/$f" "$ntc/$f"; fi; done`,
    // Database drivers and other jars the node added to tomcat/lib, which the new bundle lacks.
    'for j in "$tc"/lib/*.jar; do [ -f "$j" ] || continue; [ -e "$ntc/lib/${j##*/}" ] || { mkdir -p ' +
      '"$ntc/lib" && cp -p "$j" "$ntc/lib/"; }; done',
    'for p in "$home"/patching-tool/*.properties; do [ -f "$p" ] && [ -d "$root/patching-tool" ] && ' +
      'cp -p "$p" "$root/patching-tool/"; done',
    'rm -rf "$tc"; mv "$ntc" "$tc"',
    `for d in ${PRODUCT_OSGI_DIRS.join(' ')}; do if [ -d "$root/osgi/$d" ]; then rm -rf ` +
      `"$home/osgi/$d"; mv "$root/osgi/$d" "$home/osgi/$d"; fi; done`,
    // Liferay's own lpkgs go (a quarterly bundle has none); Marketplace apps stay.
    `find "$home/osgi/marketplace" -maxdepth 1 -type f -name 'Liferay *.lpkg' -exec rm -f {} + 2>/dev/null || true`,
    'if [ -d "$root/osgi/marketplace" ]; then mkdir -p "$home/osgi/marketplace"; for f in ' +
      '"$root"/osgi/marketplace/*; do [ -e "$f" ] || continue; rm -rf ' +
      '"$home/osgi/marketplace/${f##*/}"; mv "$f" "$home/osgi/marketplace/"; done; fi',
    'for d in tools patching-tool; do if [ -d "$root/$d" ]; then rm -rf "$home/$d"; mv "$root/$d" "$home/$d"; fi; done',
    ...b.clear,
    'rm -rf "$work"',
    b.record,
  ].join('\n');
}
