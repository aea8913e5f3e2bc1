// The LMSR ladder arithmetic against closed-form LMSR costs (Hanson 2003; src/lmsr.ts).
import { describe, expect, it } from 'vitest';
import { buildLadder, checkParams, fullLadderEscrowCents, lmsrCost, lmsrCostDiffCents, logit, lossBoundsCents, type LmsrParams } from '../src/lmsr.ts';

const FULL: LmsrParams = { b: 100, p0Cents: 50, pMinCents: 1, pMaxCents: 99, tickCents: 1 };

function cumulative(levels: { priceCents: number; qty: number }[]): Map<number, number> {
  const out = new Map<number, number>();
  let c = 0;
  for (const l of levels) out.set(l.priceCents, (c += l.qty));
  return out;
}

describe('LMSR closed forms', () => {
  it('cost difference equals b ln((1 - p1) / (1 - p2)) when buying YES from p1 to p2', () => {
    const b = 250;
    for (const [p1, p2] of [[0.5, 0.6], [0.2, 0.9], [0.05, 0.06]] as const) {
      const q1 = b * logit(p1);
      const q2 = b * logit(p2);
      expect(lmsrCost(q2, b) - lmsrCost(q1, b)).toBeCloseTo(b * Math.log((1 - p1) / (1 - p2)), 9);
    }
  });

  it('is overflow-safe far from 50 cents', () => {
    expect(Number.isFinite(lmsrCost(1e6, 1))).toBe(true);
    expect(lmsrCost(1e6, 1)).toBeCloseTo(1e6, 6);
    expect(lmsrCost(-1e6, 1)).toBeCloseTo(0, 9);
  });
});

describe('the ladder', () => {
  it('from 50 cents: cumulative asks are floor(b logit(t)), bids floor(-b logit(t)), both sides symmetric', () => {
    const l = buildLadder(FULL, 0);
    expect(l.pStar).toBe(0.5);
    const asks = cumulative(l.asks);
    // b logit(0.51) = 100 ln(51/49) = 4.0005; b logit(0.6) = 100 ln 1.5 = 40.55; b logit(0.99) = 100 ln 99 = 459.5
    expect(asks.get(51)).toBe(4);
    expect(asks.get(60)).toBe(40);
    expect(asks.get(99)).toBe(459);
    const bids = cumulative(l.bids);
    expect(bids.get(49)).toBe(4);
    expect(bids.get(40)).toBe(40);
    expect(bids.get(1)).toBe(459);
    expect(l.asks[0]!.priceCents).toBe(51);
    expect(l.bids[0]!.priceCents).toBe(49);
  });

  it('prices every level at or beyond the LMSR marginal price of its slice (never cheaper than the LMSR)', () => {
    for (const s of [0, 7, -13, 120, -300]) {
      const l = buildLadder(FULL, s);
      let sold = s;
      for (const a of l.asks) {
        expect(a.priceCents * a.qty).toBeGreaterThanOrEqual(lmsrCostDiffCents(FULL, sold, sold + a.qty) - 1e-9);
        sold += a.qty;
      }
      sold = s;
      for (const x of l.bids) {
        // the house pays for YES bought back: no more than the LMSR would pay
        expect(x.priceCents * x.qty).toBeLessThanOrEqual(-lmsrCostDiffCents(FULL, sold, sold - x.qty) + 1e-9);
        sold -= x.qty;
      }
    }
  });

  it('after a fill only the levels around the price change', () => {
    const before = buildLadder(FULL, 0);
    const after = buildLadder(FULL, 30); // a taker bought 30 YES
    const beforeAsks = new Map(before.asks.map((a) => [a.priceCents, a.qty]));
    const changed = after.asks.filter((a) => beforeAsks.get(a.priceCents) !== a.qty).map((a) => a.priceCents);
    expect(changed).toEqual([after.asks[0]!.priceCents]);
    // the asks consumed are gone, the rest identical
    expect(after.asks.slice(1)).toEqual(before.asks.filter((a) => a.priceCents > after.asks[0]!.priceCents));
    expect(after.pStar).toBeGreaterThan(0.57);
    expect(after.pStar).toBeLessThan(0.58);
  });

  it('stays inside the band and on the tick', () => {
    const p: LmsrParams = { b: 500, p0Cents: 30, pMinCents: 10, pMaxCents: 60, tickCents: 5 };
    const l = buildLadder(p, 0);
    for (const x of [...l.asks, ...l.bids]) {
      expect(x.priceCents % 5).toBe(0);
      expect(x.priceCents).toBeGreaterThanOrEqual(10);
      expect(x.priceCents).toBeLessThanOrEqual(60);
    }
    expect(l.asks.at(-1)!.priceCents).toBe(60);
    expect(l.bids.at(-1)!.priceCents).toBe(10);
  });

  it('publishes the loss bounds; the full ladder escrows no more than their sum', () => {
    const bounds = lossBoundsCents(FULL);
    expect(bounds.ifYes).toBe(Math.ceil(100 * 100 * Math.log(99 / 50)));
    expect(bounds.ifNo).toBe(bounds.ifYes);
    const escrow = fullLadderEscrowCents(FULL);
    expect(escrow).toBeLessThanOrEqual(bounds.ifYes + bounds.ifNo);
    // the tick discretisation keeps it a few per cent under (levels pay their upper tick, not the mean)
    expect(escrow).toBeGreaterThan(0.95 * (bounds.ifYes + bounds.ifNo));
    // b ln 2 from 50 cents as the band widens to the whole range
    expect(lossBoundsCents({ ...FULL, pMaxCents: 99 }).ifYes).toBeLessThan(Math.ceil(100 * 100 * Math.LN2));
  });

  it('refuses bad settings with stable codes', () => {
    expect(checkParams({ ...FULL, b: 0 })?.code).toBe('HOUSE_INVALID_LIQUIDITY');
    expect(checkParams({ ...FULL, b: -5 })?.code).toBe('HOUSE_INVALID_LIQUIDITY');
    expect(checkParams({ ...FULL, b: Number.NaN })?.code).toBe('HOUSE_INVALID_LIQUIDITY');
    expect(checkParams({ ...FULL, pMinCents: 0 })?.code).toBe('HOUSE_INVALID_BAND');
    expect(checkParams({ ...FULL, pMaxCents: 100 })?.code).toBe('HOUSE_INVALID_BAND');
    expect(checkParams({ ...FULL, pMinCents: 60, pMaxCents: 90 })?.code).toBe('HOUSE_INVALID_BAND');
    expect(checkParams({ ...FULL, tickCents: 3 })?.code).toBe('HOUSE_INVALID_BAND');
    expect(checkParams(FULL)).toBeNull();
  });
});
