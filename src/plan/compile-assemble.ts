// The last of compilePlan's named steps: the plan assembled from its sections, and its hash.
import { collectSecrets } from './compile-parts.js';
import { factDifferences } from './facts.js';
import { estimatePlan } from './estimate.js';
import { userImpact } from './impact.js';
import { PLAN_CONTENT_VERSION, PLAN_FORMAT_VERSION, type Plan, type PlanFacts } from './types.js';

import type { ClusterBase, CompileInput, Judged, Sections } from './compile-types.js';

/** The plan: its sections, the verdict, the estimate and user impact, the secrets it needs, and its hash. */
export function assemblePlan(input: CompileInput, base: ClusterBase, judged: Judged, sections: Sections): Plan {
  const { playbook } = input;
  const { lb, nodes, changes } = base;
  const { policy, level, verdicts, known } = judged;
  const { preflight, beforeRun, batches, final, onFailure, cluster } = sections;
  const estimate = estimatePlan(preflight, beforeRun, batches, final, nodes.length);
  const body: Omit<Plan, 'hash' | 'source'> = {
    formatVersion: PLAN_FORMAT_VERSION,
    name: playbook.name,
    description: playbook.description ?? '',
    verdict: {
      level,
      refused: policy.strategy === 'rolling' && level === 'full-restart',
      changes: verdicts,
      differences: factDifferences(judged.factsIndex),
    },
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
    secrets: collectSecrets(
      [
        preflight,
        beforeRun,
        final,
        onFailure,
        ...batches.flatMap((b) => [b.before, b.after, ...b.nodePlans.map((np) => np.steps)]),
      ],
      nodes.map((n) => n.plan),
    ),
    limit: input.limit ? [...input.limit] : null,
    vars: { ...input.vars },
    ssh: {
      configFile: playbook.inventory.ssh?.configFile ?? null,
      knownHostsFiles: playbook.inventory.ssh?.knownHostsFiles ?? null,
    },
    overrides: { ...input.overrides },
  };
  return { ...body, hash: planHash(input, known.facts), source: input.source };
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
      // The content's version, not the format's: the same plan written another way keeps its hash.
      formatVersion: PLAN_CONTENT_VERSION,
      compilerVersion: input.compilerVersion,
      playbook: {
        ...playbook,
        inventory: { ...playbook.inventory, defaults: inventory.defaults, nodes: inventory.nodes.map((e) => e.node) },
      },
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

/** JSON with object keys sorted, so equal plans always serialize (and hash) the same. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v as Record<string, unknown>).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}
