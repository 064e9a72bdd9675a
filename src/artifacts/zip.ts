/**
 * The only module that talks to yauzl: a small promise-based view of a zip archive.
 *
 * Archives on disk are opened by path (random access through a file descriptor), so listing
 * a 300 MB fix pack reads only its central directory, never the whole file. Every function
 * closes the archive before it settles, on success and on failure alike.
 */
import yauzl from 'yauzl';
import type { Entry, ZipFile } from 'yauzl';

/** One entry of a zip archive, as listed by its central directory. */
export interface ZipEntryInfo {
  /** Entry path inside the archive, `/`-separated (directories end with `/`). */
  name: string;
  /** Uncompressed size in bytes, as declared by the archive. */
  size: number;
  /** Compressed size in bytes, as declared by the archive. */
  compressedSize: number;
  /** True for directory entries (name ending with `/`). */
  isDirectory: boolean;
}

/**
 * Why a zip operation failed: unreadable file, bad archive, an entry name that would escape its folder, or entry over
 * the size limit.
 */
type ZipErrorKind = 'io' | 'format' | 'unsafe-name' | 'too-large';

/** Error raised by this module; `message` names the archive, `reason` is the bare cause. */
export class ZipError extends Error {
  /** The archive, as labelled by the caller (the path, or a label for an in-memory zip). */
  readonly archive: string;
  /** The cause without the archive name, e.g. `invalid central directory file header signature`. */
  readonly reason: string;
  /** Category of the failure. */
  readonly kind: ZipErrorKind;

  constructor(archive: string, reason: string, kind: ZipErrorKind) {
    super(`Cannot read zip archive ${archive}: ${reason}`);
    this.name = 'ZipError';
    this.archive = archive;
    this.reason = reason;
    this.kind = kind;
  }
}

/** Reads the data of the entry being visited, refusing entries larger than `maxBytes`. */
export type ReadCurrentEntry = (maxBytes: number) => Promise<Buffer>;

/** Called once per entry in archive order; return `false` to stop the walk early. */
type ZipVisitor = (entry: ZipEntryInfo, read: ReadCurrentEntry) => Promise<boolean | void> | boolean | void;

const BUFFER_LABEL = '<in-memory zip>';

function labelOf(source: string | Buffer, label: string | undefined): string {
  if (label !== undefined) return label;
  return typeof source === 'string' ? source : BUFFER_LABEL;
}

function toZipError(err: unknown, archive: string): ZipError {
  if (err instanceof ZipError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as NodeJS.ErrnoException).code;
  // System errors (ENOENT, EACCES, EMFILE…) are I/O; anything else (zlib, yauzl checks) is a bad archive.
  const isSystem = typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
  // yauzl refuses entry names that would be written outside the extraction folder (zip-slip).
  const unsafe = /^(invalid relative path|absolute path): /.test(e.message);
  return new ZipError(archive, e.message, isSystem ? 'io' : unsafe ? 'unsafe-name' : 'format');
}

function openZip(source: string | Buffer, archive: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, zip: ZipFile): void => {
      if (err) reject(toZipError(err, archive));
      else resolve(zip);
    };
    if (typeof source === 'string') yauzl.open(source, { lazyEntries: true, autoClose: true }, done);
    else yauzl.fromBuffer(source, { lazyEntries: true }, done);
  });
}

function toInfo(entry: Entry): ZipEntryInfo {
  const name = entry.fileName;
  return { name, size: entry.uncompressedSize, compressedSize: entry.compressedSize, isDirectory: name.endsWith('/') };
}

function tooLarge(archive: string, name: string, size: number, maxBytes: number): ZipError {
  return new ZipError(archive, `entry ${name} is ${size} bytes, over the ${maxBytes}-byte limit`, 'too-large');
}

function readEntryData(zip: ZipFile, entry: Entry, maxBytes: number, archive: string): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) {
    return Promise.reject(tooLarge(archive, entry.fileName, entry.uncompressedSize, maxBytes));
  }
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err) return reject(toZipError(err, archive));
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > maxBytes) stream.destroy(tooLarge(archive, entry.fileName, total, maxBytes));
        else chunks.push(chunk);
      });
      stream.on('error', (e: unknown) => {
        stream.destroy(); // releases yauzl's hold on the file descriptor
        reject(toZipError(e, archive));
      });
      stream.on('end', () => resolve(Buffer.concat(chunks, total)));
    });
  });
}

function walk(zip: ZipFile, visit: ZipVisitor, archive: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      if (err === undefined) resolve();
      else reject(err);
    };
    // The listener stays attached after settling so a late close error cannot crash the process.
    zip.on('error', (err: unknown) => finish(toZipError(err, archive)));
    zip.on('end', () => finish());
    zip.on('entry', (entry: Entry) => {
      const read: ReadCurrentEntry = (maxBytes) => readEntryData(zip, entry, maxBytes, archive);
      Promise.resolve()
        .then(() => visit(toInfo(entry), read))
        .then((more) => {
          if (settled) return;
          if (more === false) finish();
          else zip.readEntry();
        }, finish)
        .catch((err: unknown) => finish(toZipError(err, archive)));
    });
    try {
      zip.readEntry();
    } catch (err) {
      finish(toZipError(err, archive));
    }
  });
}

/** Walks a zip's entries one at a time (the visitor may read the current one); archive errors reject as ZipError. */
// Errors thrown by the visitor (including a ZipError from `read` it did not catch) pass through unchanged.
export async function forEachZipEntry(source: string | Buffer, visit: ZipVisitor, label?: string): Promise<void> {
  const archive = labelOf(source, label);
  const zip = await openZip(source, archive);
  try {
    await walk(zip, visit, archive);
  } finally {
    zip.close();
  }
}
