import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The end-to-end files spend most of their time waiting on real servers (sshd, HAProxy, Apache,
// Tomcat starting and draining), not on the CPU, and each starts its own cluster on its own
// loopback block; so five files run at once even on two cores (vitest's default there is one).
// On a 2-core machine: 387 s with three, 332 s with four or five (7789b54); since each spawn of the CLI
// costs less (its code cache), 288 and 304 s with four, 275 and 269 s with five (BENCHMARKS.md). With five the
// two cores are over 90 % busy and a sixth gains nothing. LRROLL_TEST_WORKERS=1 runs them one at a time.
const workers = Number(process.env.LRROLL_TEST_WORKERS) || 5;

/**
 * The longest files first, so that short ones fill the end: the real-Tomcat files, the other
 * end-to-end files, the meta tests (type check and format check of the whole tree), then the unit
 * tests, each group in vitest's own order (the durations of the last run when it has them, else the
 * largest file first). Without this a fresh clone, which has no durations, ran the Tomcat files last:
 * each is a few lines calling a shared helper, so by size they came after every other file, and the
 * suite ended with minutes of them alone.
 */
const GROUPS = [/\/test\/e2e\/tomcat-/, /\/test\/e2e\//, /\/test\/unit\/meta\//];

class LongestFirst extends BaseSequencer {
  async sort(files) {
    const group = (file) => {
      const at = GROUPS.findIndex((re) => re.test(file.moduleId));
      return at < 0 ? GROUPS.length : at;
    };
    const ordered = await super.sort(files);
    return ordered
      .map((file, at) => ({ file, at }))
      .sort((a, b) => group(a.file) - group(b.file) || a.at - b.at)
      .map(({ file }) => file);
  }
}

/**
 * Files that start servers or processes (end to end), mock modules or check the whole tree (meta) run each in a
 * fresh worker, as vitest does by default.
 */
const ISOLATED = ['test/e2e/**/*.test.ts', 'test/unit/meta/**/*.test.ts'];

export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: workers,
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: { name: 'isolated', include: ISOLATED },
      },
      {
        // The unit tests share their workers' module cache (isolate off): each file importing the compiler, the
        // executor and their schemas again in a fresh worker was half of the unit tests' CPU time. They are plain
        // functions over fixtures; none mocks a module or keeps state between files.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...ISOLATED, 'node_modules/**'],
          isolate: false,
        },
      },
    ],
  },
});
