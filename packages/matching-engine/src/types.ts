/**
 * Public types of the matching engine: commands in, events and results out.
 *
 * Units (docs/DESIGN.md, "Units"): prices are integer cents 1..99 of a 100-cent payout,
 * quantities integer shares, money integer cents. Times are integer epoch milliseconds
 * supplied by the caller on every command (`tsMs`): the engine never reads a clock.
 *
 * The book is kept in YES terms (docs/DESIGN.md, "One book per market"):
 * BUY YES at p = YES bid at p; SELL YES at p = YES ask at p;
 * BUY NO at q = YES ask at 100 - q; SELL NO at q = YES bid at 100 - q.
 */
import type { RejectCodeName } from './codes.ts';

export type Side = 'BUY' | 'SELL';
export type Outcome = 'YES' | 'NO';
export type OrderType = 'LIMIT' | 'MARKET';
/** GTC rests until cancelled; GTD until `expiresAtMs`; IOC cancels any unfilled part at once; FOK fills completely at once or is rejected. */
export type TimeInForce = 'GTC' | 'GTD' | 'IOC' | 'FOK';
/** Self-trade prevention: what happens when a taker meets a resting order of its own user. The taker's mode decides. */
export type StpMode = 'CANCEL_TAKER' | 'CANCEL_MAKER' | 'CANCEL_BOTH';
/** Kinds of cross (Polymarket ctf-exchange `_deriveMatchType`): shares change hands, a YES+NO pair is created, or one is destroyed. */
export type TradeKind = 'TRANSFER' | 'MINT' | 'MERGE';
/** Side of the YES book. */
export type BookSide = 'BID' | 'ASK';
export type MarketStatus = 'DRAFT' | 'OPEN' | 'HALTED' | 'CLOSED' | 'RESOLVED' | 'CANCELLED';
/** Status of an order. OPEN and PARTIALLY_FILLED rest on the book; the others are final. */
export type OrderStatus = 'OPEN' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'EXPIRED';
/** Why an order changed. */
export type OrderUpdateReason =
  | 'FILL' // a trade reduced it
  | 'AMEND' // its owner changed price or quantity
  | 'USER_CANCEL' // its owner cancelled it (one order or cancel-all)
  | 'SELF_TRADE' // self-trade prevention cancelled it
  | 'UNFILLED' // IOC or market order: the part not filled at once
  | 'MARKET_CLOSED' // the market closed (or was resolved / voided) while it rested
  | 'EXPIRED'; // GTD expiry reached

/** Engine limits, all configurable. Defaults: `DEFAULT_ENGINE_CONFIG`. */
export interface EngineConfig {
  /** Largest quantity (shares) of one order. */
  maxOrderQty: number;
  /** Largest number of resting orders one user may have in one market. */
  maxOpenOrdersPerUserPerMarket: number;
  /** Longest client order id, in UTF-16 code units. */
  maxClientOrderIdLength: number;
  /** Longest user or market id. */
  maxIdLength: number;
  /** Largest single grant, in cents. */
  maxGrantCents: number;
  /** Largest balance (available + locked) of one account, in cents; keeps every sum a safe integer. */
  maxAccountCents: number;
  /**
   * How long, in milliseconds of engine time, a clientOrderId is remembered after its order
   * became final (filled, cancelled, expired, or ended at once). While the order is open, and
   * for this long after, a PLACE repeating the id is a duplicate; after that the id is
   * forgotten (memory and snapshots) and may name a new order. Default 24 h.
   */
  clientOrderIdRetentionMs: number;
}

export const DEFAULT_ENGINE_CONFIG: Readonly<EngineConfig> = Object.freeze({
  maxOrderQty: 1_000_000,
  maxOpenOrdersPerUserPerMarket: 1_000,
  maxClientOrderIdLength: 64,
  maxIdLength: 64,
  maxGrantCents: 1_000_000_000_000, // 10^10 points
  maxAccountCents: 1_000_000_000_000_000, // 10^13 points, far below 2^53
  clientOrderIdRetentionMs: 86_400_000, // 24 h
});

