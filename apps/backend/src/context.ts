/**
 * The services a Fastify app is built from (see app.ts). server.ts creates them for
 * production; tests create them against a test database.
 */
import type { Logger } from 'pino';
import type { Env } from './env.ts';
import type { PrismaClient } from './db/types.ts';
import type { Exchange } from './exchange/exchange.ts';
import type { TokenConfig } from './auth/tokens.ts';
import type { MarketDirectory } from './markets/directory.ts';
import type { Limits } from './entrance/limits.ts';
import type { Metrics } from './metrics.ts';
import type { Redis } from './redis.ts';
import type { HouseLevels } from './house/levels.ts';

export interface AppContext {
  env: Env;
  logger: Logger;
  prisma: PrismaClient;
  exchange: Exchange;
  tokens: TokenConfig;
  markets: MarketDirectory;
  metrics: Metrics;
  /** Command connection when REDIS_URL is set, else null (single process, in memory). */
  redis: Redis | null;
  /** Rate limiters shared by REST and sockets (entrance/limits.ts). */
  limits: Limits;
  /** The house market maker's share of each book level (house/levels.ts). */
  house: HouseLevels;
}
