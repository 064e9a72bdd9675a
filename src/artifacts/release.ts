/**
 * A Liferay release artifact (a Tomcat bundle zip or an `.lpkg`): the bundles in it, at any nesting
 * level (bundle → lpkg → jar), with their `Liferay-Require-SchemaVersion`, which preflight compares
 * with the node's. What cannot be read makes the whole list unknown (the safe verdict).
 */
import { ARCHIVE_LIMITS, Budget, LimitError } from './budget.js';
import { isOsgiVersion, isSymbolicName, printable } from './checks.js';
import { parseManifest } from './manifest.js';
import { extensionOf, zipReason } from './patch.js';
import type { ManifestFacts } from './types.js';
import { forEachZipEntry, type ReadCurrentEntry, type ZipEntryInfo } from './zip.js';

/** A bundle found in a release artifact (its symbolic name checked against OSGi syntax). */
type ReleaseBundle = ManifestFacts & { bundleSymbolicName: string };

const MIB = 1024 * 1024;
const BUNDLE_EXTENSIONS = new Set(['.jar', '.war']);
const CONTAINER_EXTENSIONS = new Set(['.lpkg', '.zip']);

interface Scan {
  budget: Budget;
  bundles: ReleaseBundle[];
  problems: string[];
}

/** Lists the bundles of a release artifact; `problem` says what could not be read (the list is then incomplete). */
export async function inspectRelease(
  source: string,
  budget: Budget,
): Promise<{ bundles: ReleaseBundle[]; problem: string | null }> {
  const scan: Scan = { budget, bundles: [], problems: [] };
  await forEachZipEntry(source, (entry, read) => visit(scan, entry, read, entry.name, 1));
  return { bundles: scan.bundles, problem: scan.problems.length > 0 ? scan.problems.slice(0, 3).join('; ') : null };
}

async function visit(
  scan: Scan,
  entry: ZipEntryInfo,
  read: ReadCurrentEntry,
  display: string,
  depth: number,
): Promise<void> {
  scan.budget.entry(entry.size);
  if (entry.isDirectory) return;
  const ext = extensionOf(entry.name);
  if (!BUNDLE_EXTENSIONS.has(ext) && !CONTAINER_EXTENSIONS.has(ext)) return;
  if (entry.size > ARCHIVE_LIMITS.maxNestedBytes)
    return void scan.problems.push(
      `${display}: ${entry.size} bytes, larger than the ${ARCHIVE_LIMITS.maxNestedBytes / MIB} MiB inspection limit`,
    );
  if (depth > ARCHIVE_LIMITS.maxDepth)
    return void scan.problems.push(`${display}: archives nested more than ${ARCHIVE_LIMITS.maxDepth} levels deep`);
  scan.budget.beforeRead(display, entry.size, entry.compressedSize);
  let data: Buffer;
  try {
    data = await read(ARCHIVE_LIMITS.maxNestedBytes);
  } catch (err) {
    return void scan.problems.push(`${display}: ${zipReason(err)}`);
  }
  try {
    if (BUNDLE_EXTENSIONS.has(ext)) await readBundle(scan, data, display);
    else
      await forEachZipEntry(
        data,
        (inner, readInner) => visit(scan, inner, readInner, `${display}!${inner.name}`, depth + 1),
        display,
      );
  } catch (err) {
    if (err instanceof LimitError) throw err;
    scan.problems.push(`${display}: ${zipReason(err)}`);
  }
}

/** Reads one jar's or war's manifest (a war without one is not an OSGi bundle yet: no schema version to compare). */
async function readBundle(scan: Scan, data: Buffer, display: string): Promise<void> {
  let manifest: ManifestFacts | null = null;
  await forEachZipEntry(
    data,
    async (inner, read) => {
      scan.budget.entry(inner.size);
      if (inner.name !== 'META-INF/MANIFEST.MF') return;
      scan.budget.beforeRead(`${display}!${inner.name}`, inner.size, inner.compressedSize);
      manifest = parseManifest(await read(4 * MIB));
    },
    display,
  );
  const m = manifest as ManifestFacts | null;
  if (!m?.bundleSymbolicName) return;
  if (
    !isSymbolicName(m.bundleSymbolicName) ||
    (m.requireSchemaVersion !== null && !isOsgiVersion(m.requireSchemaVersion))
  ) {
    scan.problems.push(`${display}: a manifest lrroll cannot use (${printable(m.bundleSymbolicName, 60)})`);
    return;
  }
  scan.bundles.push({ ...m, bundleSymbolicName: m.bundleSymbolicName });
}
