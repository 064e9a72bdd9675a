import { describe, expect, it } from 'vitest';
import type { RunEndEvent } from '../../../src/execute/events.js';
import { maskDeep, secretMask } from '../../../src/execute/secrets.js';
import type { HookStep, Plan } from '../../../src/plan/types.js';
import { createHarness, loadPlan } from '../../helpers/fake-transport.js';

// Secret values never leave the executor: every event (and so every renderer, the NDJSON stream
// and the run record) is masked at the one place events are emitted, whatever field carries the
// text — a step's output, its detail, a phase's failure in the run-level reason, the summary.

const ADMIN = 'adm1n-pw-7f3a';
const DB = 'db-pw-42';
const SECRETS = { LIFERAY_ADMIN_PASSWORD: ADMIN, DB_PASSWORD: DB };
const LEAK = new RegExp(`${ADMIN}|${DB}|${encodeURIComponent(ADMIN)}`);

/** The secrets example with its afterNode hook also run once before the run (so its failure is a run-level failure). */
async function withBeforeRunHook(): Promise<{ plan: Plan; hook: HookStep }> {
  const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
  const nodeHook = plan.batches[0]?.nodePlans[0]?.steps.find(
    (s): s is HookStep & { phase: 'return' } => s.action === 'hook',
  );
  if (!nodeHook) throw new Error('the example has no hook');
  const hook: HookStep = { ...nodeHook, id: 'run/before/01-hook', node: null, title: 'beforeRun hook: notify' };
  delete (hook as Partial<typeof nodeHook>).phase;
  plan.beforeRun = [hook];
  return { plan, hook };
}

describe('secret values are masked in every event', () => {
  it(
    'a failing beforeRun hook that prints the secrets: step output, step detail, run-level reason and ' +
      'summary are masked',
    async () => {
      const { plan, hook } = await withBeforeRunHook();
      const h = createHarness(plan, { deps: { secrets: SECRETS } });
      h.cluster.script(
        { host: 'local', kind: 'hook' },
        {
          exitCode: 1,
          stdout: `login admin/${ADMIN}\n`,
          stderr: `bad url ?password=${encodeURIComponent(ADMIN)}&db=${DB}\n`,
        },
      );
      const report = await h.run();
      expect(report.status).toBe('failed');
      expect(report.reason).toBe(
        'a beforeRun hook failed, nothing was changed: beforeRun hook: notify: the hook exited with ' +
          'code 1: bad url ?password=***&db=***',
      );
      const end = h.events.at(-1) as RunEndEvent;
      expect(end.reason).toBe(report.reason);
      expect(h.events.find((e) => e.kind === 'step-end' && e.stepId === hook.id)).toMatchObject({
        status: 'failed',
        detail: 'the hook exited with code 1: bad url ?password=***&db=***',
      });
      expect(
        h.events.filter((e) => e.kind === 'step-output').map((e) => (e.kind === 'step-output' ? e.line : '')),
      ).toEqual(['login admin/***', 'bad url ?password=***&db=***']);
      expect(JSON.stringify(h.events)).not.toMatch(LEAK);
      expect(JSON.stringify(report)).not.toMatch(LEAK);
    },
  );

  it('a failing node step: the node summary and the run-end event carry no secret', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const h = createHarness(plan, { deps: { secrets: SECRETS } });
    h.cluster.script({ host: 'local', kind: 'hook' }, { exitCode: 3, stderr: `"password":"${ADMIN}"\n` });
    const report = await h.run();
    expect(report.status).toBe('failed');
    expect(JSON.stringify(h.events)).not.toMatch(LEAK);
    expect(JSON.stringify(h.events)).toContain('\\"password\\":\\"***\\"');
  });
});

describe('secrets too short to be masked are refused before anything runs', () => {
  it.each([
    ['one character', 'x'],
    ['three characters', 'a1b'],
    ['empty', ''],
  ])('%s', async (_, value) => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const h = createHarness(plan, { deps: { secrets: { ...SECRETS, DB_PASSWORD: value } } });
    const report = await h.run();
    expect(report.status).toBe('refused');
    expect(report.reason).toBe(
      'secret environment variable(s) DB_PASSWORD is empty or shorter than 4 characters: lrroll masks ' +
        'every secret value wherever it appears in output and records, and a value this short cannot be ' +
        'told apart from ordinary text; use a longer secret: nothing was changed',
    );
    expect(h.events.map((e) => e.kind)).toEqual(['run-start', 'run-end']);
    expect(h.cluster.calls).toEqual([]);
  });

  it('four characters are enough', async () => {
    const plan = await loadPlan('test/fixtures/playbooks/valid/secrets.yml');
    const h = createHarness(plan, { deps: { secrets: { ...SECRETS, DB_PASSWORD: 'x9!z' } } });
    h.cluster.script({ host: 'local', kind: 'hook' }, { stdout: 'pw x9!z\n' });
    expect((await h.run()).status).toBe('ok');
    expect(JSON.stringify(h.events)).not.toContain('x9!z');
  });
});

describe('secretMask', () => {
  it('masks every occurrence, the longest secret first, in its raw, URL-encoded and JSON-escaped forms', () => {
    const mask = secretMask(['pa"ss word', 'pa"ss word-long', 'abc']);
    expect(mask('a pa"ss word-long and pa"ss word; pa%22ss%20word; pa\\"ss word')).toBe('a *** and ***; ***; ***');
    expect(mask('abc stays: too short to be a secret lrroll accepts')).toBe(
      'abc stays: too short to be a secret lrroll accepts',
    );
  });

  it('maskDeep masks strings anywhere in an event and leaves other values alone', () => {
    const mask = secretMask(['s3cret!']);
    expect(maskDeep({ a: 's3cret!', n: 3, b: [{ c: 'x s3cret! y' }, null, true] }, mask)).toEqual({
      a: '***',
      n: 3,
      b: [{ c: 'x *** y' }, null, true],
    });
  });
});
