import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  acquireClusterLock,
  nodeLocks,
  readClusterLock,
  refreshClusterLock,
  releaseClusterLock,
  type ClusterLock,
  type ClusterLockDeps,
  type LockRefusal,
} from '../../../src/app/cluster-lock.js';
import { breakLock, type LockOwner, type NodeLock } from '../../../src/app/lock.js';
import type { EventInput } from '../../../src/execute/events.js';
import { lockOrder, lockSection } from '../../../src/plan/cluster-lock-steps.js';
import type { Transport } from '../../../src/execute/transport.js';
import { LocalTransport } from '../../../src/execute/transports/local.js';
import type { Plan, PlanNode } from '../../../src/plan/types.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { LOCAL_TIMINGS } from '../../../src/plan/defaults.js';

// The cluster lock, run for real (the plan's lock steps on the local transport, one temp Liferay home
// per node): held on every node of the inventory, in an order that does not depend on how the
// inventory lists the nodes or on --limit; partial acquisitions are given back; a lock is never
// taken over silently.

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lrroll-lock-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function node(name: string, host: string): PlanNode {
  const liferayHome = join(root, host);
  mkdirSync(liferayHome, { recursive: true });
  return {
    name,
    host,
    transport: 'local',
    port: null,
    user: null,
    identityFile: null,
    liferayHome,
    tomcatHome: join(liferayHome, 'tomcat'),
    httpPort: 8080,
    member: name,
    stagingDir: join(liferayHome, 'staging'),
    proxyJump: null,
    becomeUser: null,
    becomePassword: null,
  };
}

/** A plan of these nodes (inventory order as given), changing `limit` of them (default all). */
function plan(nodes: PlanNode[], limit: string[] = nodes.map((n) => n.name)): Plan {
  return {
    nodes,
    batches: [{ index: 1, nodes: limit }],
    name: 'lock test',
    hash: 'f'.repeat(64),
    source: { file: 'pb.yml' },
    cluster: { lock: lockSection(nodes), reconcile: [], status: [] },
  } as unknown as Plan;
}

function owner(runId: string, pid = 4242): LockOwner {
  return {
    user: 'alice',
    host: 'ws1',
    pid,
    runId,
    planHash: 'f'.repeat(64),
    name: 'lock test',
    since: '2026-01-01T00:00:00Z',
    message: '',
  };
}

const local = new LocalTransport(LOCAL_TIMINGS.localKillGraceMs);
const unreachable = new Set<string>();
/** A transport whose `exec` throws (like SSH to a host that is down) for the nodes in `unreachable`. */
function transportFor(n: PlanNode): Transport {
  if (!unreachable.has(n.name)) return local;
  const refused = async (): Promise<never> => Promise.reject(new Error(`cannot connect to ${n.host}: ECONNREFUSED`));
  return {
    describe: n.name,
    connect: async () => undefined,
    exec: refused,
    put: refused,
    close: async () => undefined,
  };
}
let events: EventInput[] = [];
/** What the lock told the operator (its events' notes, taken and released left out). */
const notes = (): string[] => events.flatMap((e) => (e.kind === 'lock' && e.state !== 'taken' ? [e.text] : []));
const deps = (isLive: ClusterLockDeps['isLive'] = () => null): ClusterLockDeps => ({
  transportFor,
  clock: new FixedClock(),
  signal: new AbortController().signal,
  isLive,
  emit: (e) => events.push(e),
});
/** The lock of one node, as the plan's steps run it. */
const lockOf = (p: Plan, n: PlanNode): NodeLock =>
  nodeLocks(p, transportFor).find((l) => l.steps.node === n.name) as NodeLock;
const lockDir = (n: PlanNode): string => join(n.liferayHome, '.lrroll/lock');
const held = (n: PlanNode): string | null =>
  existsSync(join(lockDir(n), 'owner'))
    ? (JSON.parse(readFileSync(join(lockDir(n), 'owner'), 'utf8')) as LockOwner).runId
    : null;
const isRefusal = (x: ClusterLock | LockRefusal): x is LockRefusal => !('nodes' in x);

