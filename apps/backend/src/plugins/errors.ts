/**
 * One error handler for the whole API: every failure leaves as
 * `{ "error": { "code", "message" } }` with the status from the shared catalogue. Expected
 * failures are ApiErrors; schema failures become 400 VALIDATION_ERROR with the issues;
 * anything else is a 500 whose details are logged, never returned.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError } from '@prediction-markets/shared';

export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => ({ path: v.instancePath, message: v.message ?? 'invalid' }));
    const where = err.validationContext ?? 'request';
    return new ApiError('VALIDATION_ERROR', `invalid ${where}: ${details.map((d) => `${d.path} ${d.message}`.trim()).join('; ')}`, details);
  }
  const fe = err as FastifyError;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('PAYLOAD_TOO_LARGE', 'request body too large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send JSON (Content-Type: application/json)');
    default:
      break;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 404) return new ApiError('NOT_FOUND', fe.message);
    if (fe.statusCode === 429) return new ApiError('RATE_LIMITED', fe.message);
    return new ApiError('BAD_REQUEST', fe.message);
  }
  return null;
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const api = toApiError(err);
    if (api !== null) {
      if (api.status >= 500) req.log.warn({ code: api.code }, api.message);
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
