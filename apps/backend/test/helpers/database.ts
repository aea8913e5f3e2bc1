// Fresh, fully migrated PostgreSQL databases for integration tests.
// Needs test/global-setup.ts (vitest globalSetup), which runs one embedded cluster per test run
// and migrates a template database once; each call here is `CREATE DATABASE x TEMPLATE tmpl`.
//
//   const db = await createTestDatabase();   // db.url: postgresql://...
//   ... createPrisma(db.url) / startRuntime({ DATABASE_URL: db.url, ... }) ...
//   await db.drop();                          // after disconnecting (it forces anyway)
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string };
  }
}

export interface TestDatabase {
  /** postgresql:// URL of the new database. */
  url: string;
  name: string;
  /** Drops the database (terminating any connections still open). Idempotent. */
  drop(): Promise<void>;
}

let counter = 0;

export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template } = inject('testDatabase');
  const name = `test_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
