/**
 * Table-style behaviour scenarios (in the manner of exchange-core's book scenarios): each test
 * sets up a book with a few orders, sends commands, and compares the book, the trades, the
 * ledger rows, the balances and the positions with small readable tables.
 *
 * Conventions: users A, B, C, D start with 10_000 cents (100 points) each; market `m` is OPEN
 * with tick 1; time starts at START ms. The book tables are the YES ladder (bid qty | YES price
 * | ask qty), best prices in the middle, highest price on top. `BUY NO q @ x` rests as a YES ask
 * at 100 - x, `SELL NO q @ x` as a YES bid at 100 - x (docs/DESIGN.md, "One book per market").
 * After every command the harness also asserts `checkInvariants()` is empty.
 */
import { describe, expect, it } from 'vitest';
import {
  EventCollector,
  MARKET_TRANSITIONS,
  MatchingEngine,
  RejectCode,
  type Command,
  type CommandResult,
  type EngineConfig,
  type EngineEvent,
  type MarketStatus,
  type OrderResult,
  type PlaceOrderCommand,
  type RejectCodeName,
  type StpMode,
} from '../src/index.ts';

// ---------------------------------------------------------------------------------------
// A tiny harness and DSL.

const START = 1_000;
const GRANT = 10_000;

type WithoutTs<C> = C extends unknown ? Omit<C, 'tsMs'> & { tsMs?: number } : never;
/** A command whose tsMs defaults to the harness clock. */
type Cmd = WithoutTs<Command>;
type EventOf<T extends EngineEvent['type']> = Extract<EngineEvent, { type: T }>;

interface MarketSpec {
  id: string;
  closesAtMs?: number;
  tickCents?: number;
  /** Default true: the market is opened after creation. */
  open?: boolean;
}

interface PlaceOpts {
  market?: string;
  tsMs?: number;
  expiresAtMs?: number;
  postOnly?: boolean;
  maxCostCents?: number;
  clientOrderId?: string;
  stp?: StpMode;
}

const SPEC = /^(BUY|SELL) (YES|NO) (\d+) (?:@ (\d+)|MKT)(?: (GTC|GTD|IOC|FOK))?$/;

/** `'BUY YES 10 @ 40'`, `'SELL NO 5 @ 30 IOC'`, `'BUY YES 8 MKT'`, `'SELL YES 3 MKT FOK'`. */
function parseOrder(user: string, spec: string, opts: PlaceOpts): Omit<PlaceOrderCommand, 'tsMs'> {
  const m = SPEC.exec(spec);
  if (m === null) throw new Error(`bad order spec: ${spec}`);
  const [, side, outcome, qty, price, tif] = m;
  const cmd: Omit<PlaceOrderCommand, 'tsMs'> = {
    type: 'PLACE',
    userId: user,
    marketId: opts.market ?? 'm',
    side: side as 'BUY' | 'SELL',
    outcome: outcome as 'YES' | 'NO',
    orderType: price === undefined ? 'MARKET' : 'LIMIT',
    qty: Number(qty),
  };
  if (price !== undefined) cmd.priceCents = Number(price);
  if (tif !== undefined) cmd.timeInForce = tif as 'GTC' | 'GTD' | 'IOC' | 'FOK';
  if (opts.expiresAtMs !== undefined) cmd.expiresAtMs = opts.expiresAtMs;
  if (opts.postOnly !== undefined) cmd.postOnly = opts.postOnly;
  if (opts.maxCostCents !== undefined) cmd.maxCostCents = opts.maxCostCents;
  if (opts.clientOrderId !== undefined) cmd.clientOrderId = opts.clientOrderId;
  if (opts.stp !== undefined) cmd.stp = opts.stp;
  return cmd;
}

class Exchange {
  readonly sink = new EventCollector();
  readonly engine: MatchingEngine;
  nowMs = START;
  /** Events of the last command. */
  events: EngineEvent[] = [];

  constructor(opts: { users?: Record<string, number>; markets?: (string | MarketSpec)[]; config?: Partial<EngineConfig> } = {}) {
    this.engine = new MatchingEngine(opts.config ?? {}, this.sink);
    const users = opts.users ?? { A: GRANT, B: GRANT, C: GRANT, D: GRANT };
    for (const [userId, amountCents] of Object.entries(users)) this.ok({ type: 'GRANT', userId, amountCents });
    for (const spec of opts.markets ?? ['m']) {
      const m: MarketSpec = typeof spec === 'string' ? { id: spec } : spec;
      const create: Cmd = { type: 'CREATE_MARKET', marketId: m.id };
      if (m.closesAtMs !== undefined) create.closesAtMs = m.closesAtMs;
      if (m.tickCents !== undefined) create.tickCents = m.tickCents;
      this.ok(create);
      if (m.open !== false) this.ok({ type: 'SET_MARKET_STATUS', marketId: m.id, status: 'OPEN' });
    }
  }

  run(cmd: Cmd): CommandResult {
    const tsMs = cmd.tsMs ?? this.nowMs;
    if (tsMs > this.nowMs) this.nowMs = tsMs;
    const result = this.engine.execute({ ...cmd, tsMs } as Command);
    this.events = this.sink.take();
    expect(this.engine.checkInvariants()).toEqual([]);
    return result;
  }

  ok(cmd: Cmd): Exclude<CommandResult, { ok: false }> {
    const r = this.run(cmd);
    if (!r.ok) throw new Error(`expected ${cmd.type} to succeed, got ${r.codeName}: ${r.message}`);
    return r;
  }

  place(user: string, spec: string, opts: PlaceOpts = {}): CommandResult {
    const cmd = parseOrder(user, spec, opts);
    return this.run(opts.tsMs === undefined ? cmd : { ...cmd, tsMs: opts.tsMs });
  }

  /** Place an order that must be accepted (not a duplicate); returns its result. */
  order(user: string, spec: string, opts: PlaceOpts = {}): OrderResult {
    const r = this.place(user, spec, opts);
    if (!r.ok) throw new Error(`expected ${user} ${spec} to be accepted, got ${r.codeName}: ${r.message}`);
    if (!('duplicate' in r) || r.duplicate) throw new Error('expected a new order');
    return r;
  }

  cancel(user: string, orderId: number): CommandResult {
    return this.run({ type: 'CANCEL', userId: user, orderId });
  }

  amend(user: string, orderId: number, change: { priceCents?: number; qty?: number }): CommandResult {
    return this.run({ type: 'AMEND', userId: user, orderId, ...change });
  }

  status(marketId: string, status: MarketStatus, outcome?: 'YES' | 'NO'): CommandResult {
    return this.run(outcome === undefined ? { type: 'SET_MARKET_STATUS', marketId, status } : { type: 'SET_MARKET_STATUS', marketId, status, outcome });
  }

  advance(tsMs: number): CommandResult {
    return this.run({ type: 'ADVANCE_TIME', tsMs });
  }

  /** A YES+NO pair mint: `yesUser` rests BUY YES qty @ p, `noUser` takes with BUY NO qty @ 100 - p. */
  mint(yesUser: string, noUser: string, qty: number, yesPrice: number, market = 'm'): void {
    this.order(yesUser, `BUY YES ${qty} @ ${yesPrice}`, { market });
    const r = this.order(noUser, `BUY NO ${qty} @ ${100 - yesPrice}`, { market });
    expect(r.status).toBe('FILLED');
  }

  types(): string[] {
    return this.events.map((e) => e.type);
  }

  ofType<T extends EngineEvent['type']>(type: T): EventOf<T>[] {
    return this.events.filter((e): e is EventOf<T> => e.type === type);
  }

  /** Sum of every account + every pool + house: must equal the points granted. */
  totalPoints(): number {
    const t = this.engine.totals();
    return t.accountsCents + t.poolsCents + t.houseCents;
  }
}