describe('the cluster lock', () => {
  beforeEach(() => {
    unreachable.clear();
    events = [];
  });

  it('is held on every node of the inventory, in one order whatever the inventory order', async () => {
    const [a, b, c] = [node('a', '10.0.0.3'), node('b', '10.0.0.1'), node('c', '10.0.0.2')];
    expect(lockOrder([a, b, c]).map((n) => n.name)).toEqual(['b', 'c', 'a']);
    expect(lockOrder([c, a, b]).map((n) => n.name)).toEqual(['b', 'c', 'a']);
    expect(plan([c, a, b]).cluster.lock.nodes.map((n) => n.node)).toEqual(['b', 'c', 'a']);
    const first = await acquireClusterLock(plan([a, b, c]), owner('run-1'), 0, deps());
    expect(isRefusal(first)).toBe(false);
    expect([held(a), held(b), held(c)]).toEqual(['run-1', 'run-1', 'run-1']);
  });

  it.each([
    ['the same cluster listed in another order', (ns: PlanNode[]) => plan([...ns].reverse())],
    ['--limit to the last node', (ns: PlanNode[]) => plan(ns, [ns[2]?.name ?? ''])],
    ['--limit to a node the other run does not change', (ns: PlanNode[]) => plan(ns, [ns[0]?.name ?? ''])],
  ])('a second run is refused: %s', async (_, second) => {
    const ns = [node('n1', '10.0.0.1'), node('n2', '10.0.0.2'), node('n3', '10.0.0.3')];
    const first = await acquireClusterLock(plan(ns, ['n2']), owner('run-1'), 0, deps());
    expect(isRefusal(first)).toBe(false);
    const other = await acquireClusterLock(second(ns), owner('run-2'), 0, deps());
    expect(other).toMatchObject({
      node: 'n1',
      held: { owner: { runId: 'run-1', user: 'alice', host: 'ws1' }, stale: false },
    });
    expect(ns.map(held)).toEqual(['run-1', 'run-1', 'run-1']);
  });

  it('with --lock-wait, says once that it waits, then gives up at the deadline', async () => {
    const ns = [node('n1', '10.0.0.1'), node('n2', '10.0.0.2')];
    await acquireClusterLock(plan(ns), owner('run-1'), 0, deps());
    events = [];
    const r = await acquireClusterLock(plan(ns), owner('run-2'), 20, deps());
    expect(r).toMatchObject({ node: 'n1' });
    expect(
      events.map((e) =>
        e.kind === 'lock' ? `${e.state} ${e.nodes.join(',')} ${e.holder ?? '?'} ${e.stepId ?? ''}` : e.kind,
      ),
    ).toEqual(['waiting n1 run-1 cluster/lock/n1/lock-take']);
  });

  it('a run that cannot take every node gives back the nodes it took', async () => {
    const ns = [node('n1', '10.0.0.1'), node('n2', '10.0.0.2'), node('n3', '10.0.0.3')];
    // Only n3 is held (as after a crash in the middle of another run's acquisition).
    const partial = await acquireClusterLock(plan([ns[2] as PlanNode]), owner('run-1'), 0, deps());
    expect(isRefusal(partial)).toBe(false);
    const r = await acquireClusterLock(plan(ns), owner('run-2'), 0, deps());
    expect(r).toMatchObject({ node: 'n3' });
    expect(ns.map(held)).toEqual([null, null, 'run-1']);
    expect(existsSync(lockDir(ns[0] as PlanNode))).toBe(false);
  });

  it('a node this run changes that cannot be reached: nothing stays locked, the error names it', async () => {
    const ns = [node('n1', '10.0.0.1'), node('n2', '10.0.0.2'), node('n3', '10.0.0.3')];
    unreachable.add('n3');
    await expect(acquireClusterLock(plan(ns), owner('run-1'), 0, deps())).rejects.toThrow(
      /cannot connect to 10\.0\.0\.3/,
    );
    expect(ns.map(held)).toEqual([null, null, null]);
  });

  it('a node outside --limit that cannot be reached is skipped, and said so', async () => {
    const ns = [node('n1', '10.0.0.1'), node('n2', '10.0.0.2'), node('n3', '10.0.0.3')];
    unreachable.add('n2');
    const r = await acquireClusterLock(plan(ns, ['n1', 'n3']), owner('run-1'), 0, deps());
    if (isRefusal(r)) throw new Error('refused');
    expect(r.nodes.map((n) => n.steps.node)).toEqual(['n1', 'n3']);
    expect(notes()).toEqual([
      'n2: its run lock could not be taken (cannot connect to 10.0.0.2: ECONNREFUSED); this run does not change it',
    ]);
    expect(events.at(-1)).toMatchObject({ kind: 'lock', state: 'taken', nodes: ['n1', 'n3'], holder: 'run-1' });
  });

  it('is created readable by its owner only', async () => {
    const n = node('n1', '10.0.0.1');
    await acquireClusterLock(plan([n]), owner('run-1'), 0, deps());
    expect(statSync(lockDir(n)).mode & 0o777).toBe(0o700);
    expect(statSync(join(lockDir(n), 'owner')).mode & 0o777).toBe(0o600);
  });
});

