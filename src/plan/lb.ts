import type { SourceLocation } from '../errors/diagnostics.js';
import type { LoadBalancer, SshTarget } from '../playbook/playbook.generated.js';
import { DEFAULTS, EXPECTED, STEP_DEADLINES, TIMINGS } from './defaults.js';
import { parseDuration } from './duration.js';
import { parseHaproxySocket, socatWrapper } from '../domain/haproxy-socket.js';
import { healthUpStep, resolveHealthUp } from './lb-health-up.js';
import { memberCalls, type MemberCalls } from './lb-member-calls.js';
import type { ResolvedNode } from './nodes.js';
import { checkLbName, hasInlinePassword } from './inputs.js';
import type { Templater } from './scope.js';
import type { TemplateScope } from '../domain/template.js';
import { makeStep } from './step.js';
import type {
  CheckLbMemberStep,
  LbDrainStep,
  LbEnableStep,
  LbHealthUpStep,
  LbVia,
  LbWaitDrainedStep,
  LbWaitUpStep,
  PlanLbInstance,
  PlanLoadBalancer,
  RunOn,
} from './types.js';

/** What resolving the load balancer needs to render and check its URL: run-level templates and where the section is. */
interface LbContext {
  templater: Templater;
  scope: TemplateScope;
  /** Where a field of the section is (a path for nested ones: `['instances', 1, 'url']`). */
  locate: (field: string | Array<string | number>) => SourceLocation;
}

/**
 * Resolves the playbook's load balancer (no load balancer → type `none`); its URL may use templates and `${NAME}`
 * secrets.
 */
export function resolveLoadBalancer(lb: LoadBalancer | undefined, ctx: LbContext): PlanLoadBalancer {
  const deadlines = { requestTimeoutSec: TIMINGS.lbRequestSec, commandTimeoutSec: TIMINGS.lbCommandSec };
  if (!lb || lb.type === 'none') {
    return {
      type: 'none',
      endpoint: 'none',
      pool: '',
      via: null,
      instances: [],
      drainTimeoutSec: 0,
      drainWaitSec: null,
      onDrainTimeout: 'maint',
      upTimeoutSec: 0,
      healthUpAfterProbe: false,
      pollSec: 1,
      ...deadlines,
      members: {},
      commands: null,
    };
  }
  const common = {
    drainTimeoutSec: parseDuration(lb.drainTimeout ?? DEFAULTS.loadBalancer.drainTimeout),
    onDrainTimeout: lb.onDrainTimeout ?? DEFAULTS.loadBalancer.onDrainTimeout,
    upTimeoutSec: parseDuration(lb.upTimeout ?? DEFAULTS.loadBalancer.upTimeout),
    healthUpAfterProbe: resolveHealthUp(lb),
    pollSec: parseDuration(lb.pollInterval ?? DEFAULTS.loadBalancer.pollInterval),
    members: { ...(lb.members ?? {}) },
    drainWaitSec:
      lb.type === 'command' && !lb.sessions ? parseDuration(lb.drainWait ?? DEFAULTS.loadBalancer.drainWait) : null,
    ...deadlines,
  };
  switch (lb.type) {
    case 'haproxy': {
      const written = lb.instances ?? [{ socket: lb.socket ?? '', ...(lb.via ? { via: lb.via } : {}) }];
      const socketField = (n: number): Array<string | number> =>
        lb.instances ? ['instances', n, 'socket'] : ['socket'];
      const instances = uniqueNames(
        written.map((i, n) => ({
          ...instance(i.name, i.socket, via(i.via)),
          wrapper: i.via ? viaWrapper(i.socket, ctx, socketField(n)) : null,
        })),
      );
      return {
        type: 'haproxy',
        endpoint: instances[0]?.endpoint ?? '',
        pool: checkedName(lb.backend, lb.type, ctx, 'backend'),
        via: instances[0]?.via ?? null,
        instances,
        commands: null,
        ...common,
      };
    }
    case 'apache':
    case 'mod_jk': {
      const instances = uniqueNames(
        lb.instances
          ? lb.instances.map((i, n) => instance(i.name, lbUrl(i.url, ctx, ['instances', n, 'url']), null))
          : [instance(undefined, lb.url === undefined ? '' : lbUrl(lb.url, ctx), null)],
      );
      return {
        type: lb.type,
        endpoint: instances[0]?.endpoint ?? '',
        pool: checkedName(lb.balancer, lb.type, ctx, 'balancer'),
        via: null,
        instances,
        commands: null,
        ...common,
      };
    }
    case 'command':
      return {
        type: 'command',
        endpoint: lb.via ? `ssh://${lb.via.user ? `${lb.via.user}@` : ''}${lb.via.host}` : 'local',
        pool: '',
        via: via(lb.via),
        instances: [],
        commands: {
          drain: lb.drain,
          disable: lb.disable ?? null,
          enable: lb.enable,
          status: lb.status,
          sessions: lb.sessions ?? null,
        },
        ...common,
      };
  }
}

