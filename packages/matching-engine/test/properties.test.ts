/**
 * Property tests (fast-check) over arbitrary command sequences: grants, market lifecycle,
 * orders of every kind (valid and invalid), cancels, amends and time moves.
 *
 * After every command an auditor rebuilds the state it can see from outside - the query
 * methods and the event stream - and checks docs/DESIGN.md's invariants independently of
 * `checkInvariants()` (which it also calls):
 * - points: sum of accounts (available + locked) + market pools + house == points granted (as
 *   counted by the test from accepted GRANT commands); every account's balance == the sum of
 *   its LEDGER rows; the last BALANCE / POSITION event of each account / position equals the
 *   query result; resolution and void leave the total unchanged;
 * - shares: per market, YES outstanding == NO outstanding == pairs; pool == 100 x pairs;
 * - escrow: locked cents and shares == what the open orders (getUserOrders) reserve;
 * - nothing negative; per-market sequence numbers have no gap.
 * A second property checks snapshot -> restore -> replay: the same state hash, results and events.
 *
 * Seeded: FC_SEED (default below) picks the run; FC_RUNS=n runs n% of the default number of runs
 * (for long hunts also pass `--testTimeout`). A failure reports the seed, the counterexample
 * (shrunk) and the violations (fast-check's report, prefixed with FC_SEED=...).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventCollector,
  MatchingEngine,
  type Command,
  type CommandResult,
  type EngineEvent,
  type EngineSnapshot,
  type MarketStatus,
  type PositionEvent,
} from '../src/index.ts';

const DEFAULT_SEED = 20_240_611;
const SEED = process.env.FC_SEED === undefined || process.env.FC_SEED === '' ? DEFAULT_SEED : Number(process.env.FC_SEED);
if (!Number.isSafeInteger(SEED)) throw new Error(`FC_SEED must be an integer, got ${process.env.FC_SEED}`);
const RUNS_SCALE = process.env.FC_RUNS === undefined ? 1 : Number(process.env.FC_RUNS) / 100;
/** Below vitest's 120 s test timeout, so that a slow shrink still reports its best counterexample. */
const TIME_LIMIT_MS = process.env.FC_RUNS === undefined ? 100_000 : 3_600_000;

/** Run a property with the suite's seed; on failure throw fast-check's report (seed, path, counterexample). */
function checkProperty<Ts>(name: string, property: fc.IProperty<Ts>, numRuns: number): void {
  const details = fc.check(property, {
    seed: SEED,
    numRuns: Math.max(1, Math.round(numRuns * RUNS_SCALE)),
    // a safety valve for the shrinking of a failure (a run takes milliseconds: the suite needs a few seconds)
    plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)],
  });
  if (details.interrupted && !details.failed) {
    throw new Error(`property "${name}" was interrupted after ${details.numRuns} runs (FC_SEED=${SEED}): too slow to finish in ${TIME_LIMIT_MS} ms`);
  }
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`property "${name}" failed - reproduce with FC_SEED=${SEED}\n${fc.defaultReportMessage(details) ?? ''}\nFailure: ${cause}`);
  }
}

// ---------------------------------------------------------------------------------------
// Command templates: generated statically, turned into commands against the live engine (to
// pick existing order ids), so that cancels and amends hit real orders most of the time.

const START = 10_000;
const USERS = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'] as const;

type Tpl =
  | { k: 'GRANT'; dt: number; user: string; amount: number }
  | { k: 'OPEN_ACCOUNT'; dt: number; user: string }
  | { k: 'CREATE_MARKET'; dt: number; market: string; closeIn: number | null; tick: number }
  | { k: 'STATUS'; dt: number; market: string; status: string; outcome: string | null }
  | {
      k: 'PLACE';
      dt: number;
      user: string;
      market: string;
      side: string;
      outcome: string;
      orderType: string;
      price: number | null;
      qty: number;
      tif: string | undefined;
      expiresIn: number | null;
      postOnly: boolean | undefined;
      maxCost: number | null;
      coid: string | null;
      stp: string | undefined;
      /** Move the price onto the market's tick when materialized (well-formed orders). */
      snap?: boolean;
    }
  | { k: 'CANCEL'; dt: number; pick: number; own: boolean; user: string }
  | { k: 'CANCEL_ALL'; dt: number; user: string; market: string | null }
  | { k: 'AMEND'; dt: number; pick: number; own: boolean; user: string; priceDelta: number | null; qty: number | null }
  | { k: 'ADVANCE'; dt: number };

