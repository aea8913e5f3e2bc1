/**
 * The Socket.IO protocol (path `/ws`): every client->server payload, every acknowledgement and
 * every server->client event, as zod schemas with their inferred types, plus the event-name
 * maps for typed Socket.IO servers and clients. The prose contract (ordering guarantee,
 * resync, buffering) is apps/backend/docs/realtime.md.
 *
 * Units as everywhere: prices integer cents 1..99 (of the outcome named), quantities integer
 * shares, money integer cents; times as everywhere (common.ts, "Times"): `...At` ISO 8601 UTC
 * strings, `...Ms` epoch milliseconds (`tsMs`).
 *
 * Sequence numbers: the public messages of a market are `market_frame`s (one per market room
 * per committed batch: its book changes, trades and market updates together), each covering
 * the contiguous range `fromSeq..seq` of the market's sequence numbers. In each market room the
 * ranges of successive frames are contiguous and cover every public event of the market
 * exactly once. (`orderbook_update`, `trade_executed` and `market_updated` are the parts a
 * frame is made of; the server no longer sends them as messages of their own.)
 */
import { z } from 'zod';
import { LineText, MarketStatus, OrderStatus, Outcome, PriceCents, SettledStatus, Side, TradeKind, Uuid } from './common.ts';
import { Slug } from './markets.ts';
import {
  BatchOrderItem,
  BatchOrdersBody,
  BatchOrdersResponse,
  CancelAllResponse,
  FillDto,
  LadderDto,
  OrderDto,
  PlaceOrderResponse,
} from './orders.ts';

/** Limits of the socket API. */
export const SOCKET_LIMITS = {
  /** Market views (`subscribe:market`) one socket may hold at once. */
  maxSubscriptionsPerSocket: 50,
  /** Bounds of the cancel-on-disconnect grace period, ms (0 disarms). */
  cancelOnDisconnectGraceMsMax: 60_000,
} as const;

/** Path of the Socket.IO endpoint on the HTTP server (its home: the zod-free constants.ts). */
export { SOCKET_PATH } from '../constants.ts';

/** A market sequence number (non-negative integer). */
const Seq = z.int().min(0);
/** Epoch milliseconds. */
const TsMs = z.int().min(0);

// ---------------------------------------------------------------------------------------
// Client -> server payloads.

/** A market by id (uuid) or by slug: exactly one of them. */
const MarketRefShape = { marketId: Uuid.optional(), marketSlug: Slug.optional() };
const oneMarketRef = (r: { marketId?: string | undefined; marketSlug?: string | undefined }): boolean =>
  (r.marketId === undefined) !== (r.marketSlug === undefined);
const ONE_MARKET_REF = { message: 'give exactly one of marketId or marketSlug' };

/**
 * `subscribe:market`: join one view of a market and get its snapshot in the ack. Without
 * `outcome`: room m:{id}, both ladders, book deltas in YES prices. With `outcome`: room
 * m:{id}:{outcome}, that outcome's ladder and deltas in its prices. A socket holds one view
 * per market; subscribing again replaces it (and returns a fresh snapshot: the resync path).
 */
export const SubscribeMarketPayload = z.strictObject({ ...MarketRefShape, outcome: Outcome.optional() }).refine(oneMarketRef, ONE_MARKET_REF);
export type SubscribeMarketPayload = z.infer<typeof SubscribeMarketPayload>;

/** `unsubscribe:market`: leave every view of the market. */
export const UnsubscribeMarketPayload = z.strictObject(MarketRefShape).refine(oneMarketRef, ONE_MARKET_REF);
export type UnsubscribeMarketPayload = z.infer<typeof UnsubscribeMarketPayload>;

/** `ping`: application heartbeat (keeps a cancel-on-disconnect session alive). The client's clock is echoed back. */
export const PingPayload = z.strictObject({ timestamp: z.number().optional() }).optional();
export type PingPayload = z.infer<typeof PingPayload>;

