/**
 * Whole-state consistency checks and conservation totals (off the hot path): the
 * invariants of docs/DESIGN.md checked over the engine's own structures.
 */
import { Book, BID, ASK } from './book.ts';
import { NIL, M_ACTION, M_TIF, M_YES_PRICE, SELL_YES, TIF_GTD, F_ID, O_POS, O_REMAINING, O_NEXT, O_HEAP_POS } from './order-store.ts';
import { bookSideOf, ownPrice, type Account, type EngineInternals, type Position } from './state.ts';

/**
 * Check docs/DESIGN.md's invariants 1-5 over the whole state; returns the violations
 * (empty = consistent). 1: per market YES outstanding == NO outstanding == pairs.
 * 2: accounts + pools + house == granted. 3: pool == 100 x pairs. 4: locked cents / shares
 * == escrow of open orders. 5: best bid < best ask; no zero-remaining resting order; level
 * totals; plus: no negative balance or share count; positions one-sided in available
 * shares; the expiry heap holds exactly the resting GTD orders.
 */
export function checkInvariants(e: EngineInternals): string[] {
  const out: string[] = [];
  const st = e.store;
  const lockedCents = new Map<Account, number>();
  const lockedShares = new Map<Position, { yes: number; no: number; orders: number }>();
  for (const a of e.accounts) lockedCents.set(a, 0);
  for (const p of e.positions) lockedShares.set(p, { yes: 0, no: 0, orders: 0 });
  const live: [number, number][] = [];
  e.slotById.forEach((id, s) => live.push([id, s]));
  let gtd = 0;
  for (const [orderId, s] of live) {
    if (st.f64[8 * s + F_ID] !== orderId) out.push(`order ${orderId}: slot holds ${st.f64[8 * s + F_ID]}`);
    const rem = st.i32[16 * s + O_REMAINING]!;
    if (rem <= 0) out.push(`order ${orderId}: resting with remaining ${rem}`);
    if (st.meta[64 * s + M_TIF] === TIF_GTD) {
      gtd++;
      if (st.i32[16 * s + O_HEAP_POS] === NIL) out.push(`order ${orderId}: GTD order missing from the expiry heap`);
    } else if (st.i32[16 * s + O_HEAP_POS] !== NIL) out.push(`order ${orderId}: non-GTD order in the expiry heap`);
    const action = st.meta[64 * s + M_ACTION]!;
    const pos = e.positions[st.i32[16 * s + O_POS]!]!;
    const ls = lockedShares.get(pos)!;
    ls.orders++;
    if ((action & 1) === 0) {
      lockedCents.set(pos.account, lockedCents.get(pos.account)! + ownPrice(action, st.meta[64 * s + M_YES_PRICE]!) * rem);
    } else if (action === SELL_YES) ls.yes += rem;
    else ls.no += rem;
  }
  if (e.expiries.size !== gtd) out.push(`expiry heap holds ${e.expiries.size} entries for ${gtd} resting GTD orders`);
  let total = e.houseCents;
  for (const a of e.accounts) {
    if (a.available < 0 || a.locked < 0) out.push(`account ${a.userId}: negative balance ${a.available}/${a.locked}`);
    if (a.locked !== lockedCents.get(a)) out.push(`account ${a.userId}: locked ${a.locked} != escrow of open orders ${lockedCents.get(a)}`);
    total += a.available + a.locked;
  }
  for (const mk of e.markets) {
    total += mk.collateral;
    let yes = 0;
    let no = 0;
    for (const pos of mk.positions.values()) {
      yes += pos.yesAvail + pos.yesLocked;
      no += pos.noAvail + pos.noLocked;
      const ls = lockedShares.get(pos)!;
      if (pos.yesLocked !== ls.yes || pos.noLocked !== ls.no) out.push(`position ${pos.account.userId}/${mk.id}: locked shares != open sell orders`);
      if (pos.openOrders !== ls.orders) out.push(`position ${pos.account.userId}/${mk.id}: openOrders ${pos.openOrders} != ${ls.orders}`);
      if (pos.yesAvail < 0 || pos.yesLocked < 0 || pos.noAvail < 0 || pos.noLocked < 0) out.push(`position ${pos.account.userId}/${mk.id}: negative shares`);
      if (pos.yesCost < 0 || pos.noCost < 0) out.push(`position ${pos.account.userId}/${mk.id}: negative cost basis`);
      if (pos.yesAvail > 0 && pos.noAvail > 0) out.push(`position ${pos.account.userId}/${mk.id}: holds both YES and NO available`);
    }
    if (yes !== mk.pairs || no !== mk.pairs) out.push(`market ${mk.id}: YES ${yes} / NO ${no} outstanding != pairs ${mk.pairs}`);
    const settled = mk.status === 'RESOLVED' || mk.status === 'CANCELLED';
    if (mk.collateral !== (settled ? 0 : 100 * mk.pairs)) out.push(`market ${mk.id}: collateral ${mk.collateral} != 100 x pairs ${mk.pairs}`);
    const book = mk.book;
    const best = book.scanBest();
    if (best.bestBid !== book.bestBid || best.bestAsk !== book.bestAsk) out.push(`market ${mk.id}: best ${book.bestBid}/${book.bestAsk} != scanned ${best.bestBid}/${best.bestAsk}`);
    if (book.bestBid >= book.bestAsk) out.push(`market ${mk.id}: crossed book ${book.bestBid} >= ${book.bestAsk}`);
    for (const side of [BID, ASK]) {
      for (let p = 1; p <= 99; p++) {
        const l = Book.level(side, p);
        let q = 0;
        let n = 0;
        for (let s = book.head[l]!; s !== NIL; s = st.i32[16 * s + O_NEXT]!) {
          q += st.i32[16 * s + O_REMAINING]!;
          n++;
          if (e.positions[st.i32[16 * s + O_POS]!]!.market !== mk || st.meta[64 * s + M_YES_PRICE] !== p || bookSideOf(st.meta[64 * s + M_ACTION]!) !== side) out.push(`market ${mk.id}: order ${st.f64[8 * s + F_ID]} misplaced`);
        }
        if (q !== book.qty[l] || n !== book.count[l]) out.push(`market ${mk.id}: level ${side === BID ? 'bid' : 'ask'} ${p} totals ${book.qty[l]}/${book.count[l]} != ${q}/${n}`);
      }
    }
    if (mk.status !== 'OPEN' && mk.status !== 'HALTED' && book.bestBid + (100 - book.bestAsk) > 0) out.push(`market ${mk.id}: ${mk.status} with resting orders`);
  }
  if (total !== e.grantedCents) out.push(`points: accounts + pools + house ${total} != granted ${e.grantedCents}`);
  return out;
}

/** Conservation totals, for reconciliation reports. */
export function totals(e: EngineInternals): { grantedCents: number; houseCents: number; accountsCents: number; poolsCents: number } {
  let accountsCents = 0;
  for (const a of e.accounts) accountsCents += a.available + a.locked;
  let poolsCents = 0;
  for (const m of e.markets) poolsCents += m.collateral;
  return { grantedCents: e.grantedCents, houseCents: e.houseCents, accountsCents, poolsCents };
}
