// Automatic close at closesAt on real PostgreSQL: the runtime's clock job (CLOCK_INTERVAL_MS =
// 200 in tests) sends ADVANCE_TIME and the engine closes due OPEN/HALTED markets, cancelling
// their orders and releasing escrow; idempotently; and a market that fell due while the service
// was stopped closes at start-up, before the runtime accepts requests. The engine's clock is
// injected (TestClock), so nothing waits for real time except one real-clock check; waits
// poll for the outcome with a generous safety deadline, never assert durations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { LIFECYCLE_ENV, TestClock, createDraft, eventually, expectReconciled, money, place, setStatus } from './helpers/lifecycle.ts';

describe('lifecycle: automatic close at closesAt', () => {
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

  /** An OPEN market closing `inMs` after the injected clock's now, with a MINT and resting orders of both kinds. */
  async function busyMarket(inMs: number): Promise<{ id: string; slug: string; resting: number[] }> {
    const m = await createDraft(t, {}, clock.nowMs + inMs);
    expect((await setStatus(t, admin.token, m.slug, 'OPEN')).status).toBe(200);
    await place(t, alice, m.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 10 });
    await place(t, bob, m.slug, { side: 'BUY', outcome: 'NO', price: 40, quantity: 10 }); // MINT 10
    const r1 = await place(t, alice, m.slug, { side: 'BUY', outcome: 'YES', price: 20, quantity: 7 }); // escrows 140 cents
    const r2 = await place(t, alice, m.slug, { side: 'SELL', outcome: 'YES', price: 90, quantity: 4 }); // locks 4 shares
    const r3 = await place(t, bob, m.slug, { side: 'BUY', outcome: 'NO', price: 10, quantity: 3 });
    return { ...m, resting: [r1.order.id, r2.order.id, r3.order.id] };
  }

  const statusOf = async (slug: string): Promise<string> => (await t.api('GET', `/api/markets/${slug}`)).body.status;

  /** Everything a close must leave behind: status, orders cancelled, escrow released, positions kept. */
  async function expectClosedCleanly(m: { id: string; slug: string; resting: number[] }): Promise<void> {
    const prisma = t.rt.ctx.prisma;
    expect(await statusOf(m.slug)).toBe('CLOSED');
    const orders = await prisma.order.findMany({ where: { id: { in: m.resting.map(BigInt) } } });
    expect(orders).toHaveLength(m.resting.length);
    for (const o of orders) expect([o.status, o.reason]).toEqual(['CANCELLED', 'MARKET_CLOSED']);
    expect(await prisma.order.count({ where: { marketId: m.id, status: { in: ['OPEN', 'PARTIALLY_FILLED'] } } })).toBe(0);
    const pos = await prisma.position.findMany({ where: { marketId: m.id } });
    for (const p of pos) expect([p.yesLockedShares, p.noLockedShares]).toEqual([0n, 0n]);
    expect(pos.reduce((s, p) => s + p.yesShares, 0n)).toBe(10n); // shares stay until settlement
    const late = await t.api('POST', `/api/orders/${m.slug}`, { token: alice.token, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1 } });
    expect([late.status, late.body.error?.code]).toEqual([409, 'MARKET_NOT_OPEN']);
    await expectReconciled(t);
  }

  it('closes an OPEN and a HALTED market once the clock passes closesAt, via the clock job', async () => {
    const open = await busyMarket(60_000);
    const halted = await busyMarket(60_000);
    expect((await setStatus(t, admin.token, halted.slug, 'HALTED')).status).toBe(200);
    const draft = await createDraft(t, {}, clock.nowMs + 60_000);
    const later = await busyMarket(600_000);
    const lockedBefore = (await money(t)).locked;
    expect(lockedBefore).toBeGreaterThan(0n);

    clock.advance(59_000);
    // Not due yet: a clock tick (run one explicitly) leaves them open.
    await t.rt.ctx.exchange.submit({ kind: 'clock', run: (e, now) => e.execute({ type: 'ADVANCE_TIME', tsMs: now }) });
    expect(await statusOf(open.slug)).toBe('OPEN');

    clock.advance(1_000); // exactly closesAt: due
    await eventually('the clock job closes the due markets', async () => (await statusOf(open.slug)) === 'CLOSED' && (await statusOf(halted.slug)) === 'CLOSED');
    await expectClosedCleanly(open);
    await expectClosedCleanly(halted);
    expect(await statusOf(draft.slug)).toBe('DRAFT'); // a DRAFT never trades, so there is nothing to close
    expect(await statusOf(later.slug)).toBe('OPEN');

    // Idempotent: more clock ticks change nothing (same sequence number, no new rows).
    const seq = (await t.api('GET', `/api/markets/${open.slug}`)).body.seq;
    const ledger = (await money(t)).ledgerRows;
    for (let i = 0; i < 3; i++) await t.rt.ctx.exchange.submit({ kind: 'clock', run: (e, now) => e.execute({ type: 'ADVANCE_TIME', tsMs: now }) });
    expect((await t.api('GET', `/api/markets/${open.slug}`)).body.seq).toBe(seq);
    expect((await money(t)).ledgerRows).toBe(ledger);
    // A closed market can still be resolved.
    expect((await setStatus(t, admin.token, open.slug, 'RESOLVED', 'YES')).status).toBe(200);
    await expectReconciled(t);
  });

  it('closes at start-up a market that fell due while the service was stopped', async () => {
    const m = await busyMarket(120_000);
    const other = await busyMarket(3_600_000);
    await t.stop();
    clock.advance(121_000);
    await t.restart();
    // No waiting: the start-up ADVANCE_TIME has committed before startRuntime returned (the
    // first clock-job tick is CLOCK_INTERVAL_MS later).
    await expectClosedCleanly(m);
    admin = await t.admin();
    expect(await statusOf(other.slug)).toBe('OPEN');
    const audit = await t.api('GET', '/api/admin/audit/verify', { token: admin.token });
    expect(audit.body).toMatchObject({ ok: true, firstBroken: null });
  });

  it('closes on the real clock too (closesAt a few hundred ms ahead)', async () => {
    const real = await startTestExchange(LIFECYCLE_ENV);
    try {
      const a = await real.admin();
      const slug = `rc-${Date.now().toString(36)}`;
      const created = await real.api('POST', '/api/markets', { token: a.token, body: { slug, question: 'Soon?', closesAt: new Date(Date.now() + 400).toISOString() } });
      expect(created.status).toBe(201);
      const opened = await real.api('PATCH', `/api/markets/${slug}/status`, { token: a.token, body: { status: 'OPEN' } });
      // Opening may lose the race with closesAt on a very slow machine; then there is nothing to observe.
      if (opened.status === 200) {
        await eventually('the clock job closes it', async () => (await real.api('GET', `/api/markets/${slug}`)).body.status === 'CLOSED');
      } else {
        expect([opened.status, opened.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
      }
    } finally {
      await real.close();
    }
  });
});
