// The message layer without sockets: a real matching engine's events -> MessageBuilder ->
// coalesce -> MarketFeed. Checks the protocol's core promises on random order streams:
// one frame per market per batch, frames cover every sequence number exactly once,
// coalescing keeps that and the book, the NO view mirrors the YES book, and a client that
// takes a snapshot mid-stream and applies what follows (buffered, stale, straddling frames)
// ends with the engine's book, last price and volume.
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

type PublicMsg = Extract<BusMessage, { k: 'frame' }>;
const publicOf = (msgs: BusMessage[], marketId: string): PublicMsg[] =>
  msgs.filter((m): m is PublicMsg => m.k === 'frame' && m.msg.marketId === marketId);

/** Apply YES-price frames' book levels to a ladder map. */
function applyBook(book: Map<string, number>, msgs: PublicMsg[]): void {
  for (const m of msgs) {
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

/** Frames cover first..last contiguously; each one's trades and updates lie in its range, ascending. */
function assertContiguous(msgs: PublicMsg[], first: number, last: number): void {
  let expected = first;
  for (const m of msgs) {
    expect(m.msg.fromSeq, JSON.stringify(m.msg)).toBe(expected);
    expect(m.msg.seq).toBeGreaterThanOrEqual(m.msg.fromSeq);
    for (const part of [m.msg.trades, m.msg.updates]) {
      let prev = m.msg.fromSeq - 1;
      for (const x of part) {
        expect(x.seq).toBeGreaterThan(prev);
        expect(x.seq).toBeLessThanOrEqual(m.msg.seq);
        prev = x.seq;
      }
    }
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
      const schema = m.k === 'user' ? schemas.SERVER_EVENT_SCHEMAS[m.event] : schemas.SERVER_EVENT_SCHEMAS.market_frame;
      expect(schema.safeParse(m.msg).success, JSON.stringify(m)).toBe(true);
    }
    for (const marketId of MARKETS) {
      // one frame per market per committed batch, exactly when the batch has public events of it
      for (const [i, b] of batches.entries()) {
        const publicEvents = b.filter((e) => 'marketId' in e && e.marketId === marketId && ['BOOK_LEVEL', 'TRADE', 'MARKET_CREATED', 'MARKET_STATUS', 'MARKET_SETTLED'].includes(e.type));
        expect(publicOf(perBatch[i]!, marketId).length).toBe(publicEvents.length > 0 ? 1 : 0);
      }
      const seq = engine.getMarket(marketId)!.seq;
      const msgs = publicOf(all, marketId);
      assertContiguous(msgs, 1, seq);
      // coalescing across batches (the fan-out's queue) keeps contiguity and the resulting book:
      // consecutive frames of a market are contiguous, so they all merge into one
      const merged = publicOf(coalesce(all), marketId);
      assertContiguous(merged, 1, seq);
      expect(merged.length).toBe(1);
      expect(merged[0]!.msg.trades).toEqual(msgs.flatMap((m) => m.msg.trades));
      expect(merged[0]!.msg.updates).toEqual(msgs.flatMap((m) => m.msg.updates));
      const a = new Map<string, number>();
      applyBook(a, msgs);
      const b = new Map<string, number>();
      applyBook(b, merged);
      expect(a).toEqual(engineBook(engine, marketId));
      expect(b).toEqual(a);
      // the NO view mirrors the YES book
      const no = engine.getLadder(marketId, 'NO', 99)!;
      const noBook = new Map<string, number>();
      for (const m of merged) for (const l of toNoView(m.msg).levels) l.quantity === 0 ? noBook.delete(`${l.side}:${l.price}`) : noBook.set(`${l.side}:${l.price}`, l.quantity);
      const expectNo = new Map<string, number>();
      for (const x of no.bids) expectNo.set(`BID:${x.priceCents}`, x.qty);
      for (const x of no.asks) expectNo.set(`ASK:${x.priceCents}`, x.qty);
      expect(noBook).toEqual(expectNo);
      // last price and volume of market_updated agree with the trades before it
      const view = engine.getMarket(marketId)!;
      const trades = msgs.flatMap((m) => m.msg.trades);
      expect(trades.reduce((s, t) => s + t.quantity, 0)).toBe(view.volumeShares);
      const lastUpdate = msgs.flatMap((m) => m.msg.updates).at(-1)!;
      expect(lastUpdate.status).toBe(view.status);
    }
  });

  it('a client taking its snapshot mid-stream (buffering, stale and straddling frames) ends with the engine book, last price and volume', () => {
    const r = rng(99);
    let straddled = 0;
    let straddledTrades = 0;
    /** Status, last price and volume after `frames` (the oracle: volume adds up trades, the last trade sets the price). */
    const stateOf = (frames: PublicMsg[]) => {
      const trades = frames.flatMap((m) => m.msg.trades);
      return { status: frames.flatMap((m) => m.msg.updates).at(-1)?.status ?? 'DRAFT', lastPrice: trades.at(-1)?.yesPrice ?? null, volume: trades.reduce((a, t) => a + t.quantity, 0) };
    };
    for (let round = 0; round < 20; round++) {
      const { batches } = simulate(1000 + round, 300);
      const builder = new MessageBuilder();
      // The snapshot is taken between two batches' frames; the client joined the room a little
      // earlier and receives the fan-out's stream, where each flush coalesced a few batches, so
      // a frame may straddle the snapshot's sequence number (with trades on both sides).
      const marketId = MARKETS[0]!;
      const raw = publicOf(batches.flatMap((b) => builder.build(b)), marketId);
      const cut = 1 + Math.floor(r() * (raw.length - 1));
      const joinedAt = Math.max(0, cut - Math.floor(r() * 8));
      const snapBook = new Map<string, number>();
      applyBook(snapBook, raw.slice(0, cut));
      const snapSeq = raw[cut - 1]!.msg.seq;
      const pub: PublicMsg[] = [];
      for (let i = joinedAt; i < raw.length; ) {
        const flush = 1 + Math.floor(r() * 4);
        pub.push(...publicOf(coalesce(raw.slice(i, i + flush)), marketId));
        i += flush;
      }
      for (const m of pub) {
        if (m.msg.fromSeq <= snapSeq && m.msg.seq > snapSeq) {
          straddled++;
          if (m.msg.trades.some((t) => t.seq <= snapSeq) && m.msg.trades.some((t) => t.seq > snapSeq)) straddledTrades++;
        }
      }
      const feed = new MarketFeed();
      const seen: number[] = [];
      feed.onTrade = (t) => seen.push(t.id);
      // some frames arrive before the ack (buffered), including stale ones
      const beforeAck = Math.floor(r() * pub.length);
      for (const m of pub.slice(0, beforeAck)) feed.push(m.msg);
      const ladder = (side: 'BID' | 'ASK') =>
        [...snapBook.entries()].filter(([k]) => k.startsWith(side)).map(([k, q]) => ({ price: Number(k.split(':')[1]), quantity: q, orders: 1 }));
      const snapState = stateOf(raw.slice(0, cut));
      feed.reset({ marketId, outcome: null, seq: snapSeq, status: snapState.status, resolvedOutcome: null, lastPrice: snapState.lastPrice, volume: snapState.volume, yes: { bids: ladder('BID'), asks: ladder('ASK') }, no: { bids: [], asks: [] }, tsMs: 0 });
      for (const m of pub.slice(beforeAck)) feed.push(m.msg);
      expect(feed.state).toBe('live');
      const final = new Map<string, number>();
      applyBook(final, raw);
      const got = new Map<string, number>();
      for (const [p, v] of feed.yes.bids) got.set(`BID:${p}`, v.quantity);
      for (const [p, v] of feed.yes.asks) got.set(`ASK:${p}`, v.quantity);
      expect(got).toEqual(final);
      expect(feed.lastSeq).toBe(raw[raw.length - 1]!.msg.seq);
      expect({ status: feed.status, lastPrice: feed.lastPrice, volume: feed.volume }).toEqual(stateOf(raw));
      // each trade after the snapshot reported once, none before it
      expect(seen).toEqual(raw.slice(cut).flatMap((m) => m.msg.trades.map((t) => t.id)));
    }
    expect(straddled).toBeGreaterThan(0); // the interesting cases did occur
    expect(straddledTrades).toBeGreaterThan(0);
  });

  it('detects a gap and asks for a resync', () => {
    const feed = new MarketFeed();
    feed.reset({ marketId: MARKETS[0]!, outcome: 'YES', seq: 10, status: 'OPEN', resolvedOutcome: null, lastPrice: null, volume: 0, yes: { bids: [], asks: [] }, tsMs: 0 });
    const frame = (fromSeq: number, seq: number, parts: Partial<schemas.MarketFrame>): schemas.MarketFrame => ({ marketId: MARKETS[0]!, fromSeq, seq, tsMs: 1, outcome: 'YES', levels: [], trades: [], updates: [], ...parts });
    const trade = (seq: number, id: number): schemas.FrameTrade => ({ seq, tsMs: 1, id, kind: 'MINT', yesPrice: 40, noPrice: 60, quantity: 1, takerSide: 'BUY', takerOutcome: 'NO' });
    feed.push(frame(9, 11, { levels: [{ side: 'BID', price: 40, quantity: 5, orders: 1 }], trades: [trade(11, 1)] }));
    expect(feed.state).toBe('live');
    expect(feed.volume).toBe(1);
    feed.push(frame(11, 11, { trades: [trade(11, 1)] }));
    expect(feed.counts.stale).toBe(1);
    expect(feed.volume).toBe(1);
    feed.push(frame(13, 13, { trades: [trade(13, 2)] }));
    expect(feed.state).toBe('gap');
    expect(feed.lastSeq).toBe(11);
    expect(feed.volume).toBe(1);
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
    const frames = msgs.filter((x) => x.k === 'frame');
    expect(frames).toHaveLength(1); // one committed batch, one market: one frame
    const trade = frames[0]!.msg.trades[0]!;
    expect(trade).toMatchObject({ kind: 'MINT', yesPrice: 55, noPrice: 45, quantity: 100, takerSide: 'BUY', takerOutcome: 'YES' });
    // every private message names its owner; nobody else's
    for (const x of msgs) if (x.k === 'user' && 'orderId' in (x.msg as object)) expect(['maker', 'taker']).toContain(x.userId);
  });
});
