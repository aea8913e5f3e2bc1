/**
 * The random-stream harness behind test/streams.test.ts: a seeded generator of realistic
 * command streams and `runStream`, which feeds every command to the engine and to the naive
 * reference model (test/reference.ts) and compares them result by result and event by event,
 * runs both models' invariant checks after every command, and at every checkpoint compares
 * the full state, checks snapshot -> restore -> state hash, and has the restored copy replay
 * the rest of the stream (its results and events must equal the original's).
 *
 * No vitest import here: `runStream` throws an Error naming the seed, the command index and
 * the rerun command on the first disagreement.
 */
import { EventCollector, MatchingEngine } from '../src/index.ts';
import type {
  Command,
  CommandResult,
  EngineConfig,
  EngineEvent,
  MarketStatus,
  Outcome,
  PlaceOrderCommand,
  Side,
  StpMode,
} from '../src/index.ts';
import { ReferenceModel } from './reference.ts';
import { mulberry32 } from '../bench/workloads.ts';

export const DEFAULT_SEEDS = [0x5eed_0001, 20_240_611, 77_777, 0xc0ffee];
export const CHECKPOINT = 5_000;

/** Tight limits so that every limit is reached now and then. */
export const STREAM_CONFIG: Partial<EngineConfig> = {
  maxOrderQty: 500,
  maxOpenOrdersPerUserPerMarket: 5,
  maxClientOrderIdLength: 12,
  maxIdLength: 16,
  maxGrantCents: 10_000_000,
  maxAccountCents: 12_000_000,
  // Short enough that streams retry ids both inside and after their retention window.
  clientOrderIdRetentionMs: 300_000,
};
const CONFIG = STREAM_CONFIG;

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];

// ---------------------------------------------------------------------------------------
// Deterministic randomness


class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Integer in lo..hi inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[Math.floor(this.next() * xs.length)];
    if (x === undefined) throw new Error('pick from empty list');
    return x;
  }
  /** Index chosen by weight. */
  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!;
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}

// ---------------------------------------------------------------------------------------
// The stream generator. It reads the reference model's state to make realistic commands
// (sell what is held, cancel and amend live orders, manage market lifecycles).

type Lifecycle = 'RESOLVE_YES' | 'VOID' | 'RESOLVE_NO';
const SETTLE_CYCLE: Lifecycle[] = ['RESOLVE_YES', 'VOID', 'RESOLVE_NO', 'VOID', 'RESOLVE_YES', 'RESOLVE_NO'];

class StreamGenerator {
  private readonly rng: Rng;
  private now = 1_700_000_000_000;
  private readonly queue: ((ts: number) => Command)[] = [];
  private marketCounter = 0;
  private settleCounter = 0;
  /** Fair YES price per market: a random walk that order prices cluster around. */
  private readonly fair = new Map<string, number>();
  private readonly maxQty: number;
  private commandIndex = 0;
  /** Recent client order ids per user, for retries. */
  private readonly coids = new Map<string, string[]>();
  private coidCounter = 0;
  /** The seed's profile: how many traders, how often they cross themselves, send market orders, quote deep. */
  private readonly users: string[];
  private readonly selfCrossRate: number;
  private readonly marketOrderRate: number;
  private readonly deepQuoteRate: number;

  /** `total`: the stream's length; settlements are forced by 20 %, 45 % and 70 % of it if too few came by chance. */
  constructor(
    seed: number,
    private readonly ref: ReferenceModel,
    private readonly total: number,
  ) {
    this.rng = new Rng(seed);
    this.maxQty = ref.config.maxOrderQty;
    const r = this.rng;
    this.users = USERS.slice(0, r.int(3, USERS.length));
    this.selfCrossRate = r.pick([0.03, 0.07, 0.15]);
    this.marketOrderRate = r.pick([0.06, 0.12, 0.2]);
    this.deepQuoteRate = r.pick([0.05, 0.12, 0.25]);
    for (const u of this.users) this.queue.push((ts) => ({ type: 'GRANT', tsMs: ts, userId: u, amountCents: 500_000 }));
    this.queue.push((ts) => ({ type: 'OPEN_ACCOUNT', tsMs: ts, userId: 'pauper' }));
    // The first market closes by itself some 15 % into the stream (~0.5 s per command), before any forced settlement.
    this.newMarket(1, this.now + Math.max(60_000, Math.floor(total * 0.15) * 500));
    this.newMarket(1);
    this.newMarket(5);
  }

  private newMarket(tick?: number, closesAtMs?: number): void {
    const id = `mkt-${++this.marketCounter}`;
    const r = this.rng;
    const tickCents = tick ?? (r.chance(0.75) ? 1 : r.pick([2, 5, 10]));
    // Close times on the hour, so that two markets sometimes close in the same command.
    const closes = closesAtMs ?? (r.chance(0.6) ? null : Math.ceil((this.now + r.int(14_400_000, 43_200_000)) / 3_600_000) * 3_600_000);
    this.fair.set(id, r.int(15, 85));
    this.queue.push((ts) => ({ type: 'CREATE_MARKET', tsMs: ts, marketId: id, closesAtMs: closes, tickCents }));
    // Opened a little later: meanwhile orders meet a DRAFT market.
    const delay = r.int(0, 30);
    for (let i = 0; i < delay; i++) this.queue.push(() => this.randomCommand());
    this.queue.push((ts) => ({ type: 'SET_MARKET_STATUS', tsMs: ts, marketId: id, status: 'OPEN' }));
  }

