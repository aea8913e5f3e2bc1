import { z } from 'zod';
import { Uuid } from './common.ts';

/** What the leaderboard ranks by: realised P&L (cents, all markets) or volume (shares traded as maker or taker). */
export const LeaderboardBy = z.enum(['pnl', 'volume']);
export type LeaderboardBy = z.infer<typeof LeaderboardBy>;

/** GET /api/leaderboard?by=pnl&limit=50 */
export const LeaderboardQuery = z.object({
  by: LeaderboardBy.default('pnl'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const LeaderboardEntryDto = z.object({
  rank: z.int().min(1),
  userId: Uuid,
  /** The part of the email before the @ (emails are not shown in full). */
  displayName: z.string(),
  /** Realised profit and loss over every market, cents (settlements and closed trades). */
  realisedPnl: z.int(),
  /** Shares traded, as maker or taker. */
  volume: z.int().min(0),
  /** Cents traded (price x shares, each fill at the user's own price). */
  notional: z.int().min(0),
});
export type LeaderboardEntryDto = z.infer<typeof LeaderboardEntryDto>;

export const LeaderboardResponse = z.object({ by: LeaderboardBy, entries: z.array(LeaderboardEntryDto), asOf: z.string() });
export type LeaderboardResponse = z.infer<typeof LeaderboardResponse>;
