import type { NodeStatus, RunEvent, RunStatus, StepStatus } from '../../execute/events.js';
import type { HookPoint, Plan } from '../../plan/types.js';

/**
 * The run report (`lrroll report --format json`, `--report FILE.json`), described by
 * schemas/report.schema.json. `major.minor`: a minor bump only adds fields; anything else is a
 * major bump. REPORT_FORMAT_VERSION must be bumped on any change to these types (and the schema).
 */
export const REPORT_FORMAT_VERSION = '2.2';

/** A run's record as the report reads it: the journal's meta.json, plan.json and events.ndjson. */
export interface RunRecordInput {
  meta: {
    runId: string;
    planHash: string;
    name: string;
    playbook: string;
    gitCommit: string | null;
    gitDirty: boolean;
    user: string;
    host: string;
    startedAt: string;
    status: RunStatus | 'running';
    endedAt: string | null;
  };
  plan: Plan;
  events: readonly RunEvent[];
}

/** The plan's verdict in one word: `refused` is a rolling strategy for a change that cannot roll. */
export type VerdictLevel = 'rolling' | 'rolling-with-warning' | 'full-restart' | 'refused';

/** How the run ended; `running` while it runs, or when the record ends without its end (a crash). */
export type RunOutcome = RunStatus | 'running';

/** A node's result; `unfinished` when the record stops in the middle of its steps. */
export type NodeOutcome = NodeStatus | 'unfinished';

/**
 * A step's result in the record; `unfinished` when it started but never ended, `not-run` when planned but never
 * started.
 */
export type StepResult = StepStatus | 'unfinished' | 'not-run';

/** Which part of a node's maintenance a step belongs to: one colour per part in the timeline. */
export type SegmentKind =
  'preflight' | 'drain' | 'stop' | 'apply' | 'start' | 'gate' | 'rotation' | 'rollback' | 'other';

/** The short form of a run: the webhook body of `body: report`, and the head of the report. */
export interface ReportSummary {
  formatVersion: string;
  runId: string;
  name: string;
  playbook: string;
  planHash: string;
  verdict: VerdictLevel;
  strategy: 'rolling' | 'full';
  gitCommit: string | null;
  gitDirty: boolean;
  user: string;
  host: string;
  startedAt: string;
  endedAt: string | null;
  durationMs: number;
  outcome: RunOutcome;
  /** Why it failed, halted or was refused, or null. */
  reason: string | null;
  nodes: {
    total: number;
    ok: number;
    failed: number;
    rolledBack: number;
    skipped: number;
    unfinished: number;
    inRotation: number;
    updated: number;
  };
  /** The longest time one node spent out of rotation, or null when none was taken out. */
  maxOutOfRotationMs: number | null;
  /** One sentence for a chat message or an annotation. */
  text: string;
  /** Tags for an annotation: `lrroll`, the outcome, the plan's name. */
  tags: string[];
  /** Start and end in epoch milliseconds: the field names Grafana's annotation API reads. */
  time: number;
  timeEnd: number;
}

/** One step on a node's lane. */
interface Segment {
  stepId: string;
  action: string;
  kind: SegmentKind;
  title: string;
  startedAt: string;
  endedAt: string;
  status: Exclude<StepResult, 'not-run'>;
  durationMs: number;
}

/** One health gate of a node (or the load balancer reporting the member UP). */
export interface GateResult {
  stepId: string;
  /** Short name: `startup log`, `HTTP`, `cluster view`, `modules`, `OSGi components`, `LB UP`. */
  gate: string;
  title: string;
  status: StepResult;
  durationMs: number | null;
  detail: string | null;
}

/** A node in the report: its outcome, its lane and its gates. */
export interface ReportNode {
  node: string;
  batch: number | null;
  outcome: NodeOutcome;
  /** In rotation at the end; null when the run never read it (a node no batch reached, unchecked by preflight). */
  inRotation: boolean | null;
  updated: boolean;
  /** Total time out of rotation (drain to UP; stop to healthy without a load balancer), or null. */
  outOfRotationMs: number | null;
  /** Each time out of rotation; `to` is null when it never came back in the record. */
  outOfRotation: Array<{ from: string; to: string | null }>;
  /** From the node's first step in its batch to its last (preflight not counted). */
  durationMs: number;
  failedStep: string | null;
  state: string;
  segments: Segment[];
  gates: GateResult[];
}

/** A failed step, with the last lines it wrote and the node's forensics. */
export interface ReportFailure {
  node: string | null;
  stepId: string;
  title: string;
  at: string;
  detail: string | null;
  exitCode: number | null;
  /** Stable code of the failure (E_CONNECT, E_TIMEOUT …), or null in an older record. */
  code: string | null;
  /** What to do about the failure, or null. */
  hint: string | null;
  /** The last output lines of the step. */
  output: string[];
  /** The node's forensics (log tail, thread dump, patch and module state) when a rollback collected them. */
  forensics: string[];
}

/** A hook of the plan and what it did. */
export interface ReportHook {
  stepId: string;
  point: HookPoint;
  title: string;
  node: string | null;
  status: StepResult;
  durationMs: number | null;
  detail: string | null;
}

/** The whole report. */
export interface Report {
  formatVersion: string;
  /** `lrroll <version>`. */
  generator: string;
  summary: ReportSummary;
  plan: {
    hash: string;
    minHealthy: number;
    maxFailures: number;
    onFailure: 'halt' | 'rollback';
    loadBalancer: string;
    expectedSec: number;
    /**
     * Each change's verdict: `level` is its three-level verdict (`eligible`: it is not `full-restart`); `advice` are
     * generic reminders, apart from warnings; `override` the playbook's recorded decision, when one was applied.
     */
    changes: Array<{
      summary: string;
      eligible: boolean;
      level: 'rolling' | 'rolling-with-warning' | 'full-restart';
      row: string;
      reasons: string[];
      warnings: string[];
      advice: string[];
      override: { verdict: string; was: string; reason: string; ticket: string | null } | null;
    }>;
    /** Node facts that differ between nodes, as the plan reported them. */
    differences: string[];
  };
  /** What users notice (from the plan). */
  impact: string[];
  nodes: ReportNode[];
  /** Nodes in rotation over time, one point per change. */
  capacity: Array<{ at: string; inRotation: number }>;
  lbChanges: Array<{ at: string; node: string; member: string; state: 'draining' | 'out' | 'enabled' | 'up' }>;
  failures: ReportFailure[];
  hooks: ReportHook[];
  /** Each start of the run: the first, then one per `lrroll resume`. */
  attempts: Array<{ startedAt: string; endedAt: string | null; outcome: RunOutcome }>;
}
