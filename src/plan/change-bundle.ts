/** Steps of module and theme changes, and the node-side readers of installed bundles (preflight, `lrroll facts`). */
import type { ModuleChange, ThemeChange } from '../playbook/playbook.generated.js';
import {
  baseName,
  installFileCommand,
  simple,
  upload,
  verifySha,
  type ChangeCheck,
  type ChangeContext,
  type ChangeSteps,
} from './change-steps.js';
import { DEFAULTS } from './defaults.js';
import { shq } from '../shell/quote.js';

/** Builds the steps of a module or theme change for one node. */
export function bundleSteps(change: ModuleChange | ThemeChange, ctx: ChangeContext): ChangeSteps {
  const up = upload(change.artifact, ctx);
  const facts = ctx.artifacts.get(change.artifact);
  const file = baseName(change.artifact);
  const home = ctx.node.plan.liferayHome;
  const isWar = /\.war$/i.test(file);
  const installed = `${home}/osgi/${/\.lpkg$/i.test(file) ? 'marketplace' : isWar ? 'war' : 'modules'}`;
  const dest =
    (change.deployTo ?? DEFAULTS.change.deployTo) === 'deploy' ? `${home}/deploy/${file}` : `${installed}/${file}`;
  const commands: string[] = [];
  if (change.replaces) {
    commands.push(
      `find ${shq(`${home}/osgi/modules`)} ${shq(`${home}/osgi/war`)} -maxdepth 1 -type f -name ` +
        `${shq(change.replaces)} ! -name ${shq(file)} -exec rm -f {} + 2>/dev/null || true`,
    );
  }
  commands.push(installFileCommand(up.remotePath, dest));
  const out = simple(`${change.type} ${file} → ${dest}`, [installed, dest], commands.join(' && '));
  out.uploads.push(up);
  out.preview.push({ kind: 'install', path: dest, sha256: up.sha256, size: up.size });
  const bundle = facts?.manifest?.bundleSymbolicName;
  if (bundle)
    out.preview.push({
      kind: 'module',
      home,
      bundle,
      version: facts.manifest?.bundleVersion ?? '?',
      file,
      replaces: change.replaces ?? null,
    });
  out.verify = {
    title: `${file} in place with sha256 ${up.sha256.slice(0, 12)}…`,
    command: verifySha(dest, up.sha256),
  };
  const bsn = facts?.manifest?.bundleSymbolicName;
  if (bsn) out.bundles.push(bsn);
  const required = facts?.manifest?.requireSchemaVersion;
  if (bsn && required) out.checks.push(schemaCheck(change, ctx, bsn, required));
  return out;
}

/** The preflight schema check, expecting what the node facts (or `installedSchemaVersion`) say when they say it. */
function schemaCheck(
  change: ModuleChange | ThemeChange,
  ctx: ChangeContext,
  bsn: string,
  required: string,
): ChangeCheck {
  const declared = change.type === 'module' ? change.installedSchemaVersion : undefined;
  const fact = ctx.facts.of(ctx.node.plan.name)?.modules.find((m) => m.bundle === bsn) ?? null;
  const expected =
    declared !== undefined
      ? { installed: true, schemaVersion: declared }
      : fact
        ? { installed: fact.installed, schemaVersion: fact.schemaVersion }
        : null;
  return {
    action: 'check-schema-version',
    bundle: bsn,
    newVersion: required,
    expected,
    command: installedBundleCommand(ctx.node.plan.liferayHome, bsn),
  };
}

/** Joins a manifest's continuation lines (a line starting with one space continues the one before). */
const UNFOLD_MANIFEST_AWK =
  'NR > 1 && /^ / { line = line substr($0, 2); next } { if (NR > 1) print line; line = $0 } END { print line }';

/** The folders (and file patterns) that hold installed bundles, under Liferay Home. */
const BUNDLE_GLOBS = ['osgi/modules/*.jar', 'osgi/war/*.war', 'osgi/marketplace/*.jar'];

/**
 * Shell lines that read `$f`'s manifest into `$n` (symbolic name), `$v` (version) and `$s` (required schema);
 * `continue` when it has none.
 */
function readManifestLines(): string[] {
  return [
    '  [ -f "$f" ] || continue',
    `  m=$(unzip -p "$f" META-INF/MANIFEST.MF 2>/dev/null | tr -d '\\r' | LC_ALL=C awk ` +
      `${shq(UNFOLD_MANIFEST_AWK)}) || continue`,
    `  n=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-SymbolicName: *//p' | sed 's/;.*//; s/[[:space:]]*$//')`,
    `  v=$(printf '%s\\n' "$m" | sed -n 's/^Bundle-Version: *//p' | sed 's/[[:space:]]*$//')`,
    `  s=$(printf '%s\\n' "$m" | sed -n 's/^Liferay-Require-SchemaVersion: *//p' | sed 's/[[:space:]]*$//')`,
  ];
}

function bundleLoop(home: string): string {
  return (
    `for f in ` +
    BUNDLE_GLOBS.map(
      (g) => `${shq(`${home}/${g.slice(0, g.lastIndexOf('/'))}`)}/${g.slice(g.lastIndexOf('/') + 1)}`,
    ).join(' ') +
    `; do`
  );
}

/**
 * Prints `installed<TAB><version><TAB><schema>` for the installed bundle `bsn` (nothing when it is
 * not installed). The name read from the artifact is compared as a quoted value (`[ "$n" = 'bsn' ]`),
 * never put into a pattern or unquoted text, whatever it holds.
 */
export function installedBundleCommand(home: string, bsn: string): string {
  return [
    bundleLoop(home),
    ...readManifestLines(),
    `  [ "$n" = ${shq(bsn)} ] || continue`,
    `  printf 'installed\\t%s\\t%s\\n' "$v" "$s"`,
    '  exit 0',
    'done',
  ].join('\n');
}

/** Prints `<bsn><TAB><version><TAB><schema>` for every installed bundle (for `lrroll facts`). */
export function listBundlesCommand(home: string): string {
  return [
    bundleLoop(home),
    ...readManifestLines(),
    '  [ -n "$n" ] || continue',
    `  printf '%s\\t%s\\t%s\\n' "$n" "$v" "$s"`,
    'done',
  ].join('\n');
}
