import { hasErrors, type Diagnostic } from '../errors/diagnostics.js';
import type { Change } from '../playbook/playbook.generated.js';
import { planBatches, type BatchPlan } from './batch-plan.js';
import { checkPlaybook } from './checks.js';
import { bakeWatch, capacityNodes, checkMember, HookBuilder, resolvePolicy, runLevelScope } from './compile-parts.js';
import { judgeChanges } from './eligibility.js';
import { FactsIndex, mergeFacts } from './facts.js';
import { applyOverrides } from './override.js';
import { worstLevel } from './verdict.js';
import type { HookSite } from './hooks.js';
import { nodeLbSteps, resolveLoadBalancer } from './lb.js';
import { warnHealthUpWithoutProbe } from './lb-health-up.js';
import { resolveNodes } from './nodes.js';
import { prerequisiteSteps } from './prerequisites.js';
import type { ProgramsCache } from './tools.js';
import type { ChangePreview } from './preview.js';
import { clusterCommands, clusterSection } from './cluster-steps.js';
import { diffSection } from './diff-reads.js';
import { finalSteps } from './run-steps.js';
import { BUILTIN_VARS, Templater } from './scope.js';
import { assignIds } from './step.js';
import { type Batch, type HookPoint, type NodePlan, type Plan, type PlanCluster, type Step } from './types.js';

import { assemblePlan } from './compile-assemble.js';
import type { NodeCompileContext } from './node-compile.js';
import { ShapeCompiler, type Resolving, type ShapeStats } from './node-shape-compile.js';
import type { ClusterBase, CompileInput, Judged, NodeParts } from './compile-types.js';
/**
 * A compiled plan, and per changed node what `lrroll diff` can preview (kept out of the plan: a run never needs it).
 */
interface Compiled {
  plan: Plan | undefined;
  diagnostics: Diagnostic[];
  previews: Map<string, ChangePreview[]>;
  /** How many changed nodes were compiled from a template of nodes alike (null when no node was compiled). */
  shapes: ShapeStats | null;
}

/** Compiles a validated playbook into a plan; returns diagnostics instead of throwing for bad input. */
export function compilePlan(input: CompileInput): Compiled {
  const diagnostics = checkPlaybook(input.playbook, input.inventory, input.sourceMap);
  const base = resolveCluster(input, diagnostics);
  const batching = planNodeBatches(input, base, diagnostics);
  if (hasErrors(diagnostics) || !batching) return { plan: undefined, diagnostics, previews: new Map(), shapes: null };
  nameMembers(base);
  const judged = judgeTheChanges(input, base, diagnostics);
  const shapes = new ShapeCompiler(nodeContext(input, base, judged, batching), resolving(input, base), diagnostics);
  const nodes = planEachNode(input, base, batching, shapes);
  const final = finalSection(input, base, batching, nodes);
  const cluster = clusterSectionOf(input, base, nodes);
  const preflight = preflightSection(batching, nodes, final, cluster);
  const batches = batchSections(input, base, judged, batching, nodes);
  const beforeRun = assignIds(base.hooks.at(runSite(input, base, 'beforeRun'), batching.targets), 'run/before');
  const onFailure = assignIds(base.hooks.at(runSite(input, base, 'onFailure'), batching.targets), 'run/on-failure');
  if (hasErrors(diagnostics)) return { plan: undefined, diagnostics, previews: nodes.previews, shapes: shapes.stats };
  const plan = assemblePlan(input, base, judged, { preflight, beforeRun, batches, final, onFailure, cluster });
  return { plan, diagnostics, previews: nodes.previews, shapes: shapes.stats };
}

/** Resolves the run's template scope, the load balancer and the nodes (with their members checked). */
function resolveCluster(input: CompileInput, diagnostics: Diagnostic[]): ClusterBase {
  const { playbook, sourceMap } = input;
  const templater = new Templater(diagnostics, input.sources);
  const runScope = runLevelScope(playbook, input.vars);
  const lb = resolveLoadBalancer(playbook.loadBalancer, {
    templater,
    scope: runScope,
    locate: (f) => sourceMap.locate(['loadBalancer', ...(Array.isArray(f) ? f : [f])]),
  });
  warnHealthUpWithoutProbe(playbook, templater, (f) => sourceMap.locate(['loadBalancer', f]));
  for (const name of Object.keys(input.vars).filter((k) => (BUILTIN_VARS as readonly string[]).includes(k))) {
    diagnostics.push({
      severity: 'error',
      code: 'E_USAGE',
      summary: `--var ${name}: \`${name}\` is a built-in template name and cannot be set`,
      hint: `built-ins: ${BUILTIN_VARS.join(', ')}`,
    });
  }
  const nodes = resolveNodes(
    playbook,
    input.inventory,
    input.vars,
    lb.type === 'none' ? null : lb.members,
    templater,
    (field) => input.inventory.locateDefault?.(field) ?? sourceMap.locate(['inventory', 'defaults', ...field]),
  );
  if (lb.type !== 'none') for (const n of nodes) checkMember(n, lb.type, playbook, sourceMap, templater);
  const changes: Change[] = Array.isArray(playbook.change) ? playbook.change : [playbook.change];
  return {
    templater,
    runScope,
    lb,
    nodes,
    changes,
    healthOf: new Map(),
    hooks: new HookBuilder(playbook, templater, sourceMap),
  };
}

