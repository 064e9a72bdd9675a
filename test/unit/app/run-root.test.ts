import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRun } from '../../../src/app/run.js';
import { planPlaybook } from '../../../src/app/use-cases.js';
import type { RunEvent } from '../../../src/execute/events.js';
import type { Plan } from '../../../src/plan/types.js';
import { FIXED_START_MS, FixedClock } from '../../helpers/fixed-clock.js';

// The composition root of a run (app/run.ts), for real on local nodes: the lock's events
// are in the run's one stream, in the record as in the views, and every time in the stream
// and the record comes from the injected clock.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-run-root-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function planOf(): Promise<Plan> {
  for (const n of ['node1', 'node2']) {
    mkdirSync(join(dir, n), { recursive: true });
    writeFileSync(join(dir, n, 'running'), '');
  }
  const file = join(dir, 'pb.yml');
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: run root',
      'inventory:',
      '  defaults:',
      '    transport: local',
      '    service:',
      '      type: commands',
      '      start: "touch {{liferayHome}}/running"',
      '      stop: "rm -f {{liferayHome}}/running"',
      '      status: "test -f {{liferayHome}}/running"',
      '  nodes:',
      ...['node1', 'node2'].flatMap((n) => [`    - name: ${n}`, `      liferayHome: ${join(dir, n)}`]),
      'loadBalancer:',
      '  type: command',
      `  drain: "echo drained {{member}} >> ${dir}/lb.log"`,
      `  enable: "echo enabled {{member}} >> ${dir}/lb.log"`,
      '  status: "echo UP {{member}}"',
      'health:',
      '  startupMarker:',
      '    enabled: false',
      '  http:',
      '    enabled: false',
      'change:',
      '  type: restart',
      'rollout:',
      '  consistencyCheck: false',
      '',
    ].join('\n'),
  );
  const { plan, diagnostics } = await planPlaybook(file, { vars: {}, limit: null });
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return plan as Plan;
}

describe('a run, wired in one place', () => {
  it(
    'records the lock events with the run (taken first, released last), every time from the injected ' + 'clock',
    async () => {
      const plan = await planOf();
      const seen: RunEvent[] = [];
      const run = openRun(plan, {
        env: { LRROLL_HOME: join(dir, 'home'), HOME: dir },
        onEvent: (e) => seen.push(e),
        signal: new AbortController().signal,
        stop: new AbortController().signal,
        resume: null,
        confirm: async () => true,
        acceptNewHostKeys: false,
        lockWaitSec: 0,
        lockMessage: 'test',
        pid: process.pid,
        clock: new FixedClock(),
      });
      expect(run.runId).toMatch(/^20250107T0200-[0-9a-f]{6}$/);
      const status = await run.execute();
      const failed = seen.filter((e) => e.kind === 'step-end' && e.status === 'failed');
      expect(failed, JSON.stringify(failed)).toEqual([]);
      expect(status).toBe('ok');
      const recorded = readFileSync(join(run.recordDir, 'events.ndjson'), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l) as RunEvent);
      expect(recorded).toEqual(seen);
      expect(seen[0]).toMatchObject({ kind: 'lock', state: 'taken', nodes: ['node1', 'node2'], holder: run.runId });
      expect(seen.at(-2)).toMatchObject({ kind: 'run-end', status: 'ok' });
      expect(seen.at(-1)).toMatchObject({ kind: 'lock', state: 'released', nodes: ['node1', 'node2'] });
      // Virtual time: the run's sleeps move it, nothing else; no event carries the wall clock.
      for (const e of seen) expect(Date.parse(e.at)).toBeGreaterThanOrEqual(FIXED_START_MS);
      expect(Date.parse(seen.at(-1)?.at ?? '')).toBeLessThan(FIXED_START_MS + 3600_000);
      const meta = JSON.parse(readFileSync(join(run.recordDir, 'meta.json'), 'utf8')) as {
        startedAt: string;
        endedAt: string;
        status: string;
      };
      expect(meta.startedAt).toBe(new Date(FIXED_START_MS).toISOString());
      expect(meta.endedAt).toBe(seen.at(-2)?.at);
      expect(meta.status).toBe('ok');
    },
  );
});
