/**
 * Inspection of the local artifacts a playbook names (module jars, wars, lpkgs, fix packs and
 * hotfixes, plain files), so the planner can decide whether a change may be rolled node by node.
 * Nothing here throws for a bad input file: problems end up in `ArtifactFacts.error`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseManifest, parseProperties, stripDirectives } from './manifest.js';
import type { ArtifactFacts, ManifestFacts, PatchContent, PatchFacts } from './types.js';
import { forEachZipEntry, listZipEntries, ZipError } from './zip.js';
import type { ReadCurrentEntry, ZipEntryInfo } from './zip.js';

/** How an artifact is inspected: OSGi bundle / war / lpkg, fix pack or hotfix zip, or any other file. */
export type ArtifactKind = 'bundle' | 'patch' | 'file';

/** One artifact to inspect: the path as the playbook wrote it, where it is, and its kind. */
export interface ArtifactRequest {
  /** The path as written in the playbook (the key of the result map). */
  path: string;
  /** Absolute path on this machine. */
  absPath: string;
  /** How to inspect it. */
  kind: ArtifactKind;
}

const MIB = 1024 * 1024;

/** Largest archive nested in a patch (jar, war, lpkg) that is read into memory and inspected. */
export const NESTED_ARCHIVE_MAX_BYTES = 64 * MIB;

/** At most this many entries are listed in `clusterClasses` and `sqlOrUpgradeFiles` (counts go on). */
export const LISTED_PATHS_MAX = 20;

/** How many artifacts `inspectArtifacts` reads at the same time. */
export const INSPECT_CONCURRENCY = 4;

const METADATA_MAX_BYTES = 4 * MIB;
const DOCUMENTATION_MAX_BYTES = 16 * MIB;
const MANIFEST_ENTRY = 'META-INF/MANIFEST.MF';
const PLUGIN_PACKAGE_ENTRY = 'WEB-INF/liferay-plugin-package.properties';

const ARCHIVE_EXTENSIONS: ReadonlySet<string> = new Set(['.jar', '.war', '.lpkg']);
const STATIC_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jsp', '.jspf', '.jspx', '.css', '.scss', '.sass', '.less', '.js', '.mjs', '.map', '.html', '.htm',
  '.png', '.gif', '.jpg', '.jpeg', '.svg', '.ico', '.webp', '.bmp',
  '.woff', '.woff2', '.ttf', '.eot', '.otf', '.ftl', '.vm', '.soy',
]);
/** Liferay language bundles (`content/Language_pt_BR.properties`); other .properties files are "other". */
const LANGUAGE_FILE = /(?:^|\/)Language(?:_[A-Za-z0-9_-]+)?\.properties$/;
/** Classes that must never change in a rolling restart (cluster communication and clustered scheduling/caching). */
const CLUSTER_CLASS =
  /(?:^|\/)com\/liferay\/portal\/(?:kernel\/cluster\/|kernel\/scheduler\/multiple\/|cache\/multiple\/|scheduler\/multiple\/|kernel\/exception\/NoSuchClusterGroupException(?:\$[^/]*)?\.class$)/;
const UPGRADE_CLASS = /(?:^|\/)upgrade\//;

// ---------------------------------------------------------------------------------------------
// Small helpers

function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Makes a library message fit inside one sentence: no inner full stops, no trailing period. */
function oneClause(text: string): string {
  const lowerFirst = (s: string): string => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);
  return lowerFirst(text.trim())
    .replace(/\.\s+(\S+)/g, (_m, word: string) => `; ${lowerFirst(word)}`)
    .replace(/\.$/, '');
}

/** Why an archive (or a nested one) could not be read, without naming it. */
function zipReason(err: unknown): string {
  if (!(err instanceof ZipError)) return oneClause(messageOf(err));
  const reason = oneClause(err.reason);
  return err.kind === 'format' ? `not a readable zip archive (${reason})` : reason;
}

function describeFileError(err: unknown, absPath: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `File not found: ${absPath}`;
  if (code === 'EACCES' || code === 'EPERM') return `Permission denied reading ${absPath}`;
  if (code === 'EISDIR') return `${absPath} is a directory, not a file`;
  return `Cannot read ${absPath}: ${oneClause(messageOf(err))}`;
}