const dtArb = fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 0, max: 15 }) }, { weight: 1, arbitrary: fc.integer({ min: 16, max: 400 }) });
const userArb = fc.oneof({ weight: 20, arbitrary: fc.constantFrom<string>(...USERS) }, { weight: 1, arbitrary: fc.constantFrom('ghost', '') });
const marketArb = fc.oneof({ weight: 30, arbitrary: fc.constantFrom<string>('m1', 'm1', 'm1', 'm1', 'm1', 'm2', 'm2', 'm3', 'm3', 'm4') }, { weight: 1, arbitrary: fc.constantFrom('nope', '') });

/** Mostly the order's owner; sometimes another user (UNKNOWN_ORDER). */
const ownArb = fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });

type PlaceTpl = Extract<Tpl, { k: 'PLACE' }>;

/** One way to make an order malformed (applied to about one order in eight). */
const CORRUPTIONS: readonly ((t: PlaceTpl) => PlaceTpl)[] = [
  (t) => ({ ...t, side: 'HOLD' }),
  (t) => ({ ...t, outcome: 'MAYBE' }),
  (t) => ({ ...t, orderType: 'STOP' }),
  (t) => ({ ...t, tif: 'DAY' }),
  (t) => ({ ...t, stp: 'NONE' }),
  (t) => ({ ...t, coid: '' }),
  (t) => ({ ...t, price: 0 }),
  (t) => ({ ...t, price: 100 }),
  (t) => ({ ...t, price: 50.5 }),
  (t) => ({ ...t, price: t.orderType === 'MARKET' ? 50 : null }),
  (t) => ({ ...t, qty: 0 }),
  (t) => ({ ...t, qty: 2.5 }),
  (t) => ({ ...t, qty: 10_000_000 }),
  (t) => ({ ...t, tif: 'GTD', expiresIn: 0 }),
  (t) => ({ ...t, tif: 'GTC', expiresIn: 50 }),
  (t) => ({ ...t, maxCost: 0 }),
  (t) => ({ ...t, maxCost: 100 }),
  (t) => ({ ...t, postOnly: true, tif: 'IOC' }),
  (t) => ({ ...t, orderType: 'MARKET', tif: 'GTC', price: null }),
];

/** Well-formed orders (market orders without price or expiry, GTD with one, maxCost on market buys), sometimes corrupted. */
const placeArb: fc.Arbitrary<Tpl> = fc
  .record({
    dt: dtArb,
    user: userArb,
    market: marketArb,
    side: fc.constantFrom('BUY', 'BUY', 'SELL'),
    outcome: fc.constantFrom('YES', 'NO'),
    orderType: fc.oneof({ weight: 4, arbitrary: fc.constant('LIMIT') }, { weight: 1, arbitrary: fc.constant('MARKET') }),
    price: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 35, max: 65 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 99 }) }),
    qty: fc.oneof({ weight: 12, arbitrary: fc.integer({ min: 1, max: 25 }) }, { weight: 1, arbitrary: fc.integer({ min: 50, max: 300 }) }),
    tif: fc.constantFrom(undefined, undefined, 'GTC', 'GTD', 'GTD', 'IOC', 'FOK'),
    expiresIn: fc.integer({ min: 1, max: 300 }),
    postOnly: fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: fc.boolean() }),
    maxCost: fc.oneof({ weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }) }),
    coid: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('c0', 'c1', 'c2', 'c3') }),
    stp: fc.constantFrom(undefined, undefined, 'CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH'),
    corrupt: fc.oneof({ weight: 7, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(CORRUPTIONS.length - 1) }),
  })
  .map(({ corrupt, ...t }): Tpl => {
    const isMarket = t.orderType === 'MARKET';
    const tif = isMarket ? (t.tif === 'FOK' ? 'FOK' : undefined) : t.tif;
    const order: PlaceTpl = {
      k: 'PLACE',
      ...t,
      price: isMarket ? null : t.price,
      tif,
      expiresIn: tif === 'GTD' ? t.expiresIn : null,
      postOnly: isMarket || tif === 'IOC' || tif === 'FOK' ? undefined : t.postOnly,
      maxCost: isMarket && t.side === 'BUY' ? t.maxCost : null,
    };
    return corrupt < 0 ? { ...order, snap: true } : CORRUPTIONS[corrupt]!(order);
  });

