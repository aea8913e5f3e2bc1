/**
 * `HouseMaker`: the LMSR house market maker as an ordinary client of the exchange, on the SDK
 * (@prediction-markets/client). Per market it quotes the ladder of src/lmsr.ts from its own
 * inventory and nothing else.
 *
 * - **Its own q.** The inventory `soldShares` (net YES sold) and the YES-equivalent cash move
 *   only with its fills. Every order update it sees (socket acks, `order_placed`,
 *   `order_updated`, `order_cancelled`, REST listings) carries the order's cumulative
 *   `filledQuantity`; only the increase over what was already counted is applied, at the
 *   order's own price (the house is always the maker: post-only). So a replayed or duplicated
 *   message changes nothing.
 * - **Requotes the difference.** After a fill, the new ladder is compared level by level with
 *   the resting orders (src/quotes.ts `planRequote`): a level short of shares gets one new order
 *   for the difference (all of them in one batch), a level over is reduced by amend (keeping
 *   queue place) or cancel, a level no longer wanted is cancelled. After a fill that is one
 *   batch on the other side of the book. The commands are pipelined on the socket (which
 *   executes them in order). One requote runs at a time per market; fills meanwhile trigger
 *   one more.
 * - **Reconnect.** On every (re)connection it rebuilds from REST: its orders in the market
 *   (resting ones, and the fills of all: inventory and cash from the same listing, so they
 *   agree) and its position (the shares held, which decide SELL or BUY; noShares - yesShares
 *   is the inventory too, a cross-check), then diffs.
 * - **Status.** It quotes only OPEN markets: on HALTED it cancels its orders in the market,
 *   on CLOSED/RESOLVED/CANCELLED it stops (the exchange cancels), on OPEN it rebuilds and
 *   quotes again.
 * - **Safety.** Cancel-on-disconnect is armed; `stop()` (SIGTERM) cancels everything; a kill
 *   switch cancels everything and stops when the worst-case P&L over all markets falls below
 *   `-lossLimitCents` or more than `maxCommandsPerMinute` commands were sent in a minute.
 */
import type { Logger } from 'pino';
import { newClientOrderId, type MarketBook, type PmClient, type PmSocket, type Result } from '@prediction-markets/client';
import type { schemas } from '@prediction-markets/shared';
import { buildLadder, checkParams, lossBoundsCents, pnlCents, type LmsrParams } from './lmsr.ts';
import { commandCount, fillEffect, planRequote, type OpenOrder, type Outcome, type Side } from './quotes.ts';
import type { MakerMetrics } from './metrics.ts';

/** One market's settings. Prices in YES cents; b in shares. */
export interface MakerMarketConfig {
  slug: string;
  b: number;
  p0Cents: number;
  pMinCents: number;
  pMaxCents: number;
}

export interface HouseMakerOptions {
  client: PmClient;
  markets: MakerMarketConfig[];
  logger: Logger;
  metrics?: MakerMetrics;
  /** Kill switch: worst-case P&L over all markets below minus this, cents (default: unlimited). */
  lossLimitCents?: number;
  /** Kill switch: commands sent in any 60 s (default 6000). */
  maxCommandsPerMinute?: number;
  /** Cancel-on-disconnect grace, ms (default 5000). */
  cancelOnDisconnectMs?: number;
  /**
   * Sockets that carry commands (default 4). One socket executes its messages one after the
   * other, each after the previous one's commit; requotes spread over several sockets reach
   * the writer together and commit in one group.
   */
  commandSockets?: number;
}

/** What the maker reports per market (cents, shares, YES prices). */
export interface MakerMarketState {
  slug: string;
  marketId: string;
  status: string;
  quoting: boolean;
  params: LmsrParams;
  soldShares: number;
  cashCents: number;
  pnlCents: { ifYes: number; ifNo: number };
  lossBoundCents: { ifYes: number; ifNo: number };
  /** Current LMSR price, YES cents (fractional). */
  priceCents: number;
  liveOrders: number;
}

