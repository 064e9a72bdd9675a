// The session accounting the Tomcat end-to-end tests rely on: which users the plan's impact note
// says lose their session when a node is taken out hard, and which losses nothing explains.
import { describe, expect, it } from 'vitest';
import {
  expectedLosses,
  outWindows,
  unexplainedLosses,
  type OutWindow,
  type SessionSample,
} from '../../cluster/session-load.js';

const out = (drainedAt: number, outAt: number): OutWindow[] => [{ drainedAt, outAt }];
const s = (user: number, sentAt: number, node: string, kind: SessionSample['kind']): SessionSample => ({
  user,
  sentAt,
  endedAt: sentAt + 5,
  node,
  kind,
  counter: kind === 'lost' ? null : 1,
  build: 1,
});

describe('session accounting', () => {
  it('counts the users whose session is on the node when it goes out, once per out', () => {
    const samples = [
      s(0, 0, 'node1', 'login'),
      s(0, 100, 'node1', 'ok'),
      s(0, 300, 'node2', 'lost'),
      s(0, 310, 'node2', 'login'),
      s(1, 0, 'node2', 'login'),
      s(1, 100, 'node2', 'ok'),
      s(1, 300, 'node2', 'ok'),
    ];
    expect(expectedLosses(samples, new Map([['node1', out(190, 200)]]))).toBe(1);
    // node2 out later: user 0 moved there after its loss, user 1 was there all along.
    expect(
      expectedLosses(
        samples,
        new Map([
          ['node1', out(190, 200)],
          ['node2', out(390, 400)],
        ]),
      ),
    ).toBe(3);
  });

  it('a loss seen just before lrroll reports the node out still belongs to that node', () => {
    // The hard step took effect at ~150; the event came at 200; the user's request at 160 found no session.
    const samples = [
      s(0, 0, 'node1', 'login'),
      s(0, 100, 'node1', 'ok'),
      s(0, 160, 'node2', 'lost'),
      s(0, 170, 'node2', 'login'),
    ];
    const outs = new Map([['node1', out(140, 200)]]);
    expect(expectedLosses(samples, outs)).toBe(1);
    expect(unexplainedLosses(samples, outs)).toEqual([]);
  });

  it('a request sent just before the drain and answered after the hard take-out belongs to that node', () => {
    // Seen in a full suite: sent 12 ms before the drain step started, it reached HAProxy after the node's `maint`
    // (the machine was busy) and was sent to another node.
    const samples = [
      s(0, 0, 'node1', 'login'),
      s(0, 100, 'node1', 'ok'),
      { ...s(0, 128, 'node3', 'lost'), endedAt: 214 },
      s(0, 220, 'node3', 'login'),
    ];
    const outs = new Map([['node1', out(140, 200)]]);
    expect(unexplainedLosses(samples, outs)).toEqual([]);
    expect(expectedLosses(samples, outs)).toBe(1);
    // Answered before the drain began, the same loss has nothing to do with node1.
    expect(
      unexplainedLosses([...samples.slice(0, 2), { ...s(0, 128, 'node3', 'lost'), endedAt: 135 }], outs),
    ).toHaveLength(1);
  });

  it('a loss on a node nobody took out is unexplained', () => {
    const samples = [s(0, 0, 'node3', 'login'), s(0, 100, 'node3', 'ok'), s(0, 200, 'node3', 'lost')];
    expect(unexplainedLosses(samples, new Map([['node1', out(140, 150)]]))).toHaveLength(1);
    expect(expectedLosses(samples, new Map([['node1', out(140, 150)]]))).toBe(0);
  });

  it('a user whose stale cookie takes its login to the draining node is pinned there too', () => {
    // Lost on node2 earlier; its login at 150 carries the old route and lands on node1 while node1 drains.
    const samples = [
      s(0, 0, 'node2', 'login'),
      s(0, 100, 'node3', 'lost'),
      s(0, 150, 'node1', 'login'),
      s(0, 250, 'node3', 'lost'),
    ];
    const outs = new Map([
      ['node2', out(90, 95)],
      ['node1', out(140, 200)],
    ]);
    expect(expectedLosses(samples, outs)).toBe(2);
    expect(unexplainedLosses(samples, outs)).toEqual([]);
  });

  it('a guest that never logged in holds nothing', () => {
    expect(expectedLosses([s(0, 100, 'node1', 'failed')], new Map([['node1', out(190, 200)]]))).toBe(0);
  });

  it("a node's window opens when its drain step starts, not when the draining event is written", () => {
    const at = (ms: number): string => new Date(ms).toISOString();
    // The drain request left at 1000; HAProxy applied it at once, and the users pinned to node1 got another node
    // at 1010; the drain step returned and wrote its event at 1060 (a busy machine).
    const events = [
      { kind: 'step-start', node: 'node1', action: 'lb-drain', at: at(1000) },
      { kind: 'lb-state', node: 'node1', state: 'draining', at: at(1060) },
      { kind: 'lb-state', node: 'node1', state: 'out', at: at(1200) },
      { kind: 'step-start', node: 'node2', action: 'lb-drain', at: at(2000) },
      { kind: 'lb-state', node: 'node2', state: 'draining', at: at(2050) },
      { kind: 'lb-state', node: 'node2', state: 'out', at: at(2100) },
    ];
    const windows = outWindows(events);
    expect(windows).toEqual(
      new Map([
        ['node1', out(1000, 1200)],
        ['node2', out(2000, 2100)],
      ]),
    );
    const samples = [s(0, 0, 'node1', 'login'), s(0, 500, 'node1', 'ok'), s(0, 1010, 'node2', 'lost')];
    expect(unexplainedLosses(samples, windows)).toEqual([]);
    expect(expectedLosses(samples, windows)).toBe(1);
  });
});