/** Parse a `a | b | c` table: first non-empty line is the header; cells are trimmed strings. */
function parseTable(text: string): { header: string[]; rows: Record<string, string>[] } {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const split = (l: string): string[] => l.split('|').map((c) => c.trim());
  const header = split(lines[0] ?? '');
  const rows = lines.slice(1).map((l) => {
    const cells = split(l);
    if (cells.length !== header.length) throw new Error(`table row has ${cells.length} cells, header ${header.length}: ${l}`);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
  return { header, rows };
}

/** The ladder of `outcome` as `[bid, price, ask]` rows, highest price first; empty cells for no quantity. */
function bookRows(h: Exchange, market: string, outcome: 'YES' | 'NO'): string[][] {
  const ladder = h.engine.getLadder(market, outcome, 99);
  if (ladder === undefined) throw new Error(`no market ${market}`);
  const rows = new Map<number, [string, string]>();
  for (const l of ladder.bids) rows.set(l.priceCents, [String(l.qty), rows.get(l.priceCents)?.[1] ?? '']);
  for (const l of ladder.asks) rows.set(l.priceCents, [rows.get(l.priceCents)?.[0] ?? '', String(l.qty)]);
  return [...rows.entries()].sort((a, b) => b[0] - a[0]).map(([p, [bid, ask]]) => [bid, String(p), ask]);
}

function expectBook(h: Exchange, text: string, market = 'm', outcome: 'YES' | 'NO' = 'YES'): void {
  const expected = parseTable(text).rows.map((r) => [r.bid ?? '', r.price ?? '', r.ask ?? '']);
  expect(bookRows(h, market, outcome)).toEqual(expected);
}

function expectEmptyBook(h: Exchange, market = 'm'): void {
  expect(bookRows(h, market, 'YES')).toEqual([]);
  expect(bookRows(h, market, 'NO')).toEqual([]);
}

/** `kind | maker | taker | price | qty` (price = YES price), compared with the last command's TRADE events. */
function expectTrades(h: Exchange, text: string): void {
  const actual = h.ofType('TRADE').map((t) => ({ kind: t.kind, maker: t.makerUserId, taker: t.takerUserId, price: String(t.yesPriceCents), qty: String(t.qty) }));
  expect(actual).toEqual(parseTable(text).rows);
}

/** `reason | debit | credit | amount`, compared with the last command's LEDGER events. */
function expectLedger(h: Exchange, text: string): void {
  const actual = h.ofType('LEDGER').map((l) => ({ reason: l.reason, debit: l.debit, credit: l.credit, amount: String(l.amountCents) }));
  expect(actual).toEqual(parseTable(text).rows);
}

/** `user | available | locked`. */
function expectAccounts(h: Exchange, text: string): void {
  const { rows } = parseTable(text);
  const actual = rows.map((r) => {
    const a = h.engine.getAccount(r.user ?? '');
    return { user: r.user, available: String(a?.availableCents), locked: String(a?.lockedCents) };
  });
  expect(actual).toEqual(rows);
}

const POSITION_COLUMNS = {
  yes: 'yesShares',
  yesLocked: 'yesLockedShares',
  no: 'noShares',
  noLocked: 'noLockedShares',
  yesCost: 'yesCostCents',
  noCost: 'noCostCents',
  pnl: 'realisedPnlCents',
  orders: 'openOrders',
} as const;

/** `user | yes | yesLocked | no | noLocked | yesCost | noCost | pnl | orders` (any subset after user). A missing position reads as zeros. */
function expectPositions(h: Exchange, text: string, market = 'm'): void {
  const { header, rows } = parseTable(text);
  const actual = rows.map((r) => {
    const p = h.engine.getPosition(r.user ?? '', market);
    const out: Record<string, string> = { user: r.user ?? '' };
    for (const col of header.slice(1)) {
      const field = POSITION_COLUMNS[col as keyof typeof POSITION_COLUMNS];
      if (field === undefined) throw new Error(`unknown position column ${col}`);
      out[col] = String(p === undefined ? 0 : p[field]);
    }
    return out;
  });
  expect(actual).toEqual(rows);
}

function expectRejected(r: CommandResult, name: RejectCodeName): void {
  expect(r).toMatchObject({ ok: false, code: RejectCode[name], codeName: name });
}

// ---------------------------------------------------------------------------------------

describe('limit GTC', () => {
  it('rests, escrows price x qty, then fills at its own price against a later taker (MINT)', () => {
    const h = new Exchange();
    const a = h.order('A', 'BUY YES 10 @ 40');
    expect(a).toMatchObject({ status: 'OPEN', filledQty: 0, remainingQty: 10 });
    expect(h.types()).toEqual(['ORDER_ACCEPTED', 'BOOK_LEVEL', 'BALANCE']);
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({
      escrowCents: 400,
      escrowShares: 0,
      order: { orderId: a.orderId, userId: 'A', side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 40, yesPriceCents: 40, bookSide: 'BID', timeInForce: 'GTC', status: 'OPEN' },
    });
    expect(h.ofType('BOOK_LEVEL')[0]).toMatchObject({ side: 'BID', yesPriceCents: 40, qty: 10, orderCount: 1 });
    expectBook(h, `
      bid | price | ask
      10  | 40    |
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9600      | 400
    `);

    const b = h.order('B', 'BUY NO 4 @ 60'); // a YES ask at 40: crosses the bid
    expect(b).toMatchObject({ status: 'FILLED', filledQty: 4, remainingQty: 0 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | A     | B     | 40    | 4
    `);
    expectBook(h, `
      bid | price | ask
      6   | 40    |
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9600      | 240
      B    | 9760      | 0
    `);
    expectPositions(h, `
      user | yes | no | yesCost | noCost | orders
      A    | 4   | 0  | 160     | 0      | 1
      B    | 0   | 4  | 0       | 240    | 0
    `);
    expect(h.engine.getOrder(a.orderId)).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 4, remainingQty: 6 });
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 4, collateralCents: 400, lastYesPriceCents: 40, volumeShares: 4 });
  });
});

describe('GTD', () => {
  it('rests until its expiry, then expires on ADVANCE_TIME and releases its escrow', () => {
    const h = new Exchange();
    const o = h.order('A', 'BUY YES 10 @ 40 GTD', { expiresAtMs: START + 100 });
    expect(h.ofType('ORDER_ACCEPTED')[0]?.order).toMatchObject({ timeInForce: 'GTD', expiresAtMs: START + 100 });
    h.advance(START + 99);
    expect(h.events).toEqual([]);
    expect(h.engine.getOrder(o.orderId)).toBeDefined();

    h.advance(START + 100);
    expect(h.types()).toEqual(['ORDER_UPDATED', 'BOOK_LEVEL', 'BALANCE']);
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ orderId: o.orderId, status: 'EXPIRED', reason: 'EXPIRED', remainingQty: 0, filledQty: 0 });
    expect(h.engine.getOrder(o.orderId)).toBeUndefined();
    expectEmptyBook(h);
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
    `);
  });

  it('expires through a later command tsMs, before that command runs (no trade with the expired order)', () => {
    const h = new Exchange();
    const o = h.order('A', 'BUY YES 10 @ 40 GTD', { expiresAtMs: START + 100 });
    const b = h.order('B', 'BUY NO 10 @ 60', { tsMs: START + 100 }); // would have crossed the bid at 40
    expect(b).toMatchObject({ status: 'OPEN', filledQty: 0 });
    expect(h.types()).toEqual(['ORDER_UPDATED', 'ORDER_ACCEPTED', 'BOOK_LEVEL', 'BOOK_LEVEL', 'BALANCE', 'BALANCE']);
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ orderId: o.orderId, status: 'EXPIRED', reason: 'EXPIRED' });
    expect(h.ofType('TRADE')).toEqual([]);
    expectBook(h, `
      bid | price | ask
          | 40    | 10
    `);
  });

  it('a partly filled GTD order expires with its filled quantity reported', () => {
    const h = new Exchange();
    const o = h.order('A', 'BUY YES 10 @ 40 GTD', { expiresAtMs: START + 50 });
    h.order('B', 'BUY NO 3 @ 60');
    h.advance(START + 60);
    expect(h.ofType('ORDER_UPDATED')).toEqual([expect.objectContaining({ orderId: o.orderId, status: 'EXPIRED', qty: 10, filledQty: 3, remainingQty: 0 })]);
    expectAccounts(h, `
      user | available | locked
      A    | 9880      | 0
    `);
  });
});

describe('IOC', () => {
  it('takes what it can at once and cancels the rest (UNFILLED)', () => {
    const h = new Exchange();
    h.order('B', 'BUY NO 5 @ 45'); // YES ask 5 @ 55
    const r = h.order('A', 'BUY YES 10 @ 60 IOC');
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 5, remainingQty: 0 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
    `);
    expect(h.ofType('ORDER_UPDATED').at(-1)).toMatchObject({ orderId: r.orderId, status: 'CANCELLED', reason: 'UNFILLED', filledQty: 5, remainingQty: 0 });
    expectEmptyBook(h);
    expectAccounts(h, `
      user | available | locked
      A    | 9725      | 0
      B    | 9775      | 0
    `);
  });

  it('with nothing to take is accepted and cancelled; it never rests', () => {
    const h = new Exchange();
    const r = h.order('A', 'BUY YES 1 @ 1 IOC');
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 0 });
    expect(h.types()).toEqual(['ORDER_ACCEPTED', 'ORDER_UPDATED', 'BALANCE']);
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ reason: 'UNFILLED', status: 'CANCELLED' });
    expectEmptyBook(h);
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
    `);
  });
});

