/**
 * Bounded memory (issue 12, holes 10 and 11) and the event records a retaining sink keeps
 * (issue 13):
 * - the GTD expiry heap holds exactly the resting GTD orders: cancelled, filled, amended or
 *   closed orders leave it at once (before, cancelled ones stayed until their expiry and one
 *   command then popped them all);
 * - a clientOrderId is remembered while its order is open and for
 *   `clientOrderIdRetentionMs` of engine time after it became final, then forgotten (memory
 *   and snapshots); a repeat inside the window is a duplicate;
 * - a sink with `retainsEvents` (EventCollector) gets a new record per event.
 */
import { describe, expect, it } from 'vitest';
import { EventCollector, MatchingEngine, type EngineEvent, type EngineSnapshot, type PlaceOrderCommand } from '../src/index.ts';

const T0 = 1_000;
const HOUR = 3_600_000;

function engineWithUsers(config: ConstructorParameters<typeof MatchingEngine>[0] = {}, sink = new EventCollector()): MatchingEngine {
  const e = new MatchingEngine({ maxOpenOrdersPerUserPerMarket: 100_000, ...config }, sink);
  for (const userId of ['A', 'B']) expect(e.execute({ type: 'GRANT', tsMs: T0, userId, amountCents: 1_000_000_000 }).ok).toBe(true);
  expect(e.execute({ type: 'CREATE_MARKET', tsMs: T0, marketId: 'm' }).ok).toBe(true);
  expect(e.execute({ type: 'SET_MARKET_STATUS', tsMs: T0, marketId: 'm', status: 'OPEN' }).ok).toBe(true);
  return e;
}

const bid = (tsMs: number, extra: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand => ({
  type: 'PLACE', tsMs, userId: 'A', marketId: 'm', side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 40, qty: 1, ...extra,
});

function placed(e: MatchingEngine, cmd: PlaceOrderCommand): number {
  const r = e.execute(cmd);
  if (!r.ok || !('orderId' in r) || r.duplicate) throw new Error(`expected a new order, got ${JSON.stringify(r)}`);
  return r.orderId;
}

describe('GTD expiry heap holds exactly the resting GTD orders', () => {
  it('100,000 place-and-cancel cycles sharing one expiry leave no heap entries; the expiry then touches only live orders', () => {
    const e = engineWithUsers({}, new EventCollector());
    const expiresAtMs = T0 + HOUR;
    const keep: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const id = placed(e, bid(T0 + 1, { timeInForce: 'GTD', expiresAtMs }));
      if (i % 10_000 === 0) keep.push(id);
      else expect(e.execute({ type: 'CANCEL', tsMs: T0 + 1, userId: 'A', orderId: id }).ok).toBe(true);
      // Bounded at every step, not only at the end: at most the live GTD orders.
      if (i % 997 === 0) expect(e.stats().expiryHeapEntries).toBe(keep.length);
    }
    expect(e.stats()).toMatchObject({ openOrders: keep.length, expiryHeapEntries: keep.length });
    const sink = new EventCollector();
    e.setSink(sink);
    e.execute({ type: 'ADVANCE_TIME', tsMs: expiresAtMs });
    const expired = sink.take().filter((ev) => ev.type === 'ORDER_UPDATED' && ev.reason === 'EXPIRED');
    expect(expired.map((ev) => (ev as { orderId: number }).orderId)).toEqual(keep);
    expect(e.stats()).toMatchObject({ openOrders: 0, expiryHeapEntries: 0 });
    expect(e.checkInvariants()).toEqual([]);
  });

  it('a filled GTD maker, a GTD order of a closed market and an amended GTD order leave one entry or none', () => {
    const e = engineWithUsers();
    const expiresAtMs = T0 + HOUR;
    placed(e, bid(T0 + 1, { timeInForce: 'GTD', expiresAtMs, qty: 5 }));
    expect(e.stats().expiryHeapEntries).toBe(1);
    // B sells YES by buying NO at 60 (a YES ask at 40): fills A's GTD bid completely.
    placed(e, { ...bid(T0 + 2), userId: 'B', outcome: 'NO', priceCents: 60, qty: 5 });
    expect(e.stats()).toMatchObject({ openOrders: 0, expiryHeapEntries: 0 });
    // An amend that re-enters the book keeps a single entry.
    const id = placed(e, bid(T0 + 3, { timeInForce: 'GTD', expiresAtMs, qty: 5 }));
    expect(e.execute({ type: 'AMEND', tsMs: T0 + 4, userId: 'A', orderId: id, priceCents: 41 }).ok).toBe(true);
    expect(e.execute({ type: 'AMEND', tsMs: T0 + 5, userId: 'A', orderId: id, qty: 9 }).ok).toBe(true);
    expect(e.stats().expiryHeapEntries).toBe(1);
    expect(e.execute({ type: 'SET_MARKET_STATUS', tsMs: T0 + 6, marketId: 'm', status: 'CLOSED' }).ok).toBe(true);
    expect(e.stats()).toMatchObject({ openOrders: 0, expiryHeapEntries: 0 });
    expect(e.checkInvariants()).toEqual([]);
  });

  it('expires in (expiry, order id) order across a restore', () => {
    const e = engineWithUsers();
    const late = placed(e, bid(T0 + 1, { timeInForce: 'GTD', expiresAtMs: T0 + 300 }));
    const early = placed(e, bid(T0 + 1, { timeInForce: 'GTD', expiresAtMs: T0 + 200 }));
    const tie = placed(e, bid(T0 + 1, { timeInForce: 'GTD', expiresAtMs: T0 + 200 }));
    const sink = new EventCollector();
    const copy = MatchingEngine.restore(e.snapshot(), { maxOpenOrdersPerUserPerMarket: 100_000 }, sink);
    expect(copy.stats().expiryHeapEntries).toBe(3);
    copy.execute({ type: 'ADVANCE_TIME', tsMs: T0 + 1_000 });
    const ids = sink.take().flatMap((ev) => (ev.type === 'ORDER_UPDATED' ? [ev.orderId] : []));
    expect(ids).toEqual([early, tie, late]);
  });
});

