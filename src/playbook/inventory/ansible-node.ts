/**
 * What lrroll makes of an Ansible host's variables: the connection and `become` settings it
 * understands become node fields, `liferay_home`/`tomcat_home`/`lb_member`/`http_port` node
 * settings, `lrroll_facts` the node's facts, other scalars template variables. Every `ansible_*` variable lrroll does
 * not use and
 * every variable it cannot use is a warning at the place it was set — nothing is dropped silently.
 * Secret values (a decrypted vault value, a become password) never enter the node: they are handed
 * out under a `${LRROLL_INVENTORY_…}` name that the plan references and the run fills in.
 */
import { errorAt, warningAt } from '../../errors/diagnostics.js';
import type { Diagnostic } from '../../errors/diagnostics.js';
import type { Node } from '../playbook.generated.js';
import type { AnsibleVar, VarValue } from './model.js';
import { readSshArgs } from './ssh-args.js';
import type { ResolvedHost } from './resolve.js';

/** Secret values from the inventory, by the environment-style name the plan uses for them. */
export interface InventorySecrets {
  /** Name → value. */
  values: Map<string, string>;
  /** Where a value was written (`file:line:col|key`) → its name, so one value keeps one name. */
  names: Map<string, string>;
}

/** Read but deliberately not used: they only matter to Ansible's own module execution. */
const IGNORED = new Set(['ansible_python_interpreter', 'ansible_pipelining', 'ansible_ssh_pipelining']);
const BOOLEANS_TRUE = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const BOOLEANS_FALSE = new Set(['n', 'no', 'off', '0', 'false', 'f']);
const ENV_LOOKUP = /^\{\{\s*lookup\(\s*['"]env['"]\s*,\s*['"]([A-Za-z_][A-Za-z0-9_]*)['"]\s*\)\s*\}\}$/;
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Turns one resolved Ansible host into an lrroll node. */
export function nodeFromAnsibleHost(
  h: ResolvedHost,
  secrets: InventorySecrets,
): { node: Node; diagnostics: Diagnostic[] } {
  const ctx: HostCtx = { h, node: { name: h.name }, diagnostics: [], secrets, become: {} };
  for (const [key, v] of h.vars) readVar(ctx, key, v);
  finishBecome(ctx);
  return { node: ctx.node, diagnostics: ctx.diagnostics };
}

interface HostCtx {
  h: ResolvedHost;
  node: Node;
  diagnostics: Diagnostic[];
  secrets: InventorySecrets;
  become: { on?: boolean; user?: string; password?: string };
}

type Reader = (ctx: HostCtx, key: string, v: AnsibleVar) => void;

const READERS: Record<string, Reader> = {
  // Among aliases the later one in Ansible's ssh connection plugin wins (ansible_ssh_port over ansible_port).
  ansible_host: (ctx, key, v) => ctx.h.vars.has('ansible_ssh_host') || text(ctx, key, v, (s) => (ctx.node.host = s)),
  ansible_ssh_host: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.host = s)),
  ansible_port: (ctx, key, v) => ctx.h.vars.has('ansible_ssh_port') || port(ctx, key, v),
  ansible_ssh_port: (ctx, key, v) => port(ctx, key, v),
  ansible_user: (ctx, key, v) => ctx.h.vars.has('ansible_ssh_user') || text(ctx, key, v, (s) => (ctx.node.user = s)),
  ansible_ssh_user: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.user = s)),
  ansible_private_key_file: (ctx, key, v) =>
    ctx.h.vars.has('ansible_ssh_private_key_file') || text(ctx, key, v, (s) => (ctx.node.identityFile = s)),
  ansible_ssh_private_key_file: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.identityFile = s)),
  ansible_connection: connection,
  ansible_become: (ctx, key, v) => {
    const b = toBoolean(v.value);
    if (b === undefined)
      ctx.diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a boolean, got \`${show(v.value)}\``, v.source));
    else ctx.become.on = b;
  },
  ansible_become_user: (ctx, key, v) =>
    ctx.h.vars.has('ansible_sudo_user') || text(ctx, key, v, (s) => (ctx.become.user = s)),
  ansible_sudo_user: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.become.user = s)),
  ansible_become_method: (ctx, key, v) => {
    if (v.value !== 'sudo')
      ctx.diagnostics.push(
        errorAt(
          'E_INVENTORY',
          `\`${key}\` is \`${show(v.value)}\`: lrroll becomes another user with sudo only`,
          v.source,
          'use `ansible_become_method: sudo`, or leave it out',
        ),
      );
  },
  // As in Ansible's sudo plugin, the later alias wins: ansible_sudo_pass, then ansible_become_pass.
  ansible_become_password: (ctx, key, v) =>
    ctx.h.vars.has('ansible_become_pass') || ctx.h.vars.has('ansible_sudo_pass') || becomePassword(ctx, key, v),
  ansible_become_pass: (ctx, key, v) => ctx.h.vars.has('ansible_sudo_pass') || becomePassword(ctx, key, v),
  ansible_sudo_pass: becomePassword,
  ansible_ssh_common_args: sshArgs,
  ansible_ssh_extra_args: sshArgs,
  liferay_home: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.liferayHome = s)),
  tomcat_home: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.tomcatHome = s)),
  lb_member: (ctx, key, v) => text(ctx, key, v, (s) => (ctx.node.member = s)),
  // Node facts as a mapping (YAML group_vars/host_vars, or a Python dict literal in INI); the node schema checks its
  // shape.
  lrroll_facts: (ctx, key, v) => {
    if (v.value !== null && typeof v.value === 'object' && !Array.isArray(v.value))
      ctx.node.facts = v.value as Node['facts'];
    else
      ctx.diagnostics.push(
        errorAt(
          'E_INVENTORY',
          `\`${key}\` must be a mapping of node facts (java, appServer, patches, modules), got \`${show(v.value)}\``,
          v.source,
        ),
      );
  },
  http_port: (ctx, key, v) => {
    if (typeof v.value === 'number' && Number.isInteger(v.value)) ctx.node.httpPort = v.value;
    else
      ctx.diagnostics.push(
        errorAt(
          'E_INVENTORY',
          `host \`${ctx.h.name}\`: http_port must be a number, got \`${show(v.value)}\``,
          v.source,
        ),
      );
  },
};