describe('FOK', () => {
  const book = (): Exchange => {
    const h = new Exchange();
    h.order('B', 'BUY NO 5 @ 45'); // ask 55
    h.order('C', 'BUY NO 5 @ 44'); // ask 56
    return h;
  };

  it('fills completely across levels when the book holds enough', () => {
    const h = book();
    const r = h.order('A', 'BUY YES 10 @ 56 FOK');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 10, remainingQty: 0 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
      MINT | C     | A     | 56    | 5
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9445      | 0
    `);
    expectEmptyBook(h);
  });

  it.each([
    ['more than the book holds', 'BUY YES 11 @ 56 FOK'],
    ['more than the book holds within the limit price', 'BUY YES 10 @ 55 FOK'],
  ])('is rejected whole when it cannot fill completely: %s', (_what, spec) => {
    const h = book();
    const hash = h.engine.stateHash();
    expectRejected(h.place('A', spec), 'FOK_NOT_FILLABLE');
    expect(h.types()).toEqual(['COMMAND_REJECTED']);
    expect(h.engine.stateHash()).toBe(hash);
    expectBook(h, `
      bid | price | ask
          | 56    | 5
          | 55    | 5
    `);
  });
});

describe('market orders', () => {
  const book = (): Exchange => {
    const h = new Exchange();
    h.order('B', 'BUY NO 5 @ 45'); // ask 55
    h.order('C', 'BUY NO 5 @ 40'); // ask 60
    return h;
  };

  it('a market buy without maxCost escrows 99 per share and walks the book at the resting prices', () => {
    const h = book();
    const r = h.order('A', 'BUY YES 8 MKT');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 8 });
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({
      escrowCents: 792,
      maxCostCents: null,
      order: { orderType: 'MARKET', priceCents: null, yesPriceCents: null, timeInForce: 'IOC' },
    });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
      MINT | C     | A     | 60    | 3
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9545      | 0
    `);
    expectBook(h, `
      bid | price | ask
          | 60    | 2
    `);
  });

  it('a market buy larger than the book fills what there is and cancels the rest', () => {
    const h = book();
    const r = h.order('A', 'BUY YES 20 MKT');
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 10, remainingQty: 0 });
    expect(h.ofType('ORDER_UPDATED').at(-1)).toMatchObject({ orderId: r.orderId, reason: 'UNFILLED' });
    expectAccounts(h, `
      user | available | locked
      A    | 9425      | 0
    `);
    expectEmptyBook(h);
  });

  it('a market buy with maxCost escrows maxCost and stops when the rest cannot buy one more share', () => {
    const h = book();
    const r = h.order('A', 'BUY YES 10 MKT', { maxCostCents: 500 });
    // 5 @ 55 = 275, then floor(225 / 60) = 3 @ 60 = 180; 45 cents left buy nothing
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 8 });
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({ escrowCents: 500, maxCostCents: 500 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
      MINT | C     | A     | 60    | 3
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9545      | 0
    `);
    expectBook(h, `
      bid | price | ask
          | 60    | 2
    `);
  });

  it('a FOK market buy whose maxCost cannot pay for the whole quantity is rejected', () => {
    const h = book();
    expectRejected(h.place('A', 'BUY YES 8 MKT FOK', { maxCostCents: 454 }), 'FOK_NOT_FILLABLE');
    const r = h.order('A', 'BUY YES 8 MKT FOK', { maxCostCents: 455 });
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 8 });
  });

  it('a market buy of NO pays 100 - the YES bid', () => {
    const h = new Exchange();
    h.order('B', 'BUY YES 5 @ 30'); // NO ask at 70
    const r = h.order('A', 'BUY NO 5 MKT');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 5 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 30    | 5
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9650      | 0
    `);
    expectPositions(h, `
      user | no | noCost
      A    | 5  | 350
    `);
  });

  it('a market sell of YES walks the bids (TRANSFER) and realises P&L against average cost', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 50); // A: YES 10, cost 500
    h.order('C', 'BUY YES 4 @ 52');
    h.order('D', 'BUY YES 10 @ 51');
    const r = h.order('A', 'SELL YES 6 MKT');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 6 });
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({ escrowCents: 0, escrowShares: 6 });
    expectTrades(h, `
      kind     | maker | taker | price | qty
      TRANSFER | C     | A     | 52    | 4
      TRANSFER | D     | A     | 51    | 2
    `);
    expectLedger(h, `
      reason | debit | credit | amount
      TRADE  | U:C   | U:A    | 208
      TRADE  | U:D   | U:A    | 102
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9810      | 0
      C    | 9792      | 0
      D    | 9490      | 408
    `);
    // cost out: floor(500 x 4 / 10) = 200, then floor(300 x 2 / 6) = 100; pnl (208 - 200) + (102 - 100)
    expectPositions(h, `
      user | yes | yesLocked | yesCost | pnl
      A    | 4   | 0         | 200     | 10
      C    | 4   | 0         | 208     | 0
      D    | 2   | 0         | 102     | 0
    `);
    expectBook(h, `
      bid | price | ask
      8   | 51    |
    `);
  });

  it('a market sell of NO lifts the YES asks (TRANSFER of NO at 100 - the YES price)', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 50); // B: NO 10, cost 500
    h.order('D', 'BUY NO 10 @ 48'); // YES ask 52
    const r = h.order('B', 'SELL NO 4 MKT');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 4 });
    expect(h.ofType('TRADE')[0]).toMatchObject({ kind: 'TRANSFER', yesPriceCents: 52, qty: 4, makerUserId: 'D', takerUserId: 'B', takerSide: 'SELL', takerOutcome: 'NO', takerBookSide: 'BID' });
    expectLedger(h, `
      reason | debit | credit | amount
      TRADE  | U:D   | U:B    | 192
    `);
    expectAccounts(h, `
      user | available | locked
      B    | 9692      | 0
      D    | 9520      | 288
    `);
    expectPositions(h, `
      user | no | noCost | pnl
      B    | 6  | 300    | -8
      D    | 4  | 192    | 0
    `);
  });

  it('a market sell of more shares than held is rejected (no naked shorts)', () => {
    const h = new Exchange();
    h.mint('A', 'B', 3, 50);
    expectRejected(h.place('A', 'SELL YES 4 MKT'), 'INSUFFICIENT_SHARES');
    expectRejected(h.place('C', 'SELL NO 1 MKT'), 'INSUFFICIENT_SHARES');
  });
});

describe('post-only', () => {
  const book = (): Exchange => {
    const h = new Exchange();
    h.order('B', 'BUY NO 10 @ 45'); // ask 55
    return h;
  };

  it('rests when it does not cross', () => {
    const h = book();
    const r = h.order('A', 'BUY YES 10 @ 54', { postOnly: true });
    expect(r.status).toBe('OPEN');
    expect(h.engine.getOrder(r.orderId)).toMatchObject({ postOnly: true });
    expectBook(h, `
      bid | price | ask
          | 55    | 10
      10  | 54    |
    `);
  });

  it.each([
    ['BUY YES 10 @ 55', 'buy at the best ask'],
    ['SELL NO 1 @ 45', 'NO sell whose YES bid meets the ask'],
  ])('is rejected with nothing changed when it would take: %s (%s)', (spec) => {
    const h = book();
    h.mint('A', 'C', 1, 10); // gives C one NO share for the NO sell (mints at YES 10, below the ask)
    const hash = h.engine.stateHash();
    const user = spec.includes('NO') ? 'C' : 'A';
    expectRejected(h.place(user, spec, { postOnly: true }), 'POST_ONLY_WOULD_TAKE');
    expect(h.types()).toEqual(['COMMAND_REJECTED']);
    expect(h.engine.stateHash()).toBe(hash);
  });
});

describe('self-trade prevention (the taker decides)', () => {
  /** A's own BUY NO 5 @ 45 (YES ask 55) and B's, in the given order. */
  const book = (first: 'A' | 'B'): Exchange => {
    const h = new Exchange();
    const second = first === 'A' ? 'B' : 'A';
    h.order(first, 'BUY NO 5 @ 45', { stp: 'CANCEL_MAKER' }); // the maker's own mode does not matter
    h.order(second, 'BUY NO 5 @ 45');
    return h;
  };

  it('CANCEL_TAKER (default): the taker stops at its own order and is cancelled; the maker stays', () => {
    const h = book('B');
    const r = h.order('A', 'BUY YES 10 @ 60');
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 5, remainingQty: 0 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
    `);
    expect(h.ofType('ORDER_UPDATED').at(-1)).toMatchObject({ orderId: r.orderId, status: 'CANCELLED', reason: 'SELF_TRADE' });
    expectBook(h, `
      bid | price | ask
          | 55    | 5
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9500      | 225
    `);
  });

  it('CANCEL_MAKER: the own resting order is cancelled and the taker goes on to the next maker', () => {
    const h = book('A');
    const own = h.engine.getUserOrders('A')[0]!;
    const r = h.order('A', 'BUY YES 10 @ 60', { stp: 'CANCEL_MAKER' });
    expect(r).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: 5, remainingQty: 5 });
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ orderId: own.orderId, status: 'CANCELLED', reason: 'SELF_TRADE' });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
    `);
    expectBook(h, `
      bid | price | ask
      5   | 60    |
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9425      | 300
    `);
  });

  it('CANCEL_BOTH: the own resting order and the taker are both cancelled; other makers untouched', () => {
    const h = book('A');
    const own = h.engine.getUserOrders('A')[0]!;
    const r = h.order('A', 'BUY YES 10 @ 60', { stp: 'CANCEL_BOTH' });
    expect(r).toMatchObject({ status: 'CANCELLED', filledQty: 0 });
    expect(h.ofType('ORDER_UPDATED').map((u) => [u.orderId, u.reason])).toEqual([
      [own.orderId, 'SELF_TRADE'],
      [r.orderId, 'SELF_TRADE'],
    ]);
    expect(h.ofType('TRADE')).toEqual([]);
    expectBook(h, `
      bid | price | ask
          | 55    | 5
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
    `);
  });

  it('FOK honours STP: CANCEL_TAKER meeting its own order is not fillable; CANCEL_MAKER skips it', () => {
    const h = book('A');
    h.order('C', 'BUY NO 5 @ 45');
    expectRejected(h.place('A', 'BUY YES 10 @ 55 FOK'), 'FOK_NOT_FILLABLE');
    expectRejected(h.place('A', 'BUY YES 10 @ 55 FOK', { stp: 'CANCEL_BOTH' }), 'FOK_NOT_FILLABLE');
    const r = h.order('A', 'BUY YES 10 @ 55 FOK', { stp: 'CANCEL_MAKER' });
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 10 });
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 5
      MINT | C     | A     | 55    | 5
    `);
    expectEmptyBook(h);
  });
});

describe('kinds of cross: MINT, TRANSFER, MERGE', () => {
  it("docs/DESIGN.md's worked example: BUY YES 100 @ 60 meets a resting BUY NO 100 @ 45 -> MINT at 55, 500 of escrow back", () => {
    const h = new Exchange();
    h.order('B', 'BUY NO 100 @ 45');
    expectAccounts(h, `
      user | available | locked
      B    | 5500      | 4500
    `);
    const seq = h.engine.getMarket('m')!.seq;
    const r = h.order('A', 'BUY YES 100 @ 60');
    expect(r).toMatchObject({ status: 'FILLED', filledQty: 100 });
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({ escrowCents: 6000 });
    // event order: accepted; per fill TRADE, LEDGER rows, maker update; taker update; levels; balances; positions
    expect(h.events.map((e) => [e.type, 'userId' in e ? e.userId : '', 'seq' in e ? e.seq - seq : ''])).toEqual([
      ['ORDER_ACCEPTED', '', 0],
      ['TRADE', '', 1],
      ['LEDGER', '', ''],
      ['LEDGER', '', ''],
      ['ORDER_UPDATED', 'B', 1],
      ['ORDER_UPDATED', 'A', 1],
      ['BOOK_LEVEL', '', 2],
      ['BALANCE', 'A', ''],
      ['BALANCE', 'B', ''],
      ['POSITION', 'B', 2],
      ['POSITION', 'A', 2],
    ]);
    expect(h.engine.getMarket('m')!.seq).toBe(seq + 2);
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 100
    `);
    expectLedger(h, `
      reason | debit | credit | amount
      MINT   | U:B   | M:m    | 4500
      MINT   | U:A   | M:m    | 5500
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 4500      | 0
      B    | 5500      | 0
    `);
    expectPositions(h, `
      user | yes | no  | yesCost | noCost
      A    | 100 | 0   | 5500    | 0
      B    | 0   | 100 | 0       | 4500
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 100, collateralCents: 10000 });
  });

  it('TRANSFER of YES: SELL YES vs BUY YES, the buyer pays the resting price, pairs unchanged', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    h.order('A', 'SELL YES 10 @ 60');
    expect(h.ofType('ORDER_ACCEPTED')[0]).toMatchObject({ escrowShares: 10, order: { bookSide: 'ASK', yesPriceCents: 60 } });
    expectPositions(h, `
      user | yes | yesLocked
      A    | 10  | 10
    `);
    h.order('C', 'BUY YES 10 @ 65');
    expectTrades(h, `
      kind     | maker | taker | price | qty
      TRANSFER | A     | C     | 60    | 10
    `);
    expectLedger(h, `
      reason | debit | credit | amount
      TRADE  | U:C   | U:A    | 600
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
      C    | 9400      | 0
    `);
    expectPositions(h, `
      user | yes | yesLocked | yesCost | pnl
      A    | 0   | 0         | 0       | 0
      C    | 10  | 0         | 600     | 0
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 10, collateralCents: 1000 });
  });

  it('TRANSFER of NO: SELL NO (a YES bid) vs BUY NO (a YES ask)', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60); // B: NO 10 at 40
    h.order('B', 'SELL NO 10 @ 45'); // YES bid 55
    expectBook(h, `
      bid | price | ask
      10  | 55    |
    `);
    h.order('D', 'BUY NO 10 @ 50'); // YES ask 50: trades at the maker's YES 55 = NO 45
    expect(h.ofType('TRADE')[0]).toMatchObject({ kind: 'TRANSFER', yesPriceCents: 55, qty: 10, makerSide: 'SELL', makerOutcome: 'NO', takerSide: 'BUY', takerOutcome: 'NO', takerBookSide: 'ASK' });
    expectLedger(h, `
      reason | debit | credit | amount
      TRADE  | U:D   | U:B    | 450
    `);
    expectAccounts(h, `
      user | available | locked
      B    | 10050     | 0
      D    | 9550      | 0
    `);
    expectPositions(h, `
      user | no | noCost | pnl
      B    | 0  | 0      | 50
      D    | 10 | 450    | 0
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 10, collateralCents: 1000 });
  });

  it('MERGE: resting SELL YES vs taking SELL NO destroys pairs and pays 100 per pair from the pool', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    h.order('A', 'SELL YES 10 @ 40'); // YES ask 40
    h.order('B', 'SELL NO 10 @ 55'); // YES bid 45 >= 40: merge at the maker's 40, B gets 60 (asked 55)
    expectTrades(h, `
      kind  | maker | taker | price | qty
      MERGE | A     | B     | 40    | 10
    `);
    expectLedger(h, `
      reason | debit | credit | amount
      MERGE  | M:m   | U:A    | 400
      MERGE  | M:m   | U:B    | 600
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9800      | 0
      B    | 10200     | 0
    `);
    expectPositions(h, `
      user | yes | no | pnl
      A    | 0   | 0  | -200
      B    | 0   | 0  | 200
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 0, collateralCents: 0 });
  });

  it('MERGE: resting SELL NO vs taking SELL YES', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    h.order('B', 'SELL NO 10 @ 30'); // YES bid 70
    h.order('A', 'SELL YES 10 @ 65'); // YES ask 65 <= 70: merge at 70
    expectTrades(h, `
      kind  | maker | taker | price | qty
      MERGE | B     | A     | 70    | 10
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 10100     | 0
      B    | 9900      | 0
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 0, collateralCents: 0 });
  });

  it('does not cross when BUY YES + BUY NO < 100 or SELL YES + SELL NO > 100', () => {
    const buys = new Exchange();
    buys.order('C', 'BUY YES 5 @ 50');
    buys.order('D', 'BUY NO 5 @ 49'); // 50 + 49 < 100: YES ask 51 above the bid
    expect(buys.ofType('TRADE')).toEqual([]);
    expectBook(buys, `
      bid | price | ask
          | 51    | 5
      5   | 50    |
    `);
    const sells = new Exchange();
    sells.mint('A', 'B', 10, 60);
    sells.order('A', 'SELL YES 5 @ 52');
    sells.order('B', 'SELL NO 5 @ 49'); // 52 + 49 > 100: YES bid 51 below the ask
    expect(sells.ofType('TRADE')).toEqual([]);
    expectBook(sells, `
      bid | price | ask
          | 52    | 5
      5   | 51    |
    `);
  });
});

describe('price-time priority', () => {
  it('better price first, then FIFO inside a level', () => {
    const h = new Exchange();
    const b = h.order('B', 'BUY NO 5 @ 45'); // ask 55, first
    const c = h.order('C', 'BUY NO 5 @ 45'); // ask 55, second
    const d = h.order('D', 'BUY NO 5 @ 46'); // ask 54, last but better
    h.order('A', 'BUY YES 12 @ 55');
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | D     | A     | 54    | 5
      MINT | B     | A     | 55    | 5
      MINT | C     | A     | 55    | 2
    `);
    expect(h.ofType('TRADE').map((t) => t.makerOrderId)).toEqual([d.orderId, b.orderId, c.orderId]);
    expectBook(h, `
      bid | price | ask
          | 55    | 3
    `);
    // price improvement: A escrowed 55 per share and paid 54 for five of them
    expectAccounts(h, `
      user | available | locked
      A    | 9345      | 0
    `);
  });
});

