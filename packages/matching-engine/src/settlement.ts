/**
 * Settlement of a market (off the hot path): resolution pays the winning shares, a void
 * refunds holders at cost basis (docs/DESIGN.md, "Settlement" and "The void rule"). Both
 * run after the market closed (every resting order cancelled, locked shares released and
 * netted), so every share is available and the pool holds exactly 100 x pairs.
 */
import { mulDivFloor, type EngineInternals, type Market, type Position } from './state.ts';
import type { LedgerReason, Outcome } from './types.ts';

/** Positions holding shares, sorted by userId (the settlement order). */
function holders(mk: Market): Position[] {
  const out: Position[] = [];
  for (const pos of mk.positions.values()) {
    if (pos.yesAvail + pos.yesLocked + pos.noAvail + pos.noLocked > 0) out.push(pos);
  }
  return out.sort((a, b) => (a.account.userId < b.account.userId ? -1 : a.account.userId > b.account.userId ? 1 : 0));
}

/**
 * Resolution: MARKET_STATUS(RESOLVED); per holder by userId: LEDGER SETTLEMENT (100 cents
 * per winning share, when > 0) and PAYOUT; then MARKET_SETTLED. Losing shares pay 0.
 * Winning shares outstanding == pairs, so the pool pays out exactly its collateral.
 */
export function resolveMarket(e: EngineInternals, mk: Market, outcome: Outcome): void {
  e.setStatus(mk, 'RESOLVED', outcome);
  const collateral = mk.collateral;
  const hs = holders(mk);
  let paid = 0;
  for (const pos of hs) {
    const yes = pos.yesAvail + pos.yesLocked;
    const no = pos.noAvail + pos.noLocked;
    const amount = 100 * (outcome === 'YES' ? yes : no);
    const cost = pos.yesCost + pos.noCost;
    settle(e, mk, pos, amount, 'SETTLEMENT');
    e.sink.emit({
      type: 'PAYOUT', tsMs: e.nowMs, seq: mk.seq, marketId: mk.id, userId: pos.account.userId,
      kind: 'RESOLUTION', yesShares: yes, noShares: no, costBasisCents: cost, amountCents: amount,
    });
    paid += amount;
  }
  mk.pairs = 0;
  emitSettled(e, mk, 'RESOLUTION', outcome, collateral, paid, 0, hs.length);
}

/**
 * Void (CANCELLED): refund at cost basis, conserving points exactly. With C the pool's
 * collateral and B the sum of holders' cost bases (cents paid for the shares they hold):
 * - B <= C: each holder gets its cost basis; the surplus C - B goes to HOUSE;
 * - B > C: each holder gets floor(cost x C / B) (pro rata; full cost can exceed collateral
 *   when shares changed hands at a profit); the rounding remainder goes to HOUSE.
 * Realised profits from earlier sales are kept. Events: MARKET_STATUS(CANCELLED); per holder
 * by userId LEDGER VOID_REFUND (when > 0) and PAYOUT; LEDGER VOID_REMAINDER (when > 0);
 * MARKET_SETTLED.
 */
export function voidMarket(e: EngineInternals, mk: Market): void {
  e.setStatus(mk, 'CANCELLED', null);
  const collateral = mk.collateral;
  const hs = holders(mk);
  let basis = 0;
  for (const pos of hs) basis += pos.yesCost + pos.noCost;
  let paid = 0;
  for (const pos of hs) {
    const cost = pos.yesCost + pos.noCost;
    const amount = basis <= collateral ? cost : mulDivFloor(cost, collateral, basis);
    const yes = pos.yesAvail + pos.yesLocked;
    const no = pos.noAvail + pos.noLocked;
    settle(e, mk, pos, amount, 'VOID_REFUND');
    e.sink.emit({
      type: 'PAYOUT', tsMs: e.nowMs, seq: mk.seq, marketId: mk.id, userId: pos.account.userId,
      kind: 'VOID_REFUND', yesShares: yes, noShares: no, costBasisCents: cost, amountCents: amount,
    });
    paid += amount;
  }
  const house = collateral - paid;
  if (house > 0) {
    e.ledger(mk.id, mk.ledgerId, 'HOUSE', house, 'VOID_REMAINDER', null);
    e.houseCents += house;
    mk.collateral -= house;
  }
  mk.pairs = 0;
  emitSettled(e, mk, 'VOID_REFUND', null, collateral, paid, house, hs.length);
}

/** Pay `amount` from the pool to a holder and clear the position. */
function settle(e: EngineInternals, mk: Market, pos: Position, amount: number, reason: LedgerReason): void {
  if (amount > 0) {
    pos.account.available += amount;
    mk.collateral -= amount;
    e.touchAccount(pos.account);
    e.ledger(mk.id, mk.ledgerId, pos.account.ledgerId, amount, reason, null);
  }
  pos.realised += amount - pos.yesCost - pos.noCost;
  pos.yesAvail = pos.yesLocked = pos.noAvail = pos.noLocked = 0;
  pos.yesCost = pos.noCost = 0;
  e.touchPosition(pos);
}

function emitSettled(
  e: EngineInternals,
  mk: Market,
  kind: 'RESOLUTION' | 'VOID_REFUND',
  outcome: Outcome | null,
  collateralCents: number,
  paidCents: number,
  houseCents: number,
  holderCount: number,
): void {
  e.sink.emit({ type: 'MARKET_SETTLED', tsMs: e.nowMs, seq: ++mk.seq, marketId: mk.id, kind, outcome, collateralCents, paidCents, houseCents, holders: holderCount });
}