function readVar(ctx: HostCtx, key: string, v: AnsibleVar): void {
  const reader = READERS[key];
  if (v.vault && !v.secret) {
    const why = v.vaultError ?? {
      error: 'it was not decrypted',
      hint: 'lrroll decrypts vault values with `ansible-vault`',
    };
    ctx.diagnostics.push(
      errorAt('E_VAULT', `\`${key}\` is encrypted with Ansible Vault: ${why.error}`, v.source, why.hint),
    );
    return;
  }
  if (reader) return reader(ctx, key, v);
  if (IGNORED.has(key)) return;
  if (key.startsWith('ansible_')) {
    const hint =
      'lrroll uses ansible_host, ansible_port, ansible_user, ansible_ssh_private_key_file, ' +
      'ansible_connection, ansible_become*, ansible_ssh_common_args (ProxyJump); SSH settings also ' +
      'come from ~/.ssh/config';
    ctx.diagnostics.push(
      warningAt('W_INVENTORY', `\`${key}\` (host \`${ctx.h.name}\`) is not used by lrroll`, v.source, hint),
    );
    return;
  }
  templateVar(ctx, key, v);
}

/** Any other variable becomes a template variable, when lrroll can use it as one. */
function templateVar(ctx: HostCtx, key: string, v: AnsibleVar): void {
  const warn = (why: string, hint?: string): void =>
    void ctx.diagnostics.push(
      warningAt('W_INVENTORY', `variable \`${key}\` (host \`${ctx.h.name}\`) ${why}`, v.source, hint),
    );
  if (!VAR_NAME.test(key)) return warn('is left out: template variable names are letters, digits and `_`');
  const value = v.value;
  if (value === null || typeof value === 'object') {
    return warn(
      `is left out: it is ${value === null ? 'null' : Array.isArray(value) ? 'a list' : 'a mapping'}` +
        `, and lrroll variables are scalars`,
      'quote the value to keep it as a string',
    );
  }
  if (typeof value === 'string' && value.includes('{{'))
    warn('holds a Jinja expression, which lrroll does not evaluate: the text is used as it is');
  ctx.node.vars ??= {};
  ctx.node.vars[key] = v.secret ? secretRef(ctx, key, v) : value;
}

function text(ctx: HostCtx, key: string, v: AnsibleVar, set: (s: string) => void): void {
  if (typeof v.value === 'string' || typeof v.value === 'number') set(String(v.value));
  else ctx.diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a string, got \`${show(v.value)}\``, v.source));
}