/** Unbiased: the weights above are the distribution (fast-check's bias would favour the noisy edge values). */
const tplArb: fc.Arbitrary<Tpl> = fc.noBias(fc.oneof(
  { weight: 40, arbitrary: placeArb },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('CANCEL' as const), dt: dtArb, pick: fc.nat(50), own: ownArb, user: userArb }) },
  { weight: 8, arbitrary: fc.record({ k: fc.constant('AMEND' as const), dt: dtArb, pick: fc.nat(50), own: ownArb, user: userArb, priceDelta: fc.option(fc.integer({ min: -8, max: 8 })), qty: fc.option(fc.integer({ min: 0, max: 25 })) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('CANCEL_ALL' as const), dt: dtArb, user: userArb, market: fc.option(marketArb) }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('GRANT' as const), dt: dtArb, user: fc.oneof(userArb, fc.constant('n1')), amount: fc.oneof({ weight: 8, arbitrary: fc.integer({ min: 1, max: 20_000 }) }, { weight: 1, arbitrary: fc.constantFrom(0, -3, 1.5) }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('OPEN_ACCOUNT' as const), dt: dtArb, user: fc.constantFrom('n1', 'n2', '') }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('CREATE_MARKET' as const), dt: dtArb, market: fc.constantFrom('m5', 'm5', 'm1', ''), closeIn: fc.option(fc.integer({ min: -5, max: 2_000 })), tick: fc.constantFrom(1, 1, 5, 3) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('STATUS' as const),
      dt: dtArb,
      // the lifecycle mostly plays out in m3 and m4, so that m1 and m2 keep trading
      market: fc.oneof({ weight: 12, arbitrary: fc.constantFrom('m4', 'm4', 'm4', 'm3', 'm3', 'm1', 'm2') }, { weight: 1, arbitrary: fc.constantFrom('nope', '') }),
      status: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom<string>('OPEN', 'OPEN', 'OPEN', 'HALTED', 'DRAFT') },
        { weight: 3, arbitrary: fc.constantFrom<string>('CLOSED', 'RESOLVED', 'CANCELLED') },
        { weight: 1, arbitrary: fc.constant('PAUSED') },
      ),
      outcome: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 4, arbitrary: fc.constantFrom('YES', 'NO') }, { weight: 1, arbitrary: fc.constant('MAYBE') }),
    }).map((t) => (t.status === 'RESOLVED' && t.outcome === null ? { ...t, outcome: 'YES' } : t.status !== 'RESOLVED' && t.outcome !== 'MAYBE' ? { ...t, outcome: null } : t)),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('ADVANCE' as const), dt: fc.integer({ min: 0, max: 600 }) }) },
));

/** The fixed start of every run: six funded users; m1, m2 (closing at START + closeIn) and m3 (tick 5) open; m4 in DRAFT. */
function prefix(closeIn: number): Command[] {
  const cmds: Command[] = USERS.map((userId) => ({ type: 'GRANT', tsMs: START, userId, amountCents: 8_000 }));
  cmds.push({ type: 'CREATE_MARKET', tsMs: START, marketId: 'm1' });
  cmds.push({ type: 'CREATE_MARKET', tsMs: START, marketId: 'm2', closesAtMs: START + closeIn });
  cmds.push({ type: 'CREATE_MARKET', tsMs: START, marketId: 'm3', tickCents: 5 });
  cmds.push({ type: 'CREATE_MARKET', tsMs: START, marketId: 'm4' });
  for (const marketId of ['m1', 'm2', 'm3']) cmds.push({ type: 'SET_MARKET_STATUS', tsMs: START, marketId, status: 'OPEN' });
  return cmds;
}

/** The multiple of `tick` nearest to `price`, kept inside 1..99. */
function snapToTick(price: number, tick: number): number {
  const p = Math.round(price / tick) * tick;
  return Math.min(100 - tick, Math.max(tick, p));
}

