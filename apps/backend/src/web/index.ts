/**
 * What the web UI adds to the service, registered by app.ts after the API routes:
 * price history and 24 h market stats (../markets/history.ts), the leaderboard
 * (../leaderboard/routes.ts), and the built UI itself at / (./static.ts, last: its
 * catch-all route only answers paths no other route has).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from '../context.ts';
import { marketHistoryRoutes, marketStatsRoutes } from '../markets/history.ts';
import { leaderboardRoutes } from '../leaderboard/routes.ts';
import { registerWebApp } from './static.ts';

export async function registerWebFeatures(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  await typed.register(marketHistoryRoutes, { prefix: '/api/markets', ctx });
  await typed.register(marketStatsRoutes, { prefix: '/api/market-stats', ctx });
  await typed.register(leaderboardRoutes, { prefix: '/api/leaderboard', ctx });
  await registerWebApp(app);
}
