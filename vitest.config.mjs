import { defineConfig } from 'vitest/config';

// The end-to-end files spend most of their time waiting on real servers (sshd, HAProxy, Apache,
// Tomcat starting and draining), not on the CPU, and each starts its own cluster on its own
// loopback block; so three files run at once even on two cores (vitest's default there is one).
// LRROLL_TEST_WORKERS=1 runs them one at a time.
const workers = Number(process.env.LRROLL_TEST_WORKERS) || 3;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    maxWorkers: workers,
  },
});
