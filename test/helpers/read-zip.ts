/** Test helper: reads zips back through the product's zip adapter (`forEachZipEntry`), one call per question. */
import { forEachZipEntry, type ZipEntryInfo } from '../../src/artifacts/zip.js';

/** Every entry of a zip (path or Buffer), from its central directory, without reading any data. */
export async function listZipEntries(source: string | Buffer, label?: string): Promise<ZipEntryInfo[]> {
  const entries: ZipEntryInfo[] = [];
  await forEachZipEntry(
    source,
    (entry) => {
      entries.push(entry);
    },
    label,
  );
  return entries;
}

/** One entry (exact name) read into memory; the adapter's ZipError when it is larger than `maxBytes`. */
export async function readZipEntry(
  source: string | Buffer,
  name: string,
  maxBytes: number,
  label?: string,
): Promise<Buffer> {
  const found: Buffer[] = [];
  await forEachZipEntry(
    source,
    async (entry, read) => {
      if (entry.name !== name) return true;
      found.push(await read(maxBytes));
      return false;
    },
    label,
  );
  const data = found[0];
  if (data === undefined) throw new Error(`entry ${name} not found`);
  return data;
}
