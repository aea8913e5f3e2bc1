import { defineConfig } from 'vitest/config';

// Unit tests (test/, pure modules in node) and the browser tests (e2e/, Chromium via
// playwright-core against the real backend; one file, run after the unit tests).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'e2e/**/*.e2e.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The default console report, plus a JSON report that .ci/run sums into one closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