/** A requote that ran: for benchmarks and tests. */
export interface RequoteInfo {
  slug: string;
  cause: 'fill' | 'start' | 'reconnect' | 'reopen' | 'retry';
  commands: number;
  /** From the fill's engine time (tsMs) to the last acknowledgement, ms; null when not caused by a fill. */
  fillToAckMs: number | null;
  /** Wall time of the requote's commands, ms. */
  durationMs: number;
}

/** One fill of a house order as the maker accounted it (YES-equivalent cash, cents). */
export interface HouseFill {
  slug: string;
  orderId: number;
  qty: number;
  cashCents: number;
  soldBefore: number;
  soldAfter: number;
  /** The market's YES-equivalent cash after this fill, cents. */
  cashAfter: number;
}

interface TrackedOrder extends OpenOrder {
  filled: number;
  final: boolean;
}

interface MarketState {
  cfg: MakerMarketConfig;
  params: LmsrParams;
  marketId: string;
  status: string;
  book: MarketBook | null;
  soldShares: number;
  cashCents: number;
  orders: Map<number, TrackedOrder>;
  /** A requote is scheduled for the next event-loop turn. */
  scheduled: boolean;
  /** Another requote is wanted once the commands in flight are answered (or the rebuild ends). */
  dirty: boolean;
  rebuildRunning: boolean;
  /** Commands sent and not yet answered. */
  inflight: number;
  /** Placements in flight by clientOrderId (placeholder ids below 0), cancels and reductions in flight. */
  pendingPlaces: Map<string, OpenOrder>;
  cancelling: Set<number>;
  reducing: Map<number, number>;
  pendingCause: RequoteInfo['cause'] | null;
  /** Engine time of the earliest fill not yet requoted. */
  pendingFillTsMs: number | null;
  /** Rebuild from REST before the next requote. */
  stale: boolean;
  /** A REST rebuild is summing past fills (not reported as new fills). */
  rebuilding: boolean;
  /** Shares held in the market (totals, including those locked in the house's sells), from position events and REST. */
  holdings: { yesShares: number; noShares: number };
  /** A command was refused for lack of shares or cash: requote again at the next position or balance change. */
  retryOnChange: boolean;
}

const FINAL = new Set(['FILLED', 'CANCELLED', 'EXPIRED']);

type Listener = (info: RequoteInfo) => void;

export class HouseMaker {
  private socket: PmSocket | null = null;
  /** The sockets commands go out on (the first is `socket`), used in turn. */
  private cmdSockets: PmSocket[] = [];
  private nextCmd = 0;
  private readonly markets = new Map<string, MarketState>(); // by marketId
  private readonly log: Logger;
  private readonly commandTimes: number[] = [];
  private killedReason: string | null = null;
  private stopping = false;
  private readonly requoteListeners = new Set<Listener>();
  private readonly offs: (() => void)[] = [];
  private placeholderSeq = 0;
  private readonly fillListeners = new Set<(f: HouseFill) => void>();
  /** Counters for monitoring and benchmarks. */
  readonly stats = { rebuilds: 0, requotes: 0, refusals: 0 };

  constructor(private readonly opts: HouseMakerOptions) {
    this.log = opts.logger;
  }

  /** Called after every requote that sent commands. */
  onRequote(fn: Listener): () => void {
    this.requoteListeners.add(fn);
    return () => this.requoteListeners.delete(fn);
  }

  /** Called for every fill of a house order, in the order seen, with the inventory before and after. */
  onFill(fn: (f: HouseFill) => void): () => void {
    this.fillListeners.add(fn);
    return () => this.fillListeners.delete(fn);
  }

  /** Why the kill switch fired, or null. */
  get killed(): string | null {
    return this.killedReason;
  }

