/**
 * Names and limits shared by the service, the web UI and bots.
 */
import type { Outcome } from './mirror.ts';

/**
 * The Socket.IO path of the API (`io(url, { path: SOCKET_PATH })`). Zod-free here, so a browser
 * bundle that needs only the path does not pull the schemas in (schemas.SOCKET_PATH is the same).
 */
export const SOCKET_PATH = '/ws';

/** Socket.IO rooms (docs/DESIGN.md, "Events and sequence numbers"). */
export const ROOMS = {
  /** Book deltas (YES prices), trades and status of one market. */
  market: (marketId: string): string => `m:${marketId}`,
  /** The ladder of one outcome, in that outcome's prices. */
  marketOutcome: (marketId: string, outcome: Outcome): string => `m:${marketId}:${outcome}`,
  /** Private events of one user: orders, fills, balance, positions, notifications. */
  user: (userId: string): string => `u:${userId}`,
} as const;

/** Redis pub/sub channels carrying committed events between server processes. */
export const CHANNELS = {
  ORDERBOOK: 'pm:orderbook',
  TRADES: 'pm:trades',
  MARKETS: 'pm:markets',
  USER: 'pm:user',
} as const;

export const LIMITS = {
  /** Orders in one POST /api/orders/batch or order:batch. */
  maxBatchOrders: 20,
  /** Longest market question. */
  questionMaxLength: 140,
  descriptionMaxLength: 5000,
  /** Largest page of any paginated list. */
  pageSizeMax: 200,
  pageSizeDefault: 50,
  /** Deepest order book view. */
  bookDepthMax: 99,
  clientOrderIdMaxLength: 64,
  /** Longest Idempotency-Key header (printable ASCII). */
  idempotencyKeyMaxLength: 255,
  passwordMinLength: 8,
  passwordMaxLength: 128,
  emailMaxLength: 254,
} as const;

/** Tick sizes a market may choose: divisors of 100 below 100. */
export const TICK_SIZES = [1, 2, 4, 5, 10, 20, 25, 50] as const;
