// Runs the whole test suite (vitest) and ends with a plain `N passed, N failed` line.
// Usage: node scripts/test.mjs [vitest args…]   (npm test builds first, then runs this)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'lrroll-test-'));
const report = join(dir, 'vitest.json');
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed = json.numPassedTests;
  // A file that failed without a failed test (an error in beforeAll, an import error) counts too.
  const brokenFiles = (json.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  failed = json.numFailedTests + brokenFiles;
  skipped = json.numPendingTests + (json.numTodoTests ?? 0);
} catch {
  failed += 1; // no report: the run itself broke
}
rmSync(dir, { recursive: true, force: true });
if (process.env.CI === 'true' && skipped > 0) {
  console.error(`\nCI=true: ${skipped} test(s) were skipped; skipped tests count as failures in CI.`);
  failed += skipped;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
