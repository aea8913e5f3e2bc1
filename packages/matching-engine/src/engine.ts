/**
 * The matching engine: a deterministic state machine for binary prediction markets.
 * Commands in (`execute`), events out (to an `EventSink`), typed results back.
 *
 * It owns every book, account and position; it does no IO and reads no clock (time arrives
 * on each command as `tsMs`). Mechanics follow docs/DESIGN.md at the repository root:
 * - one book per market in YES ticks; BUY/SELL x YES/NO mapped onto it; crosses labelled
 *   TRANSFER / MINT / MERGE (Polymarket ctf-exchange `_deriveMatchType`);
 * - price-time priority; trades at the resting (maker) price; price improvement goes to the
 *   taker, whose unused escrow is released (Polymarket docs; Kalshi order types);
 * - escrow at acceptance (price x qty cents for buys, qty shares for sells); an order that
 *   cannot be escrowed is rejected whole; no selling of shares not held;
 * - netting: a user's available YES and NO in one market are merged pairwise for 100 cents
 *   each, at once, so positions stay one-sided (shares locked in sell orders are netted
 *   when released);
 * - lifecycle DRAFT -> OPEN -> (HALTED <-> OPEN) -> CLOSED -> RESOLVED | CANCELLED.
 *
 * The exact order of checks and events of each command is part of the contract (the
 * reference model in test/reference.ts reproduces it event by event); see the method docs.
 *
 * This file holds the hot path (commands, matching, escrow, events) and the lifecycle;
 * the rest lives in files of its own, called through the engine's public methods:
 * queries.ts, snapshot.ts (snapshot, restore, state hash), invariants.ts, settlement.ts,
 * with the state records and shared helpers in state.ts.
 */
import { Book, BID, ASK } from './book.ts';
import { ClientOrderIds } from './client-order-ids.ts';
import { RejectCode, rejectCodeName } from './codes.ts';
import {
  newAcceptedEvent,
  newBalanceEvent,
  newLedgerEvent,
  newLevelEvent,
  newOrderView,
  newPositionEvent,
  newTradeEvent,
  newUpdatedEvent,
} from './event-records.ts';
import { ExpiryHeap } from './expiry-heap.ts';
import { IdIndex } from './id-index.ts';
import { checkInvariants, totals } from './invariants.ts';
import { OrderStore, NIL, BUY_YES, SELL_YES, BUY_NO, SELL_NO, TIF_GTC, TIF_GTD, TIF_IOC, TIF_FOK, FLAG_MARKET, FLAG_POST_ONLY, FLAG_CLIENT_ORDER_ID, M_ACTION, M_YES_PRICE, M_FLAGS, M_TIF, STP_CANCEL_TAKER, STP_CANCEL_MAKER, STP_CANCEL_BOTH, STP_SHIFT, F_ID, F_QUEUE_SEQ, F_EXPIRES_AT, O_POS, O_QTY, O_REMAINING, O_NEXT, O_UPREV, O_UNEXT, O_HEAP_POS, intOf } from './order-store.ts';
import { getAccount, getLadder, getMarket, getOrder, getPosition, getPositions, getUserOrders, orderView } from './queries.ts';
import { resolveMarket, voidMarket } from './settlement.ts';
import { restoreInto, snapshot, stateHash } from './snapshot.ts';
import {
  Account,
  Market,
  Position,
  STP_NAMES,
  TIF_NAMES,
  bookSideOf,
  costOut,
  grown,
  isInt,
  ownPrice,
  stpCode,
  tifCode,
  type EngineInternals,
} from './state.ts';
import { TimeHeap } from './time-heap.ts';
import {
  DEFAULT_ENGINE_CONFIG,
  type AccountView,
  type BalanceEvent,
  type BookLevelEvent,
  type LedgerEvent,
  type OrderAcceptedEvent,
  type OrderUpdatedEvent,
  type PositionEvent,
  type TradeEvent,
  type AmendOrderCommand,
  type BookSide,
  type CancelAllCommand,
  type CancelAllResult,
  type CancelOrderCommand,
  type Command,
  type CommandResult,
  type CreateMarketCommand,
  type DuplicateOrderResult,
  type EngineConfig,
  type EngineSnapshot,
  type EngineStats,
  type EventSink,
  type GrantCommand,
  type Ladder,
  type LedgerReason,
  type MarketStatus,
  type MarketView,
  type OkResult,
  type OpenAccountCommand,
  type OrderResult,
  type OrderStatus,
  type OrderUpdateReason,
  type OrderView,
  type Outcome,
  type PlaceOrderCommand,
  type PositionView,
  type Rejection,
  type SetMarketStatusCommand,
  type TradeKind,
} from './types.ts';

export { mulDivFloor } from './state.ts';

const NULL_SINK: EventSink = { emit() {} };

const VALID_TICKS = new Set([1, 2, 4, 5, 10, 20, 25, 50]);
const MARKET_STATUSES: ReadonlySet<string> = new Set(['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED']);