  /**
   * Connect, check every market's settings, rebuild and quote. Fails (nothing placed) when a
   * market is unknown or its settings are bad, or the connection is refused.
   */
  async start(): Promise<Result<void>> {
    const { client } = this.opts;
    // Check everything before placing anything: no half-placed ladders.
    const resolved: MarketState[] = [];
    for (const cfg of this.opts.markets) {
      const m = await client.getMarket(cfg.slug);
      if (!m.ok) return m.error.code === 'NOT_FOUND' || m.error.code === 'UNKNOWN_MARKET' ? fail('UNKNOWN_MARKET', `unknown market ${cfg.slug}`) : m;
      const params: LmsrParams = { b: cfg.b, p0Cents: cfg.p0Cents, pMinCents: cfg.pMinCents, pMaxCents: cfg.pMaxCents, tickCents: m.data.tickCents };
      const problem = checkParams(params);
      if (problem !== null) return fail(problem.code, `${cfg.slug}: ${problem.message}`);
      resolved.push({
        cfg,
        params,
        marketId: m.data.id,
        status: m.data.status,
        book: null,
        soldShares: 0,
        cashCents: 0,
        orders: new Map(),
        scheduled: false,
        dirty: false,
        rebuildRunning: false,
        inflight: 0,
        pendingPlaces: new Map(),
        cancelling: new Set(),
        reducing: new Map(),
        pendingCause: null,
        pendingFillTsMs: null,
        stale: true,
        rebuilding: false,
        holdings: { yesShares: 0, noShares: 0 },
        retryOnChange: false,
      });
    }
    const conn = await client.connect({ cancelOnDisconnectMs: this.opts.cancelOnDisconnectMs ?? 5000 });
    if (!conn.ok) return conn;
    const s = conn.data;
    this.socket = s;
    this.cmdSockets = [s];
    for (let i = 1; i < (this.opts.commandSockets ?? 4); i++) {
      const extra = await client.connect();
      if (!extra.ok) {
        for (const x of this.cmdSockets) x.close();
        return extra;
      }
      this.cmdSockets.push(extra.data);
    }
    for (const m of resolved) this.markets.set(m.marketId, m);
    this.wire(s);
    for (const m of resolved) {
      const book = await s.subscribe(m.marketId);
      if (!book.ok) return book;
      m.book = book.data;
      m.status = book.data.marketStatus ?? m.status;
      this.offs.push(book.data.on('status', (u) => this.onStatus(m, u.status)));
      this.requote(m, 'start');
    }
    this.log.info({ markets: resolved.map((m) => ({ slug: m.cfg.slug, ...m.params, bound: lossBoundsCents(m.params) })) }, 'house maker started');
    return { ok: true, data: undefined };
  }

