/**
 * The polled gates: an attempt every `intervalSec` until `successes` attempts in a row pass or
 * the deadline (`timeoutSec`, counted from when the gate begins) passes. A failing attempt
 * starts the count again, so a node that answers once while still starting is not let through.
 */
import type { WaitHttpStep, WaitOsgiStep } from '../plan/types.js';
import type { RunState } from './context.js';
import { readGogoAttempt } from './gogo.js';
import { probePasses, readHttpProbe } from './http-probe.js';
import { failed, ok, runCommand, type StepOutcome } from './run-command.js';

/** One attempt: whether it passed, and what it found (shown as progress and in the failure). */
interface Attempt {
  passed: boolean;
  found: string;
}

/** Polls `attempt` until it passes `successes` times in a row; fails at the deadline with the last finding. */
async function poll(
  step: WaitHttpStep | WaitOsgiStep,
  run: RunState,
  attempt: () => Promise<Attempt>,
  subject: string,
  failure: (last: string) => string,
): Promise<StepOutcome> {
  const deadline = run.deps.clock.now() + step.timeoutSec * 1000;
  let last = 'no answer yet';
  let streak = 0;
  while (run.deps.clock.now() < deadline && !run.waitSignal.aborted) {
    const a = await attempt();
    last = a.found;
    streak = a.passed ? streak + 1 : 0;
    if (streak >= step.successes) return ok(step.successes > 1 ? `${last} (${streak} times in a row)` : last);
    const count = step.successes > 1 ? ` (${streak}/${step.successes} in a row)` : '';
    run.deps.emit({
      kind: 'step-output',
      stepId: step.id,
      node: step.node,
      stream: 'progress',
      line: `${subject}: ${last}${count}`,
    });
    await run.deps.clock.sleep(step.intervalSec * 1000, run.waitSignal);
  }
  return failed(run.waitSignal.aborted ? 'interrupted' : failure(last));
}

/** Polls an HTTP URL until the status (and body) match. */
export async function waitHttp(step: WaitHttpStep, run: RunState): Promise<StepOutcome> {
  const body = step.bodyMatch ? new RegExp(step.bodyMatch) : null;
  const inARow = step.successes > 1 ? ` ${step.successes} times in a row` : '';
  return poll(
    step,
    run,
    async () => {
      const answer = readHttpProbe(
        await runCommand(step, step.command, run, { quiet: true, timeoutMs: step.attemptDeadlineSec * 1000 }),
      );
      return { passed: probePasses(answer, step), found: answer.found };
    },
    step.url,
    (last) =>
      `${step.url} did not answer ${step.status.join('/')}` +
      `${body ? ` matching /${step.bodyMatch}/` : ''}${inARow} within ${step.timeoutSec}s (last: ` +
      `${last})`,
  );
}

/** Asks the node's Gogo shell until no OSGi component is unsatisfied. */
export async function waitOsgi(step: WaitOsgiStep, run: RunState): Promise<StepOutcome> {
  const subject = `Gogo port ${step.port}`;
  const inARow = step.successes > 1 ? ` ${step.successes} times in a row` : '';
  return poll(
    step,
    run,
    async () => {
      const r = await runCommand(step, step.command, run, {
        quiet: true,
        timeoutMs: step.attemptDeadlineSec * 1000,
      });
      const reading = readGogoAttempt(r.stdout, step.commands, step.ignore);
      if (reading.error) return { passed: false, found: reading.error };
      if (reading.problems.length === 0)
        return { passed: true, found: `no unsatisfied component (${step.commands.join(', ')})` };
      const shown = reading.problems.slice(0, 5).join(', ');
      return {
        passed: false,
        found: `${reading.problems.length} unsatisfied: ${shown}${reading.problems.length > 5 ? ', …' : ''}`,
      };
    },
    subject,
    (last) => `OSGi components not all satisfied${inARow} within ${step.timeoutSec}s (last: ${last})`,
  );
}
