import type { ChalkInstance } from 'chalk';
import type { ChangeVerdict, FactUse, Plan } from '../plan/types.js';

/** The text view's first lines: the verdict, then every override with its reason (before anything else). */
export function verdictHeadline(plan: Plan, c: ChalkInstance): string[] {
  const v = plan.verdict;
  const warnings = v.changes.reduce((n, ch) => n + ch.warnings.length, 0) + v.differences.length;
  const head =
    v.level === 'rolling'
      ? c.green.bold('✔ ROLLING — every change may be rolled node by node')
      : v.level === 'rolling-with-warning'
        ? c.yellow.bold(`! ROLLING WITH WARNING — may be rolled; ${warnings} warning(s) below deserve attention`)
        : v.refused
          ? c.red.bold('✖ FULL RESTART — refused with strategy: rolling (use strategy: full for a full restart)')
          : c.yellow.bold('! FULL RESTART — runs with every node down (strategy: full)');
  const overrides = v.changes.filter((ch) => ch.override);
  const lines = [
    `${c.bold('Verdict:')} ${head}` +
      (overrides.length > 0 ? c.magenta.bold(` (overridden by the playbook for ${overrides.length} change(s))`) : ''),
  ];
  for (const ch of overrides) {
    const o = ch.override as NonNullable<ChangeVerdict['override']>;
    lines.push(
      c.magenta(
        `  OVERRIDE [${ch.index + 1}] ${ch.summary}: ${o.was} → ${o.verdict} — "${o.reason}"` +
          `${o.ticket ? ` (${o.ticket})` : ''}`,
      ),
    );
  }
  return lines;
}

/**
 * Each change's verdict with its reasons, warnings, facts and preflight checks; then differing facts and advice, apart.
 */
export function verdictDetails(plan: Plan, c: ChalkInstance): string[] {
  const v = plan.verdict;
  const lines = [c.bold('Changes')];
  for (const ch of v.changes) {
    const mark =
      ch.level === 'rolling' ? c.green('✔') : ch.level === 'rolling-with-warning' ? c.yellow('!') : c.red('✖');
    lines.push(
      `  [${ch.index + 1}] ${ch.summary} — ${mark} ${ch.level}` +
        `${ch.override ? c.magenta(` (overridden, was ${ch.override.was})`) : ''} · ${ch.row}`,
    );
    lines.push(...ch.reasons.map((r) => `      · ${r}`), ...ch.warnings.map((w) => c.yellow(`      ! ${w}`)));
    lines.push(
      ...ch.facts.map((f) => c.dim(`      fact: ${factLine(f)}`)),
      ...ch.preflightChecks.map((p) => c.dim(`      preflight: ${p}`)),
    );
    if (ch.level === 'full-restart')
      lines.push(
        c.dim(
          `      rests on: ${ch.basis}` +
            (ch.basis === 'missing-declaration' || ch.basis === 'unknown-fact'
              ? ' (an override with a reason may relax it)'
              : ' (no override can relax it)'),
        ),
      );
  }
  if (v.differences.length > 0)
    lines.push(
      '',
      c.bold('Facts that differ between nodes') + c.dim(' (a cluster should be uniform before a roll)'),
      ...v.differences.map((d) => c.yellow(`  ! ${d}`)),
    );
  const advice = v.changes.flatMap((ch) => ch.advice.map((a) => `[${ch.index + 1}] ${a}`));
  if (advice.length > 0)
    lines.push(
      '',
      c.bold('Advice') + c.dim(' (reminders for this kind of change; not warnings)'),
      ...advice.map((a) => c.dim(`  - ${a}`)),
    );
  lines.push('', factsSource(plan, c));
  return lines;
}

function factLine(f: FactUse): string {
  const where =
    f.source === 'preflight'
      ? 'not known yet: read on every node in preflight'
      : f.source === 'unknown'
        ? 'not known'
        : `${f.source}`;
  const values = f.values.map((v) => `${v.nodes.join(', ')}: ${v.value === '' ? 'none' : v.value}`).join('; ');
  return `${f.fact} — ${where}${values ? ` (${values})` : ''}`;
}

function factsSource(plan: Plan, c: ChalkInstance): string {
  const f = plan.facts;
  const declared = f.nodes
    .filter(
      (n) =>
        [n.java, n.appServer, n.patches].some((x) => x?.source === 'declared') ||
        n.modules.some((m) => m.source === 'declared'),
    )
    .map((n) => n.node);
  if (!f.file && declared.length === 0)
    return (
      `${c.bold('Node facts:')} none declared in the inventory or gathered ` +
      `(\`lrroll facts\`, then \`--facts\`): preflight reads what the verdicts need on every node`
    );
  const parts = [
    f.file ? `gathered by \`lrroll facts\` into ${f.file.path} at ${f.file.gatheredAt}` : 'none gathered',
    declared.length > 0
      ? `declared in the inventory for ${declared.length === f.nodes.length ? 'every node' : declared.join(', ')}`
      : 'none declared in the inventory',
  ];
  return `${c.bold('Node facts:')} ${parts.join('; ')}; preflight confirms them on every node`;
}
