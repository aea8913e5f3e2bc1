/**
 * The rejection-code catalogue of the matching engine.
 *
 * Every expected failure of a command is a typed rejection carrying one of these stable
 * numeric codes (the style of exchange-core's `CommandResultCode`). Codes are grouped by
 * range and are NEVER reused: a retired code stays here as a comment.
 *
 * - 1000-1999 validation: the command itself is malformed or out of range.
 * - 2000-2999 risk: the account cannot carry the order (funds, shares, limits).
 * - 3000-3999 order: the order cannot be matched or changed as asked.
 * - 4000-4999 market: the market does not exist or its status forbids the command.
 *
 * `test/codes.test.ts` checks that codes are unique, inside their range, named in
 * SCREAMING_SNAKE_CASE and documented.
 */
export const RejectCode = {
  // 1000-1999 validation
  /** Price is not an integer tick inside 1..99 cents. */
  INVALID_PRICE: 1001,
  /** Price is not a multiple of the market's tick size. */
  PRICE_NOT_ON_TICK: 1002,
  /** Quantity is not a positive integer number of shares. */
  INVALID_QUANTITY: 1003,
  /** Quantity exceeds `EngineConfig.maxOrderQty`. */
  QUANTITY_TOO_LARGE: 1004,
  /** The combination of order type, time in force and flags is not allowed (e.g. a post-only market order). */
  INVALID_ORDER_TYPE: 1005,
  /** GTD without an expiry, an expiry not after the command time, or an expiry on a non-GTD order. */
  INVALID_EXPIRY: 1006,
  /** `maxCostCents` is not a positive integer, or was given on an order that is not a market buy. */
  INVALID_MAX_COST: 1007,
  /** Client order id is empty or longer than `EngineConfig.maxClientOrderIdLength`. */
  INVALID_CLIENT_ORDER_ID: 1008,
  /** A grant amount is not a positive integer number of cents, or exceeds `maxGrantCents`. */
  INVALID_AMOUNT: 1009,
  /** An identifier (user, market) is empty or too long. */
  INVALID_ID: 1010,
  /** Tick size does not divide 100 (allowed: 1, 2, 4, 5, 10, 20, 25, 50). */
  INVALID_TICK: 1011,
  /** A field has a value outside its enumeration (side, outcome, STP mode, ...). */
  INVALID_FIELD: 1012,

  // 2000-2999 risk
  /** Available cents are less than the escrow the order needs (price x quantity, or maxCost). */
  INSUFFICIENT_BALANCE: 2001,
  /** Available shares of the outcome are less than the quantity to sell (no naked shorts). */
  INSUFFICIENT_SHARES: 2002,
  /** The user already has `maxOpenOrdersPerUserPerMarket` resting orders in this market. */
  TOO_MANY_OPEN_ORDERS: 2003,
  /** No account exists for this user (open one with a grant first). */
  UNKNOWN_ACCOUNT: 2004,
  /** The account balance would exceed `maxAccountCents`. */
  BALANCE_LIMIT: 2005,

  // 3000-3999 order
  /** No live order with this id belongs to this user (also returned for other users' orders). */
  UNKNOWN_ORDER: 3001,
  /** A post-only order would have taken liquidity. */
  POST_ONLY_WOULD_TAKE: 3002,
  /** A fill-or-kill order cannot be filled completely at once. */
  FOK_NOT_FILLABLE: 3003,
  /** An amend that changes neither price nor quantity. */
  AMEND_NO_CHANGE: 3004,

  // 4000-4999 market
  /** No market with this id. */
  UNKNOWN_MARKET: 4001,
  /** The market is not OPEN (DRAFT, CLOSED, RESOLVED or CANCELLED): no new orders or amends. */
  MARKET_NOT_OPEN: 4002,
  /** The market is HALTED: no matching; only cancels are accepted. */
  MARKET_HALTED: 4003,
  /** The status transition is not allowed by the lifecycle (docs/DESIGN.md, "Market lifecycle"). */
  INVALID_TRANSITION: 4004,
  /** A market with this id already exists. */
  MARKET_EXISTS: 4005,
  /** RESOLVED needs an outcome YES or NO; other statuses take none. */
  INVALID_OUTCOME: 4006,
} as const;

/** The name of a rejection code, e.g. `'INSUFFICIENT_BALANCE'`. */
export type RejectCodeName = keyof typeof RejectCode;
/** The numeric value of a rejection code, e.g. `2001`. */
export type RejectCodeValue = (typeof RejectCode)[RejectCodeName];

const NAME_BY_CODE = new Map<number, RejectCodeName>(
  (Object.keys(RejectCode) as RejectCodeName[]).map((name) => [RejectCode[name], name]),
);

/** Name of a numeric rejection code; throws on an unknown code (a bug). */
export function rejectCodeName(code: number): RejectCodeName {
  const name = NAME_BY_CODE.get(code);
  if (name === undefined) throw new Error(`unknown reject code ${code}`);
  return name;
}
