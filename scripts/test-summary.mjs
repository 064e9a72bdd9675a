// The closing line of `npm test`, from vitest's JSON report: every test counted once.
// Used by scripts/test.mjs; tested by test/unit/meta/test-summary.test.ts.

/**
 * Counts a vitest JSON report. In CI (`ci: true`) a skipped test is a failure: it is counted as
 * failed, not also as skipped, so passed + failed + skipped is the number of tests. A test file
 * that broke without a failed test (an import error, a throwing beforeAll) adds one failure, and so
 * does every folder the tests left in their temporary directory. Vitest failing with nothing failed in its report (an
 * unhandled error, which its report does not hold) adds one failure too.
 * @param {any} report vitest's `--reporter=json` output, or null when there is none
 * @param {{ ci: boolean, leftovers?: string[], exitCode?: number | null }} options
 * @returns {{ passed: number, failed: number, skipped: number, notes: string[], line: string }}
 */
export function summarize(report, { ci, leftovers = [], exitCode = 0 }) {
  const notes = [];
  if (!report) {
    notes.push('vitest wrote no report: the run itself broke');
    return finish(0, 1, 0, notes);
  }
  const passed = report.numPassedTests ?? 0;
  const skippedTests = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const brokenFiles = (report.testResults ?? []).filter(
    (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
  );
  for (const f of brokenFiles)
    notes.push(
      `${f.name}: the file failed outside its tests${f.message ? ` (${String(f.message).split('\n')[0]})` : ''}`,
    );
  let failed = (report.numFailedTests ?? 0) + brokenFiles.length;
  let skipped = skippedTests;
  if (ci && skippedTests > 0) {
    notes.push(`CI=true: ${skippedTests} skipped test(s) count as failures`);
    failed += skippedTests;
    skipped = 0;
  }
  if (leftovers.length > 0) {
    notes.push(`the tests left ${leftovers.length} item(s) in their temporary directory: ${leftovers.join(', ')}`);
    failed += 1;
  }
  if (exitCode !== 0 && failed === 0) {
    notes.push(
      `vitest exited ${exitCode ?? 'on a signal'} with no test failed: an error outside the tests (see above)`,
    );
    failed += 1;
  }
  return finish(passed, failed, skipped, notes);
}

function finish(passed, failed, skipped, notes) {
  return {
    passed,
    failed,
    skipped,
    notes,
    line: `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`,
  };
}
