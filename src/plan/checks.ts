import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import { suggestHint } from '../errors/suggest.js';
import { BUILTIN_VARS } from './scope.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import type { Hook, Hooks, Playbook, Service } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';

/** Checks the schema cannot express: unique node names, references to nodes, hook shapes, service commands, windows. */
export function checkPlaybook(playbook: Playbook, inventory: NormalizedInventory, sourceMap: SourceMap): Diagnostic[] {
  return [
    ...checkNodes(inventory),
    ...checkReferences(playbook, inventory, sourceMap),
    ...checkHooks(playbook.hooks, sourceMap),
    ...checkServices(inventory, sourceMap),
    ...checkWindow(playbook, sourceMap),
    ...checkChanges(playbook, sourceMap),
    ...checkVarNames(playbook, inventory, sourceMap),
  ];
}

/** Vars may not reuse a built-in template name: reported once, where the var is defined. */
function checkVarNames(playbook: Playbook, inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const builtin = (name: string): boolean => (BUILTIN_VARS as readonly string[]).includes(name);
  const report = (name: string, source: SourceLocation): void => {
    out.push({ severity: 'error', code: 'E_VAR', summary: `\`${name}\` is a built-in template name and cannot be set as a variable`, source, hint: `built-ins: ${BUILTIN_VARS.join(', ')}; choose another name` });
  };
  for (const name of Object.keys(playbook.vars ?? {}).filter(builtin)) report(name, sm.locateKey(['vars'], name));
  for (const name of Object.keys(inventory.defaults?.vars ?? {}).filter(builtin)) report(name, sm.locateKey(['inventory', 'defaults', 'vars'], name));
  for (const e of inventory.nodes) for (const name of Object.keys(e.node.vars ?? {}).filter(builtin)) report(name, e.locate(['vars', name]));
  return out;
}

function checkNodes(inventory: NormalizedInventory): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const e of inventory.nodes) {
    const first = seen.get(e.node.name);
    if (first) {
      out.push({ severity: 'error', code: 'E_DUPLICATE_NODE', summary: `node name \`${e.node.name}\` is used twice`, source: e.source, hint: `it is first used at ${first}; node names must be unique` });
    } else {
      seen.set(e.node.name, `${e.source.file}:${e.source.line}:${e.source.col}`);
    }
  }
  return out;
}

function checkReferences(playbook: Playbook, inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const names = inventory.nodes.map((e) => e.node.name);
  const out: Diagnostic[] = [];
  const unknown = (name: string, source: SourceLocation, what: string, code: 'E_LB_MEMBER' | 'E_UNKNOWN_NODE'): void => {
    if (!names.includes(name)) out.push({ severity: 'error', code, summary: `${what} names \`${name}\`, which is not a node of the inventory`, source, hint: suggestHint(name, names, 'node') });
  };
  const lb = playbook.loadBalancer;
  if (lb && lb.type !== 'none' && lb.members) {
    for (const node of Object.keys(lb.members)) unknown(node, sm.locateKey(['loadBalancer', 'members'], node), '`loadBalancer.members`', 'E_LB_MEMBER');
  }
  const canary = playbook.rollout?.canary?.nodes;
  if (Array.isArray(canary)) canary.forEach((n, i) => unknown(n, sm.locate(['rollout', 'canary', 'nodes', i]), '`rollout.canary.nodes`', 'E_UNKNOWN_NODE'));
  return out;
}

function checkHooks(hooks: Hooks | undefined, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [point, list] of Object.entries(hooks ?? {}) as Array<[string, Hook[] | undefined]>) {
    (list ?? []).forEach((hook, i) => {
      const where = sm.locate(['hooks', point, i]);
      const has = [hook.run !== undefined && 'run', hook.webhook !== undefined && 'webhook'].filter(Boolean);
      if (has.length === 0) out.push({ severity: 'error', code: 'E_HOOK', summary: 'a hook needs `run` (a command) or `webhook` (a URL)', source: where, hint: 'add `run: <command>` or `webhook: <url>`' });
      if (has.length === 2) out.push({ severity: 'error', code: 'E_HOOK', summary: 'a hook has both `run` and `webhook`', source: where, hint: 'split it into two hooks' });
      if (hook.webhook !== undefined && hook.on !== undefined) out.push({ severity: 'error', code: 'E_HOOK', summary: '`on` applies to `run` hooks only; a webhook is called from this machine', source: sm.locateKey(['hooks', point, i], 'on') });
      if (hook.run !== undefined && (hook.method || hook.headers || hook.body)) out.push({ severity: 'error', code: 'E_HOOK', summary: '`method`, `headers` and `body` apply to webhooks only', source: where });
    });
  }
  return out;
}

