/**
 * Assembles a running exchange from configuration: database (embedded when DATABASE_URL is
 * unset), migrations, engine rebuild, admin bootstrap, demo seed, clock, HTTP app. Used by
 * server.ts, by integration tests and by benchmarks, so all run the same wiring.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import type { Env } from './env.ts';
import type { AppContext } from './context.ts';
import type { PrismaClient } from './db/types.ts';
import { createPrisma } from './db/prisma.ts';
import { migrateDeploy } from './db/migrate.ts';
import { startEmbeddedPostgres } from './db/embedded.ts';
import { Exchange, type EventPublisher, type ExchangeObserver } from './exchange/exchange.ts';
import { MarketDirectory } from './services/markets.ts';
import { bootstrapAdmin } from './services/users.ts';
import { seedDemo, type DemoCredentials } from './services/seed.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createRedis, type Redis } from './redis.ts';

export interface Runtime {
  ctx: AppContext;
  app: FastifyInstance;
  /** Base URL when listening. */
  url: string | null;
  demo: DemoCredentials | null;
  embeddedDatabase: boolean;
  /** Graceful shutdown: stop accepting, drain the queue (commit), close everything. */
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  /** Open the HTTP port (default true). */
  listen?: boolean;
  publisher?: EventPublisher;
  observer?: ExchangeObserver;
  app?: BuildAppOptions;
  /** Called with the app before it listens (realtime layer, metrics, ...). */
  beforeListen?: (rt: Omit<Runtime, 'url' | 'close'>) => Promise<void>;
  /** Called first on close (e.g. close sockets). */
  onClose?: () => Promise<void>;
  /** Wall clock for the engine (tests). */
  clock?: () => number;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
}

/** The JWT secret: JWT_SECRET, or one generated once and kept in DATA_DIR (development). */
function jwtSecret(env: Env): string {
  if (env.JWT_SECRET !== undefined) return env.JWT_SECRET;
  const file = path.resolve(env.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export async function startRuntime(env: Env, opts: RuntimeOptions = {}): Promise<Runtime> {
  const logger = opts.logger ?? pino({ level: env.LOG_LEVEL, redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password'] });
  let databaseUrl = env.DATABASE_URL;
  let stopDatabase: (() => Promise<void>) | null = null;
  if (databaseUrl === undefined) {
    const pg = await startEmbeddedPostgres({ dataDir: path.resolve(env.DATA_DIR, 'postgres') });
    databaseUrl = pg.url;
    stopDatabase = pg.stop;
    logger.info({ dataDir: path.resolve(env.DATA_DIR, 'postgres') }, 'embedded PostgreSQL started');
  }
  if (opts.migrate !== false) await migrateDeploy(databaseUrl);
  const prisma: PrismaClient = createPrisma(databaseUrl, { poolMax: env.DATABASE_POOL_MAX });
  const metrics = createMetrics();
  const redis: Redis | null = env.REDIS_URL === undefined ? null : createRedis(env.REDIS_URL);
  const exchange = new Exchange({
    prisma,
    logger,
    maxBatchCommands: env.MAX_BATCH_COMMANDS,
    engineConfig: { maxOrderQty: env.MAX_ORDER_QTY, maxOpenOrdersPerUserPerMarket: env.MAX_OPEN_ORDERS_PER_MARKET },
    ...(opts.publisher === undefined ? {} : { publisher: opts.publisher }),
    observer: combineObservers(metricsObserver(metrics), opts.observer),
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
  });
  await exchange.start();
  const ctx: AppContext = {
    env,
    logger,
    prisma,
    exchange,
    markets: new MarketDirectory(prisma),
    tokens: { secret: jwtSecret(env), accessTtlSec: env.ACCESS_TOKEN_TTL_SEC, refreshTtlSec: env.REFRESH_TOKEN_TTL_SEC },
    metrics,
    redis,
  };
  // Markets that fell due while the service was down close now, before anyone trades.
  await exchange.submit({ kind: 'clock', run: (e, now) => e.execute({ type: 'ADVANCE_TIME', tsMs: now }) });
  await bootstrapAdmin(ctx);
  const demo = (env.SEED_DEMO ?? stopDatabase !== null) ? await seedDemo(ctx) : null;

  const clockTimer = setInterval(() => {
    if (exchange.ready && exchange.queueDepth === 0) {
      exchange.submit({ kind: 'clock', run: (e, now) => e.execute({ type: 'ADVANCE_TIME', tsMs: now }) }).catch((err: unknown) => {
        logger.warn({ err }, 'clock tick failed');
      });
    }
  }, env.CLOCK_INTERVAL_MS);
  clockTimer.unref();

  const app = await buildApp(ctx, opts.app);
  const partial = { ctx, app, demo, embeddedDatabase: stopDatabase !== null };
  if (opts.beforeListen !== undefined) await opts.beforeListen(partial);
  let url: string | null = null;
  if (opts.listen !== false) {
    url = await app.listen({ host: env.HOST, port: env.PORT });
  } else {
    await app.ready();
  }
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(clockTimer);
      if (opts.onClose !== undefined) await opts.onClose();
      await app.close();
      await exchange.stop();
      await prisma.$disconnect();
      if (redis !== null) await redis.quit().catch(() => undefined);
      if (stopDatabase !== null) await stopDatabase();
    })();
    return closing;
  };
  return { ...partial, url, close };
}

/** Feed the writer's observations into Prometheus metrics. */
function metricsObserver(m: Metrics): ExchangeObserver {
  return {
    batchCommitted({ commands, events, executeMs, commitMs }) {
      m.commandsPerTransaction.observe(commands);
      m.orderMatchingDuration.observe(executeMs / 1000);
      m.databaseQueryDuration.observe({ operation: 'batch_commit' }, commitMs / 1000);
      for (const e of events) {
        if (e.type === 'ORDER_ACCEPTED') m.ordersPlacedTotal.inc({ type: e.order.orderType, outcome: e.order.outcome, side: e.order.side });
        else if (e.type === 'TRADE') m.tradesExecutedTotal.inc({ kind: e.kind });
      }
    },
    batchFailed() {
      m.batchFailuresTotal.inc();
    },
  };
}

function combineObservers(...observers: (ExchangeObserver | undefined)[]): ExchangeObserver {
  const list = observers.filter((o): o is ExchangeObserver => o !== undefined);
  return {
    batchCommitted: (info) => list.forEach((o) => o.batchCommitted?.(info)),
    batchFailed: (info) => list.forEach((o) => o.batchFailed?.(info)),
    jobDone: (info) => list.forEach((o) => o.jobDone?.(info)),
  };
}
