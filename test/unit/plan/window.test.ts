/**
 * Maintenance windows per strategy (a rolling restart in business hours, a full restart at night):
 * the plan takes the strategy's own window, else the general one, and says which one applies.
 */
import { Chalk } from 'chalk';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPlaybook } from '../../../src/app/use-cases.js';
import { checkWindow } from '../../../src/execute/window.js';
import { renderPlanText } from '../../../src/render/plan-text.js';
import { HAPROXY_RESTART_LINES } from '../../helpers/playbook-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-window-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function planWith(
  strategy: 'rolling' | 'full',
  window: string[],
): Promise<Awaited<ReturnType<typeof planPlaybook>>> {
  const file = join(dir, `w${n++}.yml`);
  writeFileSync(
    file,
    [
      'lrroll: 1',
      'name: Windows',
      'inventory:',
      '  nodes:',
      '    - name: node1',
      '    - name: node2',
      ...HAPROXY_RESTART_LINES,
      'rollout:',
      `  strategy: ${strategy}`,
      '  window:',
      ...window.map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  return planPlaybook(file, { vars: {}, limit: null });
}

const BOTH = [
  'timezone: Europe/Madrid',
  'rolling:',
  '  days: [mon, tue, wed, thu, fri]',
  '  start: "09:00"',
  '  end: "17:00"',
  'full:',
  '  start: "01:00"',
  '  end: "04:00"',
  '  timezone: UTC',
];

describe('windows per strategy', () => {
  it('rolling takes rollout.window.rolling (business hours, the shared time zone)', async () => {
    const { plan } = await planWith('rolling', BOTH);
    expect(plan?.policy.window).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      start: '09:00',
      end: '17:00',
      timezone: 'Europe/Madrid',
      source: 'rollout.window.rolling',
    });
    expect(renderPlanText(plan!, { full: false, chalk: new Chalk({ level: 0 }) })).toContain(
      'window mon,tue,wed,thu,fri 09:00–17:00 Europe/Madrid (rollout.window.rolling)',
    );
  });

  it('full takes rollout.window.full (at night, its own time zone)', async () => {
    const { plan } = await planWith('full', BOTH);
    expect(plan?.policy.window).toEqual({
      days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
      start: '01:00',
      end: '04:00',
      timezone: 'UTC',
      source: 'rollout.window.full',
    });
  });

  it('a strategy without its own window falls back to the general one, or to none', async () => {
    const general = ['start: "22:00"', 'end: "05:00"', 'rolling:', '  start: "09:00"', '  end: "17:00"'];
    expect((await planWith('full', general)).plan?.policy.window).toMatchObject({
      start: '22:00',
      end: '05:00',
      source: 'rollout.window',
    });
    expect((await planWith('rolling', general)).plan?.policy.window).toMatchObject({
      start: '09:00',
      source: 'rollout.window.rolling',
    });
    expect((await planWith('full', ['rolling:', '  start: "09:00"', '  end: "17:00"'])).plan?.policy.window).toBeNull();
  });

  it(
    'the window that applies is the one the executor checks: Tuesday 03:00 in Madrid is closed for ' +
      'rolling, open for full',
    async () => {
      const tuesday3am = Date.parse('2026-03-17T02:00:00Z'); // 03:00 in Madrid (CET), 02:00 UTC
      const rolling = (await planWith('rolling', BOTH)).plan?.policy.window ?? null;
      const full = (await planWith('full', BOTH)).plan?.policy.window ?? null;
      expect(checkWindow(rolling, tuesday3am, 60).open).toBe(false);
      expect(checkWindow(full, tuesday3am, 60).open).toBe(true);
    },
  );

  it.each([
    [['start: "22:00"'], 'the maintenance window has `start` but no `end`'],
    [
      ['timezone: UTC'],
      'the maintenance window needs `start` and `end`, or a window per strategy under `rolling` and/or `full`',
    ],
    [['full:', '  start: "01:00"', '  end: "01:00"'], 'the maintenance window opens and closes at the same time'],
    [
      ['rolling:', '  start: "09:00"', '  end: "17:00"', '  timezone: Mars/Olympus'],
      '`Mars/Olympus` is not an IANA time zone',
    ],
    [['rolling:', '  start: "09:00"'], '`rollout.window.rolling` is missing the required key `end`'],
  ])('%j is an error: %s', async (window, summary) => {
    const { plan, diagnostics } = await planWith('rolling', window);
    expect(plan).toBeUndefined();
    expect(
      diagnostics
        .filter((d) => d.severity === 'error')
        .map((d) => d.summary)
        .join('\n'),
    ).toContain(summary);
  });
});
