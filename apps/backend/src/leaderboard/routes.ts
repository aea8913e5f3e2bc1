/**
 * GET /api/leaderboard?by=pnl|volume&limit=N: top traders by realised P&L (sum of
 * positions.realised_pnl_cents over every market: closed trades and settlements) or by volume
 * (shares traded as maker or taker; notional at each side's own price). Users without any
 * position or trade are left out. Answers are cached for CACHE_MS per (by, limit): the query
 * aggregates the whole trades table, and a leaderboard a few seconds old is fine.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';

/** How long one answer is reused, ms. */
export const CACHE_MS = 5_000;

interface Row {
  id: string;
  email: string;
  pnl: bigint;
  volume: bigint;
  notional: bigint;
}

/** The name shown for a user: the local part of the email. */
export function displayNameOf(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

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
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && now - hit.atMs < CACHE_MS) return hit.body;
    const order = by === 'pnl' ? 'pnl DESC, volume DESC' : 'volume DESC, pnl DESC';
    const rows = await ctx.prisma.$queryRawUnsafe<Row[]>(
      `WITH sides AS (
         SELECT maker_user_id AS user_id, qty,
                qty * CASE WHEN maker_outcome::text = 'YES' THEN yes_price_cents ELSE 100 - yes_price_cents END AS notional
           FROM trades
         UNION ALL
         SELECT taker_user_id, qty,
                qty * CASE WHEN taker_outcome::text = 'YES' THEN yes_price_cents ELSE 100 - yes_price_cents END
           FROM trades
       ), vol AS (
         SELECT user_id, sum(qty)::bigint AS volume, sum(notional)::bigint AS notional FROM sides GROUP BY user_id
       ), pnl AS (
         SELECT user_id, sum(realised_pnl_cents)::bigint AS pnl FROM positions GROUP BY user_id
       )
       SELECT u.id::text AS id, u.email, coalesce(pnl.pnl, 0)::bigint AS pnl,
              coalesce(vol.volume, 0)::bigint AS volume, coalesce(vol.notional, 0)::bigint AS notional
         FROM users u
         LEFT JOIN pnl ON pnl.user_id = u.id
         LEFT JOIN vol ON vol.user_id = u.id
        WHERE pnl.user_id IS NOT NULL OR vol.user_id IS NOT NULL
        ORDER BY ${order}, u.id
        LIMIT $1`,
      limit,
    );
    const body: schemas.LeaderboardResponse = {
      by,
      asOf: new Date(now).toISOString(),
      entries: rows.map((r, i) => ({
        rank: i + 1,
        userId: r.id,
        displayName: displayNameOf(r.email),
        realisedPnl: Number(r.pnl),
        volume: Number(r.volume),
        notional: Number(r.notional),
      })),
    };
    cache.set(key, { atMs: now, body });
    return body;
  });
};
