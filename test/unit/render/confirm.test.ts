/**
 * The confirmation `lrroll run` prints before "Run it now?" (and with --yes): the verdict, the
 * strategy, what users will notice, and for a full restart the downtime with its expected length.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { Plan } from '../../../src/plan/types.js';
import { formatConfirmation } from '../../../src/render/confirm.js';

const chalk = new Chalk({ level: 0 });

async function planOf(file: string): Promise<Plan> {
  const outcome = await planPlaybook(file, { vars: {}, limit: null });
  if (!outcome.plan) throw new Error(JSON.stringify(outcome.diagnostics));
  return outcome.plan;
}

describe('the confirmation before a run', () => {
  it(
    'rolling: the verdict, the strategy and the user-impact notes (sessions, mixed versions, slow first ' + 'requests)',
    async () => {
      const text = formatConfirmation(await planOf('playbooks/fixpack.yml'), chalk);
      expect(text).toContain('About to run Install fix pack dxp-15 on production (plan ');
      expect(text).toContain('  Verdict: rolling — eligible for a rolling restart\n');
      expect(text).toMatch(
        / {2}Strategy: rolling · 4 node\(s\) in 4 batch\(es\) · min healthy 3 · on failure rollback · ~\d+m \d+s expected/,
      );
      expect(text).toContain('What users will notice:');
      expect(text).toMatch(/- Sessions: .*must log in again unless HTTP session replication is configured/);
      expect(text).toMatch(/- Mixed versions while rolling: /);
      expect(text).toMatch(/- First requests after a node starts are slow/);
      expect(text).not.toContain('DOWNTIME');
    },
  );

  it(
    'full restart: not eligible, runs as a full restart, and the site is down until the first node is ' +
      'back, for about the expected time',
    async () => {
      const plan = await planOf('playbooks/full-restart.yml');
      const text = formatConfirmation(plan, chalk);
      expect(text).toContain(
        'Verdict: full restart — not eligible for a rolling restart, it runs with every node down',
      );
      expect(text).toMatch(/Strategy: full restart · 3 node\(s\) in 1 batch\(es\)/);
      expect(plan.estimate.downtimeSec).toBeGreaterThan(0);
      const minutes =
        `${Math.floor(plan.estimate.downtimeSec / 60)}m ` +
        `${String(plan.estimate.downtimeSec % 60).padStart(2, '0')}s`;
      expect(text).toContain(
        `DOWNTIME: the site is down from the first stop until the first node is back in the load ` +
          `balancer: about ${minutes} expected.`,
      );
      expect(text).toMatch(/- Sessions: every node is drained/);
    },
  );
});
