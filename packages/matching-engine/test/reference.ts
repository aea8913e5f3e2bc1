/**
 * A naive reference model of the matching engine, for the random-stream comparison test
 * (test/streams.test.ts). It implements the SAME contract as src/engine.ts (same commands in,
 * same events and results out, same queries) in the most obviously-correct way:
 *
 * - all state is plain objects in plain arrays: every resting order of every market lives in
 *   one `orders` array, found by linear scans; a price level is whatever orders share a side
 *   and a price; the best maker is the minimum by (price priority, queueSeq) of a scan;
 * - positions store total shares held plus the locked part (the engine stores available and
 *   locked); open-order counts, level totals and best prices are recomputed, never stored;
 * - a fill-or-kill order is tested by running it as IOC on a deep copy of the whole state and
 *   looking at whether it filled completely (the engine walks its book instead);
 * - pro-rata arithmetic uses BigInt.
 *
 * It never imports engine code; only the public types and the rejection-code catalogue.
 * `checkInvariants()` checks docs/DESIGN.md's invariants 1-5 over this model's own state, plus a
 * double-entry ledger rebuilt from the LEDGER events it emits.
 */
import { RejectCode, rejectCodeName } from '../src/codes.ts';
import type {
  AccountView,
  AmendOrderCommand,
  BookSide,
  CancelAllCommand,
  CancelAllResult,
  CancelOrderCommand,
  Command,
  CommandResult,
  CreateMarketCommand,
  DuplicateOrderResult,
  EngineConfig,
  EngineEvent,
  EngineSnapshot,
  GrantCommand,
  Ladder,
  LadderLevel,
  LedgerReason,
  MarketStatus,
  MarketView,
  OkResult,
  OpenAccountCommand,
  OrderResult,
  OrderStatus,
  OrderType,
  OrderUpdateReason,
  OrderView,
  Outcome,
  PlaceOrderCommand,
  PositionView,
  Rejection,
  SetMarketStatusCommand,
  Side,
  StpMode,
  TimeInForce,
  TradeKind,
} from '../src/types.ts';

/** The engine's documented defaults (types.ts, DEFAULT_ENGINE_CONFIG), restated. */
export const REFERENCE_DEFAULT_CONFIG: EngineConfig = {
  maxOrderQty: 1_000_000,
  maxOpenOrdersPerUserPerMarket: 1_000,
  maxClientOrderIdLength: 64,
  maxIdLength: 64,
  maxGrantCents: 1_000_000_000_000,
  maxAccountCents: 1_000_000_000_000_000,
  clientOrderIdRetentionMs: 86_400_000,
};

