// Smoke test of the database plumbing: migrations applied to per-test databases, constraints,
// the Prisma client over @prisma/adapter-pg (bigint, interactive transactions, set-based raw SQL).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../src/db/prisma.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

describe('database', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { poolMax: 4 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('has every migration applied', async () => {
    const migrations = await prisma.$queryRaw<Array<{ migration_name: string; finished: boolean }>>`
      SELECT migration_name, finished_at IS NOT NULL AS finished FROM _prisma_migrations ORDER BY migration_name`;
    expect(migrations.length).toBeGreaterThan(0);
    expect(migrations.every((m) => m.finished)).toBe(true);
    expect(migrations[0]?.migration_name).toMatch(/^\d{14}_init$/);

    const tables = await prisma.$queryRaw<Array<{ tablename: string }>>`
      SELECT tablename::text AS tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`;
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        'users', 'refresh_tokens', 'accounts', 'system_accounts', 'markets', 'orders', 'trades',
        'positions', 'ledger_entries', 'resolutions', 'notifications', 'audit_log', 'idempotency_keys',
      ]),
    );
  });

  it('rejects a duplicate email (unique constraint)', async () => {
    const email = `dup-${randomUUID()}@example.test`;
    await prisma.user.create({ data: { id: randomUUID(), email, passwordHash: 'x' } });
    await expect(prisma.user.create({ data: { id: randomUUID(), email, passwordHash: 'y' } })).rejects.toMatchObject({
      code: 'P2002',
    });
  });

  it('returns BigInt columns as bigint', async () => {
    const id = randomUUID();
    await prisma.user.create({
      data: { id, email: `${id}@example.test`, passwordHash: 'x', account: { create: { availableCents: 9_007_199_254_740_993n, lockedCents: 0n, updatedAt: new Date() } } },
    });
    const account = await prisma.account.findUniqueOrThrow({ where: { userId: id } });
    expect(typeof account.availableCents).toBe('bigint');
    expect(account.availableCents).toBe(9_007_199_254_740_993n);
  });

  it('commits and rolls back interactive transactions, with set-based jsonb inserts', async () => {
    const id = randomUUID();
    await prisma.user.create({
      data: { id, email: `${id}@example.test`, passwordHash: 'x', account: { create: { availableCents: 1000n, lockedCents: 0n, updatedAt: new Date() } } },
    });
    const rows = [
      { debit_account: `U:${id}`, credit_account: 'HOUSE', amount_cents: '9007199254740993', reason: 'TEST', created_at: new Date().toISOString() },
      { debit_account: `U:${id}`, credit_account: 'TREASURY', amount_cents: '7', reason: 'TEST', created_at: new Date().toISOString() },
    ];
    const inserted = await prisma.$transaction(async (tx) => {
      await tx.account.update({ where: { userId: id }, data: { availableCents: { decrement: 250n }, lockedCents: { increment: 250n } } });
      return tx.$executeRaw`
        INSERT INTO ledger_entries (debit_account, credit_account, amount_cents, reason, created_at)
        SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS x(debit_account text, credit_account text, amount_cents bigint, reason text, created_at timestamptz)`;
    });
    expect(inserted).toBe(2);
    const entries = await prisma.ledgerEntry.findMany({ where: { debitAccount: `U:${id}` }, orderBy: { id: 'asc' } });
    expect(entries.map((e) => e.amountCents)).toEqual([9_007_199_254_740_993n, 7n]);
    expect(typeof entries[0]?.id).toBe('bigint');

    await expect(
      prisma.$transaction(async (tx) => {
        await tx.account.update({ where: { userId: id }, data: { lockedCents: 0n } });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const account = await prisma.account.findUniqueOrThrow({ where: { userId: id } });
    expect(account).toMatchObject({ availableCents: 750n, lockedCents: 250n });
  });

  it('gives every caller its own fresh database', async () => {
    const started = Date.now();
    const other = await createTestDatabase();
    const elapsed = Date.now() - started;
    if (process.env.TEST_DB_VERBOSE) console.log(`[test db] createTestDatabase: ${elapsed} ms`);
    try {
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM users');
      await client.end();
      expect(rows[0]?.n).toBe('0'); // nothing from the other database
      expect(other.url).not.toBe(db.url);
    } finally {
      await other.drop();
    }
    expect(elapsed).toBeLessThan(5_000);
  });
});
