/**
 * Order commands in, order responses out: the thin layer between API schemas and the engine.
 * Every rule (price range, tick, escrow, time in force) is the engine's; this file only
 * translates shapes and maps rejections to API errors.
 */
import type {
  CommandResult,
  EngineEvent,
  MatchingEngine,
  OrderView,
  PlaceOrderCommand,
  Rejection,
  TradeEvent,
} from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange, Job } from '../exchange/exchange.ts';
import type { Order as OrderRow, Trade as TradeRow } from '../generated/prisma/client.ts';

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
function viewToDto(o: OrderView, createdMs: number, updatedMs: number, status: string, reason: string | null, maxCost: number | null): schemas.OrderDto {
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

/** Place one order; throws the engine's rejection as ApiError. */
export async function placeOrder(exchange: Exchange, prisma: PrismaClient, userId: string, marketId: string, body: schemas.PlaceOrderBody): Promise<schemas.PlaceOrderResponse> {
  const cmd = placeCommand(userId, marketId, body);
  const { result, events } = await exchange.submit(commandJob('place', (now) => ({ ...cmd, tsMs: now })));
  return orderResponse(prisma, result, events);
}