// ---------------------------------------------------------------------------------------
// Commands. Every command carries `tsMs`, the shell's clock at acceptance; the engine's
// time is max(previous time, tsMs), so GTD expiry and market close are deterministic.

interface CommandBase {
  /** Epoch milliseconds stamped by the shell. */
  tsMs: number;
}

/** Place an order. */
export interface PlaceOrderCommand extends CommandBase {
  type: 'PLACE';
  userId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  orderType: OrderType;
  /** Limit price in cents of the order's own outcome (1..99, on the market's tick). Required for LIMIT, absent for MARKET. */
  priceCents?: number | null;
  /** Shares. For a market buy, the most shares to buy. */
  qty: number;
  /** Default GTC for limit orders; market orders are IOC or FOK (default IOC). */
  timeInForce?: TimeInForce;
  /** Required for GTD: epoch ms at which the order expires (it rests while the clock is before it). */
  expiresAtMs?: number | null;
  /** Reject instead of taking liquidity. Limit GTC/GTD only. */
  postOnly?: boolean;
  /** Market BUY only: most cents to spend; the escrow is this amount (default qty x 99). */
  maxCostCents?: number | null;
  /**
   * Unique per user while remembered: a repeat returns the original order and creates
   * nothing. Remembered while the order is open and for `EngineConfig.clientOrderIdRetentionMs`
   * after it became final.
   */
  clientOrderId?: string | null;
  /** Default CANCEL_TAKER. */
  stp?: StpMode;
}

/** Cancel one resting order of the user. */
export interface CancelOrderCommand extends CommandBase {
  type: 'CANCEL';
  userId: string;
  orderId: number;
}

/** Cancel every resting order of the user, in one market or in all. */
export interface CancelAllCommand extends CommandBase {
  type: 'CANCEL_ALL';
  userId: string;
  marketId?: string | null;
}

/**
 * Amend a resting order. `qty` is the new REMAINING quantity. Reducing the quantity at the
 * same price keeps the order's queue place; a price change or an increase loses it (the
 * order re-enters as a taker at the new terms, then rests with a new priority).
 */
export interface AmendOrderCommand extends CommandBase {
  type: 'AMEND';
  userId: string;
  orderId: number;
  /** New limit price in the order's own outcome cents. */
  priceCents?: number | null;
  /** New remaining quantity in shares. */
  qty?: number | null;
}

/** Open an account with zero balance if it does not exist (idempotent). */
export interface OpenAccountCommand extends CommandBase {
  type: 'OPEN_ACCOUNT';
  userId: string;
}

/** Grant points (cents) to a user from the treasury; opens the account if needed. */
export interface GrantCommand extends CommandBase {
  type: 'GRANT';
  userId: string;
  amountCents: number;
}

/** Create a market in DRAFT. */
export interface CreateMarketCommand extends CommandBase {
  type: 'CREATE_MARKET';
  marketId: string;
  /** Trading stops automatically at this epoch ms (OPEN/HALTED -> CLOSED). */
  closesAtMs?: number | null;
  /** Tick size in cents; must divide 100. Default 1. */
  tickCents?: number;
}

/**
 * Change a market's status (docs/DESIGN.md lifecycle):
 * DRAFT->OPEN, OPEN<->HALTED, OPEN|HALTED->CLOSED, OPEN|HALTED|CLOSED->RESOLVED (closing first),
 * DRAFT|OPEN|HALTED|CLOSED->CANCELLED (closing first).
 */
export interface SetMarketStatusCommand extends CommandBase {
  type: 'SET_MARKET_STATUS';
  marketId: string;
  status: MarketStatus;
  /** Required for RESOLVED. */
  outcome?: Outcome | null;
}

/** Move the engine clock: expire due GTD orders, close due markets. */
export interface AdvanceTimeCommand extends CommandBase {
  type: 'ADVANCE_TIME';
}

export type Command =
  | PlaceOrderCommand
  | CancelOrderCommand
  | CancelAllCommand
  | AmendOrderCommand
  | OpenAccountCommand
  | GrantCommand
  | CreateMarketCommand
  | SetMarketStatusCommand
  | AdvanceTimeCommand;

