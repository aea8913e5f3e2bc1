// GET /api/user/fills: the caller's fills across markets, newest first, one per role, priced in
// the order's own outcome; the market filter; cursor pages; unauthenticated and unknown market.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

describe('api: GET /api/user/fills', () => {
  let t: TestExchange;

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
  });
  afterAll(async () => {
    await t?.close();
  });

  const place = (u: TestUser, slug: string, body: Record<string, unknown>) => t.api('POST', `/api/orders/${slug}`, { token: u.token, body });
  const fills = (u: TestUser, query = '') => t.api('GET', `/api/user/fills${query}`, { token: u.token });

  it('lists maker and taker fills across markets, newest first, filtered by market and paged', async () => {
    const m1 = await t.createOpenMarket();
    const m2 = await t.createOpenMarket();
    const a = await t.registerUser();
    const b = await t.registerUser();

    // m1: a rests BUY YES 10 @ 40; b takes with BUY NO 10 @ 60 -> MINT, a maker, b taker.
    const rest = ok(await place(a, m1.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 }), 201);
    const take = ok(await place(b, m1.slug, { side: 'BUY', outcome: 'NO', price: 60, quantity: 10 }), 201);
    // m2: b rests BUY NO 5 @ 30 (YES ask 70); a takes BUY YES 5 @ 75 -> MINT at 70 (a taker).
    ok(await place(b, m2.slug, { side: 'BUY', outcome: 'NO', price: 30, quantity: 5 }), 201);
    const take2 = ok(await place(a, m2.slug, { side: 'BUY', outcome: 'YES', price: 75, quantity: 5 }), 201);
    // m1 again: a rests SELL YES 4 @ 45, unfilled: no fill.
    ok(await place(a, m1.slug, { side: 'SELL', outcome: 'YES', price: 45, quantity: 4 }), 201);

    const all = ok(await fills(a), 200);
    expect(all.nextBefore).toBeNull();
    expect(all.fills).toEqual([
      {
        tradeId: take2.fills[0].tradeId, orderId: take2.order.id, marketId: m2.id, slug: m2.slug, question: expect.any(String),
        side: 'BUY', outcome: 'YES', role: 'TAKER', price: 70, yesPrice: 70, quantity: 5, kind: 'MINT', createdAt: expect.any(String),
      },
      {
        tradeId: take.fills[0].tradeId, orderId: rest.order.id, marketId: m1.id, slug: m1.slug, question: expect.any(String),
        side: 'BUY', outcome: 'YES', role: 'MAKER', price: 40, yesPrice: 40, quantity: 10, kind: 'MINT', createdAt: expect.any(String),
      },
    ]);
    expect(all.fills[0].question).toBe(ok(await t.api('GET', `/api/markets/${m2.slug}`), 200).question);

    // b's view of the m1 trade: taker, BUY NO, priced in NO cents (100 - 40).
    const bm1 = ok(await fills(b, `?market=${m1.slug}`), 200);
    expect(bm1.fills).toEqual([expect.objectContaining({ orderId: take.order.id, role: 'TAKER', side: 'BUY', outcome: 'NO', price: 60, yesPrice: 40, quantity: 10 })]);

    // the market filter and the cursor
    expect(ok(await fills(a, `?market=${m2.slug}`), 200).fills.map((f: { slug: string }) => f.slug)).toEqual([m2.slug]);
    const p1 = ok(await fills(a, '?limit=1'), 200);
    expect(p1.fills).toHaveLength(1);
    expect(p1.nextBefore).toBe(take2.fills[0].tradeId);
    const p2 = ok(await fills(a, `?limit=1&before=${p1.nextBefore}`), 200);
    expect(p2.fills.map((f: { tradeId: number }) => f.tradeId)).toEqual([take.fills[0].tradeId]);
    const p3 = ok(await fills(a, `?limit=1&before=${p2.nextBefore}`), 200);
    expect(p3).toEqual({ fills: [], nextBefore: null });

    // a user with no trades has none; the caller never sees other users' fills
    const c = await t.registerUser();
    expect(ok(await fills(c), 200)).toEqual({ fills: [], nextBefore: null });
  });

  it('unknown market 404, bad query 400, anonymous 401', async () => {
    const u = await t.registerUser();
    expectError(await fills(u, '?market=no-such-market'), 404, 'UNKNOWN_MARKET');
    expectError(await fills(u, '?limit=0'), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/user/fills'), 401);
  });
});
