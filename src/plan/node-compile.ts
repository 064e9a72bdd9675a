// One changed node compiled: its sequence (drain … return), its rollback or halt, its preflight checks, its prune and
// what `lrroll diff` previews. Everything it reads of the run comes in `NodeCompileContext` and where the node stands
// in its batch in `NodeAt`: the unit node-shapes.ts compiles once for nodes alike.
import type { Change, Playbook } from '../playbook/playbook.generated.js';
import type { SourceLocation } from '../errors/diagnostics.js';
import type { DocPath, SourceMap } from '../playbook/source-map.js';
import type { ArtifactFacts } from '../artifacts/types.js';
import { capacityStep } from './capacity.js';
import { changeSteps, type ChangeSteps } from './changes.js';
import type { HookBuilder } from './compile-parts.js';
import { DEFAULTS } from './defaults.js';
import type { FactsIndex } from './facts.js';
import type { HookSite } from './hooks.js';
import { nodeLbSteps } from './lb.js';
import { haltSequence, nodeSequence, resolveHealth, rollbackSequence, type ResolvedHealth } from './node-steps.js';
import type { ResolvedNode } from './nodes.js';
import type { ChangePreview } from './preview.js';
import { nodePreflight, pruneStep } from './run-steps.js';
import type { Templater } from './scope.js';
import type { CapacityNode, HookPoint, NodePlan, PlanLoadBalancer, Policy, Step } from './types.js';

/** What a node's compile reads of the run: the same for every node. */
export interface NodeCompileContext {
  playbook: Playbook;
  sourceMap: SourceMap;
  artifacts: ReadonlyMap<string, ArtifactFacts>;
  breakingLevels: readonly string[];
  facts: FactsIndex;
  templater: Templater;
  hooks: HookBuilder;
  lb: PlanLoadBalancer;
  changes: Change[];
  policy: Policy;
  /** The cluster's node names, in inventory order (one list, held by every cluster gate). */
  clusterNodes: readonly string[];
  /** The healthy minimum of the capacity re-check before the drain. */
  minHealthy: number;
}

/** Where a node stands in the run. */
export interface NodeAt {
  /** 1-based number of its batch. */
  batch: number;
  /** Its batch's node names in start order (the batch's one list). */
  startOrder: readonly string[];
  /** Rolling: the nodes outside its batch (the batch's one list), which the re-check before its drain reads. */
  outside: readonly CapacityNode[] | null;
}

/** What one node's compile gives. */
export interface NodeCompiled {
  plan: NodePlan;
  /** Its preflight checks. */
  checks: Step[];
  /** The portal properties files its changes replace (the final consistency check reads them). */
  propertyFiles: string[];
  previews: ChangePreview[];
  prune: Step;
  health: ResolvedHealth;
}

/** Compiles one changed node. */
export function compileNode(ctx: NodeCompileContext, node: ResolvedNode, at: NodeAt): NodeCompiled {
  const { playbook, sourceMap, templater, changes, policy } = ctx;
  const locateChange = (i: number, field: DocPath): SourceLocation =>
    sourceMap.locate(Array.isArray(playbook.change) ? ['change', i, ...field] : ['change', ...field]);
  const steps: ChangeSteps[] = changes.map((c, i) =>
    changeSteps(c, {
      node,
      artifacts: ctx.artifacts,
      breakingLevels: ctx.breakingLevels,
      facts: ctx.facts,
      templater,
      locate: (f) => locateChange(i, f),
    }),
  );
  const lbSteps = nodeLbSteps(ctx.lb, node, templater, (field) => sourceMap.locate(['loadBalancer', field]));
  const health = resolveHealth(
    playbook.health,
    node,
    { clusterNodes: ctx.clusterNodes, startOrder: at.startOrder },
    templater,
    (p) => sourceMap.locate(['health', ...p]),
  );
  const site = (point: HookPoint): HookSite => ({
    point,
    node: node.plan.name,
    batch: at.batch,
    scope: node.scope,
    playbookName: playbook.name,
  });
  const recheck = at.outside ? capacityStep(at.startOrder, ctx.minHealthy, at.outside, node.plan.name) : null;
  const sequence = nodeSequence({
    node,
    changes: steps,
    lb: lbSteps,
    health,
    recheck: recheck ? [recheck] : [],
    beforeNode: ctx.hooks.at(site('beforeNode'), [node]),
    afterNode: ctx.hooks.at(site('afterNode'), [node]),
  });
  const rollback = policy.onFailure === 'rollback' ? rollbackSequence(node, sequence, health) : [];
  const onHalt = policy.onFailure === 'halt' ? haltSequence(node, health) : [];
  return {
    plan: { node: node.plan.name, steps: sequence, rollback, onHalt },
    checks: nodePreflight({
      node,
      uploads: steps.flatMap((s) => s.uploads),
      checks: steps.flatMap((s) => s.checks),
      lb: lbSteps ? { ...lbSteps, check: { ...lbSteps.check } } : null,
      health,
      backupPaths: [],
    }),
    propertyFiles: [
      ...new Set(changes.flatMap((c, i) => (c.type === 'portal-properties' ? (steps[i]?.backupPaths ?? []) : []))),
    ],
    previews: steps.flatMap((st, i) => st.preview.map((p) => ({ ...p, change: i }) as ChangePreview)),
    prune: pruneStep(
      node,
      steps.flatMap((s) => s.uploads),
      playbook.rollout?.retention ?? DEFAULTS.rollout.retention,
    ),
    health,
  };
}
