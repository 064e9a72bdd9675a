// End to end through an HA pair of real HAProxy instances (two admin sockets, two front ends, the
// same backend) in front of three real Tomcat 10 nodes: users come in through both front ends;
// lrroll drains, takes out and enables each node in both instances. Also: `lrroll status` shows
// each instance, a node out of one instance counts as out, and reconcile puts a node left out by a
// failed run back into both.
// The roll with session replication off is the single-instance file's (it does not depend on the instances).
import { expect, it } from 'vitest';
import { haproxyCommand, parseShowStat, type TestCluster } from '../cluster/cluster.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';
import { jspHotfix, loadBalancerYaml, sessionRollSuite, TOMCAT_HEALTH } from './helpers/tomcat-roll.js';

async function states(cluster: TestCluster, node: string): Promise<string[]> {
  return Promise.all(
    cluster.balancers.map(
      async (b) =>
        parseShowStat(await haproxyCommand(b.admin, 'show stat'), 'liferay').find((s) => s.name === node)?.status ??
        '?',
    ),
  );
}

sessionRollSuite('an HAProxy pair', { nodes: 3, app: 'tomcat', haproxy: 2, unreplicated: false }, 'haproxy', (get) => {
  it(
    'lrroll status shows the member in each instance; a node out of one instance is out (exit 1, and a ' +
      'run refuses it)',
    async () => {
      const cluster = get();
      const playbook = writePlaybook(cluster, 'Pair status', `${jspHotfix(3)}${TOMCAT_HEALTH}`, {
        lbYaml: loadBalancerYaml(cluster.balancers),
      });
      const ok = await lrroll(['status', playbook], cluster);
      expect(ok.code, ok.stderr + ok.stdout).toBe(0);
      expect(ok.stdout.split('\n')[0]).toMatch(
        /^NODE\s+HOST\s+SSH\s+APP\s+HTTP\s+PATCHES\s+LB MEMBER\s+LB lb1\s+LB lb2\s+SESSIONS$/,
      );
      for (const n of cluster.nodes) expect(ok.stdout).toMatch(new RegExp(`${n.name}\\s.*\\s${n.name}\\s+UP\\s+UP\\s`));
      // node2 in maintenance on the second instance only.
      await haproxyCommand(cluster.balancers[1]?.admin ?? '', 'set server liferay/node2 state maint');
      try {
        const out = await lrroll(['status', playbook], cluster);
        expect(out.code).toBe(1);
        expect(out.stdout).toMatch(/node2\s.*\snode2\s+UP\s+MAINT\s/);
        const run = await lrroll(['run', playbook, '--yes', '--output', 'plain'], cluster);
        expect(run.code, run.stdout).toBe(3);
        expect(run.stdout + run.stderr).toMatch(/node2 is lb1: UP, lb2: MAINT, not UP/);
      } finally {
        await haproxyCommand(cluster.balancers[1]?.admin ?? '', 'set server liferay/node2 state ready');
      }
    },
    300_000,
  );

  it(
    'a run that fails on a node leaves it out of both instances; once it runs again, the next run puts ' +
      'it back into both',
    async () => {
      const cluster = get();
      const lb = loadBalancerYaml(cluster.balancers);
      // The change fails on node1 (after its drain and stop); onFailure halt leaves it out.
      const broken = writePlaybook(
        cluster,
        'Pair failing change',
        `change:\n  type: custom\n  name: fails on node1\n  rollingSafe: true\n  commands:\n    - ` +
          `test {{node}} != node1\nrollout:\n  serial: 1\n  minHealthy: 1\n  onFailure: halt\n` +
          `${TOMCAT_HEALTH}`,
        { lbYaml: lb },
      );
      const failed = await lrroll(['run', broken, '--yes', '--output', 'plain'], cluster);
      expect(failed.code, failed.stdout).toBe(1);
      expect(await states(cluster, 'node1')).toEqual(['MAINT', 'MAINT']);
      expect(await states(cluster, 'node2')).toEqual(['UP', 'UP']);
      // The admin fixes node1 and starts it. status only reports it (read-only), in each instance.
      await cluster.startNode('node1', { timeoutMs: 240_000 });
      const healthy = writePlaybook(
        cluster,
        'Pair healthy',
        `change:\n  type: restart\nrollout:\n  serial: 1\n  minHealthy: 1\n${TOMCAT_HEALTH}`,
        { lbYaml: lb },
      );
      const status = await lrroll(['status', healthy], cluster);
      expect(status.code).toBe(1);
      expect(status.stderr).toMatch(
        /note: node1 was left out of the load balancer by run \S+, which ended or was interrupted/,
      );
      expect(status.stdout).toMatch(/node1\s.*\snode1\s+MAINT\s+MAINT\s/);
      // The next run reconciles first: node1 is healthy, so it goes back into both instances.
      const next = await lrroll(
        ['run', healthy, '--yes', '--output', 'plain', '--limit', 'node1'],
        cluster,
        {},
        600_000,
      );
      expect(next.stdout + next.stderr).toMatch(
        /reconciled: node1 left out of the load balancer by run \S+ \(not updated\); healthy, so it was put back and is UP \(lb1: UP, lb2: UP\)/,
      );
      expect(next.code, next.stdout + next.stderr).toBe(0);
      expect(await states(cluster, 'node1')).toEqual(['UP', 'UP']);
    },
    900_000,
  );
});
