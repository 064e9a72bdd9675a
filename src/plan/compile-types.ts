// The shapes compilePlan's named steps pass along: its input, the resolved cluster, the judged changes,
// each node's parts and the plan's sections.
import type { ArtifactFacts } from '../artifacts/types.js';
import type { NormalizedInventory } from '../playbook/inventory/normalize.js';
import type { Change, Playbook } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';
import type { HookBuilder } from './compile-parts.js';
import type { judgeChanges } from './eligibility.js';
import type { FactsIndex, mergeFacts, GatheredFacts } from './facts.js';
import type { worstLevel } from './verdict.js';
import type { ResolvedHealth } from './node-steps.js';
import type { ResolvedNode } from './nodes.js';
import type { ChangePreview } from './preview.js';
import type { Templater } from './scope.js';
import type { TemplateVar } from '../domain/template.js';
import type {
  Batch,
  CapacityNode,
  NodePlan,
  PlanLoadBalancer,
  PlanSource,
  Policy,
  PlanCluster,
  Step,
} from './types.js';

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
  /**
   * Compile each shape of nodes alike once and copy it for the others (node-shape-compile.ts; the default). False
   * compiles every node as itself: the same plan, slower (tests compare the two).
   */
  compileAlikeOnce?: boolean;
}

/** What the playbook resolves to before any change is judged: the load balancer, the nodes and how each is read. */
export interface ClusterBase {
  templater: Templater;
  runScope: Map<string, TemplateVar>;
  lb: PlanLoadBalancer;
  nodes: ResolvedNode[];
  changes: Change[];
  /** Each changed node's resolved health gates, filled as its steps are planned (the canary bake reads them). */
  healthOf: Map<string, ResolvedHealth>;
  hooks: HookBuilder;
}

/** The changes judged against the facts known of the nodes, the playbook's overrides applied. */
export interface Judged {
  known: ReturnType<typeof mergeFacts>;
  factsIndex: FactsIndex;
  verdicts: ReturnType<typeof judgeChanges>;
  level: ReturnType<typeof worstLevel>;
  policy: Policy;
}

/** What each changed node goes through, with what preflight checks on it and what `lrroll diff` previews. */
export interface NodeParts {
  capacity: Map<string, CapacityNode>;
  nodePlans: Map<string, NodePlan>;
  nodeChecks: Map<string, Step[]>;
  propertyFiles: Map<string, string[]>;
  prunes: Step[];
  previews: Map<string, ChangePreview[]>;
}

/** The plan's sections, each with its step ids. */
export interface Sections {
  preflight: Step[];
  beforeRun: Step[];
  batches: Batch[];
  final: Step[];
  onFailure: Step[];
  cluster: PlanCluster;
}
