// Runs the whole test suite (vitest) and ends with a plain `N passed, N failed` line, each test
// counted once. The tests get a temporary directory of their own (TMPDIR): anything they leave
// in it is reported by name and counts as a failure, then removed.
// Usage: node scripts/test.mjs [vitest args…]   (npm test builds first, then runs this)
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarize } from './test-summary.mjs';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-test-'));
const testTmp = join(dir, 'tmp');
mkdirSync(testTmp);
// Like /tmp: the e2e tests' sshd sessions and simulated nodes may run as other users.
chmodSync(dir, 0o755);
chmodSync(testTmp, 0o1777);
const report = join(dir, 'vitest.json');
const result = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', env: { ...process.env, TMPDIR: testTmp } },
);
let json = null;
try {
  json = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  json = null;
}
const leftovers = existsSync(testTmp) ? readdirSync(testTmp).sort() : [];
rmSync(dir, { recursive: true, force: true });
const summary = summarize(json, { ci: process.env.CI === 'true', leftovers, exitCode: result.status });
for (const note of summary.notes) console.error(`\n${note}`);
console.log(`\n${summary.line}`);
process.exit(result.status === 0 && summary.failed === 0 ? 0 : 1);
