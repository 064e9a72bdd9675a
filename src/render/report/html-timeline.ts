import { formatMs } from '../summary.js';
import { escapeMarkup as x } from './escape.js';
import type { Report, ReportNode, SegmentKind } from './types.js';

/** Geometry of the pictures, in SVG user units (the SVG scales to the page width). */
const WIDTH = 1100;
const LABEL = 120;
const RIGHT = 16;
const AXIS = 26;
const LANE = 26;
const BAR = 16;
const GAP = 14;
const PLOT = WIDTH - LABEL - RIGHT;

/** The legend, in timeline order. */
export const KIND_NAMES: Array<[SegmentKind, string]> = [
  ['preflight', 'preflight'],
  ['drain', 'drain'],
  ['stop', 'stop'],
  ['apply', 'backup / apply / verify'],
  ['start', 'start'],
  ['gate', 'health gates'],
  ['rotation', 'back in rotation'],
  ['rollback', 'rollback'],
  ['other', 'other'],
];

/**
 * Maps a time to x. Each start of the run (the first, each resume) gets its own stretch; idle time between them is cut
 * out.
 */
interface Axis {
  x(ms: number): number;
  /** Where each resumed stretch begins (a break marker). */
  breaks: number[];
  ticks: Array<{ x: number; label: string }>;
}

const TICK_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];

/** The time axis of a report: its attempts side by side, ticks at a round step (at most about ten). */
export function makeAxis(r: Report): Axis {
  const windows =
    r.attempts.length > 0
      ? r.attempts.map((a) => ({
          from: Date.parse(a.startedAt),
          to: a.endedAt ? Date.parse(a.endedAt) : r.summary.timeEnd,
        }))
      : [{ from: r.summary.time, to: r.summary.timeEnd }];
  const spans = windows.map((w) => Math.max(1, w.to - w.from));
  const total = spans.reduce((a, b) => a + b, 0);
  const scale = (PLOT - GAP * (windows.length - 1)) / total;
  const offsets = spans.map((_, i) => LABEL + spans.slice(0, i).reduce((a, b) => a + b * scale + GAP, 0));
  const x = (ms: number): number => {
    let i = 0;
    while (i + 1 < windows.length && ms >= (windows[i + 1]?.from ?? Infinity)) i++;
    const w = windows[i] ?? { from: ms, to: ms };
    return (offsets[i] ?? LABEL) + (Math.min(Math.max(ms, w.from), w.to) - w.from) * scale;
  };
  const stepS = TICK_STEPS_S.find((s) => total / 1000 / s <= 10) ?? 3600 * 4;
  const ticks = windows.flatMap((w, i) => {
    const out: Array<{ x: number; label: string }> = [];
    for (let t = 0; t <= w.to - w.from; t += stepS * 1000)
      out.push({ x: (offsets[i] ?? LABEL) + t * scale, label: i > 0 && t === 0 ? 'resumed' : `+${formatMs(t)}` });
    return out;
  });
  return { x, breaks: offsets.slice(1).map((o) => o - GAP / 2), ticks };
}

const n2 = (v: number): string => (Math.round(v * 10) / 10).toString();

function axisLines(axis: Axis, height: number): string {
  const ticks = axis.ticks.map(
    (t) =>
      `<line class="tick" x1="${n2(t.x)}" x2="${n2(t.x)}" y1="${AXIS - 6}" y2="${height}` +
      `"/><text class="tick-label" x="${n2(t.x)}" y="${AXIS - 10}">${x(t.label)}</text>`,
  );
  const breaks = axis.breaks.map((b) => `<line class="break" x1="${n2(b)}" x2="${n2(b)}" y1="0" y2="${height}"/>`);
  return `<g class="axis">${ticks.join('')}${breaks.join('')}</g>`;
}

