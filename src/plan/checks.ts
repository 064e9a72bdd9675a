import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import { suggestHint } from '../errors/suggest.js';
import { BUILTIN_VARS } from './scope.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import type { Hook, Hooks, Playbook, Service } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';
import { checkChanges } from './change-checks.js';
import { windowDiagnostics } from './window-checks.js';

/** Checks the schema cannot express: unique node names, references to nodes, hook shapes, service commands, windows. */
export function checkPlaybook(playbook: Playbook, inventory: NormalizedInventory, sourceMap: SourceMap): Diagnostic[] {
  return [
    ...checkNodes(inventory),
    ...checkReferences(playbook, inventory, sourceMap),
    ...checkHooks(playbook.hooks, sourceMap),
    ...checkLbInstances(playbook.loadBalancer, sourceMap),
    ...checkServices(inventory, sourceMap),
    ...windowDiagnostics(playbook, sourceMap),
    ...checkChanges(playbook, sourceMap),
    ...checkVarNames(playbook, inventory, sourceMap),
    ...checkClearCache(playbook, sourceMap),
  ];
}

/** `clearCache` runs either the built-in Server Administration action or a command: exactly one. */
function checkClearCache(playbook: Playbook, sm: SourceMap): Diagnostic[] {
  const c = playbook.rollout?.clearCache;
  if (!c) return [];
  if (c.command !== undefined && c.serverAdmin !== undefined)
    return [
      {
        severity: 'error',
        code: 'E_SCHEMA',
        summary: '`rollout.clearCache` has both `command` and `serverAdmin`',
        source: sm.locateKey(['rollout', 'clearCache'], 'serverAdmin'),
        hint:
          'keep `serverAdmin` for the built-in "Clear content cached across the cluster", or `command` ' +
          'for your own',
      },
    ];
  if (c.serverAdmin && !/^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(c.serverAdmin.password)) {
    return [
      {
        severity: 'error',
        code: 'E_SCHEMA',
        summary:
          '`rollout.clearCache.serverAdmin.password` must be a secret from the environment, ' +
          '`${ENV_NAME}`: a password written in the playbook would end up in git and in the plan',
        source: sm.locate(['rollout', 'clearCache', 'serverAdmin', 'password']),
        hint: 'e.g. `password: "${LIFERAY_ADMIN_PASSWORD}"`, and export LIFERAY_ADMIN_PASSWORD before `lrroll run`',
      },
    ];
  }
  if (c.command === undefined && c.serverAdmin === undefined)
    return [
      {
        severity: 'error',
        code: 'E_REQUIRED',
        summary: '`rollout.clearCache` needs `serverAdmin` (the built-in action) or `command`',
        source: sm.locate(['rollout', 'clearCache']),
        hint: 'e.g. `serverAdmin: { login: "${LIFERAY_ADMIN_LOGIN}", password: "${LIFERAY_ADMIN_PASSWORD}" }`',
      },
    ];
  return [];
}

/** Vars may not reuse a built-in template name: reported once, where the var is defined. */
function checkVarNames(playbook: Playbook, inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const builtin = (name: string): boolean => (BUILTIN_VARS as readonly string[]).includes(name);
  const report = (name: string, source: SourceLocation): void => {
    out.push({
      severity: 'error',
      code: 'E_VAR',
      summary: `\`${name}\` is a built-in template name and cannot be set as a variable`,
      source,
      hint: `built-ins: ${BUILTIN_VARS.join(', ')}; choose another name`,
    });
  };
  for (const name of Object.keys(playbook.vars ?? {}).filter(builtin)) report(name, sm.locateKey(['vars'], name));
  for (const name of Object.keys(inventory.defaults?.vars ?? {}).filter(builtin))
    report(name, sm.locateKey(['inventory', 'defaults', 'vars'], name));
  for (const e of inventory.nodes)
    for (const name of Object.keys(e.node.vars ?? {}).filter(builtin)) report(name, e.locate(['vars', name]));
  return out;
}

function checkNodes(inventory: NormalizedInventory): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, string>();
  for (const e of inventory.nodes) {
    const first = seen.get(e.node.name);
    if (first) {
      out.push({
        severity: 'error',
        code: 'E_DUPLICATE_NODE',
        summary: `node name \`${e.node.name}\` is used twice`,
        source: e.source,
        hint: `it is first used at ${first}; node names must be unique`,
      });
    } else {
      seen.set(e.node.name, `${e.source.file}:${e.source.line}:${e.source.col}`);
    }
  }
  return out;
}

function checkReferences(playbook: Playbook, inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const names = inventory.nodes.map((e) => e.node.name);
  const out: Diagnostic[] = [];
  const unknown = (
    name: string,
    source: SourceLocation,
    what: string,
    code: 'E_LB_MEMBER' | 'E_UNKNOWN_NODE',
  ): void => {
    if (!names.includes(name))
      out.push({
        severity: 'error',
        code,
        summary: `${what} names \`${name}\`, which is not a node of the inventory`,
        source,
        hint: suggestHint(name, names, 'node'),
      });
  };
  const lb = playbook.loadBalancer;
  if (lb && lb.type !== 'none' && lb.members) {
    for (const node of Object.keys(lb.members))
      unknown(node, sm.locateKey(['loadBalancer', 'members'], node), '`loadBalancer.members`', 'E_LB_MEMBER');
  }
  const canary = playbook.rollout?.canary?.nodes;
  if (Array.isArray(canary))
    canary.forEach((n, i) =>
      unknown(n, sm.locate(['rollout', 'canary', 'nodes', i]), '`rollout.canary.nodes`', 'E_UNKNOWN_NODE'),
    );
  return out;
}

