import type { NodeSummary, RunEndEvent, RunEvent } from '../../execute/events.js';
import type { Plan, VerdictLevel as PlanVerdictLevel } from '../../plan/types.js';
import { formatMs } from '../summary.js';
import { capacityLine, outIntervals, type OutInterval } from './rotation.js';
import { failuresOf, gatesOf, hooksOf, pairSteps, planSteps, segmentKind, type Execution } from './steps.js';
import {
  REPORT_FORMAT_VERSION,
  type NodeOutcome,
  type Report,
  type ReportNode,
  type ReportSummary,
  type RunOutcome,
  type RunRecordInput,
  type VerdictLevel,
} from './types.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Builds the report of a run from its record: pure, the same record gives the same report. */
export function buildReport(record: RunRecordInput, generator: string): Report {
  const { plan, events } = record;
  const executions = pairSteps(events);
  const startMs = events.length > 0 ? Date.parse(events[0]?.at ?? '') : Date.parse(record.meta.startedAt);
  const endMs = events.length > 0 ? Date.parse(events[events.length - 1]?.at ?? '') : startMs;
  const intervals = outIntervals(events, plan.loadBalancer.type !== 'none');
  const attempts = attemptsOf(events);
  // The run-end that closes the record, or null when it stops without one (running, or crashed).
  const end = attempts.at(-1)?.end ?? null;
  const nodes = plan.nodes.map((n) => reportNode(plan, n.name, { executions, intervals, end, events, endMs }));
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    generator,
    summary: buildSummary(record, nodes, end, attempts),
    plan: {
      hash: plan.hash,
      minHealthy: plan.policy.minHealthy,
      maxFailures: plan.policy.maxFailures,
      onFailure: plan.policy.onFailure,
      loadBalancer: plan.loadBalancer.type,
      expectedSec: plan.estimate.expectedSec,
      changes: plan.verdict.changes.map((c) => {
        const level = changeLevel(c);
        return {
          summary: c.summary,
          eligible: level !== 'full-restart',
          level,
          row: c.row,
          reasons: c.reasons,
          warnings: c.warnings,
          advice: c.advice ?? [],
          override: c.override ?? null,
        };
      }),
      differences: plan.verdict.differences ?? [],
    },
    impact: plan.impact,
    nodes,
    capacity: capacityLine(intervals, plan.nodes.length, startMs).map((p) => ({
      at: iso(p.at),
      inRotation: p.inRotation,
    })),
    lbChanges: events.flatMap((e) =>
      e.kind === 'lb-state' ? [{ at: e.at, node: e.node, member: e.member, state: e.state }] : [],
    ),
    failures: failuresOf(executions),
    hooks: hooksOf(planSteps(plan), executions),
    attempts: attempts.map((a) => ({
      startedAt: iso(a.startMs),
      endedAt: a.end ? a.end.at : null,
      outcome: a.end ? a.end.status : 'running',
    })),
  };
}

/** The short form alone (the webhook body of `body: report`), from the record so far. */
export function buildSummaryOnly(record: RunRecordInput): ReportSummary {
  return buildReport(record, '').summary;
}

/** A plan recorded before the three-level verdict (plan format 1) carries `eligible` instead of `level`. */
type RecordedVerdict = {
  level?: PlanVerdictLevel;
  eligible?: boolean;
  changes: Array<{ level?: PlanVerdictLevel; eligible?: boolean; warnings: string[] }>;
};

/** The plan's verdict in one word: its `level`, or `refused` when a rolling strategy met a full-restart verdict. */
function verdictLevel(plan: Plan): VerdictLevel {
  const v = plan.verdict as RecordedVerdict & { refused: boolean };
  if (v.refused) return 'refused';
  if (v.level) return v.level;
  if (v.eligible === false) return 'full-restart';
  return v.changes.some((c) => c.warnings.length > 0) ? 'rolling-with-warning' : 'rolling';
}

function changeLevel(c: RecordedVerdict['changes'][number]): PlanVerdictLevel {
  if (c.level) return c.level;
  if (c.eligible === false) return 'full-restart';
  return c.warnings.length > 0 ? 'rolling-with-warning' : 'rolling';
}

interface Attempt {
  startMs: number;
  end: RunEndEvent | null;
  lastMs: number;
}

/** Each run-start up to its run-end (or the record's last event). */
function attemptsOf(events: readonly RunEvent[]): Attempt[] {
  const out: Attempt[] = [];
  for (const e of events) {
    const last = out[out.length - 1];
    if (e.kind === 'run-start') out.push({ startMs: Date.parse(e.at), end: null, lastMs: Date.parse(e.at) });
    else if (last && !last.end) {
      last.lastMs = Date.parse(e.at);
      if (e.kind === 'run-end') last.end = e;
    }
  }
  return out;
}

interface NodeContext {
  executions: readonly Execution[];
  intervals: readonly OutInterval[];
  end: RunEndEvent | null;
  events: readonly RunEvent[];
  endMs: number;
}

