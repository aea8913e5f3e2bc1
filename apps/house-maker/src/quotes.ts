/**
 * From a ladder (YES terms) and the orders resting now to the fewest commands that make the
 * book hold the ladder. Pure functions.
 *
 * Orders (DESIGN.md, one book in YES terms): an ask at t is SELL YES at t while the house holds
 * YES (nearest asks first), else BUY NO at 100 - t; a bid at t is SELL NO at 100 - t while it
 * holds NO, else BUY YES at t. Both rest on the same side of the YES book at the same YES price.
 */
import type { Ladder } from './lmsr.ts';

export type Side = 'BUY' | 'SELL';
export type Outcome = 'YES' | 'NO';

/** One order to place: `price` in cents of `outcome`, `yesPrice` its place in the YES book. */
export interface QuoteOrder {
  side: Side;
  outcome: Outcome;
  price: number;
  quantity: number;
  yesPrice: number;
  book: 'ASK' | 'BID';
}

/** One of the house's resting orders as the bot tracks it. */
export interface OpenOrder {
  id: number;
  side: Side;
  outcome: Outcome;
  /** Limit price, cents of `outcome`. */
  price: number;
  remaining: number;
}

/** The commands of one requote, in the order they run (cancels and reductions free escrow first). */
export interface QuotePlan {
  cancels: number[];
  /** Amends to a smaller remaining quantity (they keep queue place). */
  reduces: { orderId: number; quantity: number }[];
  /** New orders (one batch per 20). */
  places: QuoteOrder[];
}

/** Which side of the YES book an order rests on, and at which YES price. */
export function bookPlace(o: { side: Side; outcome: Outcome; price: number }): { book: 'ASK' | 'BID'; yesPrice: number } {
  const ask = (o.side === 'SELL') === (o.outcome === 'YES');
  return { book: ask ? 'ASK' : 'BID', yesPrice: o.outcome === 'YES' ? o.price : 100 - o.price };
}

/**
 * The commands that make the resting orders rest `ladder`, level by level (a level = a side
 * of the YES book at one YES price; its quantity = the remaining of every house order there):
 *
 * - short by d: one new order of d shares, SELL YES (asks) / SELL NO (bids) out of the shares
 *   held and not already offered, else BUY NO at 100 - t / BUY YES at t. Adding the difference,
 *   never amending up, keeps this safe against fills racing the command: a fill on the level
 *   lowers the wanted and the resting quantity alike, so the difference stays right;
 * - over by d: the newest orders of the level are cancelled or reduced (amend down) by d;
 * - a level no longer in the ladder: its orders are cancelled.
 *
 * After a fill the filled side is already right (the fill consumed it) and the other side is
 * short by the filled shares near the new price: one batch.
 */
export function planRequote(ladder: Ladder, open: OpenOrder[], holdings: { yesShares: number; noShares: number }): QuotePlan {
  const plan: QuotePlan = { cancels: [], reduces: [], places: [] };
  const levels = new Map<string, OpenOrder[]>();
  // Shares already offered by the house's own sells (locked in them).
  let offeredYes = 0;
  let offeredNo = 0;
  const unoffer = (o: OpenOrder, n: number): void => {
    if (o.side !== 'SELL') return;
    if (o.outcome === 'YES') offeredYes -= n;
    else offeredNo -= n;
  };
  for (const o of open) {
    if (o.remaining <= 0) continue;
    const { book, yesPrice } = bookPlace(o);
    const k = `${book}:${yesPrice}`;
    const list = levels.get(k);
    if (list === undefined) levels.set(k, [o]);
    else list.push(o);
    if (o.side === 'SELL' && o.outcome === 'YES') offeredYes += o.remaining;
    if (o.side === 'SELL' && o.outcome === 'NO') offeredNo += o.remaining;
  }
  // Reductions first: they free shares the additions may sell.
  const wanted: { book: 'ASK' | 'BID'; yesPrice: number; qty: number }[] = [
    ...ladder.asks.map((l) => ({ book: 'ASK' as const, yesPrice: l.priceCents, qty: l.qty })),
    ...ladder.bids.map((l) => ({ book: 'BID' as const, yesPrice: l.priceCents, qty: l.qty })),
  ];
  const shortBy: { book: 'ASK' | 'BID'; yesPrice: number; qty: number }[] = [];
  for (const w of wanted) {
    const k = `${w.book}:${w.yesPrice}`;
    const list = levels.get(k) ?? [];
    levels.delete(k);
    const have = list.reduce((n, o) => n + o.remaining, 0);
    if (have < w.qty) shortBy.push({ ...w, qty: w.qty - have });
    else if (have > w.qty) {
      let excess = have - w.qty;
      for (const o of [...list].sort((a, b) => b.id - a.id)) {
        if (excess === 0) break;
        if (o.remaining <= excess) {
          plan.cancels.push(o.id);
          excess -= o.remaining;
          unoffer(o, o.remaining);
        } else {
          plan.reduces.push({ orderId: o.id, quantity: o.remaining - excess });
          unoffer(o, excess);
          excess = 0;
        }
      }
    }
  }
  for (const list of levels.values()) {
    for (const o of list) {
      plan.cancels.push(o.id);
      unoffer(o, o.remaining);
    }
  }
  let freeYes = Math.max(0, holdings.yesShares - offeredYes);
  let freeNo = Math.max(0, holdings.noShares - offeredNo);
  // Nearest levels first get the shares held.
  shortBy.sort((a, b) => (a.book === b.book ? (a.book === 'ASK' ? a.yesPrice - b.yesPrice : b.yesPrice - a.yesPrice) : a.book === 'ASK' ? -1 : 1));
  for (const d of shortBy) {
    if (d.book === 'ASK') {
      const sell = Math.min(freeYes, d.qty);
      freeYes -= sell;
      if (sell > 0) plan.places.push({ side: 'SELL', outcome: 'YES', price: d.yesPrice, quantity: sell, yesPrice: d.yesPrice, book: 'ASK' });
      if (d.qty > sell) plan.places.push({ side: 'BUY', outcome: 'NO', price: 100 - d.yesPrice, quantity: d.qty - sell, yesPrice: d.yesPrice, book: 'ASK' });
    } else {
      const sell = Math.min(freeNo, d.qty);
      freeNo -= sell;
      if (sell > 0) plan.places.push({ side: 'SELL', outcome: 'NO', price: 100 - d.yesPrice, quantity: sell, yesPrice: d.yesPrice, book: 'BID' });
      if (d.qty > sell) plan.places.push({ side: 'BUY', outcome: 'YES', price: d.yesPrice, quantity: d.qty - sell, yesPrice: d.yesPrice, book: 'BID' });
    }
  }
  return plan;
}

/** Commands in a plan (each amend and cancel one, the places as batches of `batchSize`). */
export function commandCount(d: QuotePlan, batchSize = 20): number {
  return d.cancels.length + d.reduces.length + Math.ceil(d.places.length / batchSize);
}

/** The YES-equivalent cash (cents) and net YES sold of one fill of a house order: BUY NO at q = selling YES at 100 - q. */
export function fillEffect(order: { side: Side; outcome: Outcome }, priceCents: number, qty: number): { cashCents: number; soldShares: number } {
  const yesPrice = order.outcome === 'YES' ? priceCents : 100 - priceCents;
  const sellsYes = (order.side === 'SELL') === (order.outcome === 'YES');
  return sellsYes ? { cashCents: yesPrice * qty, soldShares: qty } : { cashCents: -yesPrice * qty, soldShares: -qty };
}
