import type { Diagnostic } from '../errors/diagnostics.js';
import { suggestHint } from '../errors/suggest.js';
import type { Playbook } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';
import { computeBatches, orderHosts, serialEntryToInt } from './batches.js';
import { DEFAULTS, STEP_DEADLINES } from './defaults.js';
import { parseDuration, resolveCount } from './duration.js';
import type { ResolvedNode } from './nodes.js';
import { makeStep } from './step.js';
import { capacityStep } from './capacity.js';
import type { BakeStep, BakeWatch, CapacityNode, ConfirmStep, Step } from './types.js';

/** The batches of a run and the run-level steps around each. */
export interface BatchPlan {
  /** Nodes the run changes, in rolling order. */
  targets: ResolvedNode[];
  groups: ResolvedNode[][];
  /**
   * Each batch's node names in order: one list per batch, held by every step of the batch that names its nodes (its
   * capacity checks, its cluster gates' start order) rather than a copy per node, which would grow with the square of
   * the batch's size.
   */
  names: string[][];
  /** 1-based index of the canary batch, or null. */
  canaryBatch: number | null;
  /** Node name → batch index. */
  batchOf: Map<string, number>;
  /** Run-level steps before the batch's nodes; `capacity` tells how each node outside the batch is checked. */
  before(index: number, group: readonly ResolvedNode[], capacity: ReadonlyMap<string, CapacityNode>): Step[];
  after(index: number, group: readonly ResolvedNode[]): Step[];
  /**
   * Rolling: the nodes outside batch `index` as its capacity checks read them (one list per batch), for the check again
   * right before each of its nodes is drained; null for a full restart (no such check).
   */
  outside(index: number, capacity: ReadonlyMap<string, CapacityNode>): CapacityNode[] | null;
  /** The healthy minimum the capacity checks hold. */
  minHealthy: number;
}

/** What the bake watches on one canary node (built by the caller, which knows each node's health gates). */
type BakeWatchOf = (node: ResolvedNode) => BakeWatch;

/** Orders, limits and batches the nodes; reports batches that would break the healthy minimum. */
export function planBatches(
  playbook: Playbook,
  nodes: ResolvedNode[],
  limit: readonly string[] | null,
  sm: SourceMap,
  diagnostics: Diagnostic[],
  watchOf: BakeWatchOf,
): BatchPlan | undefined {
  const r = playbook.rollout ?? {};
  const strategy = r.strategy ?? DEFAULTS.rollout.strategy;
  const ordered = orderHosts(
    nodes.map((n) => ({ name: n.plan.name, n })),
    r.order ?? DEFAULTS.rollout.order,
    r.seed ?? DEFAULTS.rollout.seed,
  ).map((x) => x.n);
  for (const name of limit ?? []) {
    if (!nodes.some((n) => n.plan.name === name))
      diagnostics.push({
        severity: 'error',
        code: 'E_USAGE',
        summary: `--limit names \`${name}\`, which is not a node of the inventory`,
        hint: suggestHint(
          name,
          nodes.map((n) => n.plan.name),
          'node',
        ),
      });
  }
  const targets = limit ? ordered.filter((n) => limit.includes(n.plan.name)) : ordered;
  if (targets.length === 0) return undefined;
  const { groups, canaryBatch } =
    strategy === 'full' ? { groups: [targets], canaryBatch: null } : rollingGroups(playbook, targets);
  const minHealthy = resolveCount(r.minHealthy ?? DEFAULTS.rollout.minHealthy, nodes.length, 'up');
  if (strategy === 'rolling' && !checkCapacity(groups, nodes.length, minHealthy, playbook, sm, diagnostics))
    return undefined;
  if (strategy === 'rolling') warnAllOut(groups, nodes.length, playbook, sm, diagnostics);
  const batchOf = new Map<string, number>();
  groups.forEach((g, i) => g.forEach((n) => batchOf.set(n.plan.name, i + 1)));
  const groupNames = groups.map((g) => g.map((n) => n.plan.name));
  // Every check of a batch (before it, and again before each of its nodes' drains) reads the same nodes outside it:
  // one list per batch, shared by those steps (the plan is data, never mutated), keeps planning linear in the nodes.
  const outsideByBatch = new Map<number, CapacityNode[]>();
  const outsideOf = (
    index: number,
    names: readonly string[],
    capacity: ReadonlyMap<string, CapacityNode>,
  ): CapacityNode[] => {
    let list = outsideByBatch.get(index);
    if (!list) outsideByBatch.set(index, (list = outside(nodes, names, capacity)));
    return list;
  };
  const canary = r.canary;
  return {
    targets,
    groups,
    names: groupNames,
    canaryBatch,
    batchOf,
    before: (index, group, capacity) => {
      const steps: Step[] = [];
      const names = groupNames[index - 1];
      if (strategy === 'rolling' && names)
        steps.push(capacityStep(names, minHealthy, outsideOf(index, names, capacity), null));
      const afterCanaryConfirm =
        canaryBatch !== null && index === canaryBatch + 1 && (canary?.confirm ?? DEFAULTS.rollout.canaryConfirm);
      if ((r.pauseBetweenBatches ?? DEFAULTS.rollout.pauseBetweenBatches) && index > 1 && !afterCanaryConfirm) {
        steps.push(
          makeStep<ConfirmStep>({
            action: 'confirm',
            node: null,
            title: `approval before batch ${index}`,
            question: `Continue with batch ${index} (${group.map((n) => n.plan.name).join(', ')})?`,
            timeoutSec: STEP_DEADLINES.confirmSec,
            expectSec: 0,
            waitsFor: 'the operator (or --yes)',
          }),
        );
      }
      return steps;
    },
    outside: (index, capacity) => {
      const group = groupNames[index - 1];
      return strategy === 'rolling' && group ? outsideOf(index, group, capacity) : null;
    },
    minHealthy,
    after: (index, group) => {
      if (index !== canaryBatch || !canary) return [];
      const steps: Step[] = [bakeStep(canary, group.map(watchOf))];
      if (canary.confirm ?? DEFAULTS.rollout.canaryConfirm)
        steps.push(
          makeStep<ConfirmStep>({
            action: 'confirm',
            node: null,
            title: 'confirm the canary before the other batches',
            question: 'The canary batch is done and has baked. Continue with the other batches?',
            timeoutSec: STEP_DEADLINES.confirmSec,
            expectSec: 0,
            waitsFor: 'the operator (or --yes)',
          }),
        );
      return steps;
    },
  };
}

