/**
 * The events a run emits: the one stream every renderer (listr2, plain lines, NDJSON) and the
 * journal consume. The executor prints nothing itself.
 * EVENTS_FORMAT_VERSION must be bumped on any change to these types (and schemas/events.schema.json).
 */
import type { Plan, VerdictLevel } from '../plan/types.js';
export const EVENTS_FORMAT_VERSION = 3;

/** Result of a step. */
export type StepStatus = 'ok' | 'failed' | 'skipped';

/** Result of a node in the run. */
export type NodeStatus = 'ok' | 'failed' | 'skipped' | 'rolled-back';

/** How the run ended. */
export type RunStatus = 'ok' | 'failed' | 'halted' | 'refused' | 'aborted';

/** Parts of a run outside the batches. */
export type RunPhase = 'preflight' | 'before-run' | 'finally' | 'on-failure';

/** Where a node stands at the end of the run. */
export interface NodeSummary {
  node: string;
  status: NodeStatus;
  /**
   * True when the node is in the load balancer at the end (or there is no load balancer and it runs); null when the run
   * never read it.
   */
  inRotation: boolean | null;
  /** True when the change was applied and verified. */
  updated: boolean;
  /** Milliseconds the node spent out of the load balancer (drain to UP), or null when never drained. */
  outOfRotationMs: number | null;
  /** Milliseconds from the node's first step to its last. */
  durationMs: number;
  /** The step that failed, or null. */
  failedStep: string | null;
  /** One sentence on the node's state, e.g. "stopped, out of the load balancer". */
  state: string;
}

interface Base {
  /** Format version of the event stream. */
  v: typeof EVENTS_FORMAT_VERSION;
  /** ISO 8601 time from the injected clock. */
  at: string;
}

/** The run starts executing a plan. */
export interface RunStartEvent extends Base {
  kind: 'run-start';
  runId: string;
  planHash: string;
  name: string;
  nodes: string[];
  batches: Array<{ index: number; nodes: string[] }>;
  /** Expected duration from the plan's estimate, for the ETA. */
  expectedSec: number;
  /** The plan's verdict: `rolling`, `rolling-with-warning` or `full-restart`. */
  verdict: VerdictLevel;
  /** The overrides the playbook applied to verdicts, each with its reason (empty when none). */
  overrides: Array<{
    change: number;
    verdict: 'rolling' | 'rolling-with-warning';
    was: VerdictLevel;
    reason: string;
    ticket: string | null;
  }>;
}
/** A run-level phase starts. */
interface PhaseStartEvent extends Base {
  kind: 'phase-start';
  phase: RunPhase;
}
/** A run-level phase ends. */
interface PhaseEndEvent extends Base {
  kind: 'phase-end';
  phase: RunPhase;
  status: StepStatus;
}
/** A batch starts. */
interface BatchStartEvent extends Base {
  kind: 'batch-start';
  batch: number;
  nodes: string[];
}
/** A node of a batch starts its steps. */
interface NodeStartEvent extends Base {
  kind: 'node-start';
  batch: number;
  node: string;
}
/** A step starts. */
export interface StepStartEvent extends Base {
  kind: 'step-start';
  stepId: string;
  action: string;
  title: string;
  node: string | null;
  batch: number | null;
  /** The command being run (secret values never appear: only references). */
  command: string | null;
}
/** A line of a step's output (or of a wait's progress). */
export interface StepOutputEvent extends Base {
  kind: 'step-output';
  stepId: string;
  node: string | null;
  stream: 'stdout' | 'stderr' | 'progress';
  line: string;
}
/** A step ends. */
export interface StepEndEvent extends Base {
  kind: 'step-end';
  stepId: string;
  node: string | null;
  status: StepStatus;
  durationMs: number;
  /** Exit code of the command, or null. */
  exitCode: number | null;
  /** Why it failed or was skipped, in one sentence, or null. */
  detail: string | null;
  /** Stable code of a failure (E_CONNECT, E_AUTH, E_TIMEOUT, E_STEP_FAILED …), or null. */
  code: string | null;
  /** What to do about a failure, or null. */
  hint: string | null;
}
/** The load balancer state of a node changed (drained, disabled, enabled, UP). */
export interface LbStateEvent extends Base {
  kind: 'lb-state';
  node: string;
  member: string;
  state: 'draining' | 'out' | 'enabled' | 'up';
}
/** A node ends its steps. */
interface NodeEndEvent extends Base {
  kind: 'node-end';
  batch: number;
  node: string;
  status: NodeStatus;
  durationMs: number;
  outOfRotationMs: number | null;
}
/** A batch ends. */
interface BatchEndEvent extends Base {
  kind: 'batch-end';
  batch: number;
  status: StepStatus;
}
/** The run ends, with every node's state. */
export interface RunEndEvent extends Base {
  kind: 'run-end';
  status: RunStatus;
  durationMs: number;
  nodes: NodeSummary[];
  /** Why it failed, halted or was refused, or null. */
  reason: string | null;
}