// ---------------------------------------------------------------------------------------
// Results.

/** An expected failure: a stable numeric code (see codes.ts), its name and a message. */
export interface Rejection {
  ok: false;
  code: number;
  codeName: RejectCodeName;
  message: string;
}

/** Outcome of PLACE and AMEND: the order's state after the command. */
export interface OrderResult {
  ok: true;
  duplicate: false;
  orderId: number;
  status: OrderStatus;
  filledQty: number;
  remainingQty: number;
}

/**
 * Outcome of a PLACE whose clientOrderId this user used before (within the retention
 * window, `EngineConfig.clientOrderIdRetentionMs`): nothing was created and
 * no event emitted. `orderId` is the original order; `order` its live state, or null when it
 * no longer rests (the shell answers from its store of final orders).
 */
export interface DuplicateOrderResult {
  ok: true;
  duplicate: true;
  orderId: number;
  order: OrderView | null;
}

/** Outcome of CANCEL_ALL. */
export interface CancelAllResult {
  ok: true;
  cancelledOrderIds: number[];
}

/** Outcome of the other commands. */
export interface OkResult {
  ok: true;
}

export type CommandResult = OrderResult | DuplicateOrderResult | CancelAllResult | OkResult | Rejection;

// ---------------------------------------------------------------------------------------
// Events. Public market events (TRADE, BOOK_LEVEL, MARKET_CREATED, MARKET_STATUS,
// MARKET_SETTLED) each take the next sequence number of their market, so the public feed of
// a market is contiguous; every other market-scoped event carries the market's current
// sequence number without advancing it. Every event's `tsMs` is the engine clock when it
// happened: max(previous clock, the command's tsMs), so timestamps never go backwards. Events of one command are emitted in this
// order: command rejected (alone) or order accepted; per fill: TRADE, LEDGER rows, maker ORDER_UPDATED;
// the taker's final ORDER_UPDATED; BOOK_LEVEL per level changed (first touched first);
// BALANCE per account changed, POSITION per position changed (first touched first).

/** A full description of an order, as accepted or as restored. */
export interface OrderView {
  orderId: number;
  userId: string;
  marketId: string;
  side: Side;
  outcome: Outcome;
  orderType: OrderType;
  /** Limit price in the order's own outcome cents; null for a market order. */
  priceCents: number | null;
  /** The same limit on the YES book (100 - price for NO orders); null for a market order. */
  yesPriceCents: number | null;
  /** BID or ASK of the YES book. */
  bookSide: BookSide;
  /** Total quantity: filled + remaining. */
  qty: number;
  remainingQty: number;
  filledQty: number;
  timeInForce: TimeInForce;
  expiresAtMs: number | null;
  postOnly: boolean;
  stp: StpMode;
  clientOrderId: string | null;
  /** Time priority: smaller rests earlier at the same price. */
  queueSeq: number;
  status: OrderStatus;
}

export interface OrderAcceptedEvent {
  type: 'ORDER_ACCEPTED';
  tsMs: number;
  seq: number;
  order: OrderView;
  /** Cents (buys) or shares (sells) moved from available to locked. */
  escrowCents: number;
  escrowShares: number;
  maxCostCents: number | null;
}

/** Any rejected command (place, cancel, amend, grant, market commands). */
export interface CommandRejectedEvent {
  type: 'COMMAND_REJECTED';
  tsMs: number;
  userId: string | null;
  marketId: string | null;
  /** The order concerned, for cancel and amend rejections. */
  orderId: number | null;
  clientOrderId: string | null;
  command: Command['type'];
  code: number;
  codeName: RejectCodeName;
  message: string;
}

export interface OrderUpdatedEvent {
  type: 'ORDER_UPDATED';
  tsMs: number;
  seq: number;
  orderId: number;
  userId: string;
  marketId: string;
  status: OrderStatus;
  reason: OrderUpdateReason;
  /** Limit price in own-outcome cents after the update (changes on amend). */
  priceCents: number | null;
  qty: number;
  remainingQty: number;
  filledQty: number;
  queueSeq: number;
}

