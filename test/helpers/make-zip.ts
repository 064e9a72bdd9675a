/** Test helper: builds real zip archives (jars, wars, lpkgs, fix packs) with yazl. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import yazl from 'yazl';

/** Zip entries by path: string content is UTF-8; a name ending with `/` becomes an empty directory entry. */
export type ZipEntries = Record<string, string | Buffer>;

const FIXED_MTIME = new Date(Date.UTC(2024, 0, 2, 3, 4, 6));

/** Builds a zip in memory, entries in insertion order, with a fixed mtime so bytes are reproducible. */
export async function zipBuffer(entries: ZipEntries): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) {
    if (name.endsWith('/')) zip.addEmptyDirectory(name, { mtime: FIXED_MTIME });
    else
      zip.addBuffer(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, name, { mtime: FIXED_MTIME });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Writes a zip file (creating its directory) with the given entries. */
export async function makeZip(file: string, entries: ZipEntries): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, await zipBuffer(entries));
}

/**
 * Builds a zip whose entry names yazl would refuse (`../x`, `/x`): each such name is written under a
 * placeholder of the same length, then the bytes are swapped in the local and central headers.
 */
export async function zipWithRawNames(entries: ZipEntries): Promise<Buffer> {
  const placeholders = new Map<string, string>();
  const safe: ZipEntries = {};
  Object.entries(entries).forEach(([name, content], i) => {
    const stand = name.replace(/\.\./g, 'QQ').replace(/^\//, 'Q').replace(/\\/g, 'Q');
    const unique = stand === name ? name : `${String.fromCharCode(65 + i)}${stand.slice(1)}`;
    if (unique !== name) placeholders.set(unique, name);
    safe[unique] = content;
  });
  let bytes = (await zipBuffer(safe)).toString('latin1');
  for (const [stand, name] of placeholders) bytes = bytes.split(stand).join(name);
  return Buffer.from(bytes, 'latin1');
}
