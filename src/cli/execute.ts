import type { Plan } from '../plan/types.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

/** Executes a plan. This build previews plans only: it says so and changes nothing. */
export async function executeRun(plan: Plan, _options: { yes: boolean }, io: Io): Promise<number> {
  io.stderr.write(`error[E_USAGE]: this build of lrroll previews plans but does not execute them yet; nothing was changed.\n  hint: review the plan with \`lrroll run --dry-run ${plan.source.file}\`\n`);
  return EXIT_CODES.invalid;
}
