// The disk hygiene commands, run here with sh on a temporary Liferay Home: runs recorded one after
// another, the newest N kept, backups and staged files of older runs removed, the lock left alone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFootprint } from '../../../src/domain/footprint.js';
import { footprintCommand, pruneCommand } from '../../../src/plan/hygiene.js';

let dir: string;
let home: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lrroll-hygiene-'));
  home = join(dir, 'liferay home');
  mkdirSync(join(home, '.lrroll/lock'), { recursive: true });
  writeFileSync(join(home, '.lrroll/lock/owner'), 'someone');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sh(command: string, runId = ''): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env: { ...process.env, LRROLL_RUN_ID: runId } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * What a run leaves: its backup folder and its staged artifact (each newer than what came before: nanosecond times).
 */
function leaveRun(key: string, staged: string): void {
  const d = join(home, '.lrroll');
  mkdirSync(join(d, 'backups', key, 'files'), { recursive: true });
  writeFileSync(join(d, 'backups', key, 'manifest'), 'present /x\n');
  mkdirSync(join(d, 'staging'), { recursive: true });
  writeFileSync(join(d, 'staging', staged), 'x'.repeat(4096));
}

/** A run that ends: it prunes with its own key and staged files. */
function endRun(key: string, staged: string[], keep: number): string {
  const r = sh(pruneCommand({ liferayHome: home, thisRun: true, staged, keep }), key);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

const backups = (): string[] => readdirSync(join(home, '.lrroll/backups')).sort();
const staging = (): string[] => readdirSync(join(home, '.lrroll/staging')).sort();

describe('pruning after a run', () => {
  it('keeps the backups and staged files of the last 3 runs (this one included) and removes older ones', () => {
    for (const k of ['k1', 'k2', 'k3']) {
      leaveRun(k, `${k}-fix.zip`);
      endRun(k, [`${k}-fix.zip`], 3);
    }
    leaveRun('k4', 'k4-fix.zip');
    const out = endRun('k4', ['k4-fix.zip'], 3);
    expect(backups()).toEqual(['k2', 'k3', 'k4']);
    expect(staging()).toEqual(['k2-fix.zip', 'k3-fix.zip', 'k4-fix.zip']);
    expect(out).toContain('removed backup k1');
    expect(out).toContain('removed staged k1-fix.zip');
    expect(out).toMatch(/kept 3 run\(s\); removed 1 backup\(s\) and 1 staged file\(s\)/);
    expect(existsSync(join(home, '.lrroll/lock/owner'))).toBe(true);
  });

  it('a run again with an old key becomes the newest: its backup stays, the one in between goes (retention 2)', () => {
    for (const k of ['k1', 'k2', 'k3']) {
      leaveRun(k, `${k}.lpkg`);
      endRun(k, [`${k}.lpkg`], 2);
    }
    expect(backups()).toEqual(['k2', 'k3']);
    endRun('k2', ['k2.lpkg'], 2);
    leaveRun('k5', 'k5.lpkg');
    endRun('k5', ['k5.lpkg'], 2);
    expect(backups()).toEqual(['k2', 'k5']);
    expect(staging()).toEqual(['k2.lpkg', 'k5.lpkg']);
  });

  it('retention 1 keeps only this run; a staged file another kept run shares is kept, with a space in its name', () => {
    leaveRun('k1', 'abc-Liferay Foundation.lpkg');
    leaveRun('k2', 'other.zip');
    endRun('k2', ['abc-Liferay Foundation.lpkg', 'other.zip'], 1);
    expect(backups()).toEqual(['k2']);
    expect(staging()).toEqual(['abc-Liferay Foundation.lpkg', 'other.zip']);
  });

  it('clean (no run, keep 0) removes every backup and staged file but not the lock, and says how much is left', () => {
    for (const k of ['k1', 'k2']) leaveRun(k, `${k}.zip`);
    const before = parseFootprint(sh(footprintCommand(home)).stdout);
    expect(before?.backups).toBe(2);
    expect(before?.bytes).toBeGreaterThanOrEqual(8192);
    const r = sh(pruneCommand({ liferayHome: home, thisRun: false, staged: [], keep: 0 }));
    expect(r.code, r.stderr).toBe(0);
    expect(backups()).toEqual([]);
    expect(staging()).toEqual([]);
    expect(r.stdout).toMatch(/kept 0 run\(s\); removed 2 backup\(s\) and 2 staged file\(s\)/);
    const after = parseFootprint(sh(footprintCommand(home)).stdout);
    expect(after?.backups).toBe(0);
    expect(after?.bytes).toBeLessThan(64 * 1024); // the empty folders themselves
    expect(existsSync(join(home, '.lrroll/lock/owner'))).toBe(true);
  });

  it(
    'a backup without a record (a run that failed before its end, or an older lrroll) counts from its ' +
      'own time; its staged files, unrecorded, go',
    () => {
      leaveRun('k1', 'k1.zip');
      endRun('k1', ['k1.zip'], 2);
      leaveRun('failed', 'failed.zip');
      leaveRun('k3', 'k3.zip');
      endRun('k3', ['k3.zip'], 2);
      expect(backups()).toEqual(['failed', 'k3']);
      expect(staging()).toEqual(['k3.zip']);
    },
  );

  it('a run without a valid run id in LRROLL_RUN_ID removes nothing and fails', () => {
    leaveRun('k1', 'k1.zip');
    for (const id of ['', '../x', '.hidden', 'a b']) {
      const r = sh(pruneCommand({ liferayHome: home, thisRun: true, staged: [], keep: 1 }), id);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no valid run id in LRROLL_RUN_ID');
    }
    expect(backups()).toEqual(['k1']);
  });

  it('a node that never ran lrroll: nothing to remove, footprint zero', () => {
    rmSync(join(home, '.lrroll'), { recursive: true });
    mkdirSync(home, { recursive: true });
    expect(parseFootprint(sh(footprintCommand(home)).stdout)).toEqual({ bytes: 0, backups: 0 });
    const out = endRun('k1', [], 3);
    expect(out).toMatch(/kept 1 run\(s\); removed 0 backup\(s\) and 0 staged file\(s\)/);
  });
});
