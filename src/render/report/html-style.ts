/**
 * The report's stylesheet, inlined (the page loads nothing). Colours: the Okabe–Ito palette, readable with colour
 * blindness and in grey print.
 */
export const REPORT_CSS = `
:root { --fg: #1d232a; --muted: #5b6672; --line: #d5dbe1; --bg: #fff; --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; }
* { box-sizing: border-box; }
body {
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg);
  background: var(--bg);
  margin: 0 auto;
  padding: 24px 32px 48px;
  max-width: 1200px;
}
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
pre {
  background: #f6f8fa;
  border: 1px solid var(--line);
  padding: 8px 10px;
  overflow-x: auto;
  white-space: pre-wrap;
  word-break: break-all;
  max-height: 480px;
}
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
table.facts th { width: 160px; }
.badge {
  display: inline-block;
  padding: 2px 10px;
  border-radius: 12px;
  font-weight: 600;
  color: #fff;
  background: var(--muted);
}
.badge.ok { background: var(--ok); }
.badge.failed, .badge.halted, .badge.refused { background: var(--bad); }
.badge.aborted, .badge.running { background: var(--warn); }
.outcome-ok { color: var(--ok); }
.outcome-failed, .outcome-rolled-back { color: var(--bad); font-weight: 600; }
.outcome-unfinished { color: var(--warn); }
.muted { color: var(--muted); }
.reason { border-left: 4px solid var(--bad); padding: 6px 12px; background: #fdecea; }
.warn { color: var(--warn); }
svg { width: 100%; height: auto; display: block; }
svg text { font: 11px system-ui, sans-serif; fill: var(--fg); }
.lane-label { text-anchor: end; font-weight: 600; }
.lane-label.outcome-failed, .lane-label.outcome-rolled-back { fill: var(--bad); }
.track { stroke: var(--line); stroke-width: 1; }
.tick { stroke: #eef1f4; stroke-width: 1; } .tick-label { text-anchor: middle; fill: var(--muted); font-size: 10px; }
.break { stroke: var(--muted); stroke-dasharray: 2 3; }
.out { fill: #fbe3e3; }
.seg { stroke: rgba(0,0,0,.25); stroke-width: .5; }
.seg-preflight, .legend .seg-preflight { fill: #c4ccd4; background: #c4ccd4; }
.seg-drain, .legend .seg-drain { fill: #E69F00; background: #E69F00; }
.seg-stop, .legend .seg-stop { fill: #CC79A7; background: #CC79A7; }
.seg-apply, .legend .seg-apply { fill: #0072B2; background: #0072B2; }
.seg-start, .legend .seg-start { fill: #56B4E9; background: #56B4E9; }
.seg-gate, .legend .seg-gate { fill: #009E73; background: #009E73; }
.seg-rotation, .legend .seg-rotation { fill: #F0E442; background: #F0E442; }
.seg-rollback, .legend .seg-rollback { fill: #D55E00; background: #D55E00; }
.seg-other, .legend .seg-other { fill: #7f8a94; background: #7f8a94; }
.legend .seg-out { background: #fbe3e3; }
.seg.failed { stroke: var(--bad); stroke-width: 2.5; }
.seg.unfinished { stroke: var(--warn); stroke-width: 2; stroke-dasharray: 3 2; }
display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 6px 0 0 ${120 / 11}
.legend span i {
  display: inline-block;
  width: 12px;
  height: 12px;
  margin-right: 5px;
  vertical-align: -2px;
  border: 1px solid rgba(0,0,0,.2);
}
.grid { stroke: var(--line); } .y-label { text-anchor: end; fill: var(--muted); }
.min-healthy { stroke: var(--bad); stroke-dasharray: 6 4; }
.min-label { text-anchor: end; fill: var(--bad); font-size: 10px; }
.capacity-line { fill: none; stroke: #0072B2; stroke-width: 2.5; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; margin: 8px 0; }
details summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 32px; font-size: 12px; color: var(--muted); }
@media print {
  body { padding: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, svg, details { break-inside: avoid; }
  details::details-content { content-visibility: visible; display: block; }
  pre { max-height: none; border: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