/**
 * `session:cancel_on_disconnect`: when all of the user's sockets have been gone (or silent:
 * no message at all) for `graceMs`, cancel every resting order of the user. 0 disarms.
 */
export const CancelOnDisconnectPayload = z.strictObject({ graceMs: z.int().min(0).max(SOCKET_LIMITS.cancelOnDisconnectGraceMsMax) });
export type CancelOnDisconnectPayload = z.infer<typeof CancelOnDisconnectPayload>;

/** `session:refresh`: present a fresh access token of the SAME user before the current one expires. */
export const SessionRefreshPayload = z.strictObject({ token: LineText.min(1).max(4096) });
export type SessionRefreshPayload = z.infer<typeof SessionRefreshPayload>;

/** `order:place`: the REST body of POST /api/orders/:marketSlug plus `marketSlug` (= one item of order:batch). */
export const OrderPlacePayload = BatchOrderItem;
export type OrderPlacePayload = z.infer<typeof OrderPlacePayload>;

/** `order:cancel`: cancel one resting order (REST: DELETE /api/orders/:orderId). */
export const OrderCancelPayload = z.strictObject({ orderId: z.int().min(1).max(Number.MAX_SAFE_INTEGER) });
export type OrderCancelPayload = z.infer<typeof OrderCancelPayload>;

/** `order:cancel_all`: cancel all the caller's resting orders, in one market with `marketSlug` (REST: DELETE /api/orders?market=). */
export const OrderCancelAllPayload = z.strictObject({ marketSlug: Slug.optional() }).optional();
export type OrderCancelAllPayload = z.infer<typeof OrderCancelAllPayload>;

/** `order:amend`: new price and/or new REMAINING quantity (REST: PATCH /api/orders/:orderId). */
export const OrderAmendPayload = z
  .strictObject({ orderId: z.int().min(1).max(Number.MAX_SAFE_INTEGER), price: PriceCents.optional(), quantity: z.int().min(1).max(1_000_000_000).optional() })
  .refine((b) => b.price !== undefined || b.quantity !== undefined, { message: 'give price or quantity' });
export type OrderAmendPayload = z.infer<typeof OrderAmendPayload>;

/** `order:batch`: up to LIMITS.maxBatchOrders orders, executed in order (REST: POST /api/orders/batch). */
export const OrderBatchPayload = BatchOrdersBody;
export type OrderBatchPayload = z.infer<typeof OrderBatchPayload>;

// ---------------------------------------------------------------------------------------
// Acknowledgements: `{ ok: true, ...result }` or `{ ok: false, error }`, error codes as REST.

export const AckError = z.object({
  ok: z.literal(false),
  error: z.object({
    /** A code of the API error catalogue (packages/shared/src/errors.ts), e.g. RATE_LIMITED, INSUFFICIENT_BALANCE. */
    code: z.string(),
    message: z.string(),
    engineCode: z.int().optional(),
    /** Validation issues; for RATE_LIMITED `{ retryAfterSec }`. */
    details: z.unknown().optional(),
  }),
});
export type AckError = z.infer<typeof AckError>;

/** The ack schema of a successful result `shape`, or an error. */
function ack<T extends z.ZodRawShape>(shape: T) {
  return z.union([z.object({ ok: z.literal(true), ...shape }), AckError]);
}

/** One ladder level: price in the ladder's outcome cents, shares resting, orders resting. */
export const LadderLevelDto = z.object({
  price: PriceCents,
  quantity: z.int().min(0),
  orders: z.int().min(0),
  /** Shares of `quantity` that are the house market maker's; absent when none (or not computed: a gateway's snapshot). */
  houseQty: z.int().min(0).optional(),
});

