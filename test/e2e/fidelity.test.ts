// The preview is the run: on a real cluster (an sshd per node + HAProxy), every command, upload and
// load-balancer request that `lrroll run` (and `resume`) actually sends — recorded by the wrapper
// around the real transports and drivers (LRROLL_RECORD_REMOTE) — must be a step of what
// `lrroll plan --format json` showed for the same playbook, with the same text once the plan's
// named placeholders are filled. A rolling change (serial 2), a failing start rolled back, and a
// Ctrl-C followed by `lrroll resume`; the cluster lock around each run included. `lrroll status`,
// `lrroll unlock` and a run that reconciles are in fidelity-cluster.test.ts.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { resetCluster, runLrroll, spawnLrroll, stepStart, type LrEvent } from './helpers/faults.js';
import {
  planSteps,
  readRecorded,
  stepsMissingFromEvents,
  unplannedActions,
  type Recorded,
} from './helpers/fidelity.js';
import { writePlaybook } from './helpers/lrroll-run.js';
import { expandPlanJson } from '../../src/plan/plan-json.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`fidelity e2e skipped: ${support.reason}\n`);
const log = (text: string): void => void process.stderr.write(`fidelity e2e: ${text}\n`);

type Plan = Parameters<typeof planSteps>[0];

describe.skipIf(!support.ok)(
  `the preview is the run, on a real cluster${support.ok ? '' : ` — skipped: ${support.reason}`}`,
  () => {
    let cluster: TestCluster;
    const home = (s: string): string => join(cluster.dir, `lrroll-home-${s}`);
    const recordFile = (s: string): string => join(cluster.dir, `remote-${s}.ndjson`);

    beforeAll(async () => {
      cluster = await startTestCluster({ nodes: 3, haproxy: true, startMs: 600, stopMs: 150 });
      await cluster.startAll();
    }, 120_000);
    afterAll(async () => {
      await cluster?.stop();
    }, 60_000);
    beforeEach(async () => {
      if (cluster) await resetCluster(cluster, { startMs: 600 });
    }, 90_000);

    async function planOf(pb: string, h: string): Promise<Plan> {
      const r = await runLrroll(['plan', pb, '--format', 'json'], cluster, h);
      expect(r.code, r.stderr).toBe(0);
      return expandPlanJson(JSON.parse(r.stdout));
    }

    /**
     * Every recorded action is a step of the plan, the cluster lock's included; every step id it names is in the event
     * stream.
     */
    function expectOnlyPlanned(
      plan: Plan,
      recorded: readonly Recorded[],
      events: readonly LrEvent[],
      what: string,
    ): void {
      expect(recorded.length, `${what}: nothing recorded`).toBeGreaterThan(20);
      const unplanned = unplannedActions(plan, recorded);
      log(
        `${what}: ${recorded.length} remote actions (` +
          `${recorded.filter((a) => a.stepId?.startsWith('cluster/')).length}` +
          ` of the lock and reconcile), ${unplanned.length} unplanned`,
      );
      expect(unplanned, `${what}: actions the plan does not show`).toEqual([]);
      expect(
        recorded.some((a) => a.stepId?.startsWith('cluster/lock/')),
        `${what}: the lock was not recorded`,
      ).toBe(true);
      expect(stepsMissingFromEvents(recorded, events), `${what}: remote actions whose step no event names`).toEqual([]);
    }

    it('a rolling change, serial 2: every command and HAProxy request is the plan’s', async () => {
      const h = home('rolling');
      const pb = writePlaybook(
        cluster,
        'Fidelity rolling',
        'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.fidelity: rolled\nrollout:\n  ' +
          'serial: 2\n  minHealthy: 1\n',
      );
      const plan = await planOf(pb, h);
      const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, {
        LRROLL_RECORD_REMOTE: recordFile('rolling'),
      });
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
      expect(run.events.find((e) => e.kind === 'run-start')?.planHash).toBe(plan.hash);
      const recorded = readRecorded(recordFile('rolling'));
      // Both nodes of the first batch were drained through HAProxy, each under its own drain step.
      expect(recorded.filter((a) => a.kind === 'lb' && /state drain$/.test(a.text)).map((a) => a.stepId)).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/node1\/.*lb-drain$/),
          expect.stringMatching(/node2\/.*lb-drain$/),
        ]),
      );
      expectOnlyPlanned(plan, recorded, run.events, 'rolling');
    }, 180_000);

    it('a failing start rolled back: the rollback, forensics and put-back are the plan’s too', async () => {
      const h = home('rollback');
      const pb = writePlaybook(
        cluster,
        'Fidelity rollback',
        `change:
  - type: portal-properties
    set:
      lrroll.e2e.fidelity2: rolled
  - type: custom
    name: a setting that breaks node2's start
    rollingSafe: true
    backup: [/opt/liferay/sim.json]
    commands:
      - |
        if [ {{node}} = node2 ]; then node -e 'const fs=require("fs");const f="/opt/liferay/sim.json";const j=JSON.parse(fs.readFileSync(f,"utf8"));j.failStart=true;fs.writeFileSync(f+".t",JSON.stringify(j,null,2));fs.renameSync(f+".t",f)'; fi
rollout:
  serial: 1
  minHealthy: 2
  onFailure: rollback
`,
      );
      const plan = await planOf(pb, h);
      const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, {
        LRROLL_RECORD_REMOTE: recordFile('rollback'),
      });
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(1);
      const recorded = readRecorded(recordFile('rollback'));
      expect(recorded.some((a) => a.stepId?.includes('/rollback/') && a.stepId.endsWith('restore'))).toBe(true);
      expectOnlyPlanned(plan, recorded, run.events, 'rollback');
    }, 180_000);

    it('Ctrl-C during a stop, then `lrroll resume`: both halves send only the plan’s actions', async () => {
      const h = home('resume');
      const pb = writePlaybook(
        cluster,
        'Fidelity resume',
        'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.fidelity3: rolled\nrollout:\n  ' +
          'serial: 1\n  minHealthy: 2\n',
      );
      const plan = await planOf(pb, h);
      const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, {
        LRROLL_RECORD_REMOTE: recordFile('interrupted'),
      });
      await live.waitFor(stepStart('node2', 'service-stop'), 90_000);
      live.signal('SIGINT');
      const run = await live.done;
      expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(130);
      expectOnlyPlanned(plan, readRecorded(recordFile('interrupted')), run.events, 'interrupted run');
      const resume = await runLrroll(['resume', '--yes', '--output', 'json'], cluster, h, {
        LRROLL_RECORD_REMOTE: recordFile('resume'),
      });
      expect(resume.code, resume.stderr + resume.stdout.slice(-2000)).toBe(0);
      expectOnlyPlanned(plan, readRecorded(recordFile('resume')), resume.events, 'resume');
    }, 240_000);
  },
);
