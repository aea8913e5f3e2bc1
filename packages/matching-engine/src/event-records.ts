/**
 * Factories of the engine's frequent event records. The engine either reuses one record per
 * event type (a sink that only reads events during `emit`) or takes a new record per event
 * from these same factories (a sink with `retainsEvents`, such as EventCollector, which then
 * keeps them without copying). One factory per type gives every record of a type the same
 * hidden class, so the engine's field writes stay monomorphic either way.
 */
import type { BalanceEvent, BookLevelEvent, LedgerEvent, OrderAcceptedEvent, OrderUpdatedEvent, PositionEvent, TradeEvent } from './types.ts';

export const newAcceptedEvent = (): OrderAcceptedEvent => ({
  type: 'ORDER_ACCEPTED', tsMs: 0, seq: 0, escrowCents: 0, escrowShares: 0, maxCostCents: null,
  order: {
    orderId: 0, userId: '', marketId: '', side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: null, yesPriceCents: null,
    bookSide: 'BID', qty: 0, remainingQty: 0, filledQty: 0, timeInForce: 'GTC', expiresAtMs: null, postOnly: false,
    stp: 'CANCEL_TAKER', clientOrderId: null, queueSeq: 0, status: 'OPEN',
  },
});

export const newUpdatedEvent = (): OrderUpdatedEvent => ({
  type: 'ORDER_UPDATED', tsMs: 0, seq: 0, orderId: 0, userId: '', marketId: '', status: 'OPEN', reason: 'FILL',
  priceCents: null, qty: 0, remainingQty: 0, filledQty: 0, queueSeq: 0,
});

export const newTradeEvent = (): TradeEvent => ({
  type: 'TRADE', tsMs: 0, seq: 0, tradeId: 0, marketId: '', kind: 'MINT', yesPriceCents: 0, qty: 0, makerOrderId: 0,
  takerOrderId: 0, makerUserId: '', takerUserId: '', makerSide: 'BUY', makerOutcome: 'YES', takerSide: 'BUY',
  takerOutcome: 'YES', takerBookSide: 'BID',
});

export const newLevelEvent = (): BookLevelEvent => ({ type: 'BOOK_LEVEL', tsMs: 0, seq: 0, marketId: '', side: 'BID', yesPriceCents: 0, qty: 0, orderCount: 0 });

export const newLedgerEvent = (): LedgerEvent => ({ type: 'LEDGER', tsMs: 0, marketId: null, debit: '', credit: '', amountCents: 0, reason: 'GRANT', tradeId: null });

export const newBalanceEvent = (): BalanceEvent => ({ type: 'BALANCE', tsMs: 0, userId: '', availableCents: 0, lockedCents: 0 });

export const newPositionEvent = (): PositionEvent => ({
  type: 'POSITION', tsMs: 0, seq: 0, userId: '', marketId: '', yesShares: 0, yesLockedShares: 0, noShares: 0,
  noLockedShares: 0, yesCostCents: 0, noCostCents: 0, realisedPnlCents: 0,
});
