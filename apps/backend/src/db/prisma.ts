// The service's Prisma client: the generated `prisma-client` code (Prisma 6.19, engineType
// "client": no query engine binary) over @prisma/adapter-pg 7.10 (adapter-pg 6.19 fails on
// PostgreSQL `name` columns; see docs/toolchain.md).
//
// Notes for users of this client:
// - BigInt columns come back as `bigint`.
// - Interactive transactions: `prisma.$transaction(async (tx) => { ... }, { timeout, maxWait })`.
// - Raw `"char"` columns cannot be read through the adapter: cast them with `::text`.
// - Set-based writes: `tx.$executeRaw\`INSERT INTO t (...) SELECT * FROM jsonb_to_recordset(${json}::jsonb) AS x(...)\``
//   with `json` a JSON string (JSON.stringify of an array of objects; bigint as strings).
// - Call `$disconnect()` at shutdown; it ends the connection pool.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

export { PrismaClient };
export type { Prisma } from '../generated/prisma/client.ts';

export interface CreatePrismaOptions {
  /** Maximum connections in the pool (default 10). */
  poolMax?: number;
  /** Shown in pg_stat_activity (default "prediction-markets"). */
  applicationName?: string;
  /** Called with errors of idle pool connections (default: console.error). */
  onPoolError?: (err: Error) => void;
}

export function createPrisma(databaseUrl: string, opts: CreatePrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg(
    {
      connectionString: databaseUrl,
      max: opts.poolMax ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? 'prediction-markets',
    },
    {
      onPoolError: opts.onPoolError ?? ((err) => console.error('[db] idle pool connection error:', err.message)),
    },
  );
  return new PrismaClient({ adapter });
}
