/**
 * Snapshot, restore and state hash of the engine (off the hot path).
 *
 * A snapshot is the whole state as plain data in a canonical order; `restoreInto` rebuilds
 * an empty engine from one (from `snapshot()` or from the service's database), and the
 * state hash is a hash of the canonical snapshot without the clock and without the
 * retained client order ids (see `stateHash`).
 */
import { hashString } from './hash.ts';
import { BUY_NO, BUY_YES, FLAG_CLIENT_ORDER_ID, FLAG_POST_ONLY, M_ACTION, M_FLAGS, M_TIF, M_YES_PRICE, SELL_NO, SELL_YES, STP_SHIFT, TIF_GTD, F_ID, F_QUEUE_SEQ, F_EXPIRES_AT, O_POS, O_QTY, O_REMAINING } from './order-store.ts';
import { orderView } from './queries.ts';
import { bookSideOf, positionView, stpCode, tifCode, type Account, type EngineInternals } from './state.ts';
import type { EngineSnapshot, OrderView } from './types.ts';

const byStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The whole state as plain data, canonically ordered (accounts, markets by id; positions by
 * user then market; orders by queueSeq; client order ids by user then id). Positions that
 * are all zero are left out. Client order ids: those of open orders (`finalAtMs` null) and
 * those of final orders still inside their retention window at the engine clock.
 */
export function snapshot(e: EngineInternals): EngineSnapshot {
  const accounts = e.accounts
    .map((a) => ({ userId: a.userId, availableCents: a.available, lockedCents: a.locked }))
    .sort((a, b) => byStr(a.userId, b.userId));
  const markets = e.markets
    .map((m) => ({
      marketId: m.id,
      status: m.status,
      outcome: m.outcome,
      seq: m.seq,
      closesAtMs: m.closesAtMs,
      tickCents: m.tick,
      pairsOutstanding: m.pairs,
      collateralCents: m.collateral,
      lastYesPriceCents: m.lastPrice === 0 ? null : m.lastPrice,
      volumeShares: m.volume,
    }))
    .sort((a, b) => byStr(a.marketId, b.marketId));
  const positions = e.positions
    .filter((p) => p.yesAvail + p.yesLocked + p.noAvail + p.noLocked + p.yesCost + p.noCost !== 0 || p.realised !== 0)
    .map((p) => {
      const { openOrders: _ignored, ...rest } = positionView(p);
      return rest;
    })
    .sort((a, b) => byStr(a.userId, b.userId) || byStr(a.marketId, b.marketId));
  const orders: OrderView[] = [];
  e.slotById.forEach((_id, s) => orders.push(orderView(e, s)));
  orders.sort((a, b) => a.queueSeq - b.queueSeq);
  const clientOrderIds: EngineSnapshot['clientOrderIds'] = [];
  for (const o of orders) {
    if (o.clientOrderId !== null) clientOrderIds.push({ userId: o.userId, clientOrderId: o.clientOrderId, orderId: o.orderId, finalAtMs: null });
  }
  const window = e.clientOrderIds.retentionMs;
  e.clientOrderIds.forEachFinal((accountIdx, clientOrderId, orderId, finalAtMs) => {
    if (finalAtMs + window > e.nowMs) clientOrderIds.push({ userId: e.accounts[accountIdx]!.userId, clientOrderId, orderId, finalAtMs });
  });
  clientOrderIds.sort((a, b) => byStr(a.userId, b.userId) || byStr(a.clientOrderId, b.clientOrderId));
  return {
    version: 1,
    nowMs: e.nowMs,
    nextOrderId: e.nextOrderId,
    nextTradeId: e.nextTradeId,
    nextQueueSeq: e.nextQueueSeq,
    houseCents: e.houseCents,
    grantedCents: e.grantedCents,
    accounts,
    markets,
    positions,
    orders,
    clientOrderIds,
  };
}

/**
 * Load a snapshot into a freshly constructed, empty engine. Orders are re-queued in
 * ascending queueSeq, which restores time priority. Client order ids: a resting order's id
 * is kept while it rests (listed in `clientOrderIds` or not); any other id counts as final
 * at `finalAtMs`, or at the snapshot's `nowMs` when that is absent (a store that does not
 * know keeps the id for one whole window), and is dropped when its window has already
 * passed. Throws on a
 * structurally broken snapshot (an order or position naming an unknown user or market, a
 * duplicate id).
 */
