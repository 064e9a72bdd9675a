import { describe, expect, it } from 'vitest';
import type { PlanOutcome } from '../../../src/app/use-cases.js';
import type { StepEndEvent } from '../../../src/execute/events.js';
import type { CheckToolsStep, Plan, WaitOsgiStep } from '../../../src/plan/types.js';
import { createHarness, GOGO_ALL_ACTIVE, GOGO_REFUSED, type Harness } from '../../helpers/fake-transport.js';
import { errorsOf, planText, withBase } from '../input/helpers.js';

// Readiness as Liferay Cloud's probes define it: a check passes N times in a row (a failing
// attempt starts the count again), polled at an interval, within a startup deadline that does
// not depend on the interval; and the optional OSGi gate asks the Gogo shell for unsatisfied
// components.

const withHealth = (health: string): string =>
  withBase('change:\n  type: restart\n', `change:\n  type: restart\nhealth:\n${health}`);

async function plan(health: string): Promise<Plan> {
  const outcome: PlanOutcome = await planText(withHealth(health));
  expect(errorsOf(outcome)).toEqual([]);
  return outcome.plan as Plan;
}

const stepOf = (p: Plan, node: string, action: string): { id: string } & Record<string, unknown> =>
  p.batches
    .flatMap((b) => b.nodePlans)
    .find((np) => np.node === node)
    ?.steps.find((s) => s.action === action) as unknown as { id: string } & Record<string, unknown>;
const end = (h: Harness, id: string): StepEndEvent | undefined =>
  h.events.find((e): e is StepEndEvent => e.kind === 'step-end' && e.stepId === id);
const progress = (h: Harness, id: string): string[] =>
  h.events.filter((e) => e.kind === 'step-output' && e.stepId === id).map((e) => (e as { line: string }).line);

const UNSATISFIED = GOGO_ALL_ACTIVE.replace('[active      ]', '[unsatisfied reference]');

/** Scripts node1's answers in order (the last one repeats). */
function answers(
  h: Harness,
  kind: 'gogo' | 'http',
  replies: Array<{ stdout?: string; exitCode?: number; stderr?: string }>,
): void {
  let i = 0;
  h.cluster.script({ host: 'node1', kind }, (_call, ctx) =>
    ctx.host.startCount > 0 ? replies[Math.min(i++, replies.length - 1)] : undefined,
  );
}

