/**
 * The API error catalogue: every error the REST and socket APIs return, as
 * `{ "error": { "code": "<CODE>", "message": "..." } }`, with its HTTP status.
 *
 * Codes are stable strings. The engine's rejections keep their names and numbers (RejectCode in
 * @prediction-markets/matching-engine, copied into ENGINE_REJECTIONS below; the numeric code is
 * exposed as `engineCode`); the service adds its own. A test checks that codes are unique and
 * every one is documented here.
 */

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
  RESOLVER_CANNOT_TRADE: {
    status: 403,
    description: "The caller is the market's designated resolver: they may not place or amend orders in the market they resolve.",
  },
  NOT_FOUND: { status: 404, description: 'No such route or resource.' },
  EMAIL_TAKEN: { status: 409, description: 'An account with this email exists.' },
  SLUG_TAKEN: { status: 409, description: 'A market with this slug exists.' },
  RESOLVER_HOLDS_POSITION: {
    status: 409,
    description: 'The resolver holds shares or resting orders in the market: a resolution needs a resolver with no stake in it.',
  },
  IDEMPOTENCY_KEY_REUSED: { status: 409, description: 'The Idempotency-Key was used before for a different request.' },
  IDEMPOTENCY_KEY_IN_PROGRESS: { status: 409, description: 'A request with this Idempotency-Key is still being processed; retry shortly to get its response.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body exceeds the size limit.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'The request body is not JSON.' },
  RATE_LIMITED: { status: 429, description: 'Too many requests; retry after the Retry-After header.' },
  SUBSCRIPTION_LIMIT: { status: 422, description: 'The socket already holds the most market subscriptions allowed (SOCKET_LIMITS.maxSubscriptionsPerSocket); unsubscribe first.' },
  HOUSE_INVALID_LIQUIDITY: { status: 400, description: 'House maker settings: b (LMSR liquidity, shares) must be a positive number up to 1,000,000.' },
  HOUSE_INVALID_BAND: { status: 400, description: "House maker settings: the band [pMinCents, pMaxCents] must lie inside 1..99 with pMin < pMax and contain p0Cents, on the market's tick." },
  HOUSE_POSITION_OPEN: { status: 409, description: 'House maker settings: b, p0 and the band can change only while the house holds no shares in the market (its loss bound is computed from them).' },
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

/**
 * The engine's rejections (RejectCode in @prediction-markets/matching-engine), copied here so
 * that this package depends on zod only: the same names with the same stable numeric codes
 * (ranges: 1000 validation, 2000 risk, 3000 order, 4000 market). A backend test
 * (apps/backend/test/error-catalogue.test.ts) checks this table equals the engine's RejectCode
 * exactly, so a code added to the engine fails the build until it is listed here.
 */
export const ENGINE_REJECTIONS = {
  INVALID_PRICE: { engineCode: 1001, status: 400, description: 'Price is not an integer tick inside 1..99 cents.' },
  PRICE_NOT_ON_TICK: { engineCode: 1002, status: 400, description: "Price is not a multiple of the market's tick size." },
  INVALID_QUANTITY: { engineCode: 1003, status: 400, description: 'Quantity is not a positive integer number of shares.' },
  QUANTITY_TOO_LARGE: { engineCode: 1004, status: 400, description: 'Quantity exceeds the largest order allowed.' },
  INVALID_ORDER_TYPE: { engineCode: 1005, status: 400, description: 'The combination of order type, time in force and flags is not allowed (e.g. a post-only market order).' },
  INVALID_EXPIRY: { engineCode: 1006, status: 400, description: 'GTD without an expiry, an expiry not after the command time, or an expiry on a non-GTD order.' },
  INVALID_MAX_COST: { engineCode: 1007, status: 400, description: 'maxCost is not a positive integer, or was given on an order that is not a market buy.' },
  INVALID_CLIENT_ORDER_ID: { engineCode: 1008, status: 400, description: 'clientOrderId is empty or too long.' },
  INVALID_AMOUNT: { engineCode: 1009, status: 400, description: 'A grant amount is not a positive integer number of cents, or is too large.' },
  INVALID_ID: { engineCode: 1010, status: 400, description: 'An identifier (user, market) is empty or too long.' },
  INVALID_TICK: { engineCode: 1011, status: 400, description: 'Tick size does not divide 100 (allowed: 1, 2, 4, 5, 10, 20, 25, 50).' },
  INVALID_FIELD: { engineCode: 1012, status: 400, description: 'A field has a value outside its enumeration (side, outcome, STP mode, ...).' },
  INSUFFICIENT_BALANCE: { engineCode: 2001, status: 422, description: 'Available cents are less than the escrow the order needs (price x quantity, or maxCost).' },
  INSUFFICIENT_SHARES: { engineCode: 2002, status: 422, description: 'Available shares of the outcome are less than the quantity to sell (no naked shorts).' },
  TOO_MANY_OPEN_ORDERS: { engineCode: 2003, status: 422, description: 'The user already has the most resting orders allowed in this market.' },
  UNKNOWN_ACCOUNT: { engineCode: 2004, status: 422, description: 'No account exists for this user.' },
  BALANCE_LIMIT: { engineCode: 2005, status: 422, description: 'The account balance would exceed its limit.' },
  UNKNOWN_ORDER: { engineCode: 3001, status: 404, description: 'No live order with this id belongs to this user.' },
  POST_ONLY_WOULD_TAKE: { engineCode: 3002, status: 422, description: 'A post-only order would have taken liquidity.' },
  FOK_NOT_FILLABLE: { engineCode: 3003, status: 422, description: 'A fill-or-kill order cannot be filled completely at once.' },
  AMEND_NO_CHANGE: { engineCode: 3004, status: 400, description: 'An amend that changes neither price nor quantity.' },
  UNKNOWN_MARKET: { engineCode: 4001, status: 404, description: 'No such market.' },
  MARKET_NOT_OPEN: { engineCode: 4002, status: 409, description: 'The market is not OPEN (DRAFT, CLOSED, RESOLVED or CANCELLED): no new orders or amends.' },
  MARKET_HALTED: { engineCode: 4003, status: 409, description: 'The market is HALTED: no matching; only cancels are accepted.' },
  INVALID_TRANSITION: { engineCode: 4004, status: 409, description: 'The status transition is not allowed by the market lifecycle.' },
  MARKET_EXISTS: { engineCode: 4005, status: 409, description: 'A market with this id already exists.' },
  INVALID_OUTCOME: { engineCode: 4006, status: 400, description: 'RESOLVED needs an outcome YES or NO; other statuses take none.' },
} as const satisfies Record<string, ErrorSpec & { engineCode: number }>;

/** The name of an engine rejection, e.g. `'INSUFFICIENT_BALANCE'`. */
export type EngineRejectionCode = keyof typeof ENGINE_REJECTIONS;

export type ServiceErrorCode = keyof typeof SERVICE_ERRORS;
export type ApiErrorCode = ServiceErrorCode | EngineRejectionCode;

/** Every API error code with its HTTP status and description. */
export const API_ERRORS: Readonly<Record<ApiErrorCode, ErrorSpec & { engineCode?: number }>> = Object.freeze({
  ...SERVICE_ERRORS,
  ...Object.fromEntries(
    (Object.keys(ENGINE_REJECTIONS) as EngineRejectionCode[]).map((name) => {
      const { engineCode, status, description } = ENGINE_REJECTIONS[name];
      return [name, { status, description: `Engine rejection ${engineCode} (${name}): ${description}`, engineCode }];
    }),
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