/**
 * One instance: its name as written, else its `via` host, else its URL's host (never the URL's user info), else its
 * socket.
 */
function instance(name: string | undefined, endpoint: string, v: LbVia | null): PlanLbInstance {
  if (name) return { name, endpoint, via: v, wrapper: null };
  if (v) return { name: v.host, endpoint, via: v, wrapper: null };
  let host = '';
  try {
    host = /^https?:\/\//.test(endpoint) ? new URL(endpoint).host : '';
  } catch {
    // a URL still holding a template or `${NAME}` may not parse: fall back to the whole endpoint
  }
  return { name: host || endpoint, endpoint, via: v, wrapper: null };
}

/** The `via` form's socat command for a socket, or a located error when socat cannot take its address. */
function viaWrapper(socket: string, ctx: LbContext, field: Array<string | number>): string | null {
  try {
    return socatWrapper(parseHaproxySocket(socket), TIMINGS.lbSocatIdleSec);
  } catch (e) {
    ctx.templater.invalid(
      'E_LB_INSTANCE',
      `\`loadBalancer.socket\`: ${(e as Error).message}`,
      'write a socket path without , : ! \\ quotes or spaces, or host:port',
      ctx.locate(field),
    );
    return null;
  }
}

/**
 * Derived names that collide (two sockets on one host, say) get `#2`, `#3`… (names as written are checked for
 * duplicates).
 */
function uniqueNames(instances: PlanLbInstance[]): PlanLbInstance[] {
  const seen = new Map<string, number>();
  return instances.map((i) => {
    const n = (seen.get(i.name) ?? 0) + 1;
    seen.set(i.name, n);
    return n === 1 ? i : { ...i, name: `${i.name}#${n}` };
  });
}

/** The balancer-manager / status worker URL, rendered and checked; an inline password is allowed but warned about. */
function lbUrl(template: string, ctx: LbContext, field: string | Array<string | number> = 'url'): string {
  const where = ctx.locate(field);
  const url = ctx.templater.url(template, ctx.scope, where).text;
  if (hasInlinePassword(url)) {
    ctx.templater.warn(
      `the load balancer's URL holds a password in clear: \`lrroll plan\`, the run record and anyone ` +
        `reading the playbook see it`,
      'write `http://user:${LB_PASSWORD}@host/…` and set LB_PASSWORD in the environment of the run',
      where,
    );
  }
  return url;
}

/** A backend or balancer name the load balancer's API can carry. */
function checkedName(name: string, type: string, ctx: LbContext, field: string): string {
  const checked = checkLbName(name, type);
  if (!checked.ok)
    ctx.templater.invalid('E_NAME', `\`loadBalancer.${field}\`: ${checked.problem}`, checked.hint, ctx.locate(field));
  return name;
}

function via(target: SshTarget | undefined): LbVia | null {
  if (!target) return null;
  return {
    host: target.host,
    port: target.port ?? null,
    user: target.user ?? null,
    identityFile: target.identityFile ?? null,
    become: target.become ?? false,
  };
}

/** What follows the sessions reaching 0 (or the timeout), as the wait's title says it. */
function drainedThen(lb: PlanLoadBalancer, calls: MemberCalls): string {
  if (!calls.hard)
    return lb.onDrainTimeout === 'fail' ? ' (fail on timeout)' : ' (no `disable` command: the stop follows)';
  return lb.onDrainTimeout === 'fail' ? ', then take it out hard (fail on timeout)' : ` (then ${lb.onDrainTimeout})`;
}

/**
 * Waits for the member's sessions to reach 0 (at most the drain timeout), or — when they cannot be counted — a fixed,
 * short wait.
 */
