/**
 * Reference client of one market view of the socket feed (apps/backend/docs/realtime.md):
 * snapshot + sequence-checked deltas -> a local order book. Used by the backend tests, the
 * benchmark, and meant for the web UI and bots.
 *
 *   const feed = new MarketFeed();
 *   socket.on('orderbook_update', (m) => feed.push('orderbook_update', m));   // same for
 *   socket.on('trade_executed', (m) => feed.push('trade_executed', m));       // the other
 *   socket.on('market_updated', (m) => feed.push('market_updated', m));       // public events
 *   const ack = await socket.emitWithAck('subscribe:market', { marketId });   // join, then snapshot
 *   if (ack.ok) feed.reset(ack);   // applies the messages buffered meanwhile
 *   // feed.state === 'gap' -> subscribe again (fresh snapshot) and reset(ack) again.
 *
 * Rules: before the snapshot, messages are buffered. A message covering fromSeq..seq is
 * stale (ignored) when seq <= lastSeq, applied when fromSeq <= lastSeq + 1 (it may overlap the
 * snapshot: book levels are absolute, so re-applying the overlapped part is harmless), and a
 * gap when fromSeq > lastSeq + 1.
 */
import type { LevelDelta, MarketSnapshot, MarketUpdated, OrderbookUpdate, TradeExecuted } from './schemas/socket.ts';
import { mirrorLevel } from './mirror.ts';

/** Per price: shares, orders, and the house market maker's shares (when the server sends them). */
type Ladder = Map<number, { quantity: number; orders: number; houseQty?: number }>;

/** One side pair of a ladder, keyed by price. */
export interface LocalLadder {
  bids: Ladder;
  asks: Ladder;
}

export type FeedMessage =
  | { event: 'orderbook_update'; msg: OrderbookUpdate }
  | { event: 'trade_executed'; msg: TradeExecuted }
  | { event: 'market_updated'; msg: MarketUpdated };

/** `waiting`: no snapshot yet (buffering); `live`: in sequence; `gap`: a message was missed, resubscribe. */
export type FeedState = 'waiting' | 'live' | 'gap';

export class MarketFeed {
  state: FeedState = 'waiting';
  /** Last sequence number applied (the snapshot's, then each message's `seq`). */
  lastSeq = -1;
  status: MarketSnapshot['status'] | null = null;
  lastPrice: number | null = null;
  volume = 0;
  /** The ladders of the view: YES and/or NO, in their own prices. */
  readonly yes: LocalLadder = { bids: new Map(), asks: new Map() };
  readonly no: LocalLadder = { bids: new Map(), asks: new Map() };
  /** Which ladders the view maintains (from the snapshot). */
  private hasYes = false;
  private hasNo = false;
  private buffer: FeedMessage[] = [];
  /** Counts for tests and monitoring. */
  readonly counts = { applied: 0, stale: 0, gaps: 0, buffered: 0 };
  /** Called with every trade applied (in sequence). */
  onTrade: ((t: TradeExecuted) => void) | null = null;

  /** Feed one public message of the view's room. */
  push<E extends FeedMessage['event']>(event: E, msg: Extract<FeedMessage, { event: E }>['msg']): void {
    const m = { event, msg } as FeedMessage;
    if (this.state === 'waiting') {
      this.buffer.push(m);
      this.counts.buffered++;
      return;
    }
    if (this.state === 'gap') return;
    this.apply(m);
  }

  /** Install a snapshot (the ack of subscribe:market) and apply what was buffered after it. */
  reset(snap: MarketSnapshot): void {
    this.lastSeq = snap.seq;
    this.status = snap.status;
    this.lastPrice = snap.lastPrice;
    this.volume = snap.volume;
    this.hasYes = snap.yes !== undefined;
    this.hasNo = snap.no !== undefined;
    load(this.yes, snap.yes);
    load(this.no, snap.no);
    this.state = 'live';
    const buffered = this.buffer;
    this.buffer = [];
    for (const m of buffered) {
      if (this.state !== 'live') break;
      this.apply(m);
    }
  }

  /** Forget everything and buffer again (call before resubscribing after a gap). */
  resubscribing(): void {
    this.state = 'waiting';
    this.buffer = [];
  }

  /** Levels best first: bids descending, asks ascending, as [price, quantity, orders]. */
  levels(outcome: 'YES' | 'NO'): { bids: [number, number, number][]; asks: [number, number, number][] } {
    const l = outcome === 'YES' ? this.yes : this.no;
    const list = (m: Ladder, desc: boolean): [number, number, number][] =>
      [...m.entries()].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0])).map(([p, v]) => [p, v.quantity, v.orders]);
    return { bids: list(l.bids, true), asks: list(l.asks, false) };
  }

  private apply(m: FeedMessage): void {
    const { fromSeq, seq } = m.msg;
    if (seq <= this.lastSeq) {
      this.counts.stale++;
      return;
    }
    if (fromSeq > this.lastSeq + 1) {
      this.state = 'gap';
      this.counts.gaps++;
      return;
    }
    this.lastSeq = seq;
    this.counts.applied++;
    switch (m.event) {
      case 'orderbook_update':
        for (const l of m.msg.levels) {
          // A delta in one outcome's prices updates that ladder and, mirrored (mirror.ts), the other one.
          const own = m.msg.outcome === 'YES' ? this.yes : this.no;
          const other = m.msg.outcome === 'YES' ? this.no : this.yes;
          const hasOwn = m.msg.outcome === 'YES' ? this.hasYes : this.hasNo;
          const hasOther = m.msg.outcome === 'YES' ? this.hasNo : this.hasYes;
          if (hasOwn) set(own, l);
          if (hasOther) set(other, mirrorLevel(l));
        }
        break;
      case 'trade_executed':
        this.lastPrice = m.msg.yesPrice;
        this.volume += m.msg.quantity;
        this.onTrade?.(m.msg);
        break;
      case 'market_updated':
        this.status = m.msg.status;
        this.lastPrice = m.msg.lastPrice;
        this.volume = m.msg.volume;
        break;
    }
  }
}

function load(l: LocalLadder, src: MarketSnapshot['yes']): void {
  l.bids.clear();
  l.asks.clear();
  if (src === undefined) return;
  for (const x of src.bids) l.bids.set(x.price, entry(x));
  for (const x of src.asks) l.asks.set(x.price, entry(x));
}

function set(l: LocalLadder, level: LevelDelta): void {
  const m = level.side === 'BID' ? l.bids : l.asks;
  if (level.quantity === 0) m.delete(level.price);
  else m.set(level.price, entry(level));
}

function entry(x: { quantity: number; orders: number; houseQty?: number | undefined }): { quantity: number; orders: number; houseQty?: number } {
  return x.houseQty === undefined ? { quantity: x.quantity, orders: x.orders } : { quantity: x.quantity, orders: x.orders, houseQty: x.houseQty };
}
