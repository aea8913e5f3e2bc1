/**
 * Errors as values: every call of the SDK resolves to a `Result<T>`, never throws for an
 * expected failure. `PmError` is a discriminated union by `code`: the API's stable codes
 * (packages/shared/src/errors.ts, the same for REST and socket) plus the few the client itself
 * produces (no answer from the server). `unwrap()` turns a failure into a thrown `PmApiError`
 * for callers that prefer exceptions (e.g. TanStack Query).
 */
import type { ApiErrorCode } from '@prediction-markets/shared';

/** Failures produced by the client itself (there was no server answer to read a code from). */
export const CLIENT_ERRORS = {
  NETWORK_ERROR: 'The request did not reach the server, or the connection broke before the answer.',
  TIMEOUT: 'No answer within the timeout. The command may have been applied: a place or batch carries a clientOrderId, so repeating it is safe.',
  NOT_CONNECTED: 'The socket is not connected (connecting, reconnecting or closed).',
  BAD_RESPONSE: 'The server answered with something that is not the documented JSON shape.',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;
/** Every code a `PmError` can carry. */
export type ErrorCode = ApiErrorCode | ClientErrorCode;

/** Typed `details` of the codes that carry some. */
export interface ErrorDetailsByCode {
  /** Socket: `{ retryAfterSec, scope }`; REST: from the Retry-After header (scope 'rest'). */
  RATE_LIMITED: { retryAfterSec: number; scope?: 'socket' | 'user' | 'rest' };
  /** The zod issues of the rejected payload. */
  VALIDATION_ERROR: { path: (string | number)[]; message: string }[];
}

/** One failure: `code` discriminates; `status` is the HTTP status (REST), null on the socket or when no answer came. */
export type PmError = {
  [C in ErrorCode]: {
    code: C;
    message: string;
    status: number | null;
    /** The engine's numeric rejection code, for engine rejections. */
    engineCode?: number;
    details?: C extends keyof ErrorDetailsByCode ? ErrorDetailsByCode[C] : unknown;
  };
}[ErrorCode];

/** The outcome of every SDK call. */
export type Result<T> = { ok: true; data: T } | { ok: false; error: PmError };

/** A failure thrown by `unwrap()`; `error` is the typed value. */
export class PmApiError extends Error {
  constructor(readonly error: PmError) {
    super(`${error.code}: ${error.message}`);
    this.name = 'PmApiError';
  }
  get code(): ErrorCode {
    return this.error.code;
  }
}

/** The data of a success, or throws `PmApiError` with the failure. */
export function unwrap<T>(result: Result<T>): T {
  if (result.ok) return result.data;
  throw new PmApiError(result.error);
}

/** @internal Build a failure result. */
export function failure(code: ErrorCode, message: string, status: number | null = null, extra: { engineCode?: number | undefined; details?: unknown } = {}): { ok: false; error: PmError } {
  const error = { code, message, status } as PmError;
  if (extra.engineCode !== undefined) error.engineCode = extra.engineCode;
  if (extra.details !== undefined) (error as { details?: unknown }).details = extra.details;
  return { ok: false, error };
}

/** @internal A failure from a server error body `{ code, message, engineCode?, details? }`. */
export function fromErrorBody(e: { code: string; message: string; engineCode?: number | undefined; details?: unknown }, status: number | null): { ok: false; error: PmError } {
  return failure(e.code as ErrorCode, e.message, status, { engineCode: e.engineCode, details: e.details });
}

/** Seconds the server asked to wait before retrying a RATE_LIMITED failure (at least 1). */
export function retryAfterSec(error: PmError): number {
  if (error.code !== 'RATE_LIMITED') return 0;
  const s = error.details?.retryAfterSec;
  return typeof s === 'number' && s > 0 ? s : 1;
}
