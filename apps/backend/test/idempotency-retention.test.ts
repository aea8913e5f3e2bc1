// Issue 12, hole 11 (service side): Idempotency-Keys have a retention window. A repeat within
// it gets the first response; after it the key is forgotten (the repeat executes as new), and
// expired rows are deleted in batches so storage stays bounded.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../src/db/prisma.ts';
import { DEFAULT_IDEMPOTENCY_RETENTION_MS, purgeExpiredIdempotencyKeys, runIdempotent, type StoredResponse } from '../src/markets/idempotency.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

describe('Idempotency-Key retention', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  const route = 'PATCH /api/markets/:slug/status';
  const HOUR_MS = 3600_000;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { poolMax: 4 });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  const age = (key: string, ms: number) => prisma.$executeRaw`UPDATE idempotency_keys SET created_at = now() - (${ms}::bigint * interval '1 millisecond') WHERE key LIKE ${`%:${key}`}`;

  it('defaults to 24 hours', () => {
    expect(DEFAULT_IDEMPOTENCY_RETENTION_MS).toBe(24 * HOUR_MS);
  });

  it('replays within the window and executes again after it', async () => {
    let runs = 0;
    const fn = async (): Promise<StoredResponse> => ({ status: 200, body: { run: ++runs } });
    const req = { userId: randomUUID(), key: 'k-window', route, request: { a: 1 } };
    expect(await runIdempotent(prisma, req, fn)).toEqual({ status: 200, body: { run: 1 }, replayed: false });
    await age('k-window', 23 * HOUR_MS);
    expect(await runIdempotent(prisma, req, fn)).toEqual({ status: 200, body: { run: 1 }, replayed: true });
    await age('k-window', 25 * HOUR_MS);
    expect(await runIdempotent(prisma, req, fn)).toEqual({ status: 200, body: { run: 2 }, replayed: false });
    // the new response is the one replayed now
    expect(await runIdempotent(prisma, req, fn)).toEqual({ status: 200, body: { run: 2 }, replayed: true });
    // an expired key may carry another request (it is a new key now)
    await age('k-window', 25 * HOUR_MS);
    expect(await runIdempotent(prisma, { ...req, request: { a: 2 } }, fn)).toEqual({ status: 200, body: { run: 3 }, replayed: false });
    expect(runs).toBe(3);
  });

  it('honours a configured window', async () => {
    let runs = 0;
    const fn = async (): Promise<StoredResponse> => ({ status: 201, body: { run: ++runs } });
    const req = { userId: randomUUID(), key: 'k-short', route, request: {} };
    await runIdempotent(prisma, req, fn, { retentionMs: 60_000 });
    await age('k-short', 30_000);
    expect((await runIdempotent(prisma, req, fn, { retentionMs: 60_000 })).replayed).toBe(true);
    await age('k-short', 61_000);
    expect((await runIdempotent(prisma, req, fn, { retentionMs: 60_000 })).replayed).toBe(false);
  });

  it('deletes expired keys in batches and keeps the rest', async () => {
    const user = randomUUID();
    await prisma.$executeRawUnsafe(`
      INSERT INTO idempotency_keys (key, user_id, route, request_hash, status_code, response, created_at)
      SELECT '${user}:old-' || g, '${user}'::uuid, 'r', 'h', 200, '{}'::jsonb, now() - interval '25 hours' - g * interval '1 second'
      FROM generate_series(1, 2500) AS g`);
    await prisma.$executeRawUnsafe(`
      INSERT INTO idempotency_keys (key, user_id, route, request_hash, status_code, response, created_at)
      SELECT '${user}:new-' || g, '${user}'::uuid, 'r', 'h', 200, '{}'::jsonb, now() - interval '23 hours'
      FROM generate_series(1, 10) AS g`);
    const count = async (prefix: string) =>
      (await prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE '${user}:${prefix}%'`))[0]!.n;
    // bounded work per call: two batches of 1000
    expect(await purgeExpiredIdempotencyKeys(prisma, { batchSize: 1000, maxBatches: 2 })).toBe(2000);
    expect(await count('old-')).toBe(500);
    expect(await purgeExpiredIdempotencyKeys(prisma, { batchSize: 1000 })).toBeGreaterThanOrEqual(500);
    expect(await count('old-')).toBe(0);
    expect(await count('new-')).toBe(10);
    // expired rows are found through an index on created_at (migration idempotency_key_retention)
    const idx = await prisma.$queryRawUnsafe<{ indexdef: string }[]>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys'`);
    expect(idx.map((r) => r.indexdef).join('\n')).toMatch(/\(created_at\)/);
  });
});