  next(): Command {
    const r = this.rng;
    this.commandIndex++;
    // Time: mostly small steps, sometimes a pause, rarely a late stamp (the engine keeps max).
    const roll = r.float();
    this.now += roll < 0.9 ? r.int(0, 40) : roll < 0.99 ? r.int(40, 2_000) : r.int(2_000, 30_000);
    for (const [id, f] of this.fair) {
      if (r.chance(0.03)) this.fair.set(id, Math.min(92, Math.max(8, f + (r.chance(0.5) ? 1 : -1))));
    }
    const queued = this.queue.shift();
    if (queued !== undefined) return queued(this.stamp());
    const life = this.lifecycle();
    if (life !== null) return life;
    return this.randomCommand();
  }

  private stamp(): number {
    return this.rng.chance(0.02) ? this.now - this.rng.int(1, 500) : this.now;
  }

  /** Rare admin actions: halts, resumes, closes, resolutions, voids, new markets. */
  private lifecycle(): Command | null {
    const r = this.rng;
    const markets = this.ref.listMarkets();
    const live = markets.filter((m) => m.status === 'DRAFT' || m.status === 'OPEN' || m.status === 'HALTED');
    const ts = this.stamp();
    if (live.filter((m) => m.status !== 'DRAFT' || m.closesAtMs === null || m.closesAtMs > this.now).length < 3 && r.chance(0.01)) {
      this.newMarket();
      return this.queue.shift()!(ts);
    }
    const forced = [0.2, 0.45, 0.7].some((at, i) => this.commandIndex >= at * this.total && this.settleCounter <= i);
    const settleable = markets.filter((m) => m.status === 'OPEN' || m.status === 'HALTED' || m.status === 'CLOSED');
    if (forced && settleable.length > 0) {
      // The market with the most pairs outstanding: a settlement with holders to pay.
      const pairs = (id: string): number => this.ref.getMarket(id)?.pairsOutstanding ?? 0;
      const most = settleable.reduce((a, b) => (pairs(b.marketId) > pairs(a.marketId) ? b : a));
      return this.settle(most.marketId, ts);
    }
    for (const m of markets) {
      const id = m.marketId;
      switch (m.status) {
        case 'DRAFT':
          // A draft whose close time passed can never open: void it.
          if (m.closesAtMs !== null && m.closesAtMs <= this.now && r.chance(0.01)) return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: id, status: 'CANCELLED' };
          break;
        case 'HALTED':
          if (r.chance(0.01)) return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: id, status: 'OPEN' };
          if (r.chance(1 / 10_000)) return this.settle(id, ts);
          break;
        case 'OPEN':
          if (r.chance(1 / 6_000)) return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: id, status: 'HALTED' };
          if (r.chance(1 / 300_000)) return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: id, status: 'CLOSED' };
          if (r.chance(1 / 200_000)) return this.settle(id, ts);
          break;
        case 'CLOSED':
          if (r.chance(1 / 300)) return this.settle(id, ts);
          break;
        default:
          break;
      }
    }
    return null;
  }

  private settle(marketId: string, ts: number): Command {
    const kind = SETTLE_CYCLE[this.settleCounter++ % SETTLE_CYCLE.length]!;
    if (kind === 'VOID') return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId, status: 'CANCELLED' };
    return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId, status: 'RESOLVED', outcome: kind === 'RESOLVE_YES' ? 'YES' : 'NO' };
  }

  private randomCommand(): Command {
    const r = this.rng;
    const ts = this.stamp();
    switch (r.weighted([56, 14, 12, 2, 2, 3, 0.4, 0.6])) {
      case 0:
        return this.place(ts);
      case 1:
        return this.cancel(ts);
      case 2:
        return this.amend(ts);
      case 3:
        return this.cancelAll(ts);
      case 4:
        return this.grant(ts);
      case 5:
        this.now += r.int(100, 20_000);
        return { type: 'ADVANCE_TIME', tsMs: this.now };
      case 6:
        return { type: 'OPEN_ACCOUNT', tsMs: ts, userId: r.pick([...this.users, 'pauper', 'newbie', '', 'x'.repeat(17)]) };
      default:
        return this.badAdmin(ts);
    }
  }

  private tradableMarkets(): { marketId: string; tickCents: number }[] {
    return this.ref.listMarkets().filter((m) => m.status === 'OPEN');
  }

  private snap(price: number, tick: number): number {
    const p = Math.round(price / tick) * tick;
    return Math.min(100 - tick, Math.max(tick, p));
  }

  private place(ts: number): Command {
    const r = this.rng;
    const userId = r.chance(0.995) ? r.pick(this.users) : r.pick(['pauper', 'ghost']);
    const open = this.tradableMarkets();
    const all = this.ref.listMarkets();
    let market: { marketId: string; tickCents: number } | undefined;
    if (open.length > 0 && r.chance(0.96)) market = r.pick(open);
    else if (all.length > 0 && r.chance(0.8)) market = r.pick(all);
    else market = { marketId: 'nope', tickCents: 1 };
    const marketId = market.marketId;
    const tick = market.tickCents;
    const mine = this.ref.getUserOrders(userId, marketId);

    // Requoting: a user near the open-order limit usually cancels its oldest order first.
    if (mine.length >= this.ref.config.maxOpenOrdersPerUserPerMarket && r.chance(0.4)) {
      return { type: 'CANCEL', tsMs: ts, userId, orderId: mine[0]!.orderId };
    }

    const fairYes = this.fair.get(marketId) ?? 50;
    const pos = this.ref.getPosition(userId, marketId);
    const availYes = pos === undefined ? 0 : pos.yesShares - pos.yesLockedShares;
    const availNo = pos === undefined ? 0 : pos.noShares - pos.noLockedShares;
    let side: Side;
    let outcome: Outcome;
    const selfCross = mine.length > 0 && r.chance(this.selfCrossRate);
    let price: number;
    if (selfCross) {
      // Take one of the user's own resting orders: exercises self-trade prevention.
      const target = r.pick(mine);
      const y = target.yesPriceCents!;
      if (target.bookSide === 'BID') {
        // Hit our own bid: SELL YES at <= y if held, else BUY NO at >= 100 - y.
        if (availYes > 0 && r.chance(0.5)) [side, outcome, price] = ['SELL', 'YES', y - r.int(0, 1) * tick];
        else [side, outcome, price] = ['BUY', 'NO', 100 - y + r.int(0, 1) * tick];
      } else if (availNo > 0 && r.chance(0.5)) [side, outcome, price] = ['SELL', 'NO', 100 - y - r.int(0, 1) * tick];
      else [side, outcome, price] = ['BUY', 'YES', y + r.int(0, 1) * tick];
      price = this.snap(price, tick);
    } else {
      const held = availYes > 0 ? 'YES' : availNo > 0 ? 'NO' : null;
      if (held !== null && r.chance(0.5)) [side, outcome] = ['SELL', held];
      else if (r.chance(0.04)) [side, outcome] = ['SELL', r.chance(0.5) ? 'YES' : 'NO'];
      else [side, outcome] = ['BUY', r.chance(0.5) ? 'YES' : 'NO'];
      const fairOwn = outcome === 'YES' ? fairYes : 100 - fairYes;
      // Mostly near the fair price (crossing often); sometimes a deep quote that rests a long time.
      const offset = r.chance(this.deepQuoteRate) ? r.int(8, 25) : 0;
      price = this.snap(fairOwn + (side === 'BUY' ? r.int(-7, 3) - offset : r.int(-3, 7) + offset), tick);
    }
    const avail = side === 'SELL' ? (outcome === 'YES' ? availYes : availNo) : 0;

    const roll = r.float();
    let qty = roll < 0.6 ? r.int(1, 10) : roll < 0.92 ? r.int(10, 60) : r.int(60, 300);
    if (side === 'SELL' && avail > 0 && r.chance(0.85)) qty = Math.min(qty, avail);

    const cmd: PlaceOrderCommand = { type: 'PLACE', tsMs: ts, userId, marketId, side, outcome, orderType: 'LIMIT', qty };
    if (r.chance(this.marketOrderRate)) {
      cmd.orderType = 'MARKET';
      if (side === 'BUY') qty = cmd.qty = r.int(1, 40);
      const t = r.float();
      if (t < 0.6) cmd.timeInForce = 'IOC';
      else if (t < 0.85) cmd.timeInForce = 'FOK';
      if (side === 'BUY' && r.chance(0.4)) cmd.maxCostCents = r.int(30, qty * 70);
    } else {
      cmd.priceCents = price;
      const t = r.float();
      if (t < 0.3) cmd.timeInForce = 'GTC';
      else if (t < 0.58) {
        /* default GTC */
      } else if (t < 0.78) {
        cmd.timeInForce = 'GTD';
        cmd.expiresAtMs = this.now + r.int(50, 60_000);
        // Round seconds now and then: several orders expire in one command, ordered by id.
        if (r.chance(0.5)) cmd.expiresAtMs = Math.ceil(cmd.expiresAtMs / 1_000) * 1_000 + 1;
      } else if (t < 0.9) cmd.timeInForce = 'IOC';
      else {
        cmd.timeInForce = 'FOK';
        if (r.chance(0.6)) cmd.priceCents = this.snap(price + (side === 'BUY' ? 1 : -1) * r.int(0, 10), tick);
      }
      if ((cmd.timeInForce === undefined || cmd.timeInForce === 'GTC' || cmd.timeInForce === 'GTD') && r.chance(0.12)) cmd.postOnly = true;
    }
    if (r.chance(0.6)) cmd.stp = r.pick<StpMode>(['CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH']);
    if (r.chance(0.25)) {
      // Mostly a fresh id; sometimes a retry of one this user sent before (live or finished).
      const used = this.coids.get(userId) ?? [];
      if (used.length > 0 && r.chance(0.2)) cmd.clientOrderId = r.pick(used);
      else {
        cmd.clientOrderId = `c${++this.coidCounter}`;
        used.push(cmd.clientOrderId);
        if (used.length > 50) used.shift();
        this.coids.set(userId, used);
      }
    }
    if (r.chance(0.045)) this.corrupt(cmd);
    return cmd;
  }

  /** One invalid field (validation paths), including values that are Object.prototype keys. */
  private corrupt(cmd: PlaceOrderCommand): void {
    const r = this.rng;
    const c = cmd as unknown as Record<string, unknown>;
    switch (r.int(0, 21)) {
      case 0: c.priceCents = r.pick([0, 100, -1, 50.5, 1e9, '50']); cmd.orderType = 'LIMIT'; break;
      case 1: c.priceCents = null; cmd.orderType = 'LIMIT'; break;
      case 2: cmd.orderType = 'MARKET'; cmd.priceCents = 50; delete cmd.timeInForce; delete cmd.expiresAtMs; delete cmd.postOnly; break;
      case 3: c.qty = r.pick([0, -5, 2.5, Number.NaN, '3']); break;
      case 4: cmd.qty = this.maxQty + r.int(1, 10); break;
      case 5: {
        // Off the tick of a coarse-tick market.
        const coarse = this.tradableMarkets().filter((m) => m.tickCents > 1);
        const m = coarse.length > 0 ? r.pick(coarse) : undefined;
        if (m === undefined) c.priceCents = 33.3;
        else {
          cmd.marketId = m.marketId;
          cmd.orderType = 'LIMIT';
          cmd.priceCents = this.snap(r.int(10, 90), m.tickCents) + r.int(1, m.tickCents - 1);
        }
        break;
      }
      case 6: c.timeInForce = r.pick(['DAY', 'toString', 'constructor', 'gtc']); break;
      case 7: c.stp = r.pick(['NONE', '__proto__', 'valueOf', 'hasOwnProperty']); break;
      case 8: c.side = r.pick(['HOLD', 'buy', 'toString']); break;
      case 9: c.outcome = r.pick(['MAYBE', 'yes', '']); break;
      case 10: c.orderType = r.pick(['STOP', 'limit']); break;
      case 11: cmd.postOnly = true; cmd.timeInForce = r.pick(['IOC', 'FOK'] as const); delete cmd.expiresAtMs; break;
      case 12: cmd.orderType = 'MARKET'; delete cmd.priceCents; cmd.timeInForce = r.pick(['GTC', 'GTD'] as const); break;
      case 13: cmd.orderType = 'LIMIT'; cmd.priceCents ??= 50; cmd.timeInForce = 'GTD'; c.expiresAtMs = r.pick([null, this.now - r.int(0, 1000), 1.5]); break;
      case 14: cmd.timeInForce = 'GTC'; cmd.expiresAtMs = this.now + 1000; break;
      case 15: cmd.orderType = 'LIMIT'; cmd.priceCents ??= 50; cmd.maxCostCents = 500; break;
      case 16: cmd.orderType = 'MARKET'; delete cmd.priceCents; delete cmd.timeInForce; delete cmd.expiresAtMs; delete cmd.postOnly; c.maxCostCents = r.pick([0, -3, 2.5]); break;
      case 17: cmd.orderType = 'MARKET'; delete cmd.priceCents; delete cmd.timeInForce; delete cmd.expiresAtMs; delete cmd.postOnly; cmd.side = 'SELL'; cmd.maxCostCents = 100; break;
      case 18: c.postOnly = r.pick(['yes', 1]); break;
      case 19: c.clientOrderId = r.pick(['', 'x'.repeat(13), 5]); break;
      case 20: cmd.marketId = r.pick(['nope', '']); break;
      default: cmd.userId = 'ghost'; break;
    }
  }

  /** Every resting order's id and owner, from the reference. */
  private allOrders(): { orderId: number; userId: string }[] {
    return this.ref.restingOrderOwners();
  }

  private cancel(ts: number): Command {
    const r = this.rng;
    const userId = r.pick(this.users);
    const mine = this.ref.getUserOrders(userId);
    const roll = r.float();
    let orderId: number;
    if (roll < 0.65 && mine.length > 0) orderId = (r.chance(0.5) ? mine[0]! : r.pick(mine)).orderId;
    else if (roll < 0.77) {
      const others = this.allOrders().filter((o) => o.userId !== userId);
      orderId = others.length > 0 ? r.pick(others).orderId : 1;
    } else if (roll < 0.92) orderId = r.int(1, Math.max(1, this.ref.lastOrderId));
    else orderId = r.pick([this.ref.lastOrderId + 1_000, -1, 0, 1.5]);
    return { type: 'CANCEL', tsMs: ts, userId: r.chance(0.99) ? userId : 'ghost', orderId };
  }

  private cancelAll(ts: number): Command {
    const r = this.rng;
    const userId = r.chance(0.97) ? r.pick(this.users) : 'ghost';
    const roll = r.float();
    const markets = this.ref.listMarkets();
    if (roll < 0.6 && markets.length > 0) return { type: 'CANCEL_ALL', tsMs: ts, userId, marketId: r.pick(markets).marketId };
    if (roll < 0.92) return { type: 'CANCEL_ALL', tsMs: ts, userId, marketId: r.chance(0.5) ? null : undefined };
    return { type: 'CANCEL_ALL', tsMs: ts, userId, marketId: 'nope' };
  }

  private amend(ts: number): Command {
    const r = this.rng;
    const userId = r.pick(this.users);
    const mine = this.ref.getUserOrders(userId);
    if (mine.length === 0 || r.chance(0.06)) {
      const others = this.allOrders();
      const orderId = others.length > 0 && r.chance(0.7) ? r.pick(others).orderId : r.int(1, this.ref.lastOrderId + 10);
      return { type: 'AMEND', tsMs: ts, userId, orderId, qty: r.int(1, 20) };
    }
    const o = r.pick(mine);
    const tick = this.ref.listMarkets().find((m) => m.marketId === o.marketId)?.tickCents ?? 1;
    const p = o.priceCents!;
    const rem = o.remainingQty;
    const step = (): number => (r.chance(0.5) ? 1 : -1) * r.int(1, 4) * tick;
    const base = { type: 'AMEND' as const, tsMs: ts, userId, orderId: o.orderId };
    switch (r.weighted([30, 25, 15, 12, 5, 6])) {
      case 0:
        return rem > 1 ? { ...base, qty: r.int(1, rem - 1) } : { ...base, qty: rem + r.int(1, 5) };
      case 1:
        return { ...base, priceCents: this.snap(p + step(), tick) };
      case 2:
        return { ...base, qty: rem + r.int(1, 30), priceCents: r.chance(0.5) ? p : null };
      case 3:
        return { ...base, priceCents: this.snap(p + step(), tick), qty: r.int(1, rem + 20) };
      case 4:
        return r.chance(0.5) ? { ...base, priceCents: p, qty: rem } : { ...base };
      default: {
        const bad: unknown = r.pick([0, 100, 12.5, -4, p + (tick > 1 ? 1 : 0.5)]);
        if (r.chance(0.5)) return { ...base, priceCents: bad as number };
        return { ...base, qty: r.pick([0, -1, 1.5, this.maxQty + 1]) };
      }
    }
  }

  private grant(ts: number): Command {
    const r = this.rng;
    const poorest = this.users.map((u) => this.ref.getAccount(u))
      .filter((a) => a !== undefined)
      .sort((a, b) => a.availableCents - b.availableCents)[0];
    const roll = r.float();
    if (roll < 0.04) return { type: 'GRANT', tsMs: ts, userId: r.pick(this.users), amountCents: r.pick([0, -5, 1.5, this.ref.config.maxGrantCents + 1]) };
    // A huge grant to anyone: BALANCE_LIMIT when the account is already rich.
    if (roll < 0.06) return { type: 'GRANT', tsMs: ts, userId: r.pick(this.users), amountCents: this.ref.config.maxGrantCents };
    if (roll < 0.08) return { type: 'GRANT', tsMs: ts, userId: r.pick(['', 'newbie', 'z'.repeat(17)]), amountCents: 100_000 };
    // Top up whoever runs low; otherwise a token grant (points must not pile up beyond the account limit).
    if (poorest !== undefined && poorest.availableCents < 200_000) return { type: 'GRANT', tsMs: ts, userId: poorest.userId, amountCents: r.int(50_000, 400_000) };
    return { type: 'GRANT', tsMs: ts, userId: r.pick(this.users), amountCents: r.int(1, 5_000) };
  }

  private badAdmin(ts: number): Command {
    const r = this.rng;
    const markets = this.ref.listMarkets();
    const some = markets.length > 0 ? r.pick(markets).marketId : 'mkt-1';
    switch (r.int(0, 8)) {
      case 0: return { type: 'CREATE_MARKET', tsMs: ts, marketId: some };
      case 1: return { type: 'CREATE_MARKET', tsMs: ts, marketId: `bad-${r.int(0, 1e6)}`, tickCents: r.pick([3, 0, 7, 100]) };
      case 2: return { type: 'CREATE_MARKET', tsMs: ts, marketId: r.pick(['', 'y'.repeat(17)]) };
      case 3: return { type: 'CREATE_MARKET', tsMs: ts, marketId: `bad-${r.int(0, 1e6)}`, closesAtMs: r.pick([-1, 1.5]) };
      case 4: return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: 'nope', status: 'OPEN' };
      case 5: return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: some, status: 'PAUSED' as never };
      case 6: return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: some, status: 'RESOLVED', outcome: r.pick([null, 'MAYBE' as Outcome]) };
      case 7: return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: some, status: 'HALTED', outcome: 'YES' };
      default: {
        // A transition the lifecycle forbids (never a valid one: those are the lifecycle's business).
        const m = markets.length > 0 ? r.pick(markets) : undefined;
        const forbidden: Record<string, MarketStatus[]> = {
          DRAFT: ['DRAFT', 'HALTED', 'CLOSED'],
          OPEN: ['DRAFT', 'OPEN'],
          HALTED: ['DRAFT', 'HALTED'],
          CLOSED: ['DRAFT', 'OPEN', 'HALTED', 'CLOSED'],
          RESOLVED: ['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'CANCELLED'],
          CANCELLED: ['DRAFT', 'OPEN', 'HALTED', 'CLOSED', 'CANCELLED'],
        };
        return { type: 'SET_MARKET_STATUS', tsMs: ts, marketId: m?.marketId ?? 'nope', status: r.pick(forbidden[m?.status ?? 'DRAFT']!) };
      }
    }
  }
}

