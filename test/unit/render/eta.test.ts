/**
 * The ETA comes from this run's measured pace once a batch is done (seconds per node so far times
 * the nodes still to go), not from the plan's estimate minus the time elapsed.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { EVENTS_FORMAT_VERSION, type RunEvent } from '../../../src/execute/events.js';
import { EtaTracker } from '../../../src/render/eta.js';
import { ListrView } from '../../../src/render/listr.js';
import { PlainRenderer } from '../../../src/render/plain.js';
import { captureIo, feed, readEvents } from './helpers.js';

const at = (sec: number): string => new Date(Date.UTC(2026, 2, 14, 22, 0, 0) + sec * 1000).toISOString();
const ms = (sec: number): number => Date.parse(at(sec));

/** Three batches of 1, 2 and 1 nodes; the plan expected 40 minutes; batch 1 took 60 s. */
function events(): RunEvent[] {
  return [
    {
      v: EVENTS_FORMAT_VERSION,
      at: at(0),
      kind: 'run-start',
      runId: 'r',
      planHash: 'h',
      name: 'Pace',
      nodes: ['n1', 'n2', 'n3', 'n4'],
      batches: [
        { index: 1, nodes: ['n1'] },
        { index: 2, nodes: ['n2', 'n3'] },
        { index: 3, nodes: ['n4'] },
      ],
      expectedSec: 2400,
      verdict: 'rolling',
      overrides: [],
    },
    { v: EVENTS_FORMAT_VERSION, at: at(5), kind: 'batch-start', batch: 1, nodes: ['n1'] },
    { v: EVENTS_FORMAT_VERSION, at: at(65), kind: 'batch-end', batch: 1, status: 'ok' },
    { v: EVENTS_FORMAT_VERSION, at: at(66), kind: 'batch-start', batch: 2, nodes: ['n2', 'n3'] },
  ];
}

describe('ETA', () => {
  it('before any batch is done: the plan estimate minus the elapsed time', () => {
    const eta = new EtaTracker();
    for (const e of events().slice(0, 2)) eta.onEvent(e);
    expect(eta.measured).toBe(false);
    expect(eta.remainingSec(ms(30))).toBe(2370);
  });

  it(
    'after batch 1 (60 s for one node): 60 s per node for the three to go, minus what the running batch ' +
      'already took',
    () => {
      const eta = new EtaTracker();
      for (const e of events()) eta.onEvent(e);
      expect(eta.measured).toBe(true);
      // batch 2: 2 × 60 − 30 s already spent = 90; batch 3: 60
      expect(eta.remainingSec(ms(96))).toBe(150);
      // a batch running over its pace counts as 0 left, never negative
      expect(eta.remainingSec(ms(300))).toBe(60);
    },
  );

  it('the listr2 header shows it', () => {
    let now = ms(96);
    const view = new ListrView(captureIo(), { chalk: new Chalk({ level: 0 }), renderer: 'silent', now: () => now });
    const titles: string[] = [];
    view.start();
    for (const e of events()) {
      now = Date.parse(e.at);
      view.onEvent(e);
      titles.push((view as unknown as { root: { title: string } }).root.title);
    }
    expect(titles[1]).toMatch(/ · ETA ~39m 55s \(estimate\)$/);
    expect(titles.at(-1)).toMatch(/Pace · 1\/4 nodes done · 1m 06s elapsed · ETA ~3m 00s$/);
    void view.end();
  });

  it(
    'the plain lines give it at the end of each batch but the last (rolling-ok.ndjson: 3m 24s for node1 ' +
      '→ 6m 48s for two nodes)',
    async () => {
      const io = captureIo();
      await feed(
        new PlainRenderer(io, { chalk: new Chalk({ level: 0 }), verbose: false }),
        readEvents('rolling-ok.ndjson'),
      );
      const lines = io
        .text()
        .split('\n')
        .filter((l) => /\[batch \d\/3\]\s+ok\s+batch/.test(l));
      expect(lines.map((l) => l.replace(/^.*batch \(/, 'batch ('))).toEqual([
        "batch (3m 24s) · ETA ~6m 48s at this run's pace",
        "batch (3m 35s) · ETA ~3m 29s at this run's pace",
        'batch (3m 46s)',
      ]);
    },
  );
});
