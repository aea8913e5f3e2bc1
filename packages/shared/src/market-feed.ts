/**
 * Reference client of one market view of the socket feed (apps/backend/docs/realtime.md):
 * snapshot + sequence-checked `market_frame`s -> a local order book, status, last price and
 * volume. Used by the backend tests, the client SDK, the benchmark, and meant for the web UI
 * and bots.
 *
 *   const feed = new MarketFeed();
 *   socket.on('market_frame', (f) => feed.push(f));                           // first
 *   const ack = await socket.emitWithAck('subscribe:market', { marketId });   // join, then snapshot
 *   if (ack.ok) feed.reset(ack);   // applies the frames buffered meanwhile
 *   // feed.state === 'gap' -> feed.resubscribing(), subscribe again (fresh snapshot), reset(ack).
 *
 * Rules: before the snapshot, frames are buffered. A frame covering fromSeq..seq is stale
 * (ignored) when seq <= lastSeq, applied when fromSeq <= lastSeq + 1, and a gap when
 * fromSeq > lastSeq + 1. A frame may overlap the snapshot (fromSeq <= lastSeq < seq): its book
 * levels are absolute, so re-applying them is harmless, and its trades and market updates at or
 * below lastSeq are skipped (the snapshot's last price and volume already count them).
 */
import type { FrameMarketUpdate, FrameTrade, LevelDelta, MarketFrame, MarketSnapshot, MarketUpdated, TradeExecuted } from './schemas/socket.ts';
import { mirrorLevel } from './mirror.ts';

/** Per price: shares, orders, and the house market maker's shares (when the server sends them). */
type Ladder = Map<number, { quantity: number; orders: number; houseQty?: number }>;

/** One side pair of a ladder, keyed by price. */
export interface LocalLadder {
  bids: Ladder;
  asks: Ladder;
}

/** What the feed applies: the `market_frame` messages of the view's room. */
export type FeedMessage = MarketFrame;

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
  private buffer: MarketFrame[] = [];
  /** Counts of frames, for tests and monitoring. */
  readonly counts = { applied: 0, stale: 0, gaps: 0, buffered: 0 };
  /** Called with every trade applied (in sequence, once each), as a single trade covering seq..seq. */
  onTrade: ((t: TradeExecuted) => void) | null = null;
  /** Called with every market update applied (created, status change, settlement; in sequence, once each), as a single update covering seq..seq. */
  onUpdate: ((u: MarketUpdated) => void) | null = null;

  /** Feed one `market_frame` of the view's room (buffered until the snapshot; ignored after a gap). */
  push(frame: MarketFrame): void {
    if (this.state === 'waiting') {
      this.buffer.push(frame);
      this.counts.buffered++;
      return;
    }
    if (this.state === 'gap') return;
    this.apply(frame);
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

  private apply(f: MarketFrame): void {
    const { fromSeq, seq } = f;
    if (seq <= this.lastSeq) {
      this.counts.stale++;
      return;
    }
    if (fromSeq > this.lastSeq + 1) {
      this.state = 'gap';
      this.counts.gaps++;
      return;
    }
    const known = this.lastSeq;
    this.lastSeq = seq;
    this.counts.applied++;
    // Levels in one outcome's prices update that ladder and, mirrored (mirror.ts), the other one.
    const own = f.outcome === 'YES' ? this.yes : this.no;
    const other = f.outcome === 'YES' ? this.no : this.yes;
    const hasOwn = f.outcome === 'YES' ? this.hasYes : this.hasNo;
    const hasOther = f.outcome === 'YES' ? this.hasNo : this.hasYes;
    for (const l of f.levels) {
      if (hasOwn) set(own, l);
      if (hasOther) set(other, mirrorLevel(l));
    }
    // Trades and market updates in sequence order, those after what is already known.
    const { trades, updates } = f;
    let i = 0;
    let j = 0;
    while (i < trades.length || j < updates.length) {
      if (j >= updates.length || (i < trades.length && trades[i]!.seq < updates[j]!.seq)) this.trade(f.marketId, trades[i++]!, known);
      else this.update(f.marketId, updates[j++]!, known);
    }
  }

  private trade(marketId: string, t: FrameTrade, known: number): void {
    if (t.seq <= known) return;
    this.lastPrice = t.yesPrice;
    this.volume += t.quantity;
    this.onTrade?.({ ...t, marketId, fromSeq: t.seq });
  }

  private update(marketId: string, u: FrameMarketUpdate, known: number): void {
    if (u.seq <= known) return;
    this.status = u.status;
    this.lastPrice = u.lastPrice;
    this.volume = u.volume;
    this.onUpdate?.({ ...u, marketId, fromSeq: u.seq });
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
