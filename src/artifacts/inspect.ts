/**
 * Inspection of the local artifacts a playbook names (module jars, wars, lpkgs, fix packs and
 * hotfixes, plain files), so the planner can decide whether a change may be rolled node by node.
 * Nothing here throws for a bad input file: problems end up in `ArtifactFacts.error`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Budget, LimitError } from './budget.js';
import { inspectBundle, manifestProblem, METADATA_MAX_BYTES } from './bundle.js';
import { printable } from './checks.js';
import { readPropertiesKeys, readSetenv } from './config-file.js';
import { inspectPatch, oneClause, zipReason } from './patch.js';
import { inspectRelease } from './release.js';
import type { ArtifactFacts, ConfigFileFacts } from './types.js';
import { ZipError } from './zip.js';

/**
 * How an artifact is inspected: OSGi bundle / war / lpkg, fix pack or hotfix zip, a Liferay release (bundle zip or lpkg
 * set), a shipped properties file or setenv script, or any other file.
 */
export type ArtifactKind = 'bundle' | 'patch' | 'release' | 'properties' | 'setenv' | 'file';

/** One artifact to inspect: the path as the playbook wrote it, where it is, and its kind. */
interface ArtifactRequest {
  /** The path as written in the playbook (the key of the result map). */
  path: string;
  /** Absolute path on this machine. */
  absPath: string;
  /** How to inspect it. */
  kind: ArtifactKind;
}

const MIB = 1024 * 1024;

/** How many artifacts `inspectArtifacts` reads at the same time. */
const INSPECT_CONCURRENCY = 4;

// ---------------------------------------------------------------------------------------------
// Small helpers

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function describeFileError(err: unknown, absPath: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `File not found: ${absPath}`;
  if (code === 'EACCES' || code === 'EPERM') return `Permission denied reading ${absPath}`;
  if (code === 'EISDIR') return `${absPath} is a directory, not a file`;
  return `Cannot read ${absPath}: ${oneClause(messageOf(err))}`;
}

function describeArchiveError(err: unknown, fileName: string): string {
  if (err instanceof LimitError)
    return `${fileName} was not inspected further: ${err.message} (lrroll's limit for one artifact)`;
  if (err instanceof ZipError && err.kind === 'format') return `${fileName} is ${zipReason(err)}`;
  return `${fileName} could not be inspected: ${zipReason(err)}`;
}

async function hashFile(absPath: string): Promise<{ sha256: string; size: number }> {
  const info = await stat(absPath);
  if (!info.isFile())
    throw Object.assign(new Error('not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(absPath)) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A shipped configuration file: read as text (it is a few kilobytes; a larger one is not a config file). */
async function inspectConfigFile(
  absPath: string,
  size: number,
  kind: 'properties' | 'setenv',
): Promise<ConfigFileFacts> {
  if (size > METADATA_MAX_BYTES)
    throw new LimitError(
      `it is ${Math.round(size / MIB)} MiB, more than the ${METADATA_MAX_BYTES / MIB}` +
        ` MiB a configuration file may have`,
    );
  const text = await readFile(absPath, 'utf8');
  return kind === 'properties' ? readPropertiesKeys(text) : readSetenv(text);
}

// ---------------------------------------------------------------------------------------------
// Entry points

/**
 * Inspects one artifact: sha256/size (streamed), a bundle's manifest or a patch's facts; never throws, sets `error`.
 */
export async function inspectArtifact(path: string, absPath: string, kind: ArtifactKind): Promise<ArtifactFacts> {
  const facts: ArtifactFacts = {
    path,
    absPath,
    fileName: basename(absPath),
    sha256: null,
    size: 0,
    manifest: null,
    patch: null,
    config: null,
    error: null,
    invalid: null,
  };
  try {
    const { sha256, size } = await hashFile(absPath);
    facts.sha256 = sha256;
    facts.size = size;
  } catch (err) {
    facts.error = describeFileError(err, absPath);
    return facts;
  }
  const budget = new Budget();
  try {
    if (kind === 'bundle') {
      facts.manifest = await inspectBundle(absPath, facts.fileName, budget);
      facts.invalid = manifestProblem(facts.manifest);
    }
    if (kind === 'release') {
      const release = await inspectRelease(absPath, budget);
      if (release.problem)
        facts.error =
          `part of ${facts.fileName} cannot be inspected (${release.problem}` +
          `), so its bundles' schema versions are not all known`;
      else facts.bundles = release.bundles;
    }
    if (kind === 'patch') {
      const patch = await inspectPatch(absPath, budget);
      facts.patch = patch.facts;
      facts.invalid = patch.invalid;
    }
    if (kind === 'properties' || kind === 'setenv') facts.config = await inspectConfigFile(absPath, facts.size, kind);
  } catch (err) {
    if (err instanceof ZipError && err.kind === 'unsafe-name')
      facts.invalid = `it holds an entry that would be written outside its folder (${printable(err.reason, 120)})`;
    else facts.error = describeArchiveError(err, facts.fileName);
  }
  if (facts.invalid) facts.manifest = null;
  return facts;
}

/**
 * Inspects many artifacts, at most INSPECT_CONCURRENCY at a time; keyed by `path` (first request wins), in request
 * order.
 */
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
