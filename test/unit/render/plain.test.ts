import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { PlainRenderer } from '../../../src/render/plain.js';
import { captureIo, feed, FIXTURES, readEvents } from './helpers.js';

const chalk = new Chalk({ level: 0 });

async function render(fixture: string, verbose = false): Promise<string> {
  const io = captureIo();
  await feed(new PlainRenderer(io, { chalk, verbose }), readEvents(fixture));
  return io.text();
}

describe('plain renderer', () => {
  it.each(FIXTURES)('%s', async (fixture) => {
    expect(await render(fixture)).toMatchSnapshot();
  });

  it('verbose: every output line and command of a refused run', async () => {
    expect(await render('refused-preflight.ndjson', true)).toMatchSnapshot();
  });

  it('never hides the reason of a failure: detail, command and the last output lines', async () => {
    const text = await render('health-gate-halt.ndjson');
    const failed = text.split('\n').findIndex((l) => l.includes('FAILED') && l.includes('wait for http://'));
    const after = text
      .split('\n')
      .slice(failed, failed + 24)
      .join('\n');
    expect(after).toContain(
      'no 200/302 from http://127.0.0.1:8080/c/portal/layout within 5m 00s; last answer: HTTP 503',
    );
    expect(after).toContain("$ curl -sS --max-time 10 -w '\\n%{http_code}' http://127.0.0.1:8080/c/portal/layout");
    expect(after).toMatch(/\| 503$/m);
    expect(after).toContain('earlier line(s) not shown');
  });

  it('prints at most one progress line per step per 5 s', async () => {
    const lines = (await render('rolling-ok.ndjson'))
      .split('\n')
      .filter((l) => / ~ \d+ session\(s\) on liferay\/node1 /.test(l));
    const seconds = lines.map((l) => Number(/^\+(\d+\.\d)s/.exec(l)?.[1]));
    expect(seconds.length).toBeGreaterThan(1);
    seconds.slice(1).forEach((s, i) => expect(Math.round((s - (seconds[i] ?? 0)) * 10)).toBeGreaterThanOrEqual(50));
  });

  it('quiet by default: output of successful steps stays hidden', async () => {
    const text = await render('rolling-ok.ndjson');
    expect(text).not.toContain('Using CATALINA_BASE');
    expect(text).toContain('Run ok in');
  });
});
