/**
 * How much of each order-book level is the house's (`houseQty` in the book snapshot, REST and
 * socket, and in the levels of `market_frame`s). Kept from the committed engine events in order,
 * so that each BOOK_LEVEL event is annotated with the house's share at that moment; seeded
 * from the engine's resting orders between batches. Quantities in shares, prices in YES cents.
 */
import type { EngineEvent, MatchingEngine } from '@prediction-markets/matching-engine';
import { mirrorPrice, yesPriceOf } from '@prediction-markets/shared';

interface HouseOrder {
  marketId: string;
  side: 'BID' | 'ASK';
  outcome: 'YES' | 'NO';
  yesPrice: number;
  remaining: number;
}

export class HouseLevels {
  private readonly orders = new Map<number, HouseOrder>();
  private readonly levels = new Map<string, number>();

  /** @param houseId the HOUSE user (null: no house, every houseQty is 0). */
  constructor(readonly houseId: string | null) {}

  /** Start from the engine's resting orders of the house (call with nothing in flight). */
  seed(engine: MatchingEngine): void {
    this.orders.clear();
    this.levels.clear();
    if (this.houseId === null) return;
    for (const o of engine.getUserOrders(this.houseId)) {
      if (o.yesPriceCents === null) continue;
      this.put(o.orderId, { marketId: o.marketId, side: o.bookSide, outcome: o.outcome, yesPrice: o.yesPriceCents, remaining: o.remainingQty });
    }
  }

  /** Apply one committed event (every event of a batch, in order). */
  observe(e: EngineEvent): void {
    if (this.houseId === null) return;
    if (e.type === 'ORDER_ACCEPTED') {
      const o = e.order;
      if (o.userId !== this.houseId || o.yesPriceCents === null) return;
      this.put(o.orderId, { marketId: o.marketId, side: o.bookSide, outcome: o.outcome, yesPrice: o.yesPriceCents, remaining: o.remainingQty });
    } else if (e.type === 'ORDER_UPDATED') {
      if (e.userId !== this.houseId) return;
      const o = this.orders.get(e.orderId);
      if (o === undefined) return;
      const live = e.status === 'OPEN' || e.status === 'PARTIALLY_FILLED';
      const yesPrice = e.priceCents === null ? o.yesPrice : yesPriceOf(e.priceCents, o.outcome);
      this.put(e.orderId, live ? { ...o, yesPrice, remaining: e.remainingQty } : null);
    }
  }

  /** The house's resting shares at a level of the YES book. */
  qty(marketId: string, side: 'BID' | 'ASK', yesPrice: number): number {
    return this.levels.get(`${marketId}:${side}:${yesPrice}`) ?? 0;
  }

  private put(orderId: number, next: HouseOrder | null): void {
    const prev = this.orders.get(orderId);
    if (prev !== undefined) this.bump(prev, -prev.remaining);
    if (next === null || next.remaining <= 0) {
      this.orders.delete(orderId);
      return;
    }
    this.orders.set(orderId, next);
    this.bump(next, next.remaining);
  }

  private bump(o: HouseOrder, d: number): void {
    const k = `${o.marketId}:${o.side}:${o.yesPrice}`;
    const v = (this.levels.get(k) ?? 0) + d;
    if (v === 0) this.levels.delete(k);
    else this.levels.set(k, v);
  }
}

type Level = { price: number; quantity: number; orders: number; houseQty?: number };

/**
 * Both ladders of a market with `houseQty` on every level where the house rests shares (absent: none), from the house's resting orders in
 * the same engine state (call inside Exchange.read). The NO ladder is the YES book seen from NO:
 * a NO bid at q is the YES ask at 100 - q.
 */
export function withHouseQty<L extends Level>(
  engine: MatchingEngine,
  houseId: string | null,
  marketId: string,
  yes: { bids: L[]; asks: L[] },
  no: { bids: L[]; asks: L[] },
): { yes: { bids: L[]; asks: L[] }; no: { bids: L[]; asks: L[] } } {
  const shares = new Map<string, number>();
  if (houseId !== null) {
    for (const o of engine.getUserOrders(houseId, marketId)) {
      if (o.yesPriceCents === null) continue;
      const k = `${o.bookSide}:${o.yesPriceCents}`;
      shares.set(k, (shares.get(k) ?? 0) + o.remainingQty);
    }
  }
  const at = (side: 'BID' | 'ASK', yesPrice: number): number => shares.get(`${side}:${yesPrice}`) ?? 0;
  const tag = (list: L[], side: 'BID' | 'ASK', mirrored: boolean): L[] =>
    list.map((l) => {
      const houseQty = at(side, mirrored ? mirrorPrice(l.price) : l.price);
      return houseQty > 0 ? { ...l, houseQty } : l;
    });
  return {
    yes: { bids: tag(yes.bids, 'BID', false), asks: tag(yes.asks, 'ASK', false) },
    no: { bids: tag(no.bids, 'ASK', true), asks: tag(no.asks, 'BID', true) },
  };
}
