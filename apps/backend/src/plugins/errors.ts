/**
 * The REST side of error mapping (entrance/errors.ts is shared with sockets): every failure
 * leaves as `{ "error": { "code", "message" } }` with the status from the shared catalogue; a
 * refused rate limit (RATE_LIMITED) or a full writer queue (QUEUE_FULL) adds `Retry-After` from
 * the error's `details.retryAfterSec`. Anything unexpected is a 500 whose details are
 * logged, never returned.
 */
import type { FastifyInstance } from 'fastify';
import { ApiError } from '@prediction-markets/shared';
import { toApiError } from '../entrance/errors.ts';

export { toApiError };

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err);
    if (api !== null) {
      if (api.status >= 500) req.log.warn({ code: api.code }, api.message);
      const retryAfterSec = (api.details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec;
      if ((api.code === 'RATE_LIMITED' || api.code === 'QUEUE_FULL') && typeof retryAfterSec === 'number') void reply.header('retry-after', String(retryAfterSec));
      return reply.status(api.status).send(api.toBody());
    }
    req.log.error({ err }, 'unhandled error');
    const internal = new ApiError('INTERNAL_ERROR', 'internal error');
    return reply.status(500).send(internal.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    const err = new ApiError('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`);
    return reply.status(404).send(err.toBody());
  });
}
