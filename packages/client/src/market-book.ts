/**
 * `MarketBook`: the live local order book of one market, from `PmSocket.subscribe()`.
 *
 * It wraps the reference feed client `MarketFeed` (@prediction-markets/shared): the snapshot
 * of `subscribe:market`, then contiguous `market_frame`s by sequence number (one per committed
 * batch: book levels, trades and market updates together; apps/backend/docs/realtime.md).
 * On a gap (a frame whose `fromSeq` is beyond the next expected number) the book discards
 * itself, resubscribes for a fresh snapshot and emits `resync`; after a reconnect likewise.
 *
 * Prices are integer cents of the ladder's outcome (the YES ladder in YES cents, the NO ladder
 * in NO cents: NO bid at q = YES ask at 100 - q), quantities integer shares.
 */
import { MarketFeed, type schemas } from '@prediction-markets/shared';
import { Emitter } from './emitter.ts';

/** A ladder level: price (cents of the ladder's outcome), shares resting, orders resting, and how many of the shares are the house market maker's (when the server says). */
export interface BookLevel {
  price: number;
  quantity: number;
  orders: number;
  houseQty?: number;
}

/** `live`: in sequence; `resyncing`: waiting for a fresh snapshot (after a gap or a reconnect); `offline`: the socket is down. */
export type BookFeedState = 'live' | 'resyncing' | 'offline';

export interface MarketBookEvents extends Record<string, unknown> {
  /** The first snapshot was installed. */
  snapshot: { seq: number };
  /** A frame was applied (after its `trade` and `status` events). */
  frame: schemas.MarketFrame;
  /** The book part of an applied frame with level changes (levels at their new totals, in the frame's outcome). */
  update: schemas.OrderbookUpdate;
  /** A trade (in sequence, once each). */
  trade: schemas.TradeExecuted;
  /** The market was created, changed status or settled (in sequence, once each). */
  status: schemas.MarketUpdated;
  /** A fresh snapshot replaced the book after a gap or a reconnect. */
  resync: { reason: 'gap' | 'reconnect'; seq: number };
  /** The feed state changed. */
  state: BookFeedState;
}

export class MarketBook extends Emitter<MarketBookEvents> {
  /** The reference feed client holding the ladders (read-only use; the book drives it). */
  readonly feed = new MarketFeed();
  private feedState: BookFeedState = 'resyncing';
  private resyncReason: 'gap' | 'reconnect' | null = null;

  /** @internal Created by PmSocket.subscribe(). */
  constructor(
    readonly marketId: string,
    /** The view: null = both ladders (deltas in YES prices), else that outcome's ladder only. */
    readonly outcome: 'YES' | 'NO' | null,
    private readonly hooks: { resubscribe: (book: MarketBook) => void; unsubscribe: (book: MarketBook) => Promise<void> },
  ) {
    super();
    this.feed.onTrade = (t) => this.emit('trade', t);
    this.feed.onUpdate = (u) => this.emit('status', u);
  }

  /** live / resyncing / offline. */
  get state(): BookFeedState {
    return this.feedState;
  }
  /** Sequence number of the last applied message (or the snapshot). */
  get seq(): number {
    return this.feed.lastSeq;
  }
  /** Market status as of `seq` (null before the snapshot). */
  get marketStatus(): schemas.MarketSnapshot['status'] | null {
    return this.feed.status;
  }
  /** Last trade price in YES cents, null before the first trade. */
  get lastPrice(): number | null {
    return this.feed.lastPrice;
  }
  /** Shares traded. */
  get volume(): number {
    return this.feed.volume;
  }

  /** The ladder of `outcome` (default YES; the view must include it), best first: bids descending, asks ascending. */
  ladder(outcome: 'YES' | 'NO' = this.outcome ?? 'YES'): { bids: BookLevel[]; asks: BookLevel[] } {
    const l = outcome === 'YES' ? this.feed.yes : this.feed.no;
    const list = (m: typeof l.bids, desc: boolean): BookLevel[] =>
      [...m.entries()]
        .sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]))
        .map(([price, v]) => (v.houseQty === undefined ? { price, quantity: v.quantity, orders: v.orders } : { price, quantity: v.quantity, orders: v.orders, houseQty: v.houseQty }));
    return { bids: list(l.bids, true), asks: list(l.asks, false) };
  }

  /** Best bid of `outcome` in its cents, or null. */
  bestBid(outcome: 'YES' | 'NO' = this.outcome ?? 'YES'): number | null {
    let best: number | null = null;
    for (const p of (outcome === 'YES' ? this.feed.yes : this.feed.no).bids.keys()) if (best === null || p > best) best = p;
    return best;
  }

  /** Best ask of `outcome` in its cents, or null. */
  bestAsk(outcome: 'YES' | 'NO' = this.outcome ?? 'YES'): number | null {
    let best: number | null = null;
    for (const p of (outcome === 'YES' ? this.feed.yes : this.feed.no).asks.keys()) if (best === null || p < best) best = p;
    return best;
  }

  /** Leave the market's room; the book stops updating. */
  close(): Promise<void> {
    return this.hooks.unsubscribe(this);
  }

  /** @internal A `market_frame` of this market. */
  push(frame: schemas.MarketFrame): void {
    const before = this.feed.counts.applied;
    this.feed.push(frame); // emits `trade` and `status` for what it applies
    if (this.feed.state === 'gap') {
      this.startResync('gap');
      this.hooks.resubscribe(this);
      return;
    }
    if (this.feed.counts.applied === before) return; // buffered or stale
    if (frame.levels.length > 0) {
      this.emit('update', { marketId: frame.marketId, fromSeq: frame.fromSeq, seq: frame.seq, tsMs: frame.tsMs, outcome: frame.outcome, levels: frame.levels });
    }
    this.emit('frame', frame);
  }

  /** @internal Forget the book and buffer until the next snapshot. */
  startResync(reason: 'gap' | 'reconnect'): void {
    this.feed.resubscribing();
    this.resyncReason ??= reason;
    this.setState('resyncing');
  }

  /** @internal The socket went down. */
  markOffline(): void {
    this.feed.resubscribing();
    this.resyncReason = 'reconnect';
    this.setState('offline');
  }

  /** @internal Install a snapshot (first one, or after a resync). */
  install(snap: schemas.MarketSnapshot): void {
    const first = this.feed.lastSeq < 0;
    this.feed.reset(snap);
    const reason = this.resyncReason;
    this.resyncReason = null;
    if (this.feed.state === 'gap') {
      // A buffered message after the snapshot was already beyond it.
      this.startResync('gap');
      this.hooks.resubscribe(this);
      return;
    }
    this.setState('live');
    if (first) this.emit('snapshot', { seq: this.feed.lastSeq });
    else this.emit('resync', { reason: reason ?? 'gap', seq: this.feed.lastSeq });
  }

  private setState(s: BookFeedState): void {
    if (s === this.feedState) return;
    this.feedState = s;
    this.emit('state', s);
  }
}