export function restoreInto(e: EngineInternals, snap: EngineSnapshot): void {
  if (snap.version !== 1) throw new Error(`unsupported snapshot version ${String(snap.version)}`);
  e.nowMs = snap.nowMs;
  e.nextOrderId = snap.nextOrderId;
  e.nextTradeId = snap.nextTradeId;
  e.nextQueueSeq = snap.nextQueueSeq;
  e.houseCents = snap.houseCents;
  e.grantedCents = snap.grantedCents;
  for (const a of snap.accounts) {
    if (e.accountByUser.has(a.userId)) throw new Error(`duplicate account ${a.userId}`);
    const acc = e.newAccount(a.userId);
    acc.available = a.availableCents;
    acc.locked = a.lockedCents;
  }
  for (const m of snap.markets) {
    if (e.marketById.has(m.marketId)) throw new Error(`duplicate market ${m.marketId}`);
    const mk = e.newMarket(m.marketId, m.closesAtMs, m.tickCents);
    mk.status = m.status;
    mk.outcome = m.outcome;
    mk.seq = m.seq;
    mk.pairs = m.pairsOutstanding;
    mk.collateral = m.collateralCents;
    mk.lastPrice = m.lastYesPriceCents ?? 0;
    mk.volume = m.volumeShares;
  }
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`snapshot refers to unknown ${what}`);
    return v;
  };
  for (const p of snap.positions) {
    const acc = need(e.accountByUser.get(p.userId), `user ${p.userId}`);
    const mk = need(e.marketById.get(p.marketId), `market ${p.marketId}`);
    if (mk.positions.has(acc.idx)) throw new Error(`duplicate position ${p.userId}/${p.marketId}`);
    const pos = e.newPosition(acc, mk);
    pos.yesAvail = p.yesShares - p.yesLockedShares;
    pos.yesLocked = p.yesLockedShares;
    pos.noAvail = p.noShares - p.noLockedShares;
    pos.noLocked = p.noLockedShares;
    pos.yesCost = p.yesCostCents;
    pos.noCost = p.noCostCents;
    pos.realised = p.realisedPnlCents;
  }
  const orders = [...snap.orders].sort((a, b) => a.queueSeq - b.queueSeq);
  const st = e.store;
  for (const o of orders) {
    const acc = need(e.accountByUser.get(o.userId), `user ${o.userId}`);
    const mk = need(e.marketById.get(o.marketId), `market ${o.marketId}`);
    if (e.slotById.has(o.orderId)) throw new Error(`duplicate order ${o.orderId}`);
    const pos = mk.positions.get(acc.idx) ?? e.newPosition(acc, mk);
    const action = o.side === 'BUY' ? (o.outcome === 'YES' ? BUY_YES : BUY_NO) : o.outcome === 'YES' ? SELL_YES : SELL_NO;
    if (o.priceCents === null || o.remainingQty < 1) throw new Error(`order ${o.orderId} cannot rest`);
    const tif = tifCode(o.timeInForce);
    const stp = stpCode(o.stp);
    if (tif < 0 || stp < 0) throw new Error(`order ${o.orderId} has an unknown time in force or STP mode`);
    const s = st.alloc();
    st.f64[8 * s + F_ID] = o.orderId;
    st.i32[16 * s + O_POS] = pos.idx;
    st.meta[64 * s + M_ACTION] = action;
    st.meta[64 * s + M_YES_PRICE] = action < 2 ? o.priceCents : 100 - o.priceCents;
    st.meta[64 * s + M_TIF] = tif;
    st.meta[64 * s + M_FLAGS] = (o.postOnly ? FLAG_POST_ONLY : 0) | (o.clientOrderId !== null ? FLAG_CLIENT_ORDER_ID : 0) | (stp << STP_SHIFT);
    st.i32[16 * s + O_QTY] = o.qty;
    st.i32[16 * s + O_REMAINING] = o.remainingQty;
    st.f64[8 * s + F_EXPIRES_AT] = o.expiresAtMs ?? 0;
    st.f64[8 * s + F_QUEUE_SEQ] = o.queueSeq;
    if (o.clientOrderId !== null) st.clientOrderId[s] = o.clientOrderId;
    e.slotById.set(o.orderId, s);
    // A resting order's id is remembered while it rests, whether or not the list below names it.
    if (o.clientOrderId !== null) (acc.clientOrderIds ??= new Map()).set(o.clientOrderId, o.orderId);
    mk.book.append(st, s, bookSideOf(action), st.meta[64 * s + M_YES_PRICE]!);
    e.linkUser(acc, s);
    pos.openOrders++;
    if (tif === TIF_GTD && o.expiresAtMs !== null) e.expiries.push(o.expiresAtMs, o.orderId, s);
  }
  const window = e.clientOrderIds.retentionMs;
  const finals: { acc: Account; id: string; orderId: number; finalAtMs: number }[] = [];
  for (const c of snap.clientOrderIds) {
    const acc = need(e.accountByUser.get(c.userId), `user ${c.userId}`);
    const current = acc.clientOrderIds?.get(c.clientOrderId);
    if (current !== undefined && e.slotById.has(current)) continue; // the resting order's id wins
    if (!e.slotById.has(c.orderId)) {
      const finalAtMs = Math.min(c.finalAtMs ?? snap.nowMs, snap.nowMs);
      if (finalAtMs + window <= snap.nowMs) continue;
      finals.push({ acc, id: c.clientOrderId, orderId: c.orderId, finalAtMs });
    }
    (acc.clientOrderIds ??= new Map()).set(c.clientOrderId, c.orderId);
  }
  finals.sort((a, b) => a.finalAtMs - b.finalAtMs || byStr(a.acc.userId, b.acc.userId) || byStr(a.id, b.id));
  for (const f of finals) e.clientOrderIds.finalised(f.acc, f.id, f.orderId, f.finalAtMs);
}

/**
 * A 64-bit FNV-1a hash (16 hex digits) of the canonical snapshot without the clock (`nowMs`
 * is an input; everything due by it has already happened) and without the retained client
 * order ids (a deduplication memory whose contents depend on the retention window, not
 * state a database rebuild must reproduce; the ids of resting orders are in `orders`):
 * equal states give equal hashes, whether reached live, by restore + replay, or by a
 * rebuild from a database.
 */
export function stateHash(e: EngineInternals): string {
  const { nowMs: _clock, clientOrderIds: _ids, ...state } = snapshot(e);
  return hashString(JSON.stringify(state));
}
