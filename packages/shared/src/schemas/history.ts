import { z } from 'zod';
import { PriceCents, Uuid } from './common.ts';

/** Chart ranges of GET /api/markets/:slug/history. */
export const PriceHistoryRange = z.enum(['1H', '6H', '1D', '1W', 'ALL']);
export type PriceHistoryRange = z.infer<typeof PriceHistoryRange>;

/** Most points one history answer holds (the ALL range widens its buckets to stay under it). */
export const PRICE_HISTORY_MAX_POINTS = 200;

/** GET /api/markets/:slug/history?range=1D */
export const PriceHistoryQuery = z.object({ range: PriceHistoryRange.default('1D') });

/** One bucket of trades: the YES price of its last trade (close) and the shares traded in it. */
export const PricePointDto = z.object({
  /** Start of the bucket, epoch ms (a multiple of bucketMs). */
  tsMs: z.int(),
  /** YES price in cents of the bucket's last trade. */
  yesPrice: PriceCents,
  /** Shares traded in the bucket. */
  volume: z.int().min(0),
});
export type PricePointDto = z.infer<typeof PricePointDto>;

/**
 * Price history of a market's YES price, bucketed in SQL from its trades. Buckets without a
 * trade are left out (the price carries over). At most PRICE_HISTORY_MAX_POINTS points.
 */
export const PriceHistoryResponse = z.object({
  slug: z.string(),
  range: PriceHistoryRange,
  /** Width of a bucket, ms. */
  bucketMs: z.int().min(1),
  /** Start and end of the range, epoch ms. */
  fromMs: z.int(),
  toMs: z.int(),
  /** YES price of the last trade before fromMs (where the line starts), null when none. */
  startPrice: PriceCents.nullable(),
  points: z.array(PricePointDto),
});
export type PriceHistoryResponse = z.infer<typeof PriceHistoryResponse>;

/** GET /api/market-stats: per market, the figures of the last 24 hours the markets list shows. */
export const MarketStatsDto = z.object({
  marketId: Uuid,
  /** YES price of the last trade at or before 24 hours ago; null when none (then the change is measured from the first trade). */
  price24hAgo: PriceCents.nullable(),
  /** YES price of the first trade within the last 24 hours, null when none. */
  firstPrice24h: PriceCents.nullable(),
  /** Shares traded in the last 24 hours. */
  volume24h: z.int().min(0),
});
export type MarketStatsDto = z.infer<typeof MarketStatsDto>;
export const MarketStatsResponse = z.object({ stats: z.array(MarketStatsDto), asOfMs: z.int() });
export type MarketStatsResponse = z.infer<typeof MarketStatsResponse>;
