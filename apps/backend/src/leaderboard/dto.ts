/** Mapping of the leaderboard's rows to the shared schema: the ONLY place this feature maps. */
import type { schemas } from '@prediction-markets/shared';
import type { LeaderboardRow } from './queries.ts';

/** The name shown for a user: the local part of the email. */
export function displayNameOf(email: string): string {
  const at = email.indexOf('@');
  return at > 0 ? email.slice(0, at) : email;
}

/** LeaderboardResponse of rows in rank order, as of `nowMs` (epoch ms). */
export function leaderboardDto(by: schemas.LeaderboardBy, nowMs: number, rows: readonly LeaderboardRow[]): schemas.LeaderboardResponse {
  return {
    by,
    asOf: new Date(nowMs).toISOString(),
    entries: rows.map((r, i) => ({
      rank: i + 1,
      userId: r.id,
      displayName: displayNameOf(r.email),
      realisedPnl: Number(r.pnl),
      volume: Number(r.volume),
      notional: Number(r.notional),
    })),
  };
}
