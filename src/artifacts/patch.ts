/**
 * Fix pack and hotfix archives: what they change, classified for the eligibility rules. Archives
 * inside the patch (lpkg, war, jar, zip) are opened recursively within ARCHIVE_LIMITS, so SQL,
 * upgrade processes and cluster classes are found at any depth; what cannot be opened is listed as
 * unreadable, which makes the verdict the safe one.
 */
import { ARCHIVE_LIMITS, LimitError, type Budget } from './budget.js';
import { printable } from './checks.js';
import { parseJsonDocumentation, parseXmlDocumentation, sanitizeDoc, type DocFacts } from './patch-doc.js';
import type { PatchContent, PatchFacts } from './types.js';
import { forEachZipEntry, ZipError, type ReadCurrentEntry, type ZipEntryInfo } from './zip.js';

const MIB = 1024 * 1024;
const DOCUMENTATION_MAX_BYTES = 16 * MIB;

/** At most this many entries are listed in `clusterClasses` and `sqlOrUpgradeFiles` (counts go on). */
const LISTED_PATHS_MAX = 20;

/** Archives a patch may carry, opened and inspected in turn. */
const NESTED_EXTENSIONS: ReadonlySet<string> = new Set(['.jar', '.war', '.lpkg', '.zip']);
/** Archives that count as replaced code at the patch's top level. */
const CODE_ARCHIVES: ReadonlySet<string> = new Set(['.jar', '.war', '.lpkg']);
const STATIC_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jsp',
  '.jspf',
  '.jspx',
  '.css',
  '.scss',
  '.sass',
  '.less',
  '.js',
  '.mjs',
  '.map',
  '.html',
  '.htm',
  '.png',
  '.gif',
  '.jpg',
  '.jpeg',
  '.svg',
  '.ico',
  '.webp',
  '.bmp',
  '.woff',
  '.woff2',
  '.ttf',
  '.eot',
  '.otf',
  '.ftl',
  '.vm',
  '.soy',
]);
/** Liferay language bundles (`content/Language_pt_BR.properties`); other .properties files are "other". */
const LANGUAGE_FILE = /(?:^|\/)Language(?:_[A-Za-z0-9_-]+)?\.properties$/;
/** Classes that must never change in a rolling restart (cluster communication and clustered scheduling/caching). */
const CLUSTER_CLASS =
  /(?:^|\/)com\/liferay\/portal\/(?:kernel\/cluster\/|kernel\/scheduler\/multiple\/|cache\/multiple\/|scheduler\/multiple\/|kernel\/exception\/NoSuchClusterGroupException(?:\$[^/]*)?\.class$)/;
const UPGRADE_CLASS = /(?:^|\/)upgrade\//;

/** The file extension of an entry name, lower case with its dot ('' when none). */
export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** Makes a library message fit inside one sentence: no inner full stops, no trailing period. */
export function oneClause(text: string): string {
  const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  return lowerFirst(text.trim())
    .replace(/\.\s+(\S+)/g, (_m, word: string) => `; ${lowerFirst(word)}`)
    .replace(/\.$/, '');
}

/** Why an archive (or a nested one) could not be read, without naming it. */
export function zipReason(err: unknown): string {
  if (!(err instanceof ZipError)) return oneClause(err instanceof Error ? err.message : String(err));
  const reason = oneClause(err.reason);
  return err.kind === 'format' ? `not a readable zip archive (${reason})` : reason;
}

type DocKind = 'json' | 'xml';

interface PatchScan {
  content: PatchContent;
  clusterClasses: string[];
  sqlOrUpgradeFiles: string[];
  unreadable: string[];
  docs: Partial<Record<DocKind, { entry: string; depth: number; text: string }>>;
  budget: Budget;
}

function pushLimited(list: string[], item: string): void {
  if (list.length < LISTED_PATHS_MAX) list.push(printable(item));
}

function unreadable(scan: PatchScan, item: string): void {
  if (scan.unreadable.length < LISTED_PATHS_MAX) scan.unreadable.push(printable(item, 400));
}

/** Counts a `.class` or `.sql` entry (at any nesting level); false when the entry is neither. */
function recordCodeEntry(scan: PatchScan, name: string, display: string): boolean {
  const ext = extensionOf(name);
  if (ext === '.class') {
    scan.content.classes += 1;
    if (CLUSTER_CLASS.test(name)) pushLimited(scan.clusterClasses, display);
    if (UPGRADE_CLASS.test(name)) {
      scan.content.sqlOrUpgrade += 1;
      pushLimited(scan.sqlOrUpgradeFiles, display);
    }
    return true;
  }
  if (ext === '.sql') {
    scan.content.sqlOrUpgrade += 1;
    pushLimited(scan.sqlOrUpgradeFiles, display);
    return true;
  }
  return false;
}

/** Scans an in-memory archive's entries, opening the archives inside it in turn. */
async function scanArchiveBuffer(scan: PatchScan, data: Buffer, display: string, depth: number): Promise<void> {
  try {
    await forEachZipEntry(
      data,
      async (inner, read) => {
        scan.budget.entry(inner.size);
        if (inner.isDirectory) return;
        const path = `${display}!${inner.name}`;
        if (recordCodeEntry(scan, inner.name, path)) return;
        if (NESTED_EXTENSIONS.has(extensionOf(inner.name))) await scanNestedArchive(scan, inner, read, path, depth + 1);
      },
      display,
    );
  } catch (err) {
    if (err instanceof LimitError) throw err;
    unreadable(scan, `${display}: ${zipReason(err)}`);
  }
}

