import { defineConfig } from 'vitest/config';

// Unit tests only (pure modules in node); the browser tests run with playwright-core (e2e/run.ts).
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], environment: 'node', outputFile: { json: 'test-results/vitest.json' }, reporters: ['default', 'json'] },
});
