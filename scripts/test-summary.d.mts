/** Types for test-summary.mjs (the closing line of `npm test`). */

/** The counts and the line `npm test` ends with. */
export interface TestSummary {
  passed: number;
  failed: number;
  skipped: number;
  /** Why something counted as failed (CI skips, broken files, leftovers, vitest failing with every test passed). */
  notes: string[];
  /** `N passed, N failed[, N skipped]`. */
  line: string;
}

/** Counts vitest's JSON report (or null when there is none); every test is counted once. */
export function summarize(
  report: unknown,
  options: { ci: boolean; leftovers?: string[]; exitCode?: number | null },
): TestSummary;
