import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportInternalError } from '../../../src/cli/crash.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { captureIo } from '../../helpers/capture-io.js';

const STACK = /\n\s+at .+:\d+:\d+/;

describe('usage errors carry their code and exit 2', () => {
  it.each([
    [
      ['validate', 'playbooks/restart.yml', '--format', 'xml'],
      /error\[E_USAGE\]: option '--format <format>' argument 'xml' is invalid/,
    ],
    [
      ['status', 'playbooks/restart.yml', '--format', 'yaml'],
      /error\[E_USAGE\]: option '--format <format>' argument 'yaml' is invalid/,
    ],
    [['plan', 'playbooks/restart.yml', '--limit', ''], /error\[E_USAGE\]: .*--limit.*expected one or more node names/],
    [['plan', 'playbooks/restart.yml', '--limit', ' , '], /error\[E_USAGE\]: .*expected one or more node names/],
    [['plan', 'playbooks/restart.yml', '--bogus'], /error\[E_USAGE\]: unknown option '--bogus'/],
    [['plna'], /error\[E_USAGE\]: unknown command 'plna'/],
    [['plan'], /error\[E_USAGE\]: missing required argument 'playbook'/],
    [['plan', 'playbooks/restart.yml', '--var', 'no-equals'], /error\[E_USAGE\]: .*expected name=value/],
  ])('%j', async (argv, message) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(2);
    expect(io.err()).toMatch(message);
    expect(io.err()).not.toMatch(/^error: /m);
  });
});

describe('an unexpected error is one line, with where the details are', () => {
  let home: string | undefined;
  afterEach(() => {
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('prints no stack trace, saves it to a file only the user can read, and names the run record', () => {
    home = mkdtempSync(join(tmpdir(), 'lrroll-crash-'));
    const io = captureIo({ LRROLL_HOME: home });
    const err = Object.assign(new Error('boom\nsecond line'), { runRecord: '/runs/abc' });
    expect(reportInternalError(err, io, ['run', 'x.yml'])).toBe(1);
    const text = io.err();
    expect(text.trim().split('\n')).toHaveLength(1);
    expect(text).not.toMatch(STACK);
    expect(text).toMatch(
      /^error\[E_INTERNAL\]: internal error — please report it with the details file: boom \(details: .*crashes.*; run record: \/runs\/abc\)/,
    );
    const file = /details: ([^;)]+)/.exec(text)?.[1] ?? '';
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toMatch(STACK);
  });
});
