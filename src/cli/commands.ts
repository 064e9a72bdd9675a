import type { SourceLocation } from '../errors/diagnostics.js';
import { makeChalk } from '../errors/format.js';
import { parseDuration } from '../plan/duration.js';
import { planJsonChunks } from '../plan/plan-json.js';
import type { Plan } from '../plan/types.js';
import { renderPlanMermaid } from '../render/plan-mermaid.js';
import { planCommandFor, renderPlanText } from '../render/plan-text.js';
import { isDurationTextWithinLimit } from '../playbook/limits.js';
import { resolveSshFiles } from '../app/ssh-files.js';
import { compile, report, withInventorySecrets } from './compile.js';
import { EXIT_CODES } from './exit-codes.js';
import type { CommonPlanFlags, RunCliFlags, SshCliFlags } from './flags.js';
import type { Io } from './io.js';
import { compileForNodes, sshFilesFor } from './ssh-files.js';

type PlanFormat = 'text' | 'json' | 'mermaid';

function renderPlan(plan: Plan, format: PlanFormat, full: boolean, io: Io): string | Iterable<string> {
  switch (format) {
    case 'json':
      // Written in pieces: a plan of thousands of nodes is more text than one string may hold.
      return planJsonChunks(plan, { share: !full, space: 2 });
    case 'mermaid':
      return renderPlanMermaid(plan);
    case 'text':
      return renderPlanText(plan, { full, chalk: makeChalk(io.stdout.isTTY, io.env) });
  }
}

/** `lrroll plan`: the plan in text, JSON or Mermaid; exit 3 when the change is refused. */
export async function planCommand(
  file: string,
  flags: CommonPlanFlags & { format: PlanFormat; full?: boolean },
  io: Io,
): Promise<number> {
  const outcome = await compile(file, flags, io);
  if (report(outcome, io)) return EXIT_CODES.invalid;
  const plan = outcome.plan as Plan;
  writeAll(io, renderPlan(plan, flags.format, flags.full === true, io));
  return refusal(plan, io, outcome.changeSources);
}

/** Writes text, or its pieces gathered into writes of about a megabyte. */
function writeAll(io: Io, text: string | Iterable<string>): void {
  if (typeof text === 'string') {
    io.stdout.write(text);
    return;
  }
  let buffer: string[] = [];
  let size = 0;
  for (const piece of text) {
    buffer.push(piece);
    size += piece.length;
    if (size >= 1 << 20) {
      io.stdout.write(buffer.join(''));
      buffer = [];
      size = 0;
    }
  }
  if (buffer.length > 0) io.stdout.write(buffer.join(''));
}

/** Exit 3 when the verdict refuses a rolling run: each refused change with where the playbook writes it. */
function refusal(plan: Plan, io: Io, changeSources: readonly SourceLocation[] = []): number {
  if (!plan.verdict.refused) return EXIT_CODES.ok;
  const at = (index: number): string => {
    const s = changeSources[index];
    return s ? `${s.file}:${s.line}:${s.col}: ` : '';
  };
  const reasons = plan.verdict.changes
    .filter((c) => c.level === 'full-restart')
    .map((c) => `  [${c.index + 1}] ${at(c.index)}${c.summary}: ${c.reasons.join(' ')}\n      row: ${c.row}`);
  io.stderr.write(
    `refused: the verdict is full-restart, and the strategy is rolling\n${reasons.join('\n')}` +
      `\n  hint: fix the cause, or run it as a full restart with \`rollout.strategy: full\` ` +
      `(downtime)\n`,
  );
  return EXIT_CODES.refused;
}

