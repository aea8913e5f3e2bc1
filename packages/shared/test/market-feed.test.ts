// MarketFeed with `market_frame`s: buffering before the snapshot, stale and straddling frames
// (trades and updates already counted by the snapshot are skipped), the mirrored ladder,
// gaps and the resync through a fresh snapshot.
import { describe, expect, it } from 'vitest';
import { MarketFeed, schemas } from '../src/index.ts';

const MARKET = '00000000-0000-4000-8000-000000000001';

function frame(fromSeq: number, seq: number, parts: Partial<schemas.MarketFrame> = {}): schemas.MarketFrame {
  return schemas.MarketFrame.parse({ marketId: MARKET, fromSeq, seq, tsMs: 1_000 + seq, outcome: 'YES', levels: [], trades: [], updates: [], ...parts });
}

function trade(seq: number, id: number, yesPrice: number, quantity: number): schemas.FrameTrade {
  return { seq, tsMs: 1_000 + seq, id, kind: 'MINT', yesPrice, noPrice: 100 - yesPrice, quantity, takerSide: 'BUY', takerOutcome: 'YES' };
}

function status(seq: number, to: schemas.FrameMarketUpdate['status'], from: schemas.FrameMarketUpdate['status'], lastPrice: number | null, volume: number): schemas.FrameMarketUpdate {
  return { seq, tsMs: 1_000 + seq, reason: 'STATUS', status: to, previousStatus: from, outcome: null, lastPrice, volume, settlement: null };
}

function snapshot(seq: number, over: Partial<schemas.MarketSnapshot> = {}): schemas.MarketSnapshot {
  return {
    marketId: MARKET,
    outcome: null,
    seq,
    status: 'OPEN',
    resolvedOutcome: null,
    lastPrice: null,
    volume: 0,
    yes: { bids: [], asks: [] },
    no: { bids: [], asks: [] },
    tsMs: 0,
    ...over,
  };
}