/** Turn a template into a command at time `ts`, picking live orders of `engine` for cancels and amends. */
function materialize(t: Tpl, engine: MatchingEngine, ts: number): Command {
  const live = () => USERS.flatMap((u) => engine.getUserOrders(u)).sort((a, b) => a.orderId - b.orderId);
  switch (t.k) {
    case 'GRANT':
      return { type: 'GRANT', tsMs: ts, userId: t.user, amountCents: t.amount };
    case 'OPEN_ACCOUNT':
      return { type: 'OPEN_ACCOUNT', tsMs: ts, userId: t.user };
    case 'CREATE_MARKET':
      return { type: 'CREATE_MARKET', tsMs: ts, marketId: t.market, closesAtMs: t.closeIn === null ? null : ts + t.closeIn, tickCents: t.tick };
    case 'STATUS':
      return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: t.market, status: t.status as MarketStatus, outcome: t.outcome as 'YES' | null };
    case 'PLACE': {
      let { outcome, qty } = t;
      if (t.snap === true && t.side === 'SELL') {
        // a well-formed sell mostly sells what the user holds (an empty position still gets INSUFFICIENT_SHARES)
        const p = engine.getPosition(t.user, t.market);
        const yes = p === undefined ? 0 : p.yesShares - p.yesLockedShares;
        const no = p === undefined ? 0 : p.noShares - p.noLockedShares;
        if (yes > 0 || no > 0) {
          outcome = yes > 0 ? 'YES' : 'NO';
          qty = Math.min(qty, yes > 0 ? yes : no);
        }
      }
      const cmd: Command = {
        type: 'PLACE',
        tsMs: ts,
        userId: t.user,
        marketId: t.market,
        side: t.side as 'BUY',
        outcome: outcome as 'YES',
        orderType: t.orderType as 'LIMIT',
        priceCents: t.snap === true && t.price !== null ? snapToTick(t.price, engine.getMarket(t.market)?.tickCents ?? 1) : t.price,
        qty,
        expiresAtMs: t.expiresIn === null ? null : ts + t.expiresIn,
        maxCostCents: t.maxCost,
        clientOrderId: t.coid,
      };
      if (t.tif !== undefined) cmd.timeInForce = t.tif as 'GTC';
      if (t.postOnly !== undefined) cmd.postOnly = t.postOnly;
      if (t.stp !== undefined) cmd.stp = t.stp as 'CANCEL_TAKER';
      return cmd;
    }
    case 'CANCEL':
    case 'AMEND': {
      const orders = live();
      const o = orders.length === 0 ? undefined : orders[t.pick % orders.length];
      const orderId = o === undefined ? t.pick + 1 : o.orderId;
      const userId = o !== undefined && t.own ? o.userId : t.user;
      if (t.k === 'CANCEL') return { type: 'CANCEL', tsMs: ts, userId, orderId };
      const base = o?.priceCents ?? 50;
      return {
        type: 'AMEND',
        tsMs: ts,
        userId,
        orderId,
        priceCents: t.priceDelta === null ? null : base + t.priceDelta,
        qty: t.qty === null ? null : t.qty === 0 && o !== undefined ? o.remainingQty : t.qty,
      };
    }
    case 'CANCEL_ALL':
      return { type: 'CANCEL_ALL', tsMs: ts, userId: t.user, marketId: t.market };
    case 'ADVANCE':
      return { type: 'ADVANCE_TIME', tsMs: ts };
  }
}

// ---------------------------------------------------------------------------------------
// The auditor: an outside view of the engine, rebuilt from commands, results and events.

const ENGINE_CONFIG = { maxOpenOrdersPerUserPerMarket: 12 };
const ADVANCING: ReadonlySet<string> = new Set(['TRADE', 'BOOK_LEVEL', 'MARKET_STATUS', 'MARKET_CREATED', 'MARKET_SETTLED']);

/** Equality of flat records, whatever their key order. */
const same = (a: Record<string, unknown>, b: Record<string, unknown>): boolean => JSON.stringify(a, Object.keys(a).sort()) === JSON.stringify(b, Object.keys(b).sort());
const isCount = (v: number): boolean => Number.isSafeInteger(v) && v >= 0;

class Auditor {
  granted = 0;
  readonly users = new Set<string>();
  readonly markets = new Set<string>();
  /** Balance of each ledger account from the LEDGER rows: credits - debits. */
  readonly ledger = new Map<string, number>();
  readonly lastBalance = new Map<string, { availableCents: number; lockedCents: number }>();
  readonly lastPosition = new Map<string, PositionEvent>();
  /** Last sequence number seen per market. */
  readonly seq = new Map<string, number>();
  private problems: string[] = [];

  constructor(readonly engine: MatchingEngine) {}

  private check(ok: boolean, what: () => string): void {
    if (!ok) this.problems.push(what());
  }

  private house(): number {
    return this.ledger.get('HOUSE') ?? 0;
  }

  /** Total points from queries: accounts + pools + house (house from the ledger). */
  totalPoints(): number {
    let total = this.house();
    for (const u of this.users) {
      const a = this.engine.getAccount(u);
      total += a === undefined ? 0 : a.availableCents + a.lockedCents;
    }
    for (const m of this.markets) total += this.engine.getMarket(m)?.collateralCents ?? 0;
    return total;
  }

