/**
 * Building one change's verdict: it starts `rolling`; a warning (a specific fact about this
 * change) makes it `rolling-with-warning`; a refusal makes it `full-restart` and records what it
 * rests on. Advice never changes the level.
 */
import type { ChangeVerdict, FactUse, VerdictBasis, VerdictLevel } from './types.js';

/** A new verdict at `rolling`, decided by `row` unless a rule says otherwise. */
export function startVerdict(index: number, type: string, summary: string, row: string): ChangeVerdict {
  return {
    index,
    type,
    summary,
    level: 'rolling',
    row,
    basis: 'rule',
    reasons: [],
    warnings: [],
    advice: [],
    preflightChecks: [],
    facts: [],
    override: null,
  };
}

/** Refuses a rolling restart: the change needs a full restart because of `reason`, resting on `basis`. */
export function refuse(v: ChangeVerdict, basis: VerdictBasis, reason: string, row?: string): ChangeVerdict {
  v.level = 'full-restart';
  v.basis = basis;
  v.reasons.push(reason);
  if (row !== undefined) v.row = row;
  return v;
}

/** Adds a warning: a specific fact about this change. */
export function warn(v: ChangeVerdict, warning: string): ChangeVerdict {
  v.warnings.push(warning);
  if (v.level === 'rolling') v.level = 'rolling-with-warning';
  return v;
}

/** Adds a reason that supports the verdict. */
export function because(v: ChangeVerdict, reason: string, basis?: VerdictBasis): ChangeVerdict {
  v.reasons.push(reason);
  if (basis !== undefined && v.level !== 'full-restart') v.basis = basis;
  return v;
}

/** Records a node fact the verdict rests on. */
export function restsOn(v: ChangeVerdict, fact: FactUse): ChangeVerdict {
  v.facts.push(fact);
  return v;
}

const ORDER: readonly VerdictLevel[] = ['rolling', 'rolling-with-warning', 'full-restart'];

/** The least rollable of some levels (`rolling` for none). */
export function worstLevel(levels: readonly VerdictLevel[]): VerdictLevel {
  return levels.reduce<VerdictLevel>((worst, l) => (ORDER.indexOf(l) > ORDER.indexOf(worst) ? l : worst), 'rolling');
}

/** True when an override may relax a verdict resting on this basis: only a missing declaration or an unknown fact. */
export function isOverridable(basis: VerdictBasis): boolean {
  return basis === 'missing-declaration' || basis === 'unknown-fact';
}

/** What a basis means, for messages. */
export const BASIS_WORDS: Readonly<Record<VerdictBasis, string>> = {
  rule: "the eligibility table's rule for this kind of change",
  artifact: 'evidence read from the artifact itself',
  'breaking-level': 'a known breaking fix pack level',
  declaration: "the playbook's own declaration",
  'missing-declaration': 'a declaration the playbook does not make',
  'node-facts': 'known node facts',
  'unknown-fact': 'a fact that is not known',
};
