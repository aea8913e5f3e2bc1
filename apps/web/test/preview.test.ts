import { describe, expect, it } from 'vitest';
import { computePreview, missingInput, type PreviewInput } from '../src/lib/preview.ts';
import { formatBps, formatPoints, formatTenthsPrice, parsePointsToCents } from '../src/lib/format.ts';

// A YES ladder: asks 60 x 10, 62 x 20, 65 x 50; bids 58 x 15, 55 x 40.
const asks = [
  { price: 60, quantity: 10 },
  { price: 62, quantity: 20 },
  { price: 65, quantity: 50 },
];
const bids = [
  { price: 58, quantity: 15 },
  { price: 55, quantity: 40 },
];
const base: PreviewInput = {
  side: 'BUY', type: 'LIMIT', priceCents: 62, qtyShares: 25, maxCostCents: null, tif: 'GTC', postOnly: false,
  asks, bids, availableCents: 100_000, sharesAvailable: 0,
};

describe('computePreview', () => {
  it('limit buy that crosses two levels fills at maker prices and rests nothing', () => {
    // 10 @ 60 = 600, 15 @ 62 = 930: 25 shares for 1530 cents, average 61.2.
    const p = computePreview(base);
    expect(p).toMatchObject({ filledShares: 25, restingShares: 0, droppedShares: 0, fillCents: 1530, avgPriceTenths: 612 });
    expect(p.escrowCents).toBe(62 * 25);
    expect(p.costCents).toBe(1530);
    expect(p.payoutIfRightCents).toBe(2500);
    expect(p.profitIfRightCents).toBe(970);
    // 970 / 1530 = 0.63398... -> 6339 bps
    expect(p.returnBps).toBe(6339);
    expect(p.balanceAfterCents).toBe(100_000 - 1530);
    expect(p.problem).toBeNull();
  });

  it('limit buy larger than the book at its price rests the rest at the limit', () => {
    // 10 @ 60 + 20 @ 62 = 1840 now; 10 rest at 62 = 620; cost 2460 for 40 shares.
    const p = computePreview({ ...base, qtyShares: 40 });
    expect(p).toMatchObject({ filledShares: 30, restingShares: 10, fillCents: 1840, costCents: 2460, payoutIfRightCents: 4000 });
    expect(p.avgPriceTenths).toBe(613); // 1840 / 30 = 61.33
    expect(p.profitIfRightCents).toBe(1540);
    expect(p.balanceAfterCents).toBe(100_000 - 2460);
  });

  it('IOC drops what does not fill now', () => {
    const p = computePreview({ ...base, qtyShares: 40, tif: 'IOC' });
    expect(p).toMatchObject({ filledShares: 30, restingShares: 0, droppedShares: 10, costCents: 1840, payoutIfRightCents: 3000 });
  });

  it('FOK that cannot fill is refused whole', () => {
    const p = computePreview({ ...base, qtyShares: 40, tif: 'FOK' });
    expect(p).toMatchObject({ problem: 'FOK_NOT_FILLABLE', filledShares: 0, restingShares: 0, droppedShares: 40, costCents: 0 });
  });

  it('post-only that would take is refused; one that rests is fine', () => {
    expect(computePreview({ ...base, postOnly: true }).problem).toBe('POST_ONLY_WOULD_CROSS');
    const p = computePreview({ ...base, priceCents: 59, postOnly: true });
    expect(p).toMatchObject({ problem: null, filledShares: 0, restingShares: 25, costCents: 59 * 25, avgPriceTenths: null });
  });

  it('market buy with a spend cap stops at the first share it cannot afford', () => {
    // 1000 cents: 10 @ 60 = 600 leaves 400; 400 / 62 = 6 shares (372) leaves 28, and it stops.
    const p = computePreview({ ...base, type: 'MARKET', priceCents: null, qtyShares: null, maxCostCents: 1000, tif: 'IOC' });
    expect(p).toMatchObject({ filledShares: 16, restingShares: 0, fillCents: 972, costCents: 972, escrowCents: 1000, payoutIfRightCents: 1600 });
    expect(p.avgPriceTenths).toBe(608); // 972 / 16 = 60.75 -> 60.8
    expect(p.balanceAfterCents).toBe(100_000 - 972);
  });

  it('market buy on an empty side has no liquidity', () => {
    const p = computePreview({ ...base, type: 'MARKET', maxCostCents: 500, asks: [], tif: 'IOC' });
    expect(p.problem).toBe('NO_LIQUIDITY');
    expect(p.filledShares).toBe(0);
  });

  it('limit sell walks the bids down to its limit and needs the shares', () => {
    // sell 30 @ 56: 15 @ 58 = 870 now; 15 rest at 56 = 840; proceeds 1710.
    const p = computePreview({ ...base, side: 'SELL', priceCents: 56, qtyShares: 30, sharesAvailable: 30 });
    expect(p).toMatchObject({ filledShares: 15, restingShares: 15, fillCents: 870, proceedsCents: 1710, escrowCents: 0, costCents: 0 });
    expect(p.balanceAfterCents).toBe(100_000 + 870);
    expect(computePreview({ ...base, side: 'SELL', priceCents: 56, qtyShares: 31, sharesAvailable: 30 }).problem).toBe('INSUFFICIENT_SHARES');
  });

  it('a buy whose escrow exceeds the balance is flagged', () => {
    expect(computePreview({ ...base, availableCents: 62 * 25 - 1 }).problem).toBe('INSUFFICIENT_BALANCE');
    expect(computePreview({ ...base, availableCents: 62 * 25 }).problem).toBeNull();
  });
});

describe('missingInput', () => {
  const t = { signedIn: true, type: 'LIMIT' as const, side: 'BUY' as const, priceCents: 50, qtyShares: 10, maxCostCents: null, tif: 'GTC' as const, expiresAtMs: null, nowMs: 1000, tradable: true };
  it('names what is missing', () => {
    expect(missingInput({ ...t, signedIn: false })).toBe('Sign in to trade');
    expect(missingInput({ ...t, priceCents: null })).toBe('Enter a price');
    expect(missingInput({ ...t, qtyShares: null })).toBe('Enter a quantity');
    expect(missingInput({ ...t, type: 'MARKET' })).toBe('Enter an amount');
    expect(missingInput({ ...t, tif: 'GTD' })).toBe('Pick an expiry');
    expect(missingInput({ ...t, tif: 'GTD', expiresAtMs: 500 })).toBe('Expiry must be in the future');
    expect(missingInput(t)).toBeNull();
  });
});

describe('format', () => {
  it('points and cents with integer arithmetic', () => {
    expect(formatPoints(123456)).toMatch(/^1.234\.56 pts$/);
    expect(formatPoints(-5)).toBe('−0.05 pts');
    expect(formatPoints(7, { sign: true })).toBe('+0.07 pts');
    expect(formatTenthsPrice(612)).toBe('61.2¢');
    expect(formatBps(6339)).toBe('63.3%');
    expect(parsePointsToCents('12.5')).toBe(1250);
    expect(parsePointsToCents('0.07')).toBe(7);
    expect(parsePointsToCents('1.234')).toBeNull();
    expect(parsePointsToCents('abc')).toBeNull();
  });
});
