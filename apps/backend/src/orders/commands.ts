/**
 * Order commands: place, batch, cancel, cancel-all, amend. The ONLY callers of the writer
 * queue for orders, shared by REST (orders/routes.ts) and sockets (realtime/trading.ts): same
 * engine path, same result shapes, same error codes. Every order rule (price range, tick,
 * escrow, time in force) is the engine's; the one service rule is checked INSIDE the writer
 * job, atomically with the engine: a market's designated resolver may not place or amend
 * orders in it (RESOLVER_CANNOT_TRADE).
 */
import type { CancelAllResult, CommandResult, EngineEvent, MatchingEngine, OrderResult, OrderView, PlaceOrderCommand, Rejection } from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { rejectionError } from '../entrance/errors.ts';
import { orderViewToDto, takerFills } from './dto.ts';
import { storedFills, storedOrder } from './queries.ts';

/** What the order commands need from the application context. */
export interface OrderDeps {
  exchange: Exchange;
  prisma: PrismaClient;
  markets: MarketDirectory;
}

/** A refusal decided by the service inside a writer job (not an engine rejection). */
interface Refusal {
  ok: false;
  refusal: ApiError;
}

/** The ApiError of an engine rejection or a service refusal. */
function failure(r: Rejection | Refusal): ApiError {
  return 'refusal' in r ? r.refusal : rejectionError(r);
}

/** RESOLVER_CANNOT_TRADE when `userId` is the designated resolver of `marketId`, else null. Run inside the writer job. */
function resolverGuard(markets: MarketDirectory, userId: string, marketId: string): Refusal | null {
  if (markets.resolverOf(marketId) !== userId) return null;
  return { ok: false, refusal: new ApiError('RESOLVER_CANNOT_TRADE', "you are this market's designated resolver: you may not trade in it") };
}

/** The engine command for a validated PlaceOrderBody (tsMs is stamped by the writer). */
export function placeCommand(userId: string, marketId: string, body: schemas.PlaceOrderBody): Omit<PlaceOrderCommand, 'tsMs'> {
  return {
    type: 'PLACE',
    userId,
    marketId,
    side: body.side,
    outcome: body.outcome,
    orderType: body.type,
    priceCents: body.price ?? null,
    qty: body.quantity,
    timeInForce: body.timeInForce,
    expiresAtMs: body.expiresAt === undefined ? null : Date.parse(body.expiresAt),
    postOnly: body.postOnly,
    maxCostCents: body.maxCost ?? null,
    clientOrderId: body.clientOrderId ?? null,
    stp: body.stp,
  };
}

/** Place inside the writer: the resolver guard, then the engine. */
function placeIn(engine: MatchingEngine, markets: MarketDirectory, now: number, userId: string, marketId: string, body: schemas.PlaceOrderBody): CommandResult | Refusal {
  return resolverGuard(markets, userId, marketId) ?? engine.execute({ ...placeCommand(userId, marketId, body), tsMs: now });
}

/**
 * The response to a place (or amend) from the result and the job's events: the order's state
 * after the command and the fills it took. A duplicate clientOrderId returns the stored
 * original with all its fills. Throws the rejection as ApiError.
 */
async function orderResponse(prisma: PrismaClient, result: CommandResult | Refusal, events: readonly EngineEvent[]): Promise<schemas.PlaceOrderResponse> {
  if (!result.ok) throw failure(result);
  if (!('orderId' in result)) throw new Error('not an order result');
  if (result.duplicate) {
    return { order: await storedOrder(prisma, result.orderId), fills: await storedFills(prisma, result.orderId), duplicate: true };
  }
  const orderId = result.orderId;
  const accepted = events.find((e) => e.type === 'ORDER_ACCEPTED' && e.order.orderId === orderId);
  if (accepted === undefined || accepted.type !== 'ORDER_ACCEPTED') {
    // an amend: the order was accepted by an earlier command; its row is committed by now
    return { order: await storedOrder(prisma, orderId), fills: takerFills(events, orderId), duplicate: false };
  }
  const view: OrderView = { ...accepted.order };
  let updatedMs = accepted.tsMs;
  let status: string = view.status;
  let reason: string | null = null;
  for (const e of events) {
    if (e.type === 'ORDER_UPDATED' && e.orderId === orderId) {
      view.priceCents = e.priceCents;
      view.qty = e.qty;
      view.remainingQty = e.remainingQty;
      view.filledQty = e.filledQty;
      status = e.status;
      reason = e.reason;
      updatedMs = e.tsMs;
    }
  }
  return { order: orderViewToDto(view, accepted.tsMs, updatedMs, status, reason, accepted.maxCostCents), fills: takerFills(events, orderId), duplicate: false };
}

