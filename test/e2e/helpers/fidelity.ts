import { existsSync, readFileSync } from 'node:fs';
import type { ClusterStep, Plan, Step } from '../../../src/plan/types.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';

// Compares what a run actually sent (the NDJSON that LRROLL_RECORD_REMOTE writes) with the plan
// that `lrroll plan --format json` showed for the same playbook.

/** One action the recorder wrote. */
export interface Recorded {
  kind: 'exec' | 'put' | 'lb';
  target: string;
  text: string;
  stepId: string | null;
}

/** A step of the plan: a batch's, the run's, or one of the cluster's (lock, reconcile, status, unlock). */
type PlanStep = Step | ClusterStep;
/** The plan as `lrroll plan --format json` shows it, read back with `expandPlanJson`. */
type PlanJson = Plan;

export function readRecorded(file: string): Recorded[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Recorded);
}

/** The steps around the batches (`plan.cluster`: lock, reconcile, status), wherever they sit in it. */
function clusterSteps(value: unknown): PlanStep[] {
  if (Array.isArray(value)) return value.flatMap(clusterSteps);
  if (!value || typeof value !== 'object') return [];
  const o = value as Record<string, unknown>;
  if (typeof o.id === 'string' && o.id.startsWith('cluster/') && typeof o.action === 'string')
    return [o as unknown as ClusterStep];
  return Object.values(o).flatMap(clusterSteps);
}

/** Every step of the plan by id, the cluster's (lock, reconcile, status and unlock) included. */
export function planSteps(plan: PlanJson): Map<string, PlanStep> {
  const all: PlanStep[] = [
    ...clusterSteps(plan.cluster),
    ...plan.preflight,
    ...plan.beforeRun,
    ...plan.finally,
    ...plan.onFailure,
  ];
  for (const b of plan.batches)
    all.push(
      ...b.before,
      ...b.after,
      ...b.nodePlans.flatMap((np) => [...np.steps, ...np.rollback, ...(np.onHalt ?? [])]),
    );
  return new Map(all.map((s) => [s.id, s]));
}

/** Every string a step carries (its command, api and side commands, at any depth). */
function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.values(value).flatMap(stringsOf);
  return [];
}

/**
 * A value as `shq` (src/shell/quote.ts) puts it in a command: a plain word, or single-quoted with `'\\''` for each
 * quote.
 */
const SHELL_WORD = String.raw`(?:[A-Za-z0-9_@%+=:,./-]+|'[^']*'(?:\\''[^']*')*)`;

/**
 * What the run fills each named placeholder of the plan with: a byte position, a balancer's nonce, a
 * worker's name (form-encoded), or a shell-quoted value (the lock's owner record, run ids).
 */
const FILLED: Readonly<Record<string, string>> = {
  firstByte: '\\d+',
  nonce: '[0-9A-Za-z-]+',
  worker: '[^&\\s]+',
  owner: SHELL_WORD,
  runId: SHELL_WORD,
  heldRunId: SHELL_WORD,
};

/** The plan's text with its named placeholders as what the run fills in. */
function asPattern(planText: string): RegExp {
  let escaped = planText.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const [name, pattern] of Object.entries(FILLED)) escaped = escaped.replaceAll(`\\{${name}\\}`, pattern);
  return new RegExp(`^${escaped}$`);
}

/**
 * The requests a load-balancer step's text names: `; `-separated, each maybe followed by what it reads and the
 * instances it goes to, in parentheses: `show stat liferay 4 -1 (status of node1) (on lb1, lb2)`.
 */
export function plannedRequests(text: string): string[] {
  return text.split('; ').map((r) => r.replace(/( \([^()]*\))+$/, ''));
}

/**
 * The `via` wrappers of the plan's HAProxy instances: the socat command run on the load balancer's host, with the
 * runtime API request as its `{request}` placeholder.
 */
export function viaWrappers(plan: Pick<PlanJson, 'loadBalancer'>): string[] {
  const instances = (plan.loadBalancer as { instances?: Array<{ wrapper?: unknown }> } | undefined)?.instances ?? [];
  return instances.flatMap((i) => (typeof i.wrapper === 'string' ? [i.wrapper] : []));
}

/**
 * True when `command` is one of the plan's `via` wrappers with `{request}` filled in, shell-quoted as the run fills it
 * (src/shell/quote.ts `fillPlaceholders`), by a request one of the step's texts names.
 */
function isWrappedRequest(command: string, texts: readonly string[], wrappers: readonly string[]): boolean {
  return wrappers.some((w) =>
    texts.some((t) => plannedRequests(t).some((r) => fillPlaceholders(w, ['request'], { request: r }) === command)),
  );
}

/**
 * Why an action is not the plan's, or null when a step of the plan carries exactly this text (for a command, also: the
 * plan's `via` wrapper sending one of the step's load-balancer requests).
 */
export function unplannedReason(
  a: Recorded,
  steps: ReadonlyMap<string, PlanStep>,
  wrappers: readonly string[] = [],
): string | null {
  if (a.stepId === null) return 'sent outside any plan step';
  // A `#recover` re-run of the node's own LB steps (put back after a failure before its stop).
  const step = steps.get(a.stepId.replace(/#recover$/, ''));
  if (!step) return `step ${a.stepId} is not in the plan`;
  const texts = stringsOf(step);
  if (a.kind === 'put')
    return step.action === 'upload' && a.text.endsWith(` -> ${String(step.remotePath)}`)
      ? null
      : `upload not planned by ${step.id}`;
  // The plan names each LB request and what it reads: `show stat liferay 4 -1 (status of node1)`.
  if (a.kind === 'lb')
    return texts.some((t) => plannedRequests(t).some((r) => asPattern(r).test(a.text)))
      ? null
      : `LB request not in ${step.id}`;
  return texts.some((t) => asPattern(t).test(a.text)) || isWrappedRequest(a.text, texts, wrappers)
    ? null
    : `command not in ${step.id}`;
}

/** Each action the plan does not show, with why, in one line. */
export function unplannedActions(plan: PlanJson, recorded: readonly Recorded[]): string[] {
  const steps = planSteps(plan);
  const wrappers = viaWrappers(plan);
  return recorded.flatMap((a) => {
    const why = unplannedReason(a, steps, wrappers);
    return why === null ? [] : [`${why}: [${a.kind} ${a.target}] ${a.text.split('\n').join(' ⏎ ').slice(0, 300)}`];
  });
}

/** An NDJSON event as far as naming steps goes. */
type NamingEvent = Record<string, unknown> & { kind: string };

/**
 * The step ids of recorded actions that no event of the stream names (a step-start, or a lock / reconcile event's
 * `stepIds`).
 */
export function stepsMissingFromEvents(recorded: readonly Recorded[], events: readonly NamingEvent[]): string[] {
  const named = new Set<string>();
  for (const e of events) {
    if (e.kind === 'step-start') named.add(String(e.stepId));
    if ((e.kind === 'lock' || e.kind === 'reconcile') && Array.isArray(e.stepIds))
      for (const id of e.stepIds) named.add(String(id));
  }
  return [...new Set(recorded.flatMap((a) => (a.stepId === null || named.has(a.stepId) ? [] : [a.stepId])))];
}
