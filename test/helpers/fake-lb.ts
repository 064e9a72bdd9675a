import type { LbDriver, MemberState } from '../../src/execute/lb/driver.js';
import { nextSeq, type FixedClock } from './fixed-clock.js';

/** What the fake load balancer was asked to do. */
export type LbOp = 'drain' | 'disable' | 'enable' | 'health-up' | 'state' | 'members' | 'close';

/** One recorded driver call. */
export interface LbCall {
  /** Position in the merged call log of every fake (see `nextSeq`). */
  seq: number;
  /** Virtual time of the call (0 without a clock). */
  at: number;
  op: LbOp;
  member: string | null;
  /** For `disable`: whether remaining sessions were to be shut down. */
  shutdownSessions?: boolean;
  /** For `state`: what was answered (`raw`, or `error: …`). */
  answer?: string;
}

/** A member of the fake pool and how it behaves. */
export interface FakeMember {
  state: MemberState['state'];
  /** The LB's own word; null means the same as `state`. */
  raw: string | null;
  /** Sessions the member holds right now (null: the LB cannot tell). */
  sessions: number | null;
  /** Sessions it holds when a drain starts. */
  sessionsAtDrain: number;
  /**
   * State polls after a drain during which sessions stay at `sessionsAtDrain` before falling to 0 (Infinity: never).
   */
  drainPolls: number;
  /**
   * Requests the LB routes to the member between the poll that saw 0 sessions and the hard step (a sticky user's, in
   * the gap): in flight when the member goes to MAINT, they end after `drainPolls` more polls.
   */
  sessionsAtHard: number;
  /**
   * State polls after an enable that still report a transitional `UP n/3` before a settled `UP` (Infinity: never
   * settles).
   */
  transitionalPolls: number;
  /** Polls since the last drain / enable (internal). */
  pollsSinceDrain: number;
  pollsSinceEnable: number;
  /** Set by drain, cleared by enable: sessions are falling. */
  draining: boolean;
}

/** Options of the fake pool; every member starts UP with these. */
export interface FakeLbOptions {
  clock?: FixedClock;
  sessionsAtDrain?: number;
  drainPolls?: number;
  transitionalPolls?: number;
}

/**
 * An LbDriver over an in-memory pool (UP/DRAIN/MAINT/DOWN members, scriptable session counts)
 * with a call log. Drain → DRAIN, disable → MAINT, enable → UP (after `transitionalPolls`
 * transitional `UP n/3` answers, as HAProxy shows while health checks run).
 */
export class FakeLb implements LbDriver {
  readonly calls: LbCall[] = [];
  readonly pool = new Map<string, FakeMember>();
  /** Errors to throw from the next matching call: `${op}:${member}` → error. */
  private readonly failures = new Map<string, Error>();

  constructor(
    members: readonly string[],
    private readonly options: FakeLbOptions = {},
  ) {
    for (const m of members) this.add(m);
  }

  /** Adds a member in the UP state with the pool's defaults. */
  add(member: string, patch: Partial<FakeMember> = {}): FakeMember {
    const m: FakeMember = {
      state: 'UP',
      raw: null,
      sessions: 2,
      sessionsAtDrain: this.options.sessionsAtDrain ?? 2,
      drainPolls: this.options.drainPolls ?? 1,
      sessionsAtHard: 0,
      transitionalPolls: this.options.transitionalPolls ?? 0,
      pollsSinceDrain: 0,
      pollsSinceEnable: 0,
      draining: false,
      ...patch,
    };
    this.pool.set(member, m);
    return m;
  }

  /** Changes a member (e.g. another operator put it in MAINT). */
  set(member: string, patch: Partial<FakeMember>): void {
    const m = this.pool.get(member);
    if (!m) throw new Error(`fake LB: no member ${member}`);
    Object.assign(m, patch);
  }

  /** The member's current fake state. */
  member(member: string): FakeMember {
    const m = this.pool.get(member);
    if (!m) throw new Error(`fake LB: no member ${member}`);
    return m;
  }

  /** Makes the next `op` on `member` throw. */
  failNext(op: LbOp, member: string, error = new Error(`fake LB: ${op} ${member} failed`)): void {
    this.failures.set(`${op}:${member}`, error);
  }

  /** The calls for one member, optionally only some operations. */
  callsFor(member: string, ...ops: LbOp[]): LbCall[] {
    return this.calls.filter((c) => c.member === member && (ops.length === 0 || ops.includes(c.op)));
  }

  private record(
    op: LbOp,
    member: string | null,
    signal: AbortSignal | undefined,
    extra: Partial<LbCall> = {},
  ): LbCall {
    const call: LbCall = { seq: nextSeq(), at: this.options.clock?.now() ?? 0, op, member, ...extra };
    this.calls.push(call);
    // like the real drivers: an aborted run's request is not sent
    if (signal?.aborted) throw new Error('This operation was aborted');
    const err = member ? this.failures.get(`${op}:${member}`) : undefined;
    if (err && member) {
      this.failures.delete(`${op}:${member}`);
      throw err;
    }
    return call;
  }

  async drain(member: string, signal?: AbortSignal): Promise<void> {
    this.record('drain', member, signal);
    const m = this.member(member);
    m.state = 'DRAIN';
    m.raw = null;
    m.draining = true;
    m.pollsSinceDrain = 0;
    m.sessions = m.sessionsAtDrain;
  }

  async disable(member: string, shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    this.record('disable', member, signal, { shutdownSessions });
    const m = this.member(member);
    m.state = 'MAINT';
    m.raw = null;
    if (m.sessions === 0 && m.sessionsAtHard > 0) {
      m.sessions = m.sessionsAtHard;
      m.pollsSinceDrain = 0;
    }
    if (shutdownSessions) m.sessions = 0;
  }

  async enable(member: string, signal?: AbortSignal): Promise<void> {
    this.record('enable', member, signal);
    const m = this.member(member);
    m.state = 'UP';
    m.raw = null;
    m.draining = false;
    m.pollsSinceEnable = 0;
    m.sessions = 0;
  }

  /** Like HAProxy's `health up`: an enabled member is settled UP at once (no more transitional answers). */
  async healthUp(member: string, signal?: AbortSignal): Promise<void> {
    this.record('health-up', member, signal);
    const m = this.member(member);
    if (m.state === 'UP') m.pollsSinceEnable = Math.max(m.pollsSinceEnable, m.transitionalPolls);
  }

  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    const call = this.record('state', member, signal);
    const m = this.pool.get(member);
    if (!m) {
      call.answer = 'error: no such server';
      throw new Error(`no such server: ${member}`);
    }
    if (m.draining && m.sessions !== null && m.sessions > 0) {
      m.pollsSinceDrain += 1;
      if (m.pollsSinceDrain > m.drainPolls) m.sessions = 0;
    }
    let raw = m.raw ?? m.state;
    if (m.state === 'UP' && m.raw === null && !m.draining) {
      m.pollsSinceEnable += 1;
      if (m.pollsSinceEnable <= m.transitionalPolls) raw = `UP ${Math.min(m.pollsSinceEnable, 2)}/3`;
    }
    call.answer = raw;
    return { state: m.state, raw, sessions: m.sessions };
  }

  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    this.record('members', null, signal);
    return new Map(
      [...this.pool.entries()].map(([name, m]) => [
        name,
        { state: m.state, raw: m.raw ?? m.state, sessions: m.sessions },
      ]),
    );
  }

  async close(): Promise<void> {
    this.record('close', null, undefined);
  }
}
