// What counts as a failure of lrroll's promise "bad input → a clear error, exit 2, nothing touched".
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Limits per input, from the promise: under 2 s and under 300 MB. */
export const PER_INPUT = { maxMs: 2000, maxRssMb: 300 };

const STACK = /\n\s+at .+:\d+:\d+\)?\s*$/m;
const LOCATED = /error\[E_[A-Z_]+\] [^\n]+?:\d+:\d+: /;

/** The problems one result shows: crash, hang, memory, unlocated (exit 2 without file:line:col), invalid-accepted. */
export function classify(c, r) {
  const problems = [];
  const text = `${r.stdout ?? ''}\n${r.stderr ?? ''}`;
  if (r.died || ![0, 2, 3].includes(r.code) || /E_INTERNAL|internal error/.test(text) || STACK.test(text))
    problems.push('crash');
  if (r.timedOut || r.ms > PER_INPUT.maxMs) problems.push('hang');
  if (r.rssMb > PER_INPUT.maxRssMb) problems.push('memory');
  if (r.code === 2 && !LOCATED.test(r.stderr ?? '')) problems.push('unlocated');
  if (
    !problems.includes('crash') &&
    ((c.expect === 'invalid' && r.code !== 2) || (c.expect === 'refused' && r.code === 0))
  )
    problems.push('invalid-accepted');
  return problems;
}

/** A folder holding a copy of the example playbooks (they name artifacts, patches and inventories next to them). */
export function makeCaseDir(playbooksDir) {
  const dir = mkdtempSync(join(tmpdir(), 'lrroll-fuzz-'));
  cpSync(playbooksDir, dir, { recursive: true });
  return dir;
}

/** Runs one materialized case in-process with `runCli`; files are written into `dir` and removed after. */
export async function runCase(runCli, dir, c) {
  for (const [name, content] of Object.entries(c.files)) writeFileSync(join(dir, name), content);
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t) => void (stdout += t), isTTY: false },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
    env: { NO_COLOR: '1', HOME: dir, LRROLL_HOME: join(dir, '.lrroll') },
    cwd: dir,
  };
  const argv = c.argv.map((a) => (a.startsWith('fz-') ? join(dir, a) : a));
  const started = performance.now();
  let code;
  try {
    code = await runCli(argv, io);
  } catch (err) {
    code = -1;
    stderr += `\nthrown: ${err?.stack ?? err}`;
  } finally {
    for (const name of readdirSync(dir).filter((n) => n.startsWith('fz-'))) rmSync(join(dir, name), { force: true });
  }
  return { code, stdout: stdout.slice(0, 4000), stderr: stderr.slice(0, 4000), ms: performance.now() - started };
}
