/**
 * A socket GATEWAY instance (INSTANCE_ROLE=gateway): serves Socket.IO clients to scale out
 * connections, with no engine and no writes of its own (docs/realtime.md, "Instances and
 * roles"). It needs the writer's DATABASE_URL and REDIS_URL, and the writer's JWT secret.
 *
 * - Market messages arrive from the writer over Redis pub/sub and fan out to its sockets.
 * - `subscribe:market` snapshots come from the database (one consistent statement).
 * - Socket trading and cancel-on-disconnect are forwarded to the writer over Redis and run
 *   there through the same services as REST (trading.ts).
 * - HTTP: /health, /ready and /metrics (the same registry as the writer's, socket metrics
 *   included; METRICS_TOKEN protects it the same way); the REST API is the writer's.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import pino from 'pino';
import type { Env } from '../env.ts';
import { createPrisma } from '../db/prisma.ts';
import type { PrismaClient } from '../db/types.ts';
import { createMetrics } from '../metrics.ts';
import { registerErrorHandling } from '../plugins/errors.ts';
import { registerMetrics } from '../plugins/metrics.ts';
import { createRedis } from '../redis.ts';
import { jwtSecret } from '../runtime.ts';
import { MarketDirectory } from '../markets/directory.ts';
import { RedisBus } from './bus.ts';
import { createRealtimeServer, type RealtimeServer } from './server.ts';
import { databaseSnapshots } from './snapshot.ts';
import { remoteTrading } from './trading.ts';

export interface Gateway {
  app: FastifyInstance;
  realtime: RealtimeServer;
  prisma: PrismaClient;
  /** Base URL when listening. */
  url: string | null;
  close(): Promise<void>;
}

export interface GatewayOptions {
  logger?: Logger;
  /** Open the HTTP port (default true). */
  listen?: boolean;
}

/** Start a gateway. Throws when DATABASE_URL or REDIS_URL is missing (a gateway cannot run alone). */
export async function startGateway(env: Env, opts: GatewayOptions = {}): Promise<Gateway> {
  if (env.REDIS_URL === undefined) throw new Error('INSTANCE_ROLE=gateway needs REDIS_URL (the writer publishes its events there)');
  if (env.DATABASE_URL === undefined) throw new Error("INSTANCE_ROLE=gateway needs DATABASE_URL (the writer's database, read for snapshots)");
  const logger = opts.logger ?? pino({ level: env.LOG_LEVEL });
  const prisma = createPrisma(env.DATABASE_URL, { poolMax: env.DATABASE_POOL_MAX });
  const redis = createRedis(env.REDIS_URL);
  const metrics = createMetrics();
  const trading = await remoteTrading(redis, logger, env.REALTIME_RPC_TIMEOUT_MS);
  const app = Fastify({ loggerInstance: logger as unknown as FastifyBaseLogger });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandling(app);
  registerMetrics(app, { env, metrics });
  app.get('/health', async () => ({ status: 'ok', role: 'gateway' }));
  app.get('/ready', async (_req, reply) => {
    const checks: Record<string, { ok: boolean; detail: string }> = {};
    try {
      await prisma.$queryRawUnsafe('SELECT 1');
      checks.database = { ok: true, detail: 'reachable' };
    } catch (err) {
      checks.database = { ok: false, detail: (err as Error).message.split('\n')[0] ?? 'unreachable' };
    }
    checks.redis = redis.status === 'ready' ? { ok: true, detail: 'connected' } : { ok: false, detail: redis.status };
    const ready = Object.values(checks).every((c) => c.ok);
    return reply.status(ready ? 200 : 503).send({ ready, checks });
  });
  const realtime = await createRealtimeServer(app.server, {
    env,
    logger,
    metrics,
    redis,
    tokens: { secret: jwtSecret(env), accessTtlSec: env.ACCESS_TOKEN_TTL_SEC, refreshTtlSec: env.REFRESH_TOKEN_TTL_SEC },
    markets: new MarketDirectory(prisma),
    snapshots: databaseSnapshots(prisma),
    trading,
    bus: new RedisBus(redis, logger),
  });
  let url: string | null = null;
  if (opts.listen !== false) url = await app.listen({ host: env.HOST, port: env.PORT });
  else await app.ready();
  let closing: Promise<void> | null = null;
  return {
    app,
    realtime,
    prisma,
    url,
    close() {
      closing ??= (async () => {
        await realtime.close();
        await trading.close();
        await app.close();
        await prisma.$disconnect();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}

/** `pnpm start` with INSTANCE_ROLE=gateway: start, print where, stop cleanly on SIGTERM/SIGINT. */
export async function runGateway(env: Env, logger: Logger): Promise<void> {
  const gw = await startGateway(env, { logger });
  const base = (gw.url ?? '').replace('0.0.0.0', 'localhost');
  process.stdout.write(`\n  Prediction-markets socket gateway is up\n    socket     ${base.replace(/^http/, 'ws')}/ws\n    health     ${base}/health   readiness ${base}/ready\n\n`);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway shutting down');
    gw.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'gateway shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
