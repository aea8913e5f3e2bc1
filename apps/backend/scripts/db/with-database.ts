// Gives the db:* scripts a database for the Prisma CLI's shadow databases: $DATABASE_URL when
// set, otherwise a throwaway embedded PostgreSQL cluster (temporary data directory, removed after).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';

export async function withDatabaseUrl<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) return fn(fromEnv);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'pm-prisma-'));
  await fs.chmod(tmp, 0o755); // the `postgres` OS user must reach the data directory
  const started = Date.now();
  try {
    const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'data'), database: 'prisma_cli' });
    console.error(`(no DATABASE_URL: using a temporary embedded PostgreSQL, ready in ${Date.now() - started} ms)`);
    try {
      return await fn(pg.url);
    } finally {
      await pg.stop();
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
