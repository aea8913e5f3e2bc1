/**
 * The engines under test, as adapters fed stream commands by index (used by run-one.ts for
 * the measurements and by profile.ts for profiles of the same code path):
 * - `ours(true)`: our engine through the event consumer the service runs, the
 *   `EventCollector` of this package, used as apps/backend/src/exchange/exchange.ts
 *   `runBatch` uses it: a fresh collector set as the sink per batch of commands, the event
 *   range of each command noted, `take()` at the end of the batch; the batch's events are
 *   then read once (the service hands them to its persist layer, not timed here);
 * - `ours(false)`: the same engine with a sink that only counts events (the engine's own cost);
 * - `peer()`: the npm package nodejs-order-book, a new OrderBook per book.
 *
 * Our engine is one per process (as in the service); each book is a market in it.
 * Timing (`timed`) follows bench/WORKLOADS.md: per-op latency is the mean time per op
 * within batches of 100 ops (process.hrtime.bigint), p50/p99 over batches; ops/s over the
 * whole timed phase.
 */
import { OrderBook } from 'nodejs-order-book';
import { EventCollector, MatchingEngine, type EngineEvent, type EventSink, type PlaceOrderCommand } from '../src/index.ts';
import { CMD_CANCEL, CMD_LIMIT, SIDE_BUY, type Stream } from './workloads.ts';

/** Commands per service batch and per timed batch. */
export const BATCH = 100;
/** Command time: epoch milliseconds as the service stamps them (not small integers, which V8 stores differently). */
const TS_MS = 1_765_000_000_000;
const CONFIG = { maxOrderQty: 1_000_000, maxOpenOrdersPerUserPerMarket: 10_000_000 };

/** One engine under test, fed stream commands by index. */
export interface Adapter {
  apply(s: Stream, i: number): void;
  /** Called after every BATCH commands (the service path ends its collector batch here). */
  endBatch(): void;
  /** Resting orders now (for the correctness cross-check). */
  resting(): number;
  /** Maker fills seen so far (ours counts TRADE events; the peer reports none). */
  fills(): number;
}

/**
 * Consumes every event the engine produces: counts them by type and folds their
 * quantities into a checksum, so nothing is optimised away.
 */
export class CountingSink implements EventSink {
  events = 0;
  trades = 0;
  checksum = 0;
  emit(e: EngineEvent): void {
    this.events++;
    if (e.type === 'TRADE') {
      this.trades++;
      this.checksum = (this.checksum + e.qty * e.yesPriceCents) | 0;
    } else if (e.type === 'BOOK_LEVEL') this.checksum = (this.checksum + e.qty) | 0;
  }
}

/**
 * The service's way of consuming events (exchange.ts `runBatch`): per batch a new
 * EventCollector becomes the engine's sink; each command's events are the range
 * `collector.events.length` before..after it; `take()` hands the batch's events over. The
 * events are then read once, as the persist layer does (here: a checksum, and trades counted).
 */
export class ServicePath {
  collector = new EventCollector();
  ranges = new Int32Array(2 * BATCH + 2);
  commands = 0;
  trades = 0;
  checksum = 0;
  constructor(private readonly engine: MatchingEngine) {
    engine.setSink(this.collector);
  }

  /** Note the event range of the command just run (`from` = events before it), as runBatch does. */
  note(from: number): void {
    const n = this.commands++;
    if (2 * n + 1 < this.ranges.length) {
      this.ranges[2 * n] = from;
      this.ranges[2 * n + 1] = this.collector.events.length;
    }
  }

  endBatch(): void {
    const events = this.collector.take();
    for (const e of events) {
      if (e.type === 'TRADE') {
        this.trades++;
        this.checksum = (this.checksum + e.qty * e.yesPriceCents) | 0;
      } else if (e.type === 'BOOK_LEVEL') this.checksum = (this.checksum + e.qty) | 0;
    }
    this.commands = 0;
    this.collector = new EventCollector();
    this.engine.setSink(this.collector);
  }
}

/**
 * Our engine: one per process, started from a snapshot with two funded users (`buyer`,
 * `seller`) by `MatchingEngine.restore`, as the service starts its engine from the database
 * (apps/backend/src/exchange/rebuild.ts). Our engine owns many books, one per market: a
 * fresh book (W2/W3 after their warm-up) is a new market in the same engine, and the
 * previous market is closed (which cancels its orders and releases their escrow).
 */
let shared: { engine: MatchingEngine; sink: CountingSink; service: ServicePath | null; markets: number; placed: number } | null = null;

