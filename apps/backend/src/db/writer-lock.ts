/**
 * Single writer per database, enforced: the writer holds a PostgreSQL session advisory lock
 * for its whole life on a connection of its own. A second writer on the same database fails
 * to start instead of committing batches from a diverging engine. The lock goes with the
 * session, so a killed writer releases it as soon as PostgreSQL sees its connection close.
 */
import pg from 'pg';

/** Advisory lock key: the 8 ASCII bytes 'pm-write' read as a big-endian 64-bit integer. */
export const WRITER_LOCK_KEY = '8101181295753262181';

export class WriterLockHeldError extends Error {
  constructor() {
    super('another writer holds this database (advisory lock pm-writer); run exactly one writer per database, others as INSTANCE_ROLE=gateway');
    this.name = 'WriterLockHeldError';
  }
}

export interface WriterLock {
  /** Unlock and close the connection. Idempotent. */
  release(): Promise<void>;
}

/**
 * Take the writer lock or throw WriterLockHeldError. `onLost` runs if the lock's connection
 * drops while held (the lock is then gone: the caller must stop writing).
 */
export async function acquireWriterLock(databaseUrl: string, onLost: (err: Error) => void): Promise<WriterLock> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'prediction-markets-writer-lock' });
  await client.connect();
  let released = false;
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [WRITER_LOCK_KEY]);
    if (rows[0]?.locked !== true) throw new WriterLockHeldError();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  const lost = (err: Error): void => {
    if (!released) onLost(err);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('the writer lock connection closed')));
  return {
    async release() {
      if (released) return;
      released = true;
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [WRITER_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
