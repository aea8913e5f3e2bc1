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
 * The reads are in queries.ts (priceHistory, marketStats). Times are the engine clock's (ctx.exchange.clockMs(), wall time in production), the clock
 * that stamps trades.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { marketStats, priceHistory } from './queries.ts';

export const marketHistoryRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/:slug/history', {
    schema: {
      tags: ['markets'],
      summary: 'YES price history, bucketed from trades (chart ranges 1H, 6H, 1D, 1W, ALL)',
      params: schemas.SlugParams,
      querystring: schemas.PriceHistoryQuery,
      response: { 200: schemas.PriceHistoryResponse, 400: schemas.ErrorBody, 404: schemas.ErrorBody },
    },
  }, async (req) => priceHistory(ctx.prisma, ctx.markets, req.params.slug, req.query.range, ctx.exchange.clockMs()));
};

/** GET /api/market-stats (register with prefix /api/market-stats). */
export const marketStatsRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/', {
    schema: {
      tags: ['markets'],
      summary: 'Per market: YES price 24 hours ago and shares traded since (the markets list)',
      response: { 200: schemas.MarketStatsResponse },
    },
  }, async () => marketStats(ctx.prisma, ctx.exchange.clockMs()));
};