function lane(n: ReportNode, i: number, axis: Axis, endMs: number): string {
  const y = AXIS + i * LANE;
  const top = (LANE - BAR) / 2;
  const bands = n.outOfRotation.map((o) => {
    const x1 = axis.x(Date.parse(o.from));
    const x2 = axis.x(o.to ? Date.parse(o.to) : endMs);
    return (
      `<rect class="out" x="${n2(x1)}" y="1" width="${n2(Math.max(1, x2 - x1))}" height="${LANE - 2}` +
      `"><title>${x(`${n.node} out of rotation ${o.from} → ${o.to ?? 'end of record'}`)}</title></rect>`
    );
  });
  const segs = n.segments.map((s) => {
    const x1 = axis.x(Date.parse(s.startedAt));
    const w = Math.max(1.5, axis.x(Date.parse(s.endedAt)) - x1);
    const cls =
      `seg seg-${s.kind}${s.status === 'failed' ? ' failed' : ''}` +
      `${s.status === 'unfinished' ? ' unfinished' : ''}`;
    return (
      `<rect class="${cls}" data-step="${x(s.stepId)}" x="${n2(x1)}" y="${top}" width="${n2(w)}` +
      `" height="${BAR}"><title>${x(`${n.node}: ${s.title} — ${s.status}, ${formatMs(s.durationMs)}`)}` +
      `</title></rect>`
    );
  });
  const label =
    `<text class="lane-label outcome-${n.outcome}" x="${LABEL - 8}" y="${LANE / 2 + 4}">${x(n.node)}` + `</text>`;
  return (
    `<g class="lane" data-node="${x(n.node)}" data-outcome="${n.outcome}" transform="translate(0,${y}` +
    `)"><line class="track" x1="${LABEL}" x2="${WIDTH - RIGHT}" y1="${LANE / 2}" y2="${LANE / 2}"/>` +
    `${bands.join('')}${segs.join('')}${label}</g>`
  );
}

/**
 * One lane per node: drain, stop, apply, start, each gate, back in rotation; the time out of rotation shaded behind.
 */
export function timelineSvg(r: Report, axis: Axis): string {
  const height = AXIS + r.nodes.length * LANE + 4;
  const endMs = r.summary.timeEnd;
  return (
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}` +
    `" role="img" aria-label="Timeline, one lane per node">${axisLines(axis, height)}` +
    `${r.nodes.map((n, i) => lane(n, i, axis, endMs)).join('')}</svg>`
  );
}

/** Nodes in rotation over time, with the healthy minimum the playbook allows as a dashed line. */
export function capacitySvg(r: Report, axis: Axis): string {
  const total = r.nodes.length;
  const h = 150;
  const plotTop = AXIS;
  const plotH = h - AXIS - 14;
  const y = (v: number): number => plotTop + plotH - (total === 0 ? 0 : (v / total) * plotH);
  const pts = r.capacity.map((p) => ({ x: axis.x(Date.parse(p.at)), v: p.inRotation }));
  let d = '';
  pts.forEach((p, i) => {
    d += i === 0 ? `M${n2(p.x)},${n2(y(p.v))}` : `H${n2(p.x)}V${n2(y(p.v))}`;
  });
  d += `H${n2(axis.x(r.summary.timeEnd))}`;
  const min = r.plan.minHealthy;
  const grid = [0, total].map(
    (v) =>
      `<line class="grid" x1="${LABEL}" x2="${WIDTH - RIGHT}" y1="${n2(y(v))}" y2="${n2(y(v))}` +
      `"/><text class="y-label" x="${LABEL - 8}" y="${n2(y(v) + 4)}">${v}</text>`,
  );
  const minLine =
    `<line class="min-healthy" x1="${LABEL}" x2="${WIDTH - RIGHT}" y1="${n2(y(min))}" y2="${n2(y(min))}` +
    `"/><text class="min-label" x="${WIDTH - RIGHT}" y="${n2(y(min) - 4)}">minimum healthy: ${min}` +
    `</text>`;
  return (
    `<svg class="capacity" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${h}` +
    `" role="img" aria-label="Nodes in rotation over time">${axisLines(axis, h - 14)}${grid.join('')}` +
    `${minLine}<path class="capacity-line" d="${d}"/></svg>`
  );
}
