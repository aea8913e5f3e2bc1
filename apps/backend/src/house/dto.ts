/** House maker DTOs: the published per-market state. */
import type { schemas } from '@prediction-markets/shared';
import { lmsrPrice, lossBoundsCents, pnlCents } from '@prediction-markets/house-maker/lmsr';
import type { HouseConfig } from './queries.ts';

export function houseMarketDto(
  slug: string,
  tickCents: number,
  c: HouseConfig,
  pos: { yesShares: number; noShares: number; restingBid: number; restingAsk: number },
  cashCents: number,
): schemas.HouseMarketDto {
  const params = { b: c.b, p0Cents: c.p0Cents, pMinCents: c.pMinCents, pMaxCents: c.pMaxCents, tickCents };
  const inventory = pos.noShares - pos.yesShares;
  const pnl = pnlCents(cashCents, inventory);
  const bound = lossBoundsCents(params);
  return {
    marketId: c.marketId,
    slug,
    enabled: c.enabled,
    b: c.b,
    p0Cents: c.p0Cents,
    pMinCents: c.pMinCents,
    pMaxCents: c.pMaxCents,
    inventoryShares: inventory,
    priceCents: Math.round(lmsrPrice(params, inventory) * 10_000) / 100,
    cashCents,
    pnlIfYesCents: pnl.ifYes,
    pnlIfNoCents: pnl.ifNo,
    lossBoundIfYesCents: bound.ifYes,
    lossBoundIfNoCents: bound.ifNo,
    restingBidShares: pos.restingBid,
    restingAskShares: pos.restingAsk,
    updatedAt: c.updatedAt.toISOString(),
  };
}
