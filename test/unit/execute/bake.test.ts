/**
 * The canary bake watches the canary (HTTP probe, process alive, error lines in its log) and fails
 * at the first problem instead of sleeping through it (playbooks/osgi-config.yml: canary node1,
 * a 10-minute bake checked every 10 s).
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent, StepEndEvent } from '../../../src/execute/events.js';
import type { BakeStep, Plan } from '../../../src/plan/types.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

const bakeOf = (plan: Plan): BakeStep =>
  plan.batches[0]?.after.find((s): s is BakeStep => s.action === 'bake') as BakeStep;
const bakeEnd = (h: Harness, plan: Plan): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === bakeOf(plan).id);
const batchStarted = (h: Harness, batch: number): boolean =>
  h.events.some((e) => e.kind === 'batch-start' && e.batch === batch);

/** Runs the plan; `onBake` breaks the canary once its bake has started, `onBakeEnd` sees the harness when it ends. */
async function run(
  plan: Plan,
  onBake: (h: Harness) => void = () => undefined,
  onBakeEnd: (h: Harness) => void = () => undefined,
): Promise<Harness> {
  const bakeId = bakeOf(plan).id;
  const h = createHarness(plan, {
    onEvent: (e: RunEvent, harness) => {
      if (e.kind === 'step-start' && e.action === 'bake') onBake(harness);
      if (e.kind === 'step-end' && e.stepId === bakeId) onBakeEnd(harness);
    },
  });
  await h.run();
  return h;
}

describe('the canary bake', () => {
  it('the plan says what it watches on the canary', async () => {
    const plan = await loadPlan('playbooks/osgi-config.yml');
    const bake = bakeOf(plan);
    expect(bake).toMatchObject({
      seconds: 600,
      intervalSec: 10,
      title: 'let the canary bake for 600s, watching node1 every 10s',
    });
    expect(bake.watch).toEqual([
      expect.objectContaining({
        node: 'node1',
        url: 'http://node1:8080/c/portal/layout',
        log: '/opt/liferay/tomcat/logs/catalina.out',
        errorPattern: '\\b(ERROR|SEVERE|FATAL)\\b|OutOfMemoryError',
      }),
    ]);
    expect(bake.waitsFor).toContain(
      'node1: http://node1:8080/c/portal/layout answers 200/302, the app server process runs, no new line matching',
    );
  });

  it('a healthy canary bakes for the whole time, checked every interval, and the rollout goes on', async () => {
    const plan = await loadPlan('playbooks/osgi-config.yml');
    let probesBefore = 0;
    let probesAfter = 0;
    const probes = (harness: Harness): number => harness.cluster.callsTo('node1', 'http').length;
    // counted during the bake only: the next batch's capacity checks probe node1 too
    const h = await run(
      plan,
      (harness) => (probesBefore = probes(harness)),
      (harness) => (probesAfter = probes(harness)),
    );
    expect(bakeEnd(h, plan)).toMatchObject({
      status: 'ok',
      durationMs: 600_000,
      detail: 'node1 stayed healthy for 600s',
    });
    expect(probesAfter - probesBefore).toBe(60);
    expect(batchStarted(h, 2)).toBe(true);
  });

  it.each<[string, (h: Harness) => void, RegExp]>([
    [
      'an ERROR line in its log',
      (h) =>
        h.cluster.script(
          { host: 'node1', includes: 'grep -E -m 3' },
          {
            stdout:
              '2026-03-14 22:05:01.000 ERROR [http-nio-8080-exec-3][PortalImpl:6321] java.lang.NullPointerException\n',
          },
        ),
      /node1: an error in \/opt\/liferay\/tomcat\/logs\/catalina\.out during the bake: .*ERROR \[http-nio-8080-exec-3\]\[PortalImpl:6321\] java\.lang\.NullPointerException/,
    ],
    [
      'its process dies',
      (h) => h.cluster.script({ host: 'node1', kind: 'status' }, { exitCode: 1 }),
      /node1: its app server process is not running/,
    ],
    [
      'its HTTP probe answers 503',
      (h) => h.cluster.script({ host: 'node1', kind: 'http' }, { stdout: 'Service Unavailable\n503' }),
      /node1: http:\/\/node1:8080\/c\/portal\/layout answered HTTP 503, not 200\/302/,
    ],
  ])('%s: the bake fails at the next check, and no further batch starts', async (_, breakIt, detail) => {
    const plan = await loadPlan('playbooks/osgi-config.yml');
    const h = await run(plan, breakIt);
    const end = bakeEnd(h, plan);
    expect(end?.status).toBe('failed');
    expect(end?.detail).toMatch(/^the canary failed during the bake: /);
    expect(end?.detail).toMatch(detail);
    expect(end?.durationMs).toBeLessThanOrEqual(10_000);
    expect(batchStarted(h, 2)).toBe(false);
    expect(h.events.at(-1)).toMatchObject({ kind: 'run-end', status: 'halted' });
  });
});
