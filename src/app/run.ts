import { dirname, resolve } from 'node:path';
import type { Clock, ExecutorDeps, ResumeState } from '../execute/context.js';
import { EVENTS_FORMAT_VERSION, type Emit, type EventInput, type RunEvent, type RunStatus } from '../execute/events.js';
import { runPlan, type RunReport } from '../execute/executor.js';
import { maskingEmit, secretMask } from '../execute/secrets.js';
import type { Plan } from '../plan/types.js';
import {
  acquireClusterLock,
  lockAdvice,
  refreshClusterLock,
  releaseClusterLock,
  type ClusterLock,
} from './cluster-lock.js';
import { newRunId, planLbDriver, planSecrets, sshSettings, systemClock, TransportPool } from './execute.js';
import { Journal } from './journal.js';
import { isRunLive } from './liveness.js';
import { describeHolder, makeOwner } from './lock.js';
import { findLeftOut, reconcile, type LeftOut } from './reconcile.js';
import { nodesAtRefusal, refusedRun } from './refuse.js';
import { summaryJsonAt } from './report.js';
import type { SshFiles } from './ssh-files.js';

// The one composition root of a run: the record, the transports, the load-balancer driver, the
// cluster lock, the reconcile and the executor are wired here. The command line only parses flags,
// handles signals and the terminal, and renders the events it is handed.

/** What a run needs from the command line. */
interface RunOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Every event, stamped and recorded, for the views. */
  onEvent(event: RunEvent): void;
  /** Hard abort (second Ctrl-C). */
  signal: AbortSignal;
  /** Graceful stop (first Ctrl-C). */
  stop: AbortSignal;
  /** Continuing an interrupted run (lrroll resume): what it already did, its record and its id. */
  resume: { state: ResumeState; dir: string; runId: string } | null;
  confirm(question: string): Promise<boolean>;
  acceptNewHostKeys: boolean;
  /** How long to wait for another operator's run lock to be released. */
  lockWaitSec: number;
  /** A note stored with the lock (why this run). */
  lockMessage: string;
  /** This process's id, recorded in the lock and the record. */
  pid: number;
  /** The SSH config and known_hosts files chosen on the command line or in the playbook. */
  sshFiles?: SshFiles;
  /** The clock every event and record time comes from (the system's by default). */
  clock?: Clock;
}

/** A run whose record is open: `execute` runs it (once) and closes the record. */
interface OpenRun {
  runId: string;
  recordDir: string;
  execute(): Promise<RunStatus>;
}

/** Opens the record of a run (a new one, or the interrupted run being resumed) and returns how to execute it. */
export function openRun(plan: Plan, options: RunOptions): OpenRun {
  const clock = options.clock ?? systemClock;
  const runId = options.resume?.runId ?? newRunId(clock);
  const journal = options.resume
    ? Journal.open(options.resume.dir, options.pid)
    : Journal.create(options.env, plan, runId, clock.iso());
  const emit: Emit = (e: EventInput) => {
    const event = { ...e, v: EVENTS_FORMAT_VERSION, at: clock.iso() } as RunEvent;
    journal.record(event);
    options.onEvent(event);
  };
  return {
    runId,
    recordDir: journal.dir,
    async execute() {
      try {
        return (
          await executePlan(plan, runId, { ...options, clock, emit, reportSummary: () => summaryJsonAt(journal.dir) })
        ).status;
      } finally {
        journal.close();
      }
    },
  };
}

interface ExecuteOptions extends RunOptions {
  clock: Clock;
  emit: Emit;
  reportSummary(): string;
}

/**
 * Runs a plan for real: takes the cluster lock, reconciles, then hands transports, the LB driver, secrets and the clock
 * to the executor.
 */