/** The capacity entries of the nodes outside a batch, in inventory order. */
function outside(
  nodes: readonly ResolvedNode[],
  batch: readonly string[],
  capacity: ReadonlyMap<string, CapacityNode>,
): CapacityNode[] {
  const inBatch = new Set(batch);
  return nodes
    .filter((n) => !inBatch.has(n.plan.name))
    .map(
      (n) =>
        capacity.get(n.plan.name) ?? {
          node: n.plan.name,
          member: null,
          probe: null,
          status: [],
          lbStatus: null,
          lbRead: null,
        },
    );
}

/** The canary bake: a wait that checks the canary nodes every interval and fails at the first problem. */
function bakeStep(canary: NonNullable<NonNullable<Playbook['rollout']>['canary']>, watch: BakeWatch[]): BakeStep {
  const bake = parseDuration(canary.bake ?? DEFAULTS.rollout.canaryBake);
  const intervalSec = Math.max(
    1,
    Math.min(bake, parseDuration(canary.watchInterval ?? DEFAULTS.rollout.canaryWatchInterval)),
  );
  const names = watch.map((w) => w.node).join(', ');
  const what = (w: BakeWatch): string =>
    [
      w.url ? `${w.url} answers ${w.status.join('/')}` : null,
      'the app server process runs',
      w.errorPattern ? `no new line matching /${w.errorPattern}/ in ${w.log}` : null,
    ]
      .filter(Boolean)
      .join(', ');
  return makeStep<BakeStep>({
    action: 'bake',
    node: null,
    title: `let the canary bake for ${bake}s, watching ${names} every ${intervalSec}s`,
    seconds: bake,
    intervalSec,
    watch,
    timeoutSec: bake + 60,
    expectSec: bake,
    waitsFor: `${bake}s in rotation while ${watch.map((w) => `${w.node}: ${what(w)}`).join('; ')}`,
  });
}

