/**
 * The verdict part of the plan: three levels, what each verdict rests on, the node facts behind
 * it and the overrides applied. Part of the plan's shape: PLAN_FORMAT_VERSION (types.ts) must be
 * bumped on any change here too (and schemas/plan.schema.json).
 */

/**
 * The verdict on a change set, in three levels: `rolling` (roll it), `rolling-with-warning` (roll
 * it, and mind a specific fact about this change), `full-restart` (all nodes down: refused under
 * `strategy: rolling`).
 */
export type VerdictLevel = 'rolling' | 'rolling-with-warning' | 'full-restart';

/**
 * What a change's verdict rests on. An override may relax only a verdict resting on a
 * `missing-declaration` or an `unknown-fact`; evidence read from the artifact, a known breaking
 * level, the playbook's own declaration, known node facts and the table's rule stand.
 */
export type VerdictBasis =
  'rule' | 'artifact' | 'breaking-level' | 'declaration' | 'missing-declaration' | 'node-facts' | 'unknown-fact';

/**
 * Where a node fact comes from: declared (inventory or change), gathered (`lrroll facts`), read in preflight (not yet
 * known), or not known at all.
 */
type FactSource = 'declared' | 'gathered' | 'preflight' | 'unknown';

/** A node fact one verdict rests on. */
export interface FactUse {
  /** What the fact is, e.g. `installed schema of com.acme.foo`. */
  fact: string;
  source: FactSource;
  /** The values found and the nodes with each (several values: the nodes differ); empty when not known yet. */
  values: Array<{ value: string; nodes: string[] }>;
}

/**
 * An override the playbook recorded for one change (`change.override`), applied because the verdict rested on a missing
 * declaration or an unknown fact.
 */
interface AppliedOverride {
  /** The verdict the override sets. */
  verdict: 'rolling' | 'rolling-with-warning';
  /** The verdict lrroll reached before the override. */
  was: VerdictLevel;
  reason: string;
  /** The support ticket or change request that holds the decision, or null. */
  ticket: string | null;
}

/** One change's verdict. */
export interface ChangeVerdict {
  /** Index in the playbook's change list. */
  index: number;
  type: string;
  /** Short description, e.g. `module com.acme.foo 2.1.3`. */
  summary: string;
  /** This change's verdict (after an override, see `override`). */
  level: VerdictLevel;
  /** The eligibility table row that decided it. */
  row: string;
  /** What the verdict rests on (decides whether an override may relax it). */
  basis: VerdictBasis;
  /** Why, each a sentence. */
  reasons: string[];
  /**
   * Specific facts about this change that deserve attention (a micro schema move, a Java minor update …): they make the
   * level `rolling-with-warning`.
   */
  warnings: string[];
  /** Generic reminders that apply to this kind of change, shown apart; they do not change the level. */
  advice: string[];
  /** Checks preflight must pass for the verdict to hold (e.g. installed schema version). */
  preflightChecks: string[];
  /** The node facts the verdict rests on, and where each comes from. */
  facts: FactUse[];
  /** The playbook's override, when one was applied; null otherwise. */
  override: AppliedOverride | null;
}

/** The verdict for the whole change set. */
export interface Verdict {
  /** The worst level of the changes (a list is only as rollable as its least rollable change). */
  level: VerdictLevel;
  /** True when strategy is rolling and the level is `full-restart`: the run is refused (exit 3). */
  refused: boolean;
  changes: ChangeVerdict[];
  /** Node facts that differ between nodes, one sentence each (a cluster should be uniform before a roll). */
  differences: string[];
}

/** One node fact known before the run, with where it came from. */
export interface KnownFact {
  value: string;
  source: 'declared' | 'gathered';
}

/** The facts known about one node before the run (declared in the inventory, or gathered by `lrroll facts`). */
export interface PlanNodeFacts {
  node: string;
  /** `java -version` output of the JVM the app server starts with, as printed. */
  java: KnownFact | null;
  /** The app server version (`catalina.sh version`'s server number). */
  appServer: KnownFact | null;
  /** Installed patches, comma-separated as `patching-tool.sh info` lists them (empty value: none). */
  patches: KnownFact | null;
  /** Installed modules by Bundle-SymbolicName; `installed: false` records "not installed". */
  modules: Array<{
    bundle: string;
    installed: boolean;
    version: string | null;
    schemaVersion: string | null;
    source: 'declared' | 'gathered';
  }>;
}

/** The facts behind the verdicts: the facts file given with `--facts`, and what is known per node. */
export interface PlanFacts {
  /** The facts file, or null when none was given. */
  file: { path: string; sha256: string; gatheredAt: string } | null;
  nodes: PlanNodeFacts[];
}