function describeArchiveError(err: unknown, fileName: string): string {
  if (err instanceof ZipError && err.kind === 'format') return `${fileName} is ${zipReason(err)}`;
  return `${fileName} could not be inspected: ${zipReason(err)}`;
}

async function hashFile(absPath: string): Promise<{ sha256: string; size: number }> {
  const info = await stat(absPath);
  if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(absPath)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

// ---------------------------------------------------------------------------------------------
// Bundles: jar, war, lpkg

/** Reads the entries whose names match `wanted` case-insensitively (an exact-case match wins). */
async function readNamedEntries(source: string, wanted: readonly string[], maxBytes: number): Promise<Map<string, Buffer>> {
  const byLower = new Map(wanted.map((name) => [name.toLowerCase(), name]));
  const found = new Map<string, Buffer>();
  await forEachZipEntry(source, async (entry, read) => {
    const canonical = byLower.get(entry.name.toLowerCase());
    if (canonical === undefined || entry.isDirectory) return;
    if (found.has(canonical) && entry.name !== canonical) return;
    found.set(canonical, await read(maxBytes));
  });
  return found;
}

const NULL_MANIFEST: Readonly<ManifestFacts> = { bundleSymbolicName: null, bundleVersion: null, requireSchemaVersion: null };

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

async function inspectBundle(absPath: string, fileName: string): Promise<ManifestFacts | null> {
  const ext = extensionOf(fileName);
  if (ext === '.lpkg') {
    await listZipEntries(absPath); // only proves it is a readable zip; an lpkg has no manifest of its own
    return null;
  }
  const wanted = ext === '.war' ? [MANIFEST_ENTRY, PLUGIN_PACKAGE_ENTRY] : [MANIFEST_ENTRY];
  const found = await readNamedEntries(absPath, wanted, METADATA_MAX_BYTES);
  const manifestBytes = found.get(MANIFEST_ENTRY);
  const manifest = manifestBytes === undefined ? null : parseManifest(manifestBytes);
  return ext === '.war' ? completeWarManifest(manifest, found.get(PLUGIN_PACKAGE_ENTRY)) : manifest;
}

// ---------------------------------------------------------------------------------------------
// Patches: content classification

type DocKind = 'json' | 'xml';

interface FoundDoc {
  entry: string;
  depth: number;
  text: string;
}

interface PatchScan {
  content: PatchContent;
  clusterClasses: string[];
  sqlOrUpgradeFiles: string[];
  unreadable: string[];
  docs: Partial<Record<DocKind, FoundDoc>>;
}

function newScan(): PatchScan {
  return {
    content: { jspOrStatic: 0, classes: 0, jars: 0, sqlOrUpgrade: 0, other: 0 },
    clusterClasses: [],
    sqlOrUpgradeFiles: [],
    unreadable: [],
    docs: {},
  };
}

function pushLimited(list: string[], item: string): void {
  if (list.length < LISTED_PATHS_MAX) list.push(item);
}

function isStaticResource(name: string): boolean {
  return STATIC_EXTENSIONS.has(extensionOf(name)) || LANGUAGE_FILE.test(name);
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

/** Scans an in-memory archive's entries; `descend` also opens its own jars/wars (one level only). */
async function scanArchiveBuffer(scan: PatchScan, data: Buffer, display: string, descend: boolean): Promise<void> {
  try {
    await forEachZipEntry(data, async (inner, read) => {
      if (inner.isDirectory) return;
      const path = `${display}!${inner.name}`;
      if (recordCodeEntry(scan, inner.name, path)) return;
      if (descend && ARCHIVE_EXTENSIONS.has(extensionOf(inner.name))) await scanNestedArchive(scan, inner, read, path, false);
    }, display);
  } catch (err) {
    scan.unreadable.push(`${display}: ${zipReason(err)}`);
  }
}

async function scanNestedArchive(
  scan: PatchScan, entry: ZipEntryInfo, read: ReadCurrentEntry, display: string, descend: boolean,
): Promise<void> {
  if (entry.size > NESTED_ARCHIVE_MAX_BYTES) {
    scan.unreadable.push(`${display}: ${entry.size} bytes, larger than the ${NESTED_ARCHIVE_MAX_BYTES / MIB} MiB inspection limit`);
    return;
  }
  let data: Buffer;
  try {
    data = await read(NESTED_ARCHIVE_MAX_BYTES);
  } catch (err) {
    scan.unreadable.push(`${display}: ${zipReason(err)}`);
    return;
  }
  await scanArchiveBuffer(scan, data, display, descend);
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
  try {
    const text = (await read(DOCUMENTATION_MAX_BYTES)).toString('utf8');
    scan.docs[kind] = { entry: entry.name, depth, text };
  } catch (err) {
    scan.unreadable.push(`${entry.name}: ${zipReason(err)}`);
  }
}

async function scanPatchEntry(scan: PatchScan, entry: ZipEntryInfo, read: ReadCurrentEntry): Promise<void> {
  if (entry.isDirectory) return;
  const doc = documentationKind(entry.name);
  if (doc === 'json' || doc === 'xml') return collectDoc(scan, doc, entry, read);
  if (doc === 'other') return; // e.g. an HTML rendering of the documentation: not a change
  if (recordCodeEntry(scan, entry.name, entry.name)) return;
  const ext = extensionOf(entry.name);
  if (ARCHIVE_EXTENSIONS.has(ext)) {
    scan.content.jars += 1;
    return scanNestedArchive(scan, entry, read, entry.name, ext !== '.jar');
  }
  if (isStaticResource(entry.name)) scan.content.jspOrStatic += 1;
  else scan.content.other += 1;
}

// ---------------------------------------------------------------------------------------------
// Patches: documentation

interface DocFacts {
  name: string | null;
  product: string | null;
  requirements: string[];
  fixedIssues: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toText(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  return value.trim() || null;
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(toText).filter((v): v is string => v !== null);
  const text = toText(value);
  return text === null ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function countIssues(value: unknown): number {
  if (Array.isArray(value)) return value.filter((v) => isRecord(v) || toText(v) !== null).length;
  if (isRecord(value)) return Object.keys(value).length;
  const text = toText(value);
  return text === null ? 0 : text.split(/[\s,]+/).filter((s) => s !== '').length;
}

/** Parses fixpack_documentation.json; fields may sit under `patch` or at the top level. Throws on invalid JSON. */
function parseJsonDocumentation(text: string): DocFacts {
  const root: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
  if (!isRecord(root)) throw new Error('the document is not a JSON object');
  const patch = isRecord(root['patch']) ? root['patch'] : {};
  const field = (...keys: string[]): unknown => {
    for (const key of keys) {
      if (patch[key] !== undefined) return patch[key];
      if (root[key] !== undefined) return root[key];
    }
    return undefined;
  };
  return {
    name: toText(field('name')) ?? toText(field('id')),
    product: toText(field('product')),
    requirements: toList(field('requirements')),
    fixedIssues: countIssues(field('fixed-issues', 'fixed_issues', 'fixedIssues')),
  };
}

function decodeXmlText(raw: string): string {
  return raw
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part) => part.startsWith('<![CDATA[')
      ? part.slice(9, -3)
      : part
        .replace(/<[^>]*>/g, ' ')
        .replace(/&#x([0-9a-f]+);/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
        .replace(/&#(\d+);/g, (_m, dec: string) => String.fromCodePoint(parseInt(dec, 10)))
        .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&'))
    .join('');
}

/** Raw inner XML of the first `<tag>` element ('' when self-closing), or null when absent. */
function xmlElement(xml: string, tag: string): string | null {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?(?:/>|>([\\s\\S]*?)</${tag}\\s*>)`, 'i').exec(xml);
  return match === null ? null : (match[1] ?? '');
}

/** Items of a list element: its child elements' texts, else its text split on commas. */
function xmlList(inner: string | null): string[] {
  if (inner === null) return [];
  const children = [...inner.matchAll(/<([A-Za-z_][\w.-]*)(?:\s[^>]*)?>([\s\S]*?)<\/\1\s*>/g)];
  if (children.length > 0) return children.map((m) => decodeXmlText(m[2] ?? '').trim()).filter((s) => s !== '');
  return toList(decodeXmlText(inner));
}

/** Parses fixpack_documentation.xml leniently with regular expressions; null when no patch field is present. */
function parseXmlDocumentation(text: string): DocFacts | null {
  const xml = text.replace(/<!--[\s\S]*?-->/g, '');
  const scope = xmlElement(xml, 'patch') ?? xml;
  const textOf = (tag: string): string | null => {
    const inner = xmlElement(scope, tag);
    return inner === null ? null : toText(decodeXmlText(inner));
  };
  const facts: DocFacts = {
    name: textOf('name') ?? textOf('id'),
    product: textOf('product'),
    requirements: xmlList(xmlElement(scope, 'requirements')),
    fixedIssues: xmlList(xmlElement(scope, 'fixed-issues')).flatMap((s) => s.split(/\s+/)).length,
  };
  const empty = facts.name === null && facts.product === null && facts.requirements.length === 0 && facts.fixedIssues === 0;
  return empty ? null : facts;
}

const NO_DOC: DocFacts = { name: null, product: null, requirements: [], fixedIssues: 0 };

/** Picks the JSON documentation, else the XML one; unusable documentation files are noted in `unreadable`. */
function resolveDocumentation(scan: PatchScan): DocFacts & { documentation: DocKind | null } {
  const json = scan.docs.json;
  if (json !== undefined) {
    try {
      return { documentation: 'json', ...parseJsonDocumentation(json.text) };
    } catch (err) {
      scan.unreadable.push(`${json.entry}: invalid JSON (${oneClause(messageOf(err))})`);
    }
  }
  const xml = scan.docs.xml;
  if (xml !== undefined) {
    const facts = parseXmlDocumentation(xml.text);
    if (facts !== null) return { documentation: 'xml', ...facts };
    scan.unreadable.push(`${xml.entry}: no patch name, product, requirements or fixed issues found`);
  }
  return { documentation: null, ...NO_DOC };
}

async function inspectPatch(absPath: string): Promise<PatchFacts> {
  const scan = newScan();
  await forEachZipEntry(absPath, (entry, read) => scanPatchEntry(scan, entry, read));
  const doc = resolveDocumentation(scan);
  return {
    name: doc.name,
    product: doc.product,
    requirements: doc.requirements,
    fixedIssues: doc.fixedIssues,
    documentation: doc.documentation,
    content: scan.content,
    clusterClasses: scan.clusterClasses,
    sqlOrUpgradeFiles: scan.sqlOrUpgradeFiles,
    unreadable: scan.unreadable,
  };
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** Inspects one artifact: sha256/size (streamed), a bundle's manifest or a patch's facts; never throws, sets `error`. */
export async function inspectArtifact(path: string, absPath: string, kind: ArtifactKind): Promise<ArtifactFacts> {
  const facts: ArtifactFacts = {
    path, absPath, fileName: basename(absPath), sha256: null, size: 0, manifest: null, patch: null, error: null,
  };
  try {
    const { sha256, size } = await hashFile(absPath);
    facts.sha256 = sha256;
    facts.size = size;
  } catch (err) {
    facts.error = describeFileError(err, absPath);
    return facts;
  }
  try {
    if (kind === 'bundle') facts.manifest = await inspectBundle(absPath, facts.fileName);
    if (kind === 'patch') facts.patch = await inspectPatch(absPath);
  } catch (err) {
    facts.error = describeArchiveError(err, facts.fileName);
  }
  return facts;
}

/** Inspects many artifacts, at most INSPECT_CONCURRENCY at a time; keyed by `path` (first request wins), in request order. */
export async function inspectArtifacts(requests: ReadonlyArray<ArtifactRequest>): Promise<Map<string, ArtifactFacts>> {
  const firsts = new Map<string, ArtifactRequest>();
  for (const request of requests) if (!firsts.has(request.path)) firsts.set(request.path, request);
  const queue = [...firsts.values()];
  const results = new Map<string, ArtifactFacts>();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let request = queue[next++]; request !== undefined; request = queue[next++]) {
      results.set(request.path, await inspectArtifact(request.path, request.absPath, request.kind));
    }
  };
  await Promise.all(Array.from({ length: Math.min(INSPECT_CONCURRENCY, queue.length) }, worker));
  return new Map(queue.map((r) => [r.path, results.get(r.path) as ArtifactFacts]));
}
