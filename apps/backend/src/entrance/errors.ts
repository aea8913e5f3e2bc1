/**
 * Error mapping for both entrances: every failure leaves as `{ error: { code, message } }`
 * (REST: with the catalogue's HTTP status; sockets: in the ack or `request_error`). Expected
 * failures are ApiErrors; invalid input is VALIDATION_ERROR with its issues; an engine
 * rejection keeps the engine's code name; anything else is INTERNAL_ERROR, logged, never
 * detailed to the caller.
 */
import type { FastifyError } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { Rejection } from '@prediction-markets/matching-engine';
import { ApiError, type ApiErrorBody } from '@prediction-markets/shared';

/** One validation issue: a JSON pointer to the value and what is wrong with it. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** VALIDATION_ERROR for a list of issues found in `where` (body, querystring, params, payload, ...). */
export function validationError(where: string, issues: ValidationIssue[]): ApiError {
  return new ApiError('VALIDATION_ERROR', `invalid ${where}: ${issues.map((d) => `${d.path} ${d.message}`.trim()).join('; ')}`, issues);
}

/** The issues of a zod error as JSON pointers. */
export function zodIssues(err: z.ZodError): ValidationIssue[] {
  return err.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message }));
}

/** Parse `value` with `schema`; throws VALIDATION_ERROR (the same shape REST answers) when it does not fit. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(where, zodIssues(parsed.error));
  return parsed.data;
}

/** An engine rejection as an ApiError (the code keeps the engine's name; status from the catalogue). */
export function rejectionError(r: Rejection): ApiError {
  return new ApiError(r.codeName, r.message);
}

/** The ApiError an error stands for, or null for an unexpected one (a bug: answer 500). */
export function toApiError(err: unknown): ApiError | null {
  if (err instanceof ApiError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({ path: v.instancePath, message: v.message ?? 'invalid' }));
    return validationError(err.validationContext ?? 'request', issues);
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

/** The wire body for any error: its ApiError's, or INTERNAL_ERROR (after `onUnexpected`, e.g. logging). */
export function errorBody(err: unknown, onUnexpected: (err: unknown) => void): ApiErrorBody {
  const api = toApiError(err);
  if (api !== null) return api.toBody();
  onUnexpected(err);
  return new ApiError('INTERNAL_ERROR', 'internal error').toBody();
}
