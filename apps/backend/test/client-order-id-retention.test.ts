// clientOrderId retention on real PostgreSQL: the engine remembers an id while its order is
// open and for CLIENT_ORDER_ID_RETENTION_SEC of exchange time after it became final. Inside
// the window a repeat answers the stored original (duplicate); after it the id names a new
// order, which the orders table must accept (no unique index on (user_id, client_order_id)),
// without harming the other commands of its batch. The rebuild loads only the ids still inside
// the window, with the time their order became final. The engine's sizes are Prometheus gauges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../src/exchange/rebuild.ts';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, ok } from './helpers/kit.ts';

const RETENTION_SEC = 60;

describe('clientOrderId retention window', () => {
  let t: TestExchange;
  /** How far the exchange clock runs ahead of the wall clock, ms. */
  let offsetMs = 0;

  beforeAll(async () => {
    t = await startTestExchange({ ...NO_RATE_LIMITS, CLIENT_ORDER_ID_RETENTION_SEC: String(RETENTION_SEC) }, { clock: () => Date.now() + offsetMs });
  });
  afterAll(async () => {
    await t?.close();
  });

  const place = (u: TestUser, slug: string, body: Record<string, unknown>) => t.api('POST', `/api/orders/${slug}`, { token: u.token, body });
  const cancel = (u: TestUser, orderId: number) => t.api('DELETE', `/api/orders/${orderId}`, { token: u.token });
  const storedWithId = async (userId: string, clientOrderId: string) =>
    (
      await t.rt.ctx.prisma.order.findMany({ where: { userId, clientOrderId }, orderBy: { id: 'asc' }, select: { id: true, status: true } })
    ).map((r) => ({ id: Number(r.id), status: r.status }));

  it('inside the window a repeat is a duplicate; after it the id names a new order, and the batch it shares is unharmed', async () => {
    const m = await t.createOpenMarket();
    const alice = await t.registerUser();
    const bob = await t.registerUser();
    const body = { side: 'BUY', outcome: 'YES', price: 40, quantity: 2, clientOrderId: 'reuse-me' };

    const first = ok(await place(alice, m.slug, body), 201);
    expect(first.duplicate).toBe(false);
    ok(await cancel(alice, first.order.id), 200);

    // inside the window (just before it ends): the stored original, now cancelled
    offsetMs += RETENTION_SEC * 1000 - 5_000;
    const repeat = ok(await place(alice, m.slug, { ...body, price: 41 }), 200);
    expect(repeat).toMatchObject({ duplicate: true, order: { id: first.order.id, status: 'CANCELLED', price: 40 } });

    // past the window: a new order, committed in the same batch as another user's order
    offsetMs += 10_000;
    const [again, other] = await Promise.all([
      place(alice, m.slug, { ...body, price: 42 }),
      place(bob, m.slug, { side: 'BUY', outcome: 'NO', price: 30, quantity: 5, clientOrderId: 'bob-1' }),
    ]);
    const second = ok(again, 201);
    expect(second.duplicate).toBe(false);
    expect(second.order).toMatchObject({ price: 42, status: 'OPEN', clientOrderId: 'reuse-me' });
    expect(second.order.id).not.toBe(first.order.id);
    const bobs = ok(other, 201);
    expect(bobs).toMatchObject({ duplicate: false, order: { status: 'OPEN', clientOrderId: 'bob-1' } });
    expect(t.rt.ctx.exchange.ready).toBe(true);

    expect(await storedWithId(alice.id, 'reuse-me')).toEqual([
      { id: first.order.id, status: 'CANCELLED' },
      { id: second.order.id, status: 'OPEN' },
    ]);
    expect(await storedWithId(bob.id, 'bob-1')).toEqual([{ id: bobs.order.id, status: 'OPEN' }]);
    const book = ok(await t.api('GET', `/api/orders/${m.slug}/orderbook`), 200);
    expect(book.yes.bids).toEqual([{ price: 42, quantity: 2, orders: 1 }]);
    expect(book.no.bids).toEqual([{ price: 30, quantity: 5, orders: 1 }]);

    // the id now answers the newest order
    const dup = ok(await place(alice, m.slug, body), 200);
    expect(dup).toMatchObject({ duplicate: true, order: { id: second.order.id, price: 42 } });
  });

  it('the rebuild loads open ids and final ids inside the window with finalAtMs, and the restarted engine honours them', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const expired = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 20, quantity: 1, clientOrderId: 'old' }), 201);
    ok(await cancel(u, expired.order.id), 200);
    offsetMs += RETENTION_SEC * 1000 + 1_000;
    const recent = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 21, quantity: 1, clientOrderId: 'recent' }), 201);
    ok(await cancel(u, recent.order.id), 200);
    const recentRow = await t.rt.ctx.prisma.order.findUniqueOrThrow({ where: { id: BigInt(recent.order.id) }, select: { status: true, updatedAt: true } });
    expect(recentRow.status).toBe('CANCELLED');
    const open = ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 22, quantity: 1, clientOrderId: 'open' }), 201);

    const nowMs = t.rt.ctx.exchange.clockMs();
    const snap = await loadSnapshot(t.rt.ctx.prisma, nowMs, t.db.url, RETENTION_SEC * 1000);
    const mine = snap.clientOrderIds.filter((c) => c.userId === u.id).sort((a, b) => a.orderId - b.orderId);
    expect(mine).toEqual([
      { userId: u.id, clientOrderId: 'recent', orderId: recent.order.id, finalAtMs: recentRow.updatedAt.getTime() },
      { userId: u.id, clientOrderId: 'open', orderId: open.order.id, finalAtMs: null },
    ]);
    // the same through Prisma
    const viaPrisma = await loadSnapshot(t.rt.ctx.prisma, nowMs, undefined, RETENTION_SEC * 1000);
    expect(viaPrisma.clientOrderIds.filter((c) => c.userId === u.id).sort((a, b) => a.orderId - b.orderId)).toEqual(mine);

    await t.stop();
    await t.restart();
    const user = await t.login(u.email, u.password);
    expect(ok(await place(user, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 1, clientOrderId: 'recent' }), 200)).toMatchObject({
      duplicate: true,
      order: { id: recent.order.id },
    });
    expect(ok(await place(user, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 1, clientOrderId: 'open' }), 200)).toMatchObject({
      duplicate: true,
      order: { id: open.order.id },
    });
    const renewed = ok(await place(user, m.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 1, clientOrderId: 'old' }), 201);
    expect(renewed.duplicate).toBe(false);
    expect(renewed.order.id).not.toBe(expired.order.id);
  });

  it('exposes the engine sizes as gauges', async () => {
    const m = await t.createOpenMarket();
    const u = await t.registerUser();
    const gauge = async (name: string): Promise<number> => {
      const text = (await t.api('GET', '/metrics')).raw.body;
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      if (line === undefined) throw new Error(`no ${name} in /metrics`);
      return Number(line.slice(name.length + 1));
    };
    const stats = () => t.rt.ctx.exchange.engineStats()!;
    const before = { open: await gauge('engine_open_orders'), heap: await gauge('engine_expiry_heap_entries'), ids: await gauge('engine_client_order_ids') };
    expect(before).toEqual({ open: stats().openOrders, heap: stats().expiryHeapEntries, ids: stats().clientOrderIds });
    const expiresAt = new Date(t.rt.ctx.exchange.clockMs() + 3_600_000).toISOString();
    ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 10, quantity: 1, timeInForce: 'GTD', expiresAt, clientOrderId: 'g-1' }), 201);
    ok(await place(u, m.slug, { side: 'BUY', outcome: 'YES', price: 11, quantity: 1 }), 201);
    expect(await gauge('engine_open_orders')).toBe(before.open + 2);
    expect(await gauge('engine_expiry_heap_entries')).toBe(before.heap + 1);
    expect(await gauge('engine_client_order_ids')).toBe(before.ids + 1);
  });
});
