// Several load-balancer instances (an HA pair) driven as one: every call goes to each instance,
// a member counts as out when it is out of any, and a failure names the instance.
import { describe, expect, it } from 'vitest';
import type { LbDriver, MemberState } from '../../../src/execute/lb/driver.js';
import { combineStates, MultiLbDriver } from '../../../src/execute/lb/instances.js';

/** An in-memory load balancer that records calls. */
function fakeLb(
  states: Record<string, MemberState>,
  options: { failOn?: string } = {},
): LbDriver & { calls: string[] } {
  const calls: string[] = [];
  const act = async (what: string, member: string, state: MemberState['state']): Promise<void> => {
    calls.push(`${what} ${member}`);
    if (options.failOn === what) throw new Error(`${what} refused`);
    states[member] = { state, raw: state, sessions: 0 };
  };
  return {
    calls,
    drain: (m) => act('drain', m, 'DRAIN'),
    disable: (m) => act('disable', m, 'MAINT'),
    enable: (m) => act('enable', m, 'UP'),
    state: async (m) => {
      const s = states[m];
      if (!s) throw new Error(`no server ${m}`);
      return s;
    },
    members: async () => new Map(Object.entries(states)),
    close: async () => undefined,
  };
}

const up = (sessions: number | null = 0): MemberState => ({ state: 'UP', raw: 'UP', sessions });

describe('combineStates', () => {
  it('is UP only when UP in every instance; otherwise the state furthest out', () => {
    expect(
      combineStates([
        { name: 'a', state: up() },
        { name: 'b', state: up() },
      ]),
    ).toEqual({ state: 'UP', raw: 'a: UP, b: UP', sessions: 0 });
    expect(
      combineStates([
        { name: 'a', state: up() },
        { name: 'b', state: { state: 'DRAIN', raw: 'DRAIN', sessions: 2 } },
      ]).state,
    ).toBe('DRAIN');
    expect(
      combineStates([
        { name: 'a', state: { state: 'MAINT', raw: 'MAINT', sessions: 0 } },
        { name: 'b', state: { state: 'DRAIN', raw: 'DRAIN', sessions: 0 } },
      ]).state,
    ).toBe('MAINT');
    expect(
      combineStates([
        { name: 'a', state: up() },
        { name: 'b', state: { state: 'UNKNOWN', raw: 'not found', sessions: null } },
      ]).state,
    ).toBe('UNKNOWN');
  });

  it('adds the sessions of every instance (unknown when one is unknown)', () => {
    expect(
      combineStates([
        { name: 'a', state: up(3) },
        { name: 'b', state: up(4) },
      ]).sessions,
    ).toBe(7);
    expect(
      combineStates([
        { name: 'a', state: up(3) },
        { name: 'b', state: up(null) },
      ]).sessions,
    ).toBeNull();
  });
});

describe('MultiLbDriver', () => {
  it('drains, takes out and enables the member in every instance', async () => {
    const a = fakeLb({ node1: up() });
    const b = fakeLb({ node1: up() });
    const d = new MultiLbDriver([
      { name: 'lb1', driver: a },
      { name: 'lb2', driver: b },
    ]);
    await d.drain('node1');
    await d.disable('node1', false);
    await d.enable('node1');
    expect(a.calls).toEqual(['drain node1', 'disable node1', 'enable node1']);
    expect(b.calls).toEqual(a.calls);
    expect(await d.state('node1')).toEqual({ state: 'UP', raw: 'lb1: UP, lb2: UP', sessions: 0 });
  });

  it('a member out of one instance is out', async () => {
    const d = new MultiLbDriver([
      { name: 'lb1', driver: fakeLb({ node1: up() }) },
      { name: 'lb2', driver: fakeLb({ node1: { state: 'MAINT', raw: 'MAINT', sessions: 0 } }) },
    ]);
    expect(await d.state('node1')).toMatchObject({ state: 'MAINT', raw: 'lb1: UP, lb2: MAINT' });
    expect((await d.members()).get('node1')?.state).toBe('MAINT');
  });

  it('a failure on one instance fails the call, names it, and the other instance was still asked', async () => {
    const a = fakeLb({ node1: up() });
    const b = fakeLb({ node1: up() }, { failOn: 'drain' });
    const d = new MultiLbDriver([
      { name: 'lb1', driver: a },
      { name: 'lb2', driver: b },
    ]);
    await expect(d.drain('node1')).rejects.toThrow('on load balancer lb2: drain refused');
    expect(a.calls).toEqual(['drain node1']);
    expect((await d.state('node1')).state).toBe('DRAIN');
  });

  it('a member only one instance knows is UNKNOWN in the other', async () => {
    const d = new MultiLbDriver([
      { name: 'lb1', driver: fakeLb({ node1: up(), node9: up() }) },
      { name: 'lb2', driver: fakeLb({ node1: up() }) },
    ]);
    expect((await d.members()).get('node9')).toEqual({
      state: 'UNKNOWN',
      raw: 'lb1: UP, lb2: not found',
      sessions: null,
    });
    await expect(d.state('node9')).rejects.toThrow('on load balancer lb2: no server node9');
  });

  it('an interrupted call throws the abort reason itself', async () => {
    const ctl = new AbortController();
    const slow: LbDriver = {
      ...fakeLb({}),
      drain: (_m, signal) =>
        new Promise((_r, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error))),
    };
    const d = new MultiLbDriver([
      { name: 'lb1', driver: slow },
      { name: 'lb2', driver: slow },
    ]);
    const p = d.drain('node1', ctl.signal);
    const reason = new Error('Ctrl-C');
    ctl.abort(reason);
    await expect(p).rejects.toBe(reason);
  });
});

describe('MultiLbDriver.healthUp', () => {
  const withHealthUp = (lb: LbDriver & { calls: string[] }, fail = false): LbDriver & { calls: string[] } =>
    Object.assign(lb, {
      healthUp: async (m: string) => {
        lb.calls.push(`health-up ${m}`);
        if (fail) throw new Error('Health checks are not enabled on this server.');
      },
    });

  it('sends health up to every instance', async () => {
    const a = withHealthUp(fakeLb({ node1: up() }));
    const b = withHealthUp(fakeLb({ node1: up() }));
    await new MultiLbDriver([
      { name: 'lb1', driver: a },
      { name: 'lb2', driver: b },
    ]).healthUp('node1');
    expect([a.calls, b.calls]).toEqual([['health-up node1'], ['health-up node1']]);
  });

  it('names the instance that refused, after trying the others', async () => {
    const a = withHealthUp(fakeLb({ node1: up() }), true);
    const b = withHealthUp(fakeLb({ node1: up() }));
    await expect(
      new MultiLbDriver([
        { name: 'lb1', driver: a },
        { name: 'lb2', driver: b },
      ]).healthUp('node1'),
    ).rejects.toThrow('on load balancer lb1: Health checks are not enabled on this server.');
    expect(b.calls).toEqual(['health-up node1']);
  });

  it('sends nothing when an instance cannot mark health UP', async () => {
    const a = withHealthUp(fakeLb({ node1: up() }));
    const b = fakeLb({ node1: up() });
    await expect(
      new MultiLbDriver([
        { name: 'lb1', driver: a },
        { name: 'lb2', driver: b },
      ]).healthUp('node1'),
    ).rejects.toThrow("load balancer lb2 cannot mark a member's health UP");
    expect(a.calls).toEqual([]);
  });
});
