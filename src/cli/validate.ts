import { hasErrors } from '../errors/diagnostics.js';
import { makeChalk } from '../errors/format.js';
import { formatSeconds } from '../plan/duration.js';
import type { Plan } from '../plan/types.js';
import { compile, report } from './compile.js';
import { EXIT_CODES } from './exit-codes.js';
import type { CommonPlanFlags } from './flags.js';
import type { Io } from './io.js';

/** `lrroll validate`: every problem at once; exit 2 when invalid. */
export async function validateCommand(
  file: string,
  flags: CommonPlanFlags & { format: string },
  io: Io,
): Promise<number> {
  const outcome = await compile(file, flags, io, { readGit: false });
  if (flags.format === 'json') {
    io.stdout.write(
      JSON.stringify(
        { valid: !hasErrors(outcome.diagnostics) && !!outcome.plan, diagnostics: outcome.diagnostics },
        null,
        2,
      ) + `\n`,
    );
    return hasErrors(outcome.diagnostics) || !outcome.plan ? EXIT_CODES.invalid : EXIT_CODES.ok;
  }
  if (report(outcome, io)) return EXIT_CODES.invalid;
  const plan = outcome.plan as Plan;
  const c = makeChalk(io.stdout.isTTY, io.env);
  const v = plan.verdict;
  const verdict =
    v.level === 'rolling'
      ? c.green('verdict rolling')
      : v.level === 'rolling-with-warning'
        ? c.yellow('verdict rolling-with-warning (see `lrroll plan`)')
        : v.refused
          ? c.red(
              'verdict full-restart: `lrroll run` would refuse it under strategy: rolling (exit 3); see `lrroll plan`',
            )
          : c.yellow('verdict full-restart; runs as a full restart');
  io.stdout.write(
    `${c.green('✔')} ${file} is valid: ${plan.nodes.length} node(s), ${plan.batches.length}` +
      ` batch(es), ~${formatSeconds(plan.estimate.expectedSec)}; ${verdict}\n`,
  );
  return EXIT_CODES.ok;
}