async function scanNestedArchive(
  scan: PatchScan,
  entry: ZipEntryInfo,
  read: ReadCurrentEntry,
  display: string,
  depth: number,
): Promise<void> {
  if (entry.size > ARCHIVE_LIMITS.maxNestedBytes)
    return unreadable(
      scan,
      `${display}: ${entry.size} bytes, larger than the ${ARCHIVE_LIMITS.maxNestedBytes / MIB} MiB inspection limit`,
    );
  if (depth > ARCHIVE_LIMITS.maxDepth)
    return unreadable(scan, `${display}: archives nested more than ${ARCHIVE_LIMITS.maxDepth} levels deep`);
  scan.budget.beforeRead(display, entry.size, entry.compressedSize);
  let data: Buffer;
  try {
    data = await read(ARCHIVE_LIMITS.maxNestedBytes);
  } catch (err) {
    return unreadable(scan, `${display}: ${zipReason(err)}`);
  }
  await scanArchiveBuffer(scan, data, display, depth);
}

function documentationKind(name: string): DocKind | 'other' | null {
  const base = name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  if (!base.startsWith('fixpack_documentation.')) return null;
  if (base === 'fixpack_documentation.json') return 'json';
  if (base === 'fixpack_documentation.xml') return 'xml';
  return 'other';
}

/** Keeps the shallowest documentation file of each kind. */
async function collectDoc(scan: PatchScan, kind: DocKind, entry: ZipEntryInfo, read: ReadCurrentEntry): Promise<void> {
  const depth = entry.name.split('/').length;
  const current = scan.docs[kind];
  if (current !== undefined && current.depth <= depth) return;
  scan.budget.beforeRead(entry.name, entry.size, entry.compressedSize);
  try {
    const text = (await read(DOCUMENTATION_MAX_BYTES)).toString('utf8');
    scan.docs[kind] = { entry: entry.name, depth, text };
  } catch (err) {
    unreadable(scan, `${entry.name}: ${zipReason(err)}`);
  }
}

function isStaticResource(name: string): boolean {
  return STATIC_EXTENSIONS.has(extensionOf(name)) || LANGUAGE_FILE.test(name);
}

async function scanPatchEntry(scan: PatchScan, entry: ZipEntryInfo, read: ReadCurrentEntry): Promise<void> {
  scan.budget.entry(entry.size);
  if (entry.isDirectory) return;
  const doc = documentationKind(entry.name);
  if (doc === 'json' || doc === 'xml') return collectDoc(scan, doc, entry, read);
  if (doc === 'other') return; // e.g. an HTML rendering of the documentation: not a change
  if (recordCodeEntry(scan, entry.name, entry.name)) return;
  const ext = extensionOf(entry.name);
  if (CODE_ARCHIVES.has(ext)) scan.content.jars += 1;
  else if (isStaticResource(entry.name)) scan.content.jspOrStatic += 1;
  else scan.content.other += 1;
  if (NESTED_EXTENSIONS.has(ext)) await scanNestedArchive(scan, entry, read, entry.name, 1);
}

const NO_DOC: DocFacts = { name: null, product: null, requirements: [], fixedIssues: 0 };

/** Picks the JSON documentation, else the XML one; unusable documentation files are noted in `unreadable`. */
function resolveDocumentation(scan: PatchScan): DocFacts & { documentation: DocKind | null } {
  for (const kind of ['json', 'xml'] as const) {
    const doc = scan.docs[kind];
    if (doc === undefined) continue;
    try {
      const facts = kind === 'json' ? parseJsonDocumentation(doc.text) : parseXmlDocumentation(doc.text);
      if (facts !== null) return { documentation: kind, ...facts };
      unreadable(scan, `${doc.entry}: no patch name, product, requirements or fixed issues found`);
    } catch (err) {
      unreadable(
        scan,
        `${doc.entry}: invalid ${kind === 'json' ? 'JSON' : 'XML'} (` +
          `${oneClause(err instanceof Error ? err.message : String(err))})`,
      );
    }
  }
  return { documentation: null, ...NO_DOC };
}

/**
 * Inspects a patch zip; `invalid` says why its documentation cannot be trusted at all. Throws ZipError or LimitError.
 */
export async function inspectPatch(
  absPath: string,
  budget: Budget,
): Promise<{ facts: PatchFacts; invalid: string | null }> {
  const scan: PatchScan = {
    content: { jspOrStatic: 0, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 },
    clusterClasses: [],
    sqlOrUpgradeFiles: [],
    unreadable: [],
    docs: {},
    budget,
  };
  await forEachZipEntry(absPath, (entry, read) => scanPatchEntry(scan, entry, read));
  const doc = resolveDocumentation(scan);
  const clean = sanitizeDoc(doc);
  const facts: PatchFacts = {
    name: clean.name,
    product: clean.product,
    requirements: clean.requirements,
    fixedIssues: clean.fixedIssues,
    documentation: doc.documentation,
    content: scan.content,
    clusterClasses: scan.clusterClasses,
    sqlOrUpgradeFiles: scan.sqlOrUpgradeFiles,
    unreadable: scan.unreadable,
  };
  return { facts, invalid: clean.invalid };
}
