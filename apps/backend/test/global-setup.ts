// vitest globalSetup: ONE embedded PostgreSQL cluster per test run (temporary data directory,
// removed at teardown) with a template database migrated once. Each createTestDatabase() call
// (./helpers/database.ts) then clones the template: a fresh, fully migrated database in tens of ms.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { migrateDeploy } from '../src/db/migrate.ts';

const TEMPLATE_DATABASE = 'pm_test_template';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pm-test-pg-'));
  await fs.chmod(tmp, 0o755); // the `postgres` OS user must reach the data directory
  let stop: (() => Promise<void>) | null = null;
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'data'), database: TEMPLATE_DATABASE });
    stop = pg.stop;
    const ready = Date.now();
    await migrateDeploy(pg.url);
    // No one may connect to the template (CREATE DATABASE ... TEMPLATE needs it idle).
    const { default: pgLib } = await import('pg');
    const admin = new pgLib.Client({ connectionString: pg.adminUrl });
    await admin.connect();
    await admin.query(`ALTER DATABASE "${TEMPLATE_DATABASE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    await admin.end();
    project.provide('testDatabase', { adminUrl: pg.adminUrl, template: TEMPLATE_DATABASE });
    if (process.env.TEST_DB_VERBOSE) {
      console.log(`[test db] cluster ready in ${ready - started} ms, template migrated in ${Date.now() - ready} ms`);
    }
  } catch (err) {
    await stop?.().catch(() => {});
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return async () => {
    await stop?.();
    await fs.rm(tmp, { recursive: true, force: true });
  };
}
