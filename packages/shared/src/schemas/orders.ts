import { z } from 'zod';
import { LIMITS } from '../constants.ts';
import {
  IsoDateTime,
  PlainText,
  OrderStatus,
  OrderType,
  Outcome,
  PageQuery,
  PriceCents,
  Quantity,
  Side,
  StpMode,
  TimeInForce,
  TradeKind,
  Uuid,
} from './common.ts';
import { Slug } from './markets.ts';

/**
 * POST /api/orders/:marketSlug and socket `order:place`. Shapes and ranges are checked
 * here; combination rules (a limit order needs a price, GTD needs expiresAt, maxCost only on
 * market buys, tick size) are the engine's and come back as its rejection codes.
 */
export const PlaceOrderBody = z.strictObject({
  side: Side,
  outcome: Outcome,
  type: OrderType.default('LIMIT'),
  /** Limit price in cents of the order's own outcome (1..99). Limit orders only. */
  price: PriceCents.optional(),
  /** Shares. */
  quantity: Quantity,
  /** Default GTC for limit orders, IOC for market orders. */
  timeInForce: TimeInForce.optional(),
  /** GTD only: the order no longer rests after this instant. */
  expiresAt: IsoDateTime.optional(),
  postOnly: z.boolean().default(false),
  /** Market buys only: most cents to spend (default quantity x 99). */
  maxCost: z.int().min(1).max(1_000_000_000_000).optional(),
  /** Unique per user: a repeat returns the original order and creates nothing. */
  clientOrderId: PlainText.min(1).max(LIMITS.clientOrderIdMaxLength).optional(),
  /** Self-trade prevention mode. */
  stp: StpMode.default('CANCEL_TAKER'),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

/** PATCH /api/orders/:orderId: new price and/or new REMAINING quantity. Reducing quantity keeps queue place; anything else loses it. */
export const AmendOrderBody = z
  .strictObject({ price: PriceCents.optional(), quantity: Quantity.optional() })
  .refine((b) => b.price !== undefined || b.quantity !== undefined, { message: 'give price or quantity' });
export type AmendOrderBody = z.infer<typeof AmendOrderBody>;

export const BatchOrderItem = PlaceOrderBody.extend({ marketSlug: Slug });
/** POST /api/orders/batch: up to 20 orders, executed in order; each succeeds or fails alone. */
export const BatchOrdersBody = z.strictObject({ orders: z.array(BatchOrderItem).min(1).max(LIMITS.maxBatchOrders) });
export type BatchOrdersBody = z.infer<typeof BatchOrdersBody>;

/** DELETE /api/orders?market=slug: cancel all of the caller's orders (in one market). */
export const CancelAllQuery = z.object({ market: Slug.optional() });

export const OrderIdParams = z.object({ orderId: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
export const MarketSlugParams = z.object({ marketSlug: Slug });

export const OrderbookQuery = z.object({ depth: z.coerce.number().int().min(1).max(LIMITS.bookDepthMax).default(10) });
export const UserOrdersQuery = PageQuery.extend({ status: OrderStatus.optional(), market: Slug.optional() });
export const TradesQuery = PageQuery;

export const OrderDto = z.object({
  id: z.int(),
  userId: Uuid,
  marketId: Uuid,
  side: Side,
  outcome: Outcome,
  type: OrderType,
  /** Limit price in own-outcome cents; null for market orders. */
  price: PriceCents.nullable(),
  quantity: z.int(),
  filledQuantity: z.int(),
  remainingQuantity: z.int(),
  status: OrderStatus,
  /** Why it last changed (FILL, AMEND, USER_CANCEL, SELF_TRADE, UNFILLED, MARKET_CLOSED, EXPIRED). */
  reason: z.string().nullable(),
  timeInForce: TimeInForce,
  expiresAt: z.string().nullable(),
  postOnly: z.boolean(),
  stp: StpMode,
  maxCost: z.int().nullable(),
  clientOrderId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type OrderDto = z.infer<typeof OrderDto>;

/** One fill of an order. */
export const FillDto = z.object({
  tradeId: z.int(),
  orderId: z.int(),
  /** Price in the order's own outcome cents. */
  price: PriceCents,
  yesPrice: PriceCents,
  quantity: z.int(),
  kind: TradeKind,
  role: z.enum(['MAKER', 'TAKER']),
  createdAt: z.string(),
});
export type FillDto = z.infer<typeof FillDto>;

export const PlaceOrderResponse = z.object({
  order: OrderDto,
  fills: z.array(FillDto),
  /** True when this clientOrderId was used before: the original order is returned, nothing new was created. */
  duplicate: z.boolean(),
});
export type PlaceOrderResponse = z.infer<typeof PlaceOrderResponse>;

export const BatchOrdersResponse = z.object({
  results: z.array(
    z.union([
      PlaceOrderResponse.extend({ ok: z.literal(true) }),
      z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string(), engineCode: z.int().optional() }) }),
    ]),
  ),
});
export type BatchOrdersResponse = z.infer<typeof BatchOrdersResponse>;

export const CancelAllResponse = z.object({ cancelledOrderIds: z.array(z.int()) });

export const BookLevelDto = z.object({
  price: PriceCents,
  quantity: z.int(),
  orders: z.int(),
  /** Shares of `quantity` that are the house market maker's (apps/house-maker); absent when none (or not computed: a gateway's snapshot). */
  houseQty: z.int().min(0).optional(),
});
export const LadderDto = z.object({ bids: z.array(BookLevelDto), asks: z.array(BookLevelDto) });
/** GET /api/orders/:marketSlug/orderbook: both ladders from the one book, at one sequence number. */
export const OrderbookResponse = z.object({
  marketId: Uuid,
  slug: z.string(),
  seq: z.int(),
  depth: z.int(),
  yes: LadderDto,
  no: LadderDto,
});
export type OrderbookResponse = z.infer<typeof OrderbookResponse>;

export const TradeDto = z.object({
  id: z.int(),
  marketId: Uuid,
  seq: z.int(),
  kind: TradeKind,
  yesPrice: PriceCents,
  noPrice: PriceCents,
  quantity: z.int(),
  /** The taker's side and outcome. */
  takerSide: Side,
  takerOutcome: Outcome,
  createdAt: z.string(),
});
export type TradeDto = z.infer<typeof TradeDto>;
export const TradesResponse = z.object({ trades: z.array(TradeDto), nextBefore: z.int().nullable() });
export const UserOrdersResponse = z.object({ orders: z.array(OrderDto), nextBefore: z.int().nullable() });
export type TradesResponse = z.infer<typeof TradesResponse>;
export type UserOrdersResponse = z.infer<typeof UserOrdersResponse>;
export type CancelAllResponse = z.infer<typeof CancelAllResponse>;
export type LadderDto = z.infer<typeof LadderDto>;
export type BookLevelDto = z.infer<typeof BookLevelDto>;
