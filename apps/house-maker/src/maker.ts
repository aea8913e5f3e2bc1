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
 * - **Requotes the difference.** After a fill, the new ladder is diffed against the resting
 *   orders (src/quotes.ts): changed levels are amended (a reduction keeps queue place) or
 *   cancelled, new levels go in one batch; the commands are pipelined on the socket (which
 *   executes them in order). One requote runs at a time per market; fills meanwhile trigger
 *   one more.
 * - **Reconnect.** On every (re)connection it rebuilds the inventory from its position
 *   (noShares - yesShares), the cash and the resting orders from REST, then diffs.
 * - **Status.** It quotes only OPEN markets: on HALTED it cancels its orders in the market,
 *   on CLOSED/RESOLVED/CANCELLED it stops (the exchange cancels), on OPEN it rebuilds and
 *   quotes again.
 * - **Safety.** Cancel-on-disconnect is armed; `stop()` (SIGTERM) cancels everything; a kill
 *   switch cancels everything and stops when the worst-case P&L over all markets falls below
 *   `-lossLimitCents` or more than `maxCommandsPerMinute` commands were sent in a minute.
 */
import type { Logger } from 'pino';
import type { MarketBook, PmClient, PmSocket, Result } from '@prediction-markets/client';
import type { schemas } from '@prediction-markets/shared';
import { buildLadder, checkParams, lossBoundsCents, pnlCents, type LmsrParams } from './lmsr.ts';
import { commandCount, diffQuotes, fillEffect, quoteOrders, type OpenOrder, type Outcome, type Side } from './quotes.ts';
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
  busy: boolean;
  dirty: boolean;
  pendingCause: RequoteInfo['cause'] | null;
  /** Engine time of the earliest fill not yet requoted. */
  pendingFillTsMs: number | null;
  /** Rebuild from REST before the next requote. */
  stale: boolean;
}

const FINAL = new Set(['FILLED', 'CANCELLED', 'EXPIRED']);

type Listener = (info: RequoteInfo) => void;