/** Ack of `subscribe:market`: the committed book and market state at `seq`. */
export const MarketSnapshot = z.object({
  marketId: Uuid,
  /** The view subscribed: null = both ladders (room m:{id}), else that outcome's (m:{id}:{outcome}). */
  outcome: Outcome.nullable(),
  /** Sequence number of the snapshot: apply messages covering seq + 1 onward. */
  seq: Seq,
  status: MarketStatus,
  /** Set once RESOLVED. */
  resolvedOutcome: Outcome.nullable(),
  /** Last trade price in YES cents, null before the first trade. */
  lastPrice: PriceCents.nullable(),
  /** Shares traded. */
  volume: z.int().min(0),
  /** Full YES ladder (every level, best first); present for the m:{id} and YES views. */
  yes: LadderDto.optional(),
  /** Full NO ladder (every level, best first); present for the m:{id} and NO views. */
  no: LadderDto.optional(),
  /** Server time of the snapshot. */
  tsMs: TsMs,
});
export type MarketSnapshot = z.infer<typeof MarketSnapshot>;
export const SubscribeMarketAck = ack(MarketSnapshot.shape);
export type SubscribeMarketAck = z.infer<typeof SubscribeMarketAck>;

export const UnsubscribeMarketAck = ack({ marketId: Uuid });
export type UnsubscribeMarketAck = z.infer<typeof UnsubscribeMarketAck>;

/** `pong` (also the ack of `ping`): server epoch ms, and the client's timestamp echoed. */
export const PongPayload = z.object({ timestamp: TsMs, clientTimestamp: z.number().optional() });
export type PongPayload = z.infer<typeof PongPayload>;
export const PingAck = ack(PongPayload.shape);

export const CancelOnDisconnectAck = ack({ graceMs: z.int().min(0) });
export type CancelOnDisconnectAck = z.infer<typeof CancelOnDisconnectAck>;

export const SessionRefreshAck = ack({ expiresAtMs: TsMs });
export type SessionRefreshAck = z.infer<typeof SessionRefreshAck>;

/** Same result shapes as REST, spread next to `ok: true`. */
export const OrderPlaceAck = ack(PlaceOrderResponse.shape);
export type OrderPlaceAck = z.infer<typeof OrderPlaceAck>;
export const OrderCancelAck = ack(OrderDto.shape);
export type OrderCancelAck = z.infer<typeof OrderCancelAck>;
export const OrderCancelAllAck = ack(CancelAllResponse.shape);
export type OrderCancelAllAck = z.infer<typeof OrderCancelAllAck>;
export const OrderAmendAck = ack(PlaceOrderResponse.shape);
export type OrderAmendAck = z.infer<typeof OrderAmendAck>;
export const OrderBatchAck = ack(BatchOrdersResponse.shape);
export type OrderBatchAck = z.infer<typeof OrderBatchAck>;

// ---------------------------------------------------------------------------------------
// Server -> client: public market events (rooms m:{id}, m:{id}:YES, m:{id}:NO).

const PublicBase = {
  marketId: Uuid,
  /** First sequence number this message covers. */
  fromSeq: Seq,
  /** Last sequence number this message covers (the market's seq after it). */
  seq: Seq,
  /** Engine time of the (last) event covered: when the command executed, before its commit. */
  tsMs: TsMs,
};

/** A level change: `quantity` is the level's NEW total (0 = the level is gone). Prices in the message's `outcome` cents. */
export const LevelDelta = z.object({
  side: z.enum(['BID', 'ASK']),
  price: PriceCents,
  quantity: z.int().min(0),
  orders: z.int().min(0),
  /** The house market maker's shares at the level now (its new total); absent when none. A client replaces the whole level, so an absent value is 0. */
  houseQty: z.int().min(0).optional(),
});
export type LevelDelta = z.infer<typeof LevelDelta>;

/**
 * The book part of a frame, and the legacy `orderbook_update` message (no longer sent): the book levels that changed over fromSeq..seq, each at its final value
 * (a coalesced update merges several; a level appears at most once). `outcome` says whose
 * prices: YES in rooms m:{id} and m:{id}:YES, NO in m:{id}:NO.
 */