function reportNode(plan: Plan, node: string, ctx: NodeContext): ReportNode {
  const mine = ctx.intervals.filter((i) => i.node === node);
  const outMs = mine.length === 0 ? null : mine.reduce((sum, i) => sum + ((i.to ?? ctx.endMs) - i.from), 0);
  const summary = ctx.end?.nodes.find((n) => n.node === node) ?? recordedState(node, ctx, mine);
  const batch = plan.batches.find((b) => b.nodes.includes(node))?.index ?? null;
  const inBatch = ctx.executions.filter((x) => x.node === node && x.batch !== null);
  const durationMs =
    inBatch.length === 0
      ? 0
      : Math.max(...inBatch.map((x) => x.endMs ?? ctx.endMs)) - Math.min(...inBatch.map((x) => x.startMs));
  return {
    node,
    batch,
    outcome: summary.status,
    inRotation: summary.inRotation,
    updated: summary.updated,
    outOfRotationMs: outMs,
    outOfRotation: mine.map((i) => ({ from: iso(i.from), to: i.to === null ? null : iso(i.to) })),
    durationMs,
    failedStep: summary.failedStep,
    state: summary.state,
    segments: ctx.executions
      .filter((x) => x.node === node)
      .map((x) => {
        const endMs = x.endMs ?? ctx.endMs;
        return {
          stepId: x.stepId,
          action: x.action,
          kind: segmentKind(x.action),
          title: x.title,
          startedAt: iso(x.startMs),
          endedAt: iso(endMs),
          status: x.status,
          durationMs: endMs - x.startMs,
        };
      }),
    gates: gatesOf(plan, node, ctx.executions),
  };
}

/** Where a node stands when the record has no final run-end: from its own events. */
function recordedState(
  node: string,
  ctx: NodeContext,
  mine: readonly OutInterval[],
): Omit<NodeSummary, 'status'> & { status: NodeOutcome } {
  let status: NodeOutcome = 'skipped';
  for (const e of ctx.events) {
    if (e.kind === 'node-start' && e.node === node) status = 'unfinished';
    if (e.kind === 'node-end' && e.node === node) status = e.status;
  }
  const mineX = ctx.executions.filter((x) => x.node === node);
  const updated =
    mineX.some((x) => x.action === 'apply' && x.status === 'ok') &&
    !mineX.some((x) => x.action === 'restore' && x.status === 'ok');
  const failed = mineX.filter((x) => x.status === 'failed').at(-1)?.stepId ?? null;
  const out = mine.some((i) => i.to === null);
  return {
    node,
    status,
    inRotation: !out,
    updated,
    outOfRotationMs: null,
    durationMs: 0,
    failedStep: failed,
    state: `the record ends here${out ? ': OUT of rotation' : ''}${updated ? ', updated' : ''}`,
  };
}

function buildSummary(
  record: RunRecordInput,
  nodes: readonly ReportNode[],
  end: RunEndEvent | null,
  attempts: readonly Attempt[],
): ReportSummary {
  const { meta, plan } = record;
  const count = (o: NodeOutcome): number => nodes.filter((n) => n.outcome === o).length;
  const outs = nodes.flatMap((n) => (n.outOfRotationMs === null ? [] : [n.outOfRotationMs]));
  const outcome: RunOutcome = end ? end.status : 'running';
  const time = attempts[0]?.startMs ?? Date.parse(meta.startedAt);
  const last = attempts.at(-1);
  const timeEnd = last?.end ? Date.parse(last.end.at) : (last?.lastMs ?? time);
  const durationMs = attempts.reduce((sum, a) => sum + ((a.end ? Date.parse(a.end.at) : a.lastMs) - a.startMs), 0);
  const counts = {
    total: nodes.length,
    ok: count('ok'),
    failed: count('failed'),
    rolledBack: count('rolled-back'),
    skipped: count('skipped'),
    unfinished: count('unfinished'),
    inRotation: nodes.filter((n) => n.inRotation === true).length,
    updated: nodes.filter((n) => n.updated).length,
  };
  const maxOut = outs.length > 0 ? Math.max(...outs) : null;
  // onFailure hooks run before the run's end: the outcome is not final, but it is a failure.
  const failing =
    !end &&
    record.events.some(
      (e) => e.kind === 'phase-start' && e.phase === 'on-failure' && Date.parse(e.at) >= (last?.startMs ?? 0),
    );
  const text =
    `lrroll: ${plan.name} — ${failing ? 'failing' : outcome}: ${counts.ok}/${counts.total} node(s) ok` +
    `${counts.failed ? `, ${counts.failed} failed` : ''}` +
    `${counts.rolledBack ? `, ${counts.rolledBack} rolled back` : ''}, ${counts.inRotation} in rotation` +
    `${maxOut === null ? '' : `, longest out of rotation ${formatMs(maxOut)}`} (run ${meta.runId}` +
    `, plan ${plan.hash.slice(0, 12)}, ${meta.user}@${meta.host})`;
  return {
    formatVersion: REPORT_FORMAT_VERSION,
    runId: meta.runId,
    name: plan.name,
    playbook: meta.playbook,
    planHash: plan.hash,
    verdict: verdictLevel(plan),
    strategy: plan.policy.strategy,
    gitCommit: meta.gitCommit,
    gitDirty: meta.gitDirty,
    user: meta.user,
    host: meta.host,
    startedAt: iso(time),
    endedAt: end ? end.at : null,
    durationMs,
    outcome,
    reason: end ? end.reason : null,
    nodes: counts,
    maxOutOfRotationMs: maxOut,
    text,
    tags: ['lrroll', outcome, plan.name],
    time,
    timeEnd,
  };
}