function rollingGroups(
  playbook: Playbook,
  targets: ResolvedNode[],
): { groups: ResolvedNode[][]; canaryBatch: number | null } {
  const r = playbook.rollout ?? {};
  const serial = r.serial ?? DEFAULTS.rollout.serial;
  if (!r.canary || targets.length < 2) return { groups: computeBatches(targets, serial), canaryBatch: null };
  const spec = r.canary.nodes ?? DEFAULTS.rollout.canaryNodes;
  const canary = Array.isArray(spec)
    ? targets.filter((n) => spec.includes(n.plan.name))
    : targets.slice(0, Math.min(spec, targets.length - 1));
  const rest = targets.filter((n) => !canary.includes(n));
  if (canary.length === 0) return { groups: computeBatches(targets, serial), canaryBatch: null };
  return { groups: [canary, ...computeBatches(rest, serial, targets.length)], canaryBatch: 1 };
}

/** A rolling batch that takes every node out (possible only with `minHealthy: 0`) takes the site down: say so. */
function warnAllOut(
  groups: ResolvedNode[][],
  clusterSize: number,
  playbook: Playbook,
  sm: SourceMap,
  diagnostics: Diagnostic[],
): void {
  const i = groups.findIndex((g) => g.length >= clusterSize);
  if (i < 0) return;
  const path =
    playbook.rollout?.minHealthy !== undefined
      ? ['rollout', 'minHealthy']
      : playbook.rollout?.serial !== undefined
        ? ['rollout', 'serial']
        : ['rollout'];
  diagnostics.push({
    severity: 'warning',
    code: 'W_DOWNTIME',
    summary:
      `batch ${i + 1} takes all ${clusterSize} node(s) out of the load balancer at once: the ` +
      `site is down until the first of them is back`,
    source: sm.locate(path),
    hint:
      'keep at least one node serving with `minHealthy: 1` (or a smaller `serial`); if the downtime is ' +
      'intended, `strategy: full` says so and starts the first node alone',
  });
}

function checkCapacity(
  groups: ResolvedNode[][],
  clusterSize: number,
  minHealthy: number,
  playbook: Playbook,
  sm: SourceMap,
  diagnostics: Diagnostic[],
): boolean {
  if (minHealthy >= clusterSize) {
    diagnostics.push({
      severity: 'error',
      code: 'E_MIN_HEALTHY',
      summary:
        `rollout.minHealthy is ${minHealthy} but the cluster has ${clusterSize}` +
        ` node(s): no node can ever be taken out`,
      source: sm.locate(['rollout', 'minHealthy']),
      hint: `use at most ${clusterSize - 1}, or \`strategy: full\` for a full restart`,
    });
    return false;
  }
  const bad = groups.findIndex((g) => clusterSize - g.length < minHealthy);
  if (bad < 0) return true;
  const g = groups[bad] as ResolvedNode[];
  const largestAllowed = clusterSize - minHealthy;
  const serial = playbook.rollout?.serial;
  const fromCanary = bad === 0 && playbook.rollout?.canary !== undefined;
  const path = fromCanary ? ['rollout', 'canary', 'nodes'] : serial === undefined ? ['rollout'] : ['rollout', 'serial'];
  diagnostics.push({
    severity: 'error',
    code: fromCanary || serial !== undefined ? 'E_SERIAL' : 'E_MIN_HEALTHY',
    summary:
      `batch ${bad + 1} takes ${g.length} of ${clusterSize} nodes out, leaving ` +
      `${clusterSize - g.length} healthy, below rollout.minHealthy (${minHealthy}` +
      `): this serial can never cover the cluster safely`,
    source: sm.locate(path),
    hint:
      g.length === clusterSize
        ? wholeClusterHint(largestAllowed)
        : `batches may hold at most ${largestAllowed} node(s)` +
          (Array.isArray(serial)
            ? ` (the last entry, ${JSON.stringify(serial[serial.length - 1])} = ` +
              `${serialEntryToInt(serial[serial.length - 1] as number | string, clusterSize)}, repeats)`
            : '') +
          `; lower serial or minHealthy`,
  });
  return false;
}

/** A batch of every node takes the whole site down: say how to allow it on purpose. */
function wholeClusterHint(largestAllowed: number): string {
  return (
    `this batch takes every node out of the load balancer at once (the site is down meanwhile); ` +
    `\`minHealthy: 0\` allows it, \`strategy: full\` is the full restart made for that, or keep ` +
    `batches to at most ${largestAllowed} node(s)`
  );
}
