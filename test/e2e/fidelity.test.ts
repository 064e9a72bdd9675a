// The preview is the run: on a real cluster (an sshd per node + HAProxy), every command, upload and
// load-balancer request that `lrroll run` (and `resume`) actually sends — recorded by the wrapper
// around the real transports and drivers (LRROLL_RECORD_REMOTE) — must be a step of what
// `lrroll plan --format json` showed for the same playbook, with the same text once the plan's
// named placeholders are filled. A rolling change (serial 2), a failing start rolled back, and a
// Ctrl-C followed by `lrroll resume`.
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { clusterSupport, startTestCluster, type TestCluster } from '../cluster/cluster.js';
import { resetCluster, runLrroll, spawnLrroll, stepStart, type LrEvent } from './helpers/faults.js';
import { planSteps, readRecorded, unplannedReason, type Recorded } from './helpers/fidelity.js';
import { writePlaybook } from './helpers/lrroll-run.js';

const support = clusterSupport();
if (!support.ok) process.stderr.write(`fidelity e2e skipped: ${support.reason}\n`);
const log = (text: string): void => void process.stderr.write(`fidelity e2e: ${text}\n`);

/**
 * What a run sends that the plan does not carry yet: the cluster lock taken, refreshed and released
 * around every run. It becomes plan steps ("before the first batch" / "after") with the lock and
 * reconcile work; until then it is listed here by name, never silently allowed.
 */
const EXPECTED_GAPS: ReadonlyArray<{ name: string; match: (a: Recorded) => boolean }> = [
  { name: 'cluster lock (take, refresh, release) outside the plan', match: (a) => a.stepId === null && a.kind === 'exec' && a.text.includes('/.lrroll/lock') },
];

type Plan = Parameters<typeof planSteps>[0];

describe.skipIf(!support.ok)(`the preview is the run, on a real cluster${support.ok ? '' : ` — skipped: ${support.reason}`}`, () => {
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
    return JSON.parse(r.stdout) as Plan;
  }

  /** Every recorded action is a step of the plan (or a named expected gap); every step id it names is in the event stream. */
  function expectOnlyPlanned(plan: Plan, recorded: readonly Recorded[], events: readonly LrEvent[], what: string): void {
    expect(recorded.length, `${what}: nothing recorded`).toBeGreaterThan(20);
    const steps = planSteps(plan);
    const gaps = new Map<string, number>();
    const unplanned: string[] = [];
    for (const a of recorded) {
      const why = unplannedReason(a, steps);
      if (why === null) continue;
      const gap = EXPECTED_GAPS.find((g) => g.match(a));
      if (gap) gaps.set(gap.name, (gaps.get(gap.name) ?? 0) + 1);
      else unplanned.push(`${why}: [${a.kind} ${a.target}] ${a.text.split('\n').join(' ⏎ ').slice(0, 300)}`);
    }
    log(`${what}: ${recorded.length} remote actions, ${unplanned.length} unplanned; expected gaps: ${[...gaps].map(([n, c]) => `${n} ×${c}`).join(', ') || 'none'}`);
    expect(unplanned, `${what}: actions the plan does not show`).toEqual([]);
    // The NDJSON events name the step of every remote action.
    const started = new Set(events.filter((e) => e.kind === 'step-start').map((e) => String(e.stepId)));
    expect([...new Set(recorded.flatMap((a) => (a.stepId === null || started.has(a.stepId) ? [] : [a.stepId])))]).toEqual([]);
  }

  it('a rolling change, serial 2: every command and HAProxy request is the plan’s', async () => {
    const h = home('rolling');
    const pb = writePlaybook(cluster, 'Fidelity rolling', 'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.fidelity: rolled\nrollout:\n  serial: 2\n  minHealthy: 1\n');
    const plan = await planOf(pb, h);
    const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, { LRROLL_RECORD_REMOTE: recordFile('rolling') });
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(0);
    expect(run.events.find((e) => e.kind === 'run-start')?.planHash).toBe(plan.hash);
    const recorded = readRecorded(recordFile('rolling'));
    // Both nodes of the first batch were drained through HAProxy, each under its own drain step.
    expect(recorded.filter((a) => a.kind === 'lb' && /state drain$/.test(a.text)).map((a) => a.stepId)).toEqual(expect.arrayContaining([expect.stringMatching(/node1\/.*lb-drain$/), expect.stringMatching(/node2\/.*lb-drain$/)]));
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
    const run = await runLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, { LRROLL_RECORD_REMOTE: recordFile('rollback') });
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(1);
    const recorded = readRecorded(recordFile('rollback'));
    expect(recorded.some((a) => a.stepId?.includes('/rollback/') && a.stepId.endsWith('restore'))).toBe(true);
    expectOnlyPlanned(plan, recorded, run.events, 'rollback');
  }, 180_000);

  it('Ctrl-C during a stop, then `lrroll resume`: both halves send only the plan’s actions', async () => {
    const h = home('resume');
    const pb = writePlaybook(cluster, 'Fidelity resume', 'change:\n  type: portal-properties\n  set:\n    lrroll.e2e.fidelity3: rolled\nrollout:\n  serial: 1\n  minHealthy: 2\n');
    const plan = await planOf(pb, h);
    const live = spawnLrroll(['run', pb, '--yes', '--output', 'json'], cluster, h, { LRROLL_RECORD_REMOTE: recordFile('interrupted') });
    await live.waitFor(stepStart('node2', 'service-stop'), 90_000);
    live.signal('SIGINT');
    const run = await live.done;
    expect(run.code, run.stderr + run.stdout.slice(-2000)).toBe(130);
    expectOnlyPlanned(plan, readRecorded(recordFile('interrupted')), run.events, 'interrupted run');
    const resume = await runLrroll(['resume', '--yes', '--output', 'json'], cluster, h, { LRROLL_RECORD_REMOTE: recordFile('resume') });
    expect(resume.code, resume.stderr + resume.stdout.slice(-2000)).toBe(0);
    expectOnlyPlanned(plan, readRecorded(recordFile('resume')), resume.events, 'resume');
  }, 240_000);
});
