// The preview is the run, for what happens around the batches: on a real cluster (an sshd per node +
// HAProxy), a run is killed (kill -9) after draining node1, so its lock stays held and node1 stays
// out of the load balancer. Then `lrroll status`, `lrroll unlock` and the next `lrroll run` (which
// puts node1 back) are run as the CLI with LRROLL_RECORD_REMOTE: every command and HAProxy request
// they send is a step of `lrroll plan --format json` of the same playbook (its `cluster` section,
// status's read of the load balancer's members included),
// once the named placeholders ({owner}, {runId}, {heldRunId}) are filled.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { runLrroll, spawnLrroll, stepStart } from './helpers/faults.js';
import { planSteps, readRecorded, stepsMissingFromEvents, unplannedActions } from './helpers/fidelity.js';
import { writePlaybook } from './helpers/lrroll-run.js';
import { expandPlanJson } from '../../src/plan/plan-json.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`fidelity-cluster e2e skipped: ${support.reason}\n`);
const log = (text: string): void => void process.stderr.write(`fidelity-cluster e2e: ${text}\n`);

type Plan = Parameters<typeof planSteps>[0];

describe.skipIf(!support.ok)(
  `status, unlock and a reconciling run send only the plan's steps, on a real cluster` +
    `${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 500, stopMs: 150 });
      await cluster.startAll();
    }, 120_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);

    it(
      'after a run killed with node1 drained and its lock held: status, unlock and the next run ' +
        '(putting node1 back) send only planned actions',
      async () => {
        const h = join(cluster.dir, 'lrroll-home-cluster');
        const rec = (s: string): string => join(cluster.dir, `remote-cluster-${s}.ndjson`);
        const pb = writePlaybook(
          cluster,
          'Fidelity cluster',
          'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.fidelity.cluster: ' +
            'rolled\nrollout:\n  serial: 1\n  minHealthy: 2\n',
        );
        const planned = await runLrroll(['plan', pb, '--format', 'json'], cluster, h);
        expect(planned.code, planned.stderr).toBe(0);
        const plan = expandPlanJson(JSON.parse(planned.stdout));

        const killed = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h);
        await killed.waitFor(stepStart('node1', 'lb-wait-drained'), 90_000);
        killed.signal('SIGKILL');
        await killed.done;
        const killedRunId = String(killed.events.find((e) => e.kind === 'run-start')?.runId);

        const status = await runLrroll(['status', pb], cluster, h, { LRROLL_RECORD_REMOTE: rec('status') });
        expect(status.stderr).toContain(`node1 was left out of the load balancer by run ${killedRunId}`);
        expect(status.stderr).toMatch(/note: the cluster is locked \(on node\d, node\d, node\d\)/);
        const statusSent = readRecorded(rec('status'));
        const statusUnplanned = unplannedActions(plan, statusSent);
        log(`status: ${statusSent.length} remote actions, ${statusUnplanned.length} unplanned`);
        expect(statusUnplanned).toEqual([]);
        // The load balancer's members are read once, as the plan's status step.
        expect(statusSent.filter((a) => a.kind === 'lb')).toEqual([
          expect.objectContaining({
            stepId: 'cluster/status/lb-1/read-lb-members',
            text: `show stat ${cluster.haproxy?.backend ?? 'liferay'} 4 -1`,
          }),
        ]);
        for (const action of ['lock-read', 'read-app', 'read-http', 'read-patches'])
          expect(statusSent.filter((a) => a.stepId?.endsWith(`/${action}`)).length, action).toBe(3);

        const unlock = await runLrroll(['unlock', pb, '--yes'], cluster, h, { LRROLL_RECORD_REMOTE: rec('unlock') });
        expect(unlock.code, unlock.stderr).toBe(0);
        expect(unlock.stdout).toBe('Lock broken on 3 node(s).\n');
        const unlockSent = readRecorded(rec('unlock'));
        log(`unlock: ${unlockSent.length} remote actions`);
        expect(unlockSent.map((a) => a.stepId?.replace(/^cluster\/lock\/node\d\//, '')).sort()).toEqual([
          'lock-break',
          'lock-break',
          'lock-break',
          'lock-read',
          'lock-read',
          'lock-read',
        ]);
        expect(unplannedActions(plan, unlockSent)).toEqual([]);

        const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, {
          LRROLL_RECORD_REMOTE: rec('run'),
        });
        expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
        expect(run.events.find((e) => e.kind === 'reconcile')).toMatchObject({
          node: 'node1',
          runId: killedRunId,
          result: 'put-back',
          stepIds: [
            'cluster/reconcile/node1/read-app',
            'cluster/reconcile/node1/read-http',
            'cluster/reconcile/node1/lb-put-back',
            'cluster/reconcile/node1/lb-wait-up',
          ],
        });
        const runSent = readRecorded(rec('run'));
        // The put-back is HAProxy's `set server … state ready`, sent under the reconcile's step.
        expect(runSent.filter((a) => a.stepId === 'cluster/reconcile/node1/lb-put-back').map((a) => a.text)).toEqual([
          `set server ${cluster.haproxy?.backend ?? 'liferay'}/node1 state ready`,
        ]);
        const runUnplanned = unplannedActions(plan, runSent);
        log(`reconciling run: ${runSent.length} remote actions, ${runUnplanned.length} unplanned`);
        expect(runUnplanned).toEqual([]);
        expect(stepsMissingFromEvents(runSent, run.events)).toEqual([]);
      },
      300_000,
    );

    it(
      "status with HAProxy reached over `via` (socat over SSH on node1's host) sends only the plan's wrapper, " +
        'filled with the planned request',
      async () => {
        const h = join(cluster.dir, 'lrroll-home-cluster-via');
        const n1 = cluster.node('node1');
        const haproxy = cluster.haproxy;
        if (!haproxy) throw new Error('the test cluster has no HAProxy');
        const pb = writePlaybook(cluster, 'Fidelity cluster via', 'change:\n  type: restart\n', {
          lbYaml:
            `loadBalancer:\n  type: haproxy\n  socket: ${haproxy.socket}\n  backend: ${haproxy.backend}\n` +
            `  via:\n    host: ${n1.address}\n    port: ${n1.sshPort}\n    user: ${cluster.sshUser}\n` +
            `    identityFile: ${cluster.identityFile}\n`,
        });
        const planned = await runLrroll(['plan', pb, '--format', 'json'], cluster, h);
        expect(planned.code, planned.stderr).toBe(0);
        const plan = JSON.parse(planned.stdout) as Plan;
        const rec = join(cluster.dir, 'remote-cluster-via-status.ndjson');
        const status = await runLrroll(['status', pb], cluster, h, { LRROLL_RECORD_REMOTE: rec });
        // Every member was read through the wrapper (a `?` would mean the load balancer could not be read).
        expect(status.stdout, status.stderr).toMatch(/node1 .* UP/);
        expect(status.stdout).not.toMatch(/load balancer: /);
        const sent = readRecorded(rec);
        const read = 'cluster/status/lb-1/read-lb-members';
        const wrapper = (plan.loadBalancer as { instances: Array<{ wrapper: string }> }).instances[0]?.wrapper ?? '';
        expect(sent.filter((a) => a.stepId === read).map((a) => [a.kind, a.text])).toEqual([
          ['lb', `show stat ${haproxy.backend} 4 -1`],
          ['exec', wrapper.replace('{request}', `'show stat ${haproxy.backend} 4 -1'`)],
        ]);
        const unplanned = unplannedActions(plan, sent);
        log(`status over via: ${sent.length} remote actions, ${unplanned.length} unplanned`);
        expect(unplanned).toEqual([]);
      },
      120_000,
    );
  },
);