// ---------------------------------------------------------------------------------------
// Comparison helpers

/** Strict structural equality: same keys, same values (NaN equals NaN). */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ka = Object.keys(ao);
  if (ka.length !== Object.keys(bo).length) return false;
  for (const k of ka) if (!Object.hasOwn(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  return true;
}

const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));

function describeEventDiff(engine: EngineEvent[], reference: EngineEvent[]): string {
  const n = Math.max(engine.length, reference.length);
  for (let i = 0; i < n; i++) {
    if (!deepEqual(engine[i], reference[i])) {
      return [
        `first difference at event ${i} of ${engine.length} (engine) / ${reference.length} (reference)`,
        `  engine:    ${show(engine[i])}`,
        `  reference: ${show(reference[i])}`,
        `engine events:\n    ${engine.map(show).join('\n    ')}`,
        `reference events:\n    ${reference.map(show).join('\n    ')}`,
      ].join('\n');
    }
  }
  return 'no difference';
}

export interface Counts {
  [k: string]: number;
}

function bump(c: Counts, k: string, by = 1): void {
  c[k] = (c[k] ?? 0) + by;
}

/** Tallies of the interesting things a command did, from its result and events. */
function tally(c: Counts, cmd: Command, result: CommandResult, events: EngineEvent[]): void {
  bump(c, `cmd.${cmd.type}`);
  if (!result.ok) {
    bump(c, `reject.${result.codeName}`);
    if (cmd.type === 'AMEND') bump(c, `amendReject.${result.codeName}`);
  }
  if (result.ok && 'duplicate' in result && result.duplicate) {
    bump(c, 'duplicates');
    bump(c, result.order === null ? 'duplicates.ofFinished' : 'duplicates.ofResting');
  }
  let payoutBasis = 0;
  let expired = 0;
  let closed = 0;
  let selfTrade = 0;
  for (const e of events) {
    switch (e.type) {
      case 'TRADE':
        bump(c, `trade.${e.kind}`);
        if (cmd.type === 'PLACE' && cmd.orderType === 'LIMIT' && e.takerUserId === cmd.userId && typeof cmd.priceCents === 'number') {
          const own = cmd.outcome === 'YES' ? e.yesPriceCents : 100 - e.yesPriceCents;
          if (own !== cmd.priceCents) bump(c, 'priceImprovement');
        }
        break;
      case 'LEDGER':
        if (e.reason === 'NETTING') bump(c, 'ledger.NETTING');
        if (e.reason === 'VOID_REMAINDER') bump(c, 'ledger.VOID_REMAINDER');
        break;
      case 'ORDER_UPDATED':
        bump(c, `update.${e.reason}`);
        if (e.reason === 'FILL' && e.status === 'PARTIALLY_FILLED') bump(c, 'partialFills');
        if (e.reason === 'EXPIRED') expired++;
        if (e.reason === 'SELF_TRADE') selfTrade++;
        break;
      case 'PAYOUT':
        payoutBasis += e.costBasisCents;
        break;
      case 'MARKET_STATUS':
        if (e.status === 'CLOSED' && cmd.type !== 'SET_MARKET_STATUS') {
          bump(c, 'autoCloses');
          closed++;
        }
        if (e.status === 'CLOSED' && e.previousStatus === 'HALTED') bump(c, 'closedWhileHalted');
        if (e.status === 'HALTED') bump(c, 'halts');
        break;
      case 'MARKET_SETTLED':
        bump(c, `settled.${e.kind}`);
        if (e.kind === 'VOID_REFUND' && payoutBasis > e.collateralCents) bump(c, 'voidProRata');
        if (e.kind === 'VOID_REFUND' && payoutBasis <= e.collateralCents && e.holders > 0) bump(c, 'voidFullRefund');
        if (e.kind === 'VOID_REFUND' && e.holders > 0) bump(c, 'voidWithHolders');
        break;
      default:
        break;
    }
  }
  if (expired > 1) bump(c, 'multiExpiryCommands');
  if (closed > 1) bump(c, 'multiCloseCommands');
  if (selfTrade > 0 && cmd.type === 'PLACE') bump(c, `stp.${cmd.stp ?? 'default'}`);
  if (selfTrade > 0 && cmd.type === 'AMEND') bump(c, 'stp.amend');
  if (cmd.type === 'PLACE' && result.ok && !('duplicate' in result && result.duplicate) && 'status' in result) {
    if (cmd.timeInForce === 'FOK') bump(c, cmd.orderType === 'MARKET' ? 'fokFilled.MARKET' : 'fokFilled.LIMIT');
    if (cmd.orderType === 'MARKET' && cmd.maxCostCents != null) bump(c, 'marketBuysWithMaxCost');
    if (cmd.timeInForce === 'GTD' && result.remainingQty > 0) bump(c, 'gtdRested');
  }
  if (cmd.type === 'PLACE' && !result.ok && result.codeName === 'FOK_NOT_FILLABLE' && cmd.orderType === 'MARKET') bump(c, 'fokRejected.MARKET');
  if (cmd.type === 'AMEND' && result.ok && 'status' in result && result.filledQty > 0) bump(c, 'amendsAfterFill');
}

