/**
 * Running generated shell commands for real, for the tests next to this file: with dash (/bin/sh
 * on Debian) and bash, against temp directories, with each installed awk.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterAll, expect, onTestFinished } from 'vitest';

export const SHELLS = ['/bin/sh', '/bin/bash'].filter((shell) => fs.existsSync(shell));

/** True when `cmd` is on PATH. */
export function onPath(cmd: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${cmd}`]).status === 0;
}

// The commands run "${LRROLL_AWK:-awk}": with both mawk and gawk installed, test each; else the default awk.
// LRROLL_TEST_AWKS (colon-separated commands or paths, e.g. a wrapper running `busybox awk`) overrides the list.
const INSTALLED_AWKS = ['mawk', 'gawk'].filter(onPath);
export const AWKS =
  process.env['LRROLL_TEST_AWKS']?.split(':').filter((awk) => awk !== '') ??
  (INSTALLED_AWKS.length === 2 ? INSTALLED_AWKS : ['awk']);

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `command` with `shell -c`, extra environment variables added. */
export function run(shell: string, command: string, env: Record<string, string> = {}): RunResult {
  const result = spawnSync(shell, ['-c', command], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `command` and expects success. */
export function runOk(shell: string, command: string, env: Record<string, string> = {}): RunResult {
  const result = run(shell, command, env);
  expect(result.status, `stderr: ${result.stderr}`).toBe(0);
  return result;
}

/**
 * A fresh temp directory, removed when the test that asked for it ends. (Tied to the test, not to a file-level
 * `afterAll` in this module: the unit tests share their workers' module cache, so such a hook would be registered for
 * the first file that imports this module only.)
 */
export function tmp(): string {
  if (expect.getState().currentTestName === undefined) throw new Error('tmp() outside a test: use suiteTmp()');
  const dir = fs.mkdtempSync(os.tmpdir() + '/lrroll-shell-');
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh temp directory for a `describe` body (outside any test), removed after that suite. */
export function suiteTmp(): string {
  const dir = fs.mkdtempSync(os.tmpdir() + '/lrroll-shell-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function read(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

export function mode(file: string): number {
  return fs.statSync(file).mode & 0o7777;
}
