/**
 * The Fastify application as a plugin tree (fastify/demo style): external plugins, then
 * app services (auth, errors), then routes. No port is opened here: server.ts listens;
 * tests use `app.inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './context.ts';
import { registerErrorHandling } from './plugins/errors.ts';
import { registerAuth } from './plugins/auth.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';
import { authRoutes } from './routes/auth.ts';
import { marketRoutes } from './routes/markets.ts';
import { orderRoutes } from './routes/orders.ts';
import { userRoutes } from './routes/user.ts';
import { adminRoutes } from './routes/admin.ts';

export interface BuildAppOptions {
  /** Extra readiness checks, by name. */
  readinessChecks?: Record<string, ReadinessCheck>;
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as unknown as FastifyBaseLogger,
    bodyLimit: ctx.env.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(cookie);
  registerErrorHandling(app);
  registerAuth(app, ctx.tokens);

  await app.register(healthRoutes, { ctx, readinessChecks: opts.readinessChecks ?? {} });
  await app.register(authRoutes, { prefix: '/api/auth', ctx });
  await app.register(marketRoutes, { prefix: '/api/markets', ctx });
  await app.register(orderRoutes, { prefix: '/api/orders', ctx });
  await app.register(userRoutes, { prefix: '/api/user', ctx });
  await app.register(adminRoutes, { prefix: '/api/admin', ctx });
  return app;
}
