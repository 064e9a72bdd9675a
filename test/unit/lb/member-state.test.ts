import { describe, expect, it } from 'vitest';
import type { StepEndEvent } from '../../../src/execute/events.js';
import { commandMemberState, isSettledUp, parseStatusOutput } from '../../../src/execute/lb/member-state.js';
import { enableAndWaitUp } from '../../../src/execute/lb/wait-up.js';
import { createHarness, loadPlan } from '../../helpers/fake-transport.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

// One reading of a command load balancer's member state for a run, `lrroll status` and reconcile.
// A word that only starts like a state is not that state: `UPDATING` is not UP.

describe('a command load balancer’s status', () => {
  it('reads the first word exactly: UPDATING, UPGRADING and DOWNTIME are UNKNOWN, not UP or DOWN', () => {
    expect(
      ['UP', 'up 3 sessions', 'DRAINING', 'maintenance', 'UPDATING', 'UPGRADING', 'DOWNTIME', ''].map(
        parseStatusOutput,
      ),
    ).toEqual(['UP', 'UP', 'DRAIN', 'MAINT', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
    expect(commandMemberState('UPDATING backend\nmore\n')).toEqual({
      state: 'UNKNOWN',
      raw: 'UPDATING backend',
      sessions: null,
    });
  });

  it(
    'a member the status command calls UPDATING is not UP during a run either: the pre-roll check ' + 'refuses it',
    async () => {
      const plan = await loadPlan('playbooks/jvm-settings.yml');
      const h = createHarness(plan);
      h.cluster.script({ host: 'local', kind: 'lb-status' }, (call) =>
        call.command.endsWith(' node2') ? { stdout: 'UPDATING\n' } : undefined,
      );
      const report = await h.run();
      expect(report.status).not.toBe('ok');
      const check = h.events.find(
        (e): e is StepEndEvent => e.kind === 'step-end' && e.node === 'node2' && e.stepId.endsWith('check-lb-member'),
      );
      expect(check).toMatchObject({
        status: 'failed',
        detail: 'node2 is UPDATING, not UP: fix it (or the node) before rolling',
      });
    },
  );
});

describe('enable and wait UP', () => {
  it(
    'only a settled UP counts (HAProxy’s `UP 1/3` is still rising), polled fast at first then at the ' +
      'poll interval',
    async () => {
      expect(isSettledUp({ state: 'UP', raw: 'UP 1/3', sessions: null })).toBe(false);
      expect(isSettledUp({ state: 'UP', raw: 'UP', sessions: null })).toBe(true);
      const clock = new FixedClock();
      const states = ['MAINT', 'UP 1/3', 'UP 2/3', 'UP 2/3', 'UP'];
      let enabled = 0;
      const r = await enableAndWaitUp(
        async () => void enabled++,
        async () => ({ state: states[0] === 'MAINT' ? 'MAINT' : 'UP', raw: states.shift() ?? 'UP', sessions: null }),
        {
          clock,
          signal: new AbortController().signal,
          timeoutMs: 10_000,
          pollMs: 2000,
          fastPollMs: 100,
          fastForMs: 250,
        },
      );
      expect(r).toEqual({ up: true, interrupted: false, last: 'UP' });
      expect(enabled).toBe(1);
      expect(clock.sleeps).toEqual([100, 100, 100, 2000]);
    },
  );

  it('gives up at the deadline with the last state it saw', async () => {
    const clock = new FixedClock();
    const r = await enableAndWaitUp(
      async () => undefined,
      async () => ({ state: 'DOWN', raw: 'DOWN', sessions: null }),
      { clock, signal: new AbortController().signal, timeoutMs: 5000, pollMs: 2000, fastPollMs: 100, fastForMs: 0 },
    );
    expect(r).toEqual({ up: false, interrupted: false, last: 'DOWN' });
    expect(clock.elapsedSince()).toBe(6000);
  });
});