export interface TradeEvent {
  type: 'TRADE';
  tsMs: number;
  seq: number;
  tradeId: number;
  marketId: string;
  kind: TradeKind;
  /** Execution price on the YES book: the maker's price. */
  yesPriceCents: number;
  qty: number;
  makerOrderId: number;
  takerOrderId: number;
  makerUserId: string;
  takerUserId: string;
  makerSide: Side;
  makerOutcome: Outcome;
  takerSide: Side;
  takerOutcome: Outcome;
  /** BID when the taker bought YES or sold NO (lifted the YES ask), else ASK. */
  takerBookSide: BookSide;
}

export interface BookLevelEvent {
  type: 'BOOK_LEVEL';
  tsMs: number;
  seq: number;
  marketId: string;
  side: BookSide;
  yesPriceCents: number;
  /** New total resting quantity at this level (0 = level gone). */
  qty: number;
  orderCount: number;
}

/** A ledger account: `U:<userId>` a user, `M:<marketId>` a market's collateral pool, `HOUSE`, `TREASURY` (source of grants). */
export type LedgerAccount = string;
export type LedgerReason =
  | 'GRANT' // treasury -> user
  | 'TRADE' // buyer -> seller (TRANSFER)
  | 'MINT' // buyer -> market pool
  | 'MERGE' // market pool -> seller
  | 'NETTING' // market pool -> user (automatic merge of a user's own YES+NO)
  | 'SETTLEMENT' // market pool -> winner
  | 'VOID_REFUND' // market pool -> holder
  | 'VOID_REMAINDER'; // market pool -> house (rounding and surplus of a void)

/** One double-entry ledger row: `amountCents` leaves `debit` and enters `credit`. */
export interface LedgerEvent {
  type: 'LEDGER';
  tsMs: number;
  marketId: string | null;
  debit: LedgerAccount;
  credit: LedgerAccount;
  amountCents: number;
  reason: LedgerReason;
  tradeId: number | null;
}

export interface BalanceEvent {
  type: 'BALANCE';
  tsMs: number;
  userId: string;
  availableCents: number;
  lockedCents: number;
}

export interface PositionEvent {
  type: 'POSITION';
  tsMs: number;
  seq: number;
  userId: string;
  marketId: string;
  yesShares: number;
  yesLockedShares: number;
  noShares: number;
  noLockedShares: number;
  /** Cost basis (cents paid) of the YES / NO shares held. */
  yesCostCents: number;
  noCostCents: number;
  realisedPnlCents: number;
}

export interface MarketCreatedEvent {
  type: 'MARKET_CREATED';
  tsMs: number;
  seq: number;
  marketId: string;
  closesAtMs: number | null;
  tickCents: number;
}

export interface MarketStatusEvent {
  type: 'MARKET_STATUS';
  tsMs: number;
  seq: number;
  marketId: string;
  status: MarketStatus;
  previousStatus: MarketStatus;
  outcome: Outcome | null;
}

/** A holder's settlement: RESOLUTION pays 100 cents per winning share; VOID_REFUND follows the void rule (engine.ts, `voidMarket`). */
export interface PayoutEvent {
  type: 'PAYOUT';
  tsMs: number;
  seq: number;
  marketId: string;
  userId: string;
  kind: 'RESOLUTION' | 'VOID_REFUND';
  yesShares: number;
  noShares: number;
  costBasisCents: number;
  amountCents: number;
}

/** Totals of a settlement, after its payouts. */
export interface MarketSettledEvent {
  type: 'MARKET_SETTLED';
  tsMs: number;
  seq: number;
  marketId: string;
  kind: 'RESOLUTION' | 'VOID_REFUND';
  outcome: Outcome | null;
  /** Collateral held by the market pool when settlement began, after the closing step released and netted locked shares (100 x pairs outstanding). */
  collateralCents: number;
  paidCents: number;
  houseCents: number;
  holders: number;
}

export type EngineEvent =
  | OrderAcceptedEvent
  | CommandRejectedEvent
  | OrderUpdatedEvent
  | TradeEvent
  | BookLevelEvent
  | LedgerEvent
  | BalanceEvent
  | PositionEvent
  | MarketCreatedEvent
  | MarketStatusEvent
  | PayoutEvent
  | MarketSettledEvent;

