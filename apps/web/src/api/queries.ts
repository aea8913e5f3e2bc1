/** TanStack Query hooks over the SDK (one per resource the pages read). */
import { useQuery } from '@tanstack/react-query';
import type { schemas } from '@prediction-markets/shared';
import { client, unwrapResult } from './client.ts';
import { qk } from './keys.ts';

export function useMarkets() {
  return useQuery({ queryKey: qk.markets, queryFn: async () => unwrapResult(await client.listMarkets({ limit: 200 })), refetchInterval: 30_000 });
}

export function useMarketStats() {
  return useQuery({ queryKey: qk.marketStats, queryFn: async () => unwrapResult(await client.getMarketStats()), refetchInterval: 60_000 });
}

/** The query of one market's REST view (useMarket, and the prefetch at start-up in main.tsx). */
export function marketQuery(slug: string) {
  return { queryKey: qk.market(slug), queryFn: async () => unwrapResult(await client.getMarket(slug)) };
}

export function useMarket(slug: string) {
  return useQuery(marketQuery(slug));
}

export function useResolution(slug: string, enabled: boolean) {
  return useQuery({ queryKey: qk.resolution(slug), queryFn: async () => unwrapResult(await client.getResolution(slug)), enabled });
}

export function useTrades(slug: string) {
  return useQuery({ queryKey: qk.trades(slug), queryFn: async () => unwrapResult(await client.getTrades(slug, { limit: 50 })) });
}

export function usePriceHistory(slug: string, range: schemas.PriceHistoryRange) {
  return useQuery({ queryKey: qk.history(slug, range), queryFn: async () => unwrapResult(await client.getPriceHistory(slug, { range })) });
}

/** The caller's orders (all statuses), in one market or all. */
export function useMyOrders(slug: string | null, enabled: boolean) {
  return useQuery({
    queryKey: qk.myOrders(slug),
    queryFn: async () => unwrapResult(await client.getMyOrders({ limit: 200, ...(slug === null ? {} : { market: slug }) })),
    enabled,
  });
}

export function useBalance(enabled: boolean) {
  return useQuery({ queryKey: qk.balance, queryFn: async () => unwrapResult(await client.getBalance()), enabled });
}

export function usePortfolio(enabled: boolean) {
  return useQuery({ queryKey: qk.portfolio, queryFn: async () => unwrapResult(await client.getPortfolio()), enabled });
}

export function useLedger(before: number | null, enabled: boolean) {
  return useQuery({
    queryKey: qk.ledger(before),
    queryFn: async () => unwrapResult(await client.getLedger({ limit: 25, ...(before === null ? {} : { before }) })),
    enabled,
  });
}

/** The caller's fills across markets, newest first, 25 a page from the cursor `before` (a trade id). */
export function useFills(before: number | null, enabled: boolean) {
  return useQuery({
    queryKey: qk.fills(before),
    queryFn: async () => unwrapResult(await client.getFills({ limit: 25, ...(before === null ? {} : { before }) })),
    enabled,
  });
}

export function useNotifications(enabled: boolean) {
  return useQuery({ queryKey: qk.notifications, queryFn: async () => unwrapResult(await client.getNotifications({ limit: 20 })), enabled });
}

export function useLeaderboard(by: schemas.LeaderboardBy) {
  return useQuery({ queryKey: qk.leaderboard(by), queryFn: async () => unwrapResult(await client.getLeaderboard({ by, limit: 50 })) });
}
