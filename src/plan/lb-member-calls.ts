/**
 * What lrroll sends a load balancer about one member, by LB type: the runtime API commands, balancer-manager or
 * status-worker requests, or the playbook's own commands, rendered for the node.
 */
import type { SourceLocation } from '../errors/diagnostics.js';
import { shownLbUrl } from '../domain/lb-url.js';
import { secretRefs } from '../domain/template.js';
import type { ResolvedNode } from './nodes.js';
import type { Templater } from './scope.js';
import type { LbStatusCall, PlanLoadBalancer } from './types.js';

/** The API calls (or commands) for one member, by LB type. */
export interface MemberCalls {
  drain: string;
  /**
   * Takes the member out hard once its sessions reach 0, and at the drain timeout unless `onDrainTimeout` is `fail`;
   * null for a command load balancer without `disable`.
   */
  hard: string | null;
  enable: string;
  state: string;
  sessions: string;
  isCommand: boolean;
  secretEnv: string[];
}

export function memberCalls(
  lb: PlanLoadBalancer,
  node: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): MemberCalls {
  const m = node.plan.member ?? node.plan.name;
  const hardSessions = lb.onDrainTimeout === 'maint-and-shutdown-sessions';
  switch (lb.type) {
    case 'haproxy': {
      const srv = `${lb.pool}/${m}`;
      // The same runtime API commands go to every instance's socket.
      const on = lb.instances.length > 1 ? ` (on ${lb.instances.map((i) => i.name).join(', ')})` : '';
      return {
        drain: `set server ${srv} state drain${on}`,
        hard: `set server ${srv} state maint${hardSessions ? `; shutdown sessions server ${srv}` : ''}${on}`,
        enable: `set server ${srv} state ready${on}`,
        state: `show stat ${lb.pool} 4 -1 (status of ${m})${on}`,
        sessions: `show stat ${lb.pool} 4 -1 (scur + qcur of ${m})${on}`,
        isCommand: false,
        secretEnv: [],
      };
    }
    case 'apache': {
      // A change is read, posted and read back: the worker's name (its URL) and the balancer's nonce come from the
      // first read.
      const each = (f: (url: string) => string): string =>
        lb.instances.map((i) => f(shownLbUrl(i.endpoint))).join('; ');
      const post = (u: string, status: string, applied: string): string =>
        `GET ${u}?xml=1 (worker and nonce of ${m}); GET ${u}?b=${lb.pool}` +
        ` (the nonce, when the XML has none); POST ${u} b=${lb.pool}&w={worker}&nonce={nonce}&` +
        `${status}; GET ${u}?xml=1 (${m} is now ${applied})`;
      return {
        drain: each((u) => post(u, 'w_status_N=1', 'Drn')),
        hard: each((u) => post(u, 'w_status_S=1', 'Stop')),
        enable: each((u) => post(u, 'w_status_N=0&w_status_D=0&w_status_S=0', 'neither Drn, Dis nor Stop')),
        state: each((u) => `GET ${u}?xml=1 (status of ${m})`),
        sessions: each((u) => `GET ${u}?xml=1 (busy of ${m})`),
        isCommand: false,
        secretEnv: urlSecrets(lb.instances.map((i) => i.endpoint)),
      };
    }
    case 'mod_jk': {
      const each = (f: (url: string) => string): string =>
        lb.instances.map((i) => f(shownLbUrl(i.endpoint))).join('; ');
      const update = (u: string): string => `${u}?cmd=update&mime=prop&w=${lb.pool}&sw=${m}`;
      const show = (u: string): string => `${u}?cmd=show&mime=prop&w=${lb.pool}&sw=${m}`;
      return {
        drain: each((u) => `GET ${update(u)}&vwa=1`),
        hard: each((u) => `GET ${update(u)}&vwa=2`),
        enable: each((u) => `GET ${update(u)}&vwa=0`),
        state: each((u) => `GET ${show(u)} (activation, state)`),
        sessions: each((u) => `GET ${show(u)} (busy)`),
        isCommand: false,
        secretEnv: urlSecrets(lb.instances.map((i) => i.endpoint)),
      };
    }
    case 'command':
      return commandCalls(lb, node, templater, locate);
    case 'none':
      throw new Error('no member calls without a load balancer');
  }
}

/** The environment variables the URLs reference as `${NAME}`: the run needs them, and they stay out of the plan. */
function urlSecrets(urls: readonly string[]): string[] {
  return [...new Set(urls.flatMap((u) => secretRefs(u)))].sort();
}

function commandCalls(
  lb: PlanLoadBalancer,
  node: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): MemberCalls {
  const c = lb.commands;
  if (!c) throw new Error('command load balancer without commands');
  const secret = new Set<string>();
  const r = (tpl: string, field: string): string => {
    const out = templater.render(tpl, node.scope, 'shell', locate(field), node.plan.name);
    out.secretEnv.forEach((s) => secret.add(s));
    return out.text;
  };
  const calls = {
    drain: r(c.drain, 'drain'),
    hard: c.disable ? r(c.disable, 'disable') : null,
    enable: r(c.enable, 'enable'),
    state: r(c.status, 'status'),
    sessions: c.sessions ? r(c.sessions, 'sessions') : '',
    isCommand: true,
    secretEnv: [] as string[],
  };
  calls.secretEnv = [...secret].sort();
  return calls;
}

/**
 * A command load balancer's `status` for one node's member, as the capacity check runs it; null for the other types
 * (their driver reads the state).
 */
export function lbStatusCall(
  lb: PlanLoadBalancer,
  node: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): LbStatusCall | null {
  if (lb.type !== 'command' || !lb.commands) return null;
  // Only the status command: the node's other LB commands are rendered with its own steps.
  const status = templater.render(lb.commands.status, node.scope, 'shell', locate('status'), node.plan.name);
  return {
    command: status.text,
    runOn: lb.via ? 'lb' : 'local',
    become: lb.via?.become ?? false,
    secretEnv: [...new Set(status.secretEnv)].sort(),
  };
}

/** The API read of a member's state, for a load balancer a driver reads (null for `command` and `none`). */
export function lbReadCall(
  lb: PlanLoadBalancer,
  node: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): string | null {
  return lb.type === 'command' || lb.type === 'none' ? null : memberCalls(lb, node, templater, locate).state;
}
