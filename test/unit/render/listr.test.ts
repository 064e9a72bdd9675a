import { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { ListrView } from '../../../src/render/listr.js';
import { captureIo, readEvents } from './helpers.js';

const chalk = new Chalk({ level: 0 });

/** One line of listr2's test renderer. */
interface TestLine {
  event: string;
  data: unknown;
  task?: { title?: string; hasFailed?: boolean; isSkipped?: boolean };
}

/**
 * Drives the view with a recorded stream; `paced` lets listr2 run between events (as in a real run), else they all
 * arrive at once.
 */
async function drive(
  fixture: string,
  { injectStream = false, paced = false } = {},
): Promise<{ lines: TestLine[]; summary: string }> {
  const io = captureIo();
  const chunks: string[] = [];
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      chunks.push(String(chunk));
      done();
    },
  });
  const view = new ListrView(io, {
    chalk,
    renderer: 'test',
    now: () => 0,
    ...(injectStream ? { stream: stream as unknown as NodeJS.WriteStream } : {}),
  });
  view.start();
  for (const e of readEvents(fixture)) {
    view.onEvent(e);
    if (paced) await new Promise((resolve) => setImmediate(resolve));
  }
  await expect(view.end()).resolves.toBeUndefined();
  const text = injectStream ? chunks.join('') : io.text();
  const lines = text
    .split('\n')
    .filter((l) => l.startsWith('{"event"'))
    .map((l) => JSON.parse(l) as TestLine);
  return {
    lines,
    summary: injectStream
      ? io.text()
      : text
          .split('\n')
          .filter((l) => !l.startsWith('{"event"'))
          .join('\n'),
  };
}

/** The last state listr2 reported for the task whose title starts with `prefix`. */
function finalState(lines: readonly TestLine[], prefix: string): unknown {
  return lines.filter((l) => l.event === 'STATE' && l.task?.title?.startsWith(prefix)).at(-1)?.data;
}

describe('listr2 view (test renderer)', () => {
  it('a successful run: every batch and node completes, nothing fails', async () => {
    const { lines, summary } = await drive('rolling-ok.ndjson', { paced: true });
    for (const n of ['node1', 'node2', 'node3', 'Batch 1/3', 'Batch 3/3', 'Preflight', 'After the last batch'])
      expect(finalState(lines, n), n).toBe('COMPLETED');
    expect(lines.some((l) => l.data === 'FAILED')).toBe(false);
    expect(
      lines.some(
        (l) =>
          l.event === 'TITLE' &&
          /^node1 \[out of the LB\] · wait for http:\/\/127\.0\.0\.1:8080\/c\/portal\/layout .* \(\d/.test(
            String(l.data),
          ),
      ),
    ).toBe(true);
    expect(finalState(lines, 'Update com.acme.orders.service to 2.1.3')).toBe('COMPLETED');
    expect(summary).toContain('✔ Run ok in');
  });

  it(
    'node2 fails its health gate: node2 is failed, node3 never starts, the run goes on to the ' + 'on-failure hook',
    async () => {
      const { lines, summary } = await drive('health-gate-halt.ndjson', { injectStream: true });
      expect(finalState(lines, 'node2')).toBe('FAILED');
      expect(finalState(lines, 'Update com.acme.orders.service to 2.1.3 · halted')).toBe('FAILED');
      expect(finalState(lines, 'node1')).toBe('COMPLETED');
      expect(finalState(lines, 'Batch 3/3')).toBe('SKIPPED');
      expect(finalState(lines, 'On failure')).toBe('COMPLETED');
      const error = lines.find((l) => l.event === 'MESSAGE' && l.task?.title?.startsWith('node2'));
      expect(JSON.stringify(error?.data)).toContain('last answer: HTTP 503');
      expect(
        lines.some(
          (l) => l.event === 'TITLE' && l.data === 'Update com.acme.orders.service to 2.1.3 · halted in 11m 41s',
        ),
      ).toBe(true);
      expect(summary).toContain('Cluster state:');
      expect(summary).toContain(
        'node2: running the new module but answering HTTP 503, out of the load balancer (maint)',
      );
    },
  );

  it('a refused run: preflight fails, no batch starts, phases that never ran stay hidden', async () => {
    const { lines, summary } = await drive('refused-preflight.ndjson');
    expect(finalState(lines, 'Preflight')).toBe('FAILED');
    for (const b of ['Batch 1/3', 'Batch 2/3', 'Batch 3/3']) expect(finalState(lines, b), b).toBe('SKIPPED');
    expect(lines.some((l) => l.task?.title?.startsWith('After the last batch') && l.data === 'STARTED')).toBe(false);
    expect(summary).toContain('✖ Run refused after 3.4s');
  });

  it('end() resolves and prints the summary even when no run-start came', async () => {
    const io = captureIo();
    const view = new ListrView(io, { chalk, renderer: 'silent' });
    view.start();
    const end = readEvents('refused-preflight.ndjson').at(-1);
    if (end) view.onEvent(end);
    await view.end();
    expect(io.text()).toContain('Run refused');
  });
});

describe('listr2 view (default renderer)', () => {
  it('writes only to its io (listr2 falls back to its simple renderer off a terminal) and end() resolves', async () => {
    const io = captureIo({ isTTY: true, columns: 100, rows: 40 });
    const view = new ListrView(io, { chalk, renderer: 'default', tickMs: 50 });
    view.start();
    for (const e of readEvents('health-gate-halt.ndjson')) view.onEvent(e);
    await view.end();
    expect(io.text()).toContain('node2');
    expect(io.text()).toContain('✖ Run halted after 11m 41s');
  });
});
