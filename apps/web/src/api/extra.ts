/**
 * Endpoints the SDK has no typed method for yet (added with the web UI): price history,
 * 24 h market stats, leaderboard. Called through the SDK's generic `request` (same session,
 * refresh and retry rules); shapes are the shared zod types.
 */
import type { schemas } from '@prediction-markets/shared';
import { client, unwrapResult } from './client.ts';

export async function fetchPriceHistory(slug: string, range: schemas.PriceHistoryRange): Promise<schemas.PriceHistoryResponse> {
  return unwrapResult(await client.request<schemas.PriceHistoryResponse>('GET', `/api/markets/${encodeURIComponent(slug)}/history`, { query: { range }, idempotent: true }));
}

export async function fetchMarketStats(): Promise<schemas.MarketStatsResponse> {
  return unwrapResult(await client.request<schemas.MarketStatsResponse>('GET', '/api/market-stats', { idempotent: true }));
}

export async function fetchLeaderboard(by: schemas.LeaderboardBy, limit = 50): Promise<schemas.LeaderboardResponse> {
  return unwrapResult(await client.request<schemas.LeaderboardResponse>('GET', '/api/leaderboard', { query: { by, limit }, idempotent: true }));
}
