import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The default console report, plus a JSON report that .ci/run sums into one closing line.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    include: ['test/**/*.test.ts'],
    // One embedded PostgreSQL cluster per run, a migrated template database, and a fresh
    // database per createTestDatabase() call (test/helpers/database.ts).
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    // 2-core machines: integration files (servers, load, crash tests) run one at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
