/**
 * The YES/NO mirror of the one book per market (docs/DESIGN.md, "One book per market"): a YES share and a NO share together pay exactly 100 cents, so
 *
 * - a price in NO cents is 100 minus the YES price (and back: the mirror is its own inverse);
 * - BUY YES and SELL NO rest on the YES book's BID side; SELL YES and BUY NO on its ASK side;
 * - the NO ladder is the YES ladder seen from the other outcome: NO bid at q = YES ask at
 *   100 - q, NO ask at q = YES bid at 100 - q.
 *
 * This is the ONE place the service, the web UI and bots derive it. (The matching engine keeps
 * its own copy internally: it depends on nothing.)
 */

/** The two outcomes of a binary market. */
export type Outcome = 'YES' | 'NO';
/** The side of an order. */
export type OrderSide = 'BUY' | 'SELL';
/** The side of the YES book a price level sits on. */
export type BookSide = 'BID' | 'ASK';

/** What one YES + NO pair pays at resolution, cents (a winning share pays this; a losing one 0). */
export const PAYOUT_CENTS = 100;

/** The same price seen from the other outcome: `100 - priceCents` (its own inverse). */
export function mirrorPrice(priceCents: number): number {
  return PAYOUT_CENTS - priceCents;
}

/** A YES price in cents of `outcome` (YES: unchanged; NO: mirrored). */
export function priceInOutcome(yesPriceCents: number, outcome: Outcome): number {
  return outcome === 'YES' ? yesPriceCents : PAYOUT_CENTS - yesPriceCents;
}

/** The YES price of a price given in cents of `outcome` (YES: unchanged; NO: mirrored). */
export function yesPriceOf(priceCents: number, outcome: Outcome): number {
  return outcome === 'YES' ? priceCents : PAYOUT_CENTS - priceCents;
}

/** The other book side. */
export function oppositeBookSide(side: BookSide): BookSide {
  return side === 'BID' ? 'ASK' : 'BID';
}

/** The YES-book side an order rests on: BUY YES and SELL NO bid; SELL YES and BUY NO ask. */
export function bookSideOf(side: OrderSide, outcome: Outcome): BookSide {
  return (side === 'BUY') === (outcome === 'YES') ? 'BID' : 'ASK';
}

/** A price level of one outcome's ladder as seen from the other outcome: side swapped, price mirrored. */
export function mirrorLevel<L extends { side: BookSide; price: number }>(level: L): L {
  return { ...level, side: oppositeBookSide(level.side), price: PAYOUT_CENTS - level.price };
}

/**
 * One outcome's ladder as the other outcome's: its bids are the given asks mirrored and its
 * asks the given bids mirrored, each list keeping its order (best first stays best first).
 */
export function mirrorLadder<L extends { price: number }>(ladder: { bids: readonly L[]; asks: readonly L[] }): { bids: L[]; asks: L[] } {
  return {
    bids: ladder.asks.map((l) => ({ ...l, price: PAYOUT_CENTS - l.price })),
    asks: ladder.bids.map((l) => ({ ...l, price: PAYOUT_CENTS - l.price })),
  };
}

/** Value in cents of YES and NO shares at a YES price (each NO share at the mirrored price). */
export function sharesValueCents(yesShares: number, noShares: number, yesPriceCents: number): number {
  return yesShares * yesPriceCents + noShares * (PAYOUT_CENTS - yesPriceCents);
}