async function executePlan(plan: Plan, runId: string, options: ExecuteOptions): Promise<RunReport> {
  const pool = new TransportPool(sshSettings(options.env, options.acceptNewHostKeys, options.sshFiles), options.env);
  const lbTransport = pool.forLb(plan);
  const secrets = planSecrets(plan, options.env);
  const lb = planLbDriver(plan, pool, secrets);
  // Every text this run emits, before and inside the executor, is masked the same way.
  const emit = maskingEmit(options.emit, secretMask(Object.values(secrets)));
  // A run whose lock was broken or taken stops like on Ctrl-C: two runs never go on together.
  const lockLost = new AbortController();
  const deps: ExecutorDeps = {
    transportFor: (n) => pool.forNode(n),
    local: pool.local,
    lbTransport,
    lb,
    clock: options.clock,
    signal: options.signal,
    stop: AbortSignal.any([options.stop, lockLost.signal]),
    resume: options.resume?.state ?? null,
    emit,
    secrets,
    baseDir: resolve(dirname(plan.source.file)),
    confirm: options.confirm,
    fetch: globalThis.fetch,
    runId,
    reportSummary: options.reportSummary,
  };
  const leftOut = (): LeftOut[] => findLeftOut(plan, options.env).filter((l) => !(options.resume && l.runId === runId));
  const refuse = async (reason: string, status: 'refused' | 'aborted' = 'refused'): Promise<RunReport> =>
    refusedRun(
      plan,
      runId,
      emit,
      reason,
      await nodesAtRefusal(plan, leftOut(), { driver: lb, transport: lbTransport, secrets }),
      status,
    );
  const stopped = (): boolean => options.stop.aborted || options.signal.aborted;
  try {
    const owner = makeOwner(plan, runId, options.env, options.lockMessage, options.pid, options.clock.iso());
    let lock;
    try {
      lock = await acquireClusterLock(plan, owner, options.lockWaitSec, {
        transportFor: (n) => pool.forNode(n),
        clock: options.clock,
        signal: AbortSignal.any([options.signal, options.stop]),
        isLive: isRunLive,
        emit,
      });
    } catch (err) {
      return await refuse(`cannot take the cluster's run lock: ${(err as Error).message}; nothing was changed`);
    }
    if ('nodes' in lock && stopped()) await release(lock, runId, emit);
    if (stopped())
      return await refuse('interrupted while waiting for the cluster lock: nothing was changed', 'aborted');
    if (!('nodes' in lock)) {
      const live = lock.held.owner ? isRunLive(lock.held.owner) : null;
      return await refuse(
        `another run holds the cluster's lock (on ${lock.node}): ${describeHolder(lock.held)}` +
          `. Nothing was changed by this run; ${lockAdvice(lock.held, live, plan.source.file)}`,
      );
    }
    const held = lock;
    const heartbeat = setInterval(() => {
      void refreshClusterLock(held, runId).then((lost) => {
        if (lockLost.signal.aborted) return;
        const refreshed = held.nodes.map((l) => l.steps.refresh.id);
        const nodes = held.nodes.map((l) => l.steps.node);
        if (!lost)
          return emit({
            kind: 'lock',
            state: 'refreshed',
            nodes,
            stepId: null,
            stepIds: refreshed,
            holder: runId,
            text: `refreshed the cluster's run lock on ${nodes.join(', ')}`,
          });
        emit({
          kind: 'lock',
          state: 'lost',
          nodes: [lost.node],
          stepId: `cluster/lock/${lost.node}/lock-refresh`,
          stepIds: refreshed,
          holder: lost.holder,
          text: `WARNING: ${lost.text}: this run stops now, like on Ctrl-C`,
        });
        lockLost.abort(lost.text);
      });
    }, plan.cluster.lock.refreshSec * 1000);
    try {
      // Read the records again now that this run holds the lock: a run live before may have ended.
      for (const r of await reconcile(plan, leftOut(), {
        transportFor: (n) => pool.forNode(n),
        lbTransport,
        lb,
        secrets,
        clock: options.clock,
        signal: options.signal,
      })) {
        emit({
          kind: 'reconcile',
          node: r.node,
          runId: r.runId,
          result: r.action,
          stepId: r.stepId,
          stepIds: r.stepIds,
          text: `${r.action === 'put-back' ? 'reconciled' : 'WARNING'}: ${r.node} ${r.detail}`,
        });
      }
      return await runPlan(plan, deps);
    } finally {
      clearInterval(heartbeat);
      await release(held, runId, emit);
    }
  } finally {
    await lb?.close().catch(() => undefined);
    await pool.closeAll();
  }
}

async function release(lock: ClusterLock, runId: string, emit: Emit): Promise<void> {
  await releaseClusterLock(lock, runId);
  const nodes = lock.nodes.map((l) => l.steps.node);
  emit({
    kind: 'lock',
    state: 'released',
    nodes,
    stepId: null,
    stepIds: lock.nodes.map((l) => l.steps.release.id),
    holder: runId,
    text: `released the cluster's run lock on ${nodes.join(', ')}`,
  });
}
