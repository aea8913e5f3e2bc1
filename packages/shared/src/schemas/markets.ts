import { z } from 'zod';
import { LIMITS, TICK_SIZES } from '../constants.ts';
import { IsoDateTime, MarketStatus, Outcome, PageQuery, PriceCents, Uuid } from './common.ts';

export const Slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, 'lowercase letters, digits and dashes, 3..64 characters');

/** POST /api/markets (admin). */
export const CreateMarketBody = z.object({
  slug: Slug,
  question: z.string().trim().min(1).max(LIMITS.questionMaxLength),
  description: z.string().max(LIMITS.descriptionMaxLength).default(''),
  closesAt: IsoDateTime,
  /** A user allowed to resolve this market besides admins. */
  resolverId: Uuid.optional(),
  tickCents: z.union(TICK_SIZES.map((t) => z.literal(t))).default(1),
});
export type CreateMarketBody = z.infer<typeof CreateMarketBody>;

/** PATCH /api/markets/:slug/status. `outcome` is required for RESOLVED and forbidden otherwise. */
export const SetMarketStatusBody = z
  .object({ status: MarketStatus, outcome: Outcome.optional() })
  .refine((b) => (b.status === 'RESOLVED') === (b.outcome !== undefined), {
    message: 'outcome (YES or NO) is required for RESOLVED and not allowed otherwise',
    path: ['outcome'],
  });
export type SetMarketStatusBody = z.infer<typeof SetMarketStatusBody>;

export const ListMarketsQuery = PageQuery.extend({ status: MarketStatus.optional() }).omit({ before: true }).extend({
  offset: z.coerce.number().int().min(0).default(0),
});

export const SlugParams = z.object({ slug: Slug });

export const MarketDto = z.object({
  id: Uuid,
  slug: z.string(),
  question: z.string(),
  description: z.string(),
  status: MarketStatus,
  outcome: Outcome.nullable(),
  closesAt: z.string().nullable(),
  tickCents: z.int(),
  resolverId: z.string().nullable(),
  /** The market's sequence number of its last public event. */
  seq: z.int(),
  /** Best YES bid / ask in cents, null when that side is empty. */
  bestBid: PriceCents.nullable(),
  bestAsk: PriceCents.nullable(),
  /** Last trade price in YES cents. */
  lastPrice: PriceCents.nullable(),
  /** Shares traded. */
  volume: z.int(),
  /** YES+NO pairs outstanding (= YES shares = NO shares). */
  openInterest: z.int(),
  createdAt: z.string(),
});
export type MarketDto = z.infer<typeof MarketDto>;

export const MarketListResponse = z.object({ markets: z.array(MarketDto), total: z.int() });
