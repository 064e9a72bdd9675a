/** A file's sha256 and the free space under a path: the generated commands run for real. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { freeBytesCommand, sha256Command } from '../../../../src/plan/shell/file-facts.js';
import { SHELLS, onPath, run, runOk, suiteTmp, tmp } from './helpers.js';

describe('sha256Command', () => {
  /** A directory whose only entries are symlinks to the named tools, for PATH. */
  function pathWith(...tools: string[]): string {
    const dir = tmp();
    for (const tool of tools) {
      const found = spawnSync('/bin/sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      fs.symlinkSync(found, dir + '/' + tool);
    }
    return dir;
  }

  for (const shell of SHELLS) {
    const file = suiteTmp() + `/it's "a" $x\\y.bin`;
    const data = randomBytes(100_000);
    fs.writeFileSync(file, data);
    const expected = createHash('sha256').update(data).digest('hex') + '\n';

    it(`matches node's crypto with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file)).stdout).toBe(expected);
    });

    it.skipIf(!onPath('shasum'))(`falls back to shasum with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file), { PATH: pathWith('shasum') }).stdout).toBe(expected);
    });

    it.skipIf(!onPath('openssl'))(`falls back to openssl with ${shell}`, () => {
      expect(runOk(shell, sha256Command(file), { PATH: pathWith('openssl') }).stdout).toBe(expected);
    });

    it(`rejects output that is not a sha256 with ${shell}`, () => {
      const dir = tmp();
      fs.writeFileSync(dir + '/sha256sum', '#!/bin/sh\necho "abc123  -"\n', { mode: 0o755 });
      const result = run(shell, sha256Command(file), { PATH: dir });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('unexpected output from the sha256 tool');
    });

    it(`fails clearly with no tool or no file with ${shell}`, () => {
      const none = run(shell, sha256Command(file), { PATH: pathWith() });
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('no sha256 tool found');
      const missing = run(shell, sha256Command(file + '.missing'));
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain('is not a regular file');
    });
  }
});

describe('freeBytesCommand', () => {
  const TOLERANCE = 256 * 1024 * 1024;

  for (const shell of SHELLS) {
    it(`prints the available bytes of the nearest existing ancestor with ${shell}`, () => {
      const dir = tmp() + '/with space';
      fs.mkdirSync(dir);
      const st = fs.statfsSync(dir);
      const expected = st.bavail * st.bsize;
      for (const path of [dir, dir + "/not/yet/created 'x'"]) {
        const out = runOk(shell, freeBytesCommand(path)).stdout;
        expect(out).toMatch(/^[0-9]+\n$/);
        expect(Math.abs(Number(out) - expected)).toBeLessThan(TOLERANCE);
      }
      expect(runOk(shell, freeBytesCommand('/')).stdout).toMatch(/^[0-9]+\n$/);
    });
  }
});
