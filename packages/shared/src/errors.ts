/**
 * The API error catalogue: every error the REST and socket APIs return, as
 * `{ "error": { "code": "<CODE>", "message": "..." } }`, with its HTTP status.
 *
 * Codes are stable strings. The engine's rejections keep their names (RejectCode in
 * @prediction-markets/matching-engine, numeric code exposed as `engineCode`); the service
 * adds its own. A test checks that codes are unique and every one is documented here.
 */
import { RejectCode, type RejectCodeName } from '@prediction-markets/matching-engine';

export interface ErrorSpec {
  /** HTTP status of a REST response carrying this code. */
  status: number;
  /** What it means, for the docs and the OpenAPI document. */
  description: string;
}

/** Service-level error codes (not from the engine). */
export const SERVICE_ERRORS = {
  VALIDATION_ERROR: { status: 400, description: 'The request body, query or params failed validation.' },
  BAD_REQUEST: { status: 400, description: 'The request is malformed (e.g. invalid JSON).' },
  UNAUTHENTICATED: { status: 401, description: 'No access token was presented.' },
  TOKEN_INVALID: { status: 401, description: 'The access or refresh token is malformed, tampered or revoked.' },
  TOKEN_EXPIRED: { status: 401, description: 'The access or refresh token has expired.' },
  REFRESH_TOKEN_REUSED: { status: 401, description: 'A rotated refresh token was presented again; its whole family is revoked.' },
  INVALID_CREDENTIALS: { status: 401, description: 'Email or password is wrong.' },
  FORBIDDEN: { status: 403, description: 'The caller lacks the role or relation the action needs.' },
  NOT_FOUND: { status: 404, description: 'No such route or resource.' },
  EMAIL_TAKEN: { status: 409, description: 'An account with this email exists.' },
  SLUG_TAKEN: { status: 409, description: 'A market with this slug exists.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, description: 'The Idempotency-Key was used before for a different request.' },
  IDEMPOTENCY_KEY_IN_PROGRESS: { status: 409, description: 'A request with this Idempotency-Key is still being processed; retry shortly to get its response.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body exceeds the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The request body is not JSON.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry after the Retry-After header.' },
  SUBSCRIPTION_LIMIT: { status: 422, description: 'The socket already holds the most market subscriptions allowed (SOCKET_LIMITS.maxSubscriptionsPerSocket); unsubscribe first.' },
  INTERNAL_ERROR: { status: 500, description: 'An unexpected error; details are logged, not returned.' },
  NOT_READY: { status: 503, description: 'The exchange is starting or recovering; retry shortly.' },
  COMMIT_FAILED: { status: 503, description: 'The command could not be made durable; nothing was applied. Retry.' },
  QUEUE_FULL: { status: 503, description: "The writer's queue is full (WRITER_QUEUE_MAX); nothing was applied. Retry after the Retry-After header." },
  SHUTTING_DOWN: { status: 503, description: 'The server is shutting down; retry on another instance.' },
  WRITER_TIMEOUT: {
    status: 504,
    description:
      'A socket gateway forwarded the command to the writer instance and got no answer in time: it may or may not have been applied. Check (e.g. by clientOrderId) before retrying.',
  },
} as const satisfies Record<string, ErrorSpec>;

/** HTTP status for each engine rejection. */
const ENGINE_STATUS: Record<RejectCodeName, number> = {
  INVALID_PRICE: 400,
  PRICE_NOT_ON_TICK: 400,
  INVALID_QUANTITY: 400,
  QUANTITY_TOO_LARGE: 400,
  INVALID_ORDER_TYPE: 400,
  INVALID_EXPIRY: 400,
  INVALID_MAX_COST: 400,
  INVALID_CLIENT_ORDER_ID: 400,
  INVALID_AMOUNT: 400,
  INVALID_ID: 400,
  INVALID_TICK: 400,
  INVALID_FIELD: 400,
  INSUFFICIENT_BALANCE: 422,
  INSUFFICIENT_SHARES: 422,
  TOO_MANY_OPEN_ORDERS: 422,
  UNKNOWN_ACCOUNT: 422,
  BALANCE_LIMIT: 422,
  UNKNOWN_ORDER: 404,
  POST_ONLY_WOULD_TAKE: 422,
  FOK_NOT_FILLABLE: 422,
  AMEND_NO_CHANGE: 400,
  UNKNOWN_MARKET: 404,
  MARKET_NOT_OPEN: 409,
  MARKET_HALTED: 409,
  INVALID_TRANSITION: 409,
  MARKET_EXISTS: 409,
  INVALID_OUTCOME: 400,
};

export type ServiceErrorCode = keyof typeof SERVICE_ERRORS;
export type ApiErrorCode = ServiceErrorCode | RejectCodeName;

/** Every API error code with its HTTP status and description. */
export const API_ERRORS: Readonly<Record<ApiErrorCode, ErrorSpec & { engineCode?: number }>> = Object.freeze({
  ...SERVICE_ERRORS,
  ...Object.fromEntries(
    (Object.keys(RejectCode) as RejectCodeName[]).map((name) => [
      name,
      { status: ENGINE_STATUS[name], description: `Engine rejection ${RejectCode[name]} (${name}).`, engineCode: RejectCode[name] },
    ]),
  ),
}) as Record<ApiErrorCode, ErrorSpec & { engineCode?: number }>;

/** HTTP status of an API error code. */
export function httpStatusOf(code: ApiErrorCode): number {
  return API_ERRORS[code].status;
}

/** The body of every error response. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; engineCode?: number; details?: unknown };
}

/** An expected failure carried through the service layers; mapped to `ApiErrorBody` at the edge. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = httpStatusOf(code);
  }

  toBody(): ApiErrorBody {
    const engineCode = API_ERRORS[this.code].engineCode;
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(engineCode === undefined ? {} : { engineCode }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}
