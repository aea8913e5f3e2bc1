/**
 * The engine's internal state records (accounts, markets, positions) and the small pure
 * helpers shared by the engine's modules. Nothing here is exported from the package.
 *
 * `EngineInternals` names the parts of `MatchingEngine` that the off-hot-path modules
 * (queries.ts, snapshot.ts, invariants.ts, settlement.ts) read and write. The engine keeps
 * those members private in its public type and hands itself to these modules as
 * `EngineInternals`, so the package's API shows none of them.
 */
import { Book, BID, ASK } from './book.ts';
import type { ClientOrderIds } from './client-order-ids.ts';
import type { ExpiryHeap } from './expiry-heap.ts';
import type { IdIndex } from './id-index.ts';
import {
  NIL,
  BUY_YES,
  SELL_NO,
  TIF_GTC,
  TIF_GTD,
  TIF_IOC,
  TIF_FOK,
  STP_CANCEL_TAKER,
  STP_CANCEL_MAKER,
  STP_CANCEL_BOTH,
  type OrderStore,
} from './order-store.ts';
import type { TimeHeap } from './time-heap.ts';
import type { EngineConfig, EventSink, LedgerReason, MarketStatus, Outcome, PositionView, StpMode, TimeInForce } from './types.ts';

export class Account {
  available = 0;
  locked = 0;
  dirty = false;
  /** The user's resting orders in ascending queueSeq (list through OrderStore.uPrev/uNext). */
  ordersHead = NIL;
  ordersTail = NIL;
  /**
   * clientOrderId -> order id, for every order accepted with one that is still open or
   * became final less than `EngineConfig.clientOrderIdRetentionMs` ago (client-order-ids.ts).
   */
  clientOrderIds: Map<string, number> | null = null;
  /** This user's position per market index (holes where none). */
  readonly positionByMarket: (Position | undefined)[] = [];
  readonly ledgerId: string;
  constructor(
    readonly idx: number,
    readonly userId: string,
  ) {
    this.ledgerId = `U:${userId}`;
  }
}

export class Market {
  status: MarketStatus = 'DRAFT';
  outcome: Outcome | null = null;
  seq = 0;
  pairs = 0;
  collateral = 0;
  /** Last trade price on the YES book; 0 = none yet. */
  lastPrice = 0;
  volume = 0;
  readonly book = new Book();
  readonly positions = new Map<number, Position>();
  /** Per level index: 1 when a BOOK_LEVEL event is pending for this command. */
  readonly levelDirty = new Uint8Array(202);
  readonly ledgerId: string;
  constructor(
    readonly idx: number,
    readonly id: string,
    readonly closesAtMs: number | null,
    readonly tick: number,
  ) {
    this.ledgerId = `M:${id}`;
  }
}

export class Position {
  yesAvail = 0;
  yesLocked = 0;
  noAvail = 0;
  noLocked = 0;
  yesCost = 0;
  noCost = 0;
  realised = 0;
  openOrders = 0;
  dirty = false;
  constructor(
    readonly idx: number,
    readonly account: Account,
    readonly market: Market,
  ) {}
}

/** The members of MatchingEngine that its off-hot-path modules use (see the file comment). */
export interface EngineInternals {
  readonly config: Readonly<EngineConfig>;
  sink: EventSink;
  readonly store: OrderStore;
  readonly slotById: IdIndex;
  readonly accounts: Account[];
  readonly accountByUser: Map<string, Account>;
  readonly markets: Market[];
  readonly marketById: Map<string, Market>;
  readonly positions: Position[];
  readonly expiries: ExpiryHeap;
  readonly closes: TimeHeap;
  readonly clientOrderIds: ClientOrderIds;
  nowMs: number;
  nextOrderId: number;
  nextTradeId: number;
  nextQueueSeq: number;
  houseCents: number;
  grantedCents: number;
  newAccount(userId: string): Account;
  newMarket(id: string, closesAtMs: number | null, tick: number): Market;
  newPosition(acc: Account, mk: Market): Position;
  linkUser(acc: Account, s: number): void;
  setStatus(mk: Market, status: MarketStatus, outcome: Outcome | null): void;
  touchAccount(acc: Account): void;
  touchPosition(pos: Position): void;
  ledger(marketId: string | null, debit: string, credit: string, amountCents: number, reason: LedgerReason, tradeId: number | null): void;
}

export const TIF_NAMES: readonly TimeInForce[] = ['GTC', 'GTD', 'IOC', 'FOK'];
export const STP_NAMES: readonly StpMode[] = ['CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH'];

/** Time-in-force code of a name, -1 for anything else (a switch: no lookup on Object.prototype for 'constructor' and the like). */
export function tifCode(name: unknown): number {
  switch (name) {
    case 'GTC':
      return TIF_GTC;
    case 'GTD':
      return TIF_GTD;
    case 'IOC':
      return TIF_IOC;
    case 'FOK':
      return TIF_FOK;
    default:
      return -1;
  }
}

/** STP mode code of a name, -1 for anything else. */
export function stpCode(name: unknown): number {
  switch (name) {
    case 'CANCEL_TAKER':
      return STP_CANCEL_TAKER;
    case 'CANCEL_MAKER':
      return STP_CANCEL_MAKER;
    case 'CANCEL_BOTH':
      return STP_CANCEL_BOTH;
    default:
      return -1;
  }
}

export const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x);

/** floor(a * b / c) exactly, for non-negative safe integers (c > 0). */
export function mulDivFloor(a: number, b: number, c: number): number {
  const prod = a * b;
  if (prod <= Number.MAX_SAFE_INTEGER) {
    let q = Math.floor(prod / c);
    if (q * c > prod) q--;
    else if ((q + 1) * c <= prod) q++;
    return q;
  }
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** Cost basis leaving with `q` of `held` shares: all of it for the last share, else floor(cost x q / held). */
export function costOut(cost: number, q: number, held: number): number {
  return q >= held ? cost : mulDivFloor(cost, q, held);
}

/** YES-book side (BID or ASK) of an order action. */
export const bookSideOf = (action: number): number => (action === BUY_YES || action === SELL_NO ? BID : ASK);
/** Price in the order's own outcome, from a YES-book price. */
export const ownPrice = (action: number, yesPrice: number): number => (action < 2 ? yesPrice : 100 - yesPrice);

/** A copy of `a` with twice the length. */
export function grown(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

export function positionView(pos: Position): PositionView {
  return {
    userId: pos.account.userId,
    marketId: pos.market.id,
    yesShares: pos.yesAvail + pos.yesLocked,
    yesLockedShares: pos.yesLocked,
    noShares: pos.noAvail + pos.noLocked,
    noLockedShares: pos.noLocked,
    yesCostCents: pos.yesCost,
    noCostCents: pos.noCost,
    realisedPnlCents: pos.realised,
    openOrders: pos.openOrders,
  };
}
