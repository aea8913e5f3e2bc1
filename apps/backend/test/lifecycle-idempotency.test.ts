// The Idempotency-Key store (markets/idempotency.ts) against real PostgreSQL, below the HTTP
// layer: reservation, replay, in-progress, release on 5xx, takeover of an abandoned
// reservation, per-user keys. The route-level behaviour is in lifecycle-audit.test.ts and
// lifecycle-settlement.test.ts.
import { randomUUID } from 'node:crypto';
import { ApiError } from '@prediction-markets/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrisma, type PrismaClient } from '../src/db/prisma.ts';
import { requestFingerprint, runIdempotent, type StoredResponse } from '../src/markets/idempotency.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';

describe('lifecycle: Idempotency-Key store', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  const route = 'PATCH /api/markets/:slug/status';

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrisma(db.url, { poolMax: 8 });
  });

  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  /** A request body and a counter of executions. */
  const counted = (body: unknown = { ok: 1 }) => {
    const c = { runs: 0, fn: async (): Promise<StoredResponse> => ((c.runs += 1), { status: 200, body }) };
    return c;
  };

  it('runs without a key every time', async () => {
    const c = counted();
    const req = { userId: randomUUID(), key: undefined, route, request: { a: 1 } };
    await runIdempotent(prisma, req, c.fn);
    await runIdempotent(prisma, req, c.fn);
    expect(c.runs).toBe(2);
  });

  it('runs once per key and replays the stored response; refuses the key for another request', async () => {
    const c = counted({ answer: 42, nested: { b: [1, 2] } });
    const req = { userId: randomUUID(), key: 'k1', route, request: { slug: 'm', status: 'RESOLVED', outcome: 'YES' } };
    expect(await runIdempotent(prisma, req, c.fn)).toEqual({ status: 200, body: { answer: 42, nested: { b: [1, 2] } }, replayed: false });
    expect(await runIdempotent(prisma, req, c.fn)).toEqual({ status: 200, body: { answer: 42, nested: { b: [1, 2] } }, replayed: true });
    expect(c.runs).toBe(1);
    await expect(runIdempotent(prisma, { ...req, request: { slug: 'm', status: 'RESOLVED', outcome: 'NO' } }, c.fn)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    await expect(runIdempotent(prisma, { ...req, route: 'POST /elsewhere' }, c.fn)).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // Another user's identical key is another key.
    await runIdempotent(prisma, { ...req, userId: randomUUID() }, c.fn);
    expect(c.runs).toBe(2);
  });

  it('stores a 4xx and replays it; releases the key after a 5xx or a crash so a retry runs', async () => {
    const userId = randomUUID();
    let runs = 0;
    const conflict = async (): Promise<StoredResponse> => {
      runs++;
      throw new ApiError('INVALID_TRANSITION', 'no');
    };
    const req = { userId, key: 'k4xx', route, request: {} };
    await expect(runIdempotent(prisma, req, conflict)).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    const replay = await runIdempotent(prisma, req, conflict);
    expect(replay).toMatchObject({ status: 409, replayed: true, body: { error: { code: 'INVALID_TRANSITION', message: 'no' } } });
    expect(runs).toBe(1);

    for (const failure of [new ApiError('COMMIT_FAILED', 'db down'), new Error('bug')]) {
      const r = { userId, key: `k5xx-${failure.message}`, route, request: {} };
      await expect(runIdempotent(prisma, r, async () => { throw failure; })).rejects.toBe(failure);
      expect(await prisma.idempotencyKey.count({ where: { key: `${userId}:${r.key}` } })).toBe(0);
      const c = counted();
      expect(await runIdempotent(prisma, r, c.fn)).toMatchObject({ status: 200, replayed: false });
      expect(c.runs).toBe(1);
    }
  });

  it('makes a concurrent repeat wait for the first and get its response, or give up with IN_PROGRESS', async () => {
    const req = { userId: randomUUID(), key: 'k-slow', route, request: { x: 1 } };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let runs = 0;
    const slow = async (): Promise<StoredResponse> => {
      runs++;
      await gate;
      return { status: 200, body: { done: true } };
    };
    const first = runIdempotent(prisma, req, slow);
    // Wait until the first holds the reservation.
    while ((await prisma.idempotencyKey.count({ where: { key: `${req.userId}:${req.key}` } })) === 0) await new Promise((r) => setTimeout(r, 5));
    // A repeat that will not wait long gives up while the first is blocked.
    await expect(runIdempotent(prisma, req, slow, { waitMs: 0 })).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    // A patient repeat gets the first one's response once it finishes.
    const second = runIdempotent(prisma, req, slow, { waitMs: 60_000, pollMs: 5 });
    release();
    expect(await first).toEqual({ status: 200, body: { done: true }, replayed: false });
    expect(await second).toEqual({ status: 200, body: { done: true }, replayed: true });
    expect(runs).toBe(1);
  });

  it('takes over a reservation abandoned by a dead process (older than staleMs)', async () => {
    const req = { userId: randomUUID(), key: 'k-dead', route, request: { y: 2 } };
    await prisma.$executeRaw`
      INSERT INTO idempotency_keys (key, user_id, route, request_hash, status_code, response, created_at)
      VALUES (${`${req.userId}:${req.key}`}, ${req.userId}::uuid, ${route}, ${requestFingerprint(route, req.request)}, 0, 'null'::jsonb, now() - interval '1 hour')`;
    const c = counted({ recovered: true });
    expect(await runIdempotent(prisma, req, c.fn, { staleMs: 60_000 })).toEqual({ status: 200, body: { recovered: true }, replayed: false });
    expect(c.runs).toBe(1);
    expect(await runIdempotent(prisma, req, c.fn)).toMatchObject({ replayed: true });
  });
});