  /** Execute one command and audit everything around it; throws with the list of violations. */
  step(cmd: Command, sink: EventCollector): { result: CommandResult; events: EngineEvent[] } {
    const e = this.engine;
    const totalBefore = this.totalPoints();
    const houseBefore = this.house();
    const collateralBefore = cmd.type === 'SET_MARKET_STATUS' ? (e.getMarket(cmd.marketId)?.collateralCents ?? 0) : 0;
    const result = e.execute(cmd);
    const events = sink.take();
    this.problems = [];

    if (result.ok && cmd.type === 'GRANT') this.granted += cmd.amountCents;
    if (result.ok && (cmd.type === 'GRANT' || cmd.type === 'OPEN_ACCOUNT')) this.users.add(cmd.userId);
    if (result.ok && cmd.type === 'CREATE_MARKET') this.markets.add(cmd.marketId);

    for (const ev of events) {
      this.check(ev.tsMs === e.timeMs, () => `${ev.type} tsMs ${ev.tsMs} != clock ${e.timeMs}`);
      if ('seq' in ev && 'marketId' in ev) {
        // gapless per-market sequence: public events take the next number, the others carry the current one
        const last = this.seq.get(ev.marketId) ?? 0;
        const want = ADVANCING.has(ev.type) ? last + 1 : last;
        this.check(ev.seq === want, () => `${ev.type} seq ${ev.seq}, expected ${want}`);
        this.seq.set(ev.marketId, ev.seq);
      }
      if (ev.type === 'LEDGER') {
        this.check(Number.isSafeInteger(ev.amountCents) && ev.amountCents > 0 && ev.debit !== ev.credit, () => `bad ledger row ${JSON.stringify(ev)}`);
        this.ledger.set(ev.debit, (this.ledger.get(ev.debit) ?? 0) - ev.amountCents);
        this.ledger.set(ev.credit, (this.ledger.get(ev.credit) ?? 0) + ev.amountCents);
      } else if (ev.type === 'BALANCE') {
        this.lastBalance.set(ev.userId, { availableCents: ev.availableCents, lockedCents: ev.lockedCents });
      } else if (ev.type === 'POSITION') {
        this.lastPosition.set(`${ev.userId}/${ev.marketId}`, ev);
      }
    }
    const rejected = events.filter((ev) => ev.type === 'COMMAND_REJECTED');
    if (result.ok) this.check(rejected.length === 0, () => 'COMMAND_REJECTED on success');
    // a rejection emits one COMMAND_REJECTED (the clock may have expired orders or closed markets before it)
    else this.check(rejected.length === 1 && rejected[0]?.code === result.code && rejected[0].codeName === result.codeName, () => `rejection events ${JSON.stringify(rejected)}`);

    for (const v of e.checkInvariants()) this.problems.push(`checkInvariants: ${v}`);
    this.audit();

    // settlement keeps the total; resolution pays out exactly the pool (after the close that precedes it, which may
    // net released shares out of the pool), a void pays the pool to holders and house
    if (result.ok && cmd.type === 'SET_MARKET_STATUS' && (cmd.status === 'RESOLVED' || cmd.status === 'CANCELLED')) {
      this.check(this.totalPoints() === totalBefore, () => `settlement changed the total ${totalBefore} -> ${this.totalPoints()}`);
      const settled = events.find((ev) => ev.type === 'MARKET_SETTLED');
      const payouts = events.filter((ev) => ev.type === 'PAYOUT').reduce((sum, p) => sum + p.amountCents, 0);
      const netted = events.filter((ev) => ev.type === 'LEDGER' && ev.reason === 'NETTING').reduce((sum, l) => sum + (l.type === 'LEDGER' ? l.amountCents : 0), 0);
      const pool = collateralBefore - netted;
      this.check(settled !== undefined && settled.paidCents === payouts && settled.collateralCents === pool, () => `MARKET_SETTLED ${JSON.stringify(settled)}, payouts ${payouts}, pool ${pool}`);
      const houseGain = this.house() - houseBefore;
      if (cmd.status === 'RESOLVED') this.check(payouts === pool && houseGain === 0, () => `resolution paid ${payouts} of ${pool}, house +${houseGain}`);
      else this.check(payouts + houseGain === pool && settled?.houseCents === houseGain, () => `void paid ${payouts} + house ${houseGain} != pool ${pool}`);
    }
    if (this.problems.length > 0) {
      throw new Error(`after ${JSON.stringify(cmd)}\n-> ${JSON.stringify(result)}\n${this.problems.join('\n')}`);
    }
    return { result, events };
  }

