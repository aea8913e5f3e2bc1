// planRequote: from the resting orders to the commands that make the book hold the ladder.
import { describe, expect, it } from 'vitest';
import { buildLadder, type LmsrParams } from '../src/lmsr.ts';
import { bookPlace, fillEffect, planRequote, type OpenOrder } from '../src/quotes.ts';

const P: LmsrParams = { b: 100, p0Cents: 50, pMinCents: 40, pMaxCents: 60, tickCents: 1 };

/** Resting orders after placing `plan.places` with ids from `firstId`. */
function rest(places: ReturnType<typeof planRequote>['places'], firstId = 1): OpenOrder[] {
  return places.map((q, i) => ({ id: firstId + i, side: q.side, outcome: q.outcome, price: q.price, remaining: q.quantity }));
}

/** Level quantities (book:yesPrice -> shares) of resting orders. */
function levels(open: OpenOrder[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of open) {
    const { book, yesPrice } = bookPlace(o);
    out[`${book}:${yesPrice}`] = (out[`${book}:${yesPrice}`] ?? 0) + o.remaining;
  }
  return out;
}

function ladderLevels(sold: number): Record<string, number> {
  const l = buildLadder(P, sold);
  const out: Record<string, number> = {};
  for (const a of l.asks) out[`ASK:${a.priceCents}`] = a.qty;
  for (const b of l.bids) out[`BID:${b.priceCents}`] = b.qty;
  return out;
}

describe('planRequote', () => {
  it('from nothing: the whole ladder as BUY NO asks and BUY YES bids', () => {
    const plan = planRequote(buildLadder(P, 0), [], { yesShares: 0, noShares: 0 });
    expect(plan.cancels).toEqual([]);
    expect(plan.reduces).toEqual([]);
    expect(plan.places.every((q) => q.side === 'BUY')).toBe(true);
    expect(plan.places.filter((q) => q.book === 'ASK').every((q) => q.outcome === 'NO' && q.price === 100 - q.yesPrice)).toBe(true);
    expect(levels(rest(plan.places))).toEqual(ladderLevels(0));
  });

  it('after asks are lifted: one batch of sells on the bid side, out of the NO shares the fills gave', () => {
    let open = rest(planRequote(buildLadder(P, 0), [], { yesShares: 0, noShares: 0 }).places);
    // A taker buys 10 YES from the best asks (BUY NO orders of the house): the house now holds 10 NO.
    let want = 10;
    let sold = 0;
    for (const o of [...open].filter((x) => bookPlace(x).book === 'ASK').sort((a, b) => bookPlace(a).yesPrice - bookPlace(b).yesPrice)) {
      const n = Math.min(want, o.remaining);
      o.remaining -= n;
      want -= n;
      sold += fillEffect(o, o.price, n).soldShares;
    }
    open = open.filter((o) => o.remaining > 0);
    expect(sold).toBe(10);
    const plan = planRequote(buildLadder(P, sold), open, { yesShares: 0, noShares: 10 });
    expect(plan.cancels).toEqual([]);
    expect(plan.reduces).toEqual([]);
    expect(plan.places.reduce((n, q) => n + q.quantity, 0)).toBe(10);
    expect(plan.places.every((q) => q.book === 'BID' && q.side === 'SELL' && q.outcome === 'NO')).toBe(true);
    expect(levels([...open, ...rest(plan.places, 1000)])).toEqual(ladderLevels(sold));
  });

  it('over a level: reduces the newest order; a level out of the ladder: cancels it', () => {
    const l = buildLadder(P, 0);
    const best = l.asks[0]!;
    const open: OpenOrder[] = [
      { id: 1, side: 'BUY', outcome: 'NO', price: 100 - best.priceCents, remaining: best.qty },
      { id: 2, side: 'BUY', outcome: 'NO', price: 100 - best.priceCents, remaining: 3 },
      { id: 3, side: 'BUY', outcome: 'YES', price: 30, remaining: 5 }, // outside the band
    ];
    const plan = planRequote(l, open, { yesShares: 0, noShares: 0 });
    expect(plan.cancels).toEqual([2, 3]);
    const plan2 = planRequote(l, [{ ...open[0]!, remaining: best.qty + 2 }], { yesShares: 0, noShares: 0 });
    expect(plan2.reduces).toEqual([{ orderId: 1, quantity: best.qty }]);
  });
});
