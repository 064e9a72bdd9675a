import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireClusterLock, releaseClusterLock } from '../../../src/app/cluster-lock.js';
import { sshSettings, TransportPool, type Transports } from '../../../src/app/execute.js';
import { Journal } from '../../../src/app/journal.js';
import { makeOwner, type LockOwner } from '../../../src/app/lock.js';
import { findLeftOut, reconcile } from '../../../src/app/reconcile.js';
import { readStatus } from '../../../src/app/status.js';
import { openUnlock } from '../../../src/app/unlock.js';
import type { Transport } from '../../../src/execute/transport.js';
import type { ClusterStep, Plan } from '../../../src/plan/types.js';
import { fillPlaceholders } from '../../../src/shell/quote.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { loadPlan } from '../../helpers/fake-transport.js';

// Everything the lock, reconcile, `status` and `unlock` send to a host is a step of the plan, once
// its placeholders are filled in. The commands run for real (local transport, a temp Liferay home
// per node, a real HTTP probe, a `type: command` load balancer whose commands are shell) through a
// wrapper that records every command the transports are given. (The end-to-end version of this
// check, on the SSH test cluster, needs the product's own recorder of remote actions.)

let dir: string;
let server: Server;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-planned-'));
  server = createServer((_req, res) => res.writeHead(200).end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function planOf(): Promise<Plan> {
  const port = (server.address() as AddressInfo).port;
  const nodes = ['node2', 'node1', 'node3'];
  for (const n of nodes) mkdirSync(join(dir, n), { recursive: true });
  const file = join(dir, 'pb.yml');
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: planned actions',
      'inventory:',
      '  defaults:',
      '    transport: local',
      '    service:',
      '      type: commands',
      '      start: "true"',
      '      stop: "true"',
      '      status: "true"',
      '  nodes:',
      ...nodes.flatMap((n) => [`    - name: ${n}`, `      liferayHome: ${join(dir, n)}`]),
      'loadBalancer:',
      '  type: command',
      `  drain: "echo drained {{member}} >> ${dir}/lb.log"`,
      `  enable: "echo enabled {{member}} >> ${dir}/lb.log"`,
      '  status: "echo UP {{member}}"',
      'health:',
      '  http:',
      `    url: http://127.0.0.1:${port}/`,
      'change:',
      '  type: restart',
      '',
    ].join('\n'),
  );
  return loadPlan(file);
}

/** Transports that record every command they are given. */
function recording(pool: TransportPool, sent: string[]): Transports {
  const wrap = (t: Transport): Transport => ({
    describe: t.describe,
    connect: (s) => t.connect(s),
    close: () => t.close(),
    put: (...a) => t.put(...a),
    exec: (command, options) => (sent.push(command), t.exec(command, options)),
  });
  return {
    forNode: (n) => wrap(pool.forNode(n)),
    forLb: (p) => wrap(pool.forLb(p)),
    forVia: (v) => wrap(pool.forVia(v)),
    closeAll: () => pool.closeAll(),
  };
}

/** Every command the plan's cluster steps can send, with the run-time values filled in. */
function planned(plan: Plan, values: Record<string, string>): Set<string> {
  const c = plan.cluster;
  const steps: Array<ClusterStep | null> = [
    ...c.lock.nodes.flatMap((n) => [n.take, n.takeOver, n.refresh, n.release, n.read, n.break]),
    ...c.reconcile.flatMap((r) => [r.app, r.http, r.putBack, r.waitUp]),
    ...c.status.flatMap((s) => [s.app, s.http, s.patches]),
    ...c.statusLb,
  ];
  return new Set(steps.flatMap((s) => (s?.command ? [fillPlaceholders(s.command, s.placeholders, values)] : [])));
}