  private audit(): void {
    const e = this.engine;
    const escrow = new Map<string, { yesLocked: number; noLocked: number; orders: number }>();
    let accounts = 0;
    for (const u of this.users) {
      const a = e.getAccount(u);
      if (a === undefined) {
        this.problems.push(`account ${u} missing`);
        continue;
      }
      this.check(isCount(a.availableCents) && isCount(a.lockedCents), () => `account ${u} ${JSON.stringify(a)}`);
      accounts += a.availableCents + a.lockedCents;
      this.check(a.availableCents + a.lockedCents === (this.ledger.get(`U:${u}`) ?? 0), () => `U:${u} balance ${a.availableCents + a.lockedCents} != ledger ${this.ledger.get(`U:${u}`)}`);
      const last = this.lastBalance.get(u);
      this.check(last !== undefined && last.availableCents === a.availableCents && last.lockedCents === a.lockedCents, () => `last BALANCE of ${u} ${JSON.stringify(last)} != ${JSON.stringify(a)}`);
      let lockedCents = 0;
      for (const o of e.getUserOrders(u)) {
        this.check(o.remainingQty > 0 && o.priceCents !== null && o.userId === u && e.getMarket(o.marketId)?.status !== undefined, () => `bad open order ${JSON.stringify(o)}`);
        const st = e.getMarket(o.marketId)?.status;
        this.check(st === 'OPEN' || st === 'HALTED', () => `order ${o.orderId} rests in a ${st} market`);
        const key = `${u}/${o.marketId}`;
        const c = escrow.get(key) ?? { yesLocked: 0, noLocked: 0, orders: 0 };
        c.orders++;
        if (o.side === 'BUY') lockedCents += (o.priceCents ?? 0) * o.remainingQty;
        else if (o.outcome === 'YES') c.yesLocked += o.remainingQty;
        else c.noLocked += o.remainingQty;
        escrow.set(key, c);
      }
      this.check(a.lockedCents === lockedCents, () => `locked cents of ${u} ${a.lockedCents} != escrow of open orders ${lockedCents}`);
    }
    let pools = 0;
    for (const m of this.markets) {
      const mv = e.getMarket(m);
      if (mv === undefined) {
        this.problems.push(`market ${m} missing`);
        continue;
      }
      pools += mv.collateralCents;
      this.check(mv.collateralCents === (this.ledger.get(`M:${m}`) ?? 0), () => `M:${m} pool ${mv.collateralCents} != ledger ${this.ledger.get(`M:${m}`)}`);
      this.check(mv.seq === this.seq.get(m), () => `market ${m} seq ${mv.seq} != last event seq ${this.seq.get(m)}`);
      const settled = mv.status === 'RESOLVED' || mv.status === 'CANCELLED';
      this.check(mv.collateralCents === (settled ? 0 : 100 * mv.pairsOutstanding), () => `market ${m} pool ${mv.collateralCents} vs pairs ${mv.pairsOutstanding}`);
      this.check(mv.bestBidCents === null || mv.bestAskCents === null || mv.bestBidCents < mv.bestAskCents, () => `market ${m} crossed ${mv.bestBidCents}/${mv.bestAskCents}`);
      let yes = 0;
      let no = 0;
      for (const u of this.users) {
        const p = e.getPosition(u, m);
        const c = escrow.get(`${u}/${m}`) ?? { yesLocked: 0, noLocked: 0, orders: 0 };
        const last = this.lastPosition.get(`${u}/${m}`);
        if (p === undefined) {
          this.check(c.orders === 0 && last === undefined, () => `no position ${u}/${m} but ${c.orders} orders / POSITION ${JSON.stringify(last)}`);
          continue;
        }
        const counts = [p.yesShares, p.noShares, p.yesLockedShares, p.noLockedShares, p.yesCostCents, p.noCostCents];
        this.check(counts.every(isCount) && p.yesLockedShares <= p.yesShares && p.noLockedShares <= p.noShares, () => `position ${u}/${m} ${JSON.stringify(p)}`);
        this.check(p.yesLockedShares === c.yesLocked && p.noLockedShares === c.noLocked && p.openOrders === c.orders, () => `position ${u}/${m} locked ${p.yesLockedShares}/${p.noLockedShares}/${p.openOrders} != open sell orders ${JSON.stringify(c)}`);
        this.check(p.yesShares - p.yesLockedShares === 0 || p.noShares - p.noLockedShares === 0, () => `position ${u}/${m} holds both YES and NO available`);
        yes += p.yesShares;
        no += p.noShares;
        const { openOrders: _o, ...fields } = p;
        if (last === undefined) {
          this.check(p.yesShares + p.noShares + p.yesCostCents + p.noCostCents === 0 && p.realisedPnlCents === 0, () => `position ${u}/${m} changed without a POSITION event`);
        } else {
          const { type: _t, tsMs: _ts, seq: _s, ...evFields } = last;
          this.check(same(evFields, fields), () => `last POSITION of ${u}/${m} ${JSON.stringify(evFields)} != ${JSON.stringify(fields)}`);
        }
      }
      this.check(yes === mv.pairsOutstanding && no === mv.pairsOutstanding, () => `market ${m}: YES ${yes} / NO ${no} outstanding != pairs ${mv.pairsOutstanding}`);
    }
    const house = this.house();
    this.check(house >= 0, () => `house ${house}`);
    this.check((this.ledger.get('TREASURY') ?? 0) === -this.granted, () => `TREASURY ${this.ledger.get('TREASURY')} != -granted ${this.granted}`);
    this.check(accounts + pools + house === this.granted, () => `points: accounts ${accounts} + pools ${pools} + house ${house} != granted ${this.granted}`);
    const t = e.totals();
    this.check(t.grantedCents === this.granted && t.houseCents === house && t.accountsCents === accounts && t.poolsCents === pools, () => `totals() ${JSON.stringify(t)}`);
  }
}

