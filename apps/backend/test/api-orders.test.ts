// /api/orders, /api/user and /api/admin end to end: place (limit, market, IOC/FOK, post-only,
// GTD), the three trade kinds, cancel, cancel-all, amend (queue place), batch, order book,
// trades and the caller's orders with filters and pagination, clientOrderId idempotency,
// balance / positions / portfolio / ledger, admin grant and reconcile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

const START = 1_000_000; // cents

describe('api: orders, user, admin', () => {
  let t: TestExchange;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
    admin = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const place = (u: TestUser, slug: string, body: Record<string, unknown>) => t.api('POST', `/api/orders/${slug}`, { token: u.token, body });
  const balance = async (u: TestUser) => ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200);
  const positions = async (u: TestUser) => ok(await t.api('GET', '/api/user/positions', { token: u.token }), 200).positions;
  const reconcile = async () => {
    const r = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(r.checks.filter((c: { ok: boolean }) => !c.ok), JSON.stringify(r.checks)).toEqual([]);
    expect(r.ok).toBe(true);
    return r;
  };

  it('a limit buy rests: 201 with the order, escrow locked, on the book', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const res = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 42, quantity: 10 }), 201);
    expect(res.duplicate).toBe(false);
    expect(res.fills).toEqual([]);
    expect(res.order).toMatchObject({
      id: expect.any(Number),
      userId: u.id,
      marketId: m.id,
      side: 'BUY',
      outcome: 'YES',
      type: 'LIMIT',
      price: 42,
      quantity: 10,
      filledQuantity: 0,
      remainingQuantity: 10,
      status: 'OPEN',
      reason: null,
      timeInForce: 'GTC',
      expiresAt: null,
      postOnly: false,
      stp: 'CANCEL_TAKER',
      maxCost: null,
      clientOrderId: null,
    });
    expect(await balance(u)).toEqual({ available: START - 420, locked: 420, total: START });
    const book = ok(await t.api('GET', `/api/orders/${m.slug}/orderbook`), 200);
    expect(book.yes.bids).toEqual([{ price: 42, quantity: 10, orders: 1 }]);
    expect(book.no.asks).toEqual([{ price: 58, quantity: 10, orders: 1 }]);
    // the stored order equals the response
    const mine = ok(await t.api('GET', '/api/orders/user/orders', { token: u.token }), 200);
    expect(mine.orders).toEqual([res.order]);
  });

  it('MINT, TRANSFER and MERGE with price improvement; balances, positions, portfolio and ledger follow', async () => {
    const m = await t.createOpenMarket();
    const a = await t.registerUser();
    const b = await t.registerUser();
    const c = await t.registerUser();

    // MINT (docs/DESIGN.md, "A worked example"): b rests BUY NO 100 @ 45 (YES ask 55); a takes BUY YES 100 @ 60.
    ok(await place(b, m.slug, { side: 'BUY', outcome: 'NO', price: 45, quantity: 100 }), 201);
    const mint = ok(await place(a, m.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 100 }), 201);
    expect(mint.order).toMatchObject({ status: 'FILLED', filledQuantity: 100, remainingQuantity: 0, reason: 'FILL' });
    expect(mint.fills).toEqual([expect.objectContaining({ price: 55, yesPrice: 55, quantity: 100, kind: 'MINT', role: 'TAKER', orderId: mint.order.id })]);
    expect(await balance(a)).toEqual({ available: START - 5500, locked: 0, total: START - 5500 }); // 5 x 100 improvement returned
    expect(await balance(b)).toEqual({ available: START - 4500, locked: 0, total: START - 4500 });
    expect(await positions(a)).toEqual([expect.objectContaining({ marketId: m.id, slug: m.slug, yesShares: 100, noShares: 0, costBasis: 5500, yesLockedShares: 0 })]);
    expect(await positions(b)).toEqual([expect.objectContaining({ yesShares: 0, noShares: 100, costBasis: 4500 })]);

    // TRANSFER: a sells 40 YES @ 60 (rests, shares locked); c buys YES @ 65 -> fills at 60.
    const ask = ok(await place(a, m.slug, { side: 'SELL', outcome: 'YES', price: 60, quantity: 40 }), 201);
    expect(ask.order.status).toBe('OPEN');
    expect((await positions(a))[0]).toMatchObject({ yesShares: 100, yesLockedShares: 40 });
    const transfer = ok(await place(c, m.slug, { side: 'BUY', outcome: 'YES', price: 65, quantity: 40 }), 201);
    expect(transfer.fills).toEqual([expect.objectContaining({ price: 60, quantity: 40, kind: 'TRANSFER' })]);
    expect(await balance(c)).toEqual({ available: START - 2400, locked: 0, total: START - 2400 });
    expect(await balance(a)).toEqual({ available: START - 5500 + 2400, locked: 0, total: START - 3100 });
    expect((await positions(a))[0]).toMatchObject({ yesShares: 60, yesLockedShares: 0 });
    expect((await positions(c))[0]).toMatchObject({ yesShares: 40, costBasis: 2400 });

    // MERGE: c sells 30 YES @ 40 (YES ask 40), b sells 30 NO @ 55 (YES bid 45): 40 + 55 <= 100.
    ok(await place(c, m.slug, { side: 'SELL', outcome: 'YES', price: 40, quantity: 30 }), 201);
    const merge = ok(await place(b, m.slug, { side: 'SELL', outcome: 'NO', price: 55, quantity: 30 }), 201);
    // maker c's YES ask at 40 -> the taker b sells NO at 100 - 40 = 60 (better than its 55)
    expect(merge.fills).toEqual([expect.objectContaining({ price: 60, yesPrice: 40, quantity: 30, kind: 'MERGE' })]);
    expect(await balance(b)).toEqual({ available: START - 4500 + 1800, locked: 0, total: START - 2700 });
    expect(await balance(c)).toEqual({ available: START - 2400 + 1200, locked: 0, total: START - 1200 });
    const market = ok(await t.api('GET', `/api/markets/${m.slug}`), 200);
    expect(market).toMatchObject({ openInterest: 70, volume: 170, lastPrice: 40 });

    // trades, newest first, from both outcome views
    const trades = ok(await t.api('GET', `/api/orders/${m.slug}/trades`), 200);
    expect(trades.trades.map((x: { kind: string }) => x.kind)).toEqual(['MERGE', 'TRANSFER', 'MINT']);
    expect(trades.trades[0]).toMatchObject({ yesPrice: 40, noPrice: 60, quantity: 30, takerSide: 'SELL', takerOutcome: 'NO' });
    expect(trades.nextBefore).toBeNull();

    // portfolio: valued at the last YES price (40)
    const pf = ok(await t.api('GET', '/api/user/portfolio', { token: a.token }), 200);
    expect(pf.balance).toEqual(await balance(a));
    expect(pf.positions).toEqual([expect.objectContaining({ yesShares: 60, lastPrice: 40, marketValue: 60 * 40 })]);
    const p = pf.positions[0];
    expect(p.unrealisedPnl).toBe(p.marketValue - p.costBasis);
    expect(pf.totals.equity).toBe(pf.balance.total + pf.totals.marketValue);
    expect(pf.totals.realisedPnl).toBe(p.realisedPnl);

    // ledger: each user's signed amounts sum to their balance
    for (const u of [a, b, c]) {
      const l = ok(await t.api('GET', '/api/user/ledger?limit=200', { token: u.token }), 200);
      const sum = l.entries.reduce((s: number, e: { amount: number }) => s + e.amount, 0);
      expect(sum, u.email).toBe((await balance(u)).total);
    }
    await reconcile();
  });

  it('market orders, IOC, FOK, post-only, insufficient funds and shares', async () => {
    const m = await t.createOpenMarket();
    const maker = await t.registerUser();
    const taker = await t.registerUser();
    ok(await place(maker, m.slug, { side: 'BUY', outcome: 'NO', price: 50, quantity: 10 }), 201); // YES ask 50
    ok(await place(maker, m.slug, { side: 'BUY', outcome: 'NO', price: 45, quantity: 10 }), 201); // YES ask 55

    // market buy with a cap: 10 @ 50 = 500, then 5 more @ 55 = 275 -> capped at 700 -> 3 more (165)
    const mkt = ok(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 20, maxCost: 700 }), 201);
    expect(mkt.order).toMatchObject({ type: 'MARKET', price: null, timeInForce: 'IOC', maxCost: 700, status: 'CANCELLED', reason: 'UNFILLED' });
    const spent = mkt.fills.reduce((s: number, f: { price: number; quantity: number }) => s + f.price * f.quantity, 0);
    expect(spent).toBeLessThanOrEqual(700);
    expect(mkt.fills.map((f: { price: number }) => f.price)).toEqual([50, 55]);
    expect(mkt.order.filledQuantity).toBe(13);
    expect(await balance(taker)).toEqual({ available: START - spent, locked: 0, total: START - spent });

    // market sell of the shares just bought, against a YES bid
    ok(await place(maker, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 5 }), 201);
    const sell = ok(await place(taker, m.slug, { side: 'SELL', outcome: 'YES', type: 'MARKET', quantity: 5 }), 201);
    expect(sell.order.status).toBe('FILLED');
    expect(sell.fills).toEqual([expect.objectContaining({ price: 30, quantity: 5, kind: 'TRANSFER' })]);

    // IOC: the rest of the book (7 @ 55) and nothing rests
    const ioc = ok(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 10, timeInForce: 'IOC' }), 201);
    expect(ioc.order).toMatchObject({ status: 'CANCELLED', filledQuantity: 7, reason: 'UNFILLED' });
    expect((await balance(taker)).locked).toBe(0);

    // FOK not fillable -> 422, nothing changes
    const before = await balance(taker);
    expectError(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 10, timeInForce: 'FOK' }), 422, 'FOK_NOT_FILLABLE');
    expect(await balance(taker)).toEqual(before);

    // post-only that would take -> 422
    ok(await place(maker, m.slug, { side: 'BUY', outcome: 'NO', price: 40, quantity: 5 }), 201); // YES ask 60
    expectError(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 1, postOnly: true }), 422, 'POST_ONLY_WOULD_TAKE');
    expect(ok(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', price: 59, quantity: 1, postOnly: true }), 201).order.status).toBe('OPEN');

    // engine rules surface as their codes
    const poor = await t.registerUser();
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', price: 99, quantity: 1_000_000 }), 422, 'INSUFFICIENT_BALANCE');
    expectError(await place(poor, m.slug, { side: 'SELL', outcome: 'YES', price: 50, quantity: 1 }), 422, 'INSUFFICIENT_SHARES');
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', quantity: 1 }), 400, 'INVALID_PRICE'); // limit without price
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', price: 50, quantity: 1 }), 400, 'INVALID_PRICE');
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 1, timeInForce: 'GTC' }), 400, 'INVALID_ORDER_TYPE');
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, timeInForce: 'GTD' }), 400, 'INVALID_EXPIRY');
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, maxCost: 10 }), 400, 'INVALID_MAX_COST');
    expectError(await place(poor, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 2_000_000 }), 400, 'QUANTITY_TOO_LARGE');
    expectError(await place(poor, 'no-such-market', { side: 'BUY', outcome: 'YES', price: 50, quantity: 1 }), 404, 'UNKNOWN_MARKET');
    expect(await balance(poor)).toEqual({ available: START, locked: 0, total: START });
    await reconcile();
  });

  it('tick size: prices off the tick are rejected', async () => {
    const m = await t.createOpenMarket({ tickCents: 5 });
    const u = await t.registerUser();
    expectError(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 42, quantity: 1 }), 400, 'PRICE_NOT_ON_TICK');
    ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 45, quantity: 1 }), 201);
  });

  it('GTD orders expire (clock job) and release their escrow', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const expiresAt = new Date(Date.now() + 600).toISOString();
    const res = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 10, timeInForce: 'GTD', expiresAt }), 201);
    expect(res.order).toMatchObject({ status: 'OPEN', timeInForce: 'GTD', expiresAt });
    expect((await balance(u)).locked).toBe(300);
    let status = 'OPEN';
    for (let i = 0; i < 100 && status === 'OPEN'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ok(await t.api('GET', '/api/orders/user/orders', { token: u.token }), 200).orders[0].status;
    }
    expect(status).toBe('EXPIRED');
    expect(await balance(u)).toEqual({ available: START, locked: 0, total: START });
    expectError(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 1, timeInForce: 'GTD', expiresAt: new Date(Date.now() - 1000).toISOString() }), 400, 'INVALID_EXPIRY');
  });

  it('cancel: 200 with the cancelled order; again, unknown or someone else\'s -> 404 UNKNOWN_ORDER', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const other = await t.registerUser();
    const o = ok(await place(u, m.slug, { side: 'BUY', outcome: 'NO', price: 20, quantity: 5 }), 201).order;
    expectError(await t.api('DELETE', `/api/orders/${o.id}`, { token: other.token }), 404, 'UNKNOWN_ORDER');
    const cancelled = ok(await t.api('DELETE', `/api/orders/${o.id}`, { token: u.token }), 200);
    expect(cancelled).toMatchObject({ id: o.id, status: 'CANCELLED', reason: 'USER_CANCEL', filledQuantity: 0, remainingQuantity: 0 });
    expect(await balance(u)).toEqual({ available: START, locked: 0, total: START });
    expectError(await t.api('DELETE', `/api/orders/${o.id}`, { token: u.token }), 404, 'UNKNOWN_ORDER');
    expectError(await t.api('DELETE', '/api/orders/999999999', { token: u.token }), 404, 'UNKNOWN_ORDER');
    // the answer is exactly the stored order, also after an amend and a partial fill
    const stored = async (id: number) => ok(await t.api('GET', '/api/orders/user/orders?limit=200', { token: u.token }), 200).orders.find((x: { id: number }) => x.id === id);
    expect(cancelled).toEqual(await stored(o.id));
    const o2 = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 9, timeInForce: 'GTD', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }), 201).order;
    ok(await t.api('PATCH', `/api/orders/${o2.id}`, { token: u.token, body: { price: 31 } }), 200);
    ok(await place(other, m.slug, { side: 'BUY', outcome: 'NO', price: 69, quantity: 4 }), 201); // fills 4 of o2
    const c2 = ok(await t.api('DELETE', `/api/orders/${o2.id}`, { token: u.token }), 200);
    expect(c2).toMatchObject({ status: 'CANCELLED', price: 31, filledQuantity: 4, reason: 'USER_CANCEL' });
    expect(c2).toEqual(await stored(o2.id));
    expectError(await t.api('DELETE', '/api/orders/0', { token: u.token }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('DELETE', '/api/orders/abc', { token: u.token }), 400, 'VALIDATION_ERROR');
  });

  it('cancel-all: in one market, then everywhere', async () => {
    const m1 = await t.createOpenMarket();
    const m2 = await t.createOpenMarket();
    const u = await t.registerUser();
    const ids1 = [];
    for (const price of [10, 11, 12]) ids1.push(ok(await place(u, m1.slug, { side: 'BUY', outcome: 'YES', price, quantity: 1 }), 201).order.id);
    const ids2 = [];
    for (const price of [20, 21]) ids2.push(ok(await place(u, m2.slug, { side: 'BUY', outcome: 'NO', price, quantity: 2 }), 201).order.id);
    const r1 = ok(await t.api('DELETE', `/api/orders?market=${m1.slug}`, { token: u.token }), 200);
    expect([...r1.cancelledOrderIds].sort()).toEqual([...ids1].sort());
    expect((await balance(u)).locked).toBe(20 * 2 + 21 * 2);
    const r2 = ok(await t.api('DELETE', '/api/orders', { token: u.token }), 200);
    expect([...r2.cancelledOrderIds].sort()).toEqual([...ids2].sort());
    expect(ok(await t.api('DELETE', '/api/orders', { token: u.token }), 200).cancelledOrderIds).toEqual([]);
    expect(await balance(u)).toEqual({ available: START, locked: 0, total: START });
    expectError(await t.api('DELETE', '/api/orders?market=no-such-market', { token: u.token }), 404, 'UNKNOWN_MARKET');
  });

  it('amend: a smaller size keeps queue place, a price change loses it; escrow follows', async () => {
    const m = await t.createOpenMarket();
    const a = await t.registerUser();
    const b = await t.registerUser();
    const seller = await t.registerUser();
    const minter = await t.registerUser();
    // give the seller YES shares: seller buys YES 20 @ 50 against minter's NO @ 50
    ok(await place(minter, m.slug, { side: 'BUY', outcome: 'NO', price: 50, quantity: 20 }), 201);
    ok(await place(seller, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 20 }), 201);

    const oa = ok(await place(a, m.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 }), 201).order;
    const ob = ok(await place(b, m.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 }), 201).order;
    const reduced = ok(await t.api('PATCH', `/api/orders/${oa.id}`, { token: a.token, body: { quantity: 5 } }), 200);
    expect(reduced.order).toMatchObject({ id: oa.id, remainingQuantity: 5, price: 40, status: 'OPEN' });
    expect(await balance(a)).toEqual({ available: START - 200, locked: 200, total: START });
    // a keeps priority: a sell of 5 fills a
    ok(await place(seller, m.slug, { side: 'SELL', outcome: 'YES', price: 40, quantity: 5 }), 201);
    const aOrders = ok(await t.api('GET', '/api/orders/user/orders', { token: a.token }), 200).orders;
    expect(aOrders[0]).toMatchObject({ id: oa.id, status: 'FILLED', filledQuantity: 5 });

    // b moves away and back: loses its place to a new order c at 40
    const c = await t.registerUser();
    ok(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: { price: 39 } }), 200);
    const oc = ok(await place(c, m.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 }), 201).order;
    const back = ok(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: { price: 40 } }), 200);
    expect(back.order).toMatchObject({ id: ob.id, price: 40, remainingQuantity: 10, reason: 'AMEND' });
    ok(await place(seller, m.slug, { side: 'SELL', outcome: 'YES', price: 40, quantity: 5 }), 201);
    const cOrder = ok(await t.api('GET', '/api/orders/user/orders', { token: c.token }), 200).orders[0];
    expect(cOrder).toMatchObject({ id: oc.id, filledQuantity: 5 });
    const bOrder = ok(await t.api('GET', '/api/orders/user/orders', { token: b.token }), 200).orders[0];
    expect(bOrder).toMatchObject({ id: ob.id, filledQuantity: 0 });

    // amending to a crossing price takes liquidity and reports the fills
    const crossing = ok(await place(minter, m.slug, { side: 'BUY', outcome: 'NO', price: 55, quantity: 3 }), 201).order; // YES ask 45
    expect(crossing.status).toBe('OPEN');
    const taken = ok(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: { price: 46 } }), 200);
    expect(taken.fills).toEqual([expect.objectContaining({ quantity: 3, price: 45, kind: 'MINT' })]);

    // failures
    expectError(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: {} }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: { price: 100 } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('PATCH', `/api/orders/${ob.id}`, { token: a.token, body: { quantity: 1 } }), 404, 'UNKNOWN_ORDER');
    expectError(await t.api('PATCH', `/api/orders/${oa.id}`, { token: a.token, body: { quantity: 1 } }), 404, 'UNKNOWN_ORDER'); // filled
    expectError(await t.api('PATCH', `/api/orders/${ob.id}`, { token: b.token, body: { price: 46, quantity: 7 } }), 400, 'AMEND_NO_CHANGE');
    await reconcile();
  });

  it('batch: executed in order, each succeeds or fails alone', async () => {
    const m = await t.createOpenMarket();
    const m2 = await t.createOpenMarket();
    const u = await t.registerUser();
    const res = ok(
      await t.api('POST', '/api/orders/batch', {
        token: u.token,
        body: {
          orders: [
            { marketSlug: m.slug, side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'b-1' },
            { marketSlug: 'no-such-market', side: 'BUY', outcome: 'YES', price: 30, quantity: 5 },
            { marketSlug: m.slug, side: 'SELL', outcome: 'YES', price: 30, quantity: 5 },
            { marketSlug: m2.slug, side: 'BUY', outcome: 'NO', price: 60, quantity: 5 },
            { marketSlug: m.slug, side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'b-1' },
          ],
        },
      }),
      200,
    );
    expect(res.results).toHaveLength(5);
    expect(res.results[0]).toMatchObject({ ok: true, duplicate: false, order: { price: 30, clientOrderId: 'b-1', marketId: m.id } });
    expect(res.results[1]).toMatchObject({ ok: false, error: { code: 'UNKNOWN_MARKET' } });
    expect(res.results[2]).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_SHARES' } });
    expect(res.results[3]).toMatchObject({ ok: true, order: { outcome: 'NO', marketId: m2.id } });
    expect(res.results[4]).toMatchObject({ ok: true, duplicate: true, order: { id: res.results[0].order.id } });
    expect(await balance(u)).toEqual({ available: START - 150 - 300, locked: 450, total: START });

    expectError(await t.api('POST', '/api/orders/batch', { token: u.token, body: { orders: [] } }), 400, 'VALIDATION_ERROR');
    const tooMany = Array.from({ length: 21 }, () => ({ marketSlug: m.slug, side: 'BUY', outcome: 'YES', price: 1, quantity: 1 }));
    expectError(await t.api('POST', '/api/orders/batch', { token: u.token, body: { orders: tooMany } }), 400, 'VALIDATION_ERROR');
  });

  it('order book: YES and NO ladders from one book, aggregated by level, with depth and seq', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const v = await t.registerUser();
    for (const [price, quantity] of [[40, 5], [40, 7], [38, 1], [35, 2]] as const) ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price, quantity }), 201);
    for (const [price, quantity] of [[45, 3], [44, 4]] as const) ok(await place(v, m.slug, { side: 'BUY', outcome: 'NO', price, quantity }), 201);
    const book = ok(await t.api('GET', `/api/orders/${m.slug}/orderbook`), 200);
    expect(book).toMatchObject({ marketId: m.id, slug: m.slug, depth: 10, seq: expect.any(Number) });
    expect(book.yes.bids).toEqual([{ price: 40, quantity: 12, orders: 2 }, { price: 38, quantity: 1, orders: 1 }, { price: 35, quantity: 2, orders: 1 }]);
    expect(book.yes.asks).toEqual([{ price: 55, quantity: 3, orders: 1 }, { price: 56, quantity: 4, orders: 1 }]);
    expect(book.no.bids).toEqual([{ price: 45, quantity: 3, orders: 1 }, { price: 44, quantity: 4, orders: 1 }]);
    expect(book.no.asks).toEqual([{ price: 60, quantity: 12, orders: 2 }, { price: 62, quantity: 1, orders: 1 }, { price: 65, quantity: 2, orders: 1 }]);
    const shallow = ok(await t.api('GET', `/api/orders/${m.slug}/orderbook?depth=1`), 200);
    expect(shallow.yes.bids).toHaveLength(1);
    expect(shallow.no.asks).toHaveLength(1);
    expect(shallow.seq).toBe(book.seq);
    expect(ok(await t.api('GET', `/api/markets/${m.slug}`), 200).seq).toBe(book.seq);
    ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 20, quantity: 1 }), 201);
    expect(ok(await t.api('GET', `/api/orders/${m.slug}/orderbook`), 200).seq).toBeGreaterThan(book.seq);
    expectError(await t.api('GET', `/api/orders/${m.slug}/orderbook?depth=0`), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', `/api/orders/${m.slug}/orderbook?depth=100`), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/orders/no-such-market/orderbook'), 404, 'UNKNOWN_MARKET');
  });

  it('trades and user orders paginate (cursor before=id) and filter by status and market', async () => {
    const m = await t.createOpenMarket();
    const m2 = await t.createOpenMarket();
    const maker = await t.registerUser();
    const taker = await t.registerUser();
    ok(await place(maker, m.slug, { side: 'BUY', outcome: 'NO', price: 50, quantity: 100 }), 201);
    for (let i = 0; i < 7; i++) ok(await place(taker, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 1 }), 201);
    ok(await place(taker, m2.slug, { side: 'BUY', outcome: 'YES', price: 10, quantity: 1 }), 201);
    const open2 = ok(await place(taker, m2.slug, { side: 'BUY', outcome: 'YES', price: 11, quantity: 1 }), 201).order;
    ok(await t.api('DELETE', `/api/orders/${open2.id}`, { token: taker.token }), 200);

    // trades: 7, pages of 3
    const seen: number[] = [];
    let url = `/api/orders/${m.slug}/trades?limit=3`;
    for (let page = 0; page < 5; page++) {
      const res = ok(await t.api('GET', url), 200);
      seen.push(...res.trades.map((x: { id: number }) => x.id));
      if (res.nextBefore === null) break;
      url = `/api/orders/${m.slug}/trades?limit=3&before=${res.nextBefore}`;
    }
    expect(seen).toHaveLength(7);
    expect([...seen].sort((x, y) => y - x)).toEqual(seen);
    expect(ok(await t.api('GET', `/api/orders/${m2.slug}/trades`), 200).trades).toEqual([]);

    // the taker's orders: 9 total, newest first
    const all = ok(await t.api('GET', '/api/orders/user/orders?limit=200', { token: taker.token }), 200);
    expect(all.orders).toHaveLength(9);
    expect(all.nextBefore).toBeNull();
    const ids = all.orders.map((o: { id: number }) => o.id);
    expect([...ids].sort((x: number, y: number) => y - x)).toEqual(ids);
    const paged: number[] = [];
    let cursor: number | null = null;
    do {
      const q: string = cursor === null ? '' : `&before=${cursor}`;
      const res = ok(await t.api('GET', `/api/orders/user/orders?limit=4${q}`, { token: taker.token }), 200);
      paged.push(...res.orders.map((o: { id: number }) => o.id));
      cursor = res.nextBefore;
    } while (cursor !== null);
    expect(paged).toEqual(ids);
    const filled = ok(await t.api('GET', '/api/orders/user/orders?status=FILLED', { token: taker.token }), 200).orders;
    expect(filled).toHaveLength(7);
    expect(filled.every((o: { status: string; marketId: string }) => o.status === 'FILLED' && o.marketId === m.id)).toBe(true);
    const inM2 = ok(await t.api('GET', `/api/orders/user/orders?market=${m2.slug}`, { token: taker.token }), 200).orders;
    expect(inM2.map((o: { status: string }) => o.status)).toEqual(['CANCELLED', 'OPEN']);
    const openInM2 = ok(await t.api('GET', `/api/orders/user/orders?market=${m2.slug}&status=OPEN`, { token: taker.token }), 200).orders;
    expect(openInM2).toHaveLength(1);
    // other users' orders are never listed
    expect(ok(await t.api('GET', '/api/orders/user/orders', { token: maker.token }), 200).orders.every((o: { userId: string }) => o.userId === maker.id)).toBe(true);
    expectError(await t.api('GET', '/api/orders/user/orders?status=NOPE', { token: taker.token }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/orders/user/orders?market=no-such-market', { token: taker.token }), 404, 'UNKNOWN_MARKET');
    expectError(await t.api('GET', '/api/orders/user/orders?before=0', { token: taker.token }), 400, 'VALIDATION_ERROR');

    // ledger pagination
    const ledgerAll = ok(await t.api('GET', '/api/user/ledger?limit=200', { token: taker.token }), 200).entries;
    const ledgerPaged: number[] = [];
    let lc: number | null = null;
    do {
      const q: string = lc === null ? '' : `&before=${lc}`;
      const res = ok(await t.api('GET', `/api/user/ledger?limit=2${q}`, { token: taker.token }), 200);
      ledgerPaged.push(...res.entries.map((e: { id: number }) => e.id));
      lc = res.nextBefore;
    } while (lc !== null);
    expect(ledgerPaged).toEqual(ledgerAll.map((e: { id: number }) => e.id));
  });

  it('clientOrderId: the same id twice returns the first order (200, duplicate=true), never a second order', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const body = { side: 'BUY', outcome: 'YES', price: 33, quantity: 3, clientOrderId: 'my-order-1' };
    const first = await place(u, m.slug, body);
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const second = await place(u, m.slug, body);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.order.id).toBe(first.body.order.id);
    // even with a different body, the id wins (first result returned, nothing new)
    const third = await place(u, m.slug, { ...body, price: 20, quantity: 9 });
    expect(third.status).toBe(200);
    expect(third.body.order).toMatchObject({ id: first.body.order.id, price: 33, quantity: 3 });
    expect(await balance(u)).toEqual({ available: START - 99, locked: 99, total: START });
    expect(ok(await t.api('GET', '/api/orders/user/orders', { token: u.token }), 200).orders).toHaveLength(1);

    // another user may use the same id
    const v = await t.registerUser();
    expect((await place(v, m.slug, body)).status).toBe(201);

    // concurrent duplicates: exactly one order
    const results = await Promise.all(Array.from({ length: 12 }, () => place(u, m.slug, { ...body, clientOrderId: 'burst-1' })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200 && r.body.duplicate === true)).toHaveLength(11);
    expect(new Set(results.map((r) => r.body.order.id)).size).toBe(1);

    // a duplicate of a filled order returns it with its fills; a cancelled one stays cancelled
    const w = await t.registerUser();
    ok(await place(w, m.slug, { side: 'BUY', outcome: 'NO', price: 67, quantity: 3 }), 201); // fills u's first order (YES bid 33)
    const dupFilled = await place(u, m.slug, body);
    expect(dupFilled.status).toBe(200);
    expect(dupFilled.body.order).toMatchObject({ id: first.body.order.id, status: 'FILLED' });
    expect(dupFilled.body.fills).toEqual([expect.objectContaining({ quantity: 3, role: 'MAKER', price: 33 })]);
    const c = ok(await place(u, m.slug, { ...body, clientOrderId: 'to-cancel' }), 201).order;
    ok(await t.api('DELETE', `/api/orders/${c.id}`, { token: u.token }), 200);
    const dupCancelled = await place(u, m.slug, { ...body, clientOrderId: 'to-cancel' });
    expect(dupCancelled.status).toBe(200);
    expect(dupCancelled.body.order).toMatchObject({ id: c.id, status: 'CANCELLED' });
    expectError(await place(u, m.slug, { ...body, clientOrderId: 'x'.repeat(65) }), 400, 'VALIDATION_ERROR');
    expectError(await place(u, m.slug, { ...body, clientOrderId: '' }), 400, 'VALIDATION_ERROR');
    await reconcile();
  });

  it('self-trade prevention: cancel taker by default, cancel maker on request', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const resting = ok(await place(u, m.slug, { side: 'BUY', outcome: 'NO', price: 50, quantity: 5 }), 201).order;
    const taker = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 5 }), 201);
    expect(taker.order).toMatchObject({ status: 'CANCELLED', reason: 'SELF_TRADE', filledQuantity: 0 });
    expect(taker.fills).toEqual([]);
    const taker2 = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 5, stp: 'CANCEL_MAKER' }), 201);
    expect(taker2.order.status).toBe('OPEN');
    const mine = ok(await t.api('GET', `/api/orders/user/orders?market=${m.slug}`, { token: u.token }), 200).orders;
    expect(mine.find((o: { id: number }) => o.id === resting.id)).toMatchObject({ status: 'CANCELLED', reason: 'SELF_TRADE' });
    expect(await balance(u)).toEqual({ available: START - 250, locked: 250, total: START });
  });

  it('admin: grant points (ledger, audit), unknown user 404, bad amounts 400; reconcile passes', async () => {
    const u = await t.registerUser();
    const granted = ok(await t.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: u.id, amountCents: 12_345, reason: 'prize' } }), 200);
    expect(granted).toEqual({ available: START + 12_345, locked: 0, total: START + 12_345 });
    expect(await balance(u)).toEqual(granted);
    const ledger = ok(await t.api('GET', '/api/user/ledger', { token: u.token }), 200);
    expect(ledger.entries[0]).toMatchObject({ amount: 12_345, creditAccount: `U:${u.id}` });
    const audit = ok(await t.api('GET', '/api/admin/audit?limit=5', { token: admin.token }), 200);
    expect(audit.entries[0]).toMatchObject({ action: 'POINTS_GRANTED', targetId: u.id, payload: { amountCents: 12_345, reason: 'prize' } });
    expect(ok(await t.api('GET', '/api/admin/audit/verify', { token: admin.token }), 200)).toMatchObject({ ok: true, firstBroken: null });

    expectError(await t.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: '00000000-0000-4000-8000-000000000000', amountCents: 1 } }), 404, 'NOT_FOUND');
    for (const amountCents of [0, -5, 1.5, '100', 1e13]) {
      expectError(await t.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: u.id, amountCents } }), 400, 'VALIDATION_ERROR');
    }
    expectError(await t.api('POST', '/api/admin/grant', { token: admin.token, body: { userId: u.id, amountCents: 5, extra: true } }), 400, 'VALIDATION_ERROR');

    const report = await reconcile();
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining([expect.stringMatching(/^1\./), expect.stringMatching(/^2a\./), expect.stringMatching(/^3\./), expect.stringMatching(/^4a\./), expect.stringMatching(/^5\./)]));
  });

  it('health and readiness', async () => {
    expect(ok(await t.api('GET', '/health'), 200)).toMatchObject({ status: 'ok' });
    expect(ok(await t.api('GET', '/ready'), 200)).toMatchObject({ ready: true, checks: { database: { ok: true }, engine: { ok: true } } });
  });
});
