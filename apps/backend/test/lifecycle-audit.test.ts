// The hash-chained audit log of admin actions and the Idempotency-Key store, on real
// PostgreSQL: every admin action is appended (market created, status changed, resolved,
// cancelled, points granted) and chained; GET /api/admin/audit lists and filters it; the
// verifier finds the first broken link after the test tampers with rows in the database; and
// concurrent repeats of a resolve execute exactly once.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type ApiResponse, type TestExchange, type TestUser } from './helpers/server.ts';
import { LIFECYCLE_ENV, createDraft, expectReconciled, money, place, setStatus } from './helpers/lifecycle.ts';

const GENESIS = '0'.repeat(64);

describe('lifecycle: audit log and idempotency', () => {
  let t: TestExchange;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    t = await startTestExchange(LIFECYCLE_ENV);
    admin = await t.admin();
    alice = await t.registerUser();
    bob = await t.registerUser();
  });

  afterAll(async () => {
    await t?.close();
  });

  const verify = async (): Promise<{ ok: boolean; entries: number; firstBroken: { id: number; reason: string } | null }> => {
    const res = await t.api('GET', '/api/admin/audit/verify', { token: admin.token });
    expect(res.status).toBe(200);
    return res.body;
  };

  /** The whole log, oldest first, through the API (pages of 2 to exercise the cursor). */
  const wholeLog = async (query = ''): Promise<any[]> => {
    const out: any[] = [];
    let before: number | null = null;
    for (;;) {
      const res: ApiResponse = await t.api('GET', `/api/admin/audit?limit=2${query}${before === null ? '' : `&before=${before}`}`, { token: admin.token });
      expect(res.status).toBe(200);
      out.push(...res.body.entries);
      if (res.body.nextBefore === null) break;
      before = res.body.nextBefore;
    }
    for (let i = 1; i < out.length; i++) expect(out[i].id).toBeLessThan(out[i - 1].id); // newest first
    return out.reverse();
  };

  describe('audit log', () => {
    let marketId: string;

    it('appends every admin action, each entry chained to the previous one', async () => {
      const m = await createDraft(t, { description: 'audited' });
      marketId = m.id;
      for (const s of ['OPEN', 'HALTED', 'OPEN', 'CLOSED'] as const) expect((await setStatus(t, admin.token, m.slug, s)).status).toBe(200);
      expect((await setStatus(t, admin.token, m.slug, 'RESOLVED', 'YES')).status).toBe(200);
      const voided = await t.createOpenMarket();
      expect((await setStatus(t, admin.token, voided.slug, 'CANCELLED')).status).toBe(200);
      const grant = await t.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: alice.id, amountCents: 12_345, reason: 'prize' } });
      expect(grant.status).toBe(200);
      // Refused actions leave no entry.
      expect((await setStatus(t, admin.token, m.slug, 'OPEN')).status).toBe(409);
      expect((await setStatus(t, alice.token, voided.slug, 'OPEN')).status).toBe(403);

      const log = await wholeLog();
      expect(log.map((e) => [e.action, e.targetId])).toEqual([
        ['MARKET_CREATED', m.id],
        ['MARKET_STATUS_CHANGED', m.id],
        ['MARKET_STATUS_CHANGED', m.id],
        ['MARKET_STATUS_CHANGED', m.id],
        ['MARKET_STATUS_CHANGED', m.id],
        ['MARKET_RESOLVED', m.id],
        ['MARKET_CREATED', voided.id],
        ['MARKET_STATUS_CHANGED', voided.id],
        ['MARKET_CANCELLED', voided.id],
        ['POINTS_GRANTED', alice.id],
      ]);
      for (const e of log) expect(e.actorId).toBe(admin.id);
      expect(log.slice(1, 5).map((e) => [e.payload.from, e.payload.status])).toEqual([
        ['DRAFT', 'OPEN'],
        ['OPEN', 'HALTED'],
        ['HALTED', 'OPEN'],
        ['OPEN', 'CLOSED'],
      ]);
      expect(log[0].payload).toMatchObject({ slug: m.slug, description: 'audited', tickCents: 1 });
      expect(log[5].payload).toMatchObject({ from: 'CLOSED', status: 'RESOLVED', outcome: 'YES', settlement: { kind: 'RESOLUTION', paidCents: 0, holders: 0 } });
      expect(log[8].payload).toMatchObject({ from: 'OPEN', status: 'CANCELLED', outcome: null, settlement: { kind: 'VOID_REFUND' } });
      expect(log[9].payload).toEqual({ amountCents: 12_345, reason: 'prize' });
      // The chain: genesis, then each prevHash is the previous entry's hash.
      expect(log[0].prevHash).toBe(GENESIS);
      for (let i = 1; i < log.length; i++) expect(log[i].prevHash).toBe(log[i - 1].hash);
      expect(new Set(log.map((e) => e.hash)).size).toBe(log.length);

      // Filters.
      expect((await wholeLog('&action=POINTS_GRANTED')).map((e) => e.targetId)).toEqual([alice.id]);
      expect((await wholeLog(`&targetId=${voided.id}`)).map((e) => e.action)).toEqual(['MARKET_CREATED', 'MARKET_STATUS_CHANGED', 'MARKET_CANCELLED']);

      expect(await verify()).toEqual({ ok: true, entries: log.length, firstBroken: null });
    });

    it('detects a row tampered in the database, and names it', async () => {
      const prisma = t.rt.ctx.prisma;
      const rows = await prisma.auditLog.findMany({ orderBy: { id: 'asc' } });
      expect(rows.length).toBeGreaterThanOrEqual(10);
      const resolved = rows.find((r) => r.action === 'MARKET_RESOLVED' && r.targetId === marketId)!;
      const index = rows.indexOf(resolved);
      const original = JSON.stringify(resolved.payload);

      // Rewrite history: the market "resolved NO".
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET payload = jsonb_set(payload, '{outcome}', '"NO"') WHERE id = $1`, resolved.id);
      let v = await verify();
      expect(v.ok).toBe(false);
      expect(v.firstBroken?.id).toBe(Number(resolved.id));
      expect(v.firstBroken?.reason).toMatch(/hash/);
      expect(v.entries).toBe(index + 1);
      // Put it back: the chain verifies again (the verifier is not just failing).
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET payload = $1::jsonb WHERE id = $2`, original, resolved.id);
      expect((await verify()).ok).toBe(true);

      // Re-hash the tampered entry consistently: then its successor's link breaks.
      const next = rows[index + 1]!;
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET payload = jsonb_set(payload, '{outcome}', '"NO"'), hash = repeat('f', 64) WHERE id = $1`, resolved.id);
      v = await verify();
      expect(v.firstBroken?.id).toBe(Number(resolved.id));
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET payload = $1::jsonb, hash = $2 WHERE id = $3`, original, resolved.hash, resolved.id);
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET prev_hash = repeat('a', 64) WHERE id = $1`, next.id);
      v = await verify();
      expect(v.firstBroken).toEqual({ id: Number(next.id), reason: expect.stringMatching(/prevHash/) });
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET prev_hash = $1 WHERE id = $2`, next.prevHash, next.id);

      // A changed timestamp or actor is detected too.
      const grant = rows.find((r) => r.action === 'POINTS_GRANTED')!;
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET created_at = created_at + interval '1 second' WHERE id = $1`, grant.id);
      expect((await verify()).firstBroken?.id).toBe(Number(grant.id));
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET created_at = $1 WHERE id = $2`, grant.createdAt, grant.id);
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET actor_id = $1::uuid WHERE id = $2`, alice.id, rows[0]!.id);
      expect((await verify()).firstBroken?.id).toBe(Number(rows[0]!.id));
      await prisma.$executeRawUnsafe(`UPDATE audit_log SET actor_id = $1::uuid WHERE id = $2`, admin.id, rows[0]!.id);

      // A deleted entry breaks its successor's link.
      expect((await verify()).ok).toBe(true);
      const gone = rows[2]!;
      await prisma.$executeRawUnsafe(`DELETE FROM audit_log WHERE id = $1`, gone.id);
      expect((await verify()).firstBroken).toEqual({ id: Number(rows[3]!.id), reason: expect.stringMatching(/prevHash/) });
      await prisma.auditLog.create({
        data: { id: gone.id, actorId: gone.actorId, action: gone.action, targetType: gone.targetType, targetId: gone.targetId, payload: gone.payload as object, prevHash: gone.prevHash, hash: gone.hash, createdAt: gone.createdAt },
      });
      expect(await verify()).toEqual({ ok: true, entries: rows.length, firstBroken: null });
    });
  });

  describe('Idempotency-Key and repeated settlement', () => {
    /** An OPEN market where alice and bob hold a MINT of 10 pairs, bob with a resting order. */
    async function heldMarket(overrides: Record<string, unknown> = {}): Promise<{ id: string; slug: string }> {
      const m = await t.createOpenMarket(overrides);
      await place(t, alice, m.slug, { side: 'BUY', outcome: 'YES', price: 55, quantity: 10 });
      await place(t, bob, m.slug, { side: 'BUY', outcome: 'NO', price: 45, quantity: 10 });
      await place(t, bob, m.slug, { side: 'BUY', outcome: 'NO', price: 30, quantity: 4 });
      return m;
    }
    const settlementRows = (marketId: string) => t.rt.ctx.prisma.ledgerEntry.count({ where: { marketId, reason: 'SETTLEMENT' } });
    const resolvedAudits = (marketId: string) => t.rt.ctx.prisma.auditLog.count({ where: { targetId: marketId, action: 'MARKET_RESOLVED' } });

    it('executes once when the same keyed resolve arrives many times at once', async () => {
      const m = await heldMarket();
      const before = await money(t);
      const key = randomUUID();
      const results = await Promise.all(Array.from({ length: 8 }, () => setStatus(t, admin.token, m.slug, 'RESOLVED', 'YES', { 'idempotency-key': key })));
      for (const r of results) {
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        expect(r.body).toEqual(results[0]!.body);
      }
      // Exactly one request executed; the seven others are replays of its stored response.
      expect(results.filter((r) => r.headers['idempotent-replayed'] !== 'true')).toHaveLength(1);
      expect(await resolvedAudits(m.id)).toBe(1);
      expect(await settlementRows(m.id)).toBe(1); // alice's 10 YES; bob's NO pays 0 (no row)
      const after = await money(t);
      expect(after.accounts.get(alice.id)! - before.accounts.get(alice.id)!).toBe(1000n);
      expect(after.accounts.get(bob.id)).toBe(before.accounts.get(bob.id));
      const row = await t.rt.ctx.prisma.idempotencyKey.findUniqueOrThrow({ where: { key: `${admin.id}:${key}` } });
      expect([row.statusCode, row.userId, row.route]).toEqual([200, admin.id, 'PATCH /api/markets/:slug/status']);
      await expectReconciled(t);
    });

    it('executes once when the same resolve arrives many times at once without a key', async () => {
      const m = await heldMarket();
      const results = await Promise.all(Array.from({ length: 8 }, () => setStatus(t, admin.token, m.slug, 'RESOLVED', 'NO')));
      for (const r of results) expect([r.status, r.body.outcome]).toEqual([200, 'NO']);
      expect(await resolvedAudits(m.id)).toBe(1);
      expect(await settlementRows(m.id)).toBe(1); // bob's 10 NO
      await expectReconciled(t);
    });

    it('lets exactly one of concurrent conflicting requests with one key execute', async () => {
      const m = await heldMarket();
      const key = randomUUID();
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => setStatus(t, admin.token, m.slug, 'RESOLVED', i % 2 === 0 ? 'YES' : 'NO', { 'idempotency-key': key })),
      );
      const ok = results.filter((r) => r.status === 200);
      const refused = results.filter((r) => r.status !== 200);
      // One executed; the requests like it replay it, the others are refused as key reuse.
      expect(new Set(ok.map((r) => r.body.outcome)).size).toBe(1);
      expect(ok.length).toBe(3);
      for (const r of refused) expect([r.status, r.body.error?.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
      expect(await resolvedAudits(m.id)).toBe(1);
    });

    it('replays a stored 4xx for its key, and scopes keys per user', async () => {
      const m = await createDraft(t, { resolverId: bob.id });
      const key = 'close-attempt-1';
      const first = await setStatus(t, admin.token, m.slug, 'CLOSED', undefined, { 'idempotency-key': key });
      expect([first.status, first.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
      expect((await setStatus(t, admin.token, m.slug, 'OPEN')).status).toBe(200);
      // Now CLOSED would succeed, but this key's answer was the 409.
      const replay = await setStatus(t, admin.token, m.slug, 'CLOSED', undefined, { 'idempotency-key': key });
      expect([replay.status, replay.body.error?.code, replay.headers['idempotent-replayed']]).toEqual([409, 'INVALID_TRANSITION', 'true']);
      expect((await t.api('GET', `/api/markets/${m.slug}`)).body.status).toBe('OPEN');

      // Keys are per user: bob's key does not collide with the admin's identical one.
      const shared = 'resolve-it';
      const byBob = await setStatus(t, bob.token, m.slug, 'RESOLVED', 'YES', { 'idempotency-key': shared });
      expect(byBob.status).toBe(200);
      const byAdmin = await setStatus(t, admin.token, m.slug, 'RESOLVED', 'YES', { 'idempotency-key': shared });
      expect([byAdmin.status, byAdmin.headers['idempotent-replayed']]).toEqual([200, undefined]);
      expect(byAdmin.body).toEqual(byBob.body);
      // A forbidden request never reaches the key store.
      const byAlice = await setStatus(t, alice.token, m.slug, 'RESOLVED', 'YES', { 'idempotency-key': shared });
      expect([byAlice.status, byAlice.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      expect(await t.rt.ctx.prisma.idempotencyKey.count({ where: { userId: alice.id } })).toBe(0);
    });

    it('keeps the audit chain verifiable through all of it', async () => {
      const entries = await t.rt.ctx.prisma.auditLog.count();
      expect(await verify()).toEqual({ ok: true, entries, firstBroken: null });
    });
  });
});
