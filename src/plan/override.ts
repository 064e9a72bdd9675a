/**
 * `change.override`: an admin records a decision (from Liferay support, a change board) that
 * relaxes a full-restart verdict. It applies only where lrroll lacked a declaration or a fact;
 * evidence read from the artifact, a known breaking level, known node facts, the playbook's own
 * declaration and the table's rule are never overridden — asking for it is an error.
 */
import type { Diagnostic, SourceLocation } from '../errors/diagnostics.js';
import type { Change } from '../playbook/playbook.generated.js';
import type { ChangeVerdict } from './types.js';
import { BASIS_WORDS, isOverridable } from './verdict.js';

/** Applies each change's override to its verdict (in place); returns what was refused or had no effect. */
export function applyOverrides(
  verdicts: ChangeVerdict[],
  changes: readonly Change[],
  locate: (index: number) => SourceLocation,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const v of verdicts) {
    const o = changes[v.index]?.override;
    if (!o) continue;
    const where = locate(v.index);
    if (v.level !== 'full-restart') {
      out.push({
        severity: 'warning',
        code: 'W_OVERRIDE',
        summary:
          `change [${v.index + 1}]: the verdict is already \`${v.level}` +
          `\`; the override relaxes nothing and is not applied`,
        source: where,
        hint: 'an override relaxes a full-restart verdict; remove it',
      });
      continue;
    }
    if (!isOverridable(v.basis)) {
      out.push({
        severity: 'error',
        code: 'E_OVERRIDE',
        summary:
          `change [${v.index + 1}]: the full-restart verdict rests on ${BASIS_WORDS[v.basis]}` +
          `, which an override cannot relax`,
        detail: v.reasons[v.reasons.length - 1],
        source: where,
        hint:
          v.basis === 'declaration'
            ? "change the playbook's declaration instead, if it is wrong"
            : 'run it as a full restart (`rollout.strategy: full`)',
      });
      continue;
    }
    v.override = { verdict: o.verdict, was: v.level, reason: o.reason, ticket: o.ticket ?? null };
    v.level = o.verdict;
  }
  return out;
}
