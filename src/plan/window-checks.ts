/** The maintenance window's checks the schema cannot express: both ends given, a non-empty span, a real time zone. */
import type { Diagnostic } from '../errors/diagnostics.js';
import type { Playbook } from '../playbook/playbook.generated.js';
import type { SourceMap } from '../playbook/source-map.js';

export function windowDiagnostics(playbook: Playbook, sm: SourceMap): Diagnostic[] {
  const w = playbook.rollout?.window;
  if (!w) return [];
  const out: Diagnostic[] = [];
  const base = ['rollout', 'window'];
  if ((w.start === undefined) !== (w.end === undefined)) {
    out.push({
      severity: 'error',
      code: 'E_REQUIRED',
      summary:
        `the maintenance window has \`${w.start === undefined ? 'end' : 'start'}\` but no \`` +
        `${w.start === undefined ? 'start' : 'end'}\``,
      source: sm.locate(base),
      hint: 'give both `start` and `end` (HH:MM)',
    });
  }
  if (w.start === undefined && w.end === undefined && !w.rolling && !w.full) {
    out.push({
      severity: 'error',
      code: 'E_REQUIRED',
      summary: 'the maintenance window needs `start` and `end`, or a window per strategy under `rolling` and/or `full`',
      source: sm.locate(base),
      hint: 'e.g. `window: { start: "22:00", end: "05:00" }`',
    });
  }
  for (const [path, spec] of [
    [base, w],
    [[...base, 'rolling'], w.rolling],
    [[...base, 'full'], w.full],
  ] as const) {
    if (!spec) continue;
    if (spec.start !== undefined && spec.start === spec.end)
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary: 'the maintenance window opens and closes at the same time',
        source: sm.locate([...path, 'end']),
      });
    if (spec.timezone !== undefined && !isTimeZone(spec.timezone)) {
      out.push({
        severity: 'error',
        code: 'E_SCHEMA',
        summary: `\`${spec.timezone}\` is not an IANA time zone`,
        source: sm.locate([...path, 'timezone']),
        hint: 'e.g. `Europe/Madrid`, `America/New_York`, `UTC`',
      });
    }
  }
  return out;
}

/**
 * The list of canonical zones is quick to read; creating a DateTimeFormat for a zone loads ICU's
 * time zone data (tens of ms of a cold `lrroll validate`), so it is left for aliases (`UTC`, `US/Eastern`).
 */
function isTimeZone(zone: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