/** `lrroll run`: with --dry-run the same plan and renderer as `lrroll plan`. */
export async function runCommand(file: string, flags: CommonPlanFlags & RunCliFlags, io: Io): Promise<number> {
  const outcome = await compile(file, flags, io);
  if (report(outcome, io)) return EXIT_CODES.invalid;
  const plan = outcome.plan as Plan;
  if (flags.planHash !== undefined) {
    if (flags.planHash.length < 8) {
      io.stderr.write('error[E_USAGE]: --plan-hash needs at least 8 characters of the hash\n');
      return EXIT_CODES.invalid;
    }
    if (!plan.hash.startsWith(flags.planHash.toLowerCase())) {
      io.stderr.write(
        `refused: the plan changed since it was reviewed (expected ${flags.planHash}, now ` +
          `${plan.hash.slice(0, 12)}); review it again with \`${planCommandFor(plan)}\`\n`,
      );
      return EXIT_CODES.refused;
    }
  }
  if (flags.dryRun) {
    writeAll(io, renderPlan(plan, flags.format, flags.full === true, io));
    return refusal(plan, io, outcome.changeSources);
  }
  const refused = refusal(plan, io, outcome.changeSources);
  if (refused !== EXIT_CODES.ok) return refused;
  const { executeRun } = await import('./execute.js');
  const lockWaitSec = lockWaitSeconds(flags.lockWait, io);
  if (lockWaitSec === null) return EXIT_CODES.invalid;
  const { reportTarget } = await import('./report.js');
  const reportFile = reportTarget(flags.report, io);
  if (reportFile === 'invalid') return EXIT_CODES.invalid;
  const sshFiles = sshFilesFor(plan, flags, io);
  if (!sshFiles) return EXIT_CODES.invalid;
  return executeRun(
    plan,
    {
      yes: flags.yes === true,
      output: flags.output,
      acceptNewHostKeys: flags.acceptNewHostKeys === true,
      verbose: flags.verbose === true,
      lockWaitSec,
      message: flags.message,
      report: reportFile,
      sshFiles,
    },
    withInventorySecrets(io, outcome),
  );
}

/**
 * `lrroll status`: a read-only table of every node and its LB member; exit 0 when all are healthy and in rotation, 1
 * otherwise.
 */
export async function statusCommand(
  file: string,
  flags: CommonPlanFlags & SshCliFlags & { format: string },
  io: Io,
): Promise<number> {
  const start = await compileForNodes(file, flags, io);
  if (!start) return EXIT_CODES.invalid;
  const { outcome, plan, sshFiles } = start;
  const { readStatus, formatStatus, statusProblems } = await import('../app/status.js');
  // What the lock and the records say comes as events; their notes go to stderr, the table (or JSON) to stdout.
  const rows = await readStatus(
    plan,
    withInventorySecrets(io, outcome).env,
    (e) => (e.kind === 'lock' || e.kind === 'reconcile' ? io.stderr.write(`${e.text}\n`) : undefined),
    sshFiles,
  );
  io.stdout.write(flags.format === 'json' ? `${JSON.stringify(rows, null, 2)}\n` : formatStatus(rows));
  const problems = statusProblems(rows, plan.loadBalancer.type !== 'none');
  if (problems.length === 0) return EXIT_CODES.ok;
  io.stderr.write(`exit 1: not every node is healthy and in rotation: ${problems.join('; ')}\n`);
  return EXIT_CODES.failed;
}

/**
 * `lrroll diff`: per node, what it has now next to what the change would make of it (read-only); exit 1 when a node
 * cannot be read.
 */
export async function diffCommand(
  file: string,
  flags: CommonPlanFlags & SshCliFlags & { format: string },
  io: Io,
): Promise<number> {
  const start = await compileForNodes(file, flags, io);
  if (!start) return EXIT_CODES.invalid;
  const { outcome, plan, sshFiles } = start;
  const { readDiff } = await import('../app/diff.js');
  const diff = await readDiff(plan, outcome.previews, withInventorySecrets(io, outcome).env, sshFiles);
  if (flags.format === 'json') io.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
  else {
    const { renderDiffText } = await import('../render/diff-text.js');
    io.stdout.write(renderDiffText(diff, makeChalk(io.stdout.isTTY, io.env)));
  }
  const unread = diff.nodes.some(
    (n) =>
      !n.reachable ||
      n.patches?.problem ||
      n.modules.some((m) => m.problem) ||
      n.edits.some((e) => e.problem) ||
      n.files.some((f) => f.problem),
  );
  return unread ? EXIT_CODES.failed : EXIT_CODES.ok;
}