/** Groups the nodes into batches (a canary bake watches what each canary node's health gates read). */
function planNodeBatches(input: CompileInput, base: ClusterBase, diagnostics: Diagnostic[]): BatchPlan | undefined {
  return planBatches(input.playbook, base.nodes, input.limit, input.sourceMap, diagnostics, (n) =>
    bakeWatch(n, base.healthOf.get(n.plan.name), input.playbook),
  );
}

/** Every node's load-balancer member, by node name (none without a load balancer). */
function nameMembers(base: ClusterBase): void {
  for (const n of base.nodes) base.lb.members[n.plan.name] = n.plan.member ?? n.plan.name;
  if (base.lb.type === 'none') base.lb.members = {};
}

function judgeTheChanges(input: CompileInput, base: ClusterBase, diagnostics: Diagnostic[]): Judged {
  const { playbook, sourceMap } = input;
  const known = mergeFacts(input.inventory, input.facts);
  diagnostics.push(...known.diagnostics);
  const factsIndex = new FactsIndex(known.facts.nodes);
  const verdicts = judgeChanges({
    changes: base.changes,
    artifacts: input.artifacts,
    breakingLevels: input.breakingLevels,
    facts: factsIndex,
  });
  diagnostics.push(
    ...applyOverrides(verdicts, base.changes, (i) =>
      sourceMap.locateKey(Array.isArray(playbook.change) ? ['change', i] : ['change'], 'override'),
    ),
  );
  return {
    known,
    factsIndex,
    verdicts,
    level: worstLevel(verdicts.map((v) => v.level)),
    policy: resolvePolicy(playbook, base.nodes.length),
  };
}

/** What every node's compile reads of the run. */
function nodeContext(input: CompileInput, base: ClusterBase, judged: Judged, batching: BatchPlan): NodeCompileContext {
  return {
    playbook: input.playbook,
    sourceMap: input.sourceMap,
    artifacts: input.artifacts,
    breakingLevels: input.breakingLevels,
    facts: judged.factsIndex,
    templater: base.templater,
    hooks: base.hooks,
    lb: base.lb,
    changes: base.changes,
    policy: judged.policy,
    clusterNodes: base.nodes.map((n) => n.plan.name),
    minHealthy: batching.minHealthy,
  };
}

/** What resolving a node again with tokens for who it is needs (none when nodes alike are compiled one by one). */
function resolving(input: CompileInput, base: ClusterBase): Resolving | null {
  if (input.compileAlikeOnce === false) return null;
  return { inventory: input.inventory, vars: input.vars, members: base.lb.type === 'none' ? null : base.lb.members };
}

/** Plans each changed node's sequence (drain … return), its rollback or halt, its preflight checks and its prune. */
function planEachNode(input: CompileInput, base: ClusterBase, batching: BatchPlan, shapes: ShapeCompiler): NodeParts {
  const { playbook, sourceMap } = input;
  const parts: NodeParts = {
    capacity: capacityNodes(playbook, base.nodes, base.lb, base.templater, sourceMap),
    nodePlans: new Map(),
    nodeChecks: new Map(),
    propertyFiles: new Map(),
    prunes: [],
    previews: new Map(),
  };
  for (const node of batching.targets) {
    const name = node.plan.name;
    const batch = batching.batchOf.get(name) ?? 1;
    const compiled = shapes.compile(node, {
      batch,
      startOrder: batching.names[batch - 1] ?? [name],
      outside: batching.outside(batch, parts.capacity),
    });
    parts.propertyFiles.set(name, compiled.propertyFiles);
    parts.previews.set(name, compiled.previews);
    base.healthOf.set(name, compiled.health);
    parts.nodePlans.set(name, compiled.plan);
    parts.nodeChecks.set(name, compiled.checks);
    parts.prunes.push(compiled.prune);
  }
  return parts;
}