/** Run prefix + templates through a fresh engine under the auditor; returns the concrete commands. */
function runAudited(closeIn: number, tpls: Tpl[], onStep?: (i: number, engine: MatchingEngine) => void): { commands: Command[]; results: CommandResult[]; events: EngineEvent[][]; engine: MatchingEngine } {
  const sink = new EventCollector();
  const engine = new MatchingEngine(ENGINE_CONFIG, sink);
  const auditor = new Auditor(engine);
  const commands: Command[] = [];
  const results: CommandResult[] = [];
  const events: EngineEvent[][] = [];
  let ts = START;
  const exec = (cmd: Command): void => {
    onStep?.(commands.length, engine);
    const out = auditor.step(cmd, sink);
    commands.push(cmd);
    results.push(out.result);
    events.push(out.events);
  };
  for (const cmd of prefix(closeIn)) exec(cmd);
  for (const t of tpls) {
    ts += t.dt;
    exec(materialize(t, engine, ts));
  }
  return { commands, results, events, engine };
}

const closeInArb = fc.integer({ min: 1_000, max: 8_000 });

describe('properties over arbitrary command sequences', () => {
  it('invariants, conservation of shares and points, ledger and balance events, escrow - after every command', () => {
    const seen = new Map<string, number>();
    const see = (feature: string): void => {
      seen.set(feature, (seen.get(feature) ?? 0) + 1);
    };
    checkProperty(
      'conservation',
      fc.property(closeInArb, fc.array(tplArb, { minLength: 1, maxLength: 250, size: 'max' }), (closeIn, tpls) => {
        const run = runAudited(closeIn, tpls);
        for (const evs of run.events) {
          for (const ev of evs) {
            if (ev.type === 'TRADE') see(`TRADE ${ev.kind}`);
            else if (ev.type === 'ORDER_UPDATED') see(`ORDER_UPDATED ${ev.reason}`);
            else if (ev.type === 'LEDGER') see(`LEDGER ${ev.reason}`);
            else if (ev.type === 'MARKET_SETTLED') see(`MARKET_SETTLED ${ev.kind}`);
            else if (ev.type === 'COMMAND_REJECTED') see(ev.codeName);
          }
        }
        for (const r of run.results) if (r.ok && 'duplicate' in r && r.duplicate) see('DUPLICATE');
      }),
      300,
    );
    // the generator must actually exercise the engine, or the property proves little
    const count = (f: string): number => seen.get(f) ?? 0;
    expect(count('TRADE MINT') + count('TRADE TRANSFER') + count('TRADE MERGE')).toBeGreaterThan(600);
    const features = [
      'TRADE MINT', 'TRADE TRANSFER', 'TRADE MERGE',
      'ORDER_UPDATED FILL', 'ORDER_UPDATED AMEND', 'ORDER_UPDATED USER_CANCEL', 'ORDER_UPDATED SELF_TRADE',
      'ORDER_UPDATED UNFILLED', 'ORDER_UPDATED MARKET_CLOSED', 'ORDER_UPDATED EXPIRED',
      'LEDGER GRANT', 'LEDGER TRADE', 'LEDGER MINT', 'LEDGER MERGE', 'LEDGER NETTING', 'LEDGER SETTLEMENT', 'LEDGER VOID_REFUND',
      'MARKET_SETTLED RESOLUTION', 'MARKET_SETTLED VOID_REFUND', 'DUPLICATE',
      'INSUFFICIENT_BALANCE', 'INSUFFICIENT_SHARES', 'FOK_NOT_FILLABLE', 'POST_ONLY_WOULD_TAKE', 'MARKET_HALTED', 'MARKET_NOT_OPEN',
    ];
    expect(features.filter((f) => count(f) < 5)).toEqual([]);
  });

  it('snapshot -> restore -> replay of the remaining commands gives the same results, events and state hash', () => {
    checkProperty(
      'snapshot-replay',
      fc.property(closeInArb, fc.array(tplArb, { minLength: 1, maxLength: 120, size: 'max' }), fc.nat(), (closeIn, tpls, splitSeed) => {
        const total = tpls.length + prefix(closeIn).length;
        const split = splitSeed % (total + 1);
        let snap: EngineSnapshot | undefined;
        let hashAtSplit = '';
        const original = runAudited(closeIn, tpls, (i, engine) => {
          if (i === split) {
            snap = JSON.parse(JSON.stringify(engine.snapshot())) as EngineSnapshot; // as if stored and read back
            hashAtSplit = engine.stateHash();
          }
        });
        if (snap === undefined) {
          snap = JSON.parse(JSON.stringify(original.engine.snapshot())) as EngineSnapshot;
          hashAtSplit = original.engine.stateHash();
        }
        const sink = new EventCollector();
        const restored = MatchingEngine.restore(snap, ENGINE_CONFIG, sink);
        expect(restored.stateHash()).toBe(hashAtSplit);
        expect(restored.checkInvariants()).toEqual([]);
        for (let i = split; i < original.commands.length; i++) {
          const result = restored.execute(original.commands[i]!);
          expect(result, `command ${i}: ${JSON.stringify(original.commands[i])}`).toEqual(original.results[i]);
          expect(sink.take(), `events of command ${i}: ${JSON.stringify(original.commands[i])}`).toEqual(original.events[i]);
        }
        expect(restored.stateHash()).toBe(original.engine.stateHash());
        expect(restored.snapshot()).toEqual(original.engine.snapshot());

        // and a second engine fed the same commands from scratch is identical (determinism)
        const again = new MatchingEngine(ENGINE_CONFIG, new EventCollector());
        for (const cmd of original.commands) again.execute(cmd);
        expect(again.stateHash()).toBe(original.engine.stateHash());
      }),
      60,
    );
  });

  it('reports the seed of a failing property so that it can be reproduced', () => {
    let message = '';
    try {
      checkProperty('always fails', fc.property(fc.nat(), (n) => n < 0), 5);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain(`FC_SEED=${SEED}`);
    expect(message).toContain(`seed: ${SEED}`);
    expect(message).toContain('Counterexample');
  });
});

describe('snapshot and restore, deterministic cases', () => {
  it('the state hash ignores nothing but the clock: any change of state changes it', () => {
    const e = new MatchingEngine();
    e.execute({ type: 'GRANT', tsMs: 1, userId: 'a', amountCents: 100 });
    const h1 = e.stateHash();
    e.execute({ type: 'ADVANCE_TIME', tsMs: 50 });
    expect(e.stateHash()).toBe(h1);
    e.execute({ type: 'GRANT', tsMs: 50, userId: 'a', amountCents: 1 });
    expect(e.stateHash()).not.toBe(h1);
  });

  it('restore keeps GTD expiry and queue priority of resting orders', () => {
    const e = new MatchingEngine();
    for (const u of ['a', 'b', 'c']) e.execute({ type: 'GRANT', tsMs: 1, userId: u, amountCents: 10_000 });
    e.execute({ type: 'CREATE_MARKET', tsMs: 1, marketId: 'm' });
    e.execute({ type: 'SET_MARKET_STATUS', tsMs: 1, marketId: 'm', status: 'OPEN' });
    e.execute({ type: 'PLACE', tsMs: 2, userId: 'b', marketId: 'm', side: 'BUY', outcome: 'NO', orderType: 'LIMIT', priceCents: 45, qty: 5 });
    e.execute({ type: 'PLACE', tsMs: 3, userId: 'c', marketId: 'm', side: 'BUY', outcome: 'NO', orderType: 'LIMIT', priceCents: 45, qty: 5, timeInForce: 'GTD', expiresAtMs: 100 });
    const sink = new EventCollector();
    const r = MatchingEngine.restore(JSON.parse(JSON.stringify(e.snapshot())) as EngineSnapshot, {}, sink);
    r.execute({ type: 'PLACE', tsMs: 4, userId: 'a', marketId: 'm', side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 55, qty: 3 });
    expect(sink.take().filter((ev) => ev.type === 'TRADE').map((t) => t.makerUserId)).toEqual(['b']);
    r.execute({ type: 'ADVANCE_TIME', tsMs: 100 });
    expect(sink.take().filter((ev) => ev.type === 'ORDER_UPDATED')).toEqual([expect.objectContaining({ userId: 'c', status: 'EXPIRED' })]);
  });

  it('restore keeps the market creation order that marketIds() and getPositions() document', () => {
    const e = new MatchingEngine();
    e.execute({ type: 'GRANT', tsMs: 1, userId: 'a', amountCents: 10_000 });
    for (const id of ['zeta', 'alpha']) {
      e.execute({ type: 'CREATE_MARKET', tsMs: 1, marketId: id });
      e.execute({ type: 'SET_MARKET_STATUS', tsMs: 1, marketId: id, status: 'OPEN' });
      e.execute({ type: 'PLACE', tsMs: 1, userId: 'a', marketId: id, side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 10, qty: 1 });
    }
    const r = MatchingEngine.restore(e.snapshot());
    expect(r.stateHash()).toBe(e.stateHash());
    expect(r.marketIds()).toEqual(e.marketIds());
    expect(r.getPositions('a').map((p) => p.marketId)).toEqual(e.getPositions('a').map((p) => p.marketId));
  });
});
