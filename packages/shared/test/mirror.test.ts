import { describe, expect, it } from 'vitest';
import { bookSideOf, mirrorLadder, mirrorLevel, mirrorPrice, oppositeBookSide, priceInOutcome, sharesValueCents, yesPriceOf } from '../src/index.ts';

describe('the YES/NO mirror', () => {
  it('mirrors prices: NO price = 100 - YES price, its own inverse', () => {
    for (let p = 1; p <= 99; p++) {
      expect(mirrorPrice(p)).toBe(100 - p);
      expect(mirrorPrice(mirrorPrice(p))).toBe(p);
      expect(priceInOutcome(p, 'YES')).toBe(p);
      expect(priceInOutcome(p, 'NO')).toBe(100 - p);
      expect(yesPriceOf(priceInOutcome(p, 'NO'), 'NO')).toBe(p);
    }
  });

  it('puts BUY YES and SELL NO on the bid, SELL YES and BUY NO on the ask', () => {
    expect(bookSideOf('BUY', 'YES')).toBe('BID');
    expect(bookSideOf('SELL', 'NO')).toBe('BID');
    expect(bookSideOf('SELL', 'YES')).toBe('ASK');
    expect(bookSideOf('BUY', 'NO')).toBe('ASK');
    expect(oppositeBookSide('BID')).toBe('ASK');
    expect(oppositeBookSide('ASK')).toBe('BID');
  });

  it('turns a YES ladder into the NO ladder: NO bid at q = YES ask at 100 - q', () => {
    const yes = { bids: [{ price: 40, quantity: 5 }, { price: 38, quantity: 1 }], asks: [{ price: 45, quantity: 2 }] };
    expect(mirrorLadder(yes)).toEqual({ bids: [{ price: 55, quantity: 2 }], asks: [{ price: 60, quantity: 5 }, { price: 62, quantity: 1 }] });
    expect(mirrorLadder(mirrorLadder(yes))).toEqual(yes);
    expect(mirrorLevel({ side: 'BID' as const, price: 30, quantity: 3, orders: 1 })).toEqual({ side: 'ASK', price: 70, quantity: 3, orders: 1 });
  });

  it('values YES shares at the YES price and NO shares at the mirrored price', () => {
    expect(sharesValueCents(10, 0, 63)).toBe(630);
    expect(sharesValueCents(0, 10, 63)).toBe(370);
    expect(sharesValueCents(5, 5, 20)).toBe(500);
  });
});
