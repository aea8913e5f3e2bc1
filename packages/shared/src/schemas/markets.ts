import { z } from 'zod';
import { LIMITS, TICK_SIZES } from '../constants.ts';
import { Cents, IsoDateTime, MarketStatus, Outcome, PageQuery, PlainText, PriceCents, SettledStatus, Uuid } from './common.ts';

export const Slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$/, 'lowercase letters, digits and dashes, 3..64 characters');

/**
 * Words no new market may take as its slug: the fixed path segments that sit where a slug
 * sits in a route (e.g. POST /api/orders/batch next to POST /api/orders/:marketSlug, GET
 * /api/orders/user/orders next to GET /api/orders/:marketSlug/...), plus a few kept for routes
 * to come. A test (apps/backend/test/api-routes.test.ts) enumerates the app's routes and checks
 * that every fixed segment beside a slug parameter is listed here.
 */
export const RESERVED_SLUGS = ['batch', 'user', 'users', 'me', 'new', 'all', 'orders', 'trades', 'orderbook', 'markets', 'admin', 'auth', 'api', 'leaderboard', 'history', 'house', 'search', 'stats'] as const;

/** The slug of a new market: a Slug that is not reserved. */
export const NewSlug = Slug.refine((s) => !(RESERVED_SLUGS as readonly string[]).includes(s), { message: 'this word is reserved for the API\'s routes' });

/**
 * POST /api/markets (admin). The service also checks that `closesAt` is in the future
 * (VALIDATION_ERROR), that `resolverId` is an existing user (VALIDATION_ERROR) and that the
 * slug is free (SLUG_TAKEN, 409).
 */
export const CreateMarketBody = z.object({
  slug: NewSlug,
  question: PlainText.trim().min(1).max(LIMITS.questionMaxLength),
  description: PlainText.max(LIMITS.descriptionMaxLength).default(''),
  /** When trading stops: the market closes automatically at this instant. */
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

/**
 * Headers of PATCH /api/markets/:slug/status. With `Idempotency-Key` (per user, printable
 * ASCII), a repeat of the same request returns the first response (status and body) without
 * executing again; the same key with a different request is 409 IDEMPOTENCY_KEY_REUSED; while
 * the first is still running, a repeat waits for it (or gets 409 IDEMPOTENCY_KEY_IN_PROGRESS).
 * A replayed response carries the header `Idempotent-Replayed: true`. Other headers pass
 * through untouched.
 */
export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .min(1)
    .max(LIMITS.idempotencyKeyMaxLength)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .optional(),
});

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

/**
 * GET /api/markets/:slug/resolution: the settlement record of a RESOLVED or CANCELLED market.
 * Money in integer cents; `collateralCents` = `paidCents` + `houseCents` (nothing created or
 * destroyed).
 */
export const ResolutionDto = z.object({
  marketId: Uuid,
  slug: z.string(),
  /**
   * The canonical name of the settlement: the market's final status. RESOLVED: each winning
   * share paid 100 cents. CANCELLED (void): holders refunded at cost (pro rata when cost
   * exceeds collateral).
   */
  status: SettledStatus,
  /** Legacy name of `status` (RESOLUTION = RESOLVED, VOID_REFUND = CANCELLED), kept for existing clients. */
  kind: z.enum(['RESOLUTION', 'VOID_REFUND']),
  /** The winning outcome; null for a void. */
  outcome: Outcome.nullable(),
  /** The admin or designated resolver who resolved or cancelled it. */
  resolverId: Uuid.nullable(),
  /**
   * Whether the resolver held shares or resting orders in the market when resolving it: always
   * false for a resolution (one by a resolver with a stake is refused with
   * RESOLVER_HOLDS_POSITION); null when not recorded (a void, or a record from before the check).
   */
  resolverHeldPosition: z.boolean().nullable(),
  /** Cents in the market's pool at settlement (100 x pairs outstanding). */
  collateralCents: Cents,
  /** Cents paid to holders. */
  paidCents: Cents,
  /** Cents that went to the house (void only: surplus over cost basis, or rounding). */
  houseCents: Cents,
  /** Users that held shares and were settled. */
  holders: z.int().min(0),
  resolvedAt: z.string(),
});
export type ResolutionDto = z.infer<typeof ResolutionDto>;
export type MarketListResponse = z.infer<typeof MarketListResponse>;