/** One load balancer (`socket` / `url`) or several (`instances`), not both, not neither; instance names unique. */
function checkLbInstances(lb: Playbook['loadBalancer'], sm: SourceMap): Diagnostic[] {
  if (!lb || (lb.type !== 'haproxy' && lb.type !== 'apache' && lb.type !== 'mod_jk')) return [];
  const key = lb.type === 'haproxy' ? 'socket' : 'url';
  const single = lb.type === 'haproxy' ? lb.socket : lb.url;
  const out: Diagnostic[] = [];
  if (single === undefined && !lb.instances) {
    out.push({
      severity: 'error',
      code: 'E_LB_INSTANCE',
      summary: `the ${lb.type} load balancer needs \`${key}\` (one instance) or \`instances\` (several)`,
      source: sm.locate(['loadBalancer']),
      hint:
        `add \`${key}: ` +
        (lb.type === 'haproxy'
          ? '/run/haproxy/admin.sock'
          : `http://lb.internal/${lb.type === 'apache' ? 'balancer-manager' : 'jkstatus'}`) +
        `\``,
    });
  }
  if (single !== undefined && lb.instances) {
    out.push({
      severity: 'error',
      code: 'E_LB_INSTANCE',
      summary: `\`loadBalancer\` has both \`${key}\` and \`instances\``,
      source: sm.locateKey(['loadBalancer'], 'instances'),
      hint: `list every instance under \`instances\` (the first one too) and drop \`${key}\``,
    });
  }
  if (lb.type === 'haproxy' && lb.via && lb.instances) {
    out.push({
      severity: 'error',
      code: 'E_LB_INSTANCE',
      summary: '`loadBalancer.via` does not apply with `instances`: each instance has its own `via`',
      source: sm.locateKey(['loadBalancer'], 'via'),
    });
  }
  const seen = new Set<string>();
  (lb.instances ?? []).forEach((i, n) => {
    if (i.name === undefined) return;
    if (seen.has(i.name))
      out.push({
        severity: 'error',
        code: 'E_LB_INSTANCE',
        summary: `load-balancer instance name \`${i.name}\` is used twice`,
        source: sm.locate(['loadBalancer', 'instances', n, 'name']),
        hint: 'instance names must be unique',
      });
    seen.add(i.name);
  });
  return out;
}

function checkHooks(hooks: Hooks | undefined, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [point, list] of Object.entries(hooks ?? {}) as Array<[string, Hook[] | undefined]>) {
    (list ?? []).forEach((hook, i) => {
      const where = sm.locate(['hooks', point, i]);
      const has = [hook.run !== undefined && 'run', hook.webhook !== undefined && 'webhook'].filter(Boolean);
      if (has.length === 0)
        out.push({
          severity: 'error',
          code: 'E_HOOK',
          summary: 'a hook needs `run` (a command) or `webhook` (a URL)',
          source: where,
          hint: 'add `run: <command>` or `webhook: <url>`',
        });
      if (has.length === 2)
        out.push({
          severity: 'error',
          code: 'E_HOOK',
          summary: 'a hook has both `run` and `webhook`',
          source: where,
          hint: 'split it into two hooks',
        });
      if (hook.webhook !== undefined && hook.on !== undefined)
        out.push({
          severity: 'error',
          code: 'E_HOOK',
          summary: '`on` applies to `run` hooks only; a webhook is called from this machine',
          source: sm.locateKey(['hooks', point, i], 'on'),
        });
      if (hook.run !== undefined && (hook.method || hook.headers || hook.body))
        out.push({
          severity: 'error',
          code: 'E_HOOK',
          summary: '`method`, `headers` and `body` apply to webhooks only',
          source: where,
        });
    });
  }
  return out;
}

function checkServices(inventory: NormalizedInventory, sm: SourceMap): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defaults = inventory.defaults?.service;
  const missingIn = (s: Service): string[] =>
    s.type === 'commands' ? (['start', 'stop', 'status'] as const).filter((k) => !s[k]) : [];
  const fromDefaults = defaults ? missingIn(defaults) : [];
  const needs = (m: string[]): string => m.map((k) => `\`${k}\``).join(', ');
  if (fromDefaults.length > 0 && inventory.nodes.some((e) => !e.node.service)) {
    out.push({
      severity: 'error',
      code: 'E_REQUIRED',
      summary: `service type \`commands\` needs ${needs(fromDefaults)}`,
      source: sm.locateKey(['inventory', 'defaults'], 'service'),
      hint: 'set them under `inventory.defaults.service`, or use type `scripts` or `systemd`',
    });
  }
  for (const e of inventory.nodes.filter((n) => n.node.service)) {
    const missing = missingIn({ ...defaults, ...e.node.service });
    if (missing.length > 0)
      out.push({
        severity: 'error',
        code: 'E_REQUIRED',
        summary: `node \`${e.node.name}\`: service type \`commands\` needs ${needs(missing)}`,
        source: e.locate(['service']),
        hint: "set them in the node's `service` or under `inventory.defaults.service`",
      });
  }
  return out;
}
