// The lifecycle's state machine through PATCH /api/markets/:slug/status on real PostgreSQL:
// every allowed transition (200, status stored, close-first for RESOLVED/CANCELLED from OPEN
// or HALTED) and every forbidden one (409 INVALID_TRANSITION, nothing changed); who may do
// what (admin, designated resolver, plain user, anonymous); request validation (400, never
// 5xx); market creation rules (question length, closesAt in the future, tick size, resolver
// exists, slug unique even under concurrency).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { LIFECYCLE_ENV, TestClock, createDraft, expectReconciled, place, setStatus } from './helpers/lifecycle.ts';

type Status = 'DRAFT' | 'OPEN' | 'HALTED' | 'CLOSED' | 'RESOLVED' | 'CANCELLED';
type Target = { status: Status; outcome?: 'YES' | 'NO' };

/** docs/DESIGN.md, "Market lifecycle": DRAFT -> OPEN -> (HALTED <-> OPEN) -> CLOSED -> RESOLVED(YES|NO); any non-final -> CANCELLED. */
const ALLOWED: Record<Status, Status[]> = {
  DRAFT: ['OPEN', 'CANCELLED'],
  OPEN: ['HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  HALTED: ['OPEN', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  CLOSED: ['RESOLVED', 'CANCELLED'],
  RESOLVED: [],
  CANCELLED: [],
};
const ALL: Status[] = ['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'];
/** How to reach each state from DRAFT. */
const PATH: Record<Status, Target[]> = {
  DRAFT: [],
  OPEN: [{ status: 'OPEN' }],
  HALTED: [{ status: 'OPEN' }, { status: 'HALTED' }],
  CLOSED: [{ status: 'OPEN' }, { status: 'CLOSED' }],
  RESOLVED: [{ status: 'OPEN' }, { status: 'RESOLVED', outcome: 'YES' }],
  CANCELLED: [{ status: 'CANCELLED' }],
};
const target = (s: Status): Target => (s === 'RESOLVED' ? { status: s, outcome: 'YES' } : { status: s });

describe('lifecycle: transitions, authorisation, validation', () => {
  let t: TestExchange;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startTestExchange(LIFECYCLE_ENV, { clock: clock.now });
    admin = await t.admin();
    alice = await t.registerUser();
    bob = await t.registerUser();
  });

  afterAll(async () => {
    await t?.close();
  });

  /** A market driven along PATH to `state`. */
  async function marketIn(state: Status, overrides: Record<string, unknown> = {}): Promise<{ id: string; slug: string }> {
    const m = await createDraft(t, overrides, clock.nowMs + 86_400_000);
    for (const step of PATH[state]) {
      const res = await setStatus(t, admin.token, m.slug, step.status, step.outcome);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    const got = await t.api('GET', `/api/markets/${m.slug}`);
    expect(got.body.status).toBe(state);
    return m;
  }

  const allowedPairs = ALL.flatMap((from) => ALLOWED[from].map((to) => [from, to] as const));
  it.each(allowedPairs)('allows %s -> %s', async (from, to) => {
    const m = await marketIn(from);
    // A resting order, so that closing (explicit or implied) has something to cancel.
    let resting: { order: { id: number } } | null = null;
    if (from === 'OPEN') resting = await place(t, alice, m.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 5 });
    const aliceBefore = await t.rt.ctx.prisma.account.findUniqueOrThrow({ where: { userId: alice.id } });
    const res = await setStatus(t, admin.token, m.slug, to, target(to).outcome);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe(to);
    expect(res.body.outcome).toBe(to === 'RESOLVED' ? 'YES' : null);
    const row = await t.rt.ctx.prisma.market.findUniqueOrThrow({ where: { id: m.id } });
    expect([row.status, row.outcome]).toEqual([to, to === 'RESOLVED' ? 'YES' : null]);
    if (resting !== null) {
      const o = await t.rt.ctx.prisma.order.findUniqueOrThrow({ where: { id: BigInt(resting.order.id) } });
      if (to === 'HALTED') {
        expect(o.status).toBe('OPEN'); // halting keeps the book (cancels are allowed)
      } else {
        expect([o.status, o.reason]).toEqual(['CANCELLED', 'MARKET_CLOSED']);
        // Its escrow (5 x 40 cents) is released: locked down, total unchanged.
        const acc = await t.rt.ctx.prisma.account.findUniqueOrThrow({ where: { userId: alice.id } });
        expect(aliceBefore.lockedCents - acc.lockedCents).toBe(200n);
        expect(acc.availableCents + acc.lockedCents).toBe(aliceBefore.availableCents + aliceBefore.lockedCents);
      }
    }
    // The market's status events go out as audit entries too.
    const audit = await t.rt.ctx.prisma.auditLog.findFirst({ where: { targetId: m.id }, orderBy: { id: 'desc' } });
    expect(audit?.action).toBe(to === 'RESOLVED' ? 'MARKET_RESOLVED' : to === 'CANCELLED' ? 'MARKET_CANCELLED' : 'MARKET_STATUS_CHANGED');
    expect(audit?.payload).toMatchObject({ from, status: to });
    expect(audit?.actorId).toBe(admin.id);
  });

  it.each(ALL)('refuses every other transition from %s with 409 INVALID_TRANSITION', async (from) => {
    const m = await marketIn(from);
    const before = await t.api('GET', `/api/markets/${m.slug}`);
    const auditBefore = await t.rt.ctx.prisma.auditLog.count();
    const targets: Target[] = ALL.filter((to) => !ALLOWED[from].includes(to)).map(target);
    // RESOLVED with the other outcome is forbidden too; the same final state is an idempotent repeat (below).
    if (from === 'RESOLVED') targets.splice(targets.findIndex((x) => x.status === 'RESOLVED'), 1, { status: 'RESOLVED', outcome: 'NO' });
    if (from === 'CANCELLED') targets.splice(targets.findIndex((x) => x.status === 'CANCELLED'), 1);
    expect(targets.length).toBeGreaterThan(0);
    for (const to of targets) {
      const res = await setStatus(t, admin.token, m.slug, to.status, to.outcome);
      expect([res.status, res.body.error?.code], `${from} -> ${to.status}`).toEqual([409, 'INVALID_TRANSITION']);
    }
    const after = await t.api('GET', `/api/markets/${m.slug}`);
    expect(after.body).toEqual(before.body);
    expect(await t.rt.ctx.prisma.auditLog.count()).toBe(auditBefore);
  });

  it('treats the same final state as a repeat: 200, nothing executed', async () => {
    for (const state of ['RESOLVED', 'CANCELLED'] as const) {
      const m = await marketIn(state);
      const before = await t.api('GET', `/api/markets/${m.slug}`);
      const auditBefore = await t.rt.ctx.prisma.auditLog.count();
      const res = await setStatus(t, admin.token, m.slug, state, state === 'RESOLVED' ? 'YES' : undefined);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(before.body);
      expect(await t.rt.ctx.prisma.auditLog.count()).toBe(auditBefore);
    }
  });

  it('refuses to open a market past its close time', async () => {
    const m = await createDraft(t, {}, clock.nowMs + 60_000);
    clock.advance(61_000);
    const res = await setStatus(t, admin.token, m.slug, 'OPEN');
    expect([res.status, res.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    expect((await t.api('GET', `/api/markets/${m.slug}`)).body.status).toBe('DRAFT');
  });

  describe('authorisation', () => {
    it('refuses plain users (403), the anonymous (401), on every status', async () => {
      const m = await marketIn('OPEN', { resolverId: bob.id });
      for (const s of ALL) {
        const res = await setStatus(t, alice.token, m.slug, s, target(s).outcome);
        expect([res.status, res.body.error?.code], s).toEqual([403, 'FORBIDDEN']);
        const anon = await t.api('PATCH', `/api/markets/${m.slug}/status`, { body: target(s) });
        expect([anon.status, anon.body.error?.code], s).toEqual([401, 'UNAUTHENTICATED']);
      }
      const create = await t.api('POST', '/api/markets', { token: alice.token, body: { slug: `x-${randomUUID().slice(0, 8)}`, question: 'q?', closesAt: new Date(clock.nowMs + 3_600_000).toISOString() } });
      expect([create.status, create.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      expect((await t.api('GET', `/api/markets/${m.slug}`)).body.status).toBe('OPEN');
    });

    it('lets the designated resolver resolve its market, and nothing else', async () => {
      const m = await marketIn('OPEN', { resolverId: bob.id });
      for (const s of ['HALTED', 'CLOSED', 'CANCELLED', 'OPEN', 'DRAFT'] as const) {
        const res = await setStatus(t, bob.token, m.slug, s);
        expect([res.status, res.body.error?.code], s).toEqual([403, 'FORBIDDEN']);
      }
      // Not another market's resolver.
      const other = await marketIn('OPEN');
      const foreign = await setStatus(t, bob.token, other.slug, 'RESOLVED', 'YES');
      expect([foreign.status, foreign.body.error?.code]).toEqual([403, 'FORBIDDEN']);
      // Its own market: yes, from OPEN (closed first).
      const res = await setStatus(t, bob.token, m.slug, 'RESOLVED', 'NO');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect([res.body.status, res.body.outcome]).toEqual(['RESOLVED', 'NO']);
      const rec = await t.api('GET', `/api/markets/${m.slug}/resolution`);
      expect(rec.body).toMatchObject({ resolverId: bob.id, outcome: 'NO', kind: 'RESOLUTION' });
      const audit = await t.rt.ctx.prisma.auditLog.findFirst({ where: { targetId: m.id, action: 'MARKET_RESOLVED' } });
      expect(audit?.actorId).toBe(bob.id);
      // The resolver's repeat of the same resolution is fine; a different one is not.
      expect((await setStatus(t, bob.token, m.slug, 'RESOLVED', 'NO')).status).toBe(200);
      expect((await setStatus(t, bob.token, m.slug, 'RESOLVED', 'YES')).status).toBe(409);
    });

    it('lets admins do everything (covered above) and keeps the admin routes admin-only', async () => {
      for (const url of ['/api/admin/audit', '/api/admin/audit/verify', '/api/admin/reconcile']) {
        const res = await t.api('GET', url, { token: alice.token });
        expect([res.status, res.body.error?.code], url).toEqual([403, 'FORBIDDEN']);
      }
    });
  });

  describe('validation (4xx, never 5xx)', () => {
    it('checks the status body', async () => {
      const m = await marketIn('OPEN');
      const cases: unknown[] = [
        { status: 'RESOLVED' },
        { status: 'HALTED', outcome: 'YES' },
        { status: 'RESOLVED', outcome: 'MAYBE' },
        { status: 'SETTLED' },
        {},
        { status: 'CANCELLED', outcome: null },
      ];
      for (const body of cases) {
        const res = await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: admin.token, body });
        expect([res.status, res.body.error?.code], JSON.stringify(body)).toEqual([400, 'VALIDATION_ERROR']);
      }
      const badKey = await setStatus(t, admin.token, m.slug, 'HALTED', undefined, { 'idempotency-key': 'has space' });
      expect([badKey.status, badKey.body.error?.code]).toEqual([400, 'VALIDATION_ERROR']);
      const longKey = await setStatus(t, admin.token, m.slug, 'HALTED', undefined, { 'idempotency-key': 'k'.repeat(256) });
      expect([longKey.status, longKey.body.error?.code]).toEqual([400, 'VALIDATION_ERROR']);
      const unknown = await setStatus(t, admin.token, 'no-such-market', 'HALTED');
      expect([unknown.status, unknown.body.error?.code]).toEqual([404, 'UNKNOWN_MARKET']);
      expect((await t.api('GET', `/api/markets/${m.slug}`)).body.status).toBe('OPEN');
    });

    it('checks market creation: question length, closesAt in the future, tick size, resolver, text', async () => {
      const base = () => ({ slug: `v-${randomUUID().slice(0, 8)}`, question: 'Will it?', closesAt: new Date(clock.nowMs + 3_600_000).toISOString() });
      const create = (body: Record<string, unknown>) => t.api('POST', '/api/markets', { token: admin.token, body });
      expect((await create({ ...base(), question: 'q'.repeat(140) })).status).toBe(201);
      const bad: [string, Record<string, unknown>][] = [
        ['question of 141', { ...base(), question: 'q'.repeat(141) }],
        ['empty question', { ...base(), question: '   ' }],
        ['NUL in question', { ...base(), question: 'Will\u0000 it?' }],
        ['lone surrogate in description', { ...base(), description: 'bad \ud800 text' }],
        ['closesAt now (engine clock)', { ...base(), closesAt: new Date(clock.nowMs).toISOString() }],
        ['closesAt in the past', { ...base(), closesAt: new Date(clock.nowMs - 1000).toISOString() }],
        ['closesAt not a date', { ...base(), closesAt: 'tomorrow' }],
        ['tick 3', { ...base(), tickCents: 3 }],
        ['tick 100', { ...base(), tickCents: 100 }],
        ['resolver not a user', { ...base(), resolverId: randomUUID() }],
        ['resolver not a uuid', { ...base(), resolverId: 'bob' }],
        ['bad slug', { ...base(), slug: 'Bad Slug' }],
      ];
      for (const [what, body] of bad) {
        const res = await create(body);
        expect([res.status, res.body.error?.code], what).toEqual([400, 'VALIDATION_ERROR']);
      }
      const ok = await create({ ...base(), tickCents: 5, resolverId: bob.id, description: 'Emoji 🎲 are fine.' });
      expect(ok.status, JSON.stringify(ok.body)).toBe(201);
      expect(ok.body).toMatchObject({ status: 'DRAFT', tickCents: 5, resolverId: bob.id });
      const dup = await create({ ...base(), slug: ok.body.slug });
      expect([dup.status, dup.body.error?.code]).toEqual([409, 'SLUG_TAKEN']);
    });

    it('creates one market when the same slug is created concurrently (409 for the others, no 5xx)', async () => {
      const body = { slug: `race-${randomUUID().slice(0, 8)}`, question: 'Race?', closesAt: new Date(clock.nowMs + 3_600_000).toISOString() };
      const results = await Promise.all(Array.from({ length: 6 }, () => t.api('POST', '/api/markets', { token: admin.token, body })));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('SLUG_TAKEN');
      expect(await t.rt.ctx.prisma.market.count({ where: { slug: body.slug } })).toBe(1);
      await expectReconciled(t);
    });
  });
});
