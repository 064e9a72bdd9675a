// The pieces compilePlan (compile.ts) assembles a plan from: the run's policy and template scope,
// hook steps, what the capacity check and the canary bake read of each node, and the secrets a plan needs.
import type { SourceLocation } from '../errors/diagnostics.js';
import type { Hook, Playbook, Rollout } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';
import { DEFAULTS, TIMINGS } from './defaults.js';
import { resolveCount } from './duration.js';
import { hookStep, type HookSite } from './hooks.js';
import { checkLbName } from './inputs.js';
import { lbReadCall, lbStatusCall } from './lb-member-calls.js';
import { errorScanCommand, logSizeCommand } from './log-commands.js';
import { httpProbeCommand } from './health-gates.js';
import { resolveHealth, type ResolvedHealth } from './node-steps.js';
import type { ResolvedNode } from './nodes.js';
import { toVar, type Templater } from './scope.js';
import type { TemplateVar } from '../domain/template.js';
import type { BakeWatch, CapacityNode, PlanLoadBalancer, PlanNode, Policy, Step } from './types.js';

/** What the canary bake watches on a canary node: its HTTP probe, its process and its log. */
export function bakeWatch(node: ResolvedNode, health: ResolvedHealth | undefined, playbook: Playbook): BakeWatch {
  const pattern = playbook.rollout?.canary?.errorPattern ?? DEFAULTS.rollout.canaryErrorPattern;
  const http = health?.http ?? null;
  const log = health?.marker?.log ?? health?.modules.log ?? `${node.plan.tomcatHome}/logs/catalina.out`;
  return {
    node: node.plan.name,
    probeCommand: http ? httpProbeCommand(http.url) : null,
    url: http?.url ?? null,
    status: http?.status ?? [],
    statusCommand: node.service.status,
    statusBecome: node.service.become,
    log,
    errorPattern: pattern === '' ? null : pattern,
    logSize: pattern === '' ? null : logSizeCommand(log, false),
    errorScan: pattern === '' ? null : errorScanCommand(log, pattern),
    checkTimeoutSec: TIMINGS.remoteCheckSec,
  };
}

/** A node's load-balancer member must be a name the LB's API carries safely; reported where the name comes from. */
export function checkMember(
  n: ResolvedNode,
  lbType: string,
  playbook: Playbook,
  sm: SourceMap,
  templater: Templater,
): void {
  const member = n.plan.member ?? n.plan.name;
  const checked = checkLbName(member, lbType);
  if (checked.ok) return;
  const lb = playbook.loadBalancer;
  const fromMap = lb && lb.type !== 'none' && lb.members?.[n.plan.name] !== undefined;
  const where =
    n.entry.node.member !== undefined
      ? n.entry.locate(['member'])
      : fromMap
        ? sm.locate(['loadBalancer', 'members', n.plan.name])
        : n.entry.source;
  templater.invalid('E_NAME', `the load-balancer member ${checked.problem}`, checked.hint, where, n.plan.name);
}

/** How the capacity check reads each node: its load-balancer member and its own HTTP probe. */
export function capacityNodes(
  playbook: Playbook,
  nodes: readonly ResolvedNode[],
  lb: PlanLoadBalancer,
  templater: Templater,
  sm: SourceMap,
): Map<string, CapacityNode> {
  const clusterNodes = nodes.map((n) => n.plan.name);
  return new Map(
    nodes.map((n) => {
      const http = resolveHealth(playbook.health, n, { clusterNodes, startOrder: [n.plan.name] }, templater, (p) =>
        sm.locate(['health', ...p]),
      ).http;
      const member = lb.type === 'none' ? null : (lb.members[n.plan.name] ?? n.plan.name);
      const lbStatus = lbStatusCall(lb, n, templater, (field) => sm.locate(['loadBalancer', field]));
      const lbRead = lbReadCall(lb, n, templater, (field) => sm.locate(['loadBalancer', field]));
      return [
        n.plan.name,
        {
          node: n.plan.name,
          member,
          probe: http ? httpProbeCommand(http.url) : null,
          status: http?.status ?? [],
          lbStatus,
          lbRead,
        },
      ];
    }),
  );
}

export function resolvePolicy(playbook: Playbook, clusterSize: number): Policy {
  const r = playbook.rollout ?? {};
  const strategy = r.strategy ?? DEFAULTS.rollout.strategy;
  return {
    strategy,
    minHealthy: resolveCount(r.minHealthy ?? DEFAULTS.rollout.minHealthy, clusterSize, 'up'),
    maxFailures: resolveCount(r.maxFailures ?? DEFAULTS.rollout.maxFailures, clusterSize, 'down'),
    onFailure: r.onFailure ?? DEFAULTS.rollout.onFailure,
    window: windowFor(r.window, strategy),
    pauseBetweenBatches: r.pauseBetweenBatches ?? DEFAULTS.rollout.pauseBetweenBatches,
  };
}

/**
 * The window that applies to `strategy`: its own (`window.rolling` / `window.full`), else the general one, else none.
 */
function windowFor(w: Rollout['window'], strategy: Policy['strategy']): Policy['window'] {
  if (!w) return null;
  const own = w[strategy];
  const spec = own ?? (w.start !== undefined && w.end !== undefined ? { start: w.start, end: w.end } : null);
  if (!spec) return null;
  return {
    days: own?.days ?? w.days ?? ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
    start: spec.start,
    end: spec.end,
    timezone: own?.timezone ?? w.timezone ?? DEFAULTS.rollout.windowTimezone,
    source: own ? `rollout.window.${strategy}` : 'rollout.window',
  };
}

export function runLevelScope(
  playbook: Playbook,
  overrides: Readonly<Record<string, string>>,
): Map<string, TemplateVar> {
  const scope = new Map<string, TemplateVar>();
  for (const [k, v] of Object.entries({ ...playbook.vars, ...overrides })) if (v !== undefined) scope.set(k, toVar(v));
  return scope;
}

/** Builds hook steps for a point; `on: node` hooks at run/batch level become one step per node. */
export class HookBuilder {
  constructor(
    private readonly playbook: Playbook,
    private readonly templater: Templater,
    private readonly sourceMap: SourceMap,
  ) {}

  at(site: HookSite, nodes: readonly ResolvedNode[]): Step[] {
    const list: Hook[] = this.playbook.hooks?.[site.point] ?? [];
    return list.flatMap((hook, i) => {
      const locate = (field: string): SourceLocation => this.sourceMap.locate(['hooks', site.point, i, field]);
      const perNode = hook.run !== undefined && hook.on === 'node' && site.node === null;
      if (!perNode) return [hookStep(hook, site, this.templater, locate)];
      return nodes.map((n) => hookStep(hook, { ...site, node: n.plan.name, scope: n.scope }, this.templater, locate));
    });
  }
}

export function collectSecrets(groups: ReadonlyArray<readonly Step[]>, nodes: readonly PlanNode[]): string[] {
  const out = new Set<string>();
  for (const g of groups) for (const s of g) s.secretEnv.forEach((e) => out.add(e));
  for (const n of nodes) if (n.becomePassword) out.add(n.becomePassword);
  return [...out].sort();
}
