import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    include: ['test/**/*.test.ts'],
    // The backend's own test setup: one embedded PostgreSQL cluster per run, a migrated
    // template database, a fresh database per exchange (apps/backend/test/helpers/database.ts).
    globalSetup: ['../../apps/backend/test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
  },
});
