/**
 * `npm run demo` as the README promises it (scripts/demo.mjs on the built CLI): three simulated
 * nodes, a rolling change, zero failed requests through HAProxy when it is installed — and,
 * with its output going to a pipe rather than a terminal, not one colour code from the demo's own
 * lines or from lrroll.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env['FORCE_COLOR'];
  delete env['NO_COLOR'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts/demo.mjs')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the built-in demo (npm run demo)', () => {
  it('rolls the three demo nodes with no failed request, and prints no colour codes into a pipe', async () => {
    expect(existsSync(join(ROOT, 'dist/bin/lrroll.js')), 'run `npm run build` first (npm test does it)').toBe(true);
    const r = await runDemo();
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(0);
    expect(r.stderr).toContain('[demo] demo cluster in ');
    expect(output).toContain('✔ Run ok in');
    expect(output).not.toContain('\u001b[');
    const load = /\[demo\] load through HAProxy during the run: (\d+) requests, (\d+) failed/.exec(r.stderr);
    if (load) expect(Number(load[2]), output).toBe(0);
  }, 180_000);
});