describe('the lock is never taken over silently', () => {
  const ns = (): PlanNode[] => [node('n1', '10.0.0.1'), node('n2', '10.0.0.2')];

  it('a stale lock is reported stale, not taken', async () => {
    const nodes = ns();
    await acquireClusterLock(plan(nodes), owner('run-1'), 0, deps());
    const old = new Date(Date.now() - 3600_000);
    for (const n of nodes) utimesSync(join(lockDir(n), 'owner'), old, old);
    const r = await acquireClusterLock(
      plan(nodes),
      owner('run-2'),
      0,
      deps(() => false),
    );
    expect(r).toMatchObject({ node: 'n1', held: { stale: true, owner: { runId: 'run-1' } } });
    expect(nodes.map(held)).toEqual(['run-1', 'run-1']);
  });

  it.each<[string, boolean | null, boolean]>([
    ['gone from this host: resume takes it over', false, true],
    ['still running on this host: refused', true, false],
    ['on another host (cannot tell): refused', null, false],
  ])('the interrupted run being resumed holds it, %s', async (_, live, takenOver) => {
    const nodes = ns();
    await acquireClusterLock(plan(nodes), owner('run-1', 1111), 0, deps());
    events = [];
    const r = await acquireClusterLock(
      plan(nodes),
      owner('run-1', 2222),
      0,
      deps(() => live),
    );
    expect(isRefusal(r)).toBe(!takenOver);
    expect(notes()).toEqual(
      takenOver
        ? ['took over the cluster lock of the interrupted run run-1 (pid 1111 on ws1 is no longer running)']
        : [],
    );
    const pid = JSON.parse(readFileSync(join(lockDir(nodes[0] as PlanNode), 'owner'), 'utf8')).pid as number;
    expect(pid).toBe(takenOver ? 2222 : 1111);
  });

  it('a run whose lock was broken or taken learns it at its next refresh', async () => {
    const nodes = ns();
    const mine = await acquireClusterLock(plan(nodes), owner('run-1'), 0, deps());
    if (isRefusal(mine)) throw new Error('refused');
    expect(await refreshClusterLock(mine, 'run-1')).toBeNull();
    await breakLock(lockOf(plan(nodes), nodes[1] as PlanNode), 'run-1');
    expect(await refreshClusterLock(mine, 'run-1')).toEqual({
      node: 'n2',
      holder: null,
      text: 'the cluster lock on n2 was broken (lrroll unlock)',
    });
    const theirs = await acquireClusterLock(plan([nodes[1] as PlanNode]), owner('run-2'), 0, deps());
    expect(isRefusal(theirs)).toBe(false);
    expect((await refreshClusterLock(mine, 'run-1'))?.text).toMatch(
      /^the cluster lock on n2 was taken by alice@ws1 \(pid 4242\), run run-2 /,
    );
    await releaseClusterLock(mine, 'run-1');
    expect(nodes.map(held)).toEqual([null, 'run-2']);
  });

  it('breaking removes only the lock of the run that was shown', async () => {
    const nodes = ns();
    await acquireClusterLock(plan(nodes), owner('run-1'), 0, deps());
    await breakLock(lockOf(plan(nodes), nodes[0] as PlanNode), 'run-9');
    expect(held(nodes[0] as PlanNode)).toBe('run-1');
    writeFileSync(join(lockDir(nodes[1] as PlanNode), 'owner'), 'garbage');
    const read = await readClusterLock(plan(nodes), transportFor);
    expect(read.map((l) => [l.node.steps.node, l.held?.owner?.runId ?? (l.held ? 'unreadable' : null)])).toEqual([
      ['n1', 'run-1'],
      ['n2', 'unreadable'],
    ]);
    await breakLock(lockOf(plan(nodes), nodes[1] as PlanNode), null);
    expect(existsSync(lockDir(nodes[1] as PlanNode))).toBe(false);
  });
});