export const OrderbookUpdate = z.object({ ...PublicBase, outcome: Outcome, levels: z.array(LevelDelta) });
export type OrderbookUpdate = z.infer<typeof OrderbookUpdate>;

/** One trade (fromSeq = seq); MarketFeed's `onTrade` gets each trade of a frame in this shape (the legacy `trade_executed` message, no longer sent). Same fields as REST TradeDto (`id` = trade id). */
export const TradeExecuted = z.object({
  ...PublicBase,
  id: z.int(),
  kind: TradeKind,
  yesPrice: PriceCents,
  noPrice: PriceCents,
  quantity: z.int().min(1),
  /** The taker's side and outcome. */
  takerSide: Side,
  takerOutcome: Outcome,
});
export type TradeExecuted = z.infer<typeof TradeExecuted>;

/**
 * The legacy `market_updated` message (no longer sent; a frame's `updates` carry the same fields): the market was created, changed status, or settled (fromSeq = seq). Last
 * price and volume are as of `seq` (between these messages, trades update them).
 */
export const MarketUpdated = z.object({
  ...PublicBase,
  reason: z.enum(['CREATED', 'STATUS', 'SETTLED']),
  status: MarketStatus,
  previousStatus: MarketStatus.nullable(),
  /** The resolved outcome once RESOLVED. */
  outcome: Outcome.nullable(),
  lastPrice: PriceCents.nullable(),
  volume: z.int().min(0),
  /**
   * Totals of a settlement (reason SETTLED), the same fields as REST's ResolutionDto: `status`,
   * `collateralCents`, `paidCents`, `houseCents`, `holders` (canonical). `kind`, `collateral`,
   * `paid` and `house` are their legacy names, still sent for existing clients.
   */
  settlement: z
    .object({
      status: SettledStatus,
      collateralCents: z.int(),
      paidCents: z.int(),
      houseCents: z.int(),
      holders: z.int(),
      kind: z.enum(['RESOLUTION', 'VOID_REFUND']),
      collateral: z.int(),
      paid: z.int(),
      house: z.int(),
    })
    .nullable(),
});
export type MarketUpdated = z.infer<typeof MarketUpdated>;

/** A trade inside a `market_frame`: TradeExecuted without the frame's `marketId` and with its own `seq` only. */
export const FrameTrade = TradeExecuted.omit({ marketId: true, fromSeq: true });
export type FrameTrade = z.infer<typeof FrameTrade>;

/** A market change inside a `market_frame`: MarketUpdated without the frame's `marketId` and with its own `seq` only. */
export const FrameMarketUpdate = MarketUpdated.omit({ marketId: true, fromSeq: true });
export type FrameMarketUpdate = z.infer<typeof FrameMarketUpdate>;

/**
 * `market_frame`: everything public that happened to a market over fromSeq..seq, usually ONE
 * committed batch of the writer (under load the fan-out may merge consecutive batches), built
 * once and written to every socket of the room:
 * - `levels`: the book levels that changed, each once at its final value over the range
 *   (`quantity` 0: gone), in the prices of `outcome` (YES in rooms m:{id} and m:{id}:YES, NO
 *   in m:{id}:NO);
 * - `trades`: the trades, ascending `seq`, prices in both outcomes;
 * - `updates`: market changes (created, status, settled), ascending `seq`; `lastPrice` and
 *   `volume` as of that seq.
 * The seqs of `trades` and `updates` lie in fromSeq..seq; the remaining seqs of the range are
 * book level changes (BOOK_LEVEL events). Arrays are present even when empty.
 */
export const MarketFrame = z.object({
  ...PublicBase,
  outcome: Outcome,
  levels: z.array(LevelDelta),
  trades: z.array(FrameTrade),
  updates: z.array(FrameMarketUpdate),
});
export type MarketFrame = z.infer<typeof MarketFrame>;