export function ours(servicePath: boolean): Adapter {
  if (shared === null) {
    const setup = new MatchingEngine(CONFIG);
    setup.execute({ type: 'GRANT', tsMs: TS_MS - 1, userId: 'buyer', amountCents: 1_000_000_000_000 });
    setup.execute({ type: 'GRANT', tsMs: TS_MS - 1, userId: 'seller', amountCents: 1_000_000_000_000 });
    const sink = new CountingSink();
    const engine = MatchingEngine.restore(setup.snapshot(), CONFIG, sink, 1 << 16);
    shared = { engine, sink, service: servicePath ? new ServicePath(engine) : null, markets: 0, placed: 0 };
  }
  const ctx = shared;
  const { engine, sink, service } = ctx;
  service?.endBatch();
  const tsMs = TS_MS;
  if (ctx.markets > 0) engine.execute({ type: 'SET_MARKET_STATUS', tsMs, marketId: `book${ctx.markets}`, status: 'CLOSED' });
  const marketId = `book${++ctx.markets}`;
  engine.execute({ type: 'CREATE_MARKET', tsMs, marketId });
  engine.execute({ type: 'SET_MARKET_STATUS', tsMs, marketId, status: 'OPEN' });
  // Stream ids count this book's orders from 1; the engine's order ids run on across books.
  const idBase = ctx.placed;
  const exec = (s: Stream, i: number): void => {
      const buy = s.side[i] === SIDE_BUY;
      const t = s.type[i];
      if (t === CMD_CANCEL) {
        engine.execute({ type: 'CANCEL', tsMs, userId: buy ? 'buyer' : 'seller', orderId: idBase + s.id[i]! });
        return;
      }
      // A `buy` is BUY YES at p; a `sell` is BUY NO at 100 - p (a YES ask at p): crosses are MINTs.
      const cmd: PlaceOrderCommand = {
        type: 'PLACE',
        tsMs,
        userId: buy ? 'buyer' : 'seller',
        marketId,
        side: 'BUY',
        outcome: buy ? 'YES' : 'NO',
        orderType: t === CMD_LIMIT ? 'LIMIT' : 'MARKET',
        priceCents: t === CMD_LIMIT ? (buy ? s.price[i]! : 100 - s.price[i]!) : null,
        qty: s.size[i]!,
      };
      const r = engine.execute(cmd);
      if (!r.ok) throw new Error(`rejected at ${i}: ${r.message}`);
      ctx.placed++;
  };
  if (service !== null) {
    return {
      apply: (s, i) => {
        const from = service.collector.events.length;
        exec(s, i);
        service.note(from);
      },
      endBatch: () => service.endBatch(),
      resting: () => engine.openOrderCount,
      fills: () => {
        service.endBatch();
        return service.trades;
      },
    };
  }
  return { apply: exec, endBatch: () => {}, resting: () => engine.openOrderCount, fills: () => sink.trades };
}

export function peer(): Adapter {
  const ob = new OrderBook();
  return {
    apply(s, i) {
      const t = s.type[i];
      const side = s.side[i] === SIDE_BUY ? 'buy' : 'sell';
      if (t === CMD_CANCEL) ob.cancel(String(s.id[i]));
      else if (t === CMD_LIMIT) ob.limit({ id: String(s.id[i]), side, size: s.size[i]!, price: s.price[i]! } as Parameters<OrderBook['limit']>[0]);
      else ob.market({ side, size: s.size[i]! } as Parameters<OrderBook['market']>[0]);
    },
    resting: () => {
      const snap = ob.snapshot();
      let n = 0;
      for (const level of [...snap.bids, ...snap.asks]) n += level.orders.length;
      return n;
    },
    endBatch: () => {},
    fills: () => -1,
  };
}

export function replay(a: Adapter, s: Stream): void {
  for (let i = 0; i < s.length; i++) {
    a.apply(s, i);
    if (i % BATCH === BATCH - 1) a.endBatch();
  }
  a.endBatch();
}

/**
 * Time the stream in batches of BATCH ops. Besides wall-clock figures it reports the
 * process's CPU time over the phase (`opsPerCpuSec`): on a shared, loaded machine the wall
 * clock also counts the time the process waited for a core.
 */
export function timed(a: Adapter, s: Stream): { opsPerSec: number; p50Ns: number; p99Ns: number; seconds: number; opsPerCpuSec: number } {
  const cpu0 = process.cpuUsage();
  const batches = Math.floor(s.length / BATCH);
  const perOp = new Float64Array(batches);
  let total = 0n;
  for (let b = 0; b < batches; b++) {
    const from = b * BATCH;
    const t0 = process.hrtime.bigint();
    for (let i = from; i < from + BATCH; i++) a.apply(s, i);
    a.endBatch();
    const dt = process.hrtime.bigint() - t0;
    total += dt;
    perOp[b] = Number(dt) / BATCH;
  }
  for (let i = batches * BATCH; i < s.length; i++) a.apply(s, i);
  a.endBatch();
  perOp.sort();
  const q = (p: number): number => perOp[Math.min(batches - 1, Math.floor(p * batches))]!;
  const seconds = Number(total) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { opsPerSec: (batches * BATCH) / seconds, p50Ns: q(0.5), p99Ns: q(0.99), seconds, opsPerCpuSec: s.length / cpuSeconds };
}

