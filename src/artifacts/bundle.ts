/**
 * Bundles (jar, war, lpkg) among the artifacts: the OSGi manifest lrroll reads from them, and
 * whether its names can be used as they are.
 */
import type { Budget } from './budget.js';
import { isOsgiVersion, isSymbolicName, printable } from './checks.js';
import { parseManifest, parseProperties, stripDirectives } from './manifest.js';
import { extensionOf } from './patch.js';
import type { ManifestFacts } from './types.js';
import { forEachZipEntry } from './zip.js';

const MIB = 1024 * 1024;
/** Largest metadata entry or configuration file read into memory. */
export const METADATA_MAX_BYTES = 4 * MIB;
const MANIFEST_ENTRY = 'META-INF/MANIFEST.MF';
const PLUGIN_PACKAGE_ENTRY = 'WEB-INF/liferay-plugin-package.properties';

/** Reads the entries whose names match `wanted` case-insensitively (an exact-case match wins). */
async function readNamedEntries(
  source: string,
  wanted: readonly string[],
  maxBytes: number,
  budget: Budget,
): Promise<Map<string, Buffer>> {
  const byLower = new Map(wanted.map((name) => [name.toLowerCase(), name]));
  const found = new Map<string, Buffer>();
  await forEachZipEntry(source, async (entry, read) => {
    budget.entry(entry.size);
    const canonical = byLower.get(entry.name.toLowerCase());
    if (canonical === undefined || entry.isDirectory) return;
    if (found.has(canonical) && entry.name !== canonical) return;
    budget.beforeRead(entry.name, entry.size, entry.compressedSize);
    found.set(canonical, await read(maxBytes));
  });
  return found;
}

const NULL_MANIFEST: Readonly<ManifestFacts> = {
  bundleSymbolicName: null,
  bundleVersion: null,
  requireSchemaVersion: null,
};

/**
 * A war is used as is when its META-INF/MANIFEST.MF already names a bundle (a WAB); otherwise
 * Liferay's WAB generator builds the manifest, taking headers from liferay-plugin-package.properties
 * (`Bundle-SymbolicName`, else `servlet-context-name`; `Bundle-Version`; `Liferay-Require-SchemaVersion`).
 */
function completeWarManifest(manifest: ManifestFacts | null, pluginPackage: Buffer | undefined): ManifestFacts {
  const facts: ManifestFacts = { ...(manifest ?? NULL_MANIFEST) };
  if (facts.bundleSymbolicName !== null || pluginPackage === undefined) return facts;
  const props = parseProperties(pluginPackage.toString('utf8'));
  const value = (key: string): string | null => props.get(key)?.trim() || null;
  facts.bundleSymbolicName = stripDirectives(props.get('Bundle-SymbolicName')) ?? value('servlet-context-name');
  facts.bundleVersion = value('Bundle-Version') ?? facts.bundleVersion;
  facts.requireSchemaVersion = value('Liferay-Require-SchemaVersion') ?? facts.requireSchemaVersion;
  return facts;
}

/**
 * The manifest of a jar or war (a war's completed as Liferay's WAB generator does); null for an lpkg, which has none.
 */
export async function inspectBundle(absPath: string, fileName: string, budget: Budget): Promise<ManifestFacts | null> {
  const ext = extensionOf(fileName);
  if (ext === '.lpkg') {
    // Only proves it is a readable zip within the limits; an lpkg has no manifest of its own.
    await forEachZipEntry(absPath, (entry) => budget.entry(entry.size));
    return null;
  }
  const wanted = ext === '.war' ? [MANIFEST_ENTRY, PLUGIN_PACKAGE_ENTRY] : [MANIFEST_ENTRY];
  const found = await readNamedEntries(absPath, wanted, METADATA_MAX_BYTES, budget);
  const manifestBytes = found.get(MANIFEST_ENTRY);
  const manifest = manifestBytes === undefined ? null : parseManifest(manifestBytes);
  return ext === '.war' ? completeWarManifest(manifest, found.get(PLUGIN_PACKAGE_ENTRY)) : manifest;
}

/**
 * Why the manifest cannot be used as is, or null: the symbolic name reaches plans, health gates and
 * commands on every node, so it must be what OSGi allows and nothing more.
 */
export function manifestProblem(manifest: ManifestFacts | null): string | null {
  if (manifest === null) return null;
  const { bundleSymbolicName: bsn, bundleVersion: version, requireSchemaVersion: schema } = manifest;
  if (bsn !== null && !isSymbolicName(bsn))
    return (
      `its Bundle-SymbolicName \`${printable(bsn, 80)}\` is not an OSGi symbolic name (letters, ` +
      `digits, \`_\`, \`-\` and dots)`
    );
  if (version !== null && !isOsgiVersion(version))
    return `its Bundle-Version \`${printable(version, 80)}\` is not an OSGi version`;
  if (schema !== null && !isOsgiVersion(schema))
    return `its Liferay-Require-SchemaVersion \`${printable(schema, 80)}\` is not a version`;
  return null;
}
