import type { ArtifactFacts } from '../artifacts/types.js';
import { hasErrors, type Diagnostic, type SourceLocation } from '../errors/diagnostics.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import type { Change, Hook, Playbook, Rollout } from '../playbook/playbook.generated.js';
import type { DocPath, SourceMap } from '../playbook/source-map.js';
import { planBatches } from './batch-plan.js';
import { changeSteps, type ChangeSteps } from './changes.js';
import { checkPlaybook } from './checks.js';
import { DEFAULTS, TIMINGS } from './defaults.js';
import { errorScanCommand, logSizeCommand } from './log-commands.js';
import { judgeChanges } from './eligibility.js';
import { factDifferences, FactsIndex, mergeFacts, type GatheredFacts } from './facts.js';
import { applyOverrides } from './override.js';
import { worstLevel } from './verdict.js';
import { estimatePlan } from './estimate.js';
import { hookStep, type HookSite } from './hooks.js';
import { userImpact } from './impact.js';
import { lbReadCall, lbStatusCall, nodeLbSteps, resolveLoadBalancer } from './lb.js';
import { haltSequence, httpProbeCommand, nodeSequence, resolveHealth, rollbackSequence, type ResolvedHealth } from './node-steps.js';
import { resolveNodes, type ResolvedNode } from './nodes.js';
import { prerequisiteSteps } from './prerequisites.js';
import type { ChangePreview } from './preview.js';
import { clusterCommands, clusterSection } from './cluster-steps.js';
import { finalSteps, nodePreflight, pruneStep } from './run-steps.js';
import { BUILTIN_VARS, Templater, toVar } from './scope.js';
import { checkLbName } from './inputs.js';
import { assignIds } from './step.js';
import type { TemplateVar } from './template.js';
import { PLAN_FORMAT_VERSION, type BakeWatch, type Batch, type CapacityNode, type HookPoint, type NodePlan, type Plan, type PlanFacts, type PlanLoadBalancer, type PlanNode, type PlanSource, type Policy, type Step } from './types.js';
import { resolveCount } from './duration.js';

/** Everything the compiler needs; all I/O (files, artifacts, git) happened before. */
export interface CompileInput {
  playbook: Playbook;
  sourceMap: SourceMap;
  inventory: NormalizedInventory;
  artifacts: ReadonlyMap<string, ArtifactFacts>;
  /** Known breaking fix pack levels shipped with lrroll. */
  breakingLevels: readonly string[];
  /** Node facts gathered by `lrroll facts` (`--facts FILE`), or null. */
  facts: GatheredFacts | null;
  source: PlanSource;
  /** `--var k=v` overrides (highest precedence). */
  vars: Readonly<Record<string, string>>;
  /** `--limit`: only these nodes are changed (all nodes still count for capacity). */
  limit: readonly string[] | null;
  /** `--set` policy overrides already applied to `playbook` (path → value as given), recorded in the plan. */
  overrides?: Readonly<Record<string, string>>;
  /** sha256 of a string, hex (injected so this module stays free of I/O and node:*). */
  hashText: (text: string) => string;
  /** lrroll's version: the same inputs compiled by another version may give another plan. */
  compilerVersion: string;
  /** The text of every file read (playbook, inventory), so diagnostics can point inside multi-line values. */
  sources?: ReadonlyMap<string, string>;
}

/** A compiled plan, and per changed node what `lrroll diff` can preview (kept out of the plan: a run never needs it). */
export interface Compiled {
  plan: Plan | undefined;
  diagnostics: Diagnostic[];
  previews: Map<string, ChangePreview[]>;
}