/**
 * What happened to the cluster's run lock: taken (on `nodes`), waiting for another run (`--lock-wait`), taken over from
 * the interrupted run being resumed, a node skipped (unreachable, not changed by this run), refreshed (every refresh
 * interval, still this run's), lost (broken or taken by another run), released, or held (read by `lrroll status`).
 */
interface LockEvent extends Base {
  kind: 'lock';
  state: 'taken' | 'waiting' | 'taken-over' | 'skipped' | 'refreshed' | 'lost' | 'released' | 'held';
  /** The nodes it concerns, in lock order. */
  nodes: string[];
  /** The plan step (`cluster/lock/<node>/<action>`) whose remote action found it, or null. */
  stepId: string | null;
  /**
   * Every plan step whose remote actions this event reports (taken: each node's take; released: each release;
   * refreshed: each refresh), so the stream names the step of every remote action.
   */
  stepIds: string[];
  /** The run that holds the lock when another does (waiting, lost, held), else null. */
  holder: string | null;
  /** What the operator is told, as the text views print it. */
  text: string;
}
/**
 * A node an earlier run left out of the load balancer: put back (healthy), left out (and why), or pending (`lrroll
 * status`: the next run puts it back once healthy).
 */
interface ReconcileEvent extends Base {
  kind: 'reconcile';
  node: string;
  /** The run that left it out. */
  runId: string;
  result: 'put-back' | 'left-out' | 'pending';
  /** The plan step (`cluster/reconcile/<node>/<action>`) whose result decided it, or null. */
  stepId: string | null;
  /** Every plan step the reconcile of this node ran (its reads, the put-back, the wait for UP), in order. */
  stepIds: string[];
  /** What the operator is told, as the text views print it. */
  text: string;
}
/** `lrroll status`: what one node and its load-balancer member show (read-only). */
interface NodeStatusEvent extends Base {
  kind: 'node-status';
  row: NodeStatusRow;
}

/** What `lrroll status` reports about one node (read-only). */
export interface NodeStatusRow {
  node: string;
  host: string;
  reachable: boolean;
  /** `running`, `stopped`, or `?` when it could not be told. */
  app: string;
  /** The HTTP probe's answer, e.g. `200`, or `-`. */
  http: string;
  /** Installed patches from the Patching Tool, or `-`. */
  patches: string;
  member: string;
  /** The load balancer's word for the member, or `-` (several instances: each named). */
  lbState: string;
  /** The member's state in each load-balancer instance (one entry for a single load balancer). */
  lbStates: Array<{ instance: string; state: string }>;
  /** In rotation: UP in every instance. */
  lbUp: boolean;
  sessions: string;
  /** Why something could not be read. */
  problem: string | null;
  /** Why the load balancer could not be read (the same for every row), or null. */
  lbError: string | null;
}

/** Every event: a closed union on `kind`. */
export type RunEvent =
  | RunStartEvent
  | PhaseStartEvent
  | PhaseEndEvent
  | BatchStartEvent
  | NodeStartEvent
  | StepStartEvent
  | StepOutputEvent
  | StepEndEvent
  | LbStateEvent
  | NodeEndEvent
  | BatchEndEvent
  | RunEndEvent
  | LockEvent
  | ReconcileEvent
  | NodeStatusEvent;

/** The kinds of event. */
export type RunEventKind = RunEvent['kind'];

/** Distributes Omit over the union so each variant keeps its own fields. */
export type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'v' | 'at'> : never) : never;

/** Receives events. */
export type Emit = (event: EventInput) => void;

/**
 * The run-start event of a plan: its verdict and overrides travel with it, so every renderer and the record see them.
 */
export function runStartOf(plan: Plan, runId: string): Omit<RunStartEvent, 'v' | 'at'> {
  return {
    kind: 'run-start',
    runId,
    planHash: plan.hash,
    name: plan.name,
    nodes: plan.nodes.map((n) => n.name),
    batches: plan.batches.map((b) => ({ index: b.index, nodes: b.nodes })),
    expectedSec: plan.estimate.expectedSec,
    // A plan recorded before the three-level verdict (format 1) has `eligible` instead.
    verdict:
      plan.verdict.level ?? ((plan.verdict as { eligible?: boolean }).eligible === false ? 'full-restart' : 'rolling'),
    overrides: plan.verdict.changes.flatMap((c) =>
      c.override
        ? [
            {
              change: c.index,
              verdict: c.override.verdict,
              was: c.override.was,
              reason: c.override.reason,
              ticket: c.override.ticket,
            },
          ]
        : [],
    ),
  };
}