describe('amend', () => {
  it('reducing the quantity keeps the queue place (proved by the next fill) and releases escrow', () => {
    const h = new Exchange();
    const b = h.order('B', 'BUY NO 10 @ 45');
    h.order('C', 'BUY NO 10 @ 45');
    const seq = h.engine.getOrder(b.orderId)!.queueSeq;
    const r = h.amend('B', b.orderId, { qty: 4 });
    expect(r).toMatchObject({ ok: true, orderId: b.orderId, status: 'OPEN', remainingQty: 4 });
    expect(h.types()).toEqual(['ORDER_UPDATED', 'BOOK_LEVEL', 'BALANCE']);
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ reason: 'AMEND', remainingQty: 4, qty: 4, queueSeq: seq });
    expect(h.ofType('BOOK_LEVEL')[0]).toMatchObject({ side: 'ASK', yesPriceCents: 55, qty: 14, orderCount: 2 });
    expectAccounts(h, `
      user | available | locked
      B    | 9820      | 180
    `);
    h.order('A', 'BUY YES 5 @ 55');
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 4
      MINT | C     | A     | 55    | 1
    `);
  });

  it('a price change loses the queue place', () => {
    const h = new Exchange();
    const b = h.order('B', 'BUY NO 10 @ 44'); // ask 56, earlier
    h.order('C', 'BUY NO 10 @ 45'); // ask 55, later
    const seq = h.engine.getOrder(b.orderId)!.queueSeq;
    const r = h.amend('B', b.orderId, { priceCents: 45 }); // now ask 55 too, behind C
    expect(r).toMatchObject({ ok: true, status: 'OPEN', remainingQty: 10 });
    expect(h.engine.getOrder(b.orderId)!.queueSeq).toBeGreaterThan(seq);
    expectAccounts(h, `
      user | available | locked
      B    | 9550      | 450
    `);
    h.order('A', 'BUY YES 12 @ 55');
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | C     | A     | 55    | 10
      MINT | B     | A     | 55    | 2
    `);
  });

  it('a quantity increase loses the queue place and needs the extra escrow', () => {
    const h = new Exchange({ users: { A: GRANT, B: 500, C: GRANT } });
    const b = h.order('B', 'BUY NO 10 @ 45'); // 450 locked, 50 available
    h.order('C', 'BUY NO 10 @ 45');
    const hash = h.engine.stateHash();
    expectRejected(h.amend('B', b.orderId, { qty: 12 }), 'INSUFFICIENT_BALANCE'); // needs 90 more
    expect(h.ofType('COMMAND_REJECTED')[0]).toMatchObject({ command: 'AMEND', orderId: b.orderId });
    expect(h.engine.stateHash()).toBe(hash);
    h.ok({ type: 'AMEND', userId: 'B', orderId: b.orderId, qty: 11 }); // needs 45 more
    expectAccounts(h, `
      user | available | locked
      B    | 5         | 495
    `);
    h.order('A', 'BUY YES 12 @ 55');
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | C     | A     | 55    | 10
      MINT | B     | A     | 55    | 2
    `);
  });

  it('a sell amend that increases the quantity needs the shares', () => {
    const h = new Exchange();
    h.mint('A', 'B', 5, 50);
    const s = h.order('A', 'SELL YES 4 @ 70');
    expectRejected(h.amend('A', s.orderId, { qty: 6 }), 'INSUFFICIENT_SHARES');
    h.ok({ type: 'AMEND', userId: 'A', orderId: s.orderId, qty: 5 });
    expectPositions(h, `
      user | yes | yesLocked
      A    | 5   | 5
    `);
  });

  it('a post-only amend that would cross is rejected and the order stays as it was', () => {
    const h = new Exchange();
    h.order('B', 'BUY NO 10 @ 45'); // ask 55
    const a = h.order('A', 'BUY YES 10 @ 50', { postOnly: true });
    const before = h.engine.getOrder(a.orderId);
    expectRejected(h.amend('A', a.orderId, { priceCents: 55 }), 'POST_ONLY_WOULD_TAKE');
    expect(h.engine.getOrder(a.orderId)).toEqual(before);
    h.ok({ type: 'AMEND', userId: 'A', orderId: a.orderId, priceCents: 54 });
    expect(h.engine.getOrder(a.orderId)).toMatchObject({ priceCents: 54, postOnly: true });
  });

  it('an amend to a crossing price trades as a taker at the resting price', () => {
    const h = new Exchange();
    h.order('B', 'BUY NO 10 @ 45'); // ask 55
    const a = h.order('A', 'BUY YES 10 @ 50');
    const r = h.amend('A', a.orderId, { priceCents: 60 });
    expect(r).toMatchObject({ ok: true, status: 'FILLED', filledQty: 10, remainingQty: 0 });
    expect(h.ofType('ORDER_UPDATED').map((u) => [u.orderId, u.reason, u.status])).toEqual([
      [a.orderId, 'AMEND', 'OPEN'],
      [expect.any(Number), 'FILL', 'FILLED'],
      [a.orderId, 'FILL', 'FILLED'],
    ]);
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | B     | A     | 55    | 10
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9450      | 0
    `);
  });
});

