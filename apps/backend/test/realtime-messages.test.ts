// The message layer without sockets: a real matching engine's events -> MessageBuilder ->
// coalesce -> MarketFeed. Checks the protocol's core promises on random order streams:
// public messages cover every sequence number exactly once, coalescing keeps that and the
// book, the NO view mirrors the YES book, and a client that takes a snapshot mid-stream and
// applies what follows (buffered, stale, straddling messages) ends with the engine's book.
import { describe, expect, it } from 'vitest';
import { EventCollector, MatchingEngine, type EngineEvent } from '@prediction-markets/matching-engine';
import { MarketFeed, schemas } from '@prediction-markets/shared';
import { MessageBuilder, coalesce, toNoView, type BusMessage } from '../src/realtime/messages.ts';
import { mulberry32 as rng } from './helpers/kit.ts';


const MARKETS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
const USERS = [1, 2, 3, 4].map((i) => `00000000-0000-4000-8000-0000000000a${i}`);

/** Run `commands` random commands in batches; returns the engine and each batch's events. */
function simulate(seed: number, commands: number): { engine: MatchingEngine; batches: EngineEvent[][] } {
  const r = rng(seed);
  const sink = new EventCollector();
  const engine = new MatchingEngine({}, sink);
  let t = 1_000;
  for (const u of USERS) engine.execute({ type: 'GRANT', tsMs: t, userId: u, amountCents: 10_000_000 });
  for (const m of MARKETS) {
    engine.execute({ type: 'CREATE_MARKET', tsMs: t, marketId: m, closesAtMs: null });
    engine.execute({ type: 'SET_MARKET_STATUS', tsMs: t, marketId: m, status: 'OPEN' });
  }
  const batches: EngineEvent[][] = [sink.take()];
  let orderIds: number[] = [];
  for (let i = 0; i < commands; ) {
    const size = 1 + Math.floor(r() * 6);
    for (let j = 0; j < size && i < commands; j++, i++) {
      t += 1;
      const userId = USERS[Math.floor(r() * USERS.length)]!;
      const marketId = MARKETS[Math.floor(r() * MARKETS.length)]!;
      const x = r();
      if (x < 0.7) {
        const res = engine.execute({
          type: 'PLACE',
          tsMs: t,
          userId,
          marketId,
          side: r() < 0.75 ? 'BUY' : 'SELL',
          outcome: r() < 0.5 ? 'YES' : 'NO',
          orderType: r() < 0.1 ? 'MARKET' : 'LIMIT',
          priceCents: 35 + Math.floor(r() * 30),
          qty: 1 + Math.floor(r() * 20),
        } as never);
        if (res.ok && 'orderId' in res) orderIds.push(res.orderId);
      } else if (x < 0.85 && orderIds.length > 0) {
        const orderId = orderIds[Math.floor(r() * orderIds.length)]!;
        engine.execute({ type: 'CANCEL', tsMs: t, userId, orderId });
      } else if (x < 0.95 && orderIds.length > 0) {
        const orderId = orderIds[Math.floor(r() * orderIds.length)]!;
        engine.execute({ type: 'AMEND', tsMs: t, userId, orderId, qty: 1 + Math.floor(r() * 10) });
      } else if (x < 0.97) {
        engine.execute({ type: 'SET_MARKET_STATUS', tsMs: t, marketId, status: 'HALTED' });
        engine.execute({ type: 'SET_MARKET_STATUS', tsMs: t, marketId, status: 'OPEN' });
      } else {
        engine.execute({ type: 'CANCEL_ALL', tsMs: t, userId, marketId });
        orderIds = orderIds.filter(() => r() < 0.5);
      }
    }
    batches.push(sink.take());
  }
  return { engine, batches };
}

type PublicMsg = Extract<BusMessage, { k: 'book' | 'trade' | 'market' }>;
const publicOf = (msgs: BusMessage[], marketId: string): PublicMsg[] =>
  msgs.filter((m): m is PublicMsg => m.k !== 'user' && m.msg.marketId === marketId);

/** Apply YES-price book updates to a ladder map. */
function applyBook(book: Map<string, number>, msgs: PublicMsg[]): void {
  for (const m of msgs) {
    if (m.k !== 'book') continue;
    for (const l of m.msg.levels) {
      const key = `${l.side}:${l.price}`;
      if (l.quantity === 0) book.delete(key);
      else book.set(key, l.quantity);
    }
  }
}

function engineBook(engine: MatchingEngine, marketId: string): Map<string, number> {
  const l = engine.getLadder(marketId, 'YES', 99)!;
  const out = new Map<string, number>();
  for (const x of l.bids) out.set(`BID:${x.priceCents}`, x.qty);
  for (const x of l.asks) out.set(`ASK:${x.priceCents}`, x.qty);
  return out;
}

