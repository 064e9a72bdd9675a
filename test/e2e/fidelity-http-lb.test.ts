// The preview is the run through an HTTP load balancer: a rolling JSP hotfix over real Tomcat nodes
// behind a real Apache httpd balancer-manager, every request the driver sends (GET ?xml=1, the
// nonce, the POSTs) and every command recorded by LRROLL_RECORD_REMOTE, and each one checked against
// `lrroll plan --format json` of the same playbook once `{worker}`, `{nonce}` and `{firstByte}` are
// filled. Zero unplanned actions.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, tomcatClusterSupport, type TestCluster } from '../cluster/cluster.js';
import { expandPlanJson } from '../../src/plan/plan-json.js';
import { readRecorded, unplannedActions } from './helpers/fidelity.js';
import { lrroll, writePlaybook } from './helpers/lrroll-run.js';
import { jspHotfix, loadBalancerYaml, TOMCAT_HEALTH } from './helpers/tomcat-roll.js';

const support = tomcatClusterSupport('apache');
if (!support.ok) process.stderr.write(`HTTP load-balancer fidelity e2e skipped: ${support.reason}\n`);

describe.skipIf(!support.ok)(
  `the preview is the run behind Apache's balancer-manager${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 2, app: 'tomcat', apache: { kind: 'apache' } });
      await cluster.startAll({ timeoutMs: 240_000 });
    }, 300_000);
    afterAll(() => cluster?.stop(), 60_000);

    it('a rolling run, serial 1: every balancer-manager request and every command is a step of the plan', async () => {
      const pb = writePlaybook(
        cluster,
        'Fidelity apache',
        `${jspHotfix(1)}rollout:\n  serial: 1\n  minHealthy: 1\n${TOMCAT_HEALTH}`,
        { lbYaml: loadBalancerYaml(cluster.balancers) },
      );
      const shown = await lrroll(['plan', pb, '--format', 'json'], cluster);
      expect(shown.code, shown.stderr).toBe(0);
      // Plan format 5 writes values held in several places once: read it as lrroll does.
      const plan = expandPlanJson(JSON.parse(shown.stdout));
      const file = join(cluster.dir, 'remote-apache.ndjson');
      const run = await lrroll(
        ['run', pb, '--yes', '--output', 'json'],
        cluster,
        { LRROLL_RECORD_REMOTE: file },
        600_000,
      );
      expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
      const recorded = readRecorded(file);
      const lb = recorded.filter((a) => a.kind === 'lb');
      // Each node drained and enabled by a POST with the balancer's nonce, under its own steps.
      for (const node of cluster.nodes.map((n) => n.name)) {
        for (const [action, status] of [
          ['lb-drain', 'w_status_N=1'],
          ['lb-enable', 'w_status_N=0'],
        ] as const) {
          expect(
            lb.some(
              (a) =>
                a.stepId?.includes(`/${node}/`) &&
                a.stepId.endsWith(action) &&
                /^POST \S+ b=liferay&w=[^&]+&nonce=[0-9A-Za-z-]+&/.test(a.text) &&
                a.text.includes(status),
            ),
            `${node} ${action} in ${JSON.stringify(lb.map((a) => [a.stepId, a.text]).slice(0, 12))}`,
          ).toBe(true);
        }
      }
      // The cluster lock included: its commands are the plan's lock steps.
      const unplanned = unplannedActions(plan, recorded);
      process.stderr.write(
        `fidelity e2e (apache): ${recorded.length} remote actions (${lb.length}` +
          ` balancer-manager requests), ${unplanned.length} unplanned\n`,
      );
      expect(unplanned).toEqual([]);
    }, 720_000);
  },
);