function checkServices(inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defaults = inventory.defaults?.service;
  const missingIn = (s: Service): string[] => (s.type === 'commands' ? (['start', 'stop', 'status'] as const).filter((k) => !s[k]) : []);
  const fromDefaults = defaults ? missingIn(defaults) : [];
  const needs = (m: string[]): string => m.map((k) => `\`${k}\``).join(', ');
  if (fromDefaults.length > 0 && inventory.nodes.some((e) => !e.node.service)) {
    out.push({ severity: 'error', code: 'E_REQUIRED', summary: `service type \`commands\` needs ${needs(fromDefaults)}`, source: sm.locateKey(['inventory', 'defaults'], 'service'), hint: 'set them under `inventory.defaults.service`, or use type `scripts` or `systemd`' });
  }
  for (const e of inventory.nodes.filter((n) => n.node.service)) {
    const missing = missingIn({ ...defaults, ...e.node.service });
    if (missing.length > 0) out.push({ severity: 'error', code: 'E_REQUIRED', summary: `node \`${e.node.name}\`: service type \`commands\` needs ${needs(missing)}`, source: e.locate(['service']), hint: "set them in the node's `service` or under `inventory.defaults.service`" });
  }
  return out;
}

function checkWindow(playbook: Playbook, sm: SourceMap): Diagnostic[] {
  const w = playbook.rollout?.window;
  if (!w) return [];
  const out: Diagnostic[] = [];
  if (w.start === w.end) out.push({ severity: 'error', code: 'E_SCHEMA', summary: 'the maintenance window opens and closes at the same time', source: sm.locate(['rollout', 'window', 'end']) });
  if (w.timezone !== undefined && !isTimeZone(w.timezone)) {
    out.push({ severity: 'error', code: 'E_SCHEMA', summary: `\`${w.timezone}\` is not an IANA time zone`, source: sm.locate(['rollout', 'window', 'timezone']), hint: 'e.g. `Europe/Madrid`, `America/New_York`, `UTC`' });
  }
  return out;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function checkChanges(playbook: Playbook, sm: SourceMap): Diagnostic[] {
  const list = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  const out: Diagnostic[] = [];
  list.forEach((c, i) => {
    const path = Array.isArray(playbook.change) ? ['change', i] : ['change'];
    if (c.type === 'portal-properties' && !c.set && !c.unset && c.source === undefined) out.push({ severity: 'error', code: 'E_REQUIRED', summary: 'a `portal-properties` change needs `set` or `unset`, or a `source` file', source: sm.locate(path) });
    if (c.type === 'portal-properties' && c.source !== undefined && (c.set || c.unset)) out.push({ severity: 'error', code: 'E_SCHEMA', summary: 'a `portal-properties` change ships a whole file (`source`) or edits keys (`set`/`unset`), not both', source: sm.locate([...path, 'source']), hint: 'put the keys into the shipped file, or make two changes' });
    if (c.type === 'portal-properties') {
      const both = (c.unset ?? []).filter((k) => c.set && k in c.set);
      for (const k of both) out.push({ severity: 'error', code: 'E_SCHEMA', summary: `\`${k}\` is both set and unset`, source: sm.locate([...path, 'unset']) });
    }
    if (c.type === 'osgi-config' && !c.files?.length && !c.remove?.length) out.push({ severity: 'error', code: 'E_REQUIRED', summary: 'an `osgi-config` change needs `files` or `remove`', source: sm.locate(path) });
    if (c.type === 'jvm-settings' && !c.options?.length && !Object.keys(c.env ?? {}).length && c.source === undefined) out.push({ severity: 'error', code: 'E_REQUIRED', summary: 'a `jvm-settings` change needs `options` or `env`, or a `source` file', source: sm.locate(path) });
    if (c.type === 'jvm-settings' && c.source !== undefined && (c.options || c.env)) out.push({ severity: 'error', code: 'E_SCHEMA', summary: 'a `jvm-settings` change ships a whole setenv script (`source`) or manages a block (`options`/`env`), not both', source: sm.locate([...path, 'source']), hint: 'put the options into the shipped file, or make two changes' });
    if (c.type === 'app-server' && !c.files?.length && !c.commands?.length) out.push({ severity: 'error', code: 'E_REQUIRED', summary: 'an `app-server` change needs `files` or `commands`', source: sm.locate(path) });
    if (c.type === 'custom' && c.clusterCode === true && c.rollingSafe === true) out.push({ severity: 'error', code: 'E_SCHEMA', summary: 'a `custom` change cannot be `rollingSafe: true` and change cluster code (`clusterCode: true`)', source: sm.locate([...path, 'clusterCode']), hint: 'cluster code changes are never rolled: set `rollingSafe: false` and use `strategy: full`' });
  });
  return out;
}
