/**
 * From a ladder (YES terms) to exchange orders, and from the orders resting now to the fewest
 * commands that turn them into the wanted ones. Pure functions.
 *
 * Orders (DESIGN.md, one book in YES terms): an ask at t is SELL YES at t while the house holds
 * YES (nearest asks first), else BUY NO at 100 - t; a bid at t is SELL NO at 100 - t while it
 * holds NO, else BUY YES at t. Both rest on the same side of the YES book at the same YES price.
 */
import type { Ladder } from './lmsr.ts';

export type Side = 'BUY' | 'SELL';
export type Outcome = 'YES' | 'NO';

/** One wanted order: `price` in cents of `outcome`, `yesPrice` its place in the YES book. */
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

/** The commands of one requote, in the order they must run (cancels and reductions free escrow first). */
export interface QuoteDiff {
  cancels: number[];
  /** Amends to a smaller remaining quantity (keep queue place). */
  reduces: { orderId: number; quantity: number }[];
  /** Amends to a larger remaining quantity (lose queue place). */
  increases: { orderId: number; quantity: number }[];
  places: QuoteOrder[];
}

/** The key of an order's price level: side, outcome and own-outcome price. */
export function orderKey(o: { side: Side; outcome: Outcome; price: number }): string {
  return `${o.side}:${o.outcome}:${o.price}`;
}

/** The orders that rest `ladder` given the shares held (totals, including shares locked in the house's own sells). */
export function quoteOrders(ladder: Ladder, holdings: { yesShares: number; noShares: number }): QuoteOrder[] {
  const out: QuoteOrder[] = [];
  let yes = Math.max(0, holdings.yesShares);
  for (const a of ladder.asks) {
    const sell = Math.min(yes, a.qty);
    yes -= sell;
    if (sell > 0) out.push({ side: 'SELL', outcome: 'YES', price: a.priceCents, quantity: sell, yesPrice: a.priceCents, book: 'ASK' });
    if (a.qty > sell) out.push({ side: 'BUY', outcome: 'NO', price: 100 - a.priceCents, quantity: a.qty - sell, yesPrice: a.priceCents, book: 'ASK' });
  }
  let no = Math.max(0, holdings.noShares);
  for (const b of ladder.bids) {
    const sell = Math.min(no, b.qty);
    no -= sell;
    if (sell > 0) out.push({ side: 'SELL', outcome: 'NO', price: 100 - b.priceCents, quantity: sell, yesPrice: b.priceCents, book: 'BID' });
    if (b.qty > sell) out.push({ side: 'BUY', outcome: 'YES', price: b.priceCents, quantity: b.qty - sell, yesPrice: b.priceCents, book: 'BID' });
  }
  return out;
}

/**
 * The commands that turn `open` into `wanted`: an order whose level is still wanted is kept,
 * reduced or increased by amend; extra orders at a level and unwanted levels are cancelled;
 * missing levels are placed.
 */
export function diffQuotes(wanted: QuoteOrder[], open: OpenOrder[]): QuoteDiff {
  const diff: QuoteDiff = { cancels: [], reduces: [], increases: [], places: [] };
  const byKey = new Map<string, OpenOrder[]>();
  for (const o of open) {
    if (o.remaining <= 0) continue;
    const k = orderKey(o);
    const list = byKey.get(k);
    if (list === undefined) byKey.set(k, [o]);
    else list.push(o);
  }
  for (const w of wanted) {
    const k = orderKey(w);
    const list = byKey.get(k);
    byKey.delete(k);
    if (list === undefined) {
      diff.places.push(w);
      continue;
    }
    // Keep the largest (oldest on ties: best queue place), cancel the others.
    list.sort((a, b) => b.remaining - a.remaining || a.id - b.id);
    const [keep, ...rest] = list;
    for (const r of rest) diff.cancels.push(r.id);
    if (keep!.remaining > w.quantity) diff.reduces.push({ orderId: keep!.id, quantity: w.quantity });
    else if (keep!.remaining < w.quantity) diff.increases.push({ orderId: keep!.id, quantity: w.quantity });
  }
  for (const list of byKey.values()) for (const o of list) diff.cancels.push(o.id);
  return diff;
}

/** Commands in a diff (each amend and cancel one, the places as batches of `batchSize`). */
export function commandCount(d: QuoteDiff, batchSize = 20): number {
  return d.cancels.length + d.reduces.length + d.increases.length + Math.ceil(d.places.length / batchSize);
}

/** The YES-equivalent cash (cents) and net YES sold of one fill of a house order: BUY NO at q = selling YES at 100 - q. */
export function fillEffect(order: { side: Side; outcome: Outcome }, priceCents: number, qty: number): { cashCents: number; soldShares: number } {
  const yesPrice = order.outcome === 'YES' ? priceCents : 100 - priceCents;
  const sellsYes = (order.side === 'SELL') === (order.outcome === 'YES');
  return sellsYes ? { cashCents: yesPrice * qty, soldShares: qty } : { cashCents: -yesPrice * qty, soldShares: -qty };
}