describe('clientOrderId retention', () => {
  const W = 60_000;

  it('a repeat inside the window after the order ended is a duplicate; at the window it names a new order', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    const first = placed(e, bid(T0 + 1, { clientOrderId: 'x' }));
    expect(e.execute({ type: 'CANCEL', tsMs: T0 + 10, userId: 'A', orderId: first }).ok).toBe(true);
    expect(e.execute(bid(T0 + 10 + W - 1, { clientOrderId: 'x' }))).toEqual({ ok: true, duplicate: true, orderId: first, order: null });
    expect(e.stats().clientOrderIds).toBe(1);
    const second = placed(e, bid(T0 + 10 + W, { clientOrderId: 'x' }));
    expect(second).toBeGreaterThan(first);
    expect(e.execute(bid(T0 + 10 + W + 5, { clientOrderId: 'x' }))).toMatchObject({ ok: true, duplicate: true, orderId: second });
  });

  it('is kept while the order rests, however long, and for the window after it ends', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    const id = placed(e, bid(T0, { clientOrderId: 'rest' }));
    const later = T0 + 10 * W;
    expect(e.execute(bid(later, { clientOrderId: 'rest' }))).toMatchObject({ ok: true, duplicate: true, orderId: id, order: { orderId: id } });
    // Filled by B at `later + 1`: final from then on.
    placed(e, { ...bid(later + 1), userId: 'B', outcome: 'NO', priceCents: 60 });
    expect(e.execute(bid(later + W, { clientOrderId: 'rest' }))).toMatchObject({ duplicate: true, orderId: id, order: null });
    expect(e.execute(bid(later + 1 + W, { clientOrderId: 'rest' }))).toMatchObject({ duplicate: false });
  });

  it('IOC, FOK and market orders are final at once; ids are per user', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    const ioc = e.execute(bid(T0 + 1, { clientOrderId: 'i', timeInForce: 'IOC' }));
    expect(ioc).toMatchObject({ ok: true, status: 'CANCELLED' });
    expect(e.execute({ ...bid(T0 + 2, { clientOrderId: 'i' }), userId: 'B' })).toMatchObject({ duplicate: false });
    expect(e.execute(bid(T0 + W, { clientOrderId: 'i' }))).toMatchObject({ duplicate: true });
    expect(e.execute(bid(T0 + 1 + W, { clientOrderId: 'i' }))).toMatchObject({ duplicate: false });
  });

  it('memory is bounded by the ids finalised within one window, and snapshots drop the expired ones', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    // 20,000 orders, one every 30 ms (10 minutes in all), each cancelled at once.
    for (let i = 0; i < 20_000; i++) {
      const ts = T0 + 30 * i;
      const id = placed(e, bid(ts, { clientOrderId: `c${i}` }));
      e.execute({ type: 'CANCEL', tsMs: ts, userId: 'A', orderId: id });
      // A window holds 2,000 ids (60 s / 30 ms), plus those finalised at the current ms.
      expect(e.stats().clientOrderIds).toBeLessThanOrEqual(2_001);
    }
    const snap = e.snapshot();
    expect(snap.clientOrderIds.length).toBe(2_000);
    expect(snap.clientOrderIds.every((c) => c.finalAtMs !== null && c.finalAtMs !== undefined && c.finalAtMs + W > snap.nowMs)).toBe(true);
    expect(e.execute(bid(snap.nowMs, { clientOrderId: 'c0' }))).toMatchObject({ duplicate: false });
    expect(e.execute(bid(snap.nowMs, { clientOrderId: 'c19999' }))).toMatchObject({ duplicate: true });
  });

  it('a restore keeps retained ids with their final time; ids without one count as final at the snapshot time', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    const a = placed(e, bid(T0 + 1, { clientOrderId: 'a' }));
    e.execute({ type: 'CANCEL', tsMs: T0 + 1, userId: 'A', orderId: a });
    const open = placed(e, bid(T0 + W / 2, { clientOrderId: 'open' }));
    const snap = e.snapshot();
    expect(snap.clientOrderIds).toEqual([
      { userId: 'A', clientOrderId: 'a', orderId: a, finalAtMs: T0 + 1 },
      { userId: 'A', clientOrderId: 'open', orderId: open, finalAtMs: null },
    ]);
    const copy = MatchingEngine.restore(snap, { clientOrderIdRetentionMs: W });
    expect(copy.snapshot()).toEqual(snap);
    expect(copy.stateHash()).toBe(e.stateHash());
    expect(copy.execute(bid(T0 + W, { clientOrderId: 'a' }))).toMatchObject({ duplicate: true, orderId: a });
    expect(copy.execute(bid(T0 + 1 + W, { clientOrderId: 'a' }))).toMatchObject({ duplicate: false });
    // A store that does not know when an order ended (no finalAtMs): one window from the snapshot's time.
    const legacy: EngineSnapshot = { ...snap, clientOrderIds: snap.clientOrderIds.map(({ finalAtMs: _f, ...c }) => c) };
    const old = MatchingEngine.restore(legacy, { clientOrderIdRetentionMs: W });
    expect(old.execute(bid(snap.nowMs + W - 1, { clientOrderId: 'a' }))).toMatchObject({ duplicate: true, orderId: a });
    expect(old.execute(bid(snap.nowMs + W, { clientOrderId: 'a' }))).toMatchObject({ duplicate: false });
    // An id whose window has passed by the snapshot's time is not restored.
    const expired = MatchingEngine.restore({ ...snap, nowMs: T0 + 1 + W }, { clientOrderIdRetentionMs: W });
    expect(expired.snapshot().clientOrderIds.map((c) => c.clientOrderId)).toEqual(['open']);
  });

  it('the state hash leaves the retained ids out: a rebuild that remembers more or fewer ids hashes the same', () => {
    const e = engineWithUsers({ clientOrderIdRetentionMs: W });
    const a = placed(e, bid(T0 + 1, { clientOrderId: 'a' }));
    e.execute({ type: 'CANCEL', tsMs: T0 + 1, userId: 'A', orderId: a });
    const snap = e.snapshot();
    const forgetful = MatchingEngine.restore({ ...snap, clientOrderIds: [] }, { clientOrderIdRetentionMs: W });
    expect(forgetful.stateHash()).toBe(e.stateHash());
  });

  it('rejects a retention that is not a non-negative integer', () => {
    expect(() => new MatchingEngine({ clientOrderIdRetentionMs: -1 })).toThrow(/clientOrderIdRetentionMs/);
    expect(() => new MatchingEngine({ clientOrderIdRetentionMs: 1.5 })).toThrow(/clientOrderIdRetentionMs/);
  });
});

