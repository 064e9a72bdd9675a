import type { SshFiles } from './ssh-files.js';
// `lrroll clean`: removes the backups and staged artifacts earlier runs left under
// `<liferayHome>/.lrroll/` on the nodes the plan changes, holding the cluster's run lock meanwhile
// so that no run loses its backup while it needs it. The lock folder itself stays.
import { lrrollDir, parseFootprint } from '../domain/footprint.js';
import type { Plan, PlanNode } from '../plan/types.js';
import type { CleanNodeSteps } from '../plan/types-cluster.js';
import { acquireClusterLock, lockAdvice, releaseClusterLock } from './cluster-lock.js';
import { newRunId, sshSettings, systemClock, TransportPool } from './execute.js';
import { isRunLive } from './liveness.js';
import { describeHolder, makeOwner } from './lock.js';
import { notRunMessage } from './outcome-text.js';
import { runPlannedCommand } from './step-exec.js';

/** One node as `clean` found or left it. */
interface CleanNode {
  node: string;
  path: string;
  /** Bytes of backups and staged files, and how many backups (null when the node could not be read). */
  before: { bytes: number; backups: number } | null;
  /** The summary line of the removal, or null when nothing was removed. */
  result: string | null;
  problem: string | null;
}

/** What `clean` needs from the command line. */
interface CleanOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The SSH config and known_hosts files (command line, else playbook). */
  sshFiles: SshFiles;
  /** Runs kept on each node (0: remove all). */
  keep: number;
  /** Asked once with what each node holds; false leaves everything in place. */
  confirm(nodes: readonly CleanNode[]): Promise<boolean>;
  note(text: string): void;
}

/** Takes the lock, reads each node's footprint, asks, removes; `refused` names why nothing was removed. */
export async function cleanNodes(
  plan: Plan,
  options: CleanOptions,
): Promise<{ nodes: CleanNode[]; refused: string | null }> {
  const pool = new TransportPool(sshSettings(options.env, false, options.sshFiles), options.env);
  const runId = newRunId(systemClock);
  const changed = new Set(plan.batches.flatMap((b) => b.nodes));
  const targets = plan.nodes.filter((n) => changed.has(n.name));
  try {
    const owner = makeOwner(plan, runId, options.env, 'lrroll clean', process.pid, systemClock.iso());
    let lock;
    try {
      lock = await acquireClusterLock(plan, owner, 0, {
        transportFor: (n) => pool.forNode(n),
        clock: systemClock,
        signal: new AbortController().signal,
        isLive: isRunLive,
        emit: (e) => (e.kind === 'lock' && e.state !== 'taken' ? options.note(e.text) : undefined),
      });
    } catch (err) {
      return {
        nodes: [],
        refused: `cannot take the cluster's run lock: ${(err as Error).message}; nothing was removed`,
      };
    }
    if (!('nodes' in lock))
      return {
        nodes: [],
        refused:
          `another run holds the cluster's lock (on ${lock.node}): ${describeHolder(lock.held)}` +
          `. Nothing was removed; ` +
          lockAdvice(lock.held, lock.held.owner ? isRunLive(lock.held.owner) : null, plan.source.file),
      };
    try {
      const found = await Promise.all(targets.map((n) => readFootprint(stepsOf(plan, n), n, pool)));
      if (!(await options.confirm(found))) return { nodes: found, refused: 'not confirmed: nothing was removed' };
      return {
        nodes: await Promise.all(
          found.map((f, i) =>
            f.before
              ? removeOn(stepsOf(plan, targets[i] as PlanNode), targets[i] as PlanNode, f, options.keep, pool)
              : f,
          ),
        ),
        refused: null,
      };
    } finally {
      await releaseClusterLock(lock, runId);
    }
  } finally {
    await pool.closeAll();
  }
}

/** The node's planned clean steps (the plan holds them for every node of the inventory). */
function stepsOf(plan: Plan, node: PlanNode): CleanNodeSteps {
  const steps = plan.cluster.clean.find((c) => c.node === node.name);
  if (!steps) throw new Error(`the plan has no clean steps for ${node.name}`);
  return steps;
}

async function readFootprint(steps: CleanNodeSteps, node: PlanNode, pool: TransportPool): Promise<CleanNode> {
  const out: CleanNode = {
    node: node.name,
    path: lrrollDir(node.liferayHome),
    before: null,
    result: null,
    problem: null,
  };
  const r = await runPlannedCommand(pool.forNode(node), steps.footprint);
  out.before = r.exitCode === 0 ? parseFootprint(r.stdout) : null;
  if (!out.before)
    out.problem =
      notRunMessage(steps.footprint, r) ??
      `cannot read ${out.path}: ${r.stderr.trim() || `exit ${String(r.exitCode)}`}`;
  return out;
}

async function removeOn(
  steps: CleanNodeSteps,
  node: PlanNode,
  found: CleanNode,
  keep: number,
  pool: TransportPool,
): Promise<CleanNode> {
  const r = await runPlannedCommand(pool.forNode(node), steps.prune, { values: { keep: String(keep) } });
  const failed = notRunMessage(steps.prune, r);
  if (failed !== null) return { ...found, problem: failed };
  const last = r.stdout.trim().split('\n').pop() ?? '';
  return r.exitCode === 0
    ? { ...found, result: last }
    : { ...found, problem: `removing failed (exit ${String(r.exitCode)}): ${r.stderr.trim() || last}` };
}
