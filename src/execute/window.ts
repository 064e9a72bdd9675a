import type { Policy } from '../plan/types.js';

/** Whether work may start now, and why not. */
interface WindowVerdict {
  open: boolean;
  /** Seconds left before the window closes (Infinity without a window). */
  remainingSec: number;
  reason: string | null;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** The weekday and minutes since midnight of an instant in a time zone. */
function localTime(nowMs: number, timeZone: string): { day: string; minutes: number; seconds: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(nowMs));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '0';
  return {
    day: get('weekday').toLowerCase().slice(0, 3),
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
    seconds: Number(get('second')),
  };
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/**
 * Checks the maintenance window: open now on an allowed day, and at least `needSec` left before it
 * closes. A window whose end is earlier than its start runs past midnight; it belongs to the day it opens.
 */
export function checkWindow(window: Policy['window'], nowMs: number, needSec: number): WindowVerdict {
  if (!window) return { open: true, remainingSec: Infinity, reason: null };
  const { day, minutes, seconds } = localTime(nowMs, window.timezone);
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const overnight = end <= start;
  const yesterday = DAYS[(DAYS.indexOf(day as (typeof DAYS)[number]) + 6) % 7] ?? day;
  let openedOn: string | null = null;
  let closesInMin = 0;
  if (!overnight && minutes >= start && minutes < end) {
    openedOn = day;
    closesInMin = end - minutes;
  } else if (overnight && minutes >= start) {
    openedOn = day;
    closesInMin = 24 * 60 - minutes + end;
  } else if (overnight && minutes < end) {
    openedOn = yesterday;
    closesInMin = end - minutes;
  }
  const label = `${window.days.join(',')} ${window.start}–${window.end} ${window.timezone}`;
  if (openedOn === null || !window.days.includes(openedOn))
    return { open: false, remainingSec: 0, reason: `the maintenance window (${label}) is closed now` };
  const remainingSec = closesInMin * 60 - seconds;
  if (remainingSec < needSec) {
    return {
      open: false,
      remainingSec,
      reason:
        `the maintenance window (${label}) closes in ${Math.floor(remainingSec / 60)}` +
        ` min, and the next part needs about ${Math.ceil(needSec / 60)} min`,
    };
  }
  return { open: true, remainingSec, reason: null };
}
