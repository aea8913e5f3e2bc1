/**
 * Price history for the web UI's chart and the markets list:
 *
 * - GET /api/markets/:slug/history?range=1H|6H|1D|1W|ALL: the YES price bucketed in SQL from
 *   the trades table (close = last trade of the bucket, by trade id), read through the index
 *   trades(market_id, created_at). Fixed bucket widths per range keep the answer bounded
 *   (1H: 60 x 1 min, 6H: 72 x 5 min, 1D: 96 x 15 min, 1W: 168 x 1 h); ALL widens its buckets
 *   (whole minutes) so that it never holds more than PRICE_HISTORY_MAX_POINTS.
 * - GET /api/market-stats: per market, the price 24 hours ago and the volume since (the
 *   list's "24h change" and "24h volume").
 *
 * Times are the engine clock's (ctx.exchange.clockMs(), wall time in production), the clock
 * that stamps trades.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Span and bucket width of the fixed ranges. */
export const RANGE_SPECS: Record<Exclude<schemas.PriceHistoryRange, 'ALL'>, { spanMs: number; bucketMs: number }> = {
  '1H': { spanMs: HOUR_MS, bucketMs: MINUTE_MS },
  '6H': { spanMs: 6 * HOUR_MS, bucketMs: 5 * MINUTE_MS },
  '1D': { spanMs: DAY_MS, bucketMs: 15 * MINUTE_MS },
  '1W': { spanMs: 7 * DAY_MS, bucketMs: HOUR_MS },
};

/** Bucket width of the ALL range for trades since `firstMs`: whole minutes, at most PRICE_HISTORY_MAX_POINTS buckets up to `nowMs`. */
export function allRangeBucketMs(firstMs: number, nowMs: number): number {
  const span = Math.max(1, nowMs - firstMs + 1);
  const minutes = Math.max(1, Math.ceil(span / (schemas.PRICE_HISTORY_MAX_POINTS - 1) / MINUTE_MS));
  return minutes * MINUTE_MS;
}

interface BucketRow {
  ts: bigint;
  close: number;
  volume: bigint;
}

export const marketHistoryRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/:slug/history', {
    schema: {
      tags: ['markets'],
      summary: 'YES price history, bucketed from trades (chart ranges 1H, 6H, 1D, 1W, ALL)',
      params: schemas.SlugParams,
      querystring: schemas.PriceHistoryQuery,
      response: { 200: schemas.PriceHistoryResponse, 400: schemas.ErrorBody, 404: schemas.ErrorBody },
    },
  }, async (req) => {
    const { slug } = req.params;
    const { range } = req.query;
    const market = await ctx.prisma.market.findUnique({ where: { slug }, select: { id: true } });
    if (market === null) throw new ApiError('UNKNOWN_MARKET', `no market ${slug}`);
    const nowMs = ctx.exchange.clockMs();
    let fromMs: number;
    let bucketMs: number;
    if (range === 'ALL') {
      const first = await ctx.prisma.$queryRawUnsafe<{ first: Date | null }[]>(
        'SELECT min(created_at) AS first FROM trades WHERE market_id = $1::uuid',
        market.id,
      );
      const firstMs = first[0]?.first?.getTime() ?? nowMs;
      bucketMs = allRangeBucketMs(firstMs, nowMs);
      fromMs = Math.floor(firstMs / bucketMs) * bucketMs;
    } else {
      const spec = RANGE_SPECS[range];
      bucketMs = spec.bucketMs;
      // Align to the bucket grid so that the first bucket is whole.
      fromMs = Math.floor((nowMs - spec.spanMs) / bucketMs + 1) * bucketMs;
    }
    const from = new Date(fromMs);
    const [rows, before] = await Promise.all([
      ctx.prisma.$queryRawUnsafe<BucketRow[]>(
        `SELECT (floor(extract(epoch FROM created_at) * 1000 / $3::bigint))::bigint * $3::bigint AS ts,
                (array_agg(yes_price_cents ORDER BY id DESC))[1] AS close,
                sum(qty)::bigint AS volume
           FROM trades
          WHERE market_id = $1::uuid AND created_at >= $2
          GROUP BY 1
          ORDER BY 1
          LIMIT ${schemas.PRICE_HISTORY_MAX_POINTS + 1}`,
        market.id,
        from,
        bucketMs,
      ),
      ctx.prisma.$queryRawUnsafe<{ price: number }[]>(
        `SELECT yes_price_cents AS price FROM trades
          WHERE market_id = $1::uuid AND created_at < $2
          ORDER BY created_at DESC, id DESC LIMIT 1`,
        market.id,
        from,
      ),
    ]);
    return {
      slug,
      range,
      bucketMs,
      fromMs,
      toMs: nowMs,
      startPrice: before[0]?.price ?? null,
      points: rows.slice(-schemas.PRICE_HISTORY_MAX_POINTS).map((r) => ({ tsMs: Number(r.ts), yesPrice: r.close, volume: Number(r.volume) })),
    };
  });
};

/** GET /api/market-stats (register with prefix /api/market-stats). */
export const marketStatsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/', {
    schema: {
      tags: ['markets'],
      summary: 'Per market: YES price 24 hours ago and shares traded since (the markets list)',
      response: { 200: schemas.MarketStatsResponse },
    },
  }, async () => {
    const nowMs = ctx.exchange.clockMs();
    const since = new Date(nowMs - DAY_MS);
    // One index probe per market (trades(market_id, created_at)); markets without trades give nulls.
    const rows = await ctx.prisma.$queryRawUnsafe<{ id: string; before: number | null; first: number | null; volume: bigint | null }[]>(
      `SELECT m.id::text AS id,
              (SELECT t.yes_price_cents FROM trades t WHERE t.market_id = m.id AND t.created_at <= $1 ORDER BY t.created_at DESC, t.id DESC LIMIT 1) AS before,
              (SELECT t.yes_price_cents FROM trades t WHERE t.market_id = m.id AND t.created_at > $1 ORDER BY t.created_at ASC, t.id ASC LIMIT 1) AS first,
              (SELECT sum(t.qty)::bigint FROM trades t WHERE t.market_id = m.id AND t.created_at > $1) AS volume
         FROM markets m`,
      since,
    );
    return {
      asOfMs: nowMs,
      stats: rows.map((r) => ({ marketId: r.id, price24hAgo: r.before, firstPrice24h: r.first, volume24h: Number(r.volume ?? 0n) })),
    };
  });
};
