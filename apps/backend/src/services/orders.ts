/**
 * Order commands in, order responses out: the thin layer between API schemas and the engine.
 * Every rule (price range, tick, escrow, time in force) is the engine's; this file only
 * translates shapes and maps rejections to API errors.
 */
import type {
  CancelAllResult,
  CommandResult,
  EngineEvent,
  MatchingEngine,
  OrderResult,
  OrderView,
  PlaceOrderCommand,
  Rejection,
} from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange, Job } from '../exchange/exchange.ts';
import type { Order as OrderRow, Trade as TradeRow } from '../generated/prisma/client.ts';
import type { MarketDirectory } from './markets.ts';

/** An engine rejection as an ApiError (status from the shared catalogue). */
export function rejectionError(r: Rejection): ApiError {
  return new ApiError(r.codeName, r.message);
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

const iso = (ms: number): string => new Date(ms).toISOString();

/** OrderDto from an engine order view and the timestamps known for it. */
export function viewToDto(o: OrderView, createdMs: number, updatedMs: number, status: string, reason: string | null, maxCost: number | null): schemas.OrderDto {
  return {
    id: o.orderId,
    userId: o.userId,
    marketId: o.marketId,
    side: o.side,
    outcome: o.outcome,
    type: o.orderType,
    price: o.priceCents,
    quantity: o.qty,
    filledQuantity: o.filledQty,
    remainingQuantity: o.remainingQty,
    status: status as schemas.OrderDto['status'],
    reason,
    timeInForce: o.timeInForce,
    expiresAt: o.expiresAtMs === null ? null : iso(o.expiresAtMs),
    postOnly: o.postOnly,
    stp: o.stp,
    maxCost: maxCost,
    clientOrderId: o.clientOrderId,
    createdAt: iso(createdMs),
    updatedAt: iso(updatedMs),
  };
}

export function orderRowToDto(r: OrderRow): schemas.OrderDto {
  return {
    id: Number(r.id),
    userId: r.userId,
    marketId: r.marketId,
    side: r.side,
    outcome: r.outcome,
    type: r.type,
    price: r.priceCents,
    quantity: r.qty,
    filledQuantity: r.filledQty,
    remainingQuantity: r.remainingQty,
    status: r.status,
    reason: r.reason,
    timeInForce: r.timeInForce,
    expiresAt: r.expiresAt?.toISOString() ?? null,
    postOnly: r.postOnly,
    stp: r.stp,
    maxCost: r.maxCostCents === null ? null : Number(r.maxCostCents),
    clientOrderId: r.clientOrderId,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function fillOf(t: { tradeId: number; yesPrice: number; qty: number; kind: schemas.FillDto['kind']; createdAt: string }, orderId: number, outcome: 'YES' | 'NO', role: 'MAKER' | 'TAKER'): schemas.FillDto {
  return {
    tradeId: t.tradeId,
    orderId,
    price: outcome === 'YES' ? t.yesPrice : 100 - t.yesPrice,
    yesPrice: t.yesPrice,
    quantity: t.qty,
    kind: t.kind,
    role,
    createdAt: t.createdAt,
  };
}

/** The taker's fills among a command's events. */
export function takerFills(events: readonly EngineEvent[], orderId: number): schemas.FillDto[] {
  const out: schemas.FillDto[] = [];
  for (const e of events) {
    if (e.type === 'TRADE' && e.takerOrderId === orderId) {
      out.push(fillOf({ tradeId: e.tradeId, yesPrice: e.yesPriceCents, qty: e.qty, kind: e.kind, createdAt: iso(e.tsMs) }, orderId, e.takerOutcome, 'TAKER'));
    }
  }
  return out;
}

/** Fills of a stored order (both roles), oldest first. */
export async function storedFills(prisma: PrismaClient, orderId: number): Promise<schemas.FillDto[]> {
  const id = BigInt(orderId);
  const rows: TradeRow[] = await prisma.trade.findMany({ where: { OR: [{ makerOrderId: id }, { takerOrderId: id }] }, orderBy: { id: 'asc' } });
  return rows.map((t) => {
    const maker = t.makerOrderId === id;
    return fillOf(
      { tradeId: Number(t.id), yesPrice: t.yesPriceCents, qty: t.qty, kind: t.kind, createdAt: t.createdAt.toISOString() },
      orderId,
      maker ? t.makerOutcome : t.takerOutcome,
      maker ? 'MAKER' : 'TAKER',
    );
  });
}

/**
 * The response to a place (or amend) from the engine result and the job's events: the
 * order's state after the command and the fills it took. A duplicate clientOrderId returns
 * the stored original with all its fills.
 */
export async function orderResponse(prisma: PrismaClient, result: CommandResult, events: readonly EngineEvent[]): Promise<schemas.PlaceOrderResponse> {
  if (!result.ok) throw rejectionError(result);
  if (!('orderId' in result)) throw new Error('not an order result');
  if (result.duplicate) {
    const row = await prisma.order.findUnique({ where: { id: BigInt(result.orderId) } });
    if (row === null) throw new Error(`order ${result.orderId} of a duplicate clientOrderId is not stored`);
    return { order: orderRowToDto(row), fills: await storedFills(prisma, result.orderId), duplicate: true };
  }
  const orderId = result.orderId;
  const accepted = events.find((e) => e.type === 'ORDER_ACCEPTED' && e.order.orderId === orderId);
  if (accepted === undefined || accepted.type !== 'ORDER_ACCEPTED') {
    // an amend: the order was accepted by an earlier command; its row is committed by now
    const row = await prisma.order.findUnique({ where: { id: BigInt(orderId) } });
    if (row === null) throw new Error(`order ${orderId} is not stored`);
    return { order: orderRowToDto(row), fills: takerFills(events, orderId), duplicate: false };
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
  return {
    order: viewToDto(view, accepted.tsMs, updatedMs, status, reason, accepted.maxCostCents),
    fills: takerFills(events, orderId),
    duplicate: false,
  };
}

/** Submit one engine command as a job and return its outcome (rejections included). */
export function commandJob<T extends CommandResult>(kind: string, build: (now: number) => Parameters<MatchingEngine['execute']>[0]): Job<T> {
  return { kind, run: (engine, now) => engine.execute(build(now)) as T };
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

/** Place one order; throws the engine's rejection as ApiError. */
export async function placeOrder(exchange: Exchange, prisma: PrismaClient, userId: string, marketId: string, body: schemas.PlaceOrderBody): Promise<schemas.PlaceOrderResponse> {
  const cmd = placeCommand(userId, marketId, body);
  const { result, events } = await exchange.submit(commandJob('place', (now) => ({ ...cmd, tsMs: now })));
  rememberResting(exchange, events);
  return orderResponse(prisma, result, events);
}

// ---------------------------------------------------------------------------------------
// The order operations of the REST routes (routes/orders.ts) and the socket trading API
// (realtime/), one implementation: same engine path, same result shapes, same error codes.

/** What the order operations need from the application context. */
export interface OrderDeps {
  exchange: Exchange;
  prisma: PrismaClient;
  markets: MarketDirectory;
}

/**
 * Place one order in the market `item.marketSlug`. Resolves once durable with the order and
 * the fills it took (`duplicate` when its clientOrderId was used before). Throws ApiError
 * UNKNOWN_MARKET, any engine rejection (INSUFFICIENT_BALANCE, MARKET_NOT_OPEN, ...), or
 * NOT_READY / SHUTTING_DOWN / COMMIT_FAILED.
 */
export async function placeOrderBySlug(d: OrderDeps, userId: string, item: schemas.OrderPlacePayload): Promise<schemas.PlaceOrderResponse> {
  const { marketSlug, ...body } = item;
  const marketId = await d.markets.idOf(marketSlug);
  return placeOrder(d.exchange, d.prisma, userId, marketId, body);
}

/**
 * Place up to LIMITS.maxBatchOrders orders in ONE writer job: executed in order, each
 * succeeding or failing alone (`{ ok: false, error }` per item: UNKNOWN_MARKET or an engine
 * rejection). Throws only what fails the whole job (NOT_READY, SHUTTING_DOWN, COMMIT_FAILED).
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
    run: (engine, now) =>
      items.map((it) => ('marketId' in it && it.marketId !== undefined ? engine.execute({ ...placeCommand(userId, it.marketId, it.body), tsMs: now }) : null)),
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
      const err = rejectionError(r);
      results.push({ ok: false, error: err.toBody().error });
      continue;
    }
    const own = 'orderId' in r ? events.filter((e) => ('orderId' in e && e.orderId === r.orderId) || (e.type === 'ORDER_ACCEPTED' && e.order.orderId === r.orderId) || (e.type === 'TRADE' && e.takerOrderId === r.orderId)) : [];
    results.push({ ok: true, ...(await orderResponse(d.prisma, r, own)) });
  }
  return { results };
}

/** Cancel one resting order of the user; resolves with its stored final state. Throws UNKNOWN_ORDER (not a live order of this user) or a writer error. */
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
    return viewToDto(view, meta.createdMs, update.tsMs, update.status, update.reason, meta.maxCost);
  }
  return orderRowToDto(await d.prisma.order.findUniqueOrThrow({ where: { id: BigInt(orderId) } }));
}

/** Cancel every resting order of the user, in the market `marketSlug` when given (UNKNOWN_MARKET if none). Resolves with the ids cancelled, oldest first. */
export async function cancelAllOrders(d: OrderDeps, userId: string, marketSlug?: string): Promise<{ cancelledOrderIds: number[] }> {
  const marketId = marketSlug === undefined ? null : await d.markets.idOf(marketSlug);
  const { result } = await d.exchange.submit(commandJob<CancelAllResult | Rejection>('cancel-all', (now) => ({ type: 'CANCEL_ALL', tsMs: now, userId, marketId })));
  if (!result.ok) throw rejectionError(result);
  return { cancelledOrderIds: result.cancelledOrderIds };
}

/** Amend price and/or remaining quantity of a resting order; resolves with the order and the fills the amend took. Throws UNKNOWN_ORDER, AMEND_NO_CHANGE, MARKET_HALTED, ... */
export async function amendOrder(d: OrderDeps, userId: string, orderId: number, body: schemas.AmendOrderBody): Promise<schemas.PlaceOrderResponse> {
  const { result, events } = await d.exchange.submit(
    commandJob<CommandResult>('amend', (now) => ({ type: 'AMEND', tsMs: now, userId, orderId, priceCents: body.price ?? null, qty: body.quantity ?? null })),
  );
  return orderResponse(d.prisma, result, events);
}