/** Compiles a validated playbook into a plan; returns diagnostics instead of throwing for bad input. */
export function compilePlan(input: CompileInput): Compiled {
  const { playbook, sourceMap } = input;
  const diagnostics = checkPlaybook(playbook, input.inventory, sourceMap);
  const templater = new Templater(diagnostics, input.sources);
  const runScope = runLevelScope(playbook, input.vars);
  const lb = resolveLoadBalancer(playbook.loadBalancer, { templater, scope: runScope, locate: (f) => sourceMap.locate(['loadBalancer', ...(Array.isArray(f) ? f : [f])]) });
  for (const name of Object.keys(input.vars).filter((k) => (BUILTIN_VARS as readonly string[]).includes(k))) {
    diagnostics.push({ severity: 'error', code: 'E_USAGE', summary: `--var ${name}: \`${name}\` is a built-in template name and cannot be set`, hint: `built-ins: ${BUILTIN_VARS.join(', ')}` });
  }
  const nodes = resolveNodes(playbook, input.inventory, input.vars, lb.type === 'none' ? null : lb.members, templater, (field) => input.inventory.locateDefault?.(field) ?? sourceMap.locate(['inventory', 'defaults', ...field]));
  if (lb.type !== 'none') for (const n of nodes) checkMember(n, lb.type, playbook, sourceMap, templater);
  const changes: Change[] = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  const healthOf = new Map<string, ResolvedHealth>();
  const batching = planBatches(playbook, nodes, input.limit, sourceMap, diagnostics, (n) => bakeWatch(n, healthOf.get(n.plan.name), playbook));
  const previews = new Map<string, ChangePreview[]>();
  if (hasErrors(diagnostics) || !batching) return { plan: undefined, diagnostics, previews };
  for (const n of nodes) lb.members[n.plan.name] = n.plan.member ?? n.plan.name;
  if (lb.type === 'none') lb.members = {};

  const known = mergeFacts(input.inventory, input.facts);
  diagnostics.push(...known.diagnostics);
  const factsIndex = new FactsIndex(known.facts.nodes);
  const verdicts = judgeChanges({ changes, artifacts: input.artifacts, breakingLevels: input.breakingLevels, facts: factsIndex });
  diagnostics.push(...applyOverrides(verdicts, changes, (i) => sourceMap.locateKey(Array.isArray(playbook.change) ? ['change', i] : ['change'], 'override')));
  const level = worstLevel(verdicts.map((v) => v.level));
  const policy = resolvePolicy(playbook, nodes.length);
  const hooks = new HookBuilder(playbook, templater, sourceMap);
  const locateChange = (i: number, field: DocPath): SourceLocation => sourceMap.locate(Array.isArray(playbook.change) ? ['change', i, ...field] : ['change', ...field]);

  const runSite = (point: HookPoint): HookSite => ({ point, node: null, batch: null, scope: runScope, playbookName: playbook.name });
  const clusterNodes = nodes.map((n) => n.plan.name);
  const capacity = capacityNodes(playbook, nodes, lb, templater, sourceMap);
  const prunes: Step[] = [];
  const nodePlans = new Map<string, NodePlan>();
  const nodeChecks = new Map<string, Step[]>();
  const propertyFiles = new Map<string, string[]>();
  for (const node of batching.targets) {
    const steps: ChangeSteps[] = changes.map((c, i) => changeSteps(c, { node, artifacts: input.artifacts, breakingLevels: input.breakingLevels, facts: factsIndex, templater, locate: (f) => locateChange(i, f) }));
    propertyFiles.set(node.plan.name, [...new Set(changes.flatMap((c, i) => (c.type === 'portal-properties' ? (steps[i]?.backupPaths ?? []) : [])))]);
    previews.set(node.plan.name, steps.flatMap((st, i) => st.preview.map((p) => ({ ...p, change: i }) as ChangePreview)));
    const lbSteps = nodeLbSteps(lb, node, templater, (field) => sourceMap.locate(['loadBalancer', field]));
    const startOrder = batching.groups.find((g) => g.includes(node))?.map((n) => n.plan.name) ?? [node.plan.name];
    const health = resolveHealth(playbook.health, node, { clusterNodes, startOrder }, templater, (p) => sourceMap.locate(['health', ...p]));
    healthOf.set(node.plan.name, health);
    const site = (point: HookPoint): HookSite => ({ point, node: node.plan.name, batch: batching.batchOf.get(node.plan.name) ?? null, scope: node.scope, playbookName: playbook.name });
    const recheck = batching.recheck(node.plan.name, capacity);
    const sequence = nodeSequence({ node, changes: steps, lb: lbSteps, health, recheck: recheck ? [recheck] : [], beforeNode: hooks.at(site('beforeNode'), [node]), afterNode: hooks.at(site('afterNode'), [node]) });
    const rollback = policy.onFailure === 'rollback' ? rollbackSequence(node, sequence, health) : [];
    const onHalt = policy.onFailure === 'halt' ? haltSequence(node, health) : [];
    nodePlans.set(node.plan.name, { node: node.plan.name, steps: sequence, rollback, onHalt });
    nodeChecks.set(node.plan.name, nodePreflight({ node, uploads: steps.flatMap((s) => s.uploads), checks: steps.flatMap((s) => s.checks), lb: lbSteps ? { ...lbSteps, check: { ...lbSteps.check } } : null, health, backupPaths: [] }));
    prunes.push(pruneStep(node, steps.flatMap((s) => s.uploads), playbook.rollout?.retention ?? DEFAULTS.rollout.retention));
  }
  // The final steps read each node from its own paths (properties files included), so they follow the nodes' steps.
  // Old backups and staged files go last, once every node is through and checked.
  const final = assignIds([...finalSteps(playbook, batching.targets, propertyFiles, templater, (field) => sourceMap.locate(['rollout', 'clearCache', field])), ...prunes, ...hooks.at(runSite('afterRun'), batching.targets)], 'run/finally');
  const cluster = clusterSection(
    nodes.map((n) => {
      const c = capacity.get(n.plan.name);
      return { node: n, http: c?.probe ? { command: c.probe, status: c.status } : null, lb: nodeLbSteps(lb, n, templater, (field) => sourceMap.locate(['loadBalancer', field])) };
    }),
    lb,
  );
  const preflight: Step[] = [];
  for (const node of batching.targets) {
    const np = nodePlans.get(node.plan.name) as NodePlan;
    const checks = nodeChecks.get(node.plan.name) ?? [];
    const onNode = [...checks, ...np.steps, ...np.rollback, ...np.onHalt, ...final.filter((f) => f.node === node.plan.name || f.action === 'consistency-check')];
    preflight.push(...assignIds([...prerequisiteSteps(node, onNode, clusterCommands(cluster, node.plan.name)), ...checks], `preflight/${node.plan.name}`));
  }

  const batches: Batch[] = batching.groups.map((group, i) => {
    const index = i + 1;
    const site = (point: HookPoint): HookSite => ({ point, node: null, batch: index, scope: runScope, playbookName: playbook.name });
    const before = [...batching.before(index, group, capacity), ...hooks.at(site('beforeBatch'), group)];
    const after = [...hooks.at(site('afterBatch'), group), ...batching.after(index, group)];
    const plans = group.map((n) => {
      const np = nodePlans.get(n.plan.name) as NodePlan;
      assignIds(np.steps, `batch${index}/${n.plan.name}`);
      assignIds(np.rollback, `batch${index}/${n.plan.name}/rollback`);
      assignIds(np.onHalt, `batch${index}/${n.plan.name}/on-halt`);
      return np;
    });
    return { index, canary: batching.canaryBatch === index, nodes: group.map((n) => n.plan.name), startAfterAllPrepared: policy.strategy === 'full', before: assignIds(before, `batch${index}/before`), nodePlans: plans, after: assignIds(after, `batch${index}/after`) };
  });

  const beforeRun = assignIds(hooks.at(runSite('beforeRun'), batching.targets), 'run/before');
  const onFailure = assignIds(hooks.at(runSite('onFailure'), batching.targets), 'run/on-failure');
  if (hasErrors(diagnostics)) return { plan: undefined, diagnostics, previews };

  const estimate = estimatePlan(preflight, beforeRun, batches, final, nodes.length);
  const body: Omit<Plan, 'hash' | 'source'> = {
    formatVersion: PLAN_FORMAT_VERSION,
    name: playbook.name,
    description: playbook.description ?? '',
    verdict: { level, refused: policy.strategy === 'rolling' && level === 'full-restart', changes: verdicts, differences: factDifferences(factsIndex) },
    facts: known.facts,
    policy,
    loadBalancer: lb,
    nodes: nodes.map((n) => n.plan),
    preflight,
    beforeRun,
    batches,
    finally: final,
    onFailure,
    cluster,
    impact: userImpact(changes, lb, batches, nodes.length, policy.strategy, estimate),
    estimate,
    secrets: collectSecrets([preflight, beforeRun, final, onFailure, ...batches.flatMap((b) => [b.before, b.after, ...b.nodePlans.map((np) => np.steps)])], nodes.map((n) => n.plan)),
    limit: input.limit ? [...input.limit] : null,
    vars: { ...input.vars },
    ssh: { configFile: playbook.inventory.ssh?.configFile ?? null, knownHostsFiles: playbook.inventory.ssh?.knownHostsFiles ?? null },
    overrides: { ...input.overrides },
  };
  return { plan: { ...body, hash: planHash(input, known.facts), source: input.source }, diagnostics, previews };
}

