/**
 * GET /api/leaderboard?by=pnl|volume&limit=N: top traders by realised P&L (sum of
 * positions.realised_pnl_cents over every market: closed trades and settlements) or by volume
 * (shares traded as maker or taker; notional at each side's own price). Users without any
 * position or trade are left out. Answers are cached for CACHE_MS per (by, limit): the query
 * aggregates the whole trades table, and a leaderboard a few seconds old is fine. The read is
 * leaderboardRows (queries.ts), the mapping leaderboardDto (dto.ts).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { leaderboardRows } from './queries.ts';
import { leaderboardDto } from './dto.ts';

/** How long one answer is reused, ms. */
export const CACHE_MS = 5_000;

export const leaderboardRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const cache = new Map<string, { atMs: number; body: schemas.LeaderboardResponse }>();
  app.get('/', {
    schema: {
      tags: ['leaderboard'],
      summary: 'Top traders by realised P&L or by volume',
      querystring: schemas.LeaderboardQuery,
      response: { 200: schemas.LeaderboardResponse, 400: schemas.ErrorBody },
    },
  }, async (req) => {
    const { by, limit } = req.query;
    const key = `${by}:${limit}`;
    const now = ctx.exchange.clockMs();
    const hit = cache.get(key);
    if (hit !== undefined && now - hit.atMs < CACHE_MS) return hit.body;
    const body = leaderboardDto(by, now, await leaderboardRows(ctx.prisma, by, limit));
    cache.set(key, { atMs: now, body });
    return body;
  });
};
