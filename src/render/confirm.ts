import type { ChalkInstance } from 'chalk';
import { formatSeconds } from '../plan/duration.js';
import type { Plan } from '../plan/types.js';

/**
 * What the operator agrees to before `lrroll run` changes anything: the verdict, the strategy and
 * its shape, the downtime when there is any, and what users will notice. Printed whether or not
 * `--yes` skips the question.
 */
export function formatConfirmation(plan: Plan, c: ChalkInstance): string {
  const p = plan.policy;
  const git = plan.source.gitCommit
    ? ` @ ${plan.source.gitCommit.slice(0, 10)}${plan.source.gitDirty ? ' (uncommitted changes)' : ''}`
    : '';
  const lines = [
    '',
    `${c.bold('About to run')} ${plan.name} ${c.dim(`(plan ${plan.hash.slice(0, 12)}, ${plan.source.file}${git})`)}`,
    ...verdictLines(plan, c),
    `  ${c.bold('Strategy:')} ${p.strategy === 'full' ? c.red.bold('full restart') : 'rolling'} · ` +
      `${plan.nodes.length} node(s) in ${plan.batches.length} batch(es)` +
      `${p.strategy === 'rolling' ? ` · min healthy ${p.minHealthy}` : ''} · on failure ${p.onFailure}` +
      ` · ~${formatSeconds(plan.estimate.expectedSec)} expected (` +
      `${formatSeconds(plan.estimate.worstCaseSec)} at worst)`,
  ];
  const sets = Object.entries(plan.overrides);
  if (sets.length > 0) lines.push(`  ${c.bold('Set for this run:')} ${sets.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  if (p.window)
    lines.push(
      `  ${c.bold('Window:')} ${p.window.days.join(',')} ${p.window.start}–${p.window.end} ` +
        `${p.window.timezone} ${c.dim(`(${p.window.source}, for ${p.strategy} runs)`)}`,
    );
  if (plan.estimate.downtimeSec > 0) {
    lines.push(
      `  ${c.red.bold('DOWNTIME:')} ` +
        c.red(
          `the site is down from the first stop until the first node is back in the load balancer: ` +
            `about ${formatSeconds(plan.estimate.downtimeSec)} expected.`,
        ),
    );
  }
  // The downtime sentence of the impact list is the DOWNTIME line above.
  lines.push(
    `  ${c.bold('What users will notice:')}`,
    ...plan.impact.filter((l) => !/DOWNTIME/.test(l)).map((l) => `    - ${l}`),
    '',
  );
  return `${lines.join('\n')}\n`;
}

function verdictLines(plan: Plan, c: ChalkInstance): string[] {
  const v = plan.verdict;
  // The operator agrees to overrides too: each is named with its reason.
  const overrides = v.changes
    .filter((ch) => ch.override)
    .map((ch) =>
      c.magenta(
        `    OVERRIDE [${ch.index + 1}] ${ch.summary}: ${ch.override?.was} → ${ch.override?.verdict}` +
          ` — "${ch.override?.reason}"${ch.override?.ticket ? ` (${ch.override.ticket})` : ''}`,
      ),
    );
  if (v.level === 'full-restart') {
    const why = v.changes
      .filter((ch) => ch.level === 'full-restart')
      .map((ch) => `[${ch.index + 1}] ${ch.summary}: ${ch.reasons.join(' ')}`);
    return [
      `  ${c.bold('Verdict:')} ${c.yellow.bold('full restart')}` +
        ` — not eligible for a rolling restart, it runs with every node down`,
      ...why.map((w) => `    ${w}`),
      ...overrides,
    ];
  }
  const warnings = [...v.changes.flatMap((ch) => ch.warnings.map((w) => `[${ch.index + 1}] ${w}`)), ...v.differences];
  if (v.level === 'rolling')
    return [`  ${c.bold('Verdict:')} ${c.green('rolling')} — eligible for a rolling restart`, ...overrides];
  return [
    `  ${c.bold('Verdict:')} ${c.yellow('rolling with warning')}` +
      ` — eligible for a rolling restart, with ${warnings.length} warning(s)`,
    ...warnings.map((w) => c.yellow(`    ! ${w}`)),
    ...overrides,
  ];
}
