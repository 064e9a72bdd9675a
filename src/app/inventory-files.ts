/**
 * The files around an Ansible inventory, found as Ansible's `host_group_vars` plugin finds them:
 * for each group and host, `group_vars/<name>` (or `host_vars/<name>`) as a file with no extension
 * or `.yml`/`.yaml`/`.json` — the first that exists wins — or a folder of such files, read in sorted
 * order and recursively (hidden files and `~` backups skipped). Vault-encrypted values are decrypted
 * with `ansible-vault` here, at the edge, so the readers stay pure.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { errorAt, warningAt } from '../errors/diagnostics.js';
import type { Diagnostic } from '../errors/diagnostics.js';
import type { AnsibleModel, VarMap } from '../playbook/inventory/model.js';
import type { VarsFiles } from '../playbook/inventory/resolve.js';
import { readVarsFiles, type VarsFileText } from '../playbook/inventory/vars-files.js';
import { decryptVaultTexts, isVaultText } from './vault.js';

const EXTENSIONS = ['', '.yml', '.yaml', '.json'];
/** Bounds on what a vars folder may hold, so a hostile checkout cannot exhaust memory. */
const LIMITS = { files: 10_000, bytes: 10 * 1024 * 1024 };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Finds, decrypts and reads the group_vars/host_vars of an inventory; `sources` receives every text read, for code
 * frames.
 */
export async function loadVarsFiles(
  model: AnsibleModel,
  inventoryFile: string,
  env: Env,
  sources: Map<string, string>,
): Promise<{ files: VarsFiles; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const base = dirname(inventoryFile);
  const found: Array<Omit<VarsFileText, 'text' | 'secret'>> = [];
  for (const [kind, names] of [
    ['group', [...model.groups.keys()]],
    ['host', [...model.hosts.keys()]],
  ] as const) {
    const dir = join(base, `${kind}_vars`);
    const entries = await readdir(dir).catch(() => undefined);
    if (!entries) continue;
    for (const name of names) for (const path of await findVarsFiles(dir, name)) found.push({ kind, name, path });
    warnStrayEntries(dir, entries, new Set(names), kind, diagnostics);
  }
  if (found.length > LIMITS.files) {
    diagnostics.push(errorAt('E_INVENTORY', `group_vars/host_vars hold more than ${LIMITS.files} files`));
    return { files: { groups: new Map(), hosts: new Map() }, diagnostics };
  }
  const texts: VarsFileText[] = [];
  for (const f of found) {
    const read = await readVarsText(f.path, env, diagnostics);
    if (read === undefined) continue;
    sources.set(f.path, read.text);
    texts.push({ ...f, ...read });
  }
  const r = readVarsFiles(texts);
  return { files: r.files, diagnostics: [...diagnostics, ...r.diagnostics] };
}

/**
 * Ansible's `find_vars_files`: the first of `<name>`, `<name>.yml`, `.yaml`, `.json` that exists; a folder is read
 * whole.
 */
async function findVarsFiles(dir: string, name: string): Promise<string[]> {
  if (name.startsWith('/') || name.includes('/') || name === '.' || name === '..') return [];
  for (const ext of EXTENSIONS) {
    const path = join(dir, name + ext);
    const st = await stat(path).catch(() => undefined);
    if (!st) continue;
    return st.isDirectory() ? folderFiles(path) : [path];
  }
  return [];
}

/**
 * Every file of a vars folder as Ansible lists them: names sorted, a subfolder (without an extension) read where it
 * sorts; hidden files and backups skipped.
 */
async function folderFiles(dir: string, out: string[] = [], depth = 0): Promise<string[]> {
  if (depth > 32) return out;
  for (const n of (await readdir(dir).catch(() => [] as string[])).sort()) {
    if (out.length > LIMITS.files) break;
    if (n.startsWith('.') || n.endsWith('~')) continue;
    const path = join(dir, n);
    const st = await stat(path).catch(() => undefined);
    if (st?.isDirectory() && extname(n) === '') await folderFiles(path, out, depth + 1);
    else if (st?.isFile() && EXTENSIONS.includes(extname(n))) out.push(path);
  }
  return out;
}

/** A file in group_vars/host_vars that no group or host picks up: likely a typo or a format Ansible ignores. */
function warnStrayEntries(
  dir: string,
  entries: string[],
  names: ReadonlySet<string>,
  kind: 'group' | 'host',
  diagnostics: Diagnostic[],
): void {
  for (const entry of entries) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const ext = extname(entry);
    const stem = EXTENSIONS.includes(ext) ? entry.slice(0, entry.length - ext.length) : entry;
    if (names.has(stem)) continue;
    const where = { file: join(dir, entry), line: 1, col: 1 };
    const dotted = entry.lastIndexOf('.') > 0 ? entry.slice(0, entry.lastIndexOf('.')) : entry;
    const summary = names.has(dotted)
      ? `${kind}_vars/${entry} is not read: Ansible reads ${kind}` +
        `_vars files as YAML or JSON only (no extension, .yml, .yaml, .json)`
      : `${kind}_vars entry \`${entry}\` matches no ${kind}` +
        ` of the inventory, so it is not read (Ansible ignores it too)`;
    diagnostics.push(
      warningAt(
        'W_INVENTORY',
        summary,
        where,
        names.has(dotted) ? 'rename it, or write it as YAML (`key: value`)' : undefined,
      ),
    );
  }
}

/** Reads one vars file (bounded in size), decrypting it when it is vault-encrypted as a whole. */
async function readVarsText(
  path: string,
  env: Env,
  diagnostics: Diagnostic[],
): Promise<{ text: string; secret: boolean } | undefined> {
  const st = await stat(path).catch(() => undefined);
  if (st && st.size > LIMITS.bytes) {
    diagnostics.push(errorAt('E_INVENTORY', `${path} is larger than ${LIMITS.bytes / 1024 / 1024} MiB`));
    return undefined;
  }
  const text = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
    diagnostics.push(errorAt('E_INVENTORY', `cannot read ${path}: ${e.code ?? e.message}`));
    return undefined;
  });
  if (text === undefined || !isVaultText(text)) return text === undefined ? undefined : { text, secret: false };
  const [r] = await decryptVaultTexts([text], env);
  if (r && 'text' in r) return { text: r.text, secret: true };
  diagnostics.push(
    errorAt(
      'E_VAULT',
      `${path} is encrypted with Ansible Vault: ${r?.error ?? 'not decrypted'}`,
      { file: path, line: 1, col: 1 },
      r && 'hint' in r ? r.hint : undefined,
    ),
  );
  return undefined;
}

/**
 * Decrypts every inline `!vault` value of the inventory and its vars files in place; a failure is kept on the variable,
 * reported where it is used.
 */
export async function decryptInlineVaults(model: AnsibleModel, files: VarsFiles, env: Env): Promise<void> {
  const maps: VarMap[] = [
    ...[...model.groups.values()].map((g) => g.vars),
    ...[...model.hosts.values()].map((h) => h.vars),
    ...files.groups.values(),
    ...files.hosts.values(),
  ];
  const pending = maps.flatMap((vars) => [...vars.values()].filter((v) => v.vault && !v.secret));
  if (pending.length === 0) return;
  const results = await decryptVaultTexts(
    pending.map((v) => String(v.value)),
    env,
  );
  pending.forEach((v, i) => {
    const r = results[i];
    if (r && 'text' in r) {
      v.value = r.text;
      v.secret = true;
    } else if (r) v.vaultError = r;
  });
}
