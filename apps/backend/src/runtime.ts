/**
 * Assembles a running exchange from configuration: database (embedded when DATABASE_URL is
 * unset), migrations, engine rebuild, admin bootstrap, demo seed, clock, HTTP app. Used by
 * server.ts, by integration tests and by benchmarks, so all run the same wiring.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Env } from './env.ts';
import type { AppContext } from './context.ts';
import type { PrismaClient } from './db/types.ts';
import { createPrisma } from './db/prisma.ts';
import { migrateDeploy } from './db/migrate.ts';
import { embeddedDataDir, startEmbeddedDatabase, type EmbeddedPostgresHandle } from './db/embedded.ts';
import { acquireWriterLock } from './db/writer-lock.ts';
import { Exchange, type EventPublisher, type ExchangeObserver } from './exchange/exchange.ts';
import { MarketDirectory } from './markets/directory.ts';
import { advanceClock } from './markets/commands.ts';
import { bootstrapAdmin } from './auth/commands.ts';
import { SessionRevocations } from './auth/sessions.ts';
import { recentlyRevokedSessions } from './auth/tokens.ts';
import { createLimits } from './entrance/limits.ts';
import { HouseLevels } from './house/levels.ts';
import { ensureHouseUser } from './house/commands.ts';
import { seedDemo, type DemoCredentials } from './demo/seed.ts';
import { configureIdempotency, purgeExpiredIdempotencyKeys } from './markets/idempotency.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createRedis, type Redis } from './redis.ts';
import { attachRealtime, type Realtime, type RealtimeOptions } from './realtime/index.ts';
import { createLogger } from './logger.ts';
import { initErrorTracking, type ErrorTrackingOptions } from './error-tracking.ts';

export interface Runtime {
  ctx: AppContext;
  app: FastifyInstance;
  /** Base URL when listening. */
  url: string | null;
  demo: DemoCredentials | null;
  embeddedDatabase: boolean;
  /** The Socket.IO realtime layer (path /ws), null when left out (RuntimeOptions.realtime false). */
  realtime: Realtime | null;
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
  /** The Socket.IO realtime layer (docs/realtime.md): on by default; false leaves it out. */
  realtime?: false | RealtimeOptions;
  /** Called with the app before it listens (realtime layer, metrics, ...). */
  beforeListen?: (rt: Omit<Runtime, 'url' | 'close'>) => Promise<void>;
  /** Called first on close (e.g. close sockets). */
  onClose?: () => Promise<void>;
  /** Wall clock for the engine (tests). */
  clock?: () => number;
  /** Apply migrations at start (default: env MIGRATE_ON_START, i.e. not in production; always with the embedded database). */
  migrate?: boolean;
  /** Error-tracking overrides (tests: a capturing transport). Used only when SENTRY_DSN is set. */
  errorTracking?: ErrorTrackingOptions;
  /**
   * The embedded PostgreSQL (used only when DATABASE_URL is unset), already starting: server.ts
   * starts it with `startEmbeddedDatabase` before it loads the rest of the service, so the
   * cluster starts while the modules load. Default: started here.
   */
  embeddedDatabase?: Promise<EmbeddedPostgresHandle>;
}


