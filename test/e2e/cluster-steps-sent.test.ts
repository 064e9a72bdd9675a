// End-to-end, on a real cluster (sshd per node, HAProxy, simulated Liferay nodes): every command the
// cluster lock, the reconcile, `lrroll status` and `lrroll unlock` send to a node or the load
// balancer's host is a step of the plan (`plan.cluster`, as `lrroll plan --format json` shows it)
// once its named placeholders are filled in. The lrroll parts run in this process over their real
// SSH transports, wrapped by a recorder of the commands they are given; HAProxy runtime-API calls
// go through the driver and are not recorded here.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireClusterLock, releaseClusterLock } from '../../src/app/cluster-lock.js';
import { sshSettings, systemClock, TransportPool, type Transports } from '../../src/app/execute.js';
import { Journal } from '../../src/app/journal.js';
import { makeOwner } from '../../src/app/lock.js';
import { findLeftOut, reconcile } from '../../src/app/reconcile.js';
import { readStatus } from '../../src/app/status.js';
import { openUnlock } from '../../src/app/unlock.js';
import { planPlaybook } from '../../src/app/use-cases.js';
import { createLbDriver } from '../../src/execute/lb/factory.js';
import type { Transport } from '../../src/execute/transport.js';
import type { ClusterStep, Plan } from '../../src/plan/types.js';
import { fillPlaceholders } from '../../src/shell/quote.js';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { FixedClock } from '../helpers/fixed-clock.js';
import { cliEnv } from './helpers/faults.js';
import { writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`cluster-steps e2e skipped: ${support.reason}\n`);

/** Transports that record every command they are given. */
function recording(pool: TransportPool, sent: string[]): Transports {
  const wrap = (t: Transport): Transport => ({ describe: t.describe, connect: (s) => t.connect(s), close: () => t.close(), put: (...a) => t.put(...a), exec: (command, options) => (sent.push(command), t.exec(command, options)) });
  return { forNode: (n) => wrap(pool.forNode(n)), forLb: (p) => wrap(pool.forLb(p)), forVia: (v) => wrap(pool.forVia(v)), closeAll: () => pool.closeAll() };
}

/** Every command of the plan's cluster steps, the placeholders filled in. */
function planned(plan: Plan, values: Record<string, string>): Set<string> {
  const c = plan.cluster;
  const steps: Array<ClusterStep | null> = [...c.lock.nodes.flatMap((n) => [n.take, n.takeOver, n.refresh, n.release, n.read, n.break]), ...c.reconcile.flatMap((r) => [r.app, r.http, r.putBack, r.waitUp]), ...c.status.flatMap((s) => [s.app, s.http, s.patches])];
  return new Set(steps.flatMap((s) => (s?.command ? [fillPlaceholders(s.command, s.placeholders, values)] : [])));
}

describe.skipIf(!support.ok)(`the lock, reconcile, status and unlock send only planned commands (real cluster)${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 500, stopMs: 200 });
    await cluster.startAll();
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('status, a run\'s lock and reconcile (putting back a node an earlier run left out), unlock: zero unplanned commands', async () => {
    const home = join(cluster.dir, 'lrroll-home-sent');
    const env = cliEnv(cluster, home) as Record<string, string | undefined>;
    const { plan, diagnostics } = await planPlaybook(writePlaybook(cluster, 'sent commands', 'change:\n  type: restart\n'), { vars: {}, limit: null, env });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    if (!plan) throw new Error('no plan');
    const sent: string[] = [];
    const pool = new TransportPool(sshSettings(env, false), env);
    const transports = recording(pool, sent);
    const clock = new FixedClock();
    let ownerRecord = '';
    try {
      // `lrroll status`: read-only.
      const rows = await readStatus(plan, env, () => undefined, undefined, transports);
      expect(rows.map((r) => [r.node, r.app, r.http, r.lbUp])).toEqual([['node1', 'running', '302', true], ['node2', 'running', '302', true], ['node3', 'running', '302', true]]);
      // An earlier run, whose process is gone, left node2 out of the load balancer.
      await cluster.haproxyCommand(`set server ${cluster.haproxy?.backend ?? 'liferay'}/node2 state maint`);
      const earlier = Journal.create(env, plan, 'run-0', clock.iso());
      earlier.record({ v: 3, at: clock.iso(), kind: 'lb-state', node: 'node2', member: 'node2', state: 'out' });
      earlier.close();
      writeFileSync(join(earlier.dir, 'meta.json'), JSON.stringify({ runId: 'run-0', planHash: plan.hash, name: plan.name, playbook: plan.source.file, gitCommit: null, gitDirty: false, user: 'alice', host: 'elsewhere', pid: 1, startedAt: clock.iso(), status: 'failed', endedAt: clock.iso(), nodes: plan.nodes.map((n) => n.name) }));
      // A run: the lock, then the reconcile.
      const owner = makeOwner(plan, 'run-1', env, 'sent commands', process.pid, clock.iso());
      ownerRecord = JSON.stringify(owner);
      const lock = await acquireClusterLock(plan, owner, 0, { transportFor: (n) => transports.forNode(n), clock, signal: new AbortController().signal, isLive: () => null });
      if (!('nodes' in lock)) throw new Error(`refused on ${lock.node}`);
      const lb = createLbDriver({ lb: plan.loadBalancer, transport: transports.forLb(plan), transportFor: (v) => transports.forVia(v) });
      const results = await reconcile(plan, findLeftOut(plan, env), { transportFor: (n) => transports.forNode(n), lbTransport: transports.forLb(plan), lb, clock: systemClock, signal: new AbortController().signal });
      await lb.close();
      expect(results).toMatchObject([{ node: 'node2', action: 'put-back', stepId: 'cluster/reconcile/node2/lb-put-back' }]);
      // `lrroll unlock` while the run holds the lock: read it, break it.
      const unlock = await openUnlock(plan, env, { configFile: null, knownHostsFiles: null }, transports);
      expect(unlock.holders.map((h) => [h.runId, h.nodes])).toEqual([['run-1', ['node1', 'node2', 'node3']]]);
      expect(await unlock.breakAll()).toBe(3);
      await releaseClusterLock(lock, 'run-1');
    } finally {
      await pool.closeAll();
    }
    const allowed = planned(plan, { owner: ownerRecord, runId: 'run-1', heldRunId: 'run-1' });
    expect(sent.length).toBeGreaterThan(12);
    expect(sent.filter((c) => !allowed.has(c))).toEqual([]);
  }, 180_000);
});

