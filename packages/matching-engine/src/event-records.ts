/**
 * Factories of the engine's frequent event records, taking every field's value. The engine
 * either reuses one record per event type, created here and overwritten field by field (a
 * sink that only reads events during `emit`), or creates a new record per event here with
 * its final values (a sink with `retainsEvents`, such as EventCollector, which then keeps
 * them without copying). One factory per type gives every record of a type the same hidden
 * class, so the code that reads or writes them stays monomorphic either way.
 */
import type {
  BalanceEvent,
  BookLevelEvent,
  BookSide,
  LedgerEvent,
  LedgerReason,
  OrderAcceptedEvent,
  OrderStatus,
  OrderType,
  OrderUpdateReason,
  OrderUpdatedEvent,
  OrderView,
  Outcome,
  PositionEvent,
  Side,
  StpMode,
  TimeInForce,
  TradeEvent,
  TradeKind,
} from './types.ts';

export const newOrderView = (
  orderId: number, userId: string, marketId: string, side: Side, outcome: Outcome, orderType: OrderType, priceCents: number | null,
  yesPriceCents: number | null, bookSide: BookSide, qty: number, remainingQty: number, filledQty: number, timeInForce: TimeInForce,
  expiresAtMs: number | null, postOnly: boolean, stp: StpMode, clientOrderId: string | null, queueSeq: number, status: OrderStatus,
): OrderView => ({
  orderId, userId, marketId, side, outcome, orderType, priceCents, yesPriceCents, bookSide, qty, remainingQty, filledQty, timeInForce,
  expiresAtMs, postOnly, stp, clientOrderId, queueSeq, status,
});

export const newAcceptedEvent = (tsMs: number, seq: number, escrowCents: number, escrowShares: number, maxCostCents: number | null, order: OrderView): OrderAcceptedEvent => ({
  type: 'ORDER_ACCEPTED', tsMs, seq, escrowCents, escrowShares, maxCostCents, order,
});

export const newUpdatedEvent = (
  tsMs: number, seq: number, orderId: number, userId: string, marketId: string, status: OrderStatus, reason: OrderUpdateReason,
  priceCents: number | null, qty: number, remainingQty: number, filledQty: number, queueSeq: number,
): OrderUpdatedEvent => ({ type: 'ORDER_UPDATED', tsMs, seq, orderId, userId, marketId, status, reason, priceCents, qty, remainingQty, filledQty, queueSeq });

export const newTradeEvent = (
  tsMs: number, seq: number, tradeId: number, marketId: string, kind: TradeKind, yesPriceCents: number, qty: number, makerOrderId: number,
  takerOrderId: number, makerUserId: string, takerUserId: string, makerSide: Side, makerOutcome: Outcome, takerSide: Side,
  takerOutcome: Outcome, takerBookSide: BookSide,
): TradeEvent => ({
  type: 'TRADE', tsMs, seq, tradeId, marketId, kind, yesPriceCents, qty, makerOrderId, takerOrderId, makerUserId, takerUserId, makerSide,
  makerOutcome, takerSide, takerOutcome, takerBookSide,
});

export const newLevelEvent = (tsMs: number, seq: number, marketId: string, side: BookSide, yesPriceCents: number, qty: number, orderCount: number): BookLevelEvent => ({
  type: 'BOOK_LEVEL', tsMs, seq, marketId, side, yesPriceCents, qty, orderCount,
});

export const newLedgerEvent = (tsMs: number, marketId: string | null, debit: string, credit: string, amountCents: number, reason: LedgerReason, tradeId: number | null): LedgerEvent => ({
  type: 'LEDGER', tsMs, marketId, debit, credit, amountCents, reason, tradeId,
});

export const newBalanceEvent = (tsMs: number, userId: string, availableCents: number, lockedCents: number): BalanceEvent => ({
  type: 'BALANCE', tsMs, userId, availableCents, lockedCents,
});

export const newPositionEvent = (
  tsMs: number, seq: number, userId: string, marketId: string, yesShares: number, yesLockedShares: number, noShares: number,
  noLockedShares: number, yesCostCents: number, noCostCents: number, realisedPnlCents: number,
): PositionEvent => ({
  type: 'POSITION', tsMs, seq, userId, marketId, yesShares, yesLockedShares, noShares, noLockedShares, yesCostCents, noCostCents, realisedPnlCents,
});
