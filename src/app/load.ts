import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ArtifactFacts } from '../artifacts/types.js';
import { hasErrors, type Diagnostic, type SourceLocation } from '../errors/diagnostics.js';
import type { InventorySecrets } from '../playbook/inventory/ansible-node.js';
import {
  nodesFromAnsible,
  nodesFromYaml,
  type NodeEntry,
  type NormalizedInventory,
} from '../playbook/inventory/normalize.js';
import { parseYaml } from '../playbook/load.js';
import { applyOverrides, OVERRIDES_FILE } from '../playbook/overrides.js';
import type { Inventory, Node, NodeSettings, Playbook } from '../playbook/playbook.generated.js';
import type { DocPath, SourceMap } from '../playbook/source-map.js';
import { INPUT_LIMITS } from '../playbook/limits.js';
import { validateAgainstSchema } from '../playbook/validate.js';
import { loadArtifacts } from './load-artifacts.js';

type Env = Readonly<Record<string, string | undefined>>;

/** A playbook read from disk with everything planning needs. */
interface LoadedPlaybook {
  file: string;
  text: string;
  playbook: Playbook;
  sourceMap: SourceMap;
  inventory: NormalizedInventory;
  artifacts: Map<string, ArtifactFacts>;
  /** Every source text read, by file name, for code frames in diagnostics. */
  sources: Map<string, string>;
  /** Secret values read from the inventory (decrypted vault values, become passwords), by the name the plan uses. */
  secrets: Map<string, string>;
  /** `--set` values applied to the playbook (path → value as given). */
  overrides: Record<string, string>;
}

