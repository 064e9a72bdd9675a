import { describe, expect, it } from 'vitest';
import { FakeLb } from '../../helpers/fake-lb.js';
import { FakeCluster, loadPlan } from '../../helpers/fake-transport.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

// The contracts the executor tests rely on: the fakes honour signals and deadlines, and virtual time moves.

describe('FixedClock', () => {
  it('sleep advances now() at once, so deadlines expire; an aborted sleep does not advance', async () => {
    const clock = new FixedClock();
    const t0 = clock.now();
    await clock.sleep(120_000);
    expect(clock.now() - t0).toBe(120_000);
    const ac = new AbortController();
    ac.abort();
    await clock.sleep(5_000, ac.signal);
    expect(clock.now() - t0).toBe(120_000);
    expect(clock.sleeps).toEqual([120_000]);
  });
});

describe('FakeCluster', () => {
  it('a hanging command resolves aborted when its signal aborts, and timed out at its (virtual) deadline', async () => {
    const clock = new FixedClock();
    const cluster = new FakeCluster({ clock });
    cluster.script({ includes: 'sleep' }, { hang: true });
    const ac = new AbortController();
    const aborted = cluster.transport('n1').exec('sleep 1000', { timeoutMs: 60_000, signal: ac.signal });
    setImmediate(() => ac.abort());
    expect(await aborted).toMatchObject({ exitCode: null, aborted: true, timedOut: false });
    const late = cluster.transport('n1').exec('sleep 1000', { timeoutMs: 60_000 });
    await clock.sleep(59_000);
    await clock.sleep(1_000);
    expect(await late).toMatchObject({ exitCode: null, aborted: false, timedOut: true, durationMs: 60_000 });
  });

  it('without a clock, the deadline is real time', async () => {
    const cluster = new FakeCluster();
    cluster.script({}, { hang: true });
    expect(await cluster.transport('n1').exec('anything', { timeoutMs: 20 })).toMatchObject({ timedOut: true });
  });

  it(
    'records host, kind, env names and become; rules match by host/kind/substring, newest first, ' + '`times` limited',
    async () => {
      const plan = await loadPlan('playbooks/restart.yml');
      const cluster = new FakeCluster({ plan, clock: new FixedClock() });
      const stop = plan.batches[0]?.nodePlans[0]?.steps.find((s) => s.action === 'service-stop');
      if (stop?.action !== 'service-stop') throw new Error('no stop step');
      cluster.script({ host: 'node1', kind: 'status' }, { exitCode: 3 });
      cluster.script({ host: 'node1', kind: 'status', times: 1 }, { exitCode: 4 });
      const t = cluster.transport('node1');
      const opts = { timeoutMs: 1000, env: { B: '2', A: '1' }, become: true };
      expect((await t.exec(stop.statusCommand, opts)).exitCode).toBe(4);
      expect((await t.exec(stop.statusCommand, opts)).exitCode).toBe(3);
      expect((await cluster.transport('node2').exec(stop.statusCommand, opts)).exitCode).toBe(0);
      expect((await cluster.transport('node2').exec(stop.command ?? '', opts)).exitCode).toBe(0);
      expect((await cluster.transport('node2').exec(stop.statusCommand, opts)).exitCode).toBe(1);
      expect(cluster.calls.map((c) => [c.host, c.kind, c.envNames, c.become])).toEqual([
        ['node1', 'status', ['A', 'B'], true],
        ['node1', 'status', ['A', 'B'], true],
        ['node2', 'status', ['A', 'B'], true],
        ['node2', 'service-stop', ['A', 'B'], true],
        ['node2', 'status', ['A', 'B'], true],
      ]);
    },
  );

  it('`tail -c +N -F` streams the log from byte N, then appended lines, until aborted', async () => {
    const cluster = new FakeCluster({ clock: new FixedClock() });
    const host = cluster.host('n1');
    host.appendLog('/l', ['old', 'new1']);
    const seen: string[] = [];
    const ac = new AbortController();
    const tail = cluster.transport('n1').exec('exec tail -c +5 -F /l 2>/dev/null', {
      timeoutMs: 1000,
      signal: ac.signal,
      onLine: (_s, l) => seen.push(l),
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    host.appendLog('/l', ['new2']);
    await new Promise((r) => setImmediate(r));
    ac.abort();
    expect(await tail).toMatchObject({ aborted: true });
    expect(seen).toEqual(['new1', 'new2']);
  });
});

describe('FakeLb', () => {
  it(
    'drain → sessions fall to 0 after N polls; disable → MAINT; enable → transitional UP n/3, then UP; ' +
      'unknown member throws',
    async () => {
      const lb = new FakeLb(['a'], { sessionsAtDrain: 3, drainPolls: 2, transitionalPolls: 1 });
      await lb.drain('a');
      const polls = [await lb.state('a'), await lb.state('a'), await lb.state('a')].map(
        (s) => `${s.raw}:${String(s.sessions)}`,
      );
      expect(polls).toEqual(['DRAIN:3', 'DRAIN:3', 'DRAIN:0']);
      await lb.disable('a', true);
      expect((await lb.state('a')).state).toBe('MAINT');
      await lb.enable('a');
      expect([(await lb.state('a')).raw, (await lb.state('a')).raw]).toEqual(['UP 1/3', 'UP']);
      await expect(lb.state('nope')).rejects.toThrow('no such server: nope');
      expect(lb.calls.filter((c) => c.op !== 'state').map((c) => c.op)).toEqual(['drain', 'disable', 'enable']);
    },
  );
});