  /** Cancel every house order in the quoted markets and disconnect (SIGTERM). */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const s = this.socket;
    if (s !== null && s.connected) {
      await Promise.all([...this.markets.values()].map((m) => this.cancelMarket(m)));
    }
    for (const off of this.offs.splice(0)) off();
    for (const x of this.cmdSockets) x.close();
    this.log.info('house maker stopped');
  }

  /** The state of every quoted market. */
  states(): MakerMarketState[] {
    return [...this.markets.values()].map((m) => this.stateOf(m));
  }

  /** Wait until no requote is running or pending in any market (tests, benchmarks). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.markets.values()].some((m) => m.scheduled || m.dirty || m.rebuildRunning || m.inflight > 0)) {
      if (Date.now() > deadline) throw new Error('house maker not idle');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  // -------------------------------------------------------------------------------------

  private stateOf(m: MarketState): MakerMarketState {
    return {
      slug: m.cfg.slug,
      marketId: m.marketId,
      status: m.status,
      quoting: this.quoting(m),
      params: m.params,
      soldShares: m.soldShares,
      cashCents: m.cashCents,
      pnlCents: pnlCents(m.cashCents, m.soldShares),
      lossBoundCents: lossBoundsCents(m.params),
      priceCents: 100 * buildLadder(m.params, m.soldShares).pStar,
      liveOrders: [...m.orders.values()].filter((o) => !o.final && o.remaining > 0).length,
    };
  }

  private quoting(m: MarketState): boolean {
    return m.status === 'OPEN' && this.killedReason === null && !this.stopping;
  }

  private wire(s: PmSocket): void {
    const upd = (o: { marketId: string; orderId: number; status: string; price: number | null; filledQuantity: number; remainingQuantity: number; tsMs: number }): void => {
      const m = this.markets.get(o.marketId);
      if (m === undefined) return;
      const fillsBefore = m.soldShares;
      const known = this.apply(m, { id: o.orderId, status: o.status, filledQuantity: o.filledQuantity, remainingQuantity: o.remainingQuantity });
      if (!known) {
        m.stale = true; // a fill of an order we have not seen placed: read the truth over REST
        this.requote(m, 'retry');
        return;
      }
      if (m.soldShares !== fillsBefore) {
        m.pendingFillTsMs ??= o.tsMs;
        this.requote(m, 'fill');
      }
    };
    this.offs.push(
      s.on('order_placed', (e) => {
        const m = this.markets.get(e.order.marketId);
        if (m === undefined) return;
        if (e.order.clientOrderId !== null) m.pendingPlaces.delete(e.order.clientOrderId);
        this.track(m, e.order);
      }),
      s.on('order_updated', (e) => upd(e)),
      s.on('position_updated', (e) => {
        const m = this.markets.get(e.marketId);
        if (m === undefined) return;
        m.holdings = { yesShares: e.yesShares, noShares: e.noShares };
        if (m.retryOnChange) {
          m.retryOnChange = false;
          this.requote(m, 'retry');
        }
      }),
      s.on('order_cancelled', (e) => upd(e)),
      s.on('connected', ({ reconnect }) => {
        if (!reconnect) return;
        for (const m of this.markets.values()) {
          m.stale = true;
          this.requote(m, 'reconnect');
        }
      }),
    );
  }

  private onStatus(m: MarketState, status: string): void {
    const was = m.status;
    m.status = status;
    if (status === was) return;
    this.log.info({ market: m.cfg.slug, from: was, to: status }, 'market status');
    if (status === 'OPEN') {
      m.stale = true;
      this.requote(m, 'reopen');
    } else if (status === 'HALTED') {
      void this.cancelMarket(m);
    } else {
      // CLOSED / RESOLVED / CANCELLED: the exchange cancels resting orders itself.
      for (const o of m.orders.values()) o.final = true;
    }
  }

  /** Record a new or updated order; applies its new fills. Returns false for an unknown order with no full record. */
  private apply(m: MarketState, u: { id: number; status: string; filledQuantity: number; remainingQuantity: number }): boolean {
    const o = m.orders.get(u.id);
    if (o === undefined) return false;
    if (u.filledQuantity > o.filled) {
      const qty = u.filledQuantity - o.filled;
      const eff = fillEffect(o, o.price, qty);
      const soldBefore = m.soldShares;
      m.soldShares += eff.soldShares;
      m.cashCents += eff.cashCents;
      if (this.fillListeners.size > 0 && !m.rebuilding) {
        const f: HouseFill = { slug: m.cfg.slug, orderId: o.id, qty, cashCents: eff.cashCents, soldBefore, soldAfter: m.soldShares, cashAfter: m.cashCents };
        for (const fn of this.fillListeners) fn(f);
      }
      o.filled = u.filledQuantity;
      o.remaining = u.remainingQuantity;
    } else if (u.filledQuantity === o.filled) {
      o.remaining = u.remainingQuantity;
    }
    if (FINAL.has(u.status)) {
      o.final = true;
      o.remaining = 0;
    }
    this.publish(m);
    return true;
  }

  /** Record an order from a full OrderDto (ack, event, REST). */
  private track(m: MarketState, dto: schemas.OrderDto): void {
    if (dto.price === null) return; // the house places limit orders only
    if (!m.orders.has(dto.id)) {
      m.orders.set(dto.id, { id: dto.id, side: dto.side as Side, outcome: dto.outcome as Outcome, price: dto.price, remaining: dto.remainingQuantity, filled: 0, final: false });
    }
    this.apply(m, { id: dto.id, status: dto.status, filledQuantity: dto.filledQuantity, remainingQuantity: dto.remainingQuantity });
  }

  /** Rebuild inventory, cash and resting orders from REST. */
  private async rebuild(m: MarketState): Promise<boolean> {
    const { client } = this.opts;
    const [pos, mk] = await Promise.all([client.getPositions(), client.getMarket(m.cfg.slug)]);
    if (!pos.ok || !mk.ok) {
      this.log.warn({ market: m.cfg.slug, error: !pos.ok ? pos.error : !mk.ok ? mk.error : null }, 'rebuild failed');
      return false;
    }
    m.status = mk.data.status;
    // Every order of the house in this market, for the cash (each fill at the order's own price).
    let before: number | undefined;
    const fresh = new Map<number, TrackedOrder>();
    const prev = m.orders;
    m.orders = fresh;
    m.pendingPlaces.clear();
    m.cancelling.clear();
    m.reducing.clear();
    m.cashCents = 0;
    m.soldShares = 0;
    this.stats.rebuilds++;
    for (;;) {
      const page = await client.getMyOrders({ market: m.cfg.slug, limit: 200, ...(before === undefined ? {} : { before }) });
      if (!page.ok) {
        m.orders = prev;
        this.log.warn({ market: m.cfg.slug, error: page.error }, 'rebuild failed');
        return false;
      }
      m.rebuilding = true;
      for (const o of page.data.orders) this.track(m, o);
      m.rebuilding = false;
      if (page.data.nextBefore === null) break;
      before = page.data.nextBefore;
    }
    // Inventory and cash both come from this one listing of the house's fills, so they agree;
    // the position (read just before) is the cross-check, equal whenever no fill came in between.
    const p = pos.data.positions.find((x) => x.marketId === m.marketId);
    m.holdings = { yesShares: p?.yesShares ?? 0, noShares: p?.noShares ?? 0 };
    const fromPosition = m.holdings.noShares - m.holdings.yesShares;
    if (fromPosition !== m.soldShares) this.log.debug({ market: m.cfg.slug, fromPosition, fromFills: m.soldShares }, 'position read before the latest fills');
    m.stale = false;
    this.publish(m);
    return true;
  }

  /** Ask for a requote; the requests of one event-loop turn (a fill, its position update) run as one. */
  private requote(m: MarketState, cause: RequoteInfo['cause']): void {
    m.pendingCause ??= cause;
    if (m.scheduled) return;
    m.scheduled = true;
    setTimeout(() => {
      m.scheduled = false;
      this.runRequote(m).catch((err: unknown) => this.log.error({ err, market: m.cfg.slug }, 'requote failed'));
    }, 0);
  }

  private async runRequote(m: MarketState): Promise<void> {
    if (m.rebuildRunning) {
      m.dirty = true;
      return;
    }
    if (m.stale) {
      if (m.inflight > 0) {
        m.dirty = true; // rebuild once every command has been answered
        return;
      }
      m.rebuildRunning = true;
      const ok = await this.rebuild(m).finally(() => {
        m.rebuildRunning = false;
      });
      if (!ok) return;
    }
    const cause = m.pendingCause ?? 'retry';
    m.pendingCause = null;
    this.sendRequote(m, cause);
    if (m.dirty && m.inflight === 0) {
      m.dirty = false;
      this.requote(m, 'retry');
    }
  }

  /**
   * Plan against the resting orders as they will be once the commands already sent are
   * answered (orders being cancelled left out, reductions applied, placements in flight
   * counted), send, and return at once: a fill while commands are in flight is requoted
   * without waiting for them.
   */
  private sendRequote(m: MarketState, cause: RequoteInfo['cause']): void {
    const s = this.pickSocket();
    if (s === null || this.stopping || !this.quoting(m)) return;
    const started = performance.now();
    const ladder = buildLadder(m.params, m.soldShares);
    const open: OpenOrder[] = [];
    for (const o of m.orders.values()) {
      if (o.final || o.remaining <= 0 || m.cancelling.has(o.id)) continue;
      const reduced = m.reducing.get(o.id);
      open.push(reduced === undefined ? o : { ...o, remaining: Math.min(o.remaining, reduced) });
    }
    for (const p of m.pendingPlaces.values()) open.push(p);
    const plan = planRequote(ladder, open, m.holdings);
    // A placement still in flight cannot be cancelled or amended yet: do it once it is answered.
    const held = plan.cancels.some((id) => id < 0) || plan.reduces.some((r) => r.orderId < 0);
    if (held) {
      plan.cancels = plan.cancels.filter((id) => id > 0);
      plan.reduces = plan.reduces.filter((r) => r.orderId > 0);
      m.dirty = true;
    }
    const n = commandCount(plan);
    if (n === 0) return;
    if (!this.countCommands(n)) return;
    const fillTs = m.pendingFillTsMs;
    m.pendingFillTsMs = null;
    const M = this.opts.metrics;
    // Pipelined: the socket executes them in this order (cancels and reductions free escrow first).
    const jobs: Promise<void>[] = [];
    for (const id of plan.cancels) {
      M?.commands.inc({ kind: 'cancel' });
      m.cancelling.add(id);
      jobs.push(
        s.cancel(id).then((r) => {
          m.cancelling.delete(id);
          if (r.ok) this.track(m, r.data);
          else if (r.error.code === 'UNKNOWN_ORDER') this.apply(m, { id, status: 'CANCELLED', filledQuantity: m.orders.get(id)?.filled ?? 0, remainingQuantity: 0 });
          else this.fault(m, 'cancel', r.error);
        }),
      );
    }
    for (const a of plan.reduces) {
      M?.commands.inc({ kind: 'amend' });
      m.reducing.set(a.orderId, a.quantity);
      jobs.push(
        s.amend(a).then((r) => {
          m.reducing.delete(a.orderId);
          if (r.ok) this.track(m, r.data.order);
          else if (r.error.code === 'UNKNOWN_ORDER') this.apply(m, { id: a.orderId, status: 'CANCELLED', filledQuantity: m.orders.get(a.orderId)?.filled ?? 0, remainingQuantity: 0 });
          else this.fault(m, 'amend', r.error);
        }),
      );
    }
    for (let i = 0; i < plan.places.length; i += 20) {
      const chunk = plan.places.slice(i, i + 20).map((q) => ({ ...q, clientOrderId: newClientOrderId() }));
      for (const q of chunk) m.pendingPlaces.set(q.clientOrderId, { id: -++this.placeholderSeq, side: q.side, outcome: q.outcome, price: q.price, remaining: q.quantity });
      M?.commands.inc({ kind: 'batch' });
      jobs.push(
        s.batch(chunk.map((q) => ({ marketSlug: m.cfg.slug, side: q.side, outcome: q.outcome, price: q.price, quantity: q.quantity, postOnly: true, clientOrderId: q.clientOrderId }))).then((r) => {
          for (const q of chunk) m.pendingPlaces.delete(q.clientOrderId);
          if (!r.ok) return this.fault(m, 'batch', r.error);
          r.data.results.forEach((x, j) => {
            if (x.ok) this.track(m, x.order);
            else if (x.error.code !== 'POST_ONLY_WOULD_TAKE') this.fault(m, 'place', x.error, chunk[j]);
            // POST_ONLY_WOULD_TAKE: another trader's order already betters this level; skip it.
          });
        }),
      );
    }
    m.inflight += jobs.length;
    for (const j of jobs) {
      void j.finally(() => {
        m.inflight--;
        if (m.inflight === 0 && m.dirty) {
          m.dirty = false;
          this.requote(m, 'retry');
        }
      });
    }
    void Promise.all(jobs).then(() => {
      const info: RequoteInfo = { slug: m.cfg.slug, cause, commands: n, fillToAckMs: fillTs === null ? null : Date.now() - fillTs, durationMs: performance.now() - started };
      M?.requotes.inc({ market: m.cfg.slug, cause });
      this.stats.requotes++;
      if (info.fillToAckMs !== null) M?.requoteLatency.observe({ market: m.cfg.slug }, info.fillToAckMs / 1000);
      this.publish(m);
      this.log.debug({ ...info, soldShares: m.soldShares, priceCents: Math.round(ladder.pStar * 10000) / 100 }, 'requoted');
      for (const fn of this.requoteListeners) fn(info);
      this.checkLoss();
    });
  }

  /** The next connected command socket (one requote's commands all go on one, in order). */
  private pickSocket(): PmSocket | null {
    for (let i = 0; i < this.cmdSockets.length; i++) {
      const x = this.cmdSockets[this.nextCmd++ % this.cmdSockets.length]!;
      if (x.connected) return x;
    }
    return null;
  }

  private fault(m: MarketState, what: string, error: { code: string; message: string }, order?: unknown): void {
    this.stats.refusals++;
    if (error.code === 'AMEND_NO_CHANGE') return; // already at that quantity: a fill crossed our view
    if (error.code === 'INSUFFICIENT_SHARES' || error.code === 'INSUFFICIENT_BALANCE') {
      // Shares or cash still in flight (a fill or a cancel not yet seen): try again when the position changes.
      this.log.debug({ market: m.cfg.slug, what, error, order }, 'house command refused; retrying at the next position change');
      m.retryOnChange = true;
      return;
    }
    this.log.warn({ market: m.cfg.slug, what, error, order }, 'house command refused');
    if (error.code !== 'MARKET_HALTED' && error.code !== 'MARKET_NOT_OPEN') {
      m.stale = true; // re-read the truth before the next requote
    }
  }

  private async cancelMarket(m: MarketState): Promise<void> {
    const s = this.socket;
    if (s === null || !s.connected) return;
    this.opts.metrics?.commands.inc({ kind: 'cancel_all' });
    const r = await s.cancelAll(m.cfg.slug);
    if (r.ok) {
      for (const id of r.data.cancelledOrderIds) {
        const o = m.orders.get(id);
        if (o !== undefined) this.apply(m, { id, status: 'CANCELLED', filledQuantity: o.filled, remainingQuantity: 0 });
      }
    } else {
      this.log.warn({ market: m.cfg.slug, error: r.error }, 'cancel-all refused');
    }
    this.publish(m);
  }

  /** Order-rate kill switch: false (and the maker stops) when the limit would be passed. */
  private countCommands(n: number): boolean {
    const now = Date.now();
    while (this.commandTimes.length > 0 && this.commandTimes[0]! < now - 60_000) this.commandTimes.shift();
    const limit = this.opts.maxCommandsPerMinute ?? 6000;
    if (this.commandTimes.length + n > limit) {
      this.kill(`order-rate limit: more than ${limit} commands in 60 s`);
      return false;
    }
    for (let i = 0; i < n; i++) this.commandTimes.push(now);
    return true;
  }

  private checkLoss(): void {
    const limit = this.opts.lossLimitCents;
    if (limit === undefined) return;
    let worst = 0;
    for (const m of this.markets.values()) {
      const p = pnlCents(m.cashCents, m.soldShares);
      worst += Math.min(p.ifYes, p.ifNo);
    }
    if (worst < -limit) this.kill(`loss limit: worst-case P&L ${worst} cents below -${limit}`);
  }

  private kill(reason: string): void {
    if (this.killedReason !== null) return;
    this.killedReason = reason;
    this.opts.metrics?.killed.set(1);
    this.log.error({ reason }, 'kill switch: cancelling everything and stopping');
    for (const m of this.markets.values()) void this.cancelMarket(m);
  }

  private publish(m: MarketState): void {
    const M = this.opts.metrics;
    if (M === undefined) return;
    const slug = m.cfg.slug;
    let askN = 0;
    let bidN = 0;
    let askQ = 0;
    let bidQ = 0;
    for (const o of m.orders.values()) {
      if (o.final || o.remaining <= 0) continue;
      const ask = (o.side === 'SELL') === (o.outcome === 'YES');
      if (ask) {
        askN++;
        askQ += o.remaining;
      } else {
        bidN++;
        bidQ += o.remaining;
      }
    }
    M.liveQuotes.set({ market: slug, book: 'ASK' }, askN);
    M.liveQuotes.set({ market: slug, book: 'BID' }, bidN);
    M.liveQuoteShares.set({ market: slug, book: 'ASK' }, askQ);
    M.liveQuoteShares.set({ market: slug, book: 'BID' }, bidQ);
    M.inventory.set({ market: slug }, m.soldShares);
    M.cashCents.set({ market: slug }, m.cashCents);
    const p = pnlCents(m.cashCents, m.soldShares);
    M.pnlCents.set({ market: slug, outcome: 'YES' }, p.ifYes);
    M.pnlCents.set({ market: slug, outcome: 'NO' }, p.ifNo);
  }
}

function fail(code: string, message: string): { ok: false; error: never } {
  return { ok: false, error: { code, message, status: null } as never };
}