export class HouseMaker {
  private socket: PmSocket | null = null;
  private readonly markets = new Map<string, MarketState>(); // by marketId
  private readonly log: Logger;
  private readonly commandTimes: number[] = [];
  private killedReason: string | null = null;
  private stopping = false;
  private readonly requoteListeners = new Set<Listener>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly opts: HouseMakerOptions) {
    this.log = opts.logger;
  }

  /** Called after every requote that sent commands. */
  onRequote(fn: Listener): () => void {
    this.requoteListeners.add(fn);
    return () => this.requoteListeners.delete(fn);
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
        busy: false,
        dirty: false,
        pendingCause: null,
        pendingFillTsMs: null,
        stale: true,
      });
    }
    const conn = await client.connect({ cancelOnDisconnectMs: this.opts.cancelOnDisconnectMs ?? 5000 });
    if (!conn.ok) return conn;
    const s = conn.data;
    this.socket = s;
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
    s?.close();
    this.log.info('house maker stopped');
  }

  /** The state of every quoted market. */
  states(): MakerMarketState[] {
    return [...this.markets.values()].map((m) => this.stateOf(m));
  }

  /** Wait until no requote is running or pending in any market (tests, benchmarks). */
  async idle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.markets.values()].some((m) => m.busy || m.dirty)) {
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
        if (m !== undefined) this.track(m, e.order);
      }),
      s.on('order_updated', (e) => upd(e)),
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
      const eff = fillEffect(o, o.price, u.filledQuantity - o.filled);
      m.soldShares += eff.soldShares;
      m.cashCents += eff.cashCents;
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
    m.cashCents = 0;
    m.soldShares = 0;
    for (;;) {
      const page = await client.getMyOrders({ market: m.cfg.slug, limit: 200, ...(before === undefined ? {} : { before }) });
      if (!page.ok) {
        m.orders = prev;
        this.log.warn({ market: m.cfg.slug, error: page.error }, 'rebuild failed');
        return false;
      }
      for (const o of page.data.orders) this.track(m, o);
      if (page.data.nextBefore === null) break;
      before = page.data.nextBefore;
    }
    const p = pos.data.positions.find((x) => x.marketId === m.marketId);
    const fromPosition = p === undefined ? 0 : p.noShares - p.yesShares;
    if (fromPosition !== m.soldShares) {
      this.log.warn({ market: m.cfg.slug, fromPosition, fromFills: m.soldShares }, 'inventory from the position differs from the sum of fills; using the position');
    }
    m.soldShares = fromPosition;
    m.stale = false;
    this.publish(m);
    return true;
  }

  private requote(m: MarketState, cause: RequoteInfo['cause']): void {
    m.pendingCause ??= cause;
    if (m.busy) {
      m.dirty = true;
      return;
    }
    m.busy = true;
    void (async () => {
      try {
        do {
          m.dirty = false;
          const c = m.pendingCause ?? cause;
          m.pendingCause = null;
          await this.requoteOnce(m, c);
        } while (m.dirty && !this.stopping);
      } catch (err) {
        this.log.error({ err, market: m.cfg.slug }, 'requote failed');
      } finally {
        m.busy = false;
      }
    })();
  }

  private async requoteOnce(m: MarketState, cause: RequoteInfo['cause']): Promise<void> {
    const s = this.socket;
    if (s === null || !s.connected || this.stopping) return;
    if (m.stale && !(await this.rebuild(m))) return;
    if (!this.quoting(m)) return;
    const started = performance.now();
    const fillTs = m.pendingFillTsMs;
    m.pendingFillTsMs = null;
    const ladder = buildLadder(m.params, m.soldShares);
    const holdings = m.soldShares >= 0 ? { yesShares: 0, noShares: m.soldShares } : { yesShares: -m.soldShares, noShares: 0 };
    const wanted = quoteOrders(ladder, holdings);
    const open = [...m.orders.values()].filter((o) => !o.final && o.remaining > 0);
    const diff = diffQuotes(wanted, open);
    const n = commandCount(diff);
    if (n === 0) return;
    if (!this.countCommands(n)) return;
    const M = this.opts.metrics;
    // Pipelined: the socket executes them in this order (cancels and reductions free escrow first).
    const jobs: Promise<void>[] = [];
    for (const id of diff.cancels) {
      M?.commands.inc({ kind: 'cancel' });
      jobs.push(
        s.cancel(id).then((r) => {
          if (r.ok) this.track(m, r.data);
          else if (r.error.code === 'UNKNOWN_ORDER') this.apply(m, { id, status: 'CANCELLED', filledQuantity: m.orders.get(id)?.filled ?? 0, remainingQuantity: 0 });
          else this.fault(m, 'cancel', r.error);
        }),
      );
    }
    for (const a of [...diff.reduces, ...diff.increases]) {
      M?.commands.inc({ kind: 'amend' });
      jobs.push(
        s.amend(a).then((r) => {
          if (r.ok) this.track(m, r.data.order);
          else if (r.error.code === 'UNKNOWN_ORDER') this.apply(m, { id: a.orderId, status: 'CANCELLED', filledQuantity: m.orders.get(a.orderId)?.filled ?? 0, remainingQuantity: 0 });
          else this.fault(m, 'amend', r.error);
        }),
      );
    }
    for (let i = 0; i < diff.places.length; i += 20) {
      const chunk = diff.places.slice(i, i + 20);
      M?.commands.inc({ kind: 'batch' });
      jobs.push(
        s.batch(chunk.map((q) => ({ marketSlug: m.cfg.slug, side: q.side, outcome: q.outcome, price: q.price, quantity: q.quantity, postOnly: true }))).then((r) => {
          if (!r.ok) return this.fault(m, 'batch', r.error);
          r.data.results.forEach((x, j) => {
            if (x.ok) this.track(m, x.order);
            else if (x.error.code !== 'POST_ONLY_WOULD_TAKE') this.fault(m, 'place', x.error, chunk[j]);
            // POST_ONLY_WOULD_TAKE: another trader's order already betters this level; skip it.
          });
        }),
      );
    }
    await Promise.all(jobs);
    const durationMs = performance.now() - started;
    const info: RequoteInfo = { slug: m.cfg.slug, cause, commands: n, fillToAckMs: fillTs === null ? null : Date.now() - fillTs, durationMs };
    M?.requotes.inc({ market: m.cfg.slug, cause });
    if (info.fillToAckMs !== null) M?.requoteLatency.observe({ market: m.cfg.slug }, info.fillToAckMs / 1000);
    this.publish(m);
    this.log.debug({ ...info, soldShares: m.soldShares, priceCents: Math.round(ladder.pStar * 10000) / 100 }, 'requoted');
    for (const fn of this.requoteListeners) fn(info);
    this.checkLoss();
  }

  private fault(m: MarketState, what: string, error: { code: string; message: string }, order?: unknown): void {
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
