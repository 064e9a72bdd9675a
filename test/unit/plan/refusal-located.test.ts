/**
 * A refused plan (exit 3) points at the change it refuses: `[n] file:line:col: summary`, for a
 * single change and for the second entry of a list of changes.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { runCli } from '../../../src/cli/run-cli.js';

const PLAYBOOKS = fileURLToPath(new URL('../../../playbooks/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lrroll-refusal-'));
cpSync(PLAYBOOKS, dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function plan(data: unknown): Promise<{ code: number; stderr: string }> {
  writeFileSync(join(dir, 'case.yml'), stringify(data));
  let stderr = '';
  const io = {
    stdout: { write: () => undefined, isTTY: false },
    stderr: { write: (t: string) => void (stderr += t), isTTY: false },
    env: { NO_COLOR: '1', HOME: dir },
    cwd: dir,
  };
  return { code: await runCli(['plan', join(dir, 'case.yml')], io as never), stderr };
}

const fixpack = parse(readFileSync(join(PLAYBOOKS, 'fixpack.yml'), 'utf8')) as { change: Record<string, unknown> };
const nonRevertible = { ...fixpack.change, revertible: false };

describe('a refusal is located', () => {
  it('at the change', async () => {
    const r = await plan({ ...fixpack, change: nonRevertible });
    expect(r.code).toBe(3);
    const line =
      stringify({ ...fixpack, change: nonRevertible })
        .split('\n')
        .findIndex((l) => l.startsWith('change:')) + 2;
    expect(r.stderr).toMatch(new RegExp(`^ {2}\\[1\\] \\S*case\\.yml:${line}:3: fixpack `, 'm'));
  });

  it('at the refused entry of a list of changes', async () => {
    const data = { ...fixpack, change: [{ type: 'restart' }, nonRevertible] };
    const r = await plan(data);
    expect(r.code).toBe(3);
    const line =
      stringify(data)
        .split('\n')
        .findIndex((l) => l.startsWith('  - type: fixpack')) + 1;
    expect(r.stderr).toMatch(new RegExp(`^ {2}\\[2\\] \\S*case\\.yml:${line}:5: fixpack `, 'm'));
  });
});