/** The result of loading: the playbook when it is usable, and every diagnostic found on the way. */
interface LoadResult {
  loaded: LoadedPlaybook | undefined;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

/**
 * Reads, parses and validates a playbook, its inventory file and its artifacts (`env`: for
 * ansible-vault). `sets` are the command line's `--set path=value` policy overrides, applied
 * before validation.
 */
export async function loadPlaybook(file: string, env: Env = {}, sets: readonly string[] = []): Promise<LoadResult> {
  const sources = new Map<string, string>();
  const text = await readText(file);
  if (typeof text !== 'string') return { loaded: undefined, diagnostics: [text], sources };
  sources.set(file, text);
  const parsed = parseYaml(text, file);
  const diagnostics = [...parsed.diagnostics];
  if (!parsed.usable) return { loaded: undefined, diagnostics, sources };
  const set = applyOverrides(parsed.data, parsed.sourceMap, sets);
  if (sets.length > 0) sources.set(OVERRIDES_FILE, set.text);
  // A `--set` that could not be applied does not stop the others from being checked.
  diagnostics.push(...set.diagnostics);
  const sourceMap = set.sourceMap;
  diagnostics.push(...validateAgainstSchema(set.data, sourceMap));
  if (hasErrors(diagnostics)) return { loaded: undefined, diagnostics, sources };
  const playbook = set.data as Playbook;
  const secrets: InventorySecrets = { values: new Map(), names: new Map() };
  // The inventory, the ssh config file and the artifacts are read at once (each waits on files, the artifacts on
  // hashing them); their diagnostics are reported in this order whichever finishes first.
  const found = { inventory: [] as Diagnostic[], artifacts: [] as Diagnostic[] };
  const [inventory, sshConfig, artifacts] = await Promise.all([
    loadInventory(playbook.inventory, file, { sm: sourceMap, sources, diagnostics: found.inventory, env, secrets }),
    checkSshConfigFile(playbook, file, sourceMap),
    loadArtifacts(playbook, file, sourceMap, found.artifacts),
  ]);
  diagnostics.push(...found.inventory, ...sshConfig, ...found.artifacts);
  if (!inventory || hasErrors(diagnostics)) return { loaded: undefined, diagnostics, sources };
  return {
    loaded: {
      file,
      text,
      playbook,
      sourceMap,
      inventory,
      artifacts,
      sources,
      secrets: secrets.values,
      overrides: set.overrides,
    },
    diagnostics,
    sources,
  };
}

async function readText(file: string): Promise<string | Diagnostic> {
  try {
    const size = (await stat(file)).size;
    if (size > INPUT_LIMITS.maxDocumentBytes) {
      return {
        severity: 'error',
        code: 'E_LIMIT',
        summary:
          `${file} is ${(size / 1048576).toFixed(1)} MiB, more than the ` +
          `${INPUT_LIMITS.maxDocumentBytes / 1048576} MiB lrroll reads`,
        hint: 'a playbook or inventory is a few kilobytes: check that this is the right file',
      };
    }
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    return { severity: 'error', code: 'E_FILE', summary: `cannot read ${file}: ${why}` };
  }
}

/** What reading an inventory needs and fills in. */
interface InventoryCtx {
  sm: SourceMap;
  sources: Map<string, string>;
  diagnostics: Diagnostic[];
  env: Env;
  secrets: InventorySecrets;
}

async function loadInventory(
  inv: Inventory,
  playbookFile: string,
  ctx: InventoryCtx,
): Promise<NormalizedInventory | undefined> {
  const { sm, sources, diagnostics } = ctx;
  if (inv.nodes && inv.file) {
    diagnostics.push({
      severity: 'error',
      code: 'E_INVENTORY',
      summary: '`inventory` has both `nodes` and `file`: use one',
      source: sm.locateKey(['inventory'], 'file'),
    });
    return undefined;
  }
  const inPlaybook = (field: DocPath): SourceLocation => sm.locate(['inventory', 'defaults', ...field]);
  if (inv.nodes)
    return {
      defaults: inv.defaults,
      nodes: nodesFromYaml(inv.nodes, sm, ['inventory', 'nodes']),
      locateDefault: inPlaybook,
    };
  if (!inv.file) {
    diagnostics.push({
      severity: 'error',
      code: 'E_REQUIRED',
      summary: '`inventory` needs `nodes` (inline) or `file` (an inventory file)',
      source: sm.locateKey([], 'inventory'),
    });
    return undefined;
  }
  const path = resolve(dirname(playbookFile), inv.file);
  const text = await readText(path);
  if (typeof text !== 'string') {
    diagnostics.push({ ...text, source: sm.locate(['inventory', 'file']) });
    return undefined;
  }
  sources.set(path, text);
  if (/\.ya?ml$/i.test(path) && /^nodes\s*:/m.test(text) && !/^all\s*:/m.test(text))
    return parseLrrollInventory(text, path, inv, diagnostics, inPlaybook);
  return loadAnsibleInventory(text, path, inv, ctx, inPlaybook);
}

/** An lrroll inventory file: `nodes:` (and `defaults:`) at the top. */
function parseLrrollInventory(
  text: string,
  path: string,
  inv: Inventory,
  diagnostics: Diagnostic[],
  inPlaybook: (field: DocPath) => SourceLocation,
): NormalizedInventory | undefined {
  const parsed = parseYaml(text, path);
  diagnostics.push(...parsed.diagnostics);
  if (!parsed.usable) return undefined;
  const errors = validateAgainstSchema(parsed.data, parsed.sourceMap, 'inventory');
  diagnostics.push(...errors);
  if (hasErrors(errors)) return undefined;
  const data = parsed.data as { defaults?: NodeSettings; nodes?: Node[]; ssh?: unknown };
  if (data.ssh !== undefined) {
    diagnostics.push({
      severity: 'error',
      code: 'E_INVENTORY',
      summary: '`ssh` is read from the playbook only, not from an inventory file',
      source: parsed.sourceMap.locateKey([], 'ssh'),
      hint: "move it under the playbook's `inventory.ssh`",
    });
    return undefined;
  }
  // The playbook's `inventory.defaults` replace the file's `defaults` key by key (a shallow merge): locate a field
  // where its value came from.
  const locateDefault = (field: DocPath): SourceLocation =>
    hasPath(inv.defaults, field.slice(0, 1)) ? inPlaybook(field) : parsed.sourceMap.locate(['defaults', ...field]);
  return {
    defaults: { ...data.defaults, ...inv.defaults },
    nodes: nodesFromYaml(data.nodes ?? [], parsed.sourceMap, ['nodes']),
    locateDefault,
  };
}

/** An Ansible inventory with its group_vars/host_vars, vault values decrypted, resolved as Ansible resolves it. */
async function loadAnsibleInventory(
  text: string,
  path: string,
  inv: Inventory,
  ctx: InventoryCtx,
  inPlaybook: (field: DocPath) => SourceLocation,
): Promise<NormalizedInventory | undefined> {
  const { diagnostics } = ctx;
  // The Ansible readers load only for an Ansible inventory (most playbooks list their nodes inline).
  const [{ readAnsibleInventory }, { resolveAnsibleModel }, { decryptInlineVaults, loadVarsFiles }, vault] =
    await Promise.all([
      import('../playbook/inventory/ansible.js'),
      import('../playbook/inventory/resolve.js'),
      import('./inventory-files.js'),
      import('./vault.js'),
    ]);
  const { decryptVaultTexts, isVaultText } = vault;
  let plain = text;
  if (isVaultText(text)) {
    const [r] = await decryptVaultTexts([text], ctx.env);
    if (!r || !('text' in r)) {
      diagnostics.push({
        severity: 'error',
        code: 'E_VAULT',
        summary: `${path} is encrypted with Ansible Vault: ${r && 'error' in r ? r.error : 'not decrypted'}`,
        source: ctx.sm.locate(['inventory', 'file']),
        ...(r && 'hint' in r ? { hint: r.hint } : {}),
      });
      return undefined;
    }
    plain = r.text;
  }
  const model = readAnsibleInventory(plain, path);
  if (plain !== text)
    for (const vars of [
      ...[...model.groups.values()].map((g) => g.vars),
      ...[...model.hosts.values()].map((h) => h.vars),
    ])
      for (const v of vars.values()) v.secret = true;
  const vars = await loadVarsFiles(model, path, ctx.env, ctx.sources);
  diagnostics.push(...vars.diagnostics);
  await decryptInlineVaults(model, vars.files, ctx.env);
  const result = resolveAnsibleModel(
    model,
    inv.group ? { group: inv.group, groupSource: ctx.sm.locate(['inventory', 'group']) } : {},
    vars.files,
  );
  diagnostics.push(...result.diagnostics);
  const mapped = nodesFromAnsible(result.hosts, ctx.secrets);
  diagnostics.push(...mapped.diagnostics);
  for (const entry of mapped.nodes) diagnostics.push(...checkAnsibleNode(entry));
  if (result.hosts.length === 0 && !hasErrors(result.diagnostics)) {
    diagnostics.push({
      severity: 'error',
      code: 'E_INVENTORY',
      summary: `${path} has no hosts${inv.group ? ` in group \`${inv.group}\`` : ''}`,
      source: ctx.sm.locate(['inventory', inv.group ? 'group' : 'file']),
      hint: 'add hosts to the inventory, or name a group that has some',
    });
  }
  return { defaults: inv.defaults, nodes: mapped.nodes, locateDefault: inPlaybook };
}

/** True when `path` leads to a value inside `data`. */
function hasPath(data: unknown, path: DocPath): boolean {
  let node: unknown = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || !(String(segment) in node)) return false;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node !== undefined;
}

/**
 * A host read from an Ansible inventory must be a node the playbook could have declared: the same
 * schema (name, port, paths, vars) applies, reported at the host's line.
 */
function checkAnsibleNode(entry: NodeEntry): Diagnostic[] {
  const at = { file: entry.source.file, locate: () => entry.source, locateKey: () => entry.source };
  return validateAgainstSchema(entry.node, at, 'node').map((d) => ({
    ...d,
    summary: `host \`${printableName(entry.node.name)}\`: ${d.summary}`,
  }));
}

/** A host name as it can be shown in one line. */
function printableName(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 80);
}

/** `inventory.ssh.configFile` must exist (a missing known_hosts file is created when a key is accepted). */
async function checkSshConfigFile(playbook: Playbook, file: string, sm: SourceMap): Promise<Diagnostic[]> {
  const configFile = playbook.inventory.ssh?.configFile;
  if (configFile === undefined) return [];
  const path =
    configFile === '~' || configFile.startsWith('~/')
      ? join(homedir(), configFile.slice(1))
      : resolve(dirname(file), configFile);
  const st = await stat(path).catch(() => undefined);
  if (st?.isFile()) return [];
  return [
    {
      severity: 'error',
      code: 'E_FILE',
      summary: `the SSH config file \`${configFile}\` ${st ? 'is not a file' : 'does not exist'} (looked for ${path})`,
      source: sm.locate(['inventory', 'ssh', 'configFile']),
      hint: 'paths are relative to the playbook file; `~` is your home',
    },
  ];
}

/** Hex sha256 of a string. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
