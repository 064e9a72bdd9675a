import type { ChalkInstance } from 'chalk';
import type { NodeStatus, NodeSummary, RunEndEvent, RunStatus } from '../execute/events.js';
import { formatSeconds } from '../plan/duration.js';

/** Formats milliseconds for people: `0.4s` under ten seconds, else `45s`, `3m 20s`, `1h 05m`. */
export function formatMs(ms: number): string {
  return ms < 9950 ? `${(Math.max(0, ms) / 1000).toFixed(1)}s` : formatSeconds(ms / 1000);
}

/** Colours a step, node or run status word (`ok` green, failures red, `skipped` yellow). */
export function paintStatus(status: NodeStatus | RunStatus, text: string, c: ChalkInstance): string {
  if (status === 'ok') return c.green(text);
  if (status === 'skipped') return c.yellow(text);
  return c.red(text);
}

const HEADERS = ['NODE', 'RESULT', 'IN LB', 'UPDATED', 'OUT OF LB', 'DURATION', 'FAILED STEP'];

/**
 * The final summary every renderer but json prints: one row per node, the run status and, unless all went well, the
 * cluster state.
 */
export function formatRunSummary(e: RunEndEvent, c: ChalkInstance): string {
  const lines = [...table(e.nodes, c), '', counts(e.nodes), statusLine(e, c)];
  if (e.status !== 'ok' || e.nodes.some((n) => n.status !== 'ok' || n.inRotation !== true))
    lines.push(...clusterState(e, c));
  return `${lines.join('\n')}\n`;
}

function cells(n: NodeSummary): string[] {
  return [
    n.node,
    n.status,
    n.inRotation === null ? '?' : n.inRotation ? 'yes' : 'NO',
    n.updated ? 'yes' : 'no',
    n.outOfRotationMs === null ? '-' : formatMs(n.outOfRotationMs),
    n.durationMs === 0 && n.status === 'skipped' ? '-' : formatMs(n.durationMs),
    n.failedStep ?? '-',
  ];
}

/** Pads plain text first, then colours it, so ANSI codes never skew the columns. */
function table(nodes: readonly NodeSummary[], c: ChalkInstance): string[] {
  const rows = nodes.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (values: readonly string[], paint: (text: string, i: number) => string): string =>
    values
      .map((v, i) => paint(i === values.length - 1 ? v : v.padEnd(widths[i] ?? 0), i))
      .join('  ')
      .trimEnd();
  const body = nodes.map((n, r) =>
    pad(rows[r] ?? [], (text, i) => {
      if (i === 0) return c.cyan(text);
      if (i === 1) return paintStatus(n.status, text, c);
      if (i === 2 && n.inRotation === false) return c.red.bold(text);
      if (i === 6 && n.failedStep) return c.red(text);
      return text;
    }),
  );
  return [pad(HEADERS, (text) => c.bold(text)), ...body];
}

function counts(nodes: readonly NodeSummary[]): string {
  const byStatus = new Map<string, number>();
  for (const n of nodes) byStatus.set(n.status, (byStatus.get(n.status) ?? 0) + 1);
  const statuses = [...byStatus].map(([s, k]) => `${k} ${s}`).join(', ');
  const updated = nodes.filter((n) => n.updated).length;
  const inLb = nodes.filter((n) => n.inRotation === true).length;
  const unknown = nodes.filter((n) => n.inRotation === null).length;
  return (
    `${nodes.length} node${nodes.length === 1 ? '' : 's'}: ${statuses || 'none'} · ${updated}` +
    ` updated · ${inLb} in the load balancer${unknown ? ` · ${unknown} not checked` : ''}`
  );
}

function statusLine(e: RunEndEvent, c: ChalkInstance): string {
  const took = formatMs(e.durationMs);
  if (e.status === 'ok') return c.green.bold(`✔ Run ok in ${took}.`);
  const head = e.status === 'aborted' ? `! Run aborted after ${took}` : `✖ Run ${e.status} after ${took}`;
  return `${paintStatus(e.status, c.bold(head), c)}${e.reason ? `: ${e.reason}` : '.'}`;
}

/** Nodes grouped by their `state` sentence (out of the load balancer first), then what to do next. */
function clusterState(e: RunEndEvent, c: ChalkInstance): string[] {
  const groups = new Map<string, NodeSummary[]>();
  const ordered = [...e.nodes.filter((n) => n.inRotation === false), ...e.nodes.filter((n) => n.inRotation !== false)];
  for (const n of ordered) groups.set(n.state, [...(groups.get(n.state) ?? []), n]);
  const lines = ['', c.bold('Cluster state:')];
  for (const [state, members] of groups) {
    const text = `  ${nodeList(members, e.nodes)}: ${state}`;
    lines.push(members.some((n) => n.inRotation === false) ? c.red(text) : text);
  }
  lines.push(nextStep(e));
  return lines;
}

/**
 * Names in plan order, runs of three or more consecutive nodes shortened to `first … last`, so 20+ nodes stay on one
 * line.
 */
function nodeList(members: readonly NodeSummary[], all: readonly NodeSummary[]): string {
  const indexes = members.map((n) => all.indexOf(n)).sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const i of indexes) {
    const last = runs.at(-1);
    if (last && last.at(-1) === i - 1) last.push(i);
    else runs.push([i]);
  }
  const name = (i: number | undefined): string => (i === undefined ? '' : (all[i]?.node ?? ''));
  const text = runs
    .map((r) => (r.length >= 3 ? `${name(r[0])} … ${name(r.at(-1))}` : r.map(name).join(', ')))
    .join(', ');
  return members.length > 3 ? `${text} (${members.length} nodes)` : text;
}

/** What to do now: names a node only for a failure that happened on it. */
function nextStep(e: RunEndEvent): string {
  const out = e.nodes.filter((n) => n.inRotation === false).map((n) => n.node);
  const are = `${out.join(', ')} ${out.length === 1 ? 'is' : 'are'} out of the load balancer`;
  if (e.status === 'refused')
    return (
      `Next: no node was stopped or changed by this run; fix the cause, then run again.` +
      `${out.length > 0 ? ` ${are}, left so by an earlier run: see the reason above.` : ''}`
    );
  const back = out.length > 0 ? ` ${are}: \`lrroll resume\` and the next \`lrroll run\` put healthy nodes back.` : '';
  if (e.status === 'aborted') return `Next: \`lrroll resume\` continues this run from where it stopped.${back}`;
  const failed = e.nodes.filter((n) => n.status === 'failed' || n.status === 'rolled-back').map((n) => n.node);
  if (failed.length > 0)
    return (
      `Next: fix the cause on ${failed.join(', ')} (see ` +
      `${failed.length === 1 ? 'its failed step' : 'their failed steps'}` +
      ` above), then \`lrroll resume\` to continue this run.${back}`
    );
  if (e.status === 'ok')
    return out.length > 0 ? `Next:${back}` : 'Next: nothing to do; every node is in the load balancer.';
  // Halted or failed with no node at fault: a batch-level or run-level step (window, hook, capacity, consistency
  // check).
  return (
    `Next: see why the run ${e.status === 'halted' ? 'halted' : 'failed'}` +
    ` above (no node failed), then \`lrroll resume\` to continue this run.${back}`
  );
}
