import type { RunEvent } from '../../execute/events.js';
import { segmentKind } from './steps.js';

/** A node's time out of rotation, in epoch milliseconds; `to` is null when the record ends first. */
export interface OutInterval {
  node: string;
  from: number;
  to: number | null;
}

/**
 * When each node was out of rotation. With a load balancer: from its drain to the balancer
 * reporting it UP. Without one: from the stop of its app server to the last health gate that
 * passed after its start (users reach it again then).
 */
export function outIntervals(events: readonly RunEvent[], hasLb: boolean): OutInterval[] {
  return hasLb ? fromLbStates(events) : fromStopStart(events);
}

function fromLbStates(events: readonly RunEvent[]): OutInterval[] {
  const out: OutInterval[] = [];
  const open = new Map<string, OutInterval>();
  for (const e of events) {
    if (e.kind !== 'lb-state') continue;
    const at = Date.parse(e.at);
    if ((e.state === 'draining' || e.state === 'out') && !open.has(e.node)) {
      const i: OutInterval = { node: e.node, from: at, to: null };
      open.set(e.node, i);
      out.push(i);
    } else if (e.state === 'up') {
      const i = open.get(e.node);
      if (i) i.to = at;
      open.delete(e.node);
    }
  }
  return out;
}

function fromStopStart(events: readonly RunEvent[]): OutInterval[] {
  const out: OutInterval[] = [];
  const open = new Map<string, OutInterval>();
  /** After a successful start: the end of the last gate passed so far. */
  const backAt = new Map<string, number>();
  const actions = new Map<string, string>();
  const close = (node: string): void => {
    const at = backAt.get(node);
    const i = open.get(node);
    if (i && at !== undefined) {
      i.to = at;
      open.delete(node);
    }
    backAt.delete(node);
  };
  for (const e of events) {
    if (e.kind === 'step-start' && e.node !== null) {
      actions.set(e.stepId, e.action);
      if (segmentKind(e.action) !== 'gate') close(e.node);
      if (e.action === 'service-stop' && !open.has(e.node)) {
        const i: OutInterval = { node: e.node, from: Date.parse(e.at), to: null };
        open.set(e.node, i);
        out.push(i);
      }
    } else if (e.kind === 'step-end' && e.node !== null && open.has(e.node)) {
      const kind = segmentKind(actions.get(e.stepId) ?? '');
      if (e.status === 'failed') backAt.delete(e.node);
      else if (e.status === 'ok' && (kind === 'start' || (kind === 'gate' && backAt.has(e.node))))
        backAt.set(e.node, Date.parse(e.at));
    } else if (e.kind === 'node-end' || e.kind === 'run-end') {
      if (e.kind === 'node-end') close(e.node);
      else for (const node of [...open.keys()]) close(node);
    }
  }
  return out;
}

/** Nodes in rotation over time: all of them at the start, one point per change. */
export function capacityLine(
  intervals: readonly OutInterval[],
  total: number,
  startMs: number,
): Array<{ at: number; inRotation: number }> {
  const changes = intervals
    .flatMap((i) => [{ at: i.from, delta: -1 }, ...(i.to === null ? [] : [{ at: i.to, delta: 1 }])])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  const points = [{ at: startMs, inRotation: total }];
  let now = total;
  for (const c of changes) {
    now += c.delta;
    const last = points[points.length - 1];
    if (last && last.at === c.at) last.inRotation = now;
    else points.push({ at: c.at, inRotation: now });
  }
  return points;
}
