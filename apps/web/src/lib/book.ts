/**
 * Ladder helpers: where an order sits in a ladder view, the displayed YES price of a market.
 * Unified book (DESIGN.md): BUY YES at p is a YES bid at p, SELL YES at p a YES ask at p;
 * BUY NO at q is a YES ask at 100 - q, SELL NO at q a YES bid at 100 - q. The NO ladder is
 * the mirror of the YES ladder. Mirroring comes from @prediction-markets/shared.
 */
import { mirrorPrice } from '@prediction-markets/shared';

export type Outcome = 'YES' | 'NO';

/** Where an order of (side, outcome, price) rests in the ladder of `view`: bid or ask, at which price of that ladder. */
export function placeInLadder(order: { side: 'BUY' | 'SELL'; outcome: Outcome; price: number }, view: Outcome): { side: 'bid' | 'ask'; price: number } {
  const same = order.outcome === view;
  const isBid = (order.side === 'BUY') === same;
  return { side: isBid ? 'bid' : 'ask', price: same ? order.price : mirrorPrice(order.price) };
}

/** Widest spread (cents) at which the midpoint is shown as the price; wider shows the last trade (as Polymarket does). */
export const MIDPOINT_MAX_SPREAD = 10;

/**
 * The displayed YES price in tenths of a cent: the midpoint of the best YES bid and ask when
 * the spread is at most 10 cents, else the last trade; the midpoint or the one side when there
 * is no trade; null when nothing is known.
 */
export function displayPriceTenths(bestBid: number | null, bestAsk: number | null, lastPrice: number | null): number | null {
  if (bestBid !== null && bestAsk !== null) {
    if (bestAsk - bestBid <= MIDPOINT_MAX_SPREAD || lastPrice === null) return (bestBid + bestAsk) * 5;
    return lastPrice * 10;
  }
  if (lastPrice !== null) return lastPrice * 10;
  return null;
}

/** Tenths of a cent as a compact price: 625 -> "62.5¢", 630 -> "63¢". */
export function formatTenthsCompact(t: number | null): string {
  if (t === null) return '—';
  return t % 10 === 0 ? `${t / 10}¢` : `${Math.floor(t / 10)}.${t % 10}¢`;
}

/**
 * Open interest (pairs outstanding, shares) now: the market's REST figure, taken at sequence
 * number `market.seq`, plus the trades after it: a MINT creates `quantity` pairs, a MERGE
 * destroys them, a TRANSFER changes nothing (DESIGN.md, trade kinds). `trades` are those known
 * to the page (REST list plus the live ones), any order; trades at or before `market.seq` are
 * already counted in the REST figure.
 */
export function openInterestNow(market: { seq: number; openInterest: number }, trades: readonly { seq: number; kind: 'MINT' | 'MERGE' | 'TRANSFER'; quantity: number }[]): number {
  let oi = market.openInterest;
  for (const t of trades) {
    if (t.seq <= market.seq) continue;
    if (t.kind === 'MINT') oi += t.quantity;
    else if (t.kind === 'MERGE') oi -= t.quantity;
  }
  return oi;
}
