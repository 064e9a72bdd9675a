import type { RunEvent, StepStatus } from '../../execute/events.js';
import type { HookStep, Plan, Step, StepAction } from '../../plan/types.js';
import type { GateResult, ReportFailure, ReportHook, SegmentKind, StepResult } from './types.js';

/** One run of a step, paired from its step-start and step-end events. */
export interface Execution {
  stepId: string;
  action: string;
  title: string;
  node: string | null;
  batch: number | null;
  startMs: number;
  /** Null when the record ends before the step did. */
  endMs: number | null;
  status: StepStatus | 'unfinished';
  detail: string | null;
  exitCode: number | null;
  code: string | null;
  hint: string | null;
  /** Its output lines (the last MAX_LINES). */
  output: string[];
}

/** Output lines kept per step: enough for a thread dump's top and a log tail. */
const MAX_LINES = 400;
/** Lines of a failed step's output shown with the failure. */
const FAILURE_TAIL = 30;

const KINDS: Record<StepAction, SegmentKind> = {
  'check-sudo': 'preflight',
  'check-tools': 'preflight',
  'check-reachable': 'preflight',
  'check-node-healthy': 'preflight',
  'check-lb-member': 'preflight',
  'check-service': 'preflight',
  'check-disk': 'preflight',
  upload: 'preflight',
  'check-schema-version': 'preflight',
  'check-patch-level': 'preflight',
  'check-java-version': 'preflight',
  'check-release': 'preflight',
  'lb-drain': 'drain',
  'lb-wait-drained': 'drain',
  'service-stop': 'stop',
  backup: 'apply',
  apply: 'apply',
  verify: 'apply',
  'service-start': 'start',
  'wait-log-marker': 'gate',
  'wait-http': 'gate',
  'wait-cluster': 'gate',
  'wait-modules': 'gate',
  'wait-osgi': 'gate',
  settle: 'gate',
  warmup: 'gate',
  'lb-enable': 'rotation',
  'lb-health-up': 'rotation',
  'lb-wait-up': 'rotation',
  forensics: 'rollback',
  restore: 'rollback',
  revert: 'rollback',
  'check-capacity': 'other',
  hook: 'other',
  bake: 'other',
  confirm: 'other',
  'cache-clear': 'other',
  prune: 'other',
  'consistency-check': 'other',
};

/** The gates a node must pass to count as back, with their short names (the JUnit and Markdown columns). */
const GATES: Partial<Record<StepAction, string>> = {
  'wait-log-marker': 'startup log',
  'wait-http': 'HTTP',
  'wait-cluster': 'cluster view',
  'wait-modules': 'modules',
  'wait-osgi': 'OSGi components',
  'lb-wait-up': 'LB UP',
};

/** The timeline colour group of a step action. */
export function segmentKind(action: string): SegmentKind {
  return KINDS[action as StepAction] ?? 'other';
}

/** Pairs step-start/step-end events (a resumed run may run the same step again) and attaches output lines. */
export function pairSteps(events: readonly RunEvent[]): Execution[] {
  const out: Execution[] = [];
  const open = new Map<string, Execution>();
  for (const e of events) {
    if (e.kind === 'step-start') {
      const x: Execution = {
        stepId: e.stepId,
        action: e.action,
        title: e.title,
        node: e.node,
        batch: e.batch,
        startMs: Date.parse(e.at),
        endMs: null,
        status: 'unfinished',
        detail: null,
        exitCode: null,
        code: null,
        hint: null,
        output: [],
      };
      open.set(e.stepId, x);
      out.push(x);
    } else if (e.kind === 'step-output') {
      const x = open.get(e.stepId);
      if (x && e.stream !== 'progress') x.output.push(e.line);
      if (x && x.output.length > MAX_LINES) x.output.shift();
    } else if (e.kind === 'step-end') {
      const x = open.get(e.stepId);
      if (!x) continue;
      Object.assign(x, {
        endMs: Date.parse(e.at),
        status: e.status,
        detail: e.detail,
        exitCode: e.exitCode,
        code: e.code ?? null,
        hint: e.hint ?? null,
      });
      open.delete(e.stepId);
    }
  }
  return out;
}

/** Every step of the plan by id, with the hook points of hook steps. */
export function planSteps(plan: Plan): Map<string, Step> {
  const all: Step[] = [...plan.preflight, ...plan.beforeRun, ...plan.finally, ...plan.onFailure];
  for (const b of plan.batches)
    all.push(...b.before, ...b.after, ...b.nodePlans.flatMap((np) => [...np.steps, ...np.rollback]));
  return new Map(all.map((s) => [s.id, s]));
}

/** The last run of a step id (a `#recover` re-run counts as its own id). */
function lastOf(executions: readonly Execution[], stepId: string): Execution | undefined {
  for (let i = executions.length - 1; i >= 0; i--) if (executions[i]?.stepId === stepId) return executions[i];
  return undefined;
}

function resultOf(x: Execution | undefined): { status: StepResult; durationMs: number | null; detail: string | null } {
  if (!x) return { status: 'not-run', durationMs: null, detail: null };
  return { status: x.status, durationMs: x.endMs === null ? null : x.endMs - x.startMs, detail: x.detail };
}

/** A node's planned gates and what each did (its last run), `not-run` when never reached. */
export function gatesOf(plan: Plan, node: string, executions: readonly Execution[]): GateResult[] {
  const steps = plan.batches.flatMap((b) => b.nodePlans).find((np) => np.node === node)?.steps ?? [];
  return steps.flatMap((s) => {
    const gate = GATES[s.action];
    return gate ? [{ stepId: s.id, gate, title: s.title, ...resultOf(lastOf(executions, s.id)) }] : [];
  });
}

/** Every hook of the plan and what it did; a hook that never ran (e.g. onFailure after a good run) is `not-run`. */
export function hooksOf(steps: ReadonlyMap<string, Step>, executions: readonly Execution[]): ReportHook[] {
  const hooks = [...steps.values()].filter((s): s is HookStep => s.action === 'hook');
  return hooks.map((h) => ({
    stepId: h.id,
    point: h.point,
    title: h.title,
    node: h.node,
    ...resultOf(lastOf(executions, h.id)),
  }));
}

/** Failed steps with their last output lines, and the forensics a rollback collected on that node afterwards. */
export function failuresOf(executions: readonly Execution[]): ReportFailure[] {
  return executions
    .filter((x) => x.status === 'failed' && x.action !== 'forensics')
    .map((x) => {
      const forensics = executions.filter(
        (f) => f.action === 'forensics' && f.node !== null && f.node === x.node && f.startMs >= (x.endMs ?? x.startMs),
      );
      return {
        node: x.node,
        stepId: x.stepId,
        title: x.title,
        at: new Date(x.endMs ?? x.startMs).toISOString(),
        detail: x.detail,
        exitCode: x.exitCode,
        code: x.code,
        hint: x.hint,
        output: x.output.slice(-FAILURE_TAIL),
        forensics: forensics[0]?.output ?? [],
      };
    });
}
