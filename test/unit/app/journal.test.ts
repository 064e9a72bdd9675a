import { fdatasyncSync, mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Journal, readEvents, type JournalFile, type RunMeta } from '../../../src/app/journal.js';
import { EVENTS_FORMAT_VERSION, type RunEvent } from '../../../src/execute/events.js';

const at = '2026-12-02T07:00:00.000Z';
const v = EVENTS_FORMAT_VERSION;
const stepStart: RunEvent = {
  kind: 'step-start',
  stepId: 'n1.start',
  action: 'start',
  title: 'Start',
  node: 'n1',
  batch: 1,
  command: null,
  v,
  at,
};
const stepEnd: RunEvent = {
  kind: 'step-end',
  stepId: 'n1.start',
  node: 'n1',
  status: 'ok',
  durationMs: 5,
  exitCode: 0,
  detail: null,
  code: null,
  hint: null,
  v,
  at,
};
const lbOut: RunEvent = { kind: 'lb-state', node: 'n1', member: 'web/n1', state: 'out', v, at };
const line = (i: number): RunEvent => ({
  kind: 'step-output',
  stepId: 'n1.start',
  node: 'n1',
  stream: 'stdout',
  line: `log line ${i}`,
  v,
  at,
});

/** The real file calls, with every call recorded in order (`write` / `sync`). */
function observedFile(): { file: JournalFile; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    file: {
      writeSync: (fd, text) => {
        calls.push('write');
        return writeSync(fd, text);
      },
      fdatasyncSync: (fd) => {
        calls.push('sync');
        fdatasyncSync(fd);
      },
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-journal-'));
  const meta: Partial<RunMeta> = { runId: 'r1', status: 'running', startedAt: at, endedAt: null, nodes: ['n1'] };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('Journal: what reaches the disk when', () => {
  it('syncs a state change before record() returns', () => {
    const { file, calls } = observedFile();
    const journal = Journal.open(dir, undefined, { file });
    for (const event of [stepStart, lbOut, stepEnd]) {
      const before = calls.length;
      journal.record(event);
      expect(calls.slice(before)).toEqual(['write', 'sync']);
    }
    journal.close();
    expect(readEvents(dir).map((e) => e.kind)).toEqual(['step-start', 'lb-state', 'step-end']);
  });

  it('writes each output line at once but syncs them with the next state change, not one by one', () => {
    const { file, calls } = observedFile();
    const journal = Journal.open(dir, undefined, { file });
    journal.record(stepStart);
    for (let i = 0; i < 1000; i++) journal.record(line(i));
    expect(calls.filter((c) => c === 'sync')).toHaveLength(1);
    expect(calls.filter((c) => c === 'write')).toHaveLength(1001);
    // Written (a crash of the process loses nothing), though not yet synced.
    expect(readEvents(dir)).toHaveLength(1001);
    journal.record(stepEnd);
    expect(calls.slice(-2)).toEqual(['write', 'sync']);
    expect(calls.filter((c) => c === 'sync')).toHaveLength(2);
    journal.close();
  });

  it('syncs output lines after a short delay when no state change follows (a long startup log)', () => {
    vi.useFakeTimers();
    const { file, calls } = observedFile();
    const journal = Journal.open(dir, undefined, { file, outputSyncDelayMs: 500 });
    journal.record(line(1));
    journal.record(line(2));
    vi.advanceTimersByTime(499);
    expect(calls).toEqual(['write', 'write']);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['write', 'write', 'sync']);
    journal.close();
    expect(calls).toEqual(['write', 'write', 'sync']);
  });

  it('syncs unsynced output when closed, and leaves no timer behind', () => {
    vi.useFakeTimers();
    const { file, calls } = observedFile();
    const journal = Journal.open(dir, undefined, { file });
    journal.record(line(1));
    journal.close();
    expect(calls).toEqual(['write', 'sync']);
    expect(vi.getTimerCount()).toBe(0);
  });
});