/** The minimum count of each interesting thing, per seed of 100,000 commands (scaled for shorter runs). */
export const MINIMUMS: Record<string, number> = {
  'trade.MINT': 2_000,
  'trade.TRANSFER': 2_000,
  'trade.MERGE': 500,
  'ledger.NETTING': 200,
  'update.SELF_TRADE': 200,
  'update.EXPIRED': 200,
  'update.MARKET_CLOSED': 5,
  'update.AMEND': 2_000,
  'update.USER_CANCEL': 2_000,
  'update.UNFILLED': 500,
  partialFills: 500,
  'fokFilled.LIMIT': 50,
  'fokFilled.MARKET': 20,
  'fokRejected.MARKET': 5,
  priceImprovement: 200,
  'stp.CANCEL_TAKER': 20,
  'stp.CANCEL_MAKER': 20,
  'stp.CANCEL_BOTH': 20,
  'stp.default': 20,
  'stp.amend': 5,
  'amendReject.POST_ONLY_WOULD_TAKE': 5,
  'amendReject.INSUFFICIENT_SHARES': 20,
  'amendReject.MARKET_HALTED': 5,
  amendsAfterFill: 200,
  gtdRested: 500,
  multiExpiryCommands: 20,
  'reject.BALANCE_LIMIT': 1,
  'reject.INVALID_AMOUNT': 5,
  'reject.INVALID_ID': 5,
  'reject.INVALID_TICK': 5,
  'reject.MARKET_EXISTS': 5,
  'reject.INVALID_OUTCOME': 5,
  'reject.FOK_NOT_FILLABLE': 50,
  'reject.POST_ONLY_WOULD_TAKE': 50,
  'reject.INSUFFICIENT_SHARES': 20,
  'reject.INSUFFICIENT_BALANCE': 5,
  'reject.TOO_MANY_OPEN_ORDERS': 5,
  'reject.UNKNOWN_ORDER': 200,
  'reject.INVALID_PRICE': 20,
  'reject.PRICE_NOT_ON_TICK': 5,
  'reject.INVALID_QUANTITY': 10,
  'reject.QUANTITY_TOO_LARGE': 5,
  'reject.INVALID_FIELD': 20,
  'reject.INVALID_ORDER_TYPE': 10,
  'reject.INVALID_EXPIRY': 10,
  'reject.INVALID_MAX_COST': 10,
  'reject.INVALID_CLIENT_ORDER_ID': 5,
  'reject.AMEND_NO_CHANGE': 20,
  'reject.MARKET_HALTED': 5,
  'reject.MARKET_NOT_OPEN': 20,
  'reject.UNKNOWN_MARKET': 10,
  'reject.UNKNOWN_ACCOUNT': 5,
  'reject.INVALID_TRANSITION': 5,
  duplicates: 200,
  'duplicates.ofFinished': 50,
  'duplicates.ofResting': 10,
  marketBuysWithMaxCost: 50,
  halts: 2,
  'settled.RESOLUTION': 2,
  'settled.VOID_REFUND': 1,
  voidWithHolders: 1,
  autoCloses: 1,
  'cmd.ADVANCE_TIME': 500,
  'cmd.GRANT': 500,
};

