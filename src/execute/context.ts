import type { Plan, PlanNode } from '../plan/types.js';
import type { Emit, NodeStatus, NodeSummary } from './events.js';
import type { LbDriver } from './lb/driver.js';
import type { Transport } from './transport.js';

/** Time, injected so tests can run fast and deterministic. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** The current time as ISO 8601: what every event's `at` and every record's times carry. */
  iso(): string;
  /** Waits, resolving early (without throwing) when the signal aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Everything the executor touches, passed in (I/O at the edges). */
export interface ExecutorDeps {
  /** The transport to a node (one per node, reused for all its steps). */
  transportFor(node: PlanNode): Transport;
  /** Where `local` hooks and commands run. */
  local: Transport;
  /** The LB host for `via` / command load balancers (or the local transport). */
  lbTransport: Transport;
  /** The load balancer driver (null for `none` and `command`, whose steps carry commands). */
  lb: LbDriver | null;
  clock: Clock;
  /** Hard abort (a second Ctrl-C): commands in flight are killed. */
  signal: AbortSignal;
  /** Graceful stop (the first Ctrl-C): waits end, commands in flight finish, nothing new starts. */
  stop: AbortSignal;
  /** Continuing an interrupted run: what is already done. Null for a new run. */
  resume: ResumeState | null;
  emit: Emit;
  /** Values of the secrets the plan names, from the environment. */
  secrets: Readonly<Record<string, string>>;
  /** Folder that upload `localPath`s are relative to (the playbook's folder). */
  baseDir: string;
  /** Asks the operator; `--yes` answers yes. */
  confirm(question: string): Promise<boolean>;
  /** HTTP for webhooks. */
  fetch: typeof fetch;
  /** The run's JSON report summary so far, the body of a `body: report` webhook (built from the run's record). */
  reportSummary(): string;
  runId: string;
}

/** What an interrupted run already did, from its record. */
export interface ResumeState {
  /** Steps that ended ok and are not run again. */
  done: ReadonlySet<string>;
  /** Nodes that finished (and whose change was verified again): their steps are all skipped. */
  doneNodes: ReadonlySet<string>;
  /** Nodes that had not started: they get the full preflight. */
  untouchedNodes: ReadonlySet<string>;
}

/** What the executor knows about a node while it runs. */
export interface NodeState {
  name: string;
  status: NodeStatus;
  inRotation: boolean;
  stopped: boolean;
  /**
   * The app server was started and its health gates have not all passed yet: it must not go back into the load
   * balancer.
   */
  starting: boolean;
  updated: boolean;
  drainedAt: number | null;
  outOfRotationMs: number | null;
  startedAt: number | null;
  endedAt: number | null;
  failedStep: string | null;
  /** Byte offsets of the logs recorded just before the last start. */
  logOffsets: Map<string, number>;
  /** The member's state as last read from the load balancer (e.g. `UP`, `MAINT`), or null when never read. */
  lbSeen: string | null;
  /** What the health probe last found (e.g. `answering HTTP 302`), or null when never probed. */
  appSeen: string | null;
}

/** The run's mutable state, shared by the step handlers. */
export interface RunState {
  plan: Plan;
  deps: ExecutorDeps;
  /** Ends waits and polls: aborted by either a graceful stop or a hard abort. */
  waitSignal: AbortSignal;
  nodes: Map<string, NodeState>;
  failures: number;
}

/** True once Ctrl-C asked to stop (gracefully or not). */
export const stopping = (run: RunState): boolean => run.waitSignal.aborted;

/** A fresh state for every node of the plan (all in rotation, running, not updated). */
export function initialNodeStates(plan: Plan): Map<string, NodeState> {
  return new Map(
    plan.nodes.map((n) => [
      n.name,
      {
        name: n.name,
        status: 'skipped',
        inRotation: true,
        stopped: false,
        starting: false,
        updated: false,
        drainedAt: null,
        outOfRotationMs: null,
        startedAt: null,
        endedAt: null,
        failedStep: null,
        logOffsets: new Map(),
        lbSeen: null,
        appSeen: null,
      } satisfies NodeState,
    ]),
  );
}

/**
 * The end-of-run summary of a node: result, where it stands, timings. A node lrroll never worked on
 * is described by what preflight read (or "not checked"), never by what lrroll assumes of it.
 */
export function summarize(s: NodeState, hasLb: boolean): NodeSummary {
  if (s.startedAt === null && s.status === 'skipped') return untouchedSummary(s, hasLb);
  const parts = [
    s.stopped
      ? 'app server stopped'
      : s.starting
        ? 'app server started but its health gates did not pass (kept out)'
        : 'app server running',
    hasLb ? (s.inRotation ? 'in the load balancer' : 'OUT of the load balancer') : 'no load balancer',
    s.updated ? 'updated' : 'not updated',
  ];
  return {
    node: s.name,
    status: s.status,
    inRotation: hasLb ? s.inRotation : !s.stopped,
    updated: s.updated,
    outOfRotationMs: s.outOfRotationMs,
    durationMs: s.startedAt !== null && s.endedAt !== null ? s.endedAt - s.startedAt : 0,
    failedStep: s.failedStep,
    state: parts.join(', '),
  };
}

/** A node no batch reached: only what was read of it (in preflight) is stated. */
function untouchedSummary(s: NodeState, hasLb: boolean): NodeSummary {
  const lbUp = s.lbSeen === null ? null : /^UP\b/.test(s.lbSeen);
  const app = s.appSeen === null ? 'app server not checked' : `app server ${s.appSeen}`;
  const lb = !hasLb
    ? 'no load balancer'
    : s.lbSeen === null
      ? 'load balancer state not read'
      : lbUp
        ? `in the load balancer (${s.lbSeen})`
        : `OUT of the load balancer (${s.lbSeen})`;
  return {
    node: s.name,
    status: s.status,
    inRotation: hasLb ? lbUp : s.appSeen === null ? null : s.appSeen.startsWith('answering'),
    updated: s.updated,
    outOfRotationMs: null,
    durationMs: 0,
    failedStep: s.failedStep,
    state: [app, lb, 'untouched'].join(', '),
  };
}