/** `lrroll unlock`: shows who holds the cluster's run lock (on every node) and breaks it after confirmation. */
export async function unlockCommand(
  file: string,
  flags: CommonPlanFlags & SshCliFlags & { yes?: boolean },
  io: Io,
): Promise<number> {
  const start = await compileForNodes(file, flags, io);
  if (!start) return EXIT_CODES.invalid;
  const { outcome, plan, sshFiles } = start;
  const { openUnlock } = await import('../app/unlock.js');
  let session;
  try {
    session = await openUnlock(plan, withInventorySecrets(io, outcome).env, sshFiles);
  } catch (err) {
    io.stderr.write(`error[E_CONNECT]: ${(err as Error).message}\n`);
    return EXIT_CODES.failed;
  }
  try {
    for (const e of session.errors) io.stderr.write(`warning: ${e}\n`);
    if (session.holders.length === 0) {
      io.stdout.write(`The cluster is not locked (checked on ${session.checked} of ${session.total} node(s)).\n`);
      return EXIT_CODES.ok;
    }
    for (const h of session.holders) {
      io.stderr.write(`The cluster's run lock is held on ${h.nodes.join(', ')} by ${h.description}.\n`);
      if (h.live)
        io.stderr.write(
          `That run is STILL RUNNING on this host (pid ${h.pid ?? '?'}` +
            `): if you break its lock it stops at its next lock check (within a minute), like on ` +
            `Ctrl-C.\n`,
        );
    }
    const { confirmOnTerminal } = await import('./execute.js');
    if (!flags.yes && !(await confirmOnTerminal('Break it? Only do this when that run is really gone.', io))) {
      io.stderr.write('The lock was left in place.\n');
      return EXIT_CODES.refused;
    }
    io.stdout.write(`Lock broken on ${await session.breakAll()} node(s).\n`);
    return EXIT_CODES.ok;
  } catch (err) {
    io.stderr.write(`error[E_CONNECT]: ${(err as Error).message}\n`);
    return EXIT_CODES.failed;
  } finally {
    await session.close();
  }
}

/** `lrroll resume`: continues an interrupted run's recorded plan from the exact step after what it finished. */
export async function resumeCommand(which: string | undefined, flags: RunCliFlags, io: Io): Promise<number> {
  const { reportTarget } = await import('./report.js');
  const reportFile = reportTarget(flags.report, io);
  if (reportFile === 'invalid') return EXIT_CODES.invalid;
  const { findRunToResume, prepareResume } = await import('../app/resume.js');
  const found = findRunToResume(io.env, which);
  if (typeof found === 'string') {
    io.stderr.write(`error[E_USAGE]: ${found}\n`);
    return EXIT_CODES.invalid;
  }
  const { resumeFormatProblem, withInventorySecrets: resumeSecrets } = await import('../app/resume.js');
  const formatProblem = resumeFormatProblem(found);
  if (formatProblem) {
    io.stderr.write(`error[E_PLAN_FORMAT]: ${formatProblem}\n`);
    return EXIT_CODES.refused;
  }
  io = { ...io, env: await resumeSecrets(found.dir, io.env) };
  // Like the uploads, the playbook's inventory.ssh paths are resolved from the recorded playbook path, taken from this
  // directory.
  const target = await prepareResume(io.env, found, (plan) => resolveSshFiles(plan, flags, io.env, io.cwd));
  io.stderr.write(
    `Resuming run ${target.meta.runId} of "${target.meta.name}" (plan ` +
      `${target.plan.hash.slice(0, 12)}, started ${target.meta.startedAt} by ${target.meta.user}@` +
      `${target.meta.host}, ${target.meta.status}):\n${target.notes.map((n) => `  ${n}`).join('\n')}\n`,
  );
  const lockWaitSec = lockWaitSeconds(flags.lockWait, io);
  if (lockWaitSec === null) return EXIT_CODES.invalid;
  const { executeRun } = await import('./execute.js');
  const sshFiles = sshFilesFor(target.plan, flags, io);
  if (!sshFiles) return EXIT_CODES.invalid;
  return executeRun(
    target.plan,
    {
      yes: flags.yes === true,
      output: flags.output,
      acceptNewHostKeys: flags.acceptNewHostKeys === true,
      verbose: flags.verbose === true,
      lockWaitSec,
      message: flags.message,
      resume: { state: target.state, dir: target.dir, runId: target.meta.runId },
      report: reportFile,
      sshFiles,
    },
    io,
  );
}

/** `--lock-wait` in seconds, or null (after saying so) when it is not a duration. */
function lockWaitSeconds(text: string, io: Io): number | null {
  if (/^\s*(\d+(\.\d+)?\s*(ms|s|m|h)\s*)+$/.test(text) && isDurationTextWithinLimit(text)) return parseDuration(text);
  io.stderr.write(`error[E_USAGE]: --lock-wait ${text} is not a duration of at most 24h (e.g. 30s, 10m)\n`);
  return null;
}
