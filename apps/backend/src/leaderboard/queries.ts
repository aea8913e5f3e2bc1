/** Reads of the leaderboard: the ONLY place this feature reads. */
import type { schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';

/** One trader's totals: realised P&L and volume in integer cents and shares. */
export interface LeaderboardRow {
  id: string;
  email: string;
  /** Sum of positions.realised_pnl_cents over every market, cents. */
  pnl: bigint;
  /** Shares traded as maker or taker. */
  volume: bigint;
  /** Notional of those shares at each side's own price, cents. */
  notional: bigint;
}

/**
 * The top `limit` traders by realised P&L (`by` = pnl) or by volume, users with no position
 * and no trade left out; ties broken by the other figure, then by user id. (The NO price of a
 * side is computed in SQL as 100 - the YES price: the same rule as packages/shared mirror.ts.)
 */
export async function leaderboardRows(prisma: PrismaClient, by: schemas.LeaderboardBy, limit: number): Promise<LeaderboardRow[]> {
  const order = by === 'pnl' ? 'pnl DESC, volume DESC' : 'volume DESC, pnl DESC';
  return prisma.$queryRawUnsafe<LeaderboardRow[]>(
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
}