/**
 * Receives every event, synchronously, in order. By default the engine REUSES the objects of
 * its frequent events (no allocation per event, so no GC work on the hot path, as in LMAX
 * Disruptor's preallocated entries): an event, and any object inside it, is valid only until
 * `emit` returns, and a sink that keeps events copies them with `cloneEvent`. A sink that
 * declares `retainsEvents: true` (EventCollector does) instead gets a new object for every
 * event, which it may keep as is: cheaper than a copy. A sink must not call back into the
 * engine.
 */
export interface EventSink {
  emit(event: EngineEvent): void;
  /** True: every event passed to `emit` is a new object the sink may keep (read when the sink is set). */
  readonly retainsEvents?: boolean;
}

/** A copy of an event that stays valid after `emit` returns. */
export function cloneEvent<E extends EngineEvent>(event: E): E {
  return event.type === 'ORDER_ACCEPTED' ? ({ ...event, order: { ...event.order } } as E) : { ...event };
}

// ---------------------------------------------------------------------------------------
// Queries.

export interface LadderLevel {
  priceCents: number;
  qty: number;
  orderCount: number;
}

/** Top levels of one outcome's ladder, best first. For NO: NO bid at q = YES ask at 100 - q. */
export interface Ladder {
  marketId: string;
  outcome: Outcome;
  seq: number;
  bids: LadderLevel[];
  asks: LadderLevel[];
}

export interface AccountView {
  userId: string;
  availableCents: number;
  lockedCents: number;
}

export interface PositionView {
  userId: string;
  marketId: string;
  yesShares: number;
  yesLockedShares: number;
  noShares: number;
  noLockedShares: number;
  yesCostCents: number;
  noCostCents: number;
  realisedPnlCents: number;
  openOrders: number;
}

export interface MarketView {
  marketId: string;
  status: MarketStatus;
  outcome: Outcome | null;
  seq: number;
  closesAtMs: number | null;
  tickCents: number;
  /** YES+NO pairs outstanding = YES shares outstanding = NO shares outstanding. */
  pairsOutstanding: number;
  /** Cents in the market's collateral pool (100 x pairs outstanding until settlement). */
  collateralCents: number;
  lastYesPriceCents: number | null;
  volumeShares: number;
  bestBidCents: number | null;
  bestAskCents: number | null;
}

// ---------------------------------------------------------------------------------------
// Snapshot.

/** The whole engine state as plain data; `restore` of it gives the same `stateHash`. */
export interface EngineSnapshot {
  version: 1;
  nowMs: number;
  nextOrderId: number;
  nextTradeId: number;
  nextQueueSeq: number;
  houseCents: number;
  grantedCents: number;
  accounts: AccountView[];
  markets: {
    marketId: string;
    status: MarketStatus;
    outcome: Outcome | null;
    seq: number;
    closesAtMs: number | null;
    tickCents: number;
    pairsOutstanding: number;
    collateralCents: number;
    lastYesPriceCents: number | null;
    volumeShares: number;
  }[];
  positions: Omit<PositionView, 'openOrders'>[];
  /** Resting orders, in ascending queueSeq. */
  orders: OrderView[];
  /**
   * Client order ids remembered: those of resting orders, and those of orders that became
   * final at `finalAtMs` less than `clientOrderIdRetentionMs` before `nowMs`. On restore, an
   * entry whose order does not rest and that has no `finalAtMs` counts as final at `nowMs`.
   */
  clientOrderIds: { userId: string; clientOrderId: string; orderId: number; finalAtMs?: number | null }[];
}

/** Sizes of the engine's memory-holding structures (`MatchingEngine.stats()`). */
export interface EngineStats {
  /** Resting orders. */
  openOrders: number;
  /** Entries of the GTD expiry heap: exactly the resting GTD orders. */
  expiryHeapEntries: number;
  /** Client order ids remembered (of open orders and of final ones inside their retention window). */
  clientOrderIds: number;
  /** Of those, the ids of final orders waiting for their retention window to pass. */
  finalClientOrderIds: number;
}
