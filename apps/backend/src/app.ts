/**
 * The Fastify application as a plugin tree (fastify/demo style): external plugins, then
 * app services (auth, errors), then routes. No port is opened here: server.ts listens;
 * tests use `app.inject()`.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AppContext } from './context.ts';
import { registerErrorHandling, toApiError } from './plugins/errors.ts';
import { registerAuth } from './plugins/auth.ts';
import { healthRoutes, type ReadinessCheck } from './health/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { marketRoutes } from './markets/routes.ts';
import { orderRoutes } from './orders/routes.ts';
import { accountRoutes } from './accounts/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { houseRoutes } from './house/routes.ts';
import { lazyRequestLoggerFactory, requestId } from './logger.ts';
import { registerSecurity } from './plugins/security.ts';
import { registerRateLimits } from './plugins/rate-limit.ts';
import { registerMetrics } from './plugins/metrics.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { registerErrorTracking, type ErrorTracker } from './error-tracking.ts';
import { registerWebFeatures } from './web/index.ts';

export interface BuildAppOptions {
  /** Extra readiness checks, by name. */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Where unexpected errors are reported (Sentry when SENTRY_DSN is set); default none. */
  errorTracker?: ErrorTracker | null;
}

export async function buildApp(ctx: AppContext, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as unknown as FastifyBaseLogger,
    // Each request's logger is made on its first line (logger.ts): most requests write none.
    childLoggerFactory: lazyRequestLoggerFactory as unknown as NonNullable<FastifyServerOptions['childLoggerFactory']>,
    bodyLimit: ctx.env.BODY_LIMIT_BYTES,
    // reqId: a well-formed incoming x-request-id, else a UUID (logger.ts); echoed by security.ts.
    requestIdHeader: false,
    genReqId: requestId,
    // Trust X-Forwarded-For from exactly TRUST_PROXY_HOPS proxies (hop i counts from our side).
    trustProxy: (_address: string, hop: number) => hop < ctx.env.TRUST_PROXY_HOPS,
    // security.ts answers requests arriving during shutdown with 503 SHUTTING_DOWN instead.
    return503OnClosing: false,
    // Routing errors (malformed URL encoding, a path parameter over 100 characters) skip the
    // error handler: answer them in the API's `{ error: { code, message } }` shape too.
    frameworkErrors: (err, _req, reply) => {
      const api = toApiError(err);
      void (reply as unknown as FastifyReply).status(api?.status ?? 400).send(api?.toBody() ?? { error: { code: 'BAD_REQUEST', message: err.message } });
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Edge first (request id, shutdown guard, helmet, CORS), then services, then routes.
  await registerSecurity(app, ctx.env);
  await app.register(cookie);
  registerErrorHandling(app);
  registerErrorTracking(app, opts.errorTracker ?? null);
  registerAuth(app, ctx.tokens);
  registerRateLimits(app, ctx.limits);
  await registerOpenApi(app); // before any route: it collects them as they are added
  registerMetrics(app, ctx);

  await app.register(healthRoutes, { ctx, readinessChecks: opts.readinessChecks ?? {} });
  await app.register(authRoutes, { prefix: '/api/auth', ctx });
  await app.register(marketRoutes, { prefix: '/api/markets', ctx });
  await app.register(orderRoutes, { prefix: '/api/orders', ctx });
  await app.register(accountRoutes, { prefix: '/api/user', ctx });
  await app.register(adminRoutes, { prefix: '/api/admin', ctx });
  await app.register(houseRoutes, { prefix: '/api/house', ctx });
  await registerWebFeatures(app, ctx); // price history, leaderboard, the UI at / (last)
  return app;
}
