/**
 * Read-only queries over the engine state (off the hot path): orders, accounts, positions,
 * markets and ladders. `MatchingEngine`'s query methods call these; they allocate fresh
 * plain objects the caller may keep.
 */
import { Book, BID, ASK } from './book.ts';
import { NIL, FLAG_MARKET, FLAG_POST_ONLY, FLAG_CLIENT_ORDER_ID, M_ACTION, M_FLAGS, M_TIF, M_YES_PRICE, STP_SHIFT, TIF_GTD, F_ID, F_QUEUE_SEQ, F_EXPIRES_AT, O_POS, O_QTY, O_REMAINING, O_UNEXT, intOf } from './order-store.ts';
import { STP_NAMES, TIF_NAMES, bookSideOf, ownPrice, positionView, type EngineInternals } from './state.ts';
import type { AccountView, Ladder, LadderLevel, MarketView, OrderView, Outcome, PositionView } from './types.ts';

/** The full view of the live order in slot `s`. */
export function orderView(e: EngineInternals, s: number): OrderView {
  const st = e.store;
  const action = st.meta[64 * s + M_ACTION]!;
  const flags = st.meta[64 * s + M_FLAGS]!;
  const yes = st.meta[64 * s + M_YES_PRICE]!;
  const rem = st.i32[16 * s + O_REMAINING]!;
  const qty = st.i32[16 * s + O_QTY]!;
  const tif = st.meta[64 * s + M_TIF]!;
  const pos = e.positions[st.i32[16 * s + O_POS]!]!;
  return {
    orderId: intOf(st.f64[8 * s + F_ID]!),
    userId: pos.account.userId,
    marketId: pos.market.id,
    side: (action & 1) === 0 ? 'BUY' : 'SELL',
    outcome: action < 2 ? 'YES' : 'NO',
    orderType: (flags & FLAG_MARKET) !== 0 ? 'MARKET' : 'LIMIT',
    priceCents: yes === 0 ? null : ownPrice(action, yes),
    yesPriceCents: yes === 0 ? null : yes,
    bookSide: bookSideOf(action) === BID ? 'BID' : 'ASK',
    qty,
    remainingQty: rem,
    filledQty: qty - rem,
    timeInForce: TIF_NAMES[tif]!,
    expiresAtMs: tif === TIF_GTD ? st.f64[8 * s + F_EXPIRES_AT]! : null,
    postOnly: (flags & FLAG_POST_ONLY) !== 0,
    stp: STP_NAMES[(flags >> STP_SHIFT) & 3]!,
    clientOrderId: (flags & FLAG_CLIENT_ORDER_ID) !== 0 ? st.clientOrderId[s]! : null,
    queueSeq: intOf(st.f64[8 * s + F_QUEUE_SEQ]!),
    status: rem < qty ? 'PARTIALLY_FILLED' : 'OPEN',
  };
}

/** A live (resting) order, or undefined. */
export function getOrder(e: EngineInternals, orderId: number): OrderView | undefined {
  const s = e.slotById.get(orderId);
  return s === NIL ? undefined : orderView(e, s);
}

/** A user's resting orders in ascending queueSeq, optionally in one market. */
export function getUserOrders(e: EngineInternals, userId: string, marketId?: string): OrderView[] {
  const acc = e.accountByUser.get(userId);
  const out: OrderView[] = [];
  if (acc === undefined) return out;
  const mk = marketId === undefined ? undefined : e.marketById.get(marketId);
  if (marketId !== undefined && mk === undefined) return out;
  for (let s = acc.ordersHead; s !== NIL; s = e.store.i32[16 * s + O_UNEXT]!) {
    if (mk === undefined || e.positions[e.store.i32[16 * s + O_POS]!]!.market === mk) out.push(orderView(e, s));
  }
  return out;
}

export function getAccount(e: EngineInternals, userId: string): AccountView | undefined {
  const acc = e.accountByUser.get(userId);
  return acc === undefined ? undefined : { userId, availableCents: acc.available, lockedCents: acc.locked };
}

export function getPosition(e: EngineInternals, userId: string, marketId: string): PositionView | undefined {
  const acc = e.accountByUser.get(userId);
  const mk = e.marketById.get(marketId);
  if (acc === undefined || mk === undefined) return undefined;
  const pos = mk.positions.get(acc.idx);
  return pos === undefined ? undefined : positionView(pos);
}

/** Every position of a user, by market id (so the order survives snapshot and restore). */
export function getPositions(e: EngineInternals, userId: string): PositionView[] {
  const acc = e.accountByUser.get(userId);
  if (acc === undefined) return [];
  const out: PositionView[] = [];
  for (const mk of e.markets) {
    const pos = mk.positions.get(acc.idx);
    if (pos !== undefined) out.push(positionView(pos));
  }
  return out.sort((a, b) => (a.marketId < b.marketId ? -1 : a.marketId > b.marketId ? 1 : 0));
}

export function getMarket(e: EngineInternals, marketId: string): MarketView | undefined {
  const mk = e.marketById.get(marketId);
  if (mk === undefined) return undefined;
  return {
    marketId: mk.id,
    status: mk.status,
    outcome: mk.outcome,
    seq: mk.seq,
    closesAtMs: mk.closesAtMs,
    tickCents: mk.tick,
    pairsOutstanding: mk.pairs,
    collateralCents: mk.collateral,
    lastYesPriceCents: mk.lastPrice === 0 ? null : mk.lastPrice,
    volumeShares: mk.volume,
    bestBidCents: mk.book.bestBid === 0 ? null : mk.book.bestBid,
    bestAskCents: mk.book.bestAsk === 100 ? null : mk.book.bestAsk,
  };
}

/**
 * Top `depth` levels of the ladder in `outcome`'s prices, best first, with the market's
 * sequence number. YES: the book as is. NO: NO bid at q = YES ask at 100 - q, NO ask at
 * q = YES bid at 100 - q (docs/DESIGN.md) - both views come from the one book.
 */
export function getLadder(e: EngineInternals, marketId: string, outcome: Outcome, depth: number): Ladder | undefined {
  const mk = e.marketById.get(marketId);
  if (mk === undefined) return undefined;
  const book = mk.book;
  const side = (s: number, invert: boolean): LadderLevel[] => {
    const out: LadderLevel[] = [];
    for (const p of book.prices(s)) {
      if (out.length >= depth) break;
      const l = Book.level(s, p);
      out.push({ priceCents: invert ? 100 - p : p, qty: intOf(book.qty[l]!), orderCount: book.count[l]! });
    }
    return out;
  };
  return outcome === 'YES'
    ? { marketId, outcome, seq: mk.seq, bids: side(BID, false), asks: side(ASK, false) }
    : { marketId, outcome, seq: mk.seq, bids: side(ASK, true), asks: side(BID, true) };
}