describe('cancel', () => {
  it('cancels a resting order, releases its escrow, and only its owner can do it', () => {
    const h = new Exchange();
    const a = h.order('A', 'BUY YES 10 @ 40');
    expectRejected(h.cancel('B', a.orderId), 'UNKNOWN_ORDER');
    expect(h.engine.getOrder(a.orderId)).toBeDefined();
    const r = h.cancel('A', a.orderId);
    expect(r).toMatchObject({ ok: true, orderId: a.orderId, status: 'CANCELLED', filledQty: 0, remainingQty: 0 });
    expect(h.types()).toEqual(['ORDER_UPDATED', 'BOOK_LEVEL', 'BALANCE']);
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ status: 'CANCELLED', reason: 'USER_CANCEL' });
    expect(h.ofType('BOOK_LEVEL')[0]).toMatchObject({ side: 'BID', yesPriceCents: 40, qty: 0, orderCount: 0 });
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
    `);
    expectRejected(h.cancel('A', a.orderId), 'UNKNOWN_ORDER');
  });

  it('cancelling a sell releases the shares; cancels are allowed while HALTED', () => {
    const h = new Exchange();
    h.mint('A', 'B', 5, 50);
    const s = h.order('A', 'SELL YES 5 @ 70');
    h.ok({ type: 'SET_MARKET_STATUS', marketId: 'm', status: 'HALTED' });
    h.ok({ type: 'CANCEL', userId: 'A', orderId: s.orderId });
    expectPositions(h, `
      user | yes | yesLocked | orders
      A    | 5   | 0         | 0
    `);
  });

  it('CANCEL_ALL in one market, then in all markets, in time order', () => {
    const h = new Exchange({ markets: ['m', 'm2'] });
    const o1 = h.order('A', 'BUY YES 1 @ 10');
    const o2 = h.order('A', 'BUY YES 1 @ 20', { market: 'm2' });
    const o3 = h.order('A', 'BUY NO 1 @ 30');
    const o4 = h.order('A', 'BUY YES 1 @ 40', { market: 'm2' });
    const other = h.order('B', 'BUY YES 1 @ 11');
    expect(h.run({ type: 'CANCEL_ALL', userId: 'A', marketId: 'm' })).toEqual({ ok: true, cancelledOrderIds: [o1.orderId, o3.orderId] });
    expect(h.ofType('ORDER_UPDATED').every((u) => u.reason === 'USER_CANCEL' && u.marketId === 'm')).toBe(true);
    expect(h.engine.getUserOrders('A').map((o) => o.orderId)).toEqual([o2.orderId, o4.orderId]);
    expect(h.run({ type: 'CANCEL_ALL', userId: 'A' })).toEqual({ ok: true, cancelledOrderIds: [o2.orderId, o4.orderId] });
    expect(h.engine.getUserOrders('A')).toEqual([]);
    expect(h.engine.getOrder(other.orderId)).toBeDefined();
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
    `);
    expect(h.run({ type: 'CANCEL_ALL', userId: 'A' })).toEqual({ ok: true, cancelledOrderIds: [] });
    expectRejected(h.run({ type: 'CANCEL_ALL', userId: 'A', marketId: 'nope' }), 'UNKNOWN_MARKET');
  });
});

describe('clientOrderId idempotency', () => {
  it('a repeat returns the original order, creates nothing and emits nothing', () => {
    const h = new Exchange();
    const first = h.order('A', 'BUY YES 10 @ 40', { clientOrderId: 'abc' });
    expect(h.ofType('ORDER_ACCEPTED')[0]?.order.clientOrderId).toBe('abc');
    const hash = h.engine.stateHash();
    const again = h.place('A', 'BUY NO 3 @ 20', { clientOrderId: 'abc' }); // different terms: still the original
    expect(again).toEqual({
      ok: true,
      duplicate: true,
      orderId: first.orderId,
      order: expect.objectContaining({ orderId: first.orderId, priceCents: 40, outcome: 'YES', remainingQty: 10, clientOrderId: 'abc' }),
    });
    expect(h.events).toEqual([]);
    expect(h.engine.stateHash()).toBe(hash);
    expect(h.engine.getUserOrders('A')).toHaveLength(1);

    // per user: another user may use the same id
    const other = h.order('B', 'BUY YES 1 @ 10', { clientOrderId: 'abc' });
    expect(other.orderId).not.toBe(first.orderId);

    // once the original no longer rests, a repeat still names it, with no live view
    h.cancel('A', first.orderId);
    expect(h.place('A', 'BUY YES 10 @ 40', { clientOrderId: 'abc' })).toEqual({ ok: true, duplicate: true, orderId: first.orderId, order: null });
    expect(h.events).toEqual([]);
    expect(h.engine.getUserOrders('A')).toEqual([]);
  });

  it('a rejected order does not claim its clientOrderId', () => {
    const h = new Exchange();
    expectRejected(h.place('A', 'BUY YES 1000 @ 99', { clientOrderId: 'big' }), 'INSUFFICIENT_BALANCE');
    expect(h.ofType('COMMAND_REJECTED')[0]).toMatchObject({ clientOrderId: 'big', userId: 'A', marketId: 'm' });
    const r = h.place('A', 'BUY YES 1 @ 10', { clientOrderId: 'big' });
    expect(r).toMatchObject({ ok: true, duplicate: false, status: 'OPEN' });
  });
});

describe('market lifecycle', () => {
  const STATUSES: MarketStatus[] = ['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'];
  /** docs/DESIGN.md: DRAFT -> OPEN -> (HALTED <-> OPEN) -> CLOSED -> RESOLVED; any non-final -> CANCELLED. RESOLVED from OPEN/HALTED closes first. */
  const ALLOWED: Record<MarketStatus, MarketStatus[]> = {
    DRAFT: ['OPEN', 'CANCELLED'],
    OPEN: ['HALTED', 'CLOSED', 'RESOLVED', 'CANCELLED'],
    HALTED: ['OPEN', 'CLOSED', 'RESOLVED', 'CANCELLED'],
    CLOSED: ['RESOLVED', 'CANCELLED'],
    RESOLVED: [],
    CANCELLED: [],
  };

  it('MARKET_TRANSITIONS is the lifecycle of docs/DESIGN.md', () => {
    expect(MARKET_TRANSITIONS).toEqual(ALLOWED);
  });

  const reach = (h: Exchange, status: MarketStatus): void => {
    const path: Record<MarketStatus, [MarketStatus, 'YES' | undefined][]> = {
      DRAFT: [],
      OPEN: [['OPEN', undefined]],
      HALTED: [['OPEN', undefined], ['HALTED', undefined]],
      CLOSED: [['OPEN', undefined], ['CLOSED', undefined]],
      RESOLVED: [['OPEN', undefined], ['CLOSED', undefined], ['RESOLVED', 'YES']],
      CANCELLED: [['CANCELLED', undefined]],
    };
    for (const [s, o] of path[status]) expect(h.status('m', s, o).ok).toBe(true);
  };

  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to, ALLOWED[from].includes(to)] as const));
  it.each(pairs)('%s -> %s allowed: %s', (from, to, allowed) => {
    const h = new Exchange({ markets: [{ id: 'm', open: false }] });
    reach(h, from);
    expect(h.engine.getMarket('m')?.status).toBe(from);
    const r = h.status('m', to, to === 'RESOLVED' ? 'NO' : undefined);
    if (allowed) {
      expect(r.ok).toBe(true);
      expect(h.engine.getMarket('m')).toMatchObject({ status: to, outcome: to === 'RESOLVED' ? 'NO' : null });
      const closesFirst = (to === 'RESOLVED' || to === 'CANCELLED') && (from === 'OPEN' || from === 'HALTED');
      expect(h.ofType('MARKET_STATUS').map((e) => `${e.previousStatus}->${e.status}`)).toEqual(
        closesFirst ? [`${from}->CLOSED`, `CLOSED->${to}`] : [`${from}->${to}`],
      );
    } else {
      expectRejected(r, 'INVALID_TRANSITION');
      expect(h.types()).toEqual(['COMMAND_REJECTED']);
      expect(h.engine.getMarket('m')?.status).toBe(from);
    }
  });

  it('market status events take the market sequence number', () => {
    const h = new Exchange({ markets: [{ id: 'm', open: false }] });
    const seq = h.engine.getMarket('m')!.seq;
    h.status('m', 'OPEN');
    expect(h.ofType('MARKET_STATUS')[0]).toMatchObject({ seq: seq + 1, status: 'OPEN', previousStatus: 'DRAFT', outcome: null });
    expect(h.engine.getMarket('m')!.seq).toBe(seq + 1);
  });

  it('HALTED keeps resting orders, refuses new orders and amends, allows cancels; reopening resumes matching', () => {
    const h = new Exchange();
    const a = h.order('A', 'BUY YES 10 @ 40');
    const a2 = h.order('A', 'BUY YES 1 @ 30');
    h.status('m', 'HALTED');
    expect(h.ofType('ORDER_UPDATED')).toEqual([]);
    expectRejected(h.place('B', 'BUY NO 10 @ 60'), 'MARKET_HALTED');
    expectRejected(h.amend('A', a.orderId, { qty: 5 }), 'MARKET_HALTED');
    expect(h.cancel('A', a2.orderId).ok).toBe(true);
    h.status('m', 'OPEN');
    h.order('B', 'BUY NO 10 @ 60');
    expectTrades(h, `
      kind | maker | taker | price | qty
      MINT | A     | B     | 40    | 10
    `);
  });

  it('closes automatically at closesAtMs, before the command of that time: orders cancelled, escrow released', () => {
    const h = new Exchange({ markets: [{ id: 'm', closesAtMs: START + 500 }] });
    h.mint('A', 'B', 10, 60);
    const ask = h.order('A', 'SELL YES 10 @ 70');
    const bid = h.order('C', 'BUY YES 5 @ 50');
    h.advance(START + 499);
    expect(h.events).toEqual([]);
    expect(h.engine.getMarket('m')?.status).toBe('OPEN');

    expectRejected(h.place('D', 'BUY YES 1 @ 50', { tsMs: START + 500 }), 'MARKET_NOT_OPEN');
    expect(h.types()).toEqual(['MARKET_STATUS', 'ORDER_UPDATED', 'ORDER_UPDATED', 'COMMAND_REJECTED', 'BOOK_LEVEL', 'BOOK_LEVEL', 'BALANCE', 'POSITION']);
    expect(h.ofType('MARKET_STATUS')[0]).toMatchObject({ status: 'CLOSED', previousStatus: 'OPEN', tsMs: START + 500 });
    // bids first, then asks
    expect(h.ofType('ORDER_UPDATED').map((u) => [u.orderId, u.reason, u.status])).toEqual([
      [bid.orderId, 'MARKET_CLOSED', 'CANCELLED'],
      [ask.orderId, 'MARKET_CLOSED', 'CANCELLED'],
    ]);
    expectEmptyBook(h);
    expect(h.engine.getUserOrders('A')).toEqual([]);
    expect(h.engine.getUserOrders('C')).toEqual([]);
    expectAccounts(h, `
      user | available | locked
      C    | 10000     | 0
    `);
    expectPositions(h, `
      user | yes | yesLocked | orders
      A    | 10  | 0         | 0
    `);
    expectRejected(h.status('m', 'OPEN'), 'INVALID_TRANSITION');
  });

  it('a HALTED market closes at closesAtMs too; a DRAFT market past it cannot open', () => {
    const h = new Exchange({ markets: [{ id: 'm', closesAtMs: START + 100 }, { id: 'd', closesAtMs: START + 100, open: false }] });
    h.order('A', 'BUY YES 1 @ 40');
    h.status('m', 'HALTED');
    h.advance(START + 100);
    expect(h.engine.getMarket('m')?.status).toBe('CLOSED');
    expect(h.ofType('ORDER_UPDATED')[0]).toMatchObject({ reason: 'MARKET_CLOSED' });
    expect(h.engine.getMarket('d')?.status).toBe('DRAFT');
    expectRejected(h.status('d', 'OPEN'), 'INVALID_TRANSITION');
    expect(h.status('d', 'CANCELLED').ok).toBe(true);
  });

  it.each(['CLOSED', 'RESOLVED', 'CANCELLED'] as const)('no order rests after %s; every escrow is released', (to) => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 50);
    h.order('A', 'SELL YES 4 @ 70');
    h.order('B', 'SELL NO 4 @ 70'); // YES bid 30
    h.order('C', 'BUY YES 5 @ 40');
    h.order('D', 'BUY NO 5 @ 40'); // YES ask 60
    h.order('C', 'BUY YES 2 @ 45 GTD', { expiresAtMs: START + 10_000 });
    expect(h.engine.openOrderCount).toBe(5);
    h.status('m', to, to === 'RESOLVED' ? 'YES' : undefined);
    expect(h.ofType('ORDER_UPDATED').map((u) => u.reason)).toEqual(Array(5).fill('MARKET_CLOSED'));
    expect(h.engine.openOrderCount).toBe(0);
    expectEmptyBook(h);
    for (const u of ['A', 'B', 'C', 'D']) {
      expect(h.engine.getUserOrders(u)).toEqual([]);
      expect(h.engine.getAccount(u)?.lockedCents).toBe(0);
      expect(h.engine.getPosition(u, 'm')).toMatchObject({ yesLockedShares: 0, noLockedShares: 0, openOrders: 0 });
    }
    expect(h.engine.getMarket('m')).toMatchObject({ bestBidCents: null, bestAskCents: null });
    expectRejected(h.place('C', 'BUY YES 1 @ 40'), 'MARKET_NOT_OPEN');
    // GTD expiry of a cancelled order later is a no-op
    h.advance(START + 20_000);
    expect(h.events).toEqual([]);
  });
});

