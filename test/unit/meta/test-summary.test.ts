/**
 * The closing line of `npm test` (scripts/test-summary.mjs): every test is counted once, a
 * skipped test becomes a failure in CI (not a failure and a skip), and folders left in the
 * tests' temporary directory fail the run.
 */
import { describe, expect, it } from 'vitest';
import { summarize as count } from '../../../scripts/test-summary.mjs';

/** A vitest JSON report for 1,106 tests: 1,105 passed, 1 skipped. */
const REPORT = {
  numPassedTests: 1105,
  numFailedTests: 0,
  numPendingTests: 1,
  numTodoTests: 0,
  testResults: [{ name: 'a.test.ts', status: 'passed', assertionResults: [] }],
};

describe('the test run summary', () => {
  it('in CI, counts a skipped test once, as a failure: 1105 passed, 1 failed for 1,106 tests', () => {
    const s = count(REPORT, { ci: true });
    expect(s.line).toBe('1105 passed, 1 failed');
    expect(s.passed + s.failed + s.skipped).toBe(1106);
    expect(s.notes.join('\n')).toContain('1 skipped test(s) count as failures');
  });

  it('outside CI, a skipped test stays skipped', () => {
    const s = count(REPORT, { ci: false });
    expect(s.line).toBe('1105 passed, 0 failed, 1 skipped');
    expect(s.passed + s.failed + s.skipped).toBe(1106);
  });

  it('a file that broke outside its tests counts once', () => {
    const s = count(
      {
        ...REPORT,
        numPendingTests: 0,
        testResults: [{ name: 'b.test.ts', status: 'failed', message: 'beforeAll threw\nstack', assertionResults: [] }],
      },
      { ci: true },
    );
    expect(s.line).toBe('1105 passed, 1 failed');
    expect(s.notes[0]).toBe('b.test.ts: the file failed outside its tests (beforeAll threw)');
  });

  it('folders left in the temporary directory fail the run, by name', () => {
    const s = count({ ...REPORT, numPendingTests: 0 }, { ci: false, leftovers: ['lrroll-batch3-Ab12'] });
    expect(s.failed).toBe(1);
    expect(s.notes.join('\n')).toContain('lrroll-batch3-Ab12');
  });

  it('vitest failing with every test passed (an unhandled error its report does not hold) is a failure', () => {
    const s = count({ ...REPORT, numPendingTests: 0 }, { ci: true, exitCode: 1 });
    expect(s.line).toBe('1105 passed, 1 failed');
    expect(s.notes.join('\n')).toContain('an error outside the tests');
    expect(count({ ...REPORT, numPendingTests: 0 }, { ci: true, exitCode: 0 }).line).toBe('1105 passed, 0 failed');
    // A failure already counted is not counted again.
    expect(count({ ...REPORT, numFailedTests: 1 }, { ci: false, exitCode: 1 }).failed).toBe(1);
  });

  it('no report at all is a failure', () => {
    expect(count(null, { ci: false }).line).toBe('0 passed, 1 failed');
  });
});
