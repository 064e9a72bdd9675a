// End to end through a real Apache httpd with mod_proxy_balancer: three real Tomcat 10 nodes
// (each its own CATALINA_BASE in its own mount namespace, started by catalina.sh over SSH), the
// balancer-manager driven by lrroll (nonce, POST with Referer, Drn, Stop, busy), logged-in users
// working throughout. With session replication on, no user loses a session; with it off, the users
// pinned to each node when it is taken out hard lose theirs, and no one else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tomcatClusterSupport, type TestCluster } from '../cluster/cluster.js';
import { expectRolled, impactNote, rollUnderSessions, summary } from './helpers/tomcat-roll.js';

const support = tomcatClusterSupport('apache');
if (!support.ok) process.stderr.write(`tomcat + apache e2e skipped: ${support.reason}\n`);

describe.skipIf(!support.ok)(`rolling real Tomcat nodes behind Apache mod_proxy_balancer${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ nodes: 3, app: 'tomcat', replication: true, apache: { kind: 'apache' } });
    await cluster.startAll({ timeoutMs: 240_000 });
  }, 300_000);
  afterAll(() => cluster?.stop(), 60_000);

  it('with session replication: 0 failed requests and every user keeps the session through the roll', async () => {
    const r = await rollUnderSessions(cluster, 'Apache replicated', 1);
    process.stderr.write(summary('apache (mod_proxy_balancer), replication on', r));
    await expectRolled(cluster, r, 1);
    expect(r.load.lost, JSON.stringify(r.load.samples.filter((s) => s.kind === 'lost').slice(0, 5))).toBe(0);
    expect(r.load.usersLost).toBe(0);
    expect(r.load.skipped).toBe(0);
    // lrroll drove the real balancer-manager: Drn, then Stop, then back to Ok, for each worker.
    const steps = r.run.events.filter((e) => e.kind === 'step-end' && /-(lb-drain|lb-wait-drained|lb-enable|lb-wait-up)$/.test(String(e.stepId)));
    expect(steps.every((e) => e.status === 'ok')).toBe(true);
    expect(steps.length).toBe(12);
  }, 900_000);

  it('without replication: the users pinned to each node when it is taken out lose their session, as the plan says', async () => {
    cluster.setReplication(false);
    for (const n of cluster.nodes) await cluster.stopNode(n.name);
    await cluster.startAll({ timeoutMs: 240_000 });
    const r = await rollUnderSessions(cluster, 'Apache not replicated', 2);
    process.stderr.write(summary('apache (mod_proxy_balancer), replication off', r));
    await expectRolled(cluster, r, 2);
    expect(r.load.lost).toBeGreaterThan(0);
    expect(r.load.lost).toBe(r.predictedLost);
    expect((await impactNote(cluster, r.playbook)).join('\n')).toMatch(/taken out hard, and users still on it are sent to another node and must log in again unless HTTP session replication is configured/);
  }, 900_000);
});