// ---------------------------------------------------------------------------------------
// Server -> client: private events (room u:{userId}). `seq` = the market's seq at the event
// (not advanced by private events): a client may order them against the public stream.

/** `order_placed`: an order was accepted (before any fill it takes; those follow as order_updated). */
export const OrderPlaced = z.object({ order: OrderDto, seq: Seq, tsMs: TsMs });
export type OrderPlaced = z.infer<typeof OrderPlaced>;

/** `order_updated` (fills, amends) and `order_cancelled` (status CANCELLED or EXPIRED; remainingQuantity 0). */
export const OrderChange = z.object({
  orderId: z.int(),
  marketId: Uuid,
  status: OrderStatus,
  /** FILL, AMEND, USER_CANCEL, SELF_TRADE, UNFILLED, MARKET_CLOSED, EXPIRED. */
  reason: z.string(),
  /** Limit price in own-outcome cents (null for market orders). */
  price: PriceCents.nullable(),
  quantity: z.int(),
  filledQuantity: z.int(),
  remainingQuantity: z.int(),
  /** The fills that led to this update (reason FILL), oldest first. */
  fills: z.array(FillDto),
  seq: Seq,
  tsMs: TsMs,
});
export type OrderChange = z.infer<typeof OrderChange>;

/** `balance_updated`: cents; total = available + locked. */
export const BalanceUpdated = z.object({ available: z.int(), locked: z.int(), total: z.int(), tsMs: TsMs });
export type BalanceUpdated = z.infer<typeof BalanceUpdated>;

/** `position_updated`: shares and cost basis of one market. */
export const PositionUpdated = z.object({
  marketId: Uuid,
  yesShares: z.int(),
  yesLockedShares: z.int(),
  noShares: z.int(),
  noLockedShares: z.int(),
  /** Cents paid for the shares held: YES, NO and their sum. */
  yesCost: z.int(),
  noCost: z.int(),
  costBasis: z.int(),
  realisedPnl: z.int(),
  seq: Seq,
  tsMs: TsMs,
});
export type PositionUpdated = z.infer<typeof PositionUpdated>;

/** `notification`: a settlement paid the user (RESOLUTION: 100 cents per winning share; VOID: the void rule). */
export const NotificationEvent = z.object({
  /** The final status the settlement left the market in (canonical; CANCELLED = voided). */
  marketStatus: SettledStatus,
  /** Legacy name: MARKET_RESOLVED (= RESOLVED) or MARKET_VOIDED (= CANCELLED). */
  kind: z.enum(['MARKET_RESOLVED', 'MARKET_VOIDED']),
  marketId: Uuid,
  /** Cents credited. */
  amount: z.int().min(0),
  yesShares: z.int(),
  noShares: z.int(),
  costBasis: z.int(),
  seq: Seq,
  tsMs: TsMs,
});
export type NotificationEvent = z.infer<typeof NotificationEvent>;

/** `request_error`: a message sent WITHOUT an ack callback failed (e.g. RATE_LIMITED); with a callback the ack carries it. */
export const RequestError = z.object({ event: z.string(), error: AckError.shape.error });
export type RequestError = z.infer<typeof RequestError>;

// ---------------------------------------------------------------------------------------
// Event-name maps for typed Socket.IO servers and clients.

type Ack<T> = (res: T) => void;