describe('the OSGi gate', () => {
  it(
    'is off unless enabled; enabled, it runs after the modules gate with telnet and mktemp checked in ' + 'preflight',
    async () => {
      expect(stepOf(await plan('  settle: 0s\n'), 'node1', 'wait-osgi')).toBeUndefined();
      const p = await plan(
        '  osgi: { enabled: true, commands: [scr:list, dm wtf], port: 11312, ignore: [com.liferay.x] }\n',
      );
      const step = stepOf(p, 'node1', 'wait-osgi') as unknown as WaitOsgiStep;
      expect(step).toMatchObject({
        port: 11312,
        commands: ['scr:list', 'dm wtf'],
        ignore: ['com.liferay.x'],
        intervalSec: 10,
        successes: 1,
        attemptSec: 30,
        timeoutSec: 600,
        title: 'wait until `scr:list` and `dm wtf` on Gogo port 11312 find no unsatisfied component',
      });
      expect(step.command).toContain('| telnet 127.0.0.1 11312');
      const actions = p.batches[0]?.nodePlans[0]?.steps.map((s) => s.action) ?? [];
      expect(actions.indexOf('wait-osgi')).toBe(actions.indexOf('wait-http') + 1);
      const tools = p.preflight.find((s): s is CheckToolsStep => s.action === 'check-tools' && s.node === 'node1');
      expect(tools?.command).toContain('telnet');
      expect(tools?.command).toContain('mktemp');
    },
  );

  it(
    'passes only after `successes` clean answers in a row: an unsatisfied answer in between starts the ' +
      'count again',
    async () => {
      const p = await plan('  osgi: { enabled: true, successes: 3, interval: 5s }\n  settle: 0s\n');
      const h = createHarness(p);
      answers(h, 'gogo', [
        { stdout: UNSATISFIED },
        { stdout: GOGO_ALL_ACTIVE },
        { stdout: UNSATISFIED },
        { stdout: GOGO_ALL_ACTIVE },
      ]);
      await h.run();
      const id = stepOf(p, 'node1', 'wait-osgi').id;
      expect(end(h, id)).toMatchObject({
        status: 'ok',
        detail: 'no unsatisfied component (scr:list) (3 times in a row)',
        durationMs: 25_000,
      });
      expect(progress(h, id)).toEqual([
        'Gogo port 11311: 1 unsatisfied: com.acme.orders.OrderService (unsatisfied reference) (0/3 in a row)',
        'Gogo port 11311: no unsatisfied component (scr:list) (1/3 in a row)',
        'Gogo port 11311: 1 unsatisfied: com.acme.orders.OrderService (unsatisfied reference) (0/3 in a row)',
        'Gogo port 11311: no unsatisfied component (scr:list) (1/3 in a row)',
        'Gogo port 11311: no unsatisfied component (scr:list) (2/3 in a row)',
      ]);
    },
  );

  it(
    'fails at its startup deadline, which the interval does not change, with the last finding; the node ' +
      'stays out of rotation',
    async () => {
      for (const interval of [5, 20]) {
        const p = await plan(`  osgi: { enabled: true, interval: ${interval}s, timeout: 1m }\n  settle: 0s\n`);
        const h = createHarness(p);
        answers(h, 'gogo', [{ stdout: GOGO_REFUSED }, { stdout: UNSATISFIED }]);
        const report = await h.run();
        const e = end(h, stepOf(p, 'node1', 'wait-osgi').id);
        expect(e).toMatchObject({
          status: 'failed',
          detail:
            'OSGi components not all satisfied within 60s (last: 1 unsatisfied: ' +
            'com.acme.orders.OrderService (unsatisfied reference))',
          durationMs: 60_000,
        });
        expect(h.cluster.callsTo('node1', 'gogo')).toHaveLength(60 / interval);
        expect(progress(h, stepOf(p, 'node1', 'wait-osgi').id)[0]).toBe(
          'Gogo port 11311: the Gogo shell did not answer: telnet: Unable to connect to remote host: ' +
            'Connection refused',
        );
        expect(report.status).not.toBe('ok');
      }
    },
  );
});

describe('the HTTP gate, N times in a row', () => {
  const OK = { stdout: '<html/>\n200' };
  const STARTING = { stdout: 'starting\n503' };

  it(
    'one success is enough by default; with `successes: 2` a 503 between two 200s starts the count ' + 'again',
    async () => {
      const once = await plan('  settle: 0s\n');
      const h1 = createHarness(once);
      answers(h1, 'http', [OK, STARTING, OK, OK]);
      await h1.run();
      expect(end(h1, stepOf(once, 'node1', 'wait-http').id)).toMatchObject({
        status: 'ok',
        detail: 'HTTP 200',
        durationMs: 0,
      });

      const twice = await plan('  http: { successes: 2, interval: 3s }\n  settle: 0s\n');
      expect(stepOf(twice, 'node1', 'wait-http')).toMatchObject({
        successes: 2,
        title: 'wait for http://127.0.0.1:8080/c/portal/layout → 200/302, 2 times in a row',
      });
      const h2 = createHarness(twice);
      answers(h2, 'http', [OK, STARTING, OK, OK]);
      await h2.run();
      expect(end(h2, stepOf(twice, 'node1', 'wait-http').id)).toMatchObject({
        status: 'ok',
        detail: 'HTTP 200 (2 times in a row)',
        durationMs: 9000,
      });
    },
  );

  it('the attempt timeout is curl’s --max-time, apart from the deadline', async () => {
    const p = await plan('  http: { attemptTimeout: 3s, timeout: 20m }\n');
    expect(stepOf(p, 'node1', 'wait-http')).toMatchObject({ attemptSec: 3, timeoutSec: 1200 });
    expect(String(stepOf(p, 'node1', 'wait-http').command)).toContain('curl -sS --max-time 3 ');
  });
});

describe('validation', () => {
  it('an unknown Gogo diagnostic and a zero count are located errors', async () => {
    const errors = errorsOf(await planText(withHealth('  osgi: { enabled: true, commands: [ss], successes: 0 }\n')));
    expect(errors).toEqual([
      'E_ENUM 21:37 `health.osgi.commands[0]` is `ss`, which is not allowed',
      'E_SCHEMA 21:53 `health.osgi.successes` is `0`, less than the minimum 1',
    ]);
  });
});