/**
 * What the engine does not keep about a resting order (its creation time and maxCost),
 * remembered per exchange from its acceptance, so that a cancel answers without reading the
 * database (a Prisma read costs about a millisecond of CPU). Best effort and bounded: a miss
 * (e.g. an order from before a restart) reads the stored row instead.
 */
const ORDER_META_MAX = 100_000;
const orderMetaByExchange = new WeakMap<Exchange, Map<number, { createdMs: number; maxCost: number | null }>>();
function orderMeta(exchange: Exchange): Map<number, { createdMs: number; maxCost: number | null }> {
  let m = orderMetaByExchange.get(exchange);
  if (m === undefined) {
    m = new Map();
    orderMetaByExchange.set(exchange, m);
  }
  return m;
}

/** Remember the orders a job accepted that are still resting after it. */
function rememberResting(exchange: Exchange, events: readonly EngineEvent[]): void {
  const meta = orderMeta(exchange);
  for (const e of events) {
    if (e.type === 'ORDER_ACCEPTED') {
      if (meta.size >= ORDER_META_MAX) meta.delete(meta.keys().next().value!);
      meta.set(e.order.orderId, { createdMs: e.tsMs, maxCost: e.maxCostCents });
    } else if (e.type === 'ORDER_UPDATED' && (e.status === 'FILLED' || e.status === 'CANCELLED' || e.status === 'EXPIRED')) {
      meta.delete(e.orderId);
    }
  }
}

/** Place one order in market `marketId`; resolves once durable. Throws the engine's rejection or RESOLVER_CANNOT_TRADE as ApiError. */
export async function placeOrder(d: OrderDeps, userId: string, marketId: string, body: schemas.PlaceOrderBody): Promise<schemas.PlaceOrderResponse> {
  const { result, events } = await d.exchange.submit({ kind: 'place', run: (engine, now) => placeIn(engine, d.markets, now, userId, marketId, body) });
  rememberResting(d.exchange, events);
  return orderResponse(d.prisma, result, events);
}

/**
 * Place one order in the market `item.marketSlug`. Resolves once durable with the order and
 * the fills it took (`duplicate` when its clientOrderId was used before). Throws ApiError
 * UNKNOWN_MARKET, RESOLVER_CANNOT_TRADE, any engine rejection (INSUFFICIENT_BALANCE,
 * MARKET_NOT_OPEN, ...), or NOT_READY / SHUTTING_DOWN / COMMIT_FAILED.
 */
export async function placeOrderBySlug(d: OrderDeps, userId: string, item: schemas.OrderPlacePayload): Promise<schemas.PlaceOrderResponse> {
  const { marketSlug, ...body } = item;
  return placeOrder(d, userId, await d.markets.idOf(marketSlug), body);
}

/**
 * Place up to LIMITS.maxBatchOrders orders in ONE writer job: executed in order, each
 * succeeding or failing alone (`{ ok: false, error }` per item: UNKNOWN_MARKET,
 * RESOLVER_CANNOT_TRADE or an engine rejection). Throws only what fails the whole job
 * (NOT_READY, SHUTTING_DOWN, COMMIT_FAILED).
 */
