/**
 * With `onFailure: halt` a failed node is left as it is, but first its last log lines, a thread
 * dump and its patch/module state go into the run record — as plan steps the plan shows, not only
 * on the rollback path.
 */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { StepEndEvent, StepStartEvent } from '../../../src/execute/events.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { createHarness, loadPlan, type Harness } from '../../helpers/fake-transport.js';

const starts = (h: Harness): StepStartEvent[] => h.events.filter((e): e is StepStartEvent => e.kind === 'step-start');
const ends = (h: Harness): StepEndEvent[] => h.events.filter((e): e is StepEndEvent => e.kind === 'step-end');

describe('forensics on onFailure: halt', () => {
  it('the plan carries them per node and shows them; a rollback plan has them in its rollback instead', async () => {
    const halt = await loadPlan('playbooks/module.yml');
    expect(halt.policy.onFailure).toBe('halt');
    const np = halt.batches[1]?.nodePlans[0];
    expect(np?.onHalt.map((s) => [s.id, s.action])).toEqual([['batch2/node2/on-halt/01-forensics', 'forensics']]);
    expect(np?.onHalt[0]?.command).toMatch(/tail -n 200 [\s\S]*kill -3/);
    expect(renderPlanText(halt, { full: false, chalk: new Chalk({ level: 0 }) })).toContain(
      'on failure after the drain (halt): collect the last log lines, a thread dump and the patch/module state',
    );
    const rollback = await loadPlan('test/fixtures/playbooks/valid/module-rollback.yml');
    expect(rollback.batches[0]?.nodePlans[0]?.onHalt).toEqual([]);
    expect(rollback.batches[0]?.nodePlans[0]?.rollback[0]?.action).toBe('forensics');
  });

  it(
    'a node whose start gate fails: forensics run on it right after the failure, then the run halts ' +
      'with the node left out',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const h = createHarness(plan);
      h.cluster.host('node2').startupLines = [
        '07-Jan-2025 02:00:05.000 SEVERE [main] org.apache.catalina.core.StandardContext.startInternal ' +
          'Context [] startup failed due to previous errors',
      ];
      const report = await h.run();
      expect(report.status).not.toBe('ok');
      const failedAt = ends(h).findIndex((e) => e.node === 'node2' && e.status === 'failed');
      const forensics = starts(h).find((e) => e.stepId === 'batch2/node2/on-halt/01-forensics');
      expect(forensics, 'forensics step started').toBeDefined();
      expect(h.events.indexOf(forensics as StepStartEvent)).toBeGreaterThan(
        h.events.indexOf(ends(h)[failedAt] as StepEndEvent),
      );
      expect(ends(h).find((e) => e.stepId === 'batch2/node2/on-halt/01-forensics')).toMatchObject({ status: 'ok' });
      expect(h.cluster.callsTo('node2').some((c) => c.command.includes('kill -3'))).toBe(true);
      expect(report.nodes.find((n) => n.node === 'node2')).toMatchObject({ status: 'failed', inRotation: false });
      expect(starts(h).some((e) => e.node === 'node3' && e.batch !== null)).toBe(false);
    },
  );

  it(
    'the app server was stopped when the backup failed: forensics run; a failed drain (nothing stopped) ' +
      'runs none and the node goes back',
    async () => {
      const plan = await loadPlan('playbooks/module.yml');
      const h = createHarness(plan);
      h.cluster.script({ host: 'node1', kind: 'backup' }, { exitCode: 1, stderr: 'disk full\n' });
      await h.run();
      expect(starts(h).some((e) => e.stepId === 'batch1/node1/on-halt/01-forensics')).toBe(true);

      const h2 = createHarness(plan);
      h2.lb?.failNext('drain', 'node1');
      await h2.run();
      expect(ends(h2).find((e) => e.node === 'node1' && e.status === 'failed')?.stepId).toBe(
        'batch1/node1/02-lb-drain',
      );
      expect(starts(h2).some((e) => e.stepId.includes('/on-halt/'))).toBe(false);
    },
  );
});
