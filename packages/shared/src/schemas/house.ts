/**
 * The LMSR house market maker (apps/house-maker; backend apps/backend/src/house): per-market
 * settings an admin sets, and the state the exchange publishes. Prices in YES cents, b in
 * shares, money in cents.
 */
import { z } from 'zod';
import { PriceCents, Uuid } from './common.ts';

/**
 * PUT /api/house/markets/:slug (admin): enable or disable the house maker on a market and set
 * its LMSR liquidity b and its band. `p0Cents` (the price the house starts from) defaults to
 * the market's mid price (else its last price, else 50) the first time. b, p0 and the band can
 * change only while the house holds no shares in the market (HOUSE_POSITION_OPEN). Bad
 * settings: HOUSE_INVALID_LIQUIDITY, HOUSE_INVALID_BAND; unknown market: UNKNOWN_MARKET.
 */
export const HouseConfigBody = z.strictObject({
  enabled: z.boolean(),
  /** LMSR liquidity, shares (> 0). Default 100 the first time. */
  b: z.number().optional(),
  p0Cents: z.int().optional(),
  /** Band of the ladder, YES cents. Default 1..99 the first time. */
  pMinCents: z.int().optional(),
  pMaxCents: z.int().optional(),
});
export type HouseConfigBody = z.infer<typeof HouseConfigBody>;

/** The published state of the house maker on one market (GET /api/house/markets[/:slug]). */
export const HouseMarketDto = z.object({
  marketId: Uuid,
  slug: z.string(),
  enabled: z.boolean(),
  b: z.number(),
  p0Cents: PriceCents,
  pMinCents: PriceCents,
  pMaxCents: PriceCents,
  /** Net YES the house has sold (LMSR q - q0): NO shares held minus YES shares held. */
  inventoryShares: z.int(),
  /** The house's LMSR price now, YES cents (fractional). */
  priceCents: z.number(),
  /** YES-equivalent cash of its fills, cents (a BUY NO at q counts as selling YES at 100 - q). */
  cashCents: z.int(),
  /** P&L if the market resolved now, cents: YES wins = cash - 100 x inventory; NO wins = cash. */
  pnlIfYesCents: z.int(),
  pnlIfNoCents: z.int(),
  /** Worst-case loss, cents: b ln(pMax / p0) if YES wins, b ln((1 - pMin) / (1 - p0)) if NO wins (x 100, rounded up). */
  lossBoundIfYesCents: z.int(),
  lossBoundIfNoCents: z.int(),
  /** Shares the house rests in the book now, per side of the YES book. */
  restingBidShares: z.int(),
  restingAskShares: z.int(),
  updatedAt: z.string(),
});
export type HouseMarketDto = z.infer<typeof HouseMarketDto>;
export const HouseMarketsResponse = z.object({ houseUserId: Uuid.nullable(), markets: z.array(HouseMarketDto) });
export type HouseMarketsResponse = z.infer<typeof HouseMarketsResponse>;
