/**
 * Orders, fills, trades and ladders as the shared schemas (packages/shared schemas/orders.ts
 * and socket.ts): the ONLY place order rows, engine order views, trade rows, TRADE events and
 * engine ladders become DTOs, for REST and socket payloads alike. Times are ISO 8601 strings
 * in UTC (`createdAt`, `updatedAt`, `expiresAt`); socket messages add `tsMs` (epoch ms) for the
 * same instant (docs: apps/backend/docs/realtime.md, "Units and times").
 */
import type { EngineEvent, Ladder, OrderView } from '@prediction-markets/matching-engine';
import { mirrorPrice, priceInOutcome, type Outcome, type schemas } from '@prediction-markets/shared';
import type { Order as OrderRow, Trade as TradeRow } from '../generated/prisma/client.ts';

/** Epoch ms as the API's time format (ISO 8601, UTC, milliseconds). */
export const isoTime = (ms: number): string => new Date(ms).toISOString();

/** OrderDto from an engine order view and what the engine does not keep (times, status, reason, maxCost). */
export function orderViewToDto(o: OrderView, createdMs: number, updatedMs: number, status: string, reason: string | null, maxCost: number | null): schemas.OrderDto {
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
    expiresAt: o.expiresAtMs === null ? null : isoTime(o.expiresAtMs),
    postOnly: o.postOnly,
    stp: o.stp,
    maxCost,
    clientOrderId: o.clientOrderId,
    createdAt: isoTime(createdMs),
    updatedAt: isoTime(updatedMs),
  };
}

/** OrderDto from a stored order row. */
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

/** A trade as seen by one of its orders (the maker's or the taker's). */
export interface TradeSide {
  tradeId: number;
  yesPriceCents: number;
  qty: number;
  kind: schemas.FillDto['kind'];
  tsMs: number;
}

/** FillDto of `orderId` (of `outcome`, in `role`) in a trade: the price in the order's own outcome. */
export function fillDto(t: TradeSide, orderId: number, outcome: Outcome, role: 'MAKER' | 'TAKER'): schemas.FillDto {
  return {
    tradeId: t.tradeId,
    orderId,
    price: priceInOutcome(t.yesPriceCents, outcome),
    yesPrice: t.yesPriceCents,
    quantity: t.qty,
    kind: t.kind,
    role,
    createdAt: isoTime(t.tsMs),
  };
}

/** The fills of a TRADE event, maker's and taker's. */
export function tradeEventFills(e: Extract<EngineEvent, { type: 'TRADE' }>): { maker: schemas.FillDto; taker: schemas.FillDto } {
  const t: TradeSide = { tradeId: e.tradeId, yesPriceCents: e.yesPriceCents, qty: e.qty, kind: e.kind, tsMs: e.tsMs };
  return { maker: fillDto(t, e.makerOrderId, e.makerOutcome, 'MAKER'), taker: fillDto(t, e.takerOrderId, e.takerOutcome, 'TAKER') };
}

/** The fill of stored order `orderId` in a stored trade (its role read from the row). */
export function tradeRowFill(t: TradeRow, orderId: number): schemas.FillDto {
  const maker = t.makerOrderId === BigInt(orderId);
  return fillDto(
    { tradeId: Number(t.id), yesPriceCents: t.yesPriceCents, qty: t.qty, kind: t.kind, tsMs: t.createdAt.getTime() },
    orderId,
    maker ? t.makerOutcome : t.takerOutcome,
    maker ? 'MAKER' : 'TAKER',
  );
}

/** The taker's fills among a command's events. */
export function takerFills(events: readonly EngineEvent[], orderId: number): schemas.FillDto[] {
  const out: schemas.FillDto[] = [];
  for (const e of events) if (e.type === 'TRADE' && e.takerOrderId === orderId) out.push(tradeEventFills(e).taker);
  return out;
}

/** The fields of a trade common to REST TradeDto and the trades of a socket `market_frame`. */
type TradeFields = Pick<schemas.TradeDto, 'kind' | 'yesPrice' | 'noPrice' | 'quantity' | 'takerSide' | 'takerOutcome'>;

function tradeFields(t: { kind: schemas.TradeDto['kind']; yesPriceCents: number; qty: number; takerSide: schemas.TradeDto['takerSide']; takerOutcome: Outcome }): TradeFields {
  return { kind: t.kind, yesPrice: t.yesPriceCents, noPrice: mirrorPrice(t.yesPriceCents), quantity: t.qty, takerSide: t.takerSide, takerOutcome: t.takerOutcome };
}

/** REST TradeDto from a stored trade. */
export function tradeRowToDto(t: TradeRow): schemas.TradeDto {
  return { id: Number(t.id), marketId: t.marketId, seq: Number(t.seq), ...tradeFields(t), createdAt: t.createdAt.toISOString() };
}

/** A trade of a socket `market_frame` (its market and range are the frame's) from a committed TRADE event. */
export function tradeEventToFrameTrade(e: Extract<EngineEvent, { type: 'TRADE' }>): schemas.FrameTrade {
  return { seq: e.seq, tsMs: e.tsMs, id: e.tradeId, ...tradeFields(e) };
}

/** LadderDto from an engine ladder (levels best first). */
export function ladderDto(l: Pick<Ladder, 'bids' | 'asks'>): schemas.OrderbookResponse['yes'] {
  const level = (x: Ladder['bids'][number]) => ({ price: x.priceCents, quantity: x.qty, orders: x.orderCount });
  return { bids: l.bids.map(level), asks: l.asks.map(level) };
}
