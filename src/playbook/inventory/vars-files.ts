/**
 * `group_vars/` and `host_vars/` files, as Ansible's `host_group_vars` plugin loads them: YAML or
 * JSON (a `key=value` INI-style file is an error in Ansible too), an empty file contributes nothing,
 * several files for one group or host are merged in order (a later file's key wins), and a file that is
 * vault-encrypted as a whole is decrypted before it is read (by the caller).
 */
import { isMap } from 'yaml';
import { errorAt } from '../../errors/diagnostics.js';
import type { Diagnostic } from '../../errors/diagnostics.js';
import { readYamlVars } from './ansible-yaml.js';
import type { VarMap } from './model.js';
import type { VarsFiles } from './resolve.js';
import { deref, loc, parseAnsibleYamlText } from './yaml-values.js';
import type { YamlSource } from './yaml-values.js';

/** One vars file read from disk: its text (decrypted when it was a vault file) and what it is for. */
export interface VarsFileText {
  kind: 'group' | 'host';
  /** The group or host name the file belongs to. */
  name: string;
  path: string;
  text: string;
  /** The file was vault-encrypted: every value in it is secret. */
  secret: boolean;
}

/** Reads vars files (in Ansible's order) into one merged map per group and per host. */
export function readVarsFiles(files: readonly VarsFileText[]): { files: VarsFiles; diagnostics: Diagnostic[] } {
  const out: VarsFiles = { groups: new Map(), hosts: new Map() };
  const diagnostics: Diagnostic[] = [];
  for (const f of files) {
    const vars = readVarsFile(f, diagnostics);
    const bucket = f.kind === 'group' ? out.groups : out.hosts;
    const merged: VarMap = bucket.get(f.name) ?? new Map();
    for (const [k, v] of vars) merged.set(k, v);
    bucket.set(f.name, merged);
  }
  return { files: out, diagnostics };
}

function readVarsFile(f: VarsFileText, diagnostics: Diagnostic[]): VarMap {
  const parsed = parseAnsibleYamlText(f.text, f.path);
  const vars = parsed.ok ? readRoot(f, parsed) : new Map();
  diagnostics.push(...parsed.diagnostics);
  if (f.secret) for (const v of vars.values()) v.secret = true;
  return vars;
}

function readRoot(f: VarsFileText, parsed: YamlSource): VarMap {
  const root = deref(parsed, parsed.doc.contents);
  if (root === null) return new Map();
  if (!isMap(root)) {
    const hint = 'Ansible reads vars files as YAML or JSON only (`key: value`), and refuses this one too';
    parsed.diagnostics.push(
      errorAt('E_INVENTORY', `${f.kind}_vars file ${f.path} must hold a mapping of variables`, loc(parsed, root), hint),
    );
    return new Map();
  }
  return readYamlVars(parsed, root, f.path);
}