/**
 * The plan hash: sha256 over everything the plan is computed from — the playbook's data (not its
 * comments or layout, overrides included), the inventory, each artifact's checksum, the node
 * facts (declared and gathered), --var and --limit, the known breaking levels, the plan format
 * and lrroll's version. The compiler is deterministic, so equal
 * inputs give an equal plan and any change to them gives a new hash; hashing the inputs instead
 * of the (much larger) plan keeps planning fast for big clusters.
 */
function planHash(input: CompileInput, facts: PlanFacts): string {
  const { playbook, inventory } = input;
  return input.hashText(
    canonicalJson({
      formatVersion: PLAN_FORMAT_VERSION,
      compilerVersion: input.compilerVersion,
      playbook: { ...playbook, inventory: { ...playbook.inventory, defaults: inventory.defaults, nodes: inventory.nodes.map((e) => e.node) } },
      artifacts: [...input.artifacts.values()].map((a) => [a.path, a.sha256]).sort(),
      vars: input.vars,
      limit: input.limit,
      // Already in the playbook's data; named too, so a plan that differs only by how a value was set is told apart.
      overrides: input.overrides ?? {},
      breakingLevels: input.breakingLevels,
      facts,
    }),
  );
}

/** What the canary bake watches on a canary node: its HTTP probe, its process and its log. */
function bakeWatch(node: ResolvedNode, health: ResolvedHealth | undefined, playbook: Playbook): BakeWatch {
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
function checkMember(n: ResolvedNode, lbType: string, playbook: Playbook, sm: SourceMap, templater: Templater): void {
  const member = n.plan.member ?? n.plan.name;
  const checked = checkLbName(member, lbType);
  if (checked.ok) return;
  const lb = playbook.loadBalancer;
  const fromMap = lb && lb.type !== 'none' && lb.members?.[n.plan.name] !== undefined;
  const where = n.entry.node.member !== undefined ? n.entry.locate(['member']) : fromMap ? sm.locate(['loadBalancer', 'members', n.plan.name]) : n.entry.source;
  templater.invalid('E_NAME', `the load-balancer member ${checked.problem}`, checked.hint, where, n.plan.name);
}

/** How the capacity check reads each node: its load-balancer member and its own HTTP probe. */
function capacityNodes(playbook: Playbook, nodes: readonly ResolvedNode[], lb: PlanLoadBalancer, templater: Templater, sm: SourceMap): Map<string, CapacityNode> {
  const clusterNodes = nodes.map((n) => n.plan.name);
  return new Map(
    nodes.map((n) => {
      const http = resolveHealth(playbook.health, n, { clusterNodes, startOrder: [n.plan.name] }, templater, (p) => sm.locate(['health', ...p])).http;
      const member = lb.type === 'none' ? null : (lb.members[n.plan.name] ?? n.plan.name);
      const lbStatus = lbStatusCall(lb, n, templater, (field) => sm.locate(['loadBalancer', field]));
      const lbRead = lbReadCall(lb, n, templater, (field) => sm.locate(['loadBalancer', field]));
      return [n.plan.name, { node: n.plan.name, member, probe: http ? httpProbeCommand(http.url) : null, status: http?.status ?? [], lbStatus, lbRead }];
    }),
  );
}

function resolvePolicy(playbook: Playbook, clusterSize: number): Policy {
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

/** The window that applies to `strategy`: its own (`window.rolling` / `window.full`), else the general one, else none. */
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

function runLevelScope(playbook: Playbook, overrides: Readonly<Record<string, string>>): Map<string, TemplateVar> {
  const scope = new Map<string, TemplateVar>();
  for (const [k, v] of Object.entries({ ...playbook.vars, ...overrides })) if (v !== undefined) scope.set(k, toVar(v));
  return scope;
}

/** Builds hook steps for a point; `on: node` hooks at run/batch level become one step per node. */
class HookBuilder {
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

function collectSecrets(groups: ReadonlyArray<readonly Step[]>, nodes: readonly PlanNode[]): string[] {
  const out = new Set<string>();
  for (const g of groups) for (const s of g) s.secretEnv.forEach((e) => out.add(e));
  for (const n of nodes) if (n.becomePassword) out.add(n.becomePassword);
  return [...out].sort();
}

/** JSON with object keys sorted, so equal plans always serialize (and hash) the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