function waitDrainedStep(
  lb: PlanLoadBalancer,
  member: string,
  calls: MemberCalls,
  base: Pick<LbWaitDrainedStep, 'node' | 'runOn' | 'secretEnv' | 'become'>,
): LbWaitDrainedStep {
  const call = calls.isCommand
    ? { api: null, command: calls.sessions || calls.state }
    : { api: calls.sessions, command: null };
  const timings = {
    readTimeoutSec: TIMINGS.remoteCheckSec,
    settleAfterHardSec: TIMINGS.settleAfterHardSec,
    settlePollSec: TIMINGS.settlePollSec,
    heartbeatSec: TIMINGS.gateHeartbeatSec,
    fastPollSec: TIMINGS.drainFastPollSec,
    fastPollForSec: calls.isCommand ? 0 : TIMINGS.drainFastForSec,
  };
  const common = {
    action: 'lb-wait-drained' as const,
    member,
    pollSec: lb.pollSec,
    onTimeout: lb.onDrainTimeout,
    hardCommand: calls.hard,
    ...timings,
    ...base,
    ...call,
  };
  if (lb.drainWaitSec !== null) {
    const wait = lb.drainWaitSec;
    const then = calls.hard ? `\`disable\`` : 'the stop';
    return makeStep<LbWaitDrainedStep>({
      ...common,
      countsSessions: false,
      title: `wait ${wait}s for ${member} to drain (no session count; then ${then})`,
      timeoutSec: wait,
      expectSec: wait,
      waitsFor:
        `a fixed ${wait}s: without a \`sessions\` command the load balancer cannot say when ${member}` +
        ` is idle (loadBalancer.drainWait)`,
    });
  }
  return makeStep<LbWaitDrainedStep>({
    ...common,
    countsSessions: true,
    title: `wait for ${member}'s sessions to reach 0${drainedThen(lb, calls)}`,
    timeoutSec: lb.drainTimeoutSec,
    expectSec: Math.min(lb.drainTimeoutSec, EXPECTED.drainSec),
    waitsFor: `current sessions of ${member} = 0, at most ${lb.drainTimeoutSec}s`,
  });
}

/**
 * The LB steps of one node: preflight check, drain, wait drained (with hard step), enable, HAProxy's `health up` (null
 * when not planned), wait UP.
 */
export interface NodeLbSteps {
  check: CheckLbMemberStep;
  drain: LbDrainStep;
  waitDrained: LbWaitDrainedStep;
  enable: LbEnableStep;
  healthUp: LbHealthUpStep | null;
  waitUp: LbWaitUpStep;
}

/**
 * Builds the LB steps for a node; null without a load balancer. `locate` finds a field of `loadBalancer` for
 * diagnostics.
 */
export function nodeLbSteps(
  lb: PlanLoadBalancer,
  node: ResolvedNode,
  templater: Templater,
  locate: (field: string) => SourceLocation,
): NodeLbSteps | null {
  if (lb.type === 'none') return null;
  const calls = memberCalls(lb, node, templater, locate);
  const member = node.plan.member ?? node.plan.name;
  const runOn: RunOn = lb.via ? 'lb' : 'local';
  const call = (api: string): { api: string | null; command: string | null } =>
    calls.isCommand ? { api: null, command: api } : { api, command: null };
  const base = { node: node.plan.name, runOn, secretEnv: calls.secretEnv, become: lb.via?.become ?? false };
  const read = { readTimeoutSec: TIMINGS.remoteCheckSec };
  const lbs =
    lb.instances.length > 1
      ? `every load balancer (${lb.instances.map((i) => i.name).join(', ')})`
      : 'the load balancer';
  return {
    check: makeStep<CheckLbMemberStep>({
      action: 'check-lb-member',
      member,
      ...read,
      title: `LB member ${member} exists and is UP${lb.instances.length > 1 ? ` in ${lbs}` : ''}`,
      ...base,
      ...call(calls.state),
      timeoutSec: STEP_DEADLINES.checkSec,
      expectSec: EXPECTED.checkSec,
      waitsFor: null,
    }),
    drain: makeStep<LbDrainStep>({
      action: 'lb-drain',
      member,
      ...read,
      title: `drain ${member} in ${lbs}`,
      ...base,
      ...call(calls.drain),
      timeoutSec: STEP_DEADLINES.lbActionSec,
      expectSec: EXPECTED.lbActionSec,
    }),
    waitDrained: waitDrainedStep(lb, member, calls, base),
    enable: makeStep<LbEnableStep>({
      action: 'lb-enable',
      member,
      ...read,
      title: `enable ${member} in ${lbs}`,
      ...base,
      ...call(calls.enable),
      timeoutSec: STEP_DEADLINES.lbActionSec,
      expectSec: EXPECTED.lbActionSec,
    }),
    healthUp: healthUpStep(lb, member, { ...base, ...read }),
    waitUp: makeStep<LbWaitUpStep>({
      action: 'lb-wait-up',
      member,
      pollSec: lb.pollSec,
      ...read,
      fastPollSec: TIMINGS.upFastPollSec,
      fastPollForSec: TIMINGS.upFastForSec,
      title: `wait until ${lbs} reports ${member} UP`,
      ...base,
      ...call(calls.state),
      timeoutSec: lb.upTimeoutSec,
      expectSec: EXPECTED.lbUpSec,
      waitsFor: `${member} reported UP`,
    }),
  };
}