function assertContiguous(msgs: PublicMsg[], first: number, last: number): void {
  let expected = first;
  for (const m of msgs) {
    expect(m.msg.fromSeq, JSON.stringify(m.msg)).toBe(expected);
    expect(m.msg.seq).toBeGreaterThanOrEqual(m.msg.fromSeq);
    if (m.k !== 'book') expect(m.msg.seq).toBe(m.msg.fromSeq);
    expected = m.msg.seq + 1;
  }
  expect(expected - 1).toBe(last);
}

describe('realtime messages', () => {
  it.each([1, 2, 3, 4, 5])('cover every public sequence number exactly once, coalesced or not (seed %i)', (seed) => {
    const { engine, batches } = simulate(seed, 400);
    const builder = new MessageBuilder(() => {
      throw new Error('sequence jump');
    });
    const perBatch = batches.map((b) => builder.build(b));
    const all = perBatch.flat();
    for (const m of all) {
      const schema = m.k === 'user' ? schemas.SERVER_EVENT_SCHEMAS[m.event] : schemas.SERVER_EVENT_SCHEMAS[m.k === 'book' ? 'orderbook_update' : m.k === 'trade' ? 'trade_executed' : 'market_updated'];
      expect(schema.safeParse(m.msg).success, JSON.stringify(m)).toBe(true);
    }
    for (const marketId of MARKETS) {
      const seq = engine.getMarket(marketId)!.seq;
      const msgs = publicOf(all, marketId);
      assertContiguous(msgs, 1, seq);
      // coalescing across batches (the fan-out's queue) keeps contiguity and the resulting book
      const merged = publicOf(coalesce(all), marketId);
      assertContiguous(merged, 1, seq);
      expect(merged.length).toBeLessThan(msgs.length);
      const a = new Map<string, number>();
      applyBook(a, msgs);
      const b = new Map<string, number>();
      applyBook(b, merged);
      expect(a).toEqual(engineBook(engine, marketId));
      expect(b).toEqual(a);
      // the NO view mirrors the YES book
      const no = engine.getLadder(marketId, 'NO', 99)!;
      const noBook = new Map<string, number>();
      for (const m of merged) if (m.k === 'book') for (const l of toNoView(m.msg).levels) l.quantity === 0 ? noBook.delete(`${l.side}:${l.price}`) : noBook.set(`${l.side}:${l.price}`, l.quantity);
      const expectNo = new Map<string, number>();
      for (const x of no.bids) expectNo.set(`BID:${x.priceCents}`, x.qty);
      for (const x of no.asks) expectNo.set(`ASK:${x.priceCents}`, x.qty);
      expect(noBook).toEqual(expectNo);
      // last price and volume of market_updated agree with the trades before it
      const view = engine.getMarket(marketId)!;
      const trades = msgs.filter((m) => m.k === 'trade');
      expect(trades.reduce((s, m) => s + (m.k === 'trade' ? m.msg.quantity : 0), 0)).toBe(view.volumeShares);
    }
  });

  it('a client taking its snapshot mid-stream (buffering, stale and straddling messages) ends with the engine book', () => {
    const r = rng(99);
    let straddled = 0;
    for (let round = 0; round < 20; round++) {
      const { batches } = simulate(1000 + round, 300);
      const builder = new MessageBuilder();
      // The snapshot is taken between two uncoalesced messages; the client joined the room a
      // little earlier and receives the fan-out's coalesced stream, whose updates may straddle
      // the snapshot's sequence number.
      const marketId = MARKETS[0]!;
      const raw = publicOf(batches.flatMap((b) => builder.build(b)), marketId);
      const cut = 1 + Math.floor(r() * (raw.length - 1));
      const joinedAt = Math.max(0, cut - Math.floor(r() * 8));
      const snapBook = new Map<string, number>();
      applyBook(snapBook, raw.slice(0, cut));
      const snapSeq = raw[cut - 1]!.msg.seq;
      const pub = publicOf(coalesce(raw.slice(joinedAt)), marketId);
      straddled += pub.filter((m) => m.msg.fromSeq <= snapSeq && m.msg.seq > snapSeq).length;
      const feed = new MarketFeed();
      const deliver = (m: PublicMsg): void => {
        if (m.k === 'book') feed.push('orderbook_update', m.msg);
        else if (m.k === 'trade') feed.push('trade_executed', m.msg);
        else feed.push('market_updated', m.msg);
      };
      // some messages arrive before the ack (buffered), including stale ones
      const beforeAck = Math.floor(r() * pub.length);
      for (const m of pub.slice(0, beforeAck)) deliver(m);
      const ladder = (side: 'BID' | 'ASK') =>
        [...snapBook.entries()].filter(([k]) => k.startsWith(side)).map(([k, q]) => ({ price: Number(k.split(':')[1]), quantity: q, orders: 1 }));
      feed.reset({ marketId, outcome: null, seq: snapSeq, status: 'OPEN', resolvedOutcome: null, lastPrice: null, volume: 0, yes: { bids: ladder('BID'), asks: ladder('ASK') }, no: { bids: [], asks: [] }, tsMs: 0 });
      for (const m of pub.slice(beforeAck)) deliver(m);
      expect(feed.state).toBe('live');
      const final = new Map<string, number>();
      applyBook(final, raw);
      const got = new Map<string, number>();
      for (const [p, v] of feed.yes.bids) got.set(`BID:${p}`, v.quantity);
      for (const [p, v] of feed.yes.asks) got.set(`ASK:${p}`, v.quantity);
      expect(got).toEqual(final);
      expect(feed.lastSeq).toBe(raw[raw.length - 1]!.msg.seq);
    }
    expect(straddled).toBeGreaterThan(0); // the interesting case did occur
  });

  it('detects a gap and asks for a resync', () => {
    const feed = new MarketFeed();
    feed.reset({ marketId: MARKETS[0]!, outcome: 'YES', seq: 10, status: 'OPEN', resolvedOutcome: null, lastPrice: null, volume: 0, yes: { bids: [], asks: [] }, tsMs: 0 });
    const base = { marketId: MARKETS[0]!, tsMs: 1 };
    feed.push('orderbook_update', { ...base, outcome: 'YES', fromSeq: 9, seq: 11, levels: [{ side: 'BID', price: 40, quantity: 5, orders: 1 }] });
    expect(feed.state).toBe('live');
    feed.push('trade_executed', { ...base, fromSeq: 11, seq: 11, id: 1, kind: 'MINT', yesPrice: 40, noPrice: 60, quantity: 1, takerSide: 'BUY', takerOutcome: 'NO' });
    expect(feed.counts.stale).toBe(1);
    feed.push('trade_executed', { ...base, fromSeq: 13, seq: 13, id: 2, kind: 'MINT', yesPrice: 40, noPrice: 60, quantity: 1, takerSide: 'BUY', takerOutcome: 'NO' });
    expect(feed.state).toBe('gap');
    expect(feed.lastSeq).toBe(11);
  });

  it('attaches fills to the order updates and routes private events to their owners', () => {
    const sink = new EventCollector();
    const engine = new MatchingEngine({}, sink);
    const m = MARKETS[0]!;
    engine.execute({ type: 'GRANT', tsMs: 1, userId: 'maker', amountCents: 100_000 });
    engine.execute({ type: 'GRANT', tsMs: 1, userId: 'taker', amountCents: 100_000 });
    engine.execute({ type: 'CREATE_MARKET', tsMs: 1, marketId: m, closesAtMs: null });
    engine.execute({ type: 'SET_MARKET_STATUS', tsMs: 1, marketId: m, status: 'OPEN' });
    engine.execute({ type: 'PLACE', tsMs: 2, userId: 'maker', marketId: m, side: 'BUY', outcome: 'NO', orderType: 'LIMIT', priceCents: 45, qty: 100 });
    engine.execute({ type: 'PLACE', tsMs: 3, userId: 'taker', marketId: m, side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 60, qty: 100 });
    const msgs = new MessageBuilder().build(sink.take());
    const updates = msgs.filter((x) => x.k === 'user' && x.event === 'order_updated') as Extract<BusMessage, { k: 'user' }>[];
    expect(updates.map((u) => u.userId).sort()).toEqual(['maker', 'taker']);
    for (const u of updates) {
      const msg = u.msg as schemas.OrderChange;
      expect(msg.fills).toHaveLength(1);
      expect(msg.fills[0]).toMatchObject({ kind: 'MINT', quantity: 100, yesPrice: 55, role: u.userId === 'maker' ? 'MAKER' : 'TAKER', price: u.userId === 'maker' ? 45 : 55 });
    }
    const trade = msgs.find((x) => x.k === 'trade')!;
    expect(trade.msg).toMatchObject({ kind: 'MINT', yesPrice: 55, noPrice: 45, quantity: 100, takerSide: 'BUY', takerOutcome: 'YES' });
    // every private message names its owner; nobody else's
    for (const x of msgs) if (x.k === 'user' && 'orderId' in (x.msg as object)) expect(['maker', 'taker']).toContain(x.userId);
  });
});