describe('resolution', () => {
  /** A mints 10 YES with B at 60, sells 4 of them to C at 70; D has a bid resting. */
  const setup = (): Exchange => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    h.order('A', 'SELL YES 4 @ 70');
    h.order('C', 'BUY YES 4 @ 70');
    h.order('D', 'BUY YES 3 @ 20');
    expectAccounts(h, `
      user | available | locked
      A    | 9680      | 0
      B    | 9600      | 0
      C    | 9720      | 0
      D    | 9940      | 60
    `);
    return h;
  };

  it('YES: each YES share pays 100, NO pays 0; the pool pays out exactly its collateral', () => {
    const h = setup();
    const total = h.totalPoints();
    h.status('m', 'RESOLVED', 'YES');
    expect(h.types().slice(0, 4)).toEqual(['MARKET_STATUS', 'ORDER_UPDATED', 'MARKET_STATUS', 'LEDGER']);
    expect(h.ofType('MARKET_STATUS')[1]).toMatchObject({ status: 'RESOLVED', outcome: 'YES', previousStatus: 'CLOSED' });
    expectLedger(h, `
      reason     | debit | credit | amount
      SETTLEMENT | M:m   | U:A    | 600
      SETTLEMENT | M:m   | U:C    | 400
    `);
    expect(h.ofType('PAYOUT').map((p) => [p.userId, p.kind, p.yesShares, p.noShares, p.costBasisCents, p.amountCents])).toEqual([
      ['A', 'RESOLUTION', 6, 0, 360, 600],
      ['B', 'RESOLUTION', 0, 10, 400, 0],
      ['C', 'RESOLUTION', 4, 0, 280, 400],
    ]);
    expect(h.ofType('MARKET_SETTLED')).toEqual([expect.objectContaining({ kind: 'RESOLUTION', outcome: 'YES', collateralCents: 1000, paidCents: 1000, houseCents: 0, holders: 3 })]);
    expectAccounts(h, `
      user | available | locked
      A    | 10280     | 0
      B    | 9600      | 0
      C    | 10120     | 0
      D    | 10000     | 0
    `);
    expectPositions(h, `
      user | yes | no | yesCost | noCost | pnl
      A    | 0   | 0  | 0       | 0      | 280
      B    | 0   | 0  | 0       | 0      | -400
      C    | 0   | 0  | 0       | 0      | 120
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ status: 'RESOLVED', outcome: 'YES', pairsOutstanding: 0, collateralCents: 0 });
    expect(h.totalPoints()).toBe(total);
    expect(h.engine.totals().houseCents).toBe(0);
  });

  it('NO: each NO share pays 100', () => {
    const h = setup();
    const total = h.totalPoints();
    h.status('m', 'RESOLVED', 'NO');
    expectLedger(h, `
      reason     | debit | credit | amount
      SETTLEMENT | M:m   | U:B    | 1000
    `);
    expect(h.ofType('PAYOUT').map((p) => [p.userId, p.amountCents])).toEqual([
      ['A', 0],
      ['B', 1000],
      ['C', 0],
    ]);
    expectAccounts(h, `
      user | available | locked
      A    | 9680      | 0
      B    | 10600     | 0
      C    | 9720      | 0
    `);
    expectPositions(h, `
      user | pnl
      A    | -320
      B    | 600
      C    | -280
    `);
    expect(h.totalPoints()).toBe(total);
  });

  it('RESOLVED needs an outcome; other statuses take none', () => {
    const h = new Exchange();
    expectRejected(h.status('m', 'RESOLVED'), 'INVALID_OUTCOME');
    expectRejected(h.run({ type: 'SET_MARKET_STATUS', marketId: 'm', status: 'RESOLVED', outcome: 'MAYBE' as 'YES' }), 'INVALID_OUTCOME');
    expectRejected(h.status('m', 'HALTED', 'YES'), 'INVALID_OUTCOME');
  });
});

describe('a command that touches many accounts', () => {
  it('resolution with 300 holders emits one BALANCE and one POSITION per holder, and conserves points', () => {
    // More holders than the engine's initial per-command dirty lists hold (256): the lists grow.
    const users: Record<string, number> = { MM: 1_000_000 };
    for (let i = 0; i < 300; i++) users[`u${i}`] = 1_000;
    const h = new Exchange({ users });
    h.order('MM', 'BUY NO 300 @ 40');
    for (let i = 0; i < 300; i++) h.order(`u${i}`, 'BUY YES 1 @ 60');
    const total = h.totalPoints();
    h.status('m', 'RESOLVED', 'YES');
    const balances = h.ofType('BALANCE');
    expect(new Set(balances.map((b) => b.userId)).size).toBe(balances.length);
    for (let i = 0; i < 300; i++) expect(balances).toContainEqual(expect.objectContaining({ userId: `u${i}`, availableCents: 1_040, lockedCents: 0 }));
    const positions = h.ofType('POSITION');
    expect(positions.filter((p) => p.userId.startsWith('u') && p.yesShares === 0)).toHaveLength(300);
    expect(h.ofType('PAYOUT')).toHaveLength(301);
    expect(h.totalPoints()).toBe(total);
  });
});

describe('void (CANCELLED): refunds at cost basis, conserving points exactly', () => {
  it('collateral covers the cost bases: each holder gets exactly its cost; the surplus goes to HOUSE', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60); // A YES cost 600, B NO cost 400
    h.order('A', 'SELL YES 10 @ 50');
    h.order('C', 'BUY YES 10 @ 50'); // A sells at a loss of 100; C YES cost 500
    const total = h.totalPoints();
    h.status('m', 'CANCELLED');
    expect(h.ofType('MARKET_STATUS').map((e) => e.status)).toEqual(['CLOSED', 'CANCELLED']);
    expectLedger(h, `
      reason         | debit | credit | amount
      VOID_REFUND    | M:m   | U:B    | 400
      VOID_REFUND    | M:m   | U:C    | 500
      VOID_REMAINDER | M:m   | HOUSE  | 100
    `);
    expect(h.ofType('PAYOUT').map((p) => [p.userId, p.kind, p.yesShares, p.noShares, p.costBasisCents, p.amountCents])).toEqual([
      ['B', 'VOID_REFUND', 0, 10, 400, 400],
      ['C', 'VOID_REFUND', 10, 0, 500, 500],
    ]);
    expect(h.ofType('MARKET_SETTLED')[0]).toMatchObject({ kind: 'VOID_REFUND', outcome: null, collateralCents: 1000, paidCents: 900, houseCents: 100, holders: 2 });
    expectAccounts(h, `
      user | available | locked
      A    | 9900      | 0
      B    | 10000     | 0
      C    | 10000     | 0
    `);
    expectPositions(h, `
      user | yes | no | yesCost | noCost | pnl
      A    | 0   | 0  | 0       | 0      | -100
      B    | 0   | 0  | 0       | 0      | 0
      C    | 0   | 0  | 0       | 0      | 0
    `);
    expect(h.engine.totals().houseCents).toBe(100);
    expect(h.engine.getMarket('m')).toMatchObject({ status: 'CANCELLED', pairsOutstanding: 0, collateralCents: 0 });
    expect(h.totalPoints()).toBe(total);
  });

  it('collateral equal to the cost bases: exact refunds, nothing to HOUSE', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    h.status('m', 'CANCELLED');
    expectLedger(h, `
      reason      | debit | credit | amount
      VOID_REFUND | M:m   | U:A    | 600
      VOID_REFUND | M:m   | U:B    | 400
    `);
    expect(h.ofType('MARKET_SETTLED')[0]).toMatchObject({ collateralCents: 1000, paidCents: 1000, houseCents: 0, holders: 2 });
    expectAccounts(h, `
      user | available | locked
      A    | 10000     | 0
      B    | 10000     | 0
    `);
  });

  it("docs/DESIGN.md's example: A mints YES at 30, sells it to C at 40, B holds NO at 70 -> pro-rata refunds, remainder to HOUSE", () => {
    const h = new Exchange();
    h.mint('A', 'B', 1, 30); // A pays 30, B pays 70
    h.order('A', 'SELL YES 1 @ 40');
    h.order('C', 'BUY YES 1 @ 40'); // C's basis 40: 40 + 70 = 110 > 100 of collateral
    const total = h.totalPoints();
    h.status('m', 'CANCELLED');
    // B: floor(70 x 100 / 110) = 63, C: floor(40 x 100 / 110) = 36, HOUSE: 100 - 99 = 1
    expectLedger(h, `
      reason         | debit | credit | amount
      VOID_REFUND    | M:m   | U:B    | 63
      VOID_REFUND    | M:m   | U:C    | 36
      VOID_REMAINDER | M:m   | HOUSE  | 1
    `);
    expect(h.ofType('MARKET_SETTLED')[0]).toMatchObject({ collateralCents: 100, paidCents: 99, houseCents: 1, holders: 2 });
    expectAccounts(h, `
      user | available | locked
      A    | 10010     | 0
      B    | 9993      | 0
      C    | 9996      | 0
    `);
    expect(h.engine.totals().houseCents).toBe(1);
    expect(h.totalPoints()).toBe(total);
    expect(h.totalPoints()).toBe(4 * GRANT);
  });

  it('voiding a DRAFT market settles nothing', () => {
    const h = new Exchange({ markets: [{ id: 'm', open: false }] });
    h.status('m', 'CANCELLED');
    expect(h.types()).toEqual(['MARKET_STATUS', 'MARKET_SETTLED']);
    expect(h.ofType('MARKET_SETTLED')[0]).toMatchObject({ collateralCents: 0, paidCents: 0, houseCents: 0, holders: 0 });
  });
});

describe('netting', () => {
  it('a user holding YES who buys NO is merged back to cents at once', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60); // A: YES 10 cost 600, available 9400
    h.order('C', 'BUY YES 4 @ 55');
    h.order('A', 'BUY NO 4 @ 45'); // YES ask 55: MINT with C, then A nets 4 pairs
    const trade = h.ofType('TRADE')[0]!;
    expect(trade).toMatchObject({ kind: 'MINT', makerUserId: 'C', takerUserId: 'A', yesPriceCents: 55, qty: 4 });
    expectLedger(h, `
      reason  | debit | credit | amount
      MINT    | U:C   | M:m    | 220
      MINT    | U:A   | M:m    | 180
      NETTING | M:m   | U:A    | 400
    `);
    expect(h.ofType('LEDGER')[2]?.tradeId).toBe(trade.tradeId);
    // cost out: YES floor(600 x 4 / 10) = 240, NO 180; pnl 400 - 240 - 180
    expectPositions(h, `
      user | yes | no | yesCost | noCost | pnl
      A    | 6   | 0  | 360     | 0      | -20
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9620      | 0
    `);
    expect(h.engine.getMarket('m')).toMatchObject({ pairsOutstanding: 10, collateralCents: 1000 });
  });

  it('locked shares are netted when released (amend down, then cancel)', () => {
    const h = new Exchange();
    h.mint('A', 'B', 10, 60);
    const sell = h.order('A', 'SELL YES 10 @ 70');
    h.order('C', 'BUY YES 4 @ 55');
    h.order('A', 'BUY NO 4 @ 45');
    expect(h.ofType('LEDGER').map((l) => l.reason)).toEqual(['MINT', 'MINT']); // locked YES is not netted
    expectPositions(h, `
      user | yes | yesLocked | no
      A    | 10  | 10        | 4
    `);
    h.amend('A', sell.orderId, { qty: 8 }); // releases 2 YES: 2 pairs netted
    expectLedger(h, `
      reason  | debit | credit | amount
      NETTING | M:m   | U:A    | 200
    `);
    expect(h.ofType('LEDGER')[0]?.tradeId).toBeNull();
    expectPositions(h, `
      user | yes | yesLocked | no
      A    | 8   | 8         | 2
    `);
    h.cancel('A', sell.orderId); // releases 8 YES: 2 more pairs netted
    expectLedger(h, `
      reason  | debit | credit | amount
      NETTING | M:m   | U:A    | 200
    `);
    expectPositions(h, `
      user | yes | yesLocked | no | noCost
      A    | 6   | 0         | 0  | 0
    `);
    expectAccounts(h, `
      user | available | locked
      A    | 9620      | 0
    `);
  });
});

describe('ladders', () => {
  it('the YES and NO ladders are two views of one book', () => {
    const h = new Exchange();
    h.order('A', 'BUY YES 10 @ 40');
    h.order('A', 'BUY YES 5 @ 38');
    h.order('B', 'BUY NO 7 @ 45'); // YES ask 55
    h.order('B', 'BUY NO 3 @ 40'); // YES ask 60
    h.order('C', 'BUY YES 2 @ 40');
    expectBook(h, `
      bid | price | ask
          | 60    | 3
          | 55    | 7
      12  | 40    |
      5   | 38    |
    `);
    expectBook(
      h,
      `
      bid | price | ask
          | 62    | 5
          | 60    | 12
      7   | 45    |
      3   | 40    |
    `,
      'm',
      'NO',
    );
    const yes = h.engine.getLadder('m', 'YES')!;
    const no = h.engine.getLadder('m', 'NO')!;
    expect(yes.bids).toEqual([
      { priceCents: 40, qty: 12, orderCount: 2 },
      { priceCents: 38, qty: 5, orderCount: 1 },
    ]);
    expect(no.asks).toEqual([
      { priceCents: 60, qty: 12, orderCount: 2 },
      { priceCents: 62, qty: 5, orderCount: 1 },
    ]);
    expect(no.bids.map((l) => [100 - l.priceCents, l.qty])).toEqual(yes.asks.map((l) => [l.priceCents, l.qty]));
    expect(yes.seq).toBe(h.engine.getMarket('m')!.seq);
    expect(no.seq).toBe(yes.seq);
    expect(h.engine.getLadder('m', 'NO', 1)).toMatchObject({ bids: [{ priceCents: 45 }], asks: [{ priceCents: 60 }] });
    expect(h.engine.getMarket('m')).toMatchObject({ bestBidCents: 40, bestAskCents: 55 });
    expect(h.engine.getLadder('nope')).toBeUndefined();
  });
});

describe('ticks', () => {
  it('a market with a coarser tick accepts only prices on it (for both outcomes)', () => {
    const h = new Exchange({ markets: [{ id: 't5', tickCents: 5 }] });
    expectRejected(h.place('A', 'BUY YES 1 @ 52', { market: 't5' }), 'PRICE_NOT_ON_TICK');
    expectRejected(h.place('A', 'BUY NO 1 @ 48', { market: 't5' }), 'PRICE_NOT_ON_TICK');
    h.order('A', 'BUY YES 1 @ 55', { market: 't5' });
    h.order('B', 'BUY NO 1 @ 45', { market: 't5' });
    expect(h.ofType('TRADE')[0]).toMatchObject({ kind: 'MINT', yesPriceCents: 55 });
  });
});

describe('rejections: every code, with its name, one COMMAND_REJECTED event and no state change', () => {
  type Case = [RejectCodeName, string, (h: Exchange) => CommandResult];
  const place = (over: Partial<PlaceOrderCommand>): Cmd => ({
    type: 'PLACE',
    userId: 'A',
    marketId: 'm',
    side: 'BUY',
    outcome: 'YES',
    orderType: 'LIMIT',
    priceCents: 40,
    qty: 1,
    ...over,
  });
  const cases: Case[] = [
    ['INVALID_PRICE', 'limit price 0', (h) => h.run(place({ priceCents: 0 }))],
    ['INVALID_PRICE', 'limit price 100', (h) => h.run(place({ priceCents: 100 }))],
    ['INVALID_PRICE', 'fractional price', (h) => h.run(place({ priceCents: 40.5 }))],
    ['INVALID_PRICE', 'limit without price', (h) => h.run(place({ priceCents: null }))],
    ['INVALID_PRICE', 'market order with a price', (h) => h.run(place({ orderType: 'MARKET' }))],
    ['PRICE_NOT_ON_TICK', 'price off the tick', (h) => h.run(place({ marketId: 't5', priceCents: 42 }))],
    ['INVALID_QUANTITY', 'zero quantity', (h) => h.run(place({ qty: 0 }))],
    ['INVALID_QUANTITY', 'fractional quantity', (h) => h.run(place({ qty: 1.5 }))],
    ['QUANTITY_TOO_LARGE', 'above maxOrderQty', (h) => h.run(place({ qty: 1_000_001 }))],
    ['INVALID_ORDER_TYPE', 'market GTC', (h) => h.run(place({ orderType: 'MARKET', priceCents: null, timeInForce: 'GTC' }))],
    ['INVALID_ORDER_TYPE', 'post-only IOC', (h) => h.run(place({ timeInForce: 'IOC', postOnly: true }))],
    ['INVALID_EXPIRY', 'GTD without expiry', (h) => h.run(place({ timeInForce: 'GTD' }))],
    ['INVALID_EXPIRY', 'GTD expiring now', (h) => h.run(place({ timeInForce: 'GTD', expiresAtMs: START }))],
    ['INVALID_EXPIRY', 'GTC with an expiry', (h) => h.run(place({ expiresAtMs: START + 10 }))],
    ['INVALID_MAX_COST', 'maxCost on a limit', (h) => h.run(place({ maxCostCents: 100 }))],
    ['INVALID_MAX_COST', 'maxCost on a market sell', (h) => h.run(place({ orderType: 'MARKET', side: 'SELL', priceCents: null, maxCostCents: 100 }))],
    ['INVALID_MAX_COST', 'maxCost zero', (h) => h.run(place({ orderType: 'MARKET', priceCents: null, maxCostCents: 0 }))],
    ['INVALID_CLIENT_ORDER_ID', 'empty clientOrderId', (h) => h.run(place({ clientOrderId: '' }))],
    ['INVALID_CLIENT_ORDER_ID', 'clientOrderId too long', (h) => h.run(place({ clientOrderId: 'x'.repeat(65) }))],
    ['INVALID_AMOUNT', 'grant zero', (h) => h.run({ type: 'GRANT', userId: 'A', amountCents: 0 })],
    ['INVALID_AMOUNT', 'grant fraction', (h) => h.run({ type: 'GRANT', userId: 'A', amountCents: 2.5 })],
    ['INVALID_AMOUNT', 'grant above maxGrantCents', (h) => h.run({ type: 'GRANT', userId: 'A', amountCents: 1_000_000_000_001 })],
    ['INVALID_ID', 'grant to an empty user id', (h) => h.run({ type: 'GRANT', userId: '', amountCents: 1 })],
    ['INVALID_ID', 'market id too long', (h) => h.run({ type: 'CREATE_MARKET', marketId: 'm'.repeat(65) })],
    ['INVALID_ID', 'open an account with an empty id', (h) => h.run({ type: 'OPEN_ACCOUNT', userId: '' })],
    ['INVALID_TICK', 'tick 3', (h) => h.run({ type: 'CREATE_MARKET', marketId: 'x', tickCents: 3 })],
    ['INVALID_FIELD', 'side HOLD', (h) => h.run(place({ side: 'HOLD' as 'BUY' }))],
    ['INVALID_FIELD', 'outcome MAYBE', (h) => h.run(place({ outcome: 'MAYBE' as 'YES' }))],
    ['INVALID_FIELD', 'time in force DAY', (h) => h.run(place({ timeInForce: 'DAY' as 'GTC' }))],
    ['INVALID_FIELD', 'stp mode', (h) => h.run(place({ stp: 'NONE' as 'CANCEL_TAKER' }))],
    ['INVALID_FIELD', 'unknown status', (h) => h.run({ type: 'SET_MARKET_STATUS', marketId: 'm', status: 'PAUSED' as 'OPEN' })],
    ['INVALID_FIELD', 'negative closesAt', (h) => h.run({ type: 'CREATE_MARKET', marketId: 'x', closesAtMs: -1 })],
    ['INSUFFICIENT_BALANCE', 'buy above the balance', (h) => h.run(place({ priceCents: 99, qty: 102 }))],
    ['INSUFFICIENT_BALANCE', 'market buy whose default escrow 99 x qty is above the balance', (h) => h.run(place({ orderType: 'MARKET', priceCents: null, qty: 102 }))],
    ['INSUFFICIENT_SHARES', 'sell of shares not held', (h) => h.run(place({ userId: 'D', side: 'SELL' }))],
    ['INSUFFICIENT_SHARES', 'sell of shares locked in another sell', (h) => h.run(place({ userId: 'B', side: 'SELL', outcome: 'NO', priceCents: 90, qty: 2 }))],
    ['TOO_MANY_OPEN_ORDERS', 'a third resting order', (h) => h.run(place({ userId: 'C' }))],
    ['UNKNOWN_ACCOUNT', 'place without an account', (h) => h.run(place({ userId: 'nobody' }))],
    ['BALANCE_LIMIT', 'grant above maxAccountCents', (h) => h.run({ type: 'GRANT', userId: 'A', amountCents: 1_000_000 })],
    ['UNKNOWN_ORDER', 'cancel of a missing order', (h) => h.run({ type: 'CANCEL', userId: 'A', orderId: 999 })],
    ['UNKNOWN_ORDER', 'amend of a missing order', (h) => h.run({ type: 'AMEND', userId: 'A', orderId: 999, qty: 1 })],
    ['POST_ONLY_WOULD_TAKE', 'post-only at the ask', (h) => h.run(place({ priceCents: 55, postOnly: true }))],
    ['FOK_NOT_FILLABLE', 'FOK above the book', (h) => h.run(place({ priceCents: 55, qty: 50, timeInForce: 'FOK' }))],
    ['AMEND_NO_CHANGE', 'amend to the same terms', (h) => h.run({ type: 'AMEND', userId: 'D', orderId: h.engine.getUserOrders('D')[0]!.orderId, priceCents: 45, qty: 5 })],
    ['UNKNOWN_MARKET', 'place in a missing market', (h) => h.run(place({ marketId: 'nope' }))],
    ['UNKNOWN_MARKET', 'status of a missing market', (h) => h.run({ type: 'SET_MARKET_STATUS', marketId: 'nope', status: 'OPEN' })],
    ['MARKET_NOT_OPEN', 'place in a DRAFT market', (h) => h.run(place({ marketId: 'draft' }))],
    ['MARKET_HALTED', 'place in a HALTED market', (h) => h.run(place({ marketId: 'halted' }))],
    ['INVALID_TRANSITION', 'DRAFT -> CLOSED', (h) => h.run({ type: 'SET_MARKET_STATUS', marketId: 'draft', status: 'CLOSED' })],
    ['MARKET_EXISTS', 'create an existing market', (h) => h.run({ type: 'CREATE_MARKET', marketId: 'm' })],
    ['INVALID_OUTCOME', 'RESOLVED without outcome', (h) => h.run({ type: 'SET_MARKET_STATUS', marketId: 'm', status: 'RESOLVED' })],
  ];

  /** m: A holds 2 YES, B 2 NO (1 locked in a sell); D has BUY NO 5 @ 45 resting (ask 55); C is at its 2-order limit; accounts are capped at 1_000_000 cents. */
  const fixture = (): Exchange => {
    const h = new Exchange({
      markets: ['m', { id: 't5', tickCents: 5 }, { id: 'draft', open: false }, 'halted'],
      config: { maxOpenOrdersPerUserPerMarket: 2, maxAccountCents: 1_000_000 },
    });
    h.mint('A', 'B', 2, 50);
    h.order('B', 'SELL NO 1 @ 90');
    h.order('D', 'BUY NO 5 @ 45');
    h.order('C', 'BUY YES 1 @ 10');
    h.order('C', 'BUY YES 1 @ 11');
    h.status('halted', 'HALTED');
    return h;
  };

  it.each(cases)('%s: %s', (name, _what, run) => {
    const h = fixture();
    const hash = h.engine.stateHash();
    const r = run(h);
    expectRejected(r, name);
    expect(r.ok === false && r.message.length > 0).toBe(true);
    expect(h.events).toEqual([expect.objectContaining({ type: 'COMMAND_REJECTED', code: RejectCode[name], codeName: name })]);
    expect(h.engine.stateHash()).toBe(hash);
  });

  it('covers every code of the catalogue', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(Object.keys(RejectCode)));
  });
});

describe('limits', () => {
  it('BALANCE_LIMIT: a first grant to a new account may not exceed maxAccountCents either', () => {
    // codes.ts: "The account balance would exceed `maxAccountCents`" - a new account is no exception
    const h = new Exchange({ users: {}, config: { maxAccountCents: 1_000 } });
    expectRejected(h.run({ type: 'GRANT', userId: 'Z', amountCents: 5_000 }), 'BALANCE_LIMIT');
    expect(h.engine.getAccount('Z')?.availableCents ?? 0).toBeLessThanOrEqual(1_000);
  });

  it('an order amended back up after fills, again and again, reports its true quantities (no 32-bit overflow)', () => {
    const h = new Exchange({ users: { A: 1_000_000_000_000, B: 1_000_000_000_000 }, config: { maxOrderQty: 1_000_000_000 } });
    const a = h.order('A', 'BUY YES 1000000000 @ 1');
    for (let cycle = 1; cycle <= 2; cycle++) {
      h.order('B', 'BUY NO 999999999 @ 99'); // fills all but one share of A's order
      const r = h.amend('A', a.orderId, { qty: 1_000_000_000 }); // the remaining quantity back to the maximum
      if (!r.ok) {
        // bounding the order's total quantity would also be a fix
        expectRejected(r, 'QUANTITY_TOO_LARGE');
        return;
      }
      const filled = cycle * 999_999_999;
      expect(r).toMatchObject({ filledQty: filled, remainingQty: 1_000_000_000, status: 'PARTIALLY_FILLED' });
      expect(h.engine.getOrder(a.orderId)).toMatchObject({ qty: filled + 1_000_000_000, filledQty: filled, remainingQty: 1_000_000_000 });
    }
  });

  it('maxOrderQty is configurable and applies to amends too', () => {
    const h = new Exchange({ config: { maxOrderQty: 10 } });
    expectRejected(h.place('A', 'BUY YES 11 @ 40'), 'QUANTITY_TOO_LARGE');
    const o = h.order('A', 'BUY YES 10 @ 40');
    expectRejected(h.amend('A', o.orderId, { qty: 11 }), 'QUANTITY_TOO_LARGE');
  });
});