/**
 * The steps after the last batch. The final steps read each node from its own paths (properties
 * files included), so they follow the nodes' steps; old backups and staged files go last, once
 * every node is through and checked.
 */
function finalSection(input: CompileInput, base: ClusterBase, batching: BatchPlan, nodes: NodeParts): Step[] {
  const { playbook, sourceMap } = input;
  const clearCache = finalSteps(playbook, batching.targets, nodes.propertyFiles, base.templater, (field) =>
    sourceMap.locate(['rollout', 'clearCache', field]),
  );
  return assignIds(
    [...clearCache, ...nodes.prunes, ...base.hooks.at(runSite(input, base, 'afterRun'), batching.targets)],
    'run/finally',
  );
}

/** The lock, reconcile, status and unlock steps of every node of the cluster, and diff's reads of the changed ones. */
function clusterSectionOf(input: CompileInput, base: ClusterBase, parts: NodeParts): PlanCluster {
  return clusterSection(
    base.nodes.map((n) => {
      const c = parts.capacity.get(n.plan.name);
      return {
        node: n,
        http: c?.probe ? { command: c.probe, status: c.status } : null,
        lb: nodeLbSteps(base.lb, n, base.templater, (field) => input.sourceMap.locate(['loadBalancer', field])),
      };
    }),
    base.lb,
    diffSection(parts.previews, parts.nodePlans),
  );
}

/** Per changed node: the tools and sudo it needs for every step it will run, then its own checks. */
function preflightSection(batching: BatchPlan, nodes: NodeParts, final: readonly Step[], cluster: PlanCluster): Step[] {
  const preflight: Step[] = [];
  // The final steps by node, read once (filtering them for each node made planning quadratic).
  const finalOf = new Map<string, Step[]>();
  const everyNode = final.filter((f) => f.action === 'consistency-check');
  for (const f of final) {
    if (f.node === null || f.action === 'consistency-check') continue;
    const list = finalOf.get(f.node);
    if (list) list.push(f);
    else finalOf.set(f.node, [f]);
  }
  const programs: ProgramsCache = new Map();
  const aroundOf = clusterCommands(cluster);
  for (const node of batching.targets) {
    const np = nodes.nodePlans.get(node.plan.name) as NodePlan;
    const checks = nodes.nodeChecks.get(node.plan.name) ?? [];
    const onNode = [
      ...checks,
      ...np.steps,
      ...np.rollback,
      ...np.onHalt,
      // Order does not matter here: only the programs the steps use and whether any uses sudo are read.
      ...(finalOf.get(node.plan.name) ?? []),
      ...everyNode,
    ];
    preflight.push(
      ...assignIds(
        [...prerequisiteSteps(node, onNode, aroundOf(node.plan.name), programs), ...checks],
        `preflight/${node.plan.name}`,
      ),
    );
  }
  return preflight;
}

/** The batches: hooks and capacity checks around each, its nodes' plans with their step ids. */
function batchSections(
  input: CompileInput,
  base: ClusterBase,
  judged: Judged,
  batching: BatchPlan,
  nodes: NodeParts,
): Batch[] {
  return batching.groups.map((group, i) => {
    const index = i + 1;
    const site = (point: HookPoint): HookSite => ({
      point,
      node: null,
      batch: index,
      scope: base.runScope,
      playbookName: input.playbook.name,
    });
    const before = [...batching.before(index, group, nodes.capacity), ...base.hooks.at(site('beforeBatch'), group)];
    const after = [...base.hooks.at(site('afterBatch'), group), ...batching.after(index, group)];
    const plans = group.map((n) => {
      const np = nodes.nodePlans.get(n.plan.name) as NodePlan;
      assignIds(np.steps, `batch${index}/${n.plan.name}`);
      assignIds(np.rollback, `batch${index}/${n.plan.name}/rollback`);
      assignIds(np.onHalt, `batch${index}/${n.plan.name}/on-halt`);
      return np;
    });
    return {
      index,
      canary: batching.canaryBatch === index,
      nodes: group.map((n) => n.plan.name),
      startAfterAllPrepared: judged.policy.strategy === 'full',
      before: assignIds(before, `batch${index}/before`),
      nodePlans: plans,
      after: assignIds(after, `batch${index}/after`),
    };
  });
}

/** A run-level hook point (before the run, after it, on failure). */
function runSite(input: CompileInput, base: ClusterBase, point: HookPoint): HookSite {
  return { point, node: null, batch: null, scope: base.runScope, playbookName: input.playbook.name };
}
