import { BaseSequencer } from 'vitest/node';
import { defineConfig } from 'vitest/config';

// The end-to-end files spend most of their time waiting on real servers (sshd, HAProxy, Apache,
// Tomcat starting and draining), not on the CPU, and each starts its own cluster on its own
// loopback block; so three files run at once even on two cores (vitest's default there is one).
// LRROLL_TEST_WORKERS=1 runs them one at a time.
const workers = Number(process.env.LRROLL_TEST_WORKERS) || 3;

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

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: workers,
    sequence: { sequencer: LongestFirst },
  },
});
