import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { PLAN_FORMAT_VERSION } from '../../../src/plan/types.js';
import { captureIo } from '../../helpers/capture-io.js';

// A run recorded by an lrroll of another plan format lacks commands, deadlines and cluster steps
// this executor runs: resuming it would run something its preview never showed, so it is refused.
const dir = mkdtempSync(join(tmpdir(), 'lrroll-resume-format-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function recordRun(runId: string, formatVersion: number): Promise<void> {
  const pb = join(dir, 'restart.yml');
  const inventory =
    'inventory:\n  nodes:\n    - name: n1\n      host: 127.0.0.1\n      transport: local\n      ' +
    'liferayHome: /opt/liferay\n';
  writeFileSync(
    pb,
    `lrroll: 1\nname: t\n${inventory}loadBalancer:\n  type: none\nchange:\n  type: ` +
      `restart\nrollout:\n  minHealthy: 0\n`,
  );
  const out = await planPlaybook(pb, { vars: {}, limit: null, env: {} });
  expect(out.plan, JSON.stringify(out.diagnostics)).toBeDefined();
  const run = join(dir, 'home', 'runs', runId);
  mkdirSync(run, { recursive: true });
  writeFileSync(join(run, 'plan.json'), JSON.stringify({ ...out.plan, formatVersion }));
  const meta = {
    runId,
    planHash: out.plan?.hash,
    name: 't',
    playbook: pb,
    user: 'u',
    host: 'h',
    pid: null,
    startedAt: '2026-12-01T10:00:00.000Z',
    status: 'aborted',
    endedAt: null,
    nodes: ['n1'],
  };
  writeFileSync(join(run, 'meta.json'), JSON.stringify(meta));
  writeFileSync(join(run, 'events.ndjson'), '');
}

describe('lrroll resume of a run recorded with another plan format', () => {
  it('is refused (exit 3, E_PLAN_FORMAT) before anything is touched, saying how to finish or abandon it', async () => {
    await recordRun('20261201T1000-aaaaaa', 2);
    const io = captureIo({ LRROLL_HOME: join(dir, 'home') }, dir);
    const code = await runCli(['resume', '20261201T1000-aaaaaa', '--yes', '--output', 'plain'], io);
    expect(code, io.err()).toBe(3);
    expect(io.err()).toContain(
      `error[E_PLAN_FORMAT]: run 20261201T1000-aaaaaa was recorded with plan format 2; this lrroll ` +
        `runs format ${PLAN_FORMAT_VERSION}`,
    );
    expect(io.err()).toContain('lrroll unlock');
    expect(io.err()).not.toContain('Resuming run');
  });

  it(
    'is refused for a run recorded with plan format 4, the last before values held in several places ' + 'were shared',
    async () => {
      await recordRun('20261201T1100-bbbbbb', 4);
      const io = captureIo({ LRROLL_HOME: join(dir, 'home') }, dir);
      const code = await runCli(['resume', '20261201T1100-bbbbbb', '--yes', '--output', 'plain'], io);
      expect(code, io.err()).toBe(3);
      expect(io.err()).toContain('error[E_PLAN_FORMAT]: run 20261201T1100-bbbbbb was recorded with plan format 4;');
    },
  );
});