/** docs/DESIGN.md lifecycle, as documented on SetMarketStatusCommand. */
const ALLOWED: Record<MarketStatus, MarketStatus[]> = {
  DRAFT: ['OPEN', 'CANCELLED'],
  OPEN: ['HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  HALTED: ['OPEN', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  CLOSED: ['RESOLVED', 'CANCELLED'],
  RESOLVED: [],
  CANCELLED: [],
};
const STATUSES: string[] = ['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'];
const TIFS: string[] = ['GTC', 'GTD', 'IOC', 'FOK'];
const STPS: string[] = ['CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH'];
const TICKS: number[] = [1, 2, 4, 5, 10, 20, 25, 50];

interface RAccount {
  userId: string;
  available: number;
  locked: number;
}

interface RMarket {
  marketId: string;
  status: MarketStatus;
  outcome: Outcome | null;
  seq: number;
  closesAtMs: number | null;
  tickCents: number;
  pairs: number;
  collateral: number;
  lastPrice: number | null;
  volume: number;
}

interface RPosition {
  userId: string;
  marketId: string;
  /** Total YES shares held, locked ones included. */
  yes: number;
  /** Of which locked in resting sell orders. */
  yesLocked: number;
  no: number;
  noLocked: number;
  yesCost: number;
  noCost: number;
  realised: number;
}

interface ROrder {
  orderId: number;
  userId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  orderType: OrderType;
  /** Own-outcome limit; null for a market order. */
  priceCents: number | null;
  qty: number;
  remaining: number;
  timeInForce: TimeInForce;
  expiresAtMs: number | null;
  postOnly: boolean;
  stp: StpMode;
  clientOrderId: string | null;
  queueSeq: number;
}

interface RState {
  nowMs: number;
  nextOrderId: number;
  nextTradeId: number;
  nextQueueSeq: number;
  houseCents: number;
  grantedCents: number;
  accounts: RAccount[];
  markets: RMarket[];
  positions: RPosition[];
  /** Every resting order of every market, in no particular order. */
  orders: ROrder[];
  /** `${userId}\u0000${clientOrderId}` -> order id, while remembered (open, or final within the retention window). */
  clientOrderIds: Map<string, number>;
  /** Keys of clientOrderIds whose order had not yet been seen final at the end of a command. */
  openClientOrderIds: Set<string>;
  /** Key -> engine time at which its order was seen final (end of the command that ended it). */
  clientOrderIdFinalAt: Map<string, number>;
  /** Balance of each ledger account, rebuilt from the LEDGER rows emitted. */
  ledger: Map<string, number>;
}

type Stop = 'NONE' | 'STP' | 'BUDGET';

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const isBuy = (o: { side: Side }): boolean => o.side === 'BUY';
/** BUY YES and SELL NO are YES bids; SELL YES and BUY NO are YES asks. */
const bookSideOf = (side: Side, outcome: Outcome): BookSide =>
  (side === 'BUY') === (outcome === 'YES') ? 'BID' : 'ASK';
/** A price in `outcome`'s cents from a YES-book price (and back: the map is its own inverse). */
const inOutcome = (outcome: Outcome, yesPrice: number): number => (outcome === 'YES' ? yesPrice : 100 - yesPrice);
const yesPriceOf = (o: ROrder): number | null => (o.priceCents === null ? null : inOutcome(o.outcome, o.priceCents));
/** floor(a * b / c) exactly. */
const floorMulDiv = (a: number, b: number, c: number): number => Number((BigInt(a) * BigInt(b)) / BigInt(c));
/** Cost basis leaving with q of `held` shares: all of it with the last share, else the floored pro-rata part. */
const costLeaving = (cost: number, q: number, held: number): number => (q >= held ? cost : floorMulDiv(cost, q, held));

export class ReferenceModel {
  readonly config: EngineConfig;
  private st: RState;
  private out: EngineEvent[] = [];
  /** A trial copy (FOK test) emits nothing. */
  private silent = false;
  private touchedLevels: { marketId: string; side: BookSide; price: number }[] = [];
  private touchedAccounts: string[] = [];
  private touchedPositions: RPosition[] = [];

  constructor(config: Partial<EngineConfig> = {}) {
    this.config = { ...REFERENCE_DEFAULT_CONFIG, ...config };
    this.st = {
      nowMs: 0,
      nextOrderId: 1,
      nextTradeId: 1,
      nextQueueSeq: 1,
      houseCents: 0,
      grantedCents: 0,
      accounts: [],
      markets: [],
      positions: [],
      orders: [],
      clientOrderIds: new Map(),
      openClientOrderIds: new Set(),
      clientOrderIdFinalAt: new Map(),
      ledger: new Map(),
    };
  }

  /** Events of the commands executed since the last call. */
  takeEvents(): EngineEvent[] {
    const e = this.out;
    this.out = [];
    return e;
  }

  get timeMs(): number {
    return this.st.nowMs;
  }

  // -------------------------------------------------------------------------------------
  // Lookups (linear)

  private account(userId: unknown): RAccount | undefined {
    return this.st.accounts.find((a) => a.userId === userId);
  }
  private market(marketId: unknown): RMarket | undefined {
    return this.st.markets.find((m) => m.marketId === marketId);
  }
  private position(userId: string, marketId: string): RPosition | undefined {
    return this.st.positions.find((p) => p.userId === userId && p.marketId === marketId);
  }
  private mustMarket(marketId: string): RMarket {
    const m = this.market(marketId);
    if (m === undefined) throw new Error(`reference: no market ${marketId}`);
    return m;
  }
  private mustAccount(userId: string): RAccount {
    const a = this.account(userId);
    if (a === undefined) throw new Error(`reference: no account ${userId}`);
    return a;
  }
  private mustPosition(userId: string, marketId: string): RPosition {
    const p = this.position(userId, marketId);
    if (p === undefined) throw new Error(`reference: no position ${userId}/${marketId}`);
    return p;
  }

  // -------------------------------------------------------------------------------------
  // Event plumbing

  private emit(e: EngineEvent): void {
    if (!this.silent) this.out.push(e);
  }
  private touchLevel(marketId: string, side: BookSide, price: number): void {
    if (!this.touchedLevels.some((l) => l.marketId === marketId && l.side === side && l.price === price)) {
      this.touchedLevels.push({ marketId, side, price });
    }
  }
  private touchAccount(userId: string): void {
    if (!this.touchedAccounts.includes(userId)) this.touchedAccounts.push(userId);
  }
  private touchPosition(p: RPosition): void {
    if (!this.touchedPositions.includes(p)) this.touchedPositions.push(p);
  }
  private ledger(marketId: string | null, debit: string, credit: string, amountCents: number, reason: LedgerReason, tradeId: number | null): void {
    const l = this.st.ledger;
    l.set(debit, (l.get(debit) ?? 0) - amountCents);
    l.set(credit, (l.get(credit) ?? 0) + amountCents);
    this.emit({ type: 'LEDGER', tsMs: this.st.nowMs, marketId, debit, credit, amountCents, reason, tradeId });
  }

  private reject(cmd: Command, code: number, message: string, orderId: number | null = null): Rejection {
    const c = cmd as { userId?: unknown; marketId?: unknown; clientOrderId?: unknown };
    const codeName = rejectCodeName(code);
    this.emit({
      type: 'COMMAND_REJECTED',
      tsMs: this.st.nowMs,
      userId: typeof c.userId === 'string' ? c.userId : null,
      marketId: typeof c.marketId === 'string' ? c.marketId : null,
      orderId,
      clientOrderId: typeof c.clientOrderId === 'string' ? c.clientOrderId : null,
      command: cmd.type,
      code,
      codeName,
      message,
    });
    return { ok: false, code, codeName, message };
  }

  private rejectNotOpen(cmd: Command, m: RMarket, orderId: number | null = null): Rejection {
    if (m.status === 'HALTED') return this.reject(cmd, RejectCode.MARKET_HALTED, `market ${m.marketId} is halted`, orderId);
    return this.reject(cmd, RejectCode.MARKET_NOT_OPEN, `market ${m.marketId} is ${m.status}`, orderId);
  }

  private view(o: ROrder): OrderView {
    return {
      orderId: o.orderId,
      userId: o.userId,
      marketId: o.marketId,
      side: o.side,
      outcome: o.outcome,
      orderType: o.orderType,
      priceCents: o.priceCents,
      yesPriceCents: yesPriceOf(o),
      bookSide: bookSideOf(o.side, o.outcome),
      qty: o.qty,
      remainingQty: o.remaining,
      filledQty: o.qty - o.remaining,
      timeInForce: o.timeInForce,
      expiresAtMs: o.expiresAtMs,
      postOnly: o.postOnly,
      stp: o.stp,
      clientOrderId: o.clientOrderId,
      queueSeq: o.queueSeq,
      status: o.remaining < o.qty ? 'PARTIALLY_FILLED' : 'OPEN',
    };
  }

  /** ORDER_UPDATED. A final CANCELLED/EXPIRED shows remaining 0 and filled = qty - unfilled. */
  private updated(o: ROrder, reason: OrderUpdateReason, finalStatus?: OrderStatus): void {
    const m = this.mustMarket(o.marketId);
    const ended = finalStatus === 'CANCELLED' || finalStatus === 'EXPIRED';
    const remaining = ended ? 0 : o.remaining;
    let status: OrderStatus;
    if (finalStatus !== undefined) status = finalStatus;
    else if (o.remaining === 0) status = 'FILLED';
    else if (o.remaining < o.qty) status = 'PARTIALLY_FILLED';
    else status = 'OPEN';
    this.emit({
      type: 'ORDER_UPDATED',
      tsMs: this.st.nowMs,
      seq: m.seq,
      orderId: o.orderId,
      userId: o.userId,
      marketId: o.marketId,
      status,
      reason,
      priceCents: o.priceCents,
      qty: o.qty,
      remainingQty: remaining,
      filledQty: o.qty - o.remaining,
      queueSeq: o.queueSeq,
    });
  }

  // -------------------------------------------------------------------------------------
  // Execute

  execute(cmd: Command): CommandResult {
    if (!isInt(cmd.tsMs) || cmd.tsMs < 0) throw new Error('reference: bad tsMs');
    this.st.nowMs = Math.max(this.st.nowMs, cmd.tsMs);
    this.forgetClientOrderIds();
    this.clock();
    let result: CommandResult;
    switch (cmd.type) {
      case 'PLACE':
        result = this.place(cmd);
        break;
      case 'CANCEL':
        result = this.cancel(cmd);
        break;
      case 'CANCEL_ALL':
        result = this.cancelAll(cmd);
        break;
      case 'AMEND':
        result = this.amend(cmd);
        break;
      case 'OPEN_ACCOUNT':
        result = this.openAccount(cmd);
        break;
      case 'GRANT':
        result = this.grant(cmd);
        break;
      case 'CREATE_MARKET':
        result = this.createMarket(cmd);
        break;
      case 'SET_MARKET_STATUS':
        result = this.setMarketStatus(cmd);
        break;
      case 'ADVANCE_TIME':
        result = { ok: true };
        break;
      default:
        throw new Error('reference: unknown command');
    }
    this.flush();
    this.noteFinalClientOrderIds();
    return result;
  }

  /** Start of every command: forget the client order ids whose order became final at least the retention window ago. */
  private forgetClientOrderIds(): void {
    const s = this.st;
    for (const [key, at] of [...s.clientOrderIdFinalAt]) {
      if (at + this.config.clientOrderIdRetentionMs <= s.nowMs) {
        s.clientOrderIdFinalAt.delete(key);
        s.clientOrderIds.delete(key);
      }
    }
  }

  /** End of every command: a remembered client order id whose order no longer rests became final now. */
  private noteFinalClientOrderIds(): void {
    const s = this.st;
    for (const key of [...s.openClientOrderIds]) {
      const orderId = s.clientOrderIds.get(key);
      if (!s.orders.some((o) => o.orderId === orderId)) {
        s.openClientOrderIds.delete(key);
        s.clientOrderIdFinalAt.set(key, s.nowMs);
      }
    }
  }

  /** Start of every command: expire due GTD orders (by expiry, then id), then close due markets (by close time, then id). */
  private clock(): void {
    const now = this.st.nowMs;
    const due = this.st.orders
      .filter((o) => o.timeInForce === 'GTD' && o.expiresAtMs !== null && o.expiresAtMs <= now)
      .sort((a, b) => (a.expiresAtMs as number) - (b.expiresAtMs as number) || a.orderId - b.orderId);
    for (const o of due) this.removeResting(o, 'EXPIRED');
    const closing = this.st.markets
      .filter((m) => m.closesAtMs !== null && m.closesAtMs <= now && (m.status === 'OPEN' || m.status === 'HALTED'))
      .sort((a, b) => (a.closesAtMs as number) - (b.closesAtMs as number) || cmpStr(a.marketId, b.marketId));
    for (const m of closing) this.close(m);
  }

  /** End of every command: BOOK_LEVEL (++seq), BALANCE, POSITION for everything touched, first touched first. */
  private flush(): void {
    const now = this.st.nowMs;
    for (const l of this.touchedLevels) {
      const m = this.mustMarket(l.marketId);
      const at = this.st.orders.filter(
        (o) => o.marketId === l.marketId && bookSideOf(o.side, o.outcome) === l.side && yesPriceOf(o) === l.price,
      );
      this.emit({
        type: 'BOOK_LEVEL',
        tsMs: now,
        seq: ++m.seq,
        marketId: l.marketId,
        side: l.side,
        yesPriceCents: l.price,
        qty: at.reduce((s, o) => s + o.remaining, 0),
        orderCount: at.length,
      });
    }
    for (const userId of this.touchedAccounts) {
      const a = this.mustAccount(userId);
      this.emit({ type: 'BALANCE', tsMs: now, userId, availableCents: a.available, lockedCents: a.locked });
    }
    for (const p of this.touchedPositions) {
      this.emit({
        type: 'POSITION',
        tsMs: now,
        seq: this.mustMarket(p.marketId).seq,
        userId: p.userId,
        marketId: p.marketId,
        yesShares: p.yes,
        yesLockedShares: p.yesLocked,
        noShares: p.no,
        noLockedShares: p.noLocked,
        yesCostCents: p.yesCost,
        noCostCents: p.noCost,
        realisedPnlCents: p.realised,
      });
    }
    this.touchedLevels = [];
    this.touchedAccounts = [];
    this.touchedPositions = [];
  }

  // -------------------------------------------------------------------------------------
  // PLACE

  private place(cmd: PlaceOrderCommand): OrderResult | DuplicateOrderResult | Rejection {
    const cfg = this.config;
    const acc = this.account(cmd.userId);
    if (acc === undefined) return this.reject(cmd, RejectCode.UNKNOWN_ACCOUNT, `no account for user ${cmd.userId}`);
    const coid = cmd.clientOrderId ?? null;
    if (coid !== null) {
      if (typeof coid !== 'string' || coid.length === 0 || coid.length > cfg.maxClientOrderIdLength) {
        return this.reject(cmd, RejectCode.INVALID_CLIENT_ORDER_ID, `clientOrderId must be 1..${cfg.maxClientOrderIdLength} characters`);
      }
      const prior = this.st.clientOrderIds.get(`${cmd.userId}\u0000${coid}`);
      if (prior !== undefined) {
        const live = this.st.orders.find((o) => o.orderId === prior);
        return { ok: true, duplicate: true, orderId: prior, order: live === undefined ? null : this.view(live) };
      }
    }
    const m = this.market(cmd.marketId);
    if (m === undefined) return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
    if (m.status !== 'OPEN') return this.rejectNotOpen(cmd, m);

    if ((cmd.side !== 'BUY' && cmd.side !== 'SELL') || (cmd.outcome !== 'YES' && cmd.outcome !== 'NO')) {
      return this.reject(cmd, RejectCode.INVALID_FIELD, 'side must be BUY or SELL and outcome YES or NO');
    }
    if (cmd.orderType !== 'MARKET' && cmd.orderType !== 'LIMIT') return this.reject(cmd, RejectCode.INVALID_FIELD, 'orderType must be LIMIT or MARKET');
    const isMarket = cmd.orderType === 'MARKET';
    const tif = cmd.timeInForce ?? (isMarket ? 'IOC' : 'GTC');
    if (!TIFS.includes(tif)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'timeInForce must be GTC, GTD, IOC or FOK');
    const stp = cmd.stp ?? 'CANCEL_TAKER';
    if (!STPS.includes(stp)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'stp must be CANCEL_TAKER, CANCEL_MAKER or CANCEL_BOTH');
    if (cmd.postOnly !== undefined && typeof cmd.postOnly !== 'boolean') return this.reject(cmd, RejectCode.INVALID_FIELD, 'postOnly must be a boolean');
    const postOnly = cmd.postOnly === true;
    if (isMarket && tif !== 'IOC' && tif !== 'FOK') return this.reject(cmd, RejectCode.INVALID_ORDER_TYPE, 'a market order is IOC or FOK');
    if (postOnly && (isMarket || tif === 'IOC' || tif === 'FOK')) {
      return this.reject(cmd, RejectCode.INVALID_ORDER_TYPE, 'post-only applies to GTC or GTD limit orders');
    }
    const price = cmd.priceCents ?? null;
    if (isMarket) {
      if (price !== null) return this.reject(cmd, RejectCode.INVALID_PRICE, 'a market order takes no price');
    } else {
      if (!isInt(price) || price < 1 || price > 99) return this.reject(cmd, RejectCode.INVALID_PRICE, 'price must be an integer 1..99 cents');
      if (price % m.tickCents !== 0) return this.reject(cmd, RejectCode.PRICE_NOT_ON_TICK, `price must be a multiple of ${m.tickCents} cents`);
    }
    const qty = cmd.qty;
    if (!isInt(qty) || qty < 1) return this.reject(cmd, RejectCode.INVALID_QUANTITY, 'quantity must be a positive integer');
    if (qty > cfg.maxOrderQty) return this.reject(cmd, RejectCode.QUANTITY_TOO_LARGE, `quantity must be at most ${cfg.maxOrderQty}`);
    const expiresAt = cmd.expiresAtMs ?? null;
    if (tif === 'GTD') {
      if (!isInt(expiresAt) || expiresAt <= this.st.nowMs) return this.reject(cmd, RejectCode.INVALID_EXPIRY, 'GTD needs expiresAt after the current time');
    } else if (expiresAt !== null) {
      return this.reject(cmd, RejectCode.INVALID_EXPIRY, 'expiresAt applies to GTD orders only');
    }
    const buy = cmd.side === 'BUY';
    const maxCost = cmd.maxCostCents ?? null;
    if (maxCost !== null && !(isMarket && buy && isInt(maxCost) && maxCost >= 1)) {
      return this.reject(cmd, RejectCode.INVALID_MAX_COST, 'maxCost is a positive integer of cents, for market buys only');
    }
    const rests = !isMarket && (tif === 'GTC' || tif === 'GTD');
    if (rests) {
      const open = this.st.orders.filter((o) => o.userId === cmd.userId && o.marketId === m.marketId).length;
      if (open >= cfg.maxOpenOrdersPerUserPerMarket) {
        return this.reject(cmd, RejectCode.TOO_MANY_OPEN_ORDERS, `at most ${cfg.maxOpenOrdersPerUserPerMarket} open orders per market`);
      }
    }
    let escrowCents = 0;
    const pos = this.position(cmd.userId, m.marketId);
    if (buy) {
      escrowCents = isMarket ? (maxCost ?? 99 * qty) : (price as number) * qty;
      if (acc.available < escrowCents) return this.reject(cmd, RejectCode.INSUFFICIENT_BALANCE, `needs ${escrowCents} cents available, has ${acc.available}`);
    } else {
      const held = pos === undefined ? 0 : cmd.outcome === 'YES' ? pos.yes - pos.yesLocked : pos.no - pos.noLocked;
      if (held < qty) return this.reject(cmd, RejectCode.INSUFFICIENT_SHARES, `needs ${qty} ${cmd.outcome} shares available, has ${held}`);
    }
    const side = bookSideOf(cmd.side, cmd.outcome);
    // The taker's limit on the YES book: a market order takes any price.
    const limitYes = isMarket ? (side === 'BID' ? 99 : 1) : inOutcome(cmd.outcome, price as number);
    if (postOnly && this.bestMaker(m.marketId, side, limitYes) !== undefined) {
      return this.reject(cmd, RejectCode.POST_ONLY_WOULD_TAKE, 'post-only order would take liquidity');
    }
    const order: ROrder = {
      orderId: 0,
      userId: cmd.userId,
      marketId: m.marketId,
      side: cmd.side,
      outcome: cmd.outcome,
      orderType: isMarket ? 'MARKET' : 'LIMIT',
      priceCents: isMarket ? null : (price as number),
      qty,
      remaining: qty,
      timeInForce: tif as TimeInForce,
      expiresAtMs: tif === 'GTD' ? expiresAt : null,
      postOnly,
      stp: stp as StpMode,
      clientOrderId: coid,
      queueSeq: 0,
    };
    const budget = isMarket && buy ? escrowCents : null;
    if (tif === 'FOK') {
      // Obviously-correct FOK: run it as an IOC on a copy of the whole state; fillable iff it filled completely.
      const trial = this.copyForTrial(m.marketId);
      const t = { ...order };
      trial.accept(t, escrowCents, maxCost);
      trial.matchTaker(t, limitYes, budget === null ? null : { left: budget });
      if (t.remaining > 0) return this.reject(cmd, RejectCode.FOK_NOT_FILLABLE, 'fill-or-kill order cannot be filled completely');
    }
    this.accept(order, escrowCents, maxCost);
    const wallet = budget === null ? null : { left: budget };
    const stop = this.matchTaker(order, limitYes, wallet);
    return this.finish(order, stop, 0, rests, wallet);
  }

  /**
   * A silent deep copy of everything a trial run in market `marketId` can read or change: the
   * accounts, that market, its positions and its resting orders (client order ids and ledger
   * balances play no part in matching).
   */
  private copyForTrial(marketId: string): ReferenceModel {
    const copy = new ReferenceModel(this.config);
    const s = this.st;
    copy.st = {
      ...s,
      accounts: structuredClone(s.accounts),
      markets: structuredClone(s.markets.filter((m) => m.marketId === marketId)),
      positions: structuredClone(s.positions.filter((p) => p.marketId === marketId)),
      orders: structuredClone(s.orders.filter((o) => o.marketId === marketId)),
      clientOrderIds: new Map(),
      openClientOrderIds: new Set(),
      clientOrderIdFinalAt: new Map(),
      ledger: new Map(),
    };
    copy.silent = true;
    return copy;
  }

  /** Accept: ids, escrow moved from available to locked, ORDER_ACCEPTED. */
  private accept(o: ROrder, escrowCents: number, maxCost: number | null): void {
    const m = this.mustMarket(o.marketId);
    let pos = this.position(o.userId, o.marketId);
    if (pos === undefined) {
      pos = { userId: o.userId, marketId: o.marketId, yes: 0, yesLocked: 0, no: 0, noLocked: 0, yesCost: 0, noCost: 0, realised: 0 };
      this.st.positions.push(pos);
    }
    o.orderId = this.st.nextOrderId++;
    o.queueSeq = this.st.nextQueueSeq++;
    if (o.clientOrderId !== null) {
      const key = `${o.userId}\u0000${o.clientOrderId}`;
      this.st.clientOrderIds.set(key, o.orderId);
      this.st.openClientOrderIds.add(key);
    }
    if (isBuy(o)) {
      const acc = this.mustAccount(o.userId);
      acc.available -= escrowCents;
      acc.locked += escrowCents;
      this.touchAccount(o.userId);
    } else {
      if (o.outcome === 'YES') pos.yesLocked += o.qty;
      else pos.noLocked += o.qty;
      this.touchPosition(pos);
    }
    this.emit({
      type: 'ORDER_ACCEPTED',
      tsMs: this.st.nowMs,
      seq: m.seq,
      order: this.view(o),
      escrowCents,
      escrowShares: isBuy(o) ? 0 : o.qty,
      maxCostCents: maxCost,
    });
  }

  /** The best resting order on the side opposite `takerSide` that crosses `limitYes`: best price, then oldest. */
  private bestMaker(marketId: string, takerSide: BookSide, limitYes: number): ROrder | undefined {
    let best: ROrder | undefined;
    let bestPrice = 0;
    for (const o of this.st.orders) {
      if (o.marketId !== marketId || bookSideOf(o.side, o.outcome) === takerSide) continue;
      const p = yesPriceOf(o) as number;
      if (takerSide === 'BID' ? p > limitYes : p < limitYes) continue;
      const better =
        best === undefined ||
        (takerSide === 'BID' ? p < bestPrice : p > bestPrice) ||
        (p === bestPrice && o.queueSeq < best.queueSeq);
      if (better) {
        best = o;
        bestPrice = p;
      }
    }
    return best;
  }

  /** Match taker `t` against the book while it crosses. `wallet`: a market buy's spending budget. */
  private matchTaker(t: ROrder, limitYes: number, wallet: { left: number } | null): Stop {
    const side = bookSideOf(t.side, t.outcome);
    while (t.remaining > 0) {
      const mk = this.bestMaker(t.marketId, side, limitYes);
      if (mk === undefined) return 'NONE';
      if (mk.userId === t.userId) {
        if (t.stp === 'CANCEL_TAKER') return 'STP';
        this.removeResting(mk, 'SELF_TRADE');
        if (t.stp === 'CANCEL_BOTH') return 'STP';
        continue;
      }
      const p = yesPriceOf(mk) as number;
      let q = Math.min(t.remaining, mk.remaining);
      if (wallet !== null) {
        const afford = Math.floor(wallet.left / inOutcome(t.outcome, p));
        if (afford === 0) return 'BUDGET';
        q = Math.min(q, afford);
      }
      this.fill(mk, t, p, q, wallet);
    }
    return 'NONE';
  }

  private fill(mk: ROrder, t: ROrder, p: number, q: number, wallet: { left: number } | null): void {
    const market = this.mustMarket(t.marketId);
    const kind: TradeKind = isBuy(mk) && isBuy(t) ? 'MINT' : !isBuy(mk) && !isBuy(t) ? 'MERGE' : 'TRANSFER';
    const makerCents = inOutcome(mk.outcome, p) * q;
    const takerCents = inOutcome(t.outcome, p) * q;
    const tradeId = this.st.nextTradeId++;
    const makerSide = bookSideOf(mk.side, mk.outcome);
    mk.remaining -= q;
    t.remaining -= q;
    this.touchLevel(market.marketId, makerSide, p);
    market.lastPrice = p;
    market.volume += q;
    this.emit({
      type: 'TRADE',
      tsMs: this.st.nowMs,
      seq: ++market.seq,
      tradeId,
      marketId: market.marketId,
      kind,
      yesPriceCents: p,
      qty: q,
      makerOrderId: mk.orderId,
      takerOrderId: t.orderId,
      makerUserId: mk.userId,
      takerUserId: t.userId,
      makerSide: mk.side,
      makerOutcome: mk.outcome,
      takerSide: t.side,
      takerOutcome: t.outcome,
      takerBookSide: makerSide === 'ASK' ? 'BID' : 'ASK',
    });
    const mPos = this.mustPosition(mk.userId, market.marketId);
    const tPos = this.mustPosition(t.userId, market.marketId);
    const mAcc = this.mustAccount(mk.userId);
    const tAcc = this.mustAccount(t.userId);
    // Maker: pays from escrow at its own price, or delivers locked shares for cents.
    if (isBuy(mk)) {
      mAcc.locked -= makerCents;
      this.receiveShares(mPos, mk.outcome, q, makerCents);
    } else {
      this.deliverShares(mPos, mk.outcome, q, makerCents);
      mAcc.available += makerCents;
    }
    this.touchAccount(mAcc.userId);
    // Taker: pays the maker's price; escrow reserved at its own limit above that is released.
    if (isBuy(t)) {
      if (wallet !== null) {
        tAcc.locked -= takerCents;
        wallet.left -= takerCents;
      } else {
        const reserved = (t.priceCents as number) * q;
        tAcc.locked -= reserved;
        tAcc.available += reserved - takerCents;
      }
      this.receiveShares(tPos, t.outcome, q, takerCents);
    } else {
      this.deliverShares(tPos, t.outcome, q, takerCents);
      tAcc.available += takerCents;
    }
    this.touchAccount(tAcc.userId);
    const pool = `M:${market.marketId}`;
    if (kind === 'TRANSFER') {
      const buyer = isBuy(mk) ? mk : t;
      const seller = isBuy(mk) ? t : mk;
      this.ledger(market.marketId, `U:${buyer.userId}`, `U:${seller.userId}`, makerCents, 'TRADE', tradeId);
    } else if (kind === 'MINT') {
      this.ledger(market.marketId, `U:${mk.userId}`, pool, makerCents, 'MINT', tradeId);
      this.ledger(market.marketId, `U:${t.userId}`, pool, takerCents, 'MINT', tradeId);
      market.pairs += q;
      market.collateral += 100 * q;
    } else {
      this.ledger(market.marketId, pool, `U:${mk.userId}`, makerCents, 'MERGE', tradeId);
      this.ledger(market.marketId, pool, `U:${t.userId}`, takerCents, 'MERGE', tradeId);
      market.pairs -= q;
      market.collateral -= 100 * q;
    }
    if (isBuy(mk)) this.netting(mPos, tradeId);
    if (isBuy(t)) this.netting(tPos, tradeId);
    if (mk.remaining === 0) this.st.orders = this.st.orders.filter((o) => o !== mk);
    this.updated(mk, 'FILL');
  }

  private receiveShares(p: RPosition, outcome: Outcome, q: number, cost: number): void {
    if (outcome === 'YES') {
      p.yes += q;
      p.yesCost += cost;
    } else {
      p.no += q;
      p.noCost += cost;
    }
    this.touchPosition(p);
  }

  /** Hand over q locked shares for `proceeds`; the floored pro-rata cost basis leaves with them. */
  private deliverShares(p: RPosition, outcome: Outcome, q: number, proceeds: number): void {
    if (outcome === 'YES') {
      const out = costLeaving(p.yesCost, q, p.yes);
      p.yes -= q;
      p.yesLocked -= q;
      p.yesCost -= out;
      p.realised += proceeds - out;
    } else {
      const out = costLeaving(p.noCost, q, p.no);
      p.no -= q;
      p.noLocked -= q;
      p.noCost -= out;
      p.realised += proceeds - out;
    }
    this.touchPosition(p);
  }

  /** Merge the user's available YES+NO pairs back into 100 cents each, from the market pool. */
  private netting(p: RPosition, tradeId: number | null): void {
    const pairs = Math.min(p.yes - p.yesLocked, p.no - p.noLocked);
    if (pairs <= 0) return;
    const outYes = costLeaving(p.yesCost, pairs, p.yes);
    const outNo = costLeaving(p.noCost, pairs, p.no);
    p.yes -= pairs;
    p.no -= pairs;
    p.yesCost -= outYes;
    p.noCost -= outNo;
    p.realised += 100 * pairs - outYes - outNo;
    const m = this.mustMarket(p.marketId);
    m.pairs -= pairs;
    m.collateral -= 100 * pairs;
    this.mustAccount(p.userId).available += 100 * pairs;
    this.touchAccount(p.userId);
    this.touchPosition(p);
    this.ledger(m.marketId, `M:${m.marketId}`, `U:${p.userId}`, 100 * pairs, 'NETTING', tradeId);
  }

  /** Release what `qty` unfilled units of `o` hold in escrow (and net released shares). */
  private release(o: ROrder, qty: number): void {
    if (isBuy(o)) {
      const acc = this.mustAccount(o.userId);
      const amt = (o.priceCents as number) * qty;
      acc.locked -= amt;
      acc.available += amt;
      this.touchAccount(o.userId);
    } else {
      const p = this.mustPosition(o.userId, o.marketId);
      if (o.outcome === 'YES') p.yesLocked -= qty;
      else p.noLocked -= qty;
      this.touchPosition(p);
      this.netting(p, null);
    }
  }

  /** Take a resting order off the book for `reason` and release its escrow. */
  private removeResting(o: ROrder, reason: OrderUpdateReason): void {
    this.st.orders = this.st.orders.filter((x) => x !== o);
    this.touchLevel(o.marketId, bookSideOf(o.side, o.outcome), yesPriceOf(o) as number);
    this.release(o, o.remaining);
    this.updated(o, reason, reason === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED');
  }

  /** After matching: rest the remainder, or end the order and release its leftover escrow. */
  private finish(o: ROrder, stop: Stop, filledBefore: number, canRest: boolean, wallet: { left: number } | null): OrderResult {
    const filled = o.qty - o.remaining;
    if (o.remaining > 0 && stop === 'NONE' && canRest) {
      this.st.orders.push(o);
      this.touchLevel(o.marketId, bookSideOf(o.side, o.outcome), yesPriceOf(o) as number);
      if (filled > filledBefore) this.updated(o, 'FILL');
      return { ok: true, duplicate: false, orderId: o.orderId, status: filled > 0 ? 'PARTIALLY_FILLED' : 'OPEN', filledQty: filled, remainingQty: o.remaining };
    }
    if (wallet !== null) {
      const acc = this.mustAccount(o.userId);
      acc.locked -= wallet.left;
      acc.available += wallet.left;
      this.touchAccount(o.userId);
    } else if (o.remaining > 0) {
      this.release(o, o.remaining);
    }
    if (o.remaining === 0) this.updated(o, 'FILL', 'FILLED');
    else this.updated(o, stop === 'STP' ? 'SELF_TRADE' : 'UNFILLED', 'CANCELLED');
    return { ok: true, duplicate: false, orderId: o.orderId, status: o.remaining === 0 ? 'FILLED' : 'CANCELLED', filledQty: filled, remainingQty: 0 };
  }

  // -------------------------------------------------------------------------------------
  // CANCEL, CANCEL_ALL, AMEND

  private ownOrder(userId: string, orderId: unknown): ROrder | undefined {
    return this.st.orders.find((o) => o.orderId === orderId && o.userId === userId);
  }

  private cancel(cmd: CancelOrderCommand): OrderResult | Rejection {
    const o = this.ownOrder(cmd.userId, cmd.orderId);
    if (o === undefined) return this.reject(cmd, RejectCode.UNKNOWN_ORDER, `no open order ${String(cmd.orderId)}`, cmd.orderId);
    this.removeResting(o, 'USER_CANCEL');
    return { ok: true, duplicate: false, orderId: o.orderId, status: 'CANCELLED', filledQty: o.qty - o.remaining, remainingQty: 0 };
  }

  private cancelAll(cmd: CancelAllCommand): CancelAllResult | Rejection {
    if (cmd.marketId !== undefined && cmd.marketId !== null && this.market(cmd.marketId) === undefined) {
      return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
    }
    const mine = this.st.orders
      .filter((o) => o.userId === cmd.userId && (cmd.marketId == null || o.marketId === cmd.marketId))
      .sort((a, b) => a.queueSeq - b.queueSeq);
    for (const o of mine) this.removeResting(o, 'USER_CANCEL');
    return { ok: true, cancelledOrderIds: mine.map((o) => o.orderId) };
  }

  private amend(cmd: AmendOrderCommand): OrderResult | Rejection {
    const o = this.ownOrder(cmd.userId, cmd.orderId);
    if (o === undefined) return this.reject(cmd, RejectCode.UNKNOWN_ORDER, `no open order ${String(cmd.orderId)}`, cmd.orderId);
    const id = o.orderId;
    const m = this.mustMarket(o.marketId);
    if (m.status !== 'OPEN') return this.rejectNotOpen(cmd, m, id);
    const oldPrice = o.priceCents as number;
    const newPrice = cmd.priceCents ?? oldPrice;
    if (!isInt(newPrice) || newPrice < 1 || newPrice > 99) return this.reject(cmd, RejectCode.INVALID_PRICE, 'price must be an integer 1..99 cents', id);
    if (newPrice % m.tickCents !== 0) return this.reject(cmd, RejectCode.PRICE_NOT_ON_TICK, `price must be a multiple of ${m.tickCents} cents`, id);
    const newQty = cmd.qty ?? o.remaining;
    if (!isInt(newQty) || newQty < 1) return this.reject(cmd, RejectCode.INVALID_QUANTITY, 'quantity must be a positive integer', id);
    // The order's total (filled + new remaining) is what maxOrderQty limits.
    if (o.qty - o.remaining + newQty > this.config.maxOrderQty) {
      return this.reject(cmd, RejectCode.QUANTITY_TOO_LARGE, `filled + remaining quantity must be at most ${this.config.maxOrderQty}`, id);
    }
    if (newPrice === oldPrice && newQty === o.remaining) return this.reject(cmd, RejectCode.AMEND_NO_CHANGE, 'amend changes neither price nor quantity', id);
    const filled = o.qty - o.remaining;
    const side = bookSideOf(o.side, o.outcome);

    if (newPrice === oldPrice && newQty < o.remaining) {
      // Reduce in place: same queueSeq, same place in the level.
      const cut = o.remaining - newQty;
      this.release(o, cut);
      o.remaining = newQty;
      o.qty = filled + newQty;
      this.touchLevel(m.marketId, side, yesPriceOf(o) as number);
      this.updated(o, 'AMEND');
      return { ok: true, duplicate: false, orderId: id, status: filled > 0 ? 'PARTIALLY_FILLED' : 'OPEN', filledQty: filled, remainingQty: newQty };
    }

    const acc = this.mustAccount(o.userId);
    const pos = this.mustPosition(o.userId, o.marketId);
    if (isBuy(o)) {
      const extra = newPrice * newQty - oldPrice * o.remaining;
      if (extra > acc.available) return this.reject(cmd, RejectCode.INSUFFICIENT_BALANCE, `needs ${extra} more cents available, has ${acc.available}`, id);
    } else {
      const extra = newQty - o.remaining;
      const held = o.outcome === 'YES' ? pos.yes - pos.yesLocked : pos.no - pos.noLocked;
      if (extra > held) return this.reject(cmd, RejectCode.INSUFFICIENT_SHARES, `needs ${extra} more shares available, has ${held}`, id);
    }
    const newYes = inOutcome(o.outcome, newPrice);
    if (o.postOnly && this.bestMaker(m.marketId, side, newYes) !== undefined) {
      return this.reject(cmd, RejectCode.POST_ONLY_WOULD_TAKE, 'post-only order would take liquidity', id);
    }
    // Leave the book; adjust escrow to the new terms; re-enter as a taker with a new priority.
    this.st.orders = this.st.orders.filter((x) => x !== o);
    this.touchLevel(m.marketId, side, yesPriceOf(o) as number);
    if (isBuy(o)) {
      const delta = newPrice * newQty - oldPrice * o.remaining;
      acc.available -= delta;
      acc.locked += delta;
      this.touchAccount(acc.userId);
    } else {
      const delta = newQty - o.remaining;
      if (o.outcome === 'YES') pos.yesLocked += delta;
      else pos.noLocked += delta;
      this.touchPosition(pos);
      if (delta < 0) this.netting(pos, null);
    }
    o.priceCents = newPrice;
    o.remaining = newQty;
    o.qty = filled + newQty;
    o.queueSeq = this.st.nextQueueSeq++;
    this.updated(o, 'AMEND');
    const stop = this.matchTaker(o, newYes, null);
    return this.finish(o, stop, filled, true, null);
  }

  // -------------------------------------------------------------------------------------
  // Accounts and markets

  private validId(id: unknown): id is string {
    return typeof id === 'string' && id.length > 0 && id.length <= this.config.maxIdLength;
  }

  private openAccount(cmd: OpenAccountCommand): OkResult | Rejection {
    if (!this.validId(cmd.userId)) return this.reject(cmd, RejectCode.INVALID_ID, 'userId must be a non-empty string');
    if (this.account(cmd.userId) === undefined) {
      this.st.accounts.push({ userId: cmd.userId, available: 0, locked: 0 });
      this.touchAccount(cmd.userId);
    }
    return { ok: true };
  }

  private grant(cmd: GrantCommand): OkResult | Rejection {
    if (!this.validId(cmd.userId)) return this.reject(cmd, RejectCode.INVALID_ID, 'userId must be a non-empty string');
    const amt = cmd.amountCents;
    if (!isInt(amt) || amt < 1 || amt > this.config.maxGrantCents) {
      return this.reject(cmd, RejectCode.INVALID_AMOUNT, `amount must be an integer 1..${this.config.maxGrantCents} cents`);
    }
    let acc = this.account(cmd.userId);
    const before = acc === undefined ? 0 : acc.available + acc.locked;
    if (before + amt > this.config.maxAccountCents) {
      return this.reject(cmd, RejectCode.BALANCE_LIMIT, `balance would exceed ${this.config.maxAccountCents} cents`);
    }
    if (acc === undefined) {
      acc = { userId: cmd.userId, available: 0, locked: 0 };
      this.st.accounts.push(acc);
    }
    acc.available += amt;
    this.st.grantedCents += amt;
    this.ledger(null, 'TREASURY', `U:${cmd.userId}`, amt, 'GRANT', null);
    this.touchAccount(cmd.userId);
    return { ok: true };
  }

  private createMarket(cmd: CreateMarketCommand): OkResult | Rejection {
    if (!this.validId(cmd.marketId)) return this.reject(cmd, RejectCode.INVALID_ID, 'marketId must be a non-empty string');
    if (this.market(cmd.marketId) !== undefined) return this.reject(cmd, RejectCode.MARKET_EXISTS, `market ${cmd.marketId} exists`);
    const tick = cmd.tickCents ?? 1;
    if (!TICKS.includes(tick)) return this.reject(cmd, RejectCode.INVALID_TICK, 'tick must divide 100: 1, 2, 4, 5, 10, 20, 25 or 50');
    const closesAt = cmd.closesAtMs ?? null;
    if (closesAt !== null && (!isInt(closesAt) || closesAt < 0)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'closesAt must be epoch milliseconds');
    const m: RMarket = {
      marketId: cmd.marketId,
      status: 'DRAFT',
      outcome: null,
      seq: 0,
      closesAtMs: closesAt,
      tickCents: tick,
      pairs: 0,
      collateral: 0,
      lastPrice: null,
      volume: 0,
    };
    this.st.markets.push(m);
    this.emit({ type: 'MARKET_CREATED', tsMs: this.st.nowMs, seq: ++m.seq, marketId: m.marketId, closesAtMs: closesAt, tickCents: tick });
    return { ok: true };
  }

  private setMarketStatus(cmd: SetMarketStatusCommand): OkResult | Rejection {
    const m = this.market(cmd.marketId);
    if (m === undefined) return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
    const to = cmd.status;
    if (!STATUSES.includes(to)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'unknown status');
    const outcome = cmd.outcome ?? null;
    const outcomeOk = to === 'RESOLVED' ? outcome === 'YES' || outcome === 'NO' : outcome === null;
    if (!outcomeOk) return this.reject(cmd, RejectCode.INVALID_OUTCOME, 'RESOLVED needs outcome YES or NO; other statuses take none');
    const from = m.status;
    if (!ALLOWED[from].includes(to)) return this.reject(cmd, RejectCode.INVALID_TRANSITION, `${from} -> ${to} is not allowed`);
    if (to === 'OPEN' && m.closesAtMs !== null && m.closesAtMs <= this.st.nowMs) {
      return this.reject(cmd, RejectCode.INVALID_TRANSITION, 'the market is past its close time');
    }
    const trading = from === 'OPEN' || from === 'HALTED';
    if (to === 'CLOSED' || (trading && (to === 'RESOLVED' || to === 'CANCELLED'))) this.close(m);
    if (to === 'RESOLVED') this.resolve(m, outcome as Outcome);
    else if (to === 'CANCELLED') this.voidMarket(m);
    else if (to !== 'CLOSED') this.status(m, to, null);
    return { ok: true };
  }

  private status(m: RMarket, to: MarketStatus, outcome: Outcome | null): void {
    const previousStatus = m.status;
    m.status = to;
    m.outcome = outcome;
    this.emit({ type: 'MARKET_STATUS', tsMs: this.st.nowMs, seq: ++m.seq, marketId: m.marketId, status: to, previousStatus, outcome });
  }

  /** CLOSED; then every resting order is cancelled: bids best first, then asks best first, oldest first in a level. */
  private close(m: RMarket): void {
    this.status(m, 'CLOSED', null);
    const mine = this.st.orders.filter((o) => o.marketId === m.marketId);
    const bids = mine.filter((o) => bookSideOf(o.side, o.outcome) === 'BID');
    const asks = mine.filter((o) => bookSideOf(o.side, o.outcome) === 'ASK');
    const y = (o: ROrder): number => yesPriceOf(o) as number;
    bids.sort((a, b) => y(b) - y(a) || a.queueSeq - b.queueSeq);
    asks.sort((a, b) => y(a) - y(b) || a.queueSeq - b.queueSeq);
    for (const o of [...bids, ...asks]) this.removeResting(o, 'MARKET_CLOSED');
  }

  /** Positions holding shares, by userId. */
  private holders(m: RMarket): RPosition[] {
    return this.st.positions
      .filter((p) => p.marketId === m.marketId && p.yes + p.no > 0)
      .sort((a, b) => cmpStr(a.userId, b.userId));
  }

  /** Pay `amount` from the pool to the holder; its shares and basis are gone. */
  private settle(m: RMarket, p: RPosition, amount: number, reason: LedgerReason): void {
    if (amount > 0) {
      this.mustAccount(p.userId).available += amount;
      m.collateral -= amount;
      this.touchAccount(p.userId);
      this.ledger(m.marketId, `M:${m.marketId}`, `U:${p.userId}`, amount, reason, null);
    }
    p.realised += amount - p.yesCost - p.noCost;
    p.yes = p.yesLocked = p.no = p.noLocked = 0;
    p.yesCost = p.noCost = 0;
    this.touchPosition(p);
  }

  private resolve(m: RMarket, outcome: Outcome): void {
    this.status(m, 'RESOLVED', outcome);
    const collateral = m.collateral;
    const holders = this.holders(m);
    let paid = 0;
    for (const p of holders) {
      const yes = p.yes;
      const no = p.no;
      const cost = p.yesCost + p.noCost;
      const amount = 100 * (outcome === 'YES' ? yes : no);
      this.settle(m, p, amount, 'SETTLEMENT');
      this.emit({
        type: 'PAYOUT', tsMs: this.st.nowMs, seq: m.seq, marketId: m.marketId, userId: p.userId,
        kind: 'RESOLUTION', yesShares: yes, noShares: no, costBasisCents: cost, amountCents: amount,
      });
      paid += amount;
    }
    m.pairs = 0;
    this.emit({
      type: 'MARKET_SETTLED', tsMs: this.st.nowMs, seq: ++m.seq, marketId: m.marketId, kind: 'RESOLUTION', outcome,
      collateralCents: collateral, paidCents: paid, houseCents: 0, holders: holders.length,
    });
  }

  /** Void: refund cost basis; when the bases exceed the collateral, scale them down pro rata (floored); the rest to HOUSE. */
  private voidMarket(m: RMarket): void {
    this.status(m, 'CANCELLED', null);
    const collateral = m.collateral;
    const holders = this.holders(m);
    const basis = holders.reduce((s, p) => s + p.yesCost + p.noCost, 0);
    let paid = 0;
    for (const p of holders) {
      const yes = p.yes;
      const no = p.no;
      const cost = p.yesCost + p.noCost;
      const amount = basis <= collateral ? cost : floorMulDiv(cost, collateral, basis);
      this.settle(m, p, amount, 'VOID_REFUND');
      this.emit({
        type: 'PAYOUT', tsMs: this.st.nowMs, seq: m.seq, marketId: m.marketId, userId: p.userId,
        kind: 'VOID_REFUND', yesShares: yes, noShares: no, costBasisCents: cost, amountCents: amount,
      });
      paid += amount;
    }
    const house = collateral - paid;
    if (house > 0) {
      this.ledger(m.marketId, `M:${m.marketId}`, 'HOUSE', house, 'VOID_REMAINDER', null);
      this.st.houseCents += house;
      m.collateral -= house;
    }
    m.pairs = 0;
    this.emit({
      type: 'MARKET_SETTLED', tsMs: this.st.nowMs, seq: ++m.seq, marketId: m.marketId, kind: 'VOID_REFUND', outcome: null,
      collateralCents: collateral, paidCents: paid, houseCents: house, holders: holders.length,
    });
  }

  // -------------------------------------------------------------------------------------
  // Queries (the same shapes as the engine's)

  getOrder(orderId: number): OrderView | undefined {
    const o = this.st.orders.find((x) => x.orderId === orderId);
    return o === undefined ? undefined : this.view(o);
  }

  /** Resting orders, ascending queueSeq. */
  restingOrders(): OrderView[] {
    return [...this.st.orders].sort((a, b) => a.queueSeq - b.queueSeq).map((o) => this.view(o));
  }

  getUserOrders(userId: string, marketId?: string): OrderView[] {
    return this.st.orders
      .filter((o) => o.userId === userId && (marketId === undefined || o.marketId === marketId))
      .sort((a, b) => a.queueSeq - b.queueSeq)
      .map((o) => this.view(o));
  }

  /** Ids and owners of the resting orders, in no particular order (cheap; for the stream generator). */
  restingOrderOwners(): { orderId: number; userId: string }[] {
    return this.st.orders.map((o) => ({ orderId: o.orderId, userId: o.userId }));
  }

  getAccount(userId: string): AccountView | undefined {
    const a = this.account(userId);
    return a === undefined ? undefined : { userId, availableCents: a.available, lockedCents: a.locked };
  }

  userIds(): string[] {
    return this.st.accounts.map((a) => a.userId);
  }

  /** Market ids, sorted. */
  marketIds(): string[] {
    return this.st.markets.map((m) => m.marketId).sort(cmpStr);
  }

  /** Markets in creation order with their status (cheap; for the stream generator). */
  listMarkets(): { marketId: string; status: MarketStatus; closesAtMs: number | null; tickCents: number }[] {
    return this.st.markets.map((m) => ({ marketId: m.marketId, status: m.status, closesAtMs: m.closesAtMs, tickCents: m.tickCents }));
  }

  /** Largest order id handed out so far. */
  get lastOrderId(): number {
    return this.st.nextOrderId - 1;
  }

  private positionView(p: RPosition): PositionView {
    return {
      userId: p.userId,
      marketId: p.marketId,
      yesShares: p.yes,
      yesLockedShares: p.yesLocked,
      noShares: p.no,
      noLockedShares: p.noLocked,
      yesCostCents: p.yesCost,
      noCostCents: p.noCost,
      realisedPnlCents: p.realised,
      openOrders: this.st.orders.filter((o) => o.userId === p.userId && o.marketId === p.marketId).length,
    };
  }

  getPosition(userId: string, marketId: string): PositionView | undefined {
    const p = this.position(userId, marketId);
    return p === undefined ? undefined : this.positionView(p);
  }

  /** A user's positions, by market id. */
  getPositions(userId: string): PositionView[] {
    return this.st.positions
      .filter((p) => p.userId === userId)
      .sort((a, b) => cmpStr(a.marketId, b.marketId))
      .map((p) => this.positionView(p));
  }

  private levels(marketId: string, side: BookSide): { price: number; qty: number; count: number }[] {
    const out: { price: number; qty: number; count: number }[] = [];
    for (const o of this.st.orders) {
      if (o.marketId !== marketId || bookSideOf(o.side, o.outcome) !== side) continue;
      const p = yesPriceOf(o) as number;
      let l = out.find((x) => x.price === p);
      if (l === undefined) {
        l = { price: p, qty: 0, count: 0 };
        out.push(l);
      }
      l.qty += o.remaining;
      l.count++;
    }
    // Best first: highest bid, lowest ask.
    return out.sort((a, b) => (side === 'BID' ? b.price - a.price : a.price - b.price));
  }

  getLadder(marketId: string, outcome: Outcome = 'YES', depth = 10): Ladder | undefined {
    const m = this.market(marketId);
    if (m === undefined) return undefined;
    const conv = (ls: { price: number; qty: number; count: number }[], invert: boolean): LadderLevel[] =>
      ls.slice(0, depth).map((l) => ({ priceCents: invert ? 100 - l.price : l.price, qty: l.qty, orderCount: l.count }));
    const bids = this.levels(marketId, 'BID');
    const asks = this.levels(marketId, 'ASK');
    // NO bid at q = YES ask at 100 - q; NO ask at q = YES bid at 100 - q.
    return outcome === 'YES'
      ? { marketId, outcome, seq: m.seq, bids: conv(bids, false), asks: conv(asks, false) }
      : { marketId, outcome, seq: m.seq, bids: conv(asks, true), asks: conv(bids, true) };
  }

  getMarket(marketId: string): MarketView | undefined {
    const m = this.market(marketId);
    if (m === undefined) return undefined;
    const bids = this.levels(marketId, 'BID');
    const asks = this.levels(marketId, 'ASK');
    return {
      marketId,
      status: m.status,
      outcome: m.outcome,
      seq: m.seq,
      closesAtMs: m.closesAtMs,
      tickCents: m.tickCents,
      pairsOutstanding: m.pairs,
      collateralCents: m.collateral,
      lastYesPriceCents: m.lastPrice,
      volumeShares: m.volume,
      bestBidCents: bids[0]?.price ?? null,
      bestAskCents: asks[0]?.price ?? null,
    };
  }

  /** Conservation totals, as the engine's `totals()`. */
  totals(): { grantedCents: number; houseCents: number; accountsCents: number; poolsCents: number } {
    const s = this.st;
    return {
      grantedCents: s.grantedCents,
      houseCents: s.houseCents,
      accountsCents: s.accounts.reduce((t, a) => t + a.available + a.locked, 0),
      poolsCents: s.markets.reduce((t, m) => t + m.collateral, 0),
    };
  }

  /** The same canonical snapshot shape as the engine's `snapshot()`. */
  snapshot(): EngineSnapshot {
    const s = this.st;
    return {
      version: 1,
      nowMs: s.nowMs,
      nextOrderId: s.nextOrderId,
      nextTradeId: s.nextTradeId,
      nextQueueSeq: s.nextQueueSeq,
      houseCents: s.houseCents,
      grantedCents: s.grantedCents,
      accounts: s.accounts
        .map((a) => ({ userId: a.userId, availableCents: a.available, lockedCents: a.locked }))
        .sort((a, b) => cmpStr(a.userId, b.userId)),
      markets: s.markets
        .map((m) => ({
          marketId: m.marketId,
          status: m.status,
          outcome: m.outcome,
          seq: m.seq,
          closesAtMs: m.closesAtMs,
          tickCents: m.tickCents,
          pairsOutstanding: m.pairs,
          collateralCents: m.collateral,
          lastYesPriceCents: m.lastPrice,
          volumeShares: m.volume,
        }))
        .sort((a, b) => cmpStr(a.marketId, b.marketId)),
      positions: s.positions
        .filter((p) => p.yes !== 0 || p.no !== 0 || p.yesCost !== 0 || p.noCost !== 0 || p.realised !== 0)
        .map((p) => ({
          userId: p.userId,
          marketId: p.marketId,
          yesShares: p.yes,
          yesLockedShares: p.yesLocked,
          noShares: p.no,
          noLockedShares: p.noLocked,
          yesCostCents: p.yesCost,
          noCostCents: p.noCost,
          realisedPnlCents: p.realised,
        }))
        .sort((a, b) => cmpStr(a.userId, b.userId) || cmpStr(a.marketId, b.marketId)),
      orders: this.restingOrders(),
      clientOrderIds: [...s.clientOrderIds.entries()]
        .filter(([key]) => {
          const at = s.clientOrderIdFinalAt.get(key);
          return at === undefined || at + this.config.clientOrderIdRetentionMs > s.nowMs;
        })
        .map(([key, orderId]) => {
          const [userId = '', clientOrderId = ''] = key.split('\u0000');
          return { userId, clientOrderId, orderId, finalAtMs: s.clientOrderIdFinalAt.get(key) ?? null };
        })
        .sort((a, b) => cmpStr(a.userId, b.userId) || cmpStr(a.clientOrderId, b.clientOrderId)),
    };
  }

  // -------------------------------------------------------------------------------------
  // Invariants (docs/DESIGN.md 1-5), over this model's own state.

  checkInvariants(): string[] {
    const s = this.st;
    const bad: string[] = [];
    // 4. Escrow: what open orders reserve, per account (cents) and per position (shares).
    // 5. Book: best bid / best ask per market, from the resting orders.
    const lockedCents = new Map<string, number>();
    const lockedYes = new Map<string, number>();
    const lockedNo = new Map<string, number>();
    const bestBid = new Map<string, number>();
    const bestAsk = new Map<string, number>();
    const statusOf = new Map(s.markets.map((m) => [m.marketId, m.status]));
    for (const o of s.orders) {
      const key = `${o.userId}|${o.marketId}`;
      if (o.remaining <= 0) bad.push(`order ${o.orderId} rests with remaining ${o.remaining}`);
      if (o.remaining > o.qty) bad.push(`order ${o.orderId} remaining ${o.remaining} > qty ${o.qty}`);
      if (o.orderType !== 'LIMIT' || (o.timeInForce !== 'GTC' && o.timeInForce !== 'GTD')) bad.push(`order ${o.orderId} rests but is ${o.orderType} ${o.timeInForce}`);
      if (o.timeInForce === 'GTD' && (o.expiresAtMs === null || o.expiresAtMs <= s.nowMs)) bad.push(`order ${o.orderId} rests past its expiry`);
      const status = statusOf.get(o.marketId);
      if (status !== 'OPEN' && status !== 'HALTED') bad.push(`order ${o.orderId} rests in a ${status} market`);
      if (isBuy(o)) lockedCents.set(o.userId, (lockedCents.get(o.userId) ?? 0) + (o.priceCents as number) * o.remaining);
      else if (o.outcome === 'YES') lockedYes.set(key, (lockedYes.get(key) ?? 0) + o.remaining);
      else lockedNo.set(key, (lockedNo.get(key) ?? 0) + o.remaining);
      const y = yesPriceOf(o) as number;
      if (bookSideOf(o.side, o.outcome) === 'BID') bestBid.set(o.marketId, Math.max(bestBid.get(o.marketId) ?? 0, y));
      else bestAsk.set(o.marketId, Math.min(bestAsk.get(o.marketId) ?? 100, y));
    }
    let total = s.houseCents;
    for (const a of s.accounts) {
      total += a.available + a.locked;
      if (a.available < 0 || a.locked < 0) bad.push(`account ${a.userId} negative: ${a.available}/${a.locked}`);
      if (a.locked !== (lockedCents.get(a.userId) ?? 0)) bad.push(`account ${a.userId} locked ${a.locked} != escrow ${lockedCents.get(a.userId) ?? 0}`);
      if ((s.ledger.get(`U:${a.userId}`) ?? 0) !== a.available + a.locked) bad.push(`account ${a.userId} balance != its ledger rows`);
    }
    // 1. Shares outstanding per market, from the positions.
    const yesOut = new Map<string, number>();
    const noOut = new Map<string, number>();
    for (const p of s.positions) {
      const key = `${p.userId}|${p.marketId}`;
      yesOut.set(p.marketId, (yesOut.get(p.marketId) ?? 0) + p.yes);
      noOut.set(p.marketId, (noOut.get(p.marketId) ?? 0) + p.no);
      if (p.yesLocked !== (lockedYes.get(key) ?? 0) || p.noLocked !== (lockedNo.get(key) ?? 0)) bad.push(`position ${key} locked shares != open sells`);
      if (p.yesLocked < 0 || p.noLocked < 0 || p.yes < p.yesLocked || p.no < p.noLocked) bad.push(`position ${key} negative shares`);
      if (p.yesCost < 0 || p.noCost < 0) bad.push(`position ${key} negative cost`);
      if ((p.yes === 0 && p.yesCost !== 0) || (p.no === 0 && p.noCost !== 0)) bad.push(`position ${key} cost without shares`);
      if (p.yes - p.yesLocked > 0 && p.no - p.noLocked > 0) bad.push(`position ${key} holds both YES and NO available`);
    }
    for (const m of s.markets) {
      total += m.collateral;
      const yes = yesOut.get(m.marketId) ?? 0;
      const no = noOut.get(m.marketId) ?? 0;
      if (yes !== m.pairs || no !== m.pairs) bad.push(`market ${m.marketId} YES ${yes} NO ${no} pairs ${m.pairs}`);
      // 3. Collateral.
      const settled = m.status === 'RESOLVED' || m.status === 'CANCELLED';
      if (m.pairs < 0 || (settled && m.pairs !== 0)) bad.push(`market ${m.marketId} pairs ${m.pairs} (${m.status})`);
      if (m.collateral !== (settled ? 0 : 100 * m.pairs)) bad.push(`market ${m.marketId} collateral ${m.collateral} != 100 x ${m.pairs}`);
      if ((s.ledger.get(`M:${m.marketId}`) ?? 0) !== m.collateral) bad.push(`market ${m.marketId} pool != its ledger rows`);
      const bid = bestBid.get(m.marketId) ?? 0;
      const ask = bestAsk.get(m.marketId) ?? 100;
      if (bid >= ask) bad.push(`market ${m.marketId} crossed: ${bid} >= ${ask}`);
    }
    // 2. Points: accounts + pools + house == granted; the ledger balances and matches every balance.
    if (total !== s.grantedCents) bad.push(`points ${total} != granted ${s.grantedCents}`);
    if ((s.ledger.get('HOUSE') ?? 0) !== s.houseCents) bad.push('house != its ledger rows');
    if ((s.ledger.get('TREASURY') ?? 0) !== -s.grantedCents) bad.push('treasury != -granted');
    let sum = 0;
    for (const v of s.ledger.values()) sum += v;
    if (sum !== 0) bad.push(`ledger does not balance: ${sum}`);
    return bad;
  }
}