describe('event records', () => {
  function trade(e: MatchingEngine, ts: number): void {
    placed(e, bid(ts, { priceCents: 40 + (ts % 10) }));
    placed(e, { ...bid(ts), userId: 'B', outcome: 'NO', priceCents: 60 - (ts % 10) });
  }

  it('EventCollector (retainsEvents) keeps a new object per event, valid after later commands', () => {
    const sink = new EventCollector();
    const e = engineWithUsers({}, sink);
    sink.take();
    trade(e, T0 + 1);
    trade(e, T0 + 2);
    const events = sink.take();
    const trades = events.filter((ev): ev is Extract<EngineEvent, { type: 'TRADE' }> => ev.type === 'TRADE');
    expect(trades.map((t) => t.yesPriceCents)).toEqual([41, 42]);
    expect(new Set(events).size).toBe(events.length);
    const accepted = events.filter((ev) => ev.type === 'ORDER_ACCEPTED');
    expect(new Set(accepted.map((ev) => (ev as { order: object }).order)).size).toBe(accepted.length);
  });

  it('a sink without retainsEvents gets reused records, valid only during emit', () => {
    const seen: EngineEvent[] = [];
    const e = engineWithUsers({}, { emit: (ev: EngineEvent) => void seen.push(ev) } as never);
    trade(e, T0 + 1);
    trade(e, T0 + 2);
    const trades = seen.filter((ev) => ev.type === 'TRADE');
    expect(trades).toHaveLength(2);
    expect(trades[0]).toBe(trades[1]);
  });
});

describe('clientOrderId retention across a restore from a store', () => {
  it("a resting order's id is remembered even when the snapshot's id list leaves it out", () => {
    const e = engineWithUsers();
    const id = placed(e, bid(T0 + 1, { clientOrderId: 'r' }));
    const snap = e.snapshot();
    const copy = MatchingEngine.restore({ ...snap, clientOrderIds: [] });
    expect(copy.execute(bid(T0 + 2, { clientOrderId: 'r' }))).toMatchObject({ duplicate: true, orderId: id });
    expect(copy.snapshot().clientOrderIds).toEqual(snap.clientOrderIds);
  });
});