/** Allowed transitions (docs/DESIGN.md, "Market lifecycle"). RESOLVED and CANCELLED from OPEN/HALTED close first. */
export const MARKET_TRANSITIONS: Readonly<Record<MarketStatus, readonly MarketStatus[]>> = Object.freeze({
  DRAFT: ['OPEN', 'CANCELLED'],
  OPEN: ['HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  HALTED: ['OPEN', 'CLOSED', 'RESOLVED', 'CANCELLED'],
  CLOSED: ['RESOLVED', 'CANCELLED'],
  RESOLVED: [],
  CANCELLED: [],
});

/** Stop reasons of the taker loop. */
const STOP_NONE = 0;
const STOP_STP = 1;
const STOP_BUDGET = 2;

/**
 * The engine. Construct empty (`new MatchingEngine(config, sink)`) or from a snapshot
 * (`MatchingEngine.restore`). All mutation goes through `execute`.
 */
export class MatchingEngine {
  readonly config: Readonly<EngineConfig>;
  private sink: EventSink;
  private readonly store: OrderStore;
  private readonly slotById: IdIndex;
  private readonly accounts: Account[] = [];
  private readonly accountByUser = new Map<string, Account>();
  private readonly markets: Market[] = [];
  private readonly marketById = new Map<string, Market>();
  private readonly positions: Position[] = [];
  /** Resting GTD orders by (expiry, order id); exactly the resting ones (expiry-heap.ts). */
  private readonly expiries: ExpiryHeap;
  private readonly closes = new TimeHeap();
  private nowMs = 0;
  private nextOrderId = 1;
  private nextTradeId = 1;
  private nextQueueSeq = 1;
  private houseCents = 0;
  private grantedCents = 0;
  /**
   * Pending BOOK_LEVEL, BALANCE and POSITION events of the current command, first touched
   * first: market index and level index, account index, position index. Typed arrays, so
   * their element kind never changes under optimised code (a JS array of objects changes
   * its map on first use and on growth, deoptimising the hot paths).
   */
  private dirtyLevelMarkets = new Int32Array(256);
  private dirtyLevels = new Int32Array(256);
  private dirtyLevelCount = 0;
  private dirtyAccounts = new Int32Array(256);
  private dirtyAccountCount = 0;
  private dirtyPositions = new Int32Array(256);
  private dirtyPositionCount = 0;
  /** Client order ids of open orders and of final ones inside their retention window. */
  private readonly clientOrderIds: ClientOrderIds;
  /**
   * True when the sink keeps the events it receives (`EventSink.retainsEvents`): the engine
   * then writes each event into a new record instead of reusing one.
   */
  private retains = false;
  // Reused event records of the hot paths (EventSink: valid only during emit).
  private readonly evAccepted: OrderAcceptedEvent = newAcceptedEvent(
    0, 0, 0, 0, null,
    newOrderView(0, '', '', 'BUY', 'YES', 'LIMIT', null, null, 'BID', 0, 0, 0, 'GTC', null, false, 'CANCEL_TAKER', null, 0, 'OPEN'),
  );
  private readonly evUpdated: OrderUpdatedEvent = newUpdatedEvent(0, 0, 0, '', '', 'OPEN', 'FILL', null, 0, 0, 0, 0);
  private readonly evTrade: TradeEvent = newTradeEvent(0, 0, 0, '', 'MINT', 0, 0, 0, 0, '', '', 'BUY', 'YES', 'BUY', 'YES', 'BID');
  private readonly evLevel: BookLevelEvent = newLevelEvent(0, 0, '', 'BID', 0, 0, 0);
  private readonly evLedger: LedgerEvent = newLedgerEvent(0, null, '', '', 0, 'GRANT', null);
  private readonly evBalance: BalanceEvent = newBalanceEvent(0, '', 0, 0);
  private readonly evPosition: PositionEvent = newPositionEvent(0, 0, '', '', 0, 0, 0, 0, 0, 0, 0);
  /** One-entry caches of accountOf/marketOf; idx -1 = none yet (an object, never undefined, so the check stays monomorphic). */
  private lastAccount: Account = new Account(-1, '');
  private lastMarket: Market = new Market(-1, '', null, 1);
  /** Market-buy budget left during one taker pass. */
  private budgetMode = false;
  private budgetLeft = 0;

  /**
   * @param config limits; omitted fields take `DEFAULT_ENGINE_CONFIG`.
   * @param sink receives every event; default discards them.
   * @param initialOrderCapacity order slots allocated up front (grows by doubling).
   */
  constructor(config: Partial<EngineConfig> = {}, sink: EventSink = NULL_SINK, initialOrderCapacity = 1024) {
    const cfg = { ...DEFAULT_ENGINE_CONFIG, ...config };
    if (!isInt(cfg.maxOrderQty) || cfg.maxOrderQty < 1 || cfg.maxOrderQty > 1_000_000_000) {
      throw new Error('config.maxOrderQty must be an integer in 1..1e9');
    }
    if (!isInt(cfg.clientOrderIdRetentionMs) || cfg.clientOrderIdRetentionMs < 0) {
      throw new Error('config.clientOrderIdRetentionMs must be a non-negative integer of milliseconds');
    }
    this.config = Object.freeze(cfg);
    this.sink = sink;
    this.retains = sink.retainsEvents === true;
    this.store = new OrderStore(initialOrderCapacity);
    this.slotById = new IdIndex(initialOrderCapacity);
    this.expiries = new ExpiryHeap(this.store);
    this.clientOrderIds = new ClientOrderIds(cfg.clientOrderIdRetentionMs);
  }

  /**
   * Replace the event sink (e.g. a fresh collector per batch). A sink with `retainsEvents`
   * gets a new record per event from then on; any other sink gets reused records.
   */
  setSink(sink: EventSink): void {
    this.sink = sink;
    this.retains = sink.retainsEvents === true;
  }

  /** The engine clock: the largest `tsMs` seen. */
  get timeMs(): number {
    return this.nowMs;
  }

  /**
   * Execute one command. Before the command itself, the clock moves to
   * max(clock, cmd.tsMs): due GTD orders expire (by expiry time, then order id) and due
   * markets close (by close time, then market id). After it, pending BOOK_LEVEL, BALANCE
   * and POSITION events are emitted.
   *
   * Returns a typed result; rejections carry a RejectCode. Throws only on a bug in the
   * caller (a `tsMs` that is not a non-negative safe integer, an unknown command type).
   */
  execute(cmd: Command): CommandResult {
    const ts = cmd.tsMs;
    if (!isInt(ts) || ts < 0) throw new Error(`command tsMs must be a non-negative safe integer, got ${String(ts)}`);
    // An unconditional store: a branch taken only when the clock moves would lack type
    // feedback on an engine whose clock stood still while it warmed up.
    this.nowMs = ts > this.nowMs ? ts : this.nowMs;
    if (this.expiries.peekTime() <= this.nowMs || this.closes.peekTime() <= this.nowMs || this.clientOrderIds.dueMs <= this.nowMs) this.runClock();
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
        throw new Error(`unknown command type ${(cmd as { type: unknown }).type as string}`);
    }
    this.flush();
    return result;
  }

  // -------------------------------------------------------------------------------------
  // Commands

  /**
   * PLACE. Checks, in this order (the first failure is the rejection):
   * 1. account exists (UNKNOWN_ACCOUNT);
   * 2. clientOrderId well-formed (INVALID_CLIENT_ORDER_ID); seen before -> duplicate result,
   *    no event;
   * 3. market exists (UNKNOWN_MARKET), is OPEN (MARKET_HALTED, MARKET_NOT_OPEN);
   * 4. side, outcome, order type, time in force, stp are known values (INVALID_FIELD);
   * 5. combination: market orders are IOC or FOK, post-only only on GTC/GTD limits
   *    (INVALID_ORDER_TYPE);
   * 6. price: limit needs an integer 1..99 (INVALID_PRICE) on the tick (PRICE_NOT_ON_TICK);
   *    a market order takes none (INVALID_PRICE);
   * 7. qty positive integer (INVALID_QUANTITY), <= maxOrderQty (QUANTITY_TOO_LARGE);
   * 8. GTD needs expiresAtMs > clock; others take none (INVALID_EXPIRY);
   * 9. maxCostCents only on market buys, positive integer (INVALID_MAX_COST);
   * 10. a GTC/GTD order needs room under maxOpenOrdersPerUserPerMarket (TOO_MANY_OPEN_ORDERS);
   * 11. escrow: buys need price x qty cents (market buys maxCost, default 99 x qty)
   *     available (INSUFFICIENT_BALANCE); sells need qty shares available (INSUFFICIENT_SHARES);
   * 12. post-only must not cross (POST_ONLY_WOULD_TAKE);
   * 13. FOK must be fillable completely now, honouring STP and budget (FOK_NOT_FILLABLE).
   * Then: ORDER_ACCEPTED; matching; the taker's ORDER_UPDATED (if it filled or ended).
   */
  private place(cmd: PlaceOrderCommand): OrderResult | DuplicateOrderResult | Rejection {
    const acc = this.accountOf(cmd.userId);
    if (acc === undefined) return this.reject(cmd, RejectCode.UNKNOWN_ACCOUNT, `no account for user ${cmd.userId}`);
    const coid = cmd.clientOrderId ?? null;
    if (coid !== null) {
      if (typeof coid !== 'string' || coid.length === 0 || coid.length > this.config.maxClientOrderIdLength) {
        return this.reject(cmd, RejectCode.INVALID_CLIENT_ORDER_ID, `clientOrderId must be 1..${this.config.maxClientOrderIdLength} characters`);
      }
      const prior = acc.clientOrderIds?.get(coid);
      if (prior !== undefined) {
        const slot = this.slotById.get(prior);
        return { ok: true, duplicate: true, orderId: prior, order: slot === NIL ? null : orderView(this.internals, slot) };
      }
    }
    const mk = this.marketOf(cmd.marketId);
    if (mk === undefined) return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
    if (mk.status !== 'OPEN') return this.rejectStatus(cmd, mk);

    let action: number;
    if (cmd.side === 'BUY') action = cmd.outcome === 'YES' ? BUY_YES : cmd.outcome === 'NO' ? BUY_NO : -1;
    else if (cmd.side === 'SELL') action = cmd.outcome === 'YES' ? SELL_YES : cmd.outcome === 'NO' ? SELL_NO : -1;
    else action = -1;
    if (action < 0) return this.reject(cmd, RejectCode.INVALID_FIELD, 'side must be BUY or SELL and outcome YES or NO');
    const isMarket = cmd.orderType === 'MARKET';
    if (!isMarket && cmd.orderType !== 'LIMIT') return this.reject(cmd, RejectCode.INVALID_FIELD, 'orderType must be LIMIT or MARKET');
    const tifName = cmd.timeInForce ?? (isMarket ? 'IOC' : 'GTC');
    const tif = tifCode(tifName);
    if (tif < 0) return this.reject(cmd, RejectCode.INVALID_FIELD, 'timeInForce must be GTC, GTD, IOC or FOK');
    const stp = stpCode(cmd.stp ?? 'CANCEL_TAKER');
    if (stp < 0) return this.reject(cmd, RejectCode.INVALID_FIELD, 'stp must be CANCEL_TAKER, CANCEL_MAKER or CANCEL_BOTH');
    const postOnly = cmd.postOnly === true;
    if (cmd.postOnly !== undefined && typeof cmd.postOnly !== 'boolean') return this.reject(cmd, RejectCode.INVALID_FIELD, 'postOnly must be a boolean');
    if (isMarket && tif !== TIF_IOC && tif !== TIF_FOK) return this.reject(cmd, RejectCode.INVALID_ORDER_TYPE, 'a market order is IOC or FOK');
    if (postOnly && (isMarket || tif === TIF_IOC || tif === TIF_FOK)) {
      return this.reject(cmd, RejectCode.INVALID_ORDER_TYPE, 'post-only applies to GTC or GTD limit orders');
    }

    const price = cmd.priceCents ?? null;
    let yesLimit: number;
    if (isMarket) {
      if (price !== null) return this.reject(cmd, RejectCode.INVALID_PRICE, 'a market order takes no price');
      yesLimit = bookSideOf(action) === BID ? 99 : 1;
    } else {
      if (!isInt(price) || price < 1 || price > 99) return this.reject(cmd, RejectCode.INVALID_PRICE, 'price must be an integer 1..99 cents');
      if (price % mk.tick !== 0) return this.reject(cmd, RejectCode.PRICE_NOT_ON_TICK, `price must be a multiple of ${mk.tick} cents`);
      yesLimit = action < 2 ? price : 100 - price;
    }
    const qty = cmd.qty;
    if (!isInt(qty) || qty < 1) return this.reject(cmd, RejectCode.INVALID_QUANTITY, 'quantity must be a positive integer');
    if (qty > this.config.maxOrderQty) return this.reject(cmd, RejectCode.QUANTITY_TOO_LARGE, `quantity must be at most ${this.config.maxOrderQty}`);
    const expiresAt = cmd.expiresAtMs ?? null;
    if (tif === TIF_GTD) {
      if (!isInt(expiresAt) || expiresAt <= this.nowMs) return this.reject(cmd, RejectCode.INVALID_EXPIRY, 'GTD needs expiresAt after the current time');
    } else if (expiresAt !== null) {
      return this.reject(cmd, RejectCode.INVALID_EXPIRY, 'expiresAt applies to GTD orders only');
    }
    const isBuy = (action & 1) === 0;
    const maxCost = cmd.maxCostCents ?? null;
    if (maxCost !== null && (!isMarket || !isBuy || !isInt(maxCost) || maxCost < 1)) {
      return this.reject(cmd, RejectCode.INVALID_MAX_COST, 'maxCost is a positive integer of cents, for market buys only');
    }
    const rests = !isMarket && (tif === TIF_GTC || tif === TIF_GTD);
    let pos = acc.positionByMarket[mk.idx];
    if (rests && pos !== undefined && pos.openOrders >= this.config.maxOpenOrdersPerUserPerMarket) {
      return this.reject(cmd, RejectCode.TOO_MANY_OPEN_ORDERS, `at most ${this.config.maxOpenOrdersPerUserPerMarket} open orders per market`);
    }
    let escrowCents = 0;
    if (isBuy) {
      escrowCents = isMarket ? (maxCost ?? 99 * qty) : (price as number) * qty;
      if (acc.available < escrowCents) {
        return this.reject(cmd, RejectCode.INSUFFICIENT_BALANCE, `needs ${escrowCents} cents available, has ${acc.available}`);
      }
    } else {
      const held = pos === undefined ? 0 : action === SELL_YES ? pos.yesAvail : pos.noAvail;
      if (held < qty) return this.reject(cmd, RejectCode.INSUFFICIENT_SHARES, `needs ${qty} ${cmd.outcome} shares available, has ${held}`);
    }
    const side = bookSideOf(action);
    const book = mk.book;
    if (postOnly && (side === BID ? book.bestAsk <= yesLimit : book.bestBid >= yesLimit)) {
      return this.reject(cmd, RejectCode.POST_ONLY_WOULD_TAKE, 'post-only order would take liquidity');
    }
    if (tif === TIF_FOK && !this.canFill(mk, pos === undefined ? NIL : pos.idx, action, side, yesLimit, qty, stp, isMarket && isBuy ? escrowCents : -1)) {
      return this.reject(cmd, RejectCode.FOK_NOT_FILLABLE, 'fill-or-kill order cannot be filled completely');
    }

    // Accept.
    if (pos === undefined) pos = this.newPosition(acc, mk);
    const st = this.store;
    const s = st.alloc();
    const orderId = this.nextOrderId++;
    st.f64[8 * s + F_ID] = orderId;
    st.i32[16 * s + O_POS] = pos.idx;
    st.meta[64 * s + M_ACTION] = action;
    st.meta[64 * s + M_YES_PRICE] = isMarket ? 0 : yesLimit;
    st.meta[64 * s + M_TIF] = tif;
    st.meta[64 * s + M_FLAGS] = (isMarket ? FLAG_MARKET : 0) | (postOnly ? FLAG_POST_ONLY : 0) | (coid !== null ? FLAG_CLIENT_ORDER_ID : 0) | (stp << STP_SHIFT);
    st.i32[16 * s + O_QTY] = qty;
    st.i32[16 * s + O_REMAINING] = qty;
    st.f64[8 * s + F_EXPIRES_AT] = expiresAt ?? 0;
    st.f64[8 * s + F_QUEUE_SEQ] = this.nextQueueSeq++;
    this.slotById.set(orderId, s);
    if (coid !== null) {
      st.clientOrderId[s] = coid;
      (acc.clientOrderIds ??= new Map()).set(coid, orderId);
    }
    if (isBuy) {
      acc.available -= escrowCents;
      acc.locked += escrowCents;
      this.touchAccount(acc);
    } else {
      if (action === SELL_YES) {
        pos.yesAvail -= qty;
        pos.yesLocked += qty;
      } else {
        pos.noAvail -= qty;
        pos.noLocked += qty;
      }
      this.touchPosition(pos);
    }
    // Event records (see EventSink): filled from the validated command, not read back.
    const sideName = isBuy ? 'BUY' : 'SELL';
    const outcomeName = action < 2 ? 'YES' : 'NO';
    const typeName = isMarket ? 'MARKET' : 'LIMIT';
    const ownLimit = isMarket ? null : price;
    const yesLimitOrNull = isMarket ? null : yesLimit;
    const bookSideName = side === BID ? 'BID' : 'ASK';
    const tifLabel = TIF_NAMES[tif]!;
    const expiry = tif === TIF_GTD ? expiresAt : null;
    const stpName = STP_NAMES[stp]!;
    const queueSeq = intOf(st.f64[8 * s + F_QUEUE_SEQ]!);
    const escrowShares = isBuy ? 0 : qty;
    if (this.retains) {
      const order = newOrderView(orderId, acc.userId, mk.id, sideName, outcomeName, typeName, ownLimit, yesLimitOrNull, bookSideName, qty, qty, 0, tifLabel, expiry, postOnly, stpName, coid, queueSeq, 'OPEN');
      this.sink.emit(newAcceptedEvent(this.nowMs, mk.seq, escrowCents, escrowShares, maxCost, order));
    } else {
      const ev = this.evAccepted;
      const o = ev.order;
      ev.tsMs = this.nowMs;
      ev.seq = mk.seq;
      o.orderId = orderId;
      o.userId = acc.userId;
      o.marketId = mk.id;
      o.side = sideName;
      o.outcome = outcomeName;
      o.orderType = typeName;
      o.priceCents = ownLimit;
      o.yesPriceCents = yesLimitOrNull;
      o.bookSide = bookSideName;
      o.qty = qty;
      o.remainingQty = qty;
      o.filledQty = 0;
      o.timeInForce = tifLabel;
      o.expiresAtMs = expiry;
      o.postOnly = postOnly;
      o.stp = stpName;
      o.clientOrderId = coid;
      o.queueSeq = queueSeq;
      o.status = 'OPEN';
      ev.escrowCents = escrowCents;
      ev.escrowShares = escrowShares;
      ev.maxCostCents = maxCost;
      this.sink.emit(ev);
    }
    this.budgetMode = isMarket && isBuy;
    this.budgetLeft = escrowCents;
    const stop = this.match(mk, s, side, yesLimit);
    return this.finishTaker(mk, s, stop, 0, rests);
  }

  /** CANCEL one resting order: UNKNOWN_ORDER unless a live order of this user. Allowed while HALTED. */
  private cancel(cmd: CancelOrderCommand): OrderResult | Rejection {
    const s = this.ownSlot(cmd.userId, cmd.orderId);
    if (s === NIL) return this.reject(cmd, RejectCode.UNKNOWN_ORDER, `no open order ${String(cmd.orderId)}`, cmd.orderId);
    const st = this.store;
    const filled = st.i32[16 * s + O_QTY]! - st.i32[16 * s + O_REMAINING]!;
    const orderId = cmd.orderId;
    this.cancelResting(this.positions[st.i32[16 * s + O_POS]!]!.market, s, 'USER_CANCEL');
    return { ok: true, duplicate: false, orderId, status: 'CANCELLED', filledQty: filled, remainingQty: 0 };
  }

  /**
   * CANCEL_ALL of a user's resting orders, in ascending queueSeq; in one market when
   * `marketId` is given (UNKNOWN_MARKET if it does not exist). A user with no account or no
   * orders gets an empty list.
   */
  private cancelAll(cmd: CancelAllCommand): CancelAllResult | Rejection {
    let onlyMarket = -1;
    if (cmd.marketId != null) {
      const mk = this.marketById.get(cmd.marketId);
      if (mk === undefined) return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
      onlyMarket = mk.idx;
    }
    const cancelled: number[] = [];
    const acc = this.accountByUser.get(cmd.userId);
    if (acc === undefined) return { ok: true, cancelledOrderIds: cancelled };
    const st = this.store;
    let s = acc.ordersHead;
    while (s !== NIL) {
      const next = st.i32[16 * s + O_UNEXT]!;
      const mk = this.positions[st.i32[16 * s + O_POS]!]!.market;
      if (onlyMarket < 0 || mk.idx === onlyMarket) {
        cancelled.push(intOf(st.f64[8 * s + F_ID]!));
        this.cancelResting(mk, s, 'USER_CANCEL');
      }
      s = next;
    }
    return { ok: true, cancelledOrderIds: cancelled };
  }

  /**
   * AMEND a resting order. Checks in order: live order of this user (UNKNOWN_ORDER); market
   * OPEN (MARKET_HALTED / MARKET_NOT_OPEN); new price valid (INVALID_PRICE, PRICE_NOT_ON_TICK);
   * new qty valid (INVALID_QUANTITY, QUANTITY_TOO_LARGE); something changes (AMEND_NO_CHANGE).
   * - Same price, smaller qty: reduced in place, keeps its queue place; escrow released.
   * - Otherwise: extra escrow must be available (INSUFFICIENT_BALANCE / INSUFFICIENT_SHARES);
   *   a post-only order must not cross (POST_ONLY_WOULD_TAKE); then the order leaves the book,
   *   gets a new queueSeq, emits ORDER_UPDATED(AMEND), matches as a taker under its own STP
   *   mode, and rests with what remains.
   */
  private amend(cmd: AmendOrderCommand): OrderResult | Rejection {
    const s = this.ownSlot(cmd.userId, cmd.orderId);
    if (s === NIL) return this.reject(cmd, RejectCode.UNKNOWN_ORDER, `no open order ${String(cmd.orderId)}`, cmd.orderId);
    const st = this.store;
    const mk = this.positions[st.i32[16 * s + O_POS]!]!.market;
    if (mk.status !== 'OPEN') return this.rejectStatus(cmd, mk, cmd.orderId);
    const action = st.meta[64 * s + M_ACTION]!;
    const oldYes = st.meta[64 * s + M_YES_PRICE]!;
    const oldOwn = ownPrice(action, oldYes);
    const rem = st.i32[16 * s + O_REMAINING]!;
    const newOwn = cmd.priceCents ?? oldOwn;
    if (!isInt(newOwn) || newOwn < 1 || newOwn > 99) return this.reject(cmd, RejectCode.INVALID_PRICE, 'price must be an integer 1..99 cents', cmd.orderId);
    if (newOwn % mk.tick !== 0) return this.reject(cmd, RejectCode.PRICE_NOT_ON_TICK, `price must be a multiple of ${mk.tick} cents`, cmd.orderId);
    const newQty = cmd.qty ?? rem;
    if (!isInt(newQty) || newQty < 1) return this.reject(cmd, RejectCode.INVALID_QUANTITY, 'quantity must be a positive integer', cmd.orderId);
    const filledSoFar = st.i32[16 * s + O_QTY]! - rem;
    if (filledSoFar + newQty > this.config.maxOrderQty) {
      return this.reject(cmd, RejectCode.QUANTITY_TOO_LARGE, `filled + remaining quantity must be at most ${this.config.maxOrderQty}`, cmd.orderId);
    }
    if (newOwn === oldOwn && newQty === rem) return this.reject(cmd, RejectCode.AMEND_NO_CHANGE, 'amend changes neither price nor quantity', cmd.orderId);
    const pos = this.positions[st.i32[16 * s + O_POS]!]!;
    const acc = pos.account;
    const isBuy = (action & 1) === 0;
    const side = bookSideOf(action);
    const filled = st.i32[16 * s + O_QTY]! - rem;

    if (newOwn === oldOwn && newQty < rem) {
      const cut = rem - newQty;
      this.releaseEscrow(pos, action, oldYes, cut);
      st.i32[16 * s + O_REMAINING] = newQty;
      st.i32[16 * s + O_QTY] = filled + newQty;
      const lv = Book.level(side, oldYes);
      mk.book.qty[lv] = mk.book.qty[lv]! - cut;
      this.touchLevel(mk, side, oldYes);
      this.emitOrderUpdated(mk, s, 'AMEND');
      return { ok: true, duplicate: false, orderId: cmd.orderId, status: filled > 0 ? 'PARTIALLY_FILLED' : 'OPEN', filledQty: filled, remainingQty: newQty };
    }

    const newYes = action < 2 ? newOwn : 100 - newOwn;
    if (isBuy) {
      const extra = newOwn * newQty - oldOwn * rem;
      if (extra > acc.available) {
        return this.reject(cmd, RejectCode.INSUFFICIENT_BALANCE, `needs ${extra} more cents available, has ${acc.available}`, cmd.orderId);
      }
    } else {
      const extra = newQty - rem;
      const held = action === SELL_YES ? pos.yesAvail : pos.noAvail;
      if (extra > held) return this.reject(cmd, RejectCode.INSUFFICIENT_SHARES, `needs ${extra} more shares available, has ${held}`, cmd.orderId);
    }
    const book = mk.book;
    if ((st.meta[64 * s + M_FLAGS]! & FLAG_POST_ONLY) !== 0 && (side === BID ? book.bestAsk <= newYes : book.bestBid >= newYes)) {
      return this.reject(cmd, RejectCode.POST_ONLY_WOULD_TAKE, 'post-only order would take liquidity', cmd.orderId);
    }
    // Leave the book, the expiry heap and the user's list; re-enter as a taker with a new priority.
    book.remove(st, s, side, oldYes);
    if (st.i32[16 * s + O_HEAP_POS] !== NIL) this.expiries.remove(s);
    this.touchLevel(mk, side, oldYes);
    this.unlinkUser(acc, s);
    pos.openOrders--;
    if (isBuy) {
      const delta = newOwn * newQty - oldOwn * rem;
      acc.available -= delta;
      acc.locked += delta;
      this.touchAccount(acc);
    } else {
      const delta = newQty - rem;
      if (action === SELL_YES) {
        pos.yesAvail -= delta;
        pos.yesLocked += delta;
      } else {
        pos.noAvail -= delta;
        pos.noLocked += delta;
      }
      this.touchPosition(pos);
      if (delta < 0) this.net(pos, null);
    }
    st.meta[64 * s + M_YES_PRICE] = newYes;
    st.i32[16 * s + O_REMAINING] = newQty;
    st.i32[16 * s + O_QTY] = filled + newQty;
    st.f64[8 * s + F_QUEUE_SEQ] = this.nextQueueSeq++;
    this.emitOrderUpdated(mk, s, 'AMEND');
    this.budgetMode = false;
    const stop = this.match(mk, s, side, newYes);
    return this.finishTaker(mk, s, stop, filled, true);
  }

  /** OPEN_ACCOUNT: creates a zero account if missing (BALANCE event); INVALID_ID on a bad id. */
  private openAccount(cmd: OpenAccountCommand): OkResult | Rejection {
    if (!this.validId(cmd.userId)) return this.reject(cmd, RejectCode.INVALID_ID, 'userId must be a non-empty string');
    if (!this.accountByUser.has(cmd.userId)) this.touchAccount(this.newAccount(cmd.userId));
    return { ok: true };
  }

  /** GRANT: treasury -> user (LEDGER GRANT, BALANCE). INVALID_ID, INVALID_AMOUNT, BALANCE_LIMIT. */
  private grant(cmd: GrantCommand): OkResult | Rejection {
    if (!this.validId(cmd.userId)) return this.reject(cmd, RejectCode.INVALID_ID, 'userId must be a non-empty string');
    const amt = cmd.amountCents;
    if (!isInt(amt) || amt < 1 || amt > this.config.maxGrantCents) {
      return this.reject(cmd, RejectCode.INVALID_AMOUNT, `amount must be an integer 1..${this.config.maxGrantCents} cents`);
    }
    const existing = this.accountByUser.get(cmd.userId);
    const held = existing === undefined ? 0 : existing.available + existing.locked;
    if (held + amt > this.config.maxAccountCents) {
      return this.reject(cmd, RejectCode.BALANCE_LIMIT, `balance would exceed ${this.config.maxAccountCents} cents`);
    }
    const acc = existing ?? this.newAccount(cmd.userId);
    acc.available += amt;
    this.grantedCents += amt;
    this.ledger(null, 'TREASURY', acc.ledgerId, amt, 'GRANT', null);
    this.touchAccount(acc);
    return { ok: true };
  }

  /** CREATE_MARKET in DRAFT (MARKET_CREATED). INVALID_ID, MARKET_EXISTS, INVALID_TICK, INVALID_FIELD (closesAtMs). */
  private createMarket(cmd: CreateMarketCommand): OkResult | Rejection {
    if (!this.validId(cmd.marketId)) return this.reject(cmd, RejectCode.INVALID_ID, 'marketId must be a non-empty string');
    if (this.marketById.has(cmd.marketId)) return this.reject(cmd, RejectCode.MARKET_EXISTS, `market ${cmd.marketId} exists`);
    const tick = cmd.tickCents ?? 1;
    if (!VALID_TICKS.has(tick)) return this.reject(cmd, RejectCode.INVALID_TICK, 'tick must divide 100: 1, 2, 4, 5, 10, 20, 25 or 50');
    const closesAt = cmd.closesAtMs ?? null;
    if (closesAt !== null && (!isInt(closesAt) || closesAt < 0)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'closesAt must be epoch milliseconds');
    const mk = this.newMarket(cmd.marketId, closesAt, tick);
    this.sink.emit({ type: 'MARKET_CREATED', tsMs: this.nowMs, seq: ++mk.seq, marketId: mk.id, closesAtMs: closesAt, tickCents: tick });
    return { ok: true };
  }

  /**
   * SET_MARKET_STATUS along MARKET_TRANSITIONS. UNKNOWN_MARKET, INVALID_FIELD (status),
   * INVALID_OUTCOME (RESOLVED without YES/NO, or an outcome on another status),
   * INVALID_TRANSITION (not allowed, or OPEN after closesAt). CLOSED cancels every resting
   * order (MARKET_CLOSED) and releases escrow; RESOLVED and CANCELLED from OPEN/HALTED
   * close first, then settle (settlement.ts).
   */
  private setMarketStatus(cmd: SetMarketStatusCommand): OkResult | Rejection {
    const mk = this.marketById.get(cmd.marketId);
    if (mk === undefined) return this.reject(cmd, RejectCode.UNKNOWN_MARKET, `no market ${cmd.marketId}`);
    const to = cmd.status;
    if (!MARKET_STATUSES.has(to)) return this.reject(cmd, RejectCode.INVALID_FIELD, 'unknown status');
    const outcome = cmd.outcome ?? null;
    if (to === 'RESOLVED' ? outcome !== 'YES' && outcome !== 'NO' : outcome !== null) {
      return this.reject(cmd, RejectCode.INVALID_OUTCOME, 'RESOLVED needs outcome YES or NO; other statuses take none');
    }
    const from = mk.status;
    if (!MARKET_TRANSITIONS[from].includes(to)) return this.reject(cmd, RejectCode.INVALID_TRANSITION, `${from} -> ${to} is not allowed`);
    if (to === 'OPEN' && mk.closesAtMs !== null && mk.closesAtMs <= this.nowMs) {
      return this.reject(cmd, RejectCode.INVALID_TRANSITION, 'the market is past its close time');
    }
    if (to === 'CLOSED' || ((to === 'RESOLVED' || to === 'CANCELLED') && (from === 'OPEN' || from === 'HALTED'))) {
      this.closeMarket(mk);
    }
    if (to === 'RESOLVED') resolveMarket(this.internals, mk, outcome as Outcome);
    else if (to === 'CANCELLED') voidMarket(this.internals, mk);
    else if (to !== 'CLOSED') this.setStatus(mk, to, null);
    return { ok: true };
  }

  // -------------------------------------------------------------------------------------
  // Matching

  /**
   * Match taker slot `t` on `side` against the opposite side while prices cross `limitYes`.
   * Fills at the maker's price, in price-time priority. Returns why it stopped early.
   */
  private match(mk: Market, t: number, side: number, limitYes: number): number {
    const st = this.store;
    const book = mk.book;
    // Same position = same user (the maker rests in this market): the self-trade check.
    const tPos = st.i32[16 * t + O_POS]!;
    const stp = (st.meta[64 * t + M_FLAGS]! >> STP_SHIFT) & 3;
    const tYes = st.meta[64 * t + M_ACTION]! < 2;
    let rem = st.i32[16 * t + O_REMAINING]!;
    const opp = side === BID ? ASK : BID;
    while (rem > 0) {
      const p = side === BID ? book.bestAsk : book.bestBid;
      if (side === BID ? p > limitYes : p < limitYes) break;
      let m = book.head[Book.level(opp, p)]!;
      while (m !== NIL && rem > 0) {
        const nextM = st.i32[16 * m + O_NEXT]!;
        if (st.i32[16 * m + O_POS] === tPos) {
          if (stp === STP_CANCEL_TAKER) {
            st.i32[16 * t + O_REMAINING] = rem;
            return STOP_STP;
          }
          this.cancelResting(mk, m, 'SELF_TRADE');
          if (stp === STP_CANCEL_BOTH) {
            st.i32[16 * t + O_REMAINING] = rem;
            return STOP_STP;
          }
          m = nextM;
          continue;
        }
        const mRem = st.i32[16 * m + O_REMAINING]!;
        let q = rem < mRem ? rem : mRem;
        if (this.budgetMode) {
          const own = tYes ? p : 100 - p;
          let afford = Math.floor(this.budgetLeft / own);
          if (afford * own > this.budgetLeft) afford--;
          if (afford === 0) {
            st.i32[16 * t + O_REMAINING] = rem;
            return STOP_BUDGET;
          }
          if (afford < q) q = afford;
        }
        rem -= q;
        st.i32[16 * t + O_REMAINING] = rem;
        this.fill(mk, m, t, opp, p, q);
        // Both still open: the budget ran out part-way through this maker; never skip to the next one.
        if (rem > 0 && st.i32[16 * m + O_REMAINING]! > 0) return STOP_BUDGET;
        m = nextM;
      }
    }
    st.i32[16 * t + O_REMAINING] = rem;
    return STOP_NONE;
  }

  /** Would a FOK taker fill `qty` completely now? Mirrors `match` without changing state. */
  private canFill(mk: Market, tPos: number, action: number, side: number, limitYes: number, qty: number, stp: number, budget: number): boolean {
    const st = this.store;
    const book = mk.book;
    const opp = side === BID ? ASK : BID;
    const tYes = action < 2;
    let need = qty;
    let money = budget;
    const prices = book.prices(opp);
    for (const p of prices) {
      if (side === BID ? p > limitYes : p < limitYes) break;
      for (let m = book.head[Book.level(opp, p)]!; m !== NIL; m = st.i32[16 * m + O_NEXT]!) {
        if (st.i32[16 * m + O_POS] === tPos) {
          if (stp === STP_CANCEL_MAKER) continue;
          return false;
        }
        let q = Math.min(need, st.i32[16 * m + O_REMAINING]!);
        if (money >= 0) {
          const own = tYes ? p : 100 - p;
          q = Math.min(q, Math.floor(money / own));
          if (q === 0) return false;
          money -= q * own;
        }
        need -= q;
        if (need === 0) return true;
      }
    }
    return false;
  }

  /**
   * One fill of `q` shares at YES price `p` between maker slot `m` (resting on `mSide`) and
   * taker slot `t`. Moves money and shares, writes ledger rows, nets buyers, updates the
   * maker. Events: TRADE, LEDGER rows, NETTING rows, maker ORDER_UPDATED(FILL).
   */
  private fill(mk: Market, m: number, t: number, mSide: number, p: number, q: number): void {
    const st = this.store;
    const mAct = st.meta[64 * m + M_ACTION]!;
    const tAct = st.meta[64 * t + M_ACTION]!;
    const mPos = this.positions[st.i32[16 * m + O_POS]!]!;
    const tPos = this.positions[st.i32[16 * t + O_POS]!]!;
    const mAcc = mPos.account;
    const tAcc = tPos.account;
    const mBuy = (mAct & 1) === 0;
    const tBuy = (tAct & 1) === 0;
    const mAmt = (mAct < 2 ? p : 100 - p) * q;
    const tAmt = (tAct < 2 ? p : 100 - p) * q;
    const kind: TradeKind = mBuy ? (tBuy ? 'MINT' : 'TRANSFER') : tBuy ? 'TRANSFER' : 'MERGE';
    const tradeId = this.nextTradeId++;

    st.i32[16 * m + O_REMAINING] = st.i32[16 * m + O_REMAINING]! - q;
    const lv = Book.level(mSide, p);
    mk.book.qty[lv] = mk.book.qty[lv]! - q;
    this.touchLevel(mk, mSide, p);
    mk.lastPrice = p;
    mk.volume += q;
    const seq = ++mk.seq;
    const makerOrderId = intOf(st.f64[8 * m + F_ID]!);
    const takerOrderId = intOf(st.f64[8 * t + F_ID]!);
    const makerSide = mBuy ? 'BUY' : 'SELL';
    const makerOutcome = mAct < 2 ? 'YES' : 'NO';
    const takerSide = tBuy ? 'BUY' : 'SELL';
    const takerOutcome = tAct < 2 ? 'YES' : 'NO';
    const takerBookSide = mSide === ASK ? 'BID' : 'ASK';
    if (this.retains) {
      this.sink.emit(newTradeEvent(this.nowMs, seq, tradeId, mk.id, kind, p, q, makerOrderId, takerOrderId, mAcc.userId, tAcc.userId, makerSide, makerOutcome, takerSide, takerOutcome, takerBookSide));
    } else {
      const ev = this.evTrade;
      ev.tsMs = this.nowMs;
      ev.seq = seq;
      ev.tradeId = tradeId;
      ev.marketId = mk.id;
      ev.kind = kind;
      ev.yesPriceCents = p;
      ev.qty = q;
      ev.makerOrderId = makerOrderId;
      ev.takerOrderId = takerOrderId;
      ev.makerUserId = mAcc.userId;
      ev.takerUserId = tAcc.userId;
      ev.makerSide = makerSide;
      ev.makerOutcome = makerOutcome;
      ev.takerSide = takerSide;
      ev.takerOutcome = takerOutcome;
      ev.takerBookSide = takerBookSide;
      this.sink.emit(ev);
    }

    // Maker: pays from escrow at its own limit (no improvement), or delivers locked shares.
    if (mBuy) {
      mAcc.locked -= mAmt;
      this.addShares(mPos, mAct === BUY_YES, q, mAmt);
    } else {
      this.removeLockedShares(mPos, mAct === SELL_YES, q, mAmt);
      mAcc.available += mAmt;
    }
    this.touchAccount(mAcc);
    // Taker: pays the maker's price; the rest of its escrow for these shares is released.
    if (tBuy) {
      if (this.budgetMode) {
        tAcc.locked -= tAmt;
        this.budgetLeft -= tAmt;
      } else {
        const escrow = ownPrice(tAct, st.meta[64 * t + M_YES_PRICE]!) * q;
        tAcc.locked -= escrow;
        tAcc.available += escrow - tAmt;
      }
      this.addShares(tPos, tAct === BUY_YES, q, tAmt);
    } else {
      this.removeLockedShares(tPos, tAct === SELL_YES, q, tAmt);
      tAcc.available += tAmt;
    }
    this.touchAccount(tAcc);

    if (kind === 'TRANSFER') {
      if (mBuy) this.ledger(mk.id, mAcc.ledgerId, tAcc.ledgerId, mAmt, 'TRADE', tradeId);
      else this.ledger(mk.id, tAcc.ledgerId, mAcc.ledgerId, tAmt, 'TRADE', tradeId);
    } else if (kind === 'MINT') {
      this.ledger(mk.id, mAcc.ledgerId, mk.ledgerId, mAmt, 'MINT', tradeId);
      this.ledger(mk.id, tAcc.ledgerId, mk.ledgerId, tAmt, 'MINT', tradeId);
      mk.pairs += q;
      mk.collateral += 100 * q;
    } else {
      this.ledger(mk.id, mk.ledgerId, mAcc.ledgerId, mAmt, 'MERGE', tradeId);
      this.ledger(mk.id, mk.ledgerId, tAcc.ledgerId, tAmt, 'MERGE', tradeId);
      mk.pairs -= q;
      mk.collateral -= 100 * q;
    }
    if (mBuy) this.net(mPos, tradeId);
    if (tBuy) this.net(tPos, tradeId);

    if (st.i32[16 * m + O_REMAINING] === 0) {
      mk.book.remove(st, m, mSide, p);
      if (st.i32[16 * m + O_HEAP_POS] !== NIL) this.expiries.remove(m);
      this.unlinkUser(mAcc, m);
      mPos.openOrders--;
      this.emitOrderUpdated(mk, m, 'FILL');
      this.retire(mAcc, m);
    } else {
      this.emitOrderUpdated(mk, m, 'FILL');
    }
  }

  /**
   * After a taker pass: rest the remainder (GTC/GTD limit, not stopped by STP) or end the
   * order, releasing what it still holds in escrow. Emits the taker's ORDER_UPDATED when it
   * filled since `filledBefore` or ended.
   */
  private finishTaker(mk: Market, s: number, stop: number, filledBefore: number, canRest: boolean): OrderResult {
    const st = this.store;
    const rem = st.i32[16 * s + O_REMAINING]!;
    const filled = st.i32[16 * s + O_QTY]! - rem;
    const orderId = intOf(st.f64[8 * s + F_ID]!);
    const pos = this.positions[st.i32[16 * s + O_POS]!]!;
    const action = st.meta[64 * s + M_ACTION]!;
    if (rem > 0 && stop === STOP_NONE && canRest) {
      const side = bookSideOf(action);
      const price = st.meta[64 * s + M_YES_PRICE]!;
      mk.book.append(st, s, side, price);
      this.touchLevel(mk, side, price);
      this.linkUser(pos.account, s);
      pos.openOrders++;
      if (st.meta[64 * s + M_TIF] === TIF_GTD) this.expiries.push(st.f64[8 * s + F_EXPIRES_AT]!, orderId, s);
      if (filled > filledBefore) this.emitOrderUpdated(mk, s, 'FILL');
      return { ok: true, duplicate: false, orderId, status: filled > 0 ? 'PARTIALLY_FILLED' : 'OPEN', filledQty: filled, remainingQty: rem };
    }
    if (this.budgetMode) {
      const left = this.budgetLeft;
      const acc = pos.account;
      acc.locked -= left;
      acc.available += left;
      this.touchAccount(acc);
      this.budgetMode = false;
    } else if (rem > 0) {
      this.releaseEscrow(pos, action, st.meta[64 * s + M_YES_PRICE]!, rem);
    }
    const status: OrderStatus = rem === 0 ? 'FILLED' : 'CANCELLED';
    this.emitOrderUpdated(mk, s, rem === 0 ? 'FILL' : stop === STOP_STP ? 'SELF_TRADE' : 'UNFILLED', status);
    this.retire(pos.account, s);
    return { ok: true, duplicate: false, orderId, status, filledQty: filled, remainingQty: 0 };
  }

  /** Remove a resting order for `reason`, releasing its escrow (and netting released shares). */
  private cancelResting(mk: Market, s: number, reason: OrderUpdateReason): void {
    const st = this.store;
    const action = st.meta[64 * s + M_ACTION]!;
    const side = bookSideOf(action);
    const price = st.meta[64 * s + M_YES_PRICE]!;
    const rem = st.i32[16 * s + O_REMAINING]!;
    const pos = this.positions[st.i32[16 * s + O_POS]!]!;
    mk.book.remove(st, s, side, price);
    if (st.i32[16 * s + O_HEAP_POS] !== NIL) this.expiries.remove(s);
    this.touchLevel(mk, side, price);
    this.unlinkUser(pos.account, s);
    pos.openOrders--;
    this.releaseEscrow(pos, action, price, rem);
    this.emitOrderUpdated(mk, s, reason, reason === 'EXPIRED' ? 'EXPIRED' : 'CANCELLED');
    this.retire(pos.account, s);
  }

  /**
   * Free the slot of an order that became final (off the book, out of the expiry heap). Its
   * clientOrderId, if any, starts its retention window now (client-order-ids.ts).
   */
  private retire(acc: Account, s: number): void {
    const st = this.store;
    const orderId = intOf(st.f64[8 * s + F_ID]!);
    if ((st.meta[64 * s + M_FLAGS]! & FLAG_CLIENT_ORDER_ID) !== 0) {
      this.clientOrderIds.finalised(acc, st.clientOrderId[s]!, orderId, this.nowMs);
      st.clientOrderId[s] = null;
    }
    this.slotById.delete(orderId);
    st.free(s);
  }

  /** Release the escrow of `qty` unfilled shares of an order at YES price `yesPrice`. */
  private releaseEscrow(pos: Position, action: number, yesPrice: number, qty: number): void {
    if ((action & 1) === 0) {
      const amt = ownPrice(action, yesPrice) * qty;
      const acc = pos.account;
      acc.locked -= amt;
      acc.available += amt;
      this.touchAccount(acc);
    } else {
      if (action === SELL_YES) {
        pos.yesLocked -= qty;
        pos.yesAvail += qty;
      } else {
        pos.noLocked -= qty;
        pos.noAvail += qty;
      }
      this.touchPosition(pos);
      this.net(pos, null);
    }
  }

  private addShares(pos: Position, yes: boolean, q: number, costCents: number): void {
    if (yes) {
      pos.yesAvail += q;
      pos.yesCost += costCents;
    } else {
      pos.noAvail += q;
      pos.noCost += costCents;
    }
    this.touchPosition(pos);
  }

  /** Deliver `q` locked shares for `proceeds` cents; cost basis leaves pro rata (average cost, rounded down). */
  private removeLockedShares(pos: Position, yes: boolean, q: number, proceeds: number): void {
    if (yes) {
      const out = costOut(pos.yesCost, q, pos.yesAvail + pos.yesLocked);
      pos.yesCost -= out;
      pos.yesLocked -= q;
      pos.realised += proceeds - out;
    } else {
      const out = costOut(pos.noCost, q, pos.noAvail + pos.noLocked);
      pos.noCost -= out;
      pos.noLocked -= q;
      pos.realised += proceeds - out;
    }
    this.touchPosition(pos);
  }

  /**
   * Netting (docs/DESIGN.md "Escrow"): merge min(available YES, available NO) pairs of this user
   * back to 100 cents each from the market pool (LEDGER NETTING).
   */
  private net(pos: Position, tradeId: number | null): void {
    const pairs = pos.yesAvail < pos.noAvail ? pos.yesAvail : pos.noAvail;
    if (pairs === 0) return;
    const outY = costOut(pos.yesCost, pairs, pos.yesAvail + pos.yesLocked);
    const outN = costOut(pos.noCost, pairs, pos.noAvail + pos.noLocked);
    pos.yesCost -= outY;
    pos.noCost -= outN;
    pos.yesAvail -= pairs;
    pos.noAvail -= pairs;
    const pay = 100 * pairs;
    pos.realised += pay - outY - outN;
    const mk = pos.market;
    mk.pairs -= pairs;
    mk.collateral -= pay;
    pos.account.available += pay;
    this.touchAccount(pos.account);
    this.touchPosition(pos);
    this.ledger(mk.id, mk.ledgerId, pos.account.ledgerId, pay, 'NETTING', tradeId);
  }

  // -------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Forget client order ids whose retention window has passed, expire due GTD orders, then
   * close due markets (see `execute`).
   */
  private runClock(): void {
    const now = this.nowMs;
    if (this.clientOrderIds.dueMs <= now) this.clientOrderIds.prune(this.accounts, now);
    const exp = this.expiries;
    // Every heap entry is a resting GTD order; expiring it removes it from the heap.
    while (exp.peekTime() <= now) {
      const s = exp.peekSlot();
      this.cancelResting(this.positions[this.store.i32[16 * s + O_POS]!]!.market, s, 'EXPIRED');
    }
    if (this.closes.peekTime() <= now) {
      const due: Market[] = [];
      while (this.closes.peekTime() <= now) {
        due.push(this.markets[this.closes.peekKey()]!);
        this.closes.pop();
      }
      due.sort((a, b) => (a.closesAtMs as number) - (b.closesAtMs as number) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      for (const mk of due) if (mk.status === 'OPEN' || mk.status === 'HALTED') this.closeMarket(mk);
    }
  }

  private setStatus(mk: Market, status: MarketStatus, outcome: Outcome | null): void {
    const previousStatus = mk.status;
    mk.status = status;
    mk.outcome = outcome;
    this.sink.emit({ type: 'MARKET_STATUS', tsMs: this.nowMs, seq: ++mk.seq, marketId: mk.id, status, previousStatus, outcome });
  }

  /** MARKET_STATUS(CLOSED), then cancel every resting order: bids best first, then asks, FIFO within a level. */
  private closeMarket(mk: Market): void {
    this.setStatus(mk, 'CLOSED', null);
    const book = mk.book;
    while (book.bestBid > 0) this.cancelResting(mk, book.head[Book.level(BID, book.bestBid)]!, 'MARKET_CLOSED');
    while (book.bestAsk < 100) this.cancelResting(mk, book.head[Book.level(ASK, book.bestAsk)]!, 'MARKET_CLOSED');
  }

  // -------------------------------------------------------------------------------------
  // Bookkeeping helpers

  private newAccount(userId: string): Account {
    const acc = new Account(this.accounts.length, userId);
    this.accounts.push(acc);
    this.accountByUser.set(userId, acc);
    // The newest account and market are the cached ones: a fresh engine's first order then
    // takes no cache-miss branch (see accountOf).
    this.lastAccount = acc;
    return acc;
  }

  private newMarket(id: string, closesAtMs: number | null, tick: number): Market {
    const mk = new Market(this.markets.length, id, closesAtMs, tick);
    this.markets.push(mk);
    this.marketById.set(id, mk);
    if (closesAtMs !== null) this.closes.push(closesAtMs, mk.idx);
    this.lastMarket = mk;
    return mk;
  }

  private newPosition(acc: Account, mk: Market): Position {
    const pos = new Position(this.positions.length, acc, mk);
    this.positions.push(pos);
    mk.positions.set(acc.idx, pos);
    acc.positionByMarket[mk.idx] = pos;
    return pos;
  }

  private validId(id: unknown): id is string {
    return typeof id === 'string' && id.length > 0 && id.length <= this.config.maxIdLength;
  }

  /** The account of a user id; a one-entry cache first (a bot's commands come in runs). */
  private accountOf(userId: string): Account | undefined {
    const last = this.lastAccount;
    if (userId === last.userId && last.idx >= 0) return last;
    const acc = this.accountByUser.get(userId);
    if (acc !== undefined) this.lastAccount = acc;
    return acc;
  }

  /** The market of a market id; a one-entry cache first. */
  private marketOf(marketId: string): Market | undefined {
    const last = this.lastMarket;
    if (marketId === last.id && last.idx >= 0) return last;
    const mk = this.marketById.get(marketId);
    if (mk !== undefined) this.lastMarket = mk;
    return mk;
  }

  /** Slot of a live order owned by `userId`, or NIL. */
  private ownSlot(userId: string, orderId: number): number {
    const s = this.slotById.get(orderId);
    if (s === NIL) return NIL;
    return this.positions[this.store.i32[16 * s + O_POS]!]!.account.userId === userId ? s : NIL;
  }

  private linkUser(acc: Account, s: number): void {
    const st = this.store;
    const tail = acc.ordersTail;
    st.i32[16 * s + O_UPREV] = tail;
    st.i32[16 * s + O_UNEXT] = NIL;
    // Branch-free stores to the account: a branch that runs only for a user's first order
    // would have no type feedback and deoptimise the placement path on a fresh engine.
    acc.ordersHead = tail === NIL ? s : acc.ordersHead;
    if (tail !== NIL) st.i32[16 * tail + O_UNEXT] = s;
    acc.ordersTail = s;
  }

  private unlinkUser(acc: Account, s: number): void {
    const st = this.store;
    const p = st.i32[16 * s + O_UPREV]!;
    const n = st.i32[16 * s + O_UNEXT]!;
    if (p === NIL) acc.ordersHead = n;
    else st.i32[16 * p + O_UNEXT] = n;
    if (n === NIL) acc.ordersTail = p;
    else st.i32[16 * n + O_UPREV] = p;
  }

  private touchLevel(mk: Market, side: number, price: number): void {
    const l = Book.level(side, price);
    if (mk.levelDirty[l] === 0) {
      mk.levelDirty[l] = 1;
      const n = this.dirtyLevelCount;
      if (n === this.dirtyLevels.length) {
        this.dirtyLevels = grown(this.dirtyLevels);
        this.dirtyLevelMarkets = grown(this.dirtyLevelMarkets);
      }
      this.dirtyLevelMarkets[n] = mk.idx;
      this.dirtyLevels[n] = l;
      this.dirtyLevelCount = n + 1;
    }
  }

  private touchAccount(acc: Account): void {
    if (!acc.dirty) {
      acc.dirty = true;
      if (this.dirtyAccountCount === this.dirtyAccounts.length) this.dirtyAccounts = grown(this.dirtyAccounts);
      this.dirtyAccounts[this.dirtyAccountCount++] = acc.idx;
    }
  }

  private touchPosition(pos: Position): void {
    if (!pos.dirty) {
      pos.dirty = true;
      if (this.dirtyPositionCount === this.dirtyPositions.length) this.dirtyPositions = grown(this.dirtyPositions);
      this.dirtyPositions[this.dirtyPositionCount++] = pos.idx;
    }
  }

  /** Emit pending BOOK_LEVEL, BALANCE and POSITION events (end of every command). */
  private flush(): void {
    const levels = this.dirtyLevels;
    const nLevels = this.dirtyLevelCount;
    if (nLevels > 0) {
      this.dirtyLevelCount = 0;
      for (let i = 0; i < nLevels; i++) {
        const mk = this.markets[this.dirtyLevelMarkets[i]!]!;
        const l = levels[i]!;
        mk.levelDirty[l] = 0;
        const side = l >= 101 ? ASK : BID;
        const seq = ++mk.seq;
        const sideName = side === BID ? 'BID' : 'ASK';
        const price = side === BID ? l : l - 101;
        if (this.retains) {
          this.sink.emit(newLevelEvent(this.nowMs, seq, mk.id, sideName, price, intOf(mk.book.qty[l]!), mk.book.count[l]!));
        } else {
          const ev = this.evLevel;
          ev.tsMs = this.nowMs;
          ev.seq = seq;
          ev.marketId = mk.id;
          ev.side = sideName;
          ev.yesPriceCents = price;
          ev.qty = intOf(mk.book.qty[l]!);
          ev.orderCount = mk.book.count[l]!;
          this.sink.emit(ev);
        }
      }
    }
    const accs = this.dirtyAccounts;
    const nAccs = this.dirtyAccountCount;
    if (nAccs > 0) {
      this.dirtyAccountCount = 0;
      for (let i = 0; i < nAccs; i++) {
        const acc = this.accounts[accs[i]!]!;
        acc.dirty = false;
        if (this.retains) {
          this.sink.emit(newBalanceEvent(this.nowMs, acc.userId, acc.available, acc.locked));
        } else {
          const ev = this.evBalance;
          ev.tsMs = this.nowMs;
          ev.userId = acc.userId;
          ev.availableCents = acc.available;
          ev.lockedCents = acc.locked;
          this.sink.emit(ev);
        }
      }
    }
    const poss = this.dirtyPositions;
    const nPoss = this.dirtyPositionCount;
    if (nPoss > 0) {
      this.dirtyPositionCount = 0;
      for (let i = 0; i < nPoss; i++) {
        const pos = this.positions[poss[i]!]!;
        pos.dirty = false;
        if (this.retains) {
          this.sink.emit(newPositionEvent(
            this.nowMs, pos.market.seq, pos.account.userId, pos.market.id, pos.yesAvail + pos.yesLocked, pos.yesLocked,
            pos.noAvail + pos.noLocked, pos.noLocked, pos.yesCost, pos.noCost, pos.realised,
          ));
        } else {
          const ev = this.evPosition;
          ev.tsMs = this.nowMs;
          ev.seq = pos.market.seq;
          ev.userId = pos.account.userId;
          ev.marketId = pos.market.id;
          ev.yesShares = pos.yesAvail + pos.yesLocked;
          ev.yesLockedShares = pos.yesLocked;
          ev.noShares = pos.noAvail + pos.noLocked;
          ev.noLockedShares = pos.noLocked;
          ev.yesCostCents = pos.yesCost;
          ev.noCostCents = pos.noCost;
          ev.realisedPnlCents = pos.realised;
          this.sink.emit(ev);
        }
      }
    }
  }

  private ledger(marketId: string | null, debit: string, credit: string, amountCents: number, reason: LedgerReason, tradeId: number | null): void {
    if (this.retains) {
      this.sink.emit(newLedgerEvent(this.nowMs, marketId, debit, credit, amountCents, reason, tradeId));
      return;
    }
    const ev = this.evLedger;
    ev.tsMs = this.nowMs;
    ev.marketId = marketId;
    ev.debit = debit;
    ev.credit = credit;
    ev.amountCents = amountCents;
    ev.reason = reason;
    ev.tradeId = tradeId;
    this.sink.emit(ev);
  }

  /**
   * ORDER_UPDATED for slot `s`. With a final `status` CANCELLED or EXPIRED, the event shows
   * remainingQty 0 and filledQty = qty - the unfilled remainder still in the slot.
   */
  private emitOrderUpdated(mk: Market, s: number, reason: OrderUpdateReason, status?: OrderStatus): void {
    const st = this.store;
    const unfilled = st.i32[16 * s + O_REMAINING]!;
    const ended = status === 'CANCELLED' || status === 'EXPIRED';
    const rem = ended ? 0 : unfilled;
    const qty = st.i32[16 * s + O_QTY]!;
    const action = st.meta[64 * s + M_ACTION]!;
    const yes = st.meta[64 * s + M_YES_PRICE]!;
    const orderId = intOf(st.f64[8 * s + F_ID]!);
    const userId = this.positions[st.i32[16 * s + O_POS]!]!.account.userId;
    const newStatus = status ?? (rem === 0 ? 'FILLED' : rem < qty ? 'PARTIALLY_FILLED' : 'OPEN');
    const priceCents = yes === 0 ? null : ownPrice(action, yes);
    if (this.retains) {
      this.sink.emit(newUpdatedEvent(this.nowMs, mk.seq, orderId, userId, mk.id, newStatus, reason, priceCents, qty, rem, qty - unfilled, intOf(st.f64[8 * s + F_QUEUE_SEQ]!)));
      return;
    }
    const ev = this.evUpdated;
    ev.tsMs = this.nowMs;
    ev.seq = mk.seq;
    ev.orderId = orderId;
    ev.userId = userId;
    ev.marketId = mk.id;
    ev.status = newStatus;
    ev.reason = reason;
    ev.priceCents = priceCents;
    ev.qty = qty;
    ev.remainingQty = rem;
    ev.filledQty = qty - unfilled;
    ev.queueSeq = intOf(st.f64[8 * s + F_QUEUE_SEQ]!);
    this.sink.emit(ev);
  }

  private reject(cmd: Command, code: number, message: string, orderId: number | null = null): Rejection {
    const c = cmd as { userId?: unknown; marketId?: unknown; clientOrderId?: unknown };
    this.sink.emit({
      type: 'COMMAND_REJECTED',
      tsMs: this.nowMs,
      userId: typeof c.userId === 'string' ? c.userId : null,
      marketId: typeof c.marketId === 'string' ? c.marketId : null,
      orderId,
      clientOrderId: typeof c.clientOrderId === 'string' ? c.clientOrderId : null,
      command: cmd.type,
      code,
      codeName: rejectCodeName(code),
      message,
    });
    return { ok: false, code, codeName: rejectCodeName(code), message };
  }

  private rejectStatus(cmd: Command, mk: Market, orderId: number | null = null): Rejection {
    return mk.status === 'HALTED'
      ? this.reject(cmd, RejectCode.MARKET_HALTED, `market ${mk.id} is halted`, orderId)
      : this.reject(cmd, RejectCode.MARKET_NOT_OPEN, `market ${mk.id} is ${mk.status}`, orderId);
  }

  // -------------------------------------------------------------------------------------
  // Off the hot path: queries (queries.ts), snapshot / restore / hash (snapshot.ts),
  // invariants (invariants.ts). The modules see the engine as EngineInternals (state.ts).

  /** This engine as its off-hot-path modules see it. */
  private get internals(): EngineInternals {
    return this as unknown as EngineInternals;
  }

  /** A live (resting) order, or undefined. */
  getOrder(orderId: number): OrderView | undefined {
    return getOrder(this.internals, orderId);
  }

  /** A user's resting orders in ascending queueSeq, optionally in one market. */
  getUserOrders(userId: string, marketId?: string): OrderView[] {
    return getUserOrders(this.internals, userId, marketId);
  }

  getAccount(userId: string): AccountView | undefined {
    return getAccount(this.internals, userId);
  }

  getPosition(userId: string, marketId: string): PositionView | undefined {
    return getPosition(this.internals, userId, marketId);
  }

  /** Every position of a user, by market id (so the order survives snapshot and restore). */
  getPositions(userId: string): PositionView[] {
    return getPositions(this.internals, userId);
  }

  getMarket(marketId: string): MarketView | undefined {
    return getMarket(this.internals, marketId);
  }

  /** Market ids, sorted (so the order survives snapshot and restore). */
  marketIds(): string[] {
    return this.markets.map((m) => m.id).sort();
  }

  /**
   * Top `depth` levels of the ladder in `outcome`'s prices, best first, with the market's
   * sequence number. YES: the book as is. NO: NO bid at q = YES ask at 100 - q, NO ask at
   * q = YES bid at 100 - q (docs/DESIGN.md) - both views come from the one book.
   */
  getLadder(marketId: string, outcome: Outcome = 'YES', depth = 10): Ladder | undefined {
    return getLadder(this.internals, marketId, outcome, depth);
  }

  /** Number of live orders. */
  get openOrderCount(): number {
    return this.store.live;
  }

  /**
   * Sizes of the engine's memory-holding structures, for metrics and tests: resting orders,
   * entries of the GTD expiry heap (always the resting GTD orders), client order ids kept
   * (of open orders, and of final orders inside their retention window).
   */
  stats(): EngineStats {
    let clientOrderIds = 0;
    for (const a of this.accounts) clientOrderIds += a.clientOrderIds?.size ?? 0;
    return {
      openOrders: this.store.live,
      expiryHeapEntries: this.expiries.size,
      clientOrderIds,
      finalClientOrderIds: this.clientOrderIds.finalCount,
    };
  }

  /** The whole state as plain data, canonically ordered (snapshot.ts). */
  snapshot(): EngineSnapshot {
    return snapshot(this.internals);
  }

  /**
   * Rebuild an engine from a snapshot (from `snapshot()` or from the database); see
   * snapshot.ts `restoreInto`. Throws on a structurally broken snapshot; check
   * `checkInvariants()` afterwards for accounting consistency.
   * `initialOrderCapacity`: order slots allocated up front (at least the snapshot's orders).
   */
  static restore(snap: EngineSnapshot, config: Partial<EngineConfig> = {}, sink: EventSink = NULL_SINK, initialOrderCapacity = 1024): MatchingEngine {
    const e = new MatchingEngine(config, sink, Math.max(initialOrderCapacity, snap.orders.length));
    restoreInto(e.internals, snap);
    return e;
  }

  /**
   * A 64-bit FNV-1a hash (16 hex digits) of the canonical snapshot without the clock and the
   * retained client order ids (snapshot.ts): equal states give equal hashes, whether reached
   * live, by restore + replay, or by a rebuild from a database.
   */
  stateHash(): string {
    return stateHash(this.internals);
  }

  /** Check docs/DESIGN.md's invariants 1-5 over the whole state (invariants.ts); returns the violations (empty = consistent). */
  checkInvariants(): string[] {
    return checkInvariants(this.internals);
  }

  /** Conservation totals, for reconciliation reports. */
  totals(): { grantedCents: number; houseCents: number; accountsCents: number; poolsCents: number } {
    return totals(this.internals);
  }
}

export type { BookSide };
