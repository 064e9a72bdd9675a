import { createInterface } from 'node:readline/promises';
import { publishRun } from '../app/report.js';
import { openRun } from '../app/run.js';
import type { SshFiles } from '../app/ssh-files.js';
import type { ResumeState } from '../execute/context.js';
import type { RunStatus } from '../execute/events.js';
import type { Plan } from '../plan/types.js';
import { formatConfirmation } from '../render/confirm.js';
import { makeChalk } from '../errors/format.js';
import type { ReportFormat } from '../render/report/render.js';
import { selectRenderer } from '../render/select.js';
import { EXIT_CODES } from './exit-codes.js';
import type { Io } from './io.js';

/** Flags of `lrroll run` that shape execution. */
export interface RunFlags {
  yes: boolean;
  output: 'auto' | 'listr' | 'plain' | 'json';
  acceptNewHostKeys: boolean;
  verbose: boolean;
  /** `--lock-wait` in seconds. */
  lockWaitSec: number;
  /** `--message`: why this run, stored with the lock and the record. */
  message: string;
  /** Continuing an interrupted run (lrroll resume): what it already did, its record and its id. */
  resume?: { state: ResumeState; dir: string; runId: string };
  /** `--report FILE`: the report written when the run ends, however it ends. */
  report?: { file: string; format: ReportFormat } | null;
  /** The SSH config and known_hosts files from the command line or the playbook. */
  sshFiles?: SshFiles;
}

const EXIT_BY_STATUS: Record<RunStatus, number> = {
  ok: EXIT_CODES.ok,
  failed: EXIT_CODES.failed,
  halted: EXIT_CODES.failed,
  refused: EXIT_CODES.refused,
  aborted: EXIT_CODES.interrupted,
};

/** Asks a yes/no question on the terminal. */
async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

/** Asks on the terminal; false (without asking) when there is no terminal. */
export async function confirmOnTerminal(question: string, io: Io): Promise<boolean> {
  if (!(process.stdin.isTTY === true && io.stderr.isTTY)) return false;
  return ask(question);
}

/**
 * Signals that stop a run like Ctrl-C: a CI job cancelled or `timeout` (SIGTERM), a closed terminal or SSH session
 * (SIGHUP).
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * The first stop signal stops the run gracefully (waits end, commands in flight finish, nodes
 * that still run go back into the load balancer, the lock is released, the summary is printed);
 * a second one kills the commands in flight. Either way the run exits 130 (interrupted).
 */
function handleStopSignals(graceful: AbortController, hard: AbortController, io: Io): { remove(): void } {
  const onSignal = (name: (typeof STOP_SIGNALS)[number]): void => {
    const what = name === 'SIGINT' ? 'Ctrl-C' : name;
    if (!graceful.signal.aborted) {
      io.stderr.write(
        `\nInterrupted (${what}): finishing the commands in flight, ending ` +
          `the waits, starting nothing new; nodes still running go back into the load balancer. Press ` +
          `Ctrl-C again to stop at once.\n`,
      );
      graceful.abort(what);
      return;
    }
    if (hard.signal.aborted) return;
    io.stderr.write(
      `\nStopping at once (${what}): commands in flight are killed; where every node stands is still recorded.\n`,
    );
    hard.abort(what);
  };
  const handlers = STOP_SIGNALS.map((name) => [name, () => onSignal(name)] as const);
  for (const [name, handler] of handlers) process.on(name, handler);
  return { remove: () => handlers.forEach(([name, handler]) => process.off(name, handler)) };
}

/** Executes a plan with progress output; returns the exit code. */
export async function executeRun(plan: Plan, flags: RunFlags, io: Io): Promise<number> {
  const interactive = process.stdin.isTTY === true && io.stderr.isTTY;
  if (!flags.yes && !interactive) {
    io.stderr.write(
      'error[E_USAGE]: lrroll run changes the cluster and needs confirmation: run it on a terminal, or pass --yes\n',
    );
    return EXIT_CODES.invalid;
  }
  // What the operator agrees to, on stderr (stdout may be NDJSON): shown with --yes too.
  io.stderr.write(formatConfirmation(plan, makeChalk(io.stderr.isTTY, io.env)));
  if (!flags.yes) {
    if (!(await ask('Run it now?'))) {
      io.stderr.write('Nothing was changed.\n');
      return EXIT_CODES.ok;
    }
  }
  const renderer = selectRenderer(
    flags.output,
    {
      write: (t) => io.stdout.write(t),
      note: (t) => io.stderr.write(t),
      isTTY: io.stdout.isTTY,
      ...(io.stdout.columns ? { columns: io.stdout.columns } : {}),
      env: io.env,
    },
    { verbose: flags.verbose },
  );
  const graceful = new AbortController();
  const hard = new AbortController();
  const stopHandlers = handleStopSignals(graceful, hard, io);
  const run = openRun(plan, {
    env: io.env,
    onEvent: (event) => renderer.onEvent(event),
    signal: hard.signal,
    stop: graceful.signal,
    resume: flags.resume ?? null,
    confirm: async (q) => flags.yes || (interactive && (await ask(q))),
    acceptNewHostKeys: flags.acceptNewHostKeys,
    lockWaitSec: flags.lockWaitSec,
    lockMessage: flags.message,
    pid: process.pid,
    ...(flags.sshFiles ? { sshFiles: flags.sshFiles } : {}),
  });
  renderer.start();
  try {
    const status = await run.execute();
    await renderer.end();
    if (flags.output !== 'json') io.stderr.write(`run record: ${run.recordDir}\n`);
    return EXIT_BY_STATUS[status];
  } catch (err) {
    // The top-level handler names the record, so an unexpected failure still says where the run stands.
    if (err !== null && typeof err === 'object') Object.assign(err, { runRecord: run.recordDir });
    throw err;
  } finally {
    stopHandlers.remove();
    for (const note of publishRun(run.recordDir, io.env, flags.report ?? null)) io.stderr.write(`${note}\n`);
  }
}