describe('MarketFeed with market frames', () => {
  it('buffers before the snapshot, skips stale frames and the already-counted part of a straddling frame', () => {
    const feed = new MarketFeed();
    const trades: number[] = [];
    feed.onTrade = (t) => {
      expect(schemas.TradeExecuted.safeParse(t).success).toBe(true);
      expect(t).toMatchObject({ marketId: MARKET, fromSeq: t.seq });
      trades.push(t.id);
    };
    // seq 5..7 happened before the snapshot at 7 (trade 1 at seq 6); 8..10 after (trade 2 at 9, halt at 10)
    feed.push(frame(5, 7, { levels: [{ side: 'BID', price: 40, quantity: 3, orders: 1 }], trades: [trade(6, 1, 40, 2)] }));
    feed.push(
      frame(6, 10, {
        levels: [
          { side: 'BID', price: 40, quantity: 1, orders: 1 },
          { side: 'ASK', price: 55, quantity: 4, orders: 2 },
        ],
        trades: [trade(6, 1, 40, 2), trade(9, 2, 41, 1)],
        updates: [status(10, 'HALTED', 'OPEN', 41, 3)],
      }),
    );
    expect(feed.state).toBe('waiting');
    expect(feed.counts.buffered).toBe(2);
    feed.reset(snapshot(7, { lastPrice: 40, volume: 2, yes: { bids: [{ price: 40, quantity: 3, orders: 1 }], asks: [] }, no: { bids: [], asks: [{ price: 60, quantity: 3, orders: 1 }] } }));
    expect(feed.state).toBe('live');
    expect(feed.counts).toMatchObject({ stale: 1, applied: 1, gaps: 0 });
    expect(feed.lastSeq).toBe(10);
    expect(trades).toEqual([2]);
    expect({ status: feed.status, lastPrice: feed.lastPrice, volume: feed.volume }).toEqual({ status: 'HALTED', lastPrice: 41, volume: 3 });
    expect(feed.levels('YES')).toEqual({ bids: [[40, 1, 1]], asks: [[55, 4, 2]] });
    // the NO ladder mirrors: YES bid 40 = NO ask 60, YES ask 55 = NO bid 45
    expect(feed.levels('NO')).toEqual({ bids: [[45, 4, 2]], asks: [[60, 1, 1]] });
  });

  it('applies trades and updates in sequence order within a frame', () => {
    const feed = new MarketFeed();
    feed.reset(snapshot(0));
    // trade at 1, resume at 2 (carries volume 5 and price 30 as of seq 2), trade at 3
    feed.push(frame(1, 3, { trades: [trade(1, 1, 30, 5), trade(3, 2, 35, 2)], updates: [status(2, 'OPEN', 'HALTED', 30, 5)] }));
    expect({ status: feed.status, lastPrice: feed.lastPrice, volume: feed.volume }).toEqual({ status: 'OPEN', lastPrice: 35, volume: 7 });
  });

  it('keeps an outcome view in its own prices', () => {
    const feed = new MarketFeed();
    feed.reset(snapshot(3, { outcome: 'NO', yes: undefined, no: { bids: [{ price: 45, quantity: 2, orders: 1 }], asks: [] } }));
    feed.push(frame(4, 5, { outcome: 'NO', levels: [{ side: 'BID', price: 45, quantity: 0, orders: 0 }, { side: 'ASK', price: 70, quantity: 6, orders: 1 }] }));
    expect(feed.levels('NO')).toEqual({ bids: [], asks: [[70, 6, 1]] });
    expect(feed.levels('YES')).toEqual({ bids: [], asks: [] });
  });

  it('stops at a gap, ignores frames until resubscribed, and resumes from a fresh snapshot', () => {
    const feed = new MarketFeed();
    feed.reset(snapshot(10, { volume: 4 }));
    feed.push(frame(11, 12, { trades: [trade(12, 7, 50, 1)] }));
    expect(feed.lastSeq).toBe(12);
    feed.push(frame(14, 15, { trades: [trade(15, 8, 51, 1)] })); // 13 is missing
    expect(feed.state).toBe('gap');
    expect(feed.counts.gaps).toBe(1);
    feed.push(frame(16, 16, { trades: [trade(16, 9, 52, 1)] }));
    expect({ lastSeq: feed.lastSeq, volume: feed.volume }).toEqual({ lastSeq: 12, volume: 5 });
    // resync: buffer again, subscribe again, install the new snapshot (at 15), then 16 applies
    feed.resubscribing();
    expect(feed.state).toBe('waiting');
    feed.push(frame(16, 16, { trades: [trade(16, 9, 52, 1)] }));
    feed.reset(snapshot(15, { volume: 7, lastPrice: 51, yes: { bids: [{ price: 50, quantity: 1, orders: 1 }], asks: [] } }));
    expect(feed.state).toBe('live');
    expect({ lastSeq: feed.lastSeq, volume: feed.volume, lastPrice: feed.lastPrice }).toEqual({ lastSeq: 16, volume: 8, lastPrice: 52 });
    expect(feed.levels('YES').bids).toEqual([[50, 1, 1]]);
  });

  it('validates the frame schema: parts carry their own seq, arrays are required', () => {
    expect(schemas.MarketFrame.safeParse(frame(1, 1)).success).toBe(true);
    const { trades: _trades, ...withoutTrades } = frame(1, 1);
    expect(schemas.MarketFrame.safeParse(withoutTrades).success).toBe(false);
    expect(schemas.MarketFrame.safeParse({ ...frame(1, 2), trades: [{ ...trade(2, 1, 50, 1), seq: undefined }] }).success).toBe(false);
    expect(schemas.SERVER_EVENT_SCHEMAS.market_frame).toBe(schemas.MarketFrame);
    expect(schemas.PUBLIC_MARKET_EVENTS).toEqual(['market_frame']);
  });
});
