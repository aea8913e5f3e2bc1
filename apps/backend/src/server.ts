/**
 * The only file that listens. `pnpm start` runs this (as the bundle dist/server/index.mjs,
 * scripts/build.mjs): with no DATABASE_URL it starts an embedded PostgreSQL under DATA_DIR,
 * applies migrations, seeds demo data once and serves.
 *
 * Only the configuration and the embedded database's module are imported up front: the
 * embedded PostgreSQL starts first, and the rest of the service loads (dynamic imports, lazy
 * in the bundle too) while the cluster starts in its own processes.
 */
import { loadEnv } from './env.ts';
import { startEmbeddedDatabase, type EmbeddedPostgresHandle } from './db/embedded.ts';
import type { RunningHouse } from './house/maker.ts';

async function main(): Promise<void> {
  const env = loadEnv();
  let embeddedDatabase: Promise<EmbeddedPostgresHandle> | undefined;
  if (env.INSTANCE_ROLE !== 'gateway' && env.DATABASE_URL === undefined) {
    embeddedDatabase = startEmbeddedDatabase(env.DATA_DIR);
    embeddedDatabase.catch(() => undefined); // awaited (and reported) by startRuntime
  }
  const [{ createLogger }, { startRuntime }] = await Promise.all([import('./logger.ts'), import('./runtime.ts')]);
  const logger = createLogger(env);
  if (env.INSTANCE_ROLE === 'gateway') {
    const { runGateway } = await import('./realtime/gateway.ts');
    return runGateway(env, logger);
  }
  const rt = await startRuntime(env, { logger, ...(embeddedDatabase === undefined ? {} : { embeddedDatabase }) });
  const base = (rt.url ?? '').replace('0.0.0.0', 'localhost');
  // The house maker: an ordinary socket client of this server (src/house/maker.ts).
  let house: RunningHouse | null = null;
  if ((env.HOUSE_MAKER ?? (rt.embeddedDatabase ? 'on' : 'off')) === 'on' && rt.url !== null) {
    const { startHouseMaker } = await import('./house/maker.ts');
    house = await startHouseMaker(rt.ctx, rt.url.replace('0.0.0.0', '127.0.0.1'), { demo: rt.demo !== null, logger });
  }
  const lines = [
    '',
    `  Prediction-markets exchange is up${rt.embeddedDatabase ? ' (embedded PostgreSQL)' : ''}`,
    `    web UI     ${base}/`,
    `    API        ${base}/api/markets   (OpenAPI: ${base}/docs)`,
    `    health     ${base}/health   readiness ${base}/ready`,
    `    socket     ${base.replace(/^http/, 'ws')}/ws`,
  ];
  if (rt.demo !== null) {
    lines.push('    demo users (email / password):');
    for (const u of rt.demo.users) lines.push(`      ${u.email} / ${u.password}`);
  }
  if (env.ADMIN_EMAIL !== undefined) lines.push(`    admin      ${env.ADMIN_EMAIL}`);
  process.stdout.write(`${lines.join('\n')}\n\n`);

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining the command queue');
    const force = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, 30_000);
    force.unref();
    const stopHouse = (house?.stop() ?? Promise.resolve()).catch((err: unknown) => logger.error({ err }, 'house maker stop failed'));
    stopHouse.then(() => rt.close()).then(
      () => {
        logger.info('shut down cleanly');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