describe('every remote action of the lock, reconcile, status and unlock is a planned step', () => {
  it("a run's lock and reconcile, then status and unlock: zero unplanned commands", async () => {
    const plan = await planOf();
    const env = { LRROLL_HOME: join(dir, 'home'), HOME: dir };
    const sent: string[] = [];
    const pool = new TransportPool(sshSettings(env, false), env);
    const transports = recording(pool, sent);
    const clock = new FixedClock();
    // An earlier run (its process gone) left node1 out of the load balancer.
    const earlier = Journal.create(env, plan, 'run-0', clock.iso());
    earlier.record({ v: 3, at: clock.iso(), kind: 'lb-state', node: 'node1', member: 'node1', state: 'out' });
    earlier.close();
    writeFileSync(
      join(earlier.dir, 'meta.json'),
      JSON.stringify({
        runId: 'run-0',
        planHash: plan.hash,
        name: plan.name,
        playbook: 'pb.yml',
        gitCommit: null,
        gitDirty: false,
        user: 'alice',
        host: 'elsewhere',
        pid: 1,
        startedAt: clock.iso(),
        status: 'failed',
        endedAt: clock.iso(),
        nodes: plan.nodes.map((n) => n.name),
      }),
    );

    const owner: LockOwner = makeOwner(plan, 'run-1', env, 'test', 4242, clock.iso());
    const lock = await acquireClusterLock(plan, owner, 0, {
      transportFor: (n) => transports.forNode(n),
      clock,
      signal: new AbortController().signal,
      isLive: () => null,
    });
    if (!('nodes' in lock)) throw new Error('refused');
    const results = await reconcile(plan, findLeftOut(plan, env), {
      transportFor: (n) => transports.forNode(n),
      lbTransport: transports.forLb(plan),
      lb: null,
      clock,
      signal: new AbortController().signal,
    });
    expect(results).toMatchObject([
      { node: 'node1', action: 'put-back', stepId: 'cluster/reconcile/node1/lb-put-back' },
    ]);
    const rows = await readStatus(plan, env, () => undefined, undefined, transports);
    expect(rows.map((r) => [r.node, r.app, r.http, r.lbState])).toEqual([
      ['node2', 'running', '200', 'UP node2'],
      ['node1', 'running', '200', 'UP node1'],
      ['node3', 'running', '200', 'UP node3'],
    ]);
    const runSent = sent.length;
    const unlock = await openUnlock(plan, env, { configFile: null, knownHostsFiles: null }, transports);
    expect(unlock.holders.map((h) => [h.runId, h.nodes])).toEqual([['run-1', ['node1', 'node2', 'node3']]]);
    expect(await unlock.breakAll()).toBe(3);
    await releaseClusterLock(lock, 'run-1');
    await pool.closeAll();

    const allowed = planned(plan, { owner: JSON.stringify(owner), runId: 'run-1', heldRunId: 'run-1' });
    expect(sent.length).toBeGreaterThan(runSent);
    expect(sent.filter((c) => !allowed.has(c))).toEqual([]);
    // And each kind of planned action was indeed sent: take, reconcile's reads and put-back, status's reads, unlock's
    // read and break, release.
    const used = new Set(sent);
    const c = plan.cluster;
    const fill = (s: ClusterStep): string =>
      fillPlaceholders(s.command ?? '', s.placeholders, {
        owner: JSON.stringify(owner),
        runId: 'run-1',
        heldRunId: 'run-1',
      });
    for (const s of [
      c.lock.nodes[0]?.take,
      c.lock.nodes[0]?.read,
      c.lock.nodes[0]?.break,
      c.lock.nodes[0]?.release,
      c.reconcile[1]?.app,
      c.reconcile[1]?.http,
      c.reconcile[1]?.putBack,
      c.reconcile[1]?.waitUp,
      c.status[0]?.patches,
      c.statusLb.find((s) => s.id === 'cluster/status/node3/read-lb-member'),
    ])
      expect(used.has(fill(s as ClusterStep)), s?.id).toBe(true);
  });
});