function port(ctx: HostCtx, key: string, v: AnsibleVar): void {
  const n =
    typeof v.value === 'number'
      ? v.value
      : typeof v.value === 'string' && /^\d{1,5}$/.test(v.value)
        ? Number(v.value)
        : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) ctx.node.port = n;
  else
    ctx.diagnostics.push(
      errorAt('E_INVENTORY', `\`${key}\` must be a port number from 1 to 65535, got \`${show(v.value)}\``, v.source),
    );
}

function connection(ctx: HostCtx, key: string, v: AnsibleVar): void {
  if (v.value === 'local') ctx.node.transport = 'local';
  else if (v.value === 'ssh' || v.value === 'smart' || v.value === 'paramiko') ctx.node.transport = 'ssh';
  else
    ctx.diagnostics.push(
      errorAt(
        'E_INVENTORY',
        `\`${key}\` is \`${show(v.value)}\`: lrroll connects with \`ssh\` or \`local\` only`,
        v.source,
      ),
    );
}

/** The sudo password: a `lookup('env', …)`, or a value kept secret (vault-decrypted, or clear text with a warning). */
function becomePassword(ctx: HostCtx, key: string, v: AnsibleVar): void {
  if (typeof v.value !== 'string' && typeof v.value !== 'number') {
    ctx.diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a string`, v.source));
    return;
  }
  const env = ENV_LOOKUP.exec(String(v.value))?.[1];
  if (env) {
    ctx.become.password = `\${${env}}`;
    return;
  }
  if (!v.secret)
    ctx.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `\`${key}\` holds a password in clear text`,
        v.source,
        "encrypt it with `ansible-vault encrypt_string`, or use `{{ lookup('env', 'SUDO_PASSWORD') " +
          '}}`; lrroll never prints it',
      ),
    );
  ctx.become.password = secretRef(ctx, key, { ...v, value: String(v.value) });
}

function sshArgs(ctx: HostCtx, key: string, v: AnsibleVar): void {
  if (typeof v.value !== 'string') {
    ctx.diagnostics.push(errorAt('E_INVENTORY', `\`${key}\` must be a string`, v.source));
    return;
  }
  const r = readSshArgs(v.value);
  if (r.proxyJump !== undefined) ctx.node.proxyJump = r.proxyJump;
  for (const ignored of r.ignored) {
    ctx.diagnostics.push(
      warningAt(
        'W_INVENTORY',
        `\`${ignored}\` in \`${key}\` (host \`${ctx.h.name}\`) is not used by lrroll`,
        v.source,
        'lrroll reads ProxyJump (-J, -o ProxyJump=, or an `ssh -W %h:%p` ProxyCommand) from it; other ' +
          'SSH options go in ~/.ssh/config',
      ),
    );
  }
}

function finishBecome(ctx: HostCtx): void {
  const { on, user, password } = ctx.become;
  if (on === false) {
    if (user !== undefined || password !== undefined)
      ctx.diagnostics.push(
        warningAt(
          'W_INVENTORY',
          `host \`${ctx.h.name}\` sets a become user or password while ` +
            `\`ansible_become\` is false: lrroll does not use sudo there`,
          ctx.h.vars.get('ansible_become')?.source,
        ),
      );
    ctx.node.become = false;
    return;
  }
  if (on === undefined) return;
  ctx.node.become =
    user === undefined && password === undefined
      ? true
      : { ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}) };
}

/** Registers a secret value under a stable name (one per place it was written) and returns its `${NAME}` reference. */
function secretRef(ctx: HostCtx, key: string, v: AnsibleVar): string {
  const place = `${v.source.file}:${v.source.line}:${v.source.col}|${key}`;
  let name = ctx.secrets.names.get(place);
  if (!name) {
    const base = `LRROLL_INVENTORY_${key.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
    let i = 1;
    while (ctx.secrets.values.has(`${base}_${i}`)) i++;
    name = `${base}_${i}`;
    ctx.secrets.names.set(place, name);
    ctx.secrets.values.set(name, String(v.value));
  }
  return `\${${name}}`;
}

/** Ansible's `boolean()`: yes/no, on/off, true/false, 1/0, y/n, t/f, case-insensitive. */
function toBoolean(value: VarValue): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const s = String(value).toLowerCase();
  if (BOOLEANS_TRUE.has(s)) return true;
  if (BOOLEANS_FALSE.has(s)) return false;
  return undefined;
}

function show(value: VarValue): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