// ---------------------------------------------------------------------------------------

export function runStream(seed: number, commands: number): Counts {
  const engineEvents = new EventCollector();
  const engine = new MatchingEngine(CONFIG, engineEvents);
  const ref = new ReferenceModel(CONFIG);
  const gen = new StreamGenerator(seed, ref, commands);
  const counts: Counts = {};
  const recent: Command[] = [];
  let restored = null as MatchingEngine | null;
  const restoredEvents = new EventCollector();
  let index = 0;
  let cmd: Command | undefined;

  const fail = (what: string): never => {
    // The stream depends on its length too (settlements are scheduled by fraction of it).
    const rerun = `rerun: STREAM_SEED=${seed} STREAM_COMMANDS=${commands} npx vitest run test/streams.test.ts   (in packages/matching-engine)`;
    throw new Error(
      `stream seed ${seed}, command #${index}${cmd === undefined ? '' : ` (${cmd.type})`}: ${what}\n` +
        `command: ${show(cmd)}\n` +
        `previous commands:\n    ${recent.slice(0, -1).map(show).join('\n    ')}\n${rerun}`,
    );
  };
  const same = (what: string, engineValue: unknown, refValue: unknown): void => {
    if (!deepEqual(engineValue, refValue)) fail(`${what} differ\n  engine:    ${show(engineValue)}\n  reference: ${show(refValue)}`);
  };

  /** Run `f`; an exception (a bug) becomes a failure that names the seed and the command. */
  const guard = <T>(what: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      return fail(`${what} threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  };

  const fullCompare = (): void => {
    same('snapshots', engine.snapshot(), ref.snapshot());
    same('market ids', engine.marketIds(), ref.marketIds());
    for (const m of ref.marketIds()) {
      same(`market ${m}`, engine.getMarket(m), ref.getMarket(m));
      same(`YES ladder ${m}`, engine.getLadder(m, 'YES', 100), ref.getLadder(m, 'YES', 100));
      same(`NO ladder ${m}`, engine.getLadder(m, 'NO', 100), ref.getLadder(m, 'NO', 100));
      same(`top-3 NO ladder ${m}`, engine.getLadder(m, 'NO', 3), ref.getLadder(m, 'NO', 3));
    }
    for (const u of [...ref.userIds(), 'ghost']) {
      same(`account ${u}`, engine.getAccount(u), ref.getAccount(u));
      same(`positions ${u}`, engine.getPositions(u), ref.getPositions(u));
      same(`orders ${u}`, engine.getUserOrders(u), ref.getUserOrders(u));
      for (const m of [...ref.marketIds(), 'nope']) {
        same(`position ${u}/${m}`, engine.getPosition(u, m), ref.getPosition(u, m));
        same(`orders ${u}/${m}`, engine.getUserOrders(u, m), ref.getUserOrders(u, m));
      }
    }
    same('totals', engine.totals(), ref.totals());
    for (const o of ref.restingOrders()) same(`order ${o.orderId}`, engine.getOrder(o.orderId), o);
    // Snapshot -> restore gives the same state hash; the restored copy then replays the stream.
    const copy = guard('MatchingEngine.restore', () => MatchingEngine.restore(engine.snapshot(), CONFIG, restoredEvents));
    if (copy.stateHash() !== engine.stateHash()) fail(`restored state hash ${copy.stateHash()} != ${engine.stateHash()}`);
    const inv = copy.checkInvariants();
    if (inv.length > 0) fail(`restored engine invariants:\n  ${inv.join('\n  ')}`);
    if (restored !== null && restored.stateHash() !== engine.stateHash()) fail(`replayed copy's state hash ${restored.stateHash()} != ${engine.stateHash()}`);
    restored = copy;
  };

  for (index = 0; index < commands; index++) {
    cmd = gen.next();
    recent.push(cmd);
    if (recent.length > 6) recent.shift();
    const engineResult = guard('engine.execute', () => engine.execute(cmd!));
    const eEvents = engineEvents.take();
    const refResult = guard('reference.execute', () => ref.execute(cmd!));
    const rEvents = ref.takeEvents();
    same('results', engineResult, refResult);
    if (engine.timeMs !== ref.timeMs) fail(`clocks differ: engine ${engine.timeMs}, reference ${ref.timeMs}`);
    if (!deepEqual(eEvents, rEvents)) fail(`events differ: ${describeEventDiff(eEvents, rEvents)}`);
    if (restored !== null) {
      const copy = restored;
      const rr = guard('restored engine execute', () => copy.execute(cmd!));
      const rev = restoredEvents.take();
      same('restored engine results', rr, engineResult);
      if (!deepEqual(rev, eEvents)) fail(`restored engine's events differ: ${describeEventDiff(rev, eEvents)}`);
    }
    const inv = guard('engine.checkInvariants', () => engine.checkInvariants());
    if (inv.length > 0) fail(`engine invariants:\n  ${inv.join('\n  ')}`);
    const refInv = guard('reference.checkInvariants', () => ref.checkInvariants());
    if (refInv.length > 0) fail(`reference invariants:\n  ${refInv.join('\n  ')}`);
    tally(counts, cmd, engineResult, eEvents);
    if ((index + 1) % CHECKPOINT === 0) fullCompare();
  }
  cmd = undefined;
  fullCompare();
  return counts;
}

