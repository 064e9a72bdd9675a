/**
 * `-e/--set path=value` (like Ansible's -e) changes policy values for one run: applied before
 * validation (so a bad value is reported at `--set:<n>`), recorded in the plan, and part of its hash.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { formatDiagnostics } from '../../../src/errors/format.js';
import { renderPlanText } from '../../../src/render/plan-text.js';

const plan = (sets: string[]) => planPlaybook('playbooks/restart.yml', { vars: {}, limit: null, sets });
const chalk = new Chalk({ level: 0 });

describe('--set policy overrides', () => {
  it('changes onFailure, a timeout and the settle for this run, records them, and changes the hash', async () => {
    const base = (await plan([])).plan;
    const { plan: p, diagnostics } = await plan([
      'rollout.onFailure=rollback',
      'health.http.timeout=10m',
      'health.settle=30s',
      'loadBalancer.drainTimeout=45s',
    ]);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(p?.policy.onFailure).toBe('rollback');
    expect(p?.batches[0]?.nodePlans[0]?.rollback.length).toBeGreaterThan(0);
    const steps = p?.batches[0]?.nodePlans[0]?.steps ?? [];
    expect(steps.find((s) => s.action === 'wait-http')?.timeoutSec).toBe(600);
    expect(steps.find((s) => s.action === 'settle')).toMatchObject({
      seconds: 30,
      title: 'settle for 30s (health.settle)',
    });
    expect(steps.find((s) => s.action === 'lb-wait-drained')?.timeoutSec).toBe(45);
    expect(p?.overrides).toEqual({
      'rollout.onFailure': 'rollback',
      'health.http.timeout': '10m',
      'health.settle': '30s',
      'loadBalancer.drainTimeout': '45s',
    });
    expect(p?.hash).not.toBe(base?.hash);
    expect(renderPlanText(p!, { full: false, chalk })).toContain(
      'Set for this run (--set): rollout.onFailure=rollback, health.http.timeout=10m, ' +
        'health.settle=30s, loadBalancer.drainTimeout=45s',
    );
  });

  it('the same --set gives the same hash; a later --set of the same path wins', async () => {
    expect((await plan(['health.settle=5s'])).plan?.hash).toBe((await plan(['health.settle=5s'])).plan?.hash);
    expect((await plan(['health.settle=5s', 'health.settle=7s'])).plan?.overrides).toEqual({ 'health.settle': '7s' });
  });

  it("a bad value is reported at its --set, with the schema's message and hint", async () => {
    const outcome = await plan(['health.settle=30s', 'rollout.onFailure=rollbak']);
    expect(outcome.plan).toBeUndefined();
    const text = formatDiagnostics(outcome.diagnostics, outcome.sources, chalk);
    expect(text).toContain('error[E_ENUM] --set:2:19: `rollout.onFailure` is `rollbak`, which is not allowed');
    expect(text).toContain('  2 | rollout.onFailure=rollbak');
    expect(text).toContain('hint: did you mean `rollback`?');
  });

  it.each([
    ['inventory.nodes=x', 'only policy settings can be set from the command line'],
    ['rollout=x', 'only policy settings can be set from the command line'],
    ['loadBalancer.socket=/tmp/x', 'only policy settings can be set from the command line'],
    ['rollout.onFailure', 'expected path=value'],
    ['rollout.serial=[1', 'the value is not valid YAML'],
  ])('%s is refused: %s', async (set, summary) => {
    const outcome = await plan([set]);
    expect(outcome.plan).toBeUndefined();
    expect(outcome.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'E_USAGE', summary: expect.stringContaining(summary) }),
    );
  });

  it("an unknown key under a settable section is the schema's unknown-key error, at the --set", async () => {
    const outcome = await plan(['rollout.onFailur=rollback']);
    expect(outcome.diagnostics).toContainEqual(
      expect.objectContaining({ code: 'E_UNKNOWN_KEY', source: { file: '--set', line: 1, col: 18 } }),
    );
  });
});
