import type { LbDriver, MemberState } from './driver.js';

/** One load-balancer instance and its driver. */
export interface LbInstanceDriver {
  name: string;
  driver: LbDriver;
}

/** How far out of rotation a state is: the combined state of a member is the one furthest out. */
const OUTNESS: Record<MemberState['state'], number> = { UP: 0, UNKNOWN: 1, DOWN: 2, DRAIN: 3, MAINT: 4 };

/**
 * A member's state over several instances: UP only when UP in every one, else the state furthest out; sessions summed;
 * each instance named in `raw`.
 */
export function combineStates(states: ReadonlyArray<{ name: string; state: MemberState }>): MemberState {
  const worst = states.reduce<MemberState['state']>(
    (w, s) => (OUTNESS[s.state.state] > OUTNESS[w] ? s.state.state : w),
    'UP',
  );
  const sessions = states.every((s) => s.state.sessions !== null)
    ? states.reduce((n, s) => n + (s.state.sessions ?? 0), 0)
    : null;
  return {
    state: states.length ? worst : 'UNKNOWN',
    raw: states.map((s) => `${s.name}: ${s.state.raw}`).join(', '),
    sessions,
  };
}

/**
 * A member's state as shown for a load balancer of `instances` instances: a single instance's state as it reports it,
 * several combined (combineStates: the state furthest out, each instance named).
 */
export function shownState(
  states: ReadonlyArray<{ name: string; state: MemberState }>,
  instances: number,
): MemberState {
  const [only] = states;
  return instances === 1 && only && states.length === 1 ? only.state : combineStates(states);
}

/**
 * Several instances of one load balancer (an HA pair) driven as one: every drain, hard step and
 * enable goes to all of them at once, and a member counts as out of rotation when it is out of any.
 * A call fails when it fails on any instance, naming which (the others were still attempted, so a
 * retry or a reconcile finds them in the state asked for).
 */
export class MultiLbDriver implements LbDriver {
  constructor(readonly instances: readonly LbInstanceDriver[]) {
    if (instances.length === 0) throw new Error('MultiLbDriver needs at least one instance');
  }

  async drain(member: string, signal?: AbortSignal): Promise<void> {
    await this.each((d) => d.drain(member, signal), signal);
  }

  async disable(member: string, shutdownSessions: boolean, signal?: AbortSignal): Promise<void> {
    await this.each((d) => d.disable(member, shutdownSessions, signal), signal);
  }

  async enable(member: string, signal?: AbortSignal): Promise<void> {
    await this.each((d) => d.enable(member, signal), signal);
  }

  /** Every instance must be able to (all HAProxy): otherwise nothing is sent and the step fails. */
  async healthUp(member: string, signal?: AbortSignal): Promise<void> {
    const cannot = this.instances.filter((i) => !i.driver.healthUp).map((i) => i.name);
    if (cannot.length) throw new Error(`load balancer ${cannot.join(', ')} cannot mark a member's health UP`);
    await this.each((d) => (d.healthUp as NonNullable<LbDriver['healthUp']>).call(d, member, signal), signal);
  }

  async state(member: string, signal?: AbortSignal): Promise<MemberState> {
    const states = await this.each((d) => d.state(member, signal), signal);
    return combineStates(this.instances.map((i, n) => ({ name: i.name, state: states[n] as MemberState })));
  }

  /** Every member any instance knows; a member missing from an instance counts as UNKNOWN there. */
  async members(signal?: AbortSignal): Promise<Map<string, MemberState>> {
    const maps = await this.each((d) => d.members(signal), signal);
    const names = [...new Set(maps.flatMap((m) => [...m.keys()]))];
    const missing: MemberState = { state: 'UNKNOWN', raw: 'not found', sessions: null };
    return new Map(
      names.map((m) => [
        m,
        combineStates(this.instances.map((i, n) => ({ name: i.name, state: maps[n]?.get(m) ?? missing }))),
      ]),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.driver.close().catch(() => undefined)));
  }

  /** Runs `call` on every instance in parallel; waits for all, then throws naming each instance that failed. */
  private async each<T>(call: (d: LbDriver) => Promise<T>, signal: AbortSignal | undefined): Promise<T[]> {
    const results = await Promise.allSettled(this.instances.map((i) => call(i.driver)));
    // Interrupted: the abort's own reason, as a single driver throws it.
    if (signal?.aborted && results.some((r) => r.status === 'rejected'))
      throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    const failures = results.flatMap((r, n) =>
      r.status === 'rejected' ? [`${this.instances[n]?.name}: ${(r.reason as Error).message ?? String(r.reason)}`] : [],
    );
    if (failures.length) throw new Error(`on load balancer ${failures.join('; on load balancer ')}`);
    return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  }
}