/** Client -> server events and their ack shapes. Every payload is validated with the schema above. */
export interface ClientToServerEvents {
  'subscribe:market': (p: SubscribeMarketPayload, ack?: Ack<SubscribeMarketAck>) => void;
  'unsubscribe:market': (p: UnsubscribeMarketPayload, ack?: Ack<UnsubscribeMarketAck>) => void;
  ping: (p?: PingPayload, ack?: Ack<z.infer<typeof PingAck>>) => void;
  'session:cancel_on_disconnect': (p: CancelOnDisconnectPayload, ack?: Ack<CancelOnDisconnectAck>) => void;
  'session:refresh': (p: SessionRefreshPayload, ack?: Ack<SessionRefreshAck>) => void;
  'order:place': (p: OrderPlacePayload, ack?: Ack<OrderPlaceAck>) => void;
  'order:cancel': (p: OrderCancelPayload, ack?: Ack<OrderCancelAck>) => void;
  'order:cancel_all': (p: OrderCancelAllPayload, ack?: Ack<OrderCancelAllAck>) => void;
  'order:amend': (p: OrderAmendPayload, ack?: Ack<OrderAmendAck>) => void;
  'order:batch': (p: OrderBatchPayload, ack?: Ack<OrderBatchAck>) => void;
}

/** Server -> client events. */
export interface ServerToClientEvents {
  market_frame: (m: MarketFrame) => void;
  /** @deprecated legacy: no longer sent (a `market_frame` carries the book changes). */
  orderbook_update: (m: OrderbookUpdate) => void;
  /** @deprecated legacy: no longer sent (a `market_frame` carries the trades). */
  trade_executed: (m: TradeExecuted) => void;
  /** @deprecated legacy: no longer sent (a `market_frame` carries the market updates). */
  market_updated: (m: MarketUpdated) => void;
  order_placed: (m: OrderPlaced) => void;
  order_updated: (m: OrderChange) => void;
  order_cancelled: (m: OrderChange) => void;
  balance_updated: (m: BalanceUpdated) => void;
  position_updated: (m: PositionUpdated) => void;
  notification: (m: NotificationEvent) => void;
  pong: (m: PongPayload) => void;
  request_error: (m: RequestError) => void;
}

/** Public market events the server sends (carry fromSeq..seq). */
export const PUBLIC_MARKET_EVENTS = ['market_frame'] as const;
/** Private events of the user room. */
export const USER_EVENTS = ['order_placed', 'order_updated', 'order_cancelled', 'balance_updated', 'position_updated', 'notification'] as const;

/** Payload schema of every server -> client event. */
export const SERVER_EVENT_SCHEMAS = {
  market_frame: MarketFrame,
  orderbook_update: OrderbookUpdate,
  trade_executed: TradeExecuted,
  market_updated: MarketUpdated,
  order_placed: OrderPlaced,
  order_updated: OrderChange,
  order_cancelled: OrderChange,
  balance_updated: BalanceUpdated,
  position_updated: PositionUpdated,
  notification: NotificationEvent,
  pong: PongPayload,
  request_error: RequestError,
} as const satisfies Record<keyof ServerToClientEvents, z.ZodType>;

/** Payload schema of every client -> server event. */
export const CLIENT_EVENT_SCHEMAS = {
  'subscribe:market': SubscribeMarketPayload,
  'unsubscribe:market': UnsubscribeMarketPayload,
  ping: PingPayload,
  'session:cancel_on_disconnect': CancelOnDisconnectPayload,
  'session:refresh': SessionRefreshPayload,
  'order:place': OrderPlacePayload,
  'order:cancel': OrderCancelPayload,
  'order:cancel_all': OrderCancelAllPayload,
  'order:amend': OrderAmendPayload,
  'order:batch': OrderBatchPayload,
} as const satisfies Record<keyof ClientToServerEvents, z.ZodType>;

/** Ack schema of every client -> server event. */
export const ACK_SCHEMAS = {
  'subscribe:market': SubscribeMarketAck,
  'unsubscribe:market': UnsubscribeMarketAck,
  ping: PingAck,
  'session:cancel_on_disconnect': CancelOnDisconnectAck,
  'session:refresh': SessionRefreshAck,
  'order:place': OrderPlaceAck,
  'order:cancel': OrderCancelAck,
  'order:cancel_all': OrderCancelAllAck,
  'order:amend': OrderAmendAck,
  'order:batch': OrderBatchAck,
} as const satisfies Record<keyof ClientToServerEvents, z.ZodType>;