/** The JWT secret: JWT_SECRET, or one generated once and kept in DATA_DIR (development). */
export function jwtSecret(env: Env): string {
  if (env.JWT_SECRET !== undefined) return env.JWT_SECRET;
  const file = path.resolve(env.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

export async function startRuntime(env: Env, opts: RuntimeOptions = {}): Promise<Runtime> {
  // Start-up timings (logged once ready; `pnpm bench:restart` reads them): ms since the process
  // began. The database start counts only the wait left after the process start (server.ts
  // starts the embedded database while the modules load).
  const processStartMs = performance.now();
  const logger = opts.logger ?? createLogger(env);
  const errorTracker = await initErrorTracking(env, opts.errorTracking);
  let databaseUrl = env.DATABASE_URL;
  let stopDatabase: (() => Promise<void>) | null = null;
  if (databaseUrl === undefined) {
    const pg = await (opts.embeddedDatabase ?? startEmbeddedDatabase(env.DATA_DIR));
    databaseUrl = pg.url;
    stopDatabase = pg.stop;
    const requested = embeddedDataDir(env.DATA_DIR);
    if (pg.dataDir === requested) logger.info({ dataDir: pg.dataDir }, 'embedded PostgreSQL started');
    else logger.warn({ dataDir: pg.dataDir, requested }, `embedded PostgreSQL started with its data in ${pg.dataDir}: the 'postgres' OS user cannot reach ${requested}`);
  }
  const databaseStartedMs = performance.now();
  const migrate = opts.migrate ?? (stopDatabase !== null || (env.MIGRATE_ON_START ?? env.NODE_ENV !== 'production'));
  if (migrate) await migrateDeploy(databaseUrl);
  // Exactly one writer per database (db/writer-lock.ts); released last on close.
  let closeOnLostLock: (() => void) | null = null;
  const writerLock = await acquireWriterLock(databaseUrl, (err) => {
    logger.fatal({ err }, 'lost the writer lock: stopping');
    closeOnLostLock?.();
  });
  const prisma: PrismaClient = createPrisma(databaseUrl, { poolMax: env.DATABASE_POOL_MAX });
  const metrics = createMetrics();
  const redis: Redis | null = env.REDIS_URL === undefined ? null : createRedis(env.REDIS_URL);
  // ioredis reconnects by itself; without a listener it prints every failure to stderr.
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis connection error'));
  const exchange = new Exchange({
    prisma,
    ...(env.WRITER_SQL === 'pg' ? { databaseUrl } : {}),
    rebuildDatabaseUrl: databaseUrl,
    logger,
    maxBatchCommands: env.MAX_BATCH_COMMANDS,
    maxQueueDepth: env.WRITER_QUEUE_MAX,
    commitMode: env.WRITER_COMMIT,
    engineConfig: {
      maxOrderQty: env.MAX_ORDER_QTY,
      maxOpenOrdersPerUserPerMarket: env.MAX_OPEN_ORDERS_PER_MARKET,
      clientOrderIdRetentionMs: env.CLIENT_ORDER_ID_RETENTION_SEC * 1000,
    },
    ...(opts.publisher === undefined ? {} : { publisher: opts.publisher }),
    observer: combineObservers(
      metricsObserver(metrics),
      errorTracker === null ? undefined : { batchFailed: ({ error }) => errorTracker.captureError(error, { component: 'exchange' }) },
      opts.observer,
    ),
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
  });
  metrics.setEngineStatsSource(() => exchange.engineStats());
  const migratedMs = performance.now();
  // Prisma's first query loads its query compiler: let that overlap the rebuild's database read.
  const prismaWarm = prisma.$queryRawUnsafe('SELECT 1').catch(() => undefined);
  try {
    await exchange.start();
    await prismaWarm;
  } catch (err) {
    await prisma.$disconnect().catch(() => undefined);
    await writerLock.release();
    if (stopDatabase !== null) await stopDatabase().catch(() => undefined);
    throw err;
  }
  const rebuiltMs = performance.now();
  // Revoked sessions (auth/sessions.ts), reloaded so that a restart does not reopen them.
  const sessions = new SessionRevocations(env.ACCESS_TOKEN_TTL_SEC * 1000, redis, logger);
  for (const r of await recentlyRevokedSessions(prisma, env.ACCESS_TOKEN_TTL_SEC * 1000)) sessions.remember(r, r.revokedAtMs);
  const ctx: AppContext = {
    env,
    logger,
    prisma,
    exchange,
    markets: new MarketDirectory(prisma),
    tokens: { secret: jwtSecret(env), accessTtlSec: env.ACCESS_TOKEN_TTL_SEC, refreshTtlSec: env.REFRESH_TOKEN_TTL_SEC, sessions },
    metrics,
    redis,
    limits: createLimits(env, redis),
    house: new HouseLevels(null),
  };
  await ctx.markets.load();
  // Markets that fell due while the service was down close now, before anyone trades.
  await advanceClock(exchange);
  await bootstrapAdmin(ctx);
  // The HOUSE user exists before the realtime layer seeds its book shares (house/levels.ts).
  const houseId = await ensureHouseUser(ctx);
  ctx.house = new HouseLevels(houseId);
  // The house market maker quotes under the market-maker rate tier (entrance/limits.ts).
  ctx.limits.addMaker(houseId);
  const demo = (env.SEED_DEMO ?? stopDatabase !== null) ? await seedDemo(ctx) : null;
  const stateLoadedMs = performance.now();

  const clockTimer = setInterval(() => {
    if (exchange.ready && exchange.queueDepth === 0) {
      advanceClock(exchange).catch((err: unknown) => {
        logger.warn({ err }, 'clock tick failed');
      });
    }
  }, env.CLOCK_INTERVAL_MS);
  clockTimer.unref();

  // Idempotency keys live for IDEMPOTENCY_RETENTION_SEC; expired ones are deleted in batches.
  configureIdempotency({ retentionMs: env.IDEMPOTENCY_RETENTION_SEC * 1000 });
  const purgeIdempotencyKeys = (): void => {
    purgeExpiredIdempotencyKeys(prisma).then(
      (deleted) => {
        if (deleted > 0) logger.info({ deleted }, 'expired idempotency keys deleted');
      },
      (err: unknown) => logger.warn({ err }, 'deleting expired idempotency keys failed'),
    );
  };
  purgeIdempotencyKeys();
  const purgeTimer = setInterval(purgeIdempotencyKeys, env.IDEMPOTENCY_PURGE_INTERVAL_SEC * 1000);
  purgeTimer.unref();

  const readinessChecks = { ...opts.app?.readinessChecks };
  if (redis !== null) readinessChecks.redis ??= () => redisReadiness(redis);
  const app = await buildApp(ctx, { ...opts.app, readinessChecks, errorTracker });
  const realtime = opts.realtime === false ? null : await attachRealtime(ctx, app.server, { ...opts.realtime, ...(opts.publisher === undefined ? {} : { chain: opts.publisher }) });
  const partial = { ctx, app, demo, embeddedDatabase: stopDatabase !== null, realtime };
  if (opts.beforeListen !== undefined) await opts.beforeListen(partial);
  let url: string | null = null;
  if (opts.listen !== false) {
    url = await app.listen({ host: env.HOST, port: env.PORT });
  } else {
    await app.ready();
  }
  const rebuild = exchange.lastRebuild;
  const round = (v: number): number => Math.round(v * 10) / 10;
  logger.info(
    {
      startup: {
        processStartMs: round(processStartMs),
        databaseStartMs: round(databaseStartedMs - processStartMs),
        migrateAndLockMs: round(migratedMs - databaseStartedMs),
        snapshotLoadMs: round(rebuild?.loadMs ?? 0),
        engineRestoreMs: round(rebuild?.restoreMs ?? 0),
        invariantCheckMs: round(rebuild?.checkMs ?? 0),
        openOrders: rebuild?.openOrders ?? 0,
        // rebuild done -> sessions, markets, clock, admin, house user, demo seed
        stateLoadMs: round(stateLoadedMs - rebuiltMs),
        // -> HTTP app, realtime layer, listening
        appStartMs: round(performance.now() - stateLoadedMs),
        readyMs: round(performance.now()),
      },
    },
    'start-up timings',
  );
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    // Order matters: nothing new comes in (sockets, then HTTP: requests already running
    // finish, new ones get 503 SHUTTING_DOWN), then every queued command is executed and
    // committed, then the connections go. A failing step does not skip the later ones; the
    // first failure is rethrown at the end.
    closing ??= (async () => {
      clearInterval(clockTimer);
      clearInterval(purgeTimer);
      let failure: unknown = null;
      const step = async (name: string, fn: () => Promise<unknown>): Promise<void> => {
        try {
          await fn();
        } catch (err) {
          logger.error({ err, step: name }, 'shutdown step failed');
          failure ??= err;
        }
      };
      if (opts.onClose !== undefined) await step('sockets', opts.onClose);
      if (realtime !== null) await step('realtime', () => realtime.close());
      await step('http', () => app.close());
      await step('engine queue', () => exchange.stop());
      await step('database client', () => prisma.$disconnect());
      await step('writer lock', () => writerLock.release());
      if (redis !== null) await step('redis', () => redis.quit().catch(() => redis.disconnect()));
      if (errorTracker !== null) await step('error tracking', () => errorTracker.close());
      if (stopDatabase !== null) await step('embedded database', stopDatabase);
      if (failure !== null) throw failure;
    })();
    return closing;
  };
  closeOnLostLock = () => {
    close().catch(() => undefined);
  };
  return { ...partial, url, close };
}

/** Readiness of Redis: PING answered PONG within 2 s. */
async function redisReadiness(redis: Redis): Promise<{ ok: boolean; detail: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to PING within 2 s (${redis.status})`)), 2000);
  });
  try {
    const pong = await Promise.race([redis.ping(), timeout]);
    return { ok: pong === 'PONG', detail: pong === 'PONG' ? 'PING answered' : `PING answered ${String(pong)}` };
  } finally {
    clearTimeout(timer);
  }
}

/** Feed the writer's observations into Prometheus metrics. */
function metricsObserver(m: Metrics): ExchangeObserver {
  return {
    batchCommitted({ commands, events, executeMs, commitMs }) {
      m.commandsPerTransaction.observe(commands);
      m.orderMatchingDuration.observe(executeMs / 1000);
      m.databaseQueryDuration.observe({ operation: 'batch_commit' }, commitMs / 1000);
      // Counted per label set, then one `inc` each: prom-client hashes the labels on every call.
      const placed = new Map<string, { type: string; outcome: string; side: string; n: number }>();
      const trades = new Map<string, number>();
      for (const e of events) {
        if (e.type === 'ORDER_ACCEPTED') {
          const key = `${e.order.orderType}|${e.order.outcome}|${e.order.side}`;
          const c = placed.get(key);
          if (c === undefined) placed.set(key, { type: e.order.orderType, outcome: e.order.outcome, side: e.order.side, n: 1 });
          else c.n++;
        } else if (e.type === 'TRADE') trades.set(e.kind, (trades.get(e.kind) ?? 0) + 1);
      }
      for (const { n, ...labels } of placed.values()) m.ordersPlacedTotal.inc(labels, n);
      for (const [kind, n] of trades) m.tradesExecutedTotal.inc({ kind }, n);
    },
    batchFailed() {
      m.batchFailuresTotal.inc();
    },
    queueRejected() {
      m.queueRejectionsTotal.inc();
    },
  };
}

function combineObservers(...observers: (ExchangeObserver | undefined)[]): ExchangeObserver {
  const list = observers.filter((o): o is ExchangeObserver => o !== undefined);
  return {
    batchCommitted: (info) => list.forEach((o) => o.batchCommitted?.(info)),
    batchFailed: (info) => list.forEach((o) => o.batchFailed?.(info)),
    jobDone: (info) => list.forEach((o) => o.jobDone?.(info)),
    queueRejected: (info) => list.forEach((o) => o.queueRejected?.(info)),
  };
}
