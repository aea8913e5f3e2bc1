/**
 * HTTP metrics and the Prometheus scrape endpoint.
 *
 * - Every response is counted in `http_requests_total` and timed in
 *   `http_request_duration_seconds` (seconds, Fastify's `reply.elapsedTime`), labelled by
 *   method, ROUTE PATTERN (e.g. `/api/orders/:marketSlug`, never the raw URL) and status.
 *   Requests that match no route share the label `unmatched`; unknown methods share `OTHER`,
 *   so a scanner cannot blow up the series count.
 * - `GET /metrics` answers the registry in Prometheus text format (engine queue depth is
 *   sampled at scrape time). With METRICS_TOKEN set it requires
 *   `Authorization: Bearer <METRICS_TOKEN>` (401 UNAUTHENTICATED otherwise; compared in
 *   constant time); without it, it is open (keep it off the public internet then).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';

/** Route label of a request that matched no route. */
export const UNMATCHED_ROUTE = 'unmatched';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Low-cardinality route label: the matched pattern, or `unmatched`. */
export function routeLabel(req: FastifyRequest): string {
  if (req.is404) return UNMATCHED_ROUTE;
  return req.routeOptions.url ?? UNMATCHED_ROUTE;
}

/** Constant-time comparison of two secrets (hashed first so lengths do not leak). */
function sameSecret(a: string, b: string): boolean {
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

/** `exchange` is absent on a socket gateway (INSTANCE_ROLE=gateway), which has no writer queue. */
export function registerMetrics(app: FastifyInstance, ctx: Pick<AppContext, 'env' | 'metrics'> & { exchange?: Pick<AppContext['exchange'], 'queueDepth'> }): void {
  const m = ctx.metrics;
  app.addHook('onResponse', (req, reply, done) => {
    const labels = { method: KNOWN_METHODS.has(req.method) ? req.method : 'OTHER', route: routeLabel(req), status: String(reply.statusCode) };
    m.httpRequestsTotal.inc(labels);
    m.httpRequestDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });

  app.withTypeProvider<ZodTypeProvider>().get('/metrics', {
    logLevel: 'warn', // scraped every few seconds
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics (text exposition format)',
      description: 'Protected by `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set. Not rate limited.',
      security: [{ bearer: [] }],
      response: {
        200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: z.string() } } },
        401: schemas.ErrorBody,
      },
    },
  }, async (req, reply) => {
    const token = ctx.env.METRICS_TOKEN;
    if (token !== undefined) {
      const h = req.headers.authorization;
      const presented = typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7).trim() : '';
      if (!sameSecret(presented, token)) throw new ApiError('UNAUTHENTICATED', 'metrics need Authorization: Bearer <METRICS_TOKEN>');
    }
    if (ctx.exchange !== undefined) m.engineQueueDepth.set(ctx.exchange.queueDepth);
    const body = await m.registry.metrics();
    return reply.header('content-type', m.registry.contentType).header('cache-control', 'no-store').send(body);
  });
}
