import type { ResumeState } from '../execute/context.js';
import { runRemote } from '../execute/run-step.js';
import { PLAN_FORMAT_VERSION, type Plan } from '../plan/types.js';
import { listRuns, nodeRecords, readEvents, readPlan, type RunMeta } from './journal.js';
import { sshSettings, TransportPool } from './execute.js';
import { planPlaybook } from './use-cases.js';
import type { SshFiles } from './ssh-files.js';

/** An interrupted run, ready to continue. */
interface ResumeTarget {
  plan: Plan;
  dir: string;
  meta: RunMeta;
  state: ResumeState;
  /** One line per node: what the record says and what resume will do. */
  notes: string[];
}

const UNFINISHED = new Set(['running', 'aborted', 'failed', 'halted']);

/** Finds the run to resume: by run id, else the newest unfinished one (optionally of a playbook). */
export function findRunToResume(
  env: Readonly<Record<string, string | undefined>>,
  which: string | undefined,
): { dir: string; meta: RunMeta } | string {
  const runs = listRuns(env);
  if (runs.length === 0) return 'there is no run record to resume';
  const byId = which ? runs.find((r) => r.meta.runId === which || r.meta.runId.startsWith(which)) : undefined;
  if (byId)
    return UNFINISHED.has(byId.meta.status)
      ? byId
      : `run ${byId.meta.runId} ended ${byId.meta.status}; there is nothing to resume`;
  const candidates = runs.filter(
    (r) => UNFINISHED.has(r.meta.status) && (!which || r.meta.playbook === which || r.meta.playbook.endsWith(which)),
  );
  return (
    candidates[0] ??
    (which ? `no unfinished run of ${which}` : 'no unfinished run: the last runs all ended ok or were refused')
  );
}

/**
 * Why the recorded plan of a run cannot be resumed by this lrroll, or null. A plan of another format
 * lacks commands, deadlines and cluster steps this executor runs (or has ones it does not know):
 * continuing it would run something other than what its preview showed.
 */
export function resumeFormatProblem(run: { dir: string; meta: RunMeta }): string | null {
  const version = (readPlan(run.dir) as Partial<Plan>).formatVersion;
  if (version === PLAN_FORMAT_VERSION) return null;
  return (
    `run ${run.meta.runId} was recorded with plan format ${String(version ?? 'unknown')}; this lrroll runs format ` +
    (`${PLAN_FORMAT_VERSION} and cannot continue it as it was previewed. ` +
      `Finish it with the lrroll that started it, or `) +
    `abandon it (\`lrroll unlock\`): the next \`lrroll run\` puts back any node it left out of the load balancer ` +
    `once that node is healthy`
  );
}

/**
 * Works out what the interrupted run already did. A node that finished is recognised by its
 * record and by its change verifying again on the node (the fingerprint of the applied change);
 * one whose verification fails, or that was put back into the load balancer, starts over.
 */
export async function prepareResume(
  env: Readonly<Record<string, string | undefined>>,
  run: { dir: string; meta: RunMeta },
  sshFilesOf: (plan: Plan) => SshFiles = () => ({ configFile: null, knownHostsFiles: null }),
): Promise<ResumeTarget> {
  const plan = readPlan(run.dir);
  const events = readEvents(run.dir);
  const records = nodeRecords(
    events,
    plan.nodes.map((n) => n.name),
  );
  const done = new Set(
    events
      .filter((e) => e.kind === 'step-end' && e.status === 'ok')
      .map((e) => (e.kind === 'step-end' ? e.stepId : '')),
  );
  const doneNodes = new Set<string>();
  const untouched = new Set<string>();
  const notes: string[] = [];
  const pool = new TransportPool(sshSettings(env, false, sshFilesOf(plan)), env);
  try {
    for (const r of records.values()) {
      const np = plan.batches.flatMap((b) => b.nodePlans).find((p) => p.node === r.node);
      if (!np) continue;
      if (r.lastStep === null) {
        untouched.add(r.node);
        notes.push(`${r.node}: not started yet`);
        continue;
      }
      const startOver = (): void => np.steps.forEach((s) => done.delete(s.id));
      if (r.done) {
        const verified = await verifyNode(plan, r.node, pool);
        if (verified === null) {
          doneNodes.add(r.node);
          notes.push(`${r.node}: done, and its change verifies on the node: skipped`);
        } else {
          startOver();
          notes.push(`${r.node}: recorded as done but ${verified}: rolled again`);
        }
      } else if (r.lb === 'up' || r.lb === null) {
        startOver();
        notes.push(`${r.node}: interrupted while still running (back in the load balancer): starts over`);
      } else {
        notes.push(
          `${r.node}: interrupted at ${r.lastStep} (${r.lastStepStatus}): continues from the first step not done`,
        );
      }
    }
  } finally {
    await pool.closeAll();
  }
  return { plan, dir: run.dir, meta: run.meta, state: { done, doneNodes, untouchedNodes: untouched }, notes };
}

/** Runs the node's verify steps (read-only): null when they all pass, else why not. */
async function verifyNode(plan: Plan, node: string, pool: TransportPool): Promise<string | null> {
  const planNode = plan.nodes.find((n) => n.name === node);
  const steps =
    plan.batches
      .flatMap((b) => b.nodePlans)
      .find((p) => p.node === node)
      ?.steps.filter((s) => s.action === 'verify') ?? [];
  if (!planNode) return 'the node is not in the plan';
  for (const s of steps) {
    // The verify step as planned (its command, deadline and sudo), through the one step runner.
    const r = await runRemote({
      kind: 'command',
      transport: pool.forNode(planNode),
      command: s.command,
      what: s.title,
      options: { timeoutMs: s.timeoutSec * 1000, become: s.become },
    });
    if (r.exitCode === null && !r.timedOut && !r.aborted) return `it cannot be checked (${r.stderr.trim()})`;
    if (r.exitCode !== 0) return `"${s.title}" fails now`;
  }
  return null;
}

/**
 * Secret values the interrupted run read from its Ansible inventory (vault values, a sudo password)
 * are not in the environment nor in the record: they are read again from the playbook's inventory.
 * Returns the environment to resume with (unchanged when nothing is missing or it cannot be read).
 */
export async function withInventorySecrets(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Readonly<Record<string, string | undefined>>> {
  const plan = readPlan(dir);
  if (!plan.secrets.some((name) => name.startsWith('LRROLL_INVENTORY_') && env[name] === undefined)) return env;
  const outcome = await planPlaybook(plan.source.file, { vars: {}, limit: null, env }).catch(() => undefined);
  return { ...env, ...(outcome?.inventorySecrets ?? {}) };
}