export async function placeBatch(d: OrderDeps, userId: string, orders: schemas.OrderPlacePayload[]): Promise<schemas.BatchOrdersResponse> {
  const items = await Promise.all(
    orders.map(async (o) => {
      try {
        return { marketId: await d.markets.idOf(o.marketSlug), body: o };
      } catch (err) {
        return { error: err as ApiError, body: o };
      }
    }),
  );
  const { result, events } = await d.exchange.submit({
    kind: 'batch',
    run: (engine, now) => items.map((it) => ('marketId' in it && it.marketId !== undefined ? placeIn(engine, d.markets, now, userId, it.marketId, it.body) : null)),
  });
  rememberResting(d.exchange, events);
  const results: schemas.BatchOrdersResponse['results'] = [];
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    const r = result[i];
    if (r === null || r === undefined) {
      const err = 'error' in it && it.error instanceof ApiError ? it.error : new ApiError('UNKNOWN_MARKET', 'no such market');
      results.push({ ok: false, error: err.toBody().error });
      continue;
    }
    if (!r.ok) {
      results.push({ ok: false, error: failure(r).toBody().error });
      continue;
    }
    const own = 'orderId' in r ? events.filter((e) => ('orderId' in e && e.orderId === r.orderId) || (e.type === 'ORDER_ACCEPTED' && e.order.orderId === r.orderId) || (e.type === 'TRADE' && e.takerOrderId === r.orderId)) : [];
    results.push({ ok: true, ...(await orderResponse(d.prisma, r, own)) });
  }
  return { results };
}

/** Cancel one resting order of the user; resolves with its final state. Throws UNKNOWN_ORDER (not a live order of this user) or a writer error. */
export async function cancelOrder(d: OrderDeps, userId: string, orderId: number): Promise<schemas.OrderDto> {
  const { result: r, events } = await d.exchange.submit({
    kind: 'cancel',
    run: (engine, now) => {
      const before = engine.getOrder(orderId);
      return { result: engine.execute({ type: 'CANCEL', tsMs: now, userId, orderId }) as OrderResult | Rejection, before };
    },
  });
  if (!r.result.ok) throw rejectionError(r.result);
  // The stored row is exactly: the order before the cancel, its final update, and what was
  // remembered at its acceptance. Without the latter, read the row.
  const metas = orderMeta(d.exchange);
  const meta = metas.get(orderId);
  const update = events.find((e) => e.type === 'ORDER_UPDATED' && e.orderId === orderId);
  if (meta !== undefined && r.before !== undefined && update !== undefined && update.type === 'ORDER_UPDATED') {
    metas.delete(orderId);
    const view: OrderView = { ...r.before, priceCents: update.priceCents, qty: update.qty, remainingQty: update.remainingQty, filledQty: update.filledQty };
    return orderViewToDto(view, meta.createdMs, update.tsMs, update.status, update.reason, meta.maxCost);
  }
  return storedOrder(d.prisma, orderId);
}

/** Cancel every resting order of the user, in the market `marketSlug` when given (UNKNOWN_MARKET if none). Resolves with the ids cancelled, oldest first. */
export async function cancelAllOrders(d: OrderDeps, userId: string, marketSlug?: string): Promise<{ cancelledOrderIds: number[] }> {
  const marketId = marketSlug === undefined ? null : await d.markets.idOf(marketSlug);
  const { result } = await d.exchange.submit({
    kind: 'cancel-all',
    run: (engine, now) => engine.execute({ type: 'CANCEL_ALL', tsMs: now, userId, marketId }) as CancelAllResult | Rejection,
  });
  if (!result.ok) throw rejectionError(result);
  return { cancelledOrderIds: result.cancelledOrderIds };
}

/** Amend price and/or remaining quantity of a resting order; resolves with the order and the fills the amend took. Throws UNKNOWN_ORDER, AMEND_NO_CHANGE, MARKET_HALTED, RESOLVER_CANNOT_TRADE, ... */
export async function amendOrder(d: OrderDeps, userId: string, orderId: number, body: schemas.AmendOrderBody): Promise<schemas.PlaceOrderResponse> {
  const { result, events } = await d.exchange.submit({
    kind: 'amend',
    run: (engine, now): CommandResult | Refusal => {
      const order = engine.getOrder(orderId);
      const guard = order !== undefined && order.userId === userId ? resolverGuard(d.markets, userId, order.marketId) : null;
      return guard ?? engine.execute({ type: 'AMEND', tsMs: now, userId, orderId, priceCents: body.price ?? null, qty: body.quantity ?? null });
    },
  });
  return orderResponse(d.prisma, result, events);
}

