/**
 * The single writer: every command that changes state passes through one ordered queue into
 * the matching engine, which owns all books and accounts (functional core). This class is
 * the imperative shell around it:
 *
 *   queue --> [execute a batch in the engine] --> [persist its events in ONE transaction]
 *         --> [resolve the batch's requests] --> [publish its events]
 *
 * - Group commit: while one batch commits, new jobs queue up; the next batch takes them all
 *   (up to MAX_BATCH_COMMANDS), so commits amortise over concurrent requests.
 * - Acknowledge nothing before it is durable: a job's promise settles only after its batch's
 *   transaction commits, and events are published only then.
 * - If a commit fails, the engine is rebuilt from the database (the last committed state),
 *   and every job of the failed batch fails with COMMIT_FAILED: memory and database never
 *   diverge.
 * - Reads of engine state (`read`) run between batches, so they see committed state only.
 */
import { EventCollector, type EngineConfig, type EngineEvent, type MatchingEngine } from '@prediction-markets/matching-engine';
import { ApiError } from '@prediction-markets/shared';
import type { Logger } from 'pino';
import pg from 'pg';
import type { PrismaClient, TxClient } from '../db/types.ts';
import { persistBatch, type PersistStats } from './persist.ts';
import { rebuildEngine } from './rebuild.ts';

/** A unit of work for the writer. */
export interface Job<T> {
  /** Label for logs and metrics (e.g. 'place', 'cancel'). */
  kind: string;
  /**
   * Runs synchronously inside the writer, in queue order, against the live engine. Stamp
   * commands with `now` (the writer's clock). Must not throw (a throw is a bug and fails
   * the whole batch).
   */
  run(engine: MatchingEngine, now: number): T;
  /** Extra SQL in the batch's transaction, BEFORE its event rows (rows the events refer to, e.g. a new market). */
  persistBefore?(tx: TxClient, result: T, events: readonly EngineEvent[]): Promise<void>;
  /** Extra SQL in the batch's transaction, after its event rows (audit log, records). */
  persist?(tx: TxClient, result: T, events: readonly EngineEvent[]): Promise<void>;
}

/** What a job's promise resolves to once its batch is durable. */
export interface JobOutcome<T> {
  result: T;
  /** The events this job's commands emitted, in order. */
  events: EngineEvent[];
}

interface Pending<T> {
  job: Job<T>;
  /** Set for `exclusive` work: runs alone between batches. */
  exclusive?: (engine: MatchingEngine) => Promise<unknown>;
  resolve(outcome: JobOutcome<T>): void;
  reject(err: unknown): void;
  enqueuedAt: number;
}

/** Receives committed events (the realtime layer). */
export interface EventPublisher {
  publish(events: readonly EngineEvent[]): void | Promise<void>;
}

/** Observations for metrics. */
export interface ExchangeObserver {
  batchCommitted?(info: { commands: number; events: readonly EngineEvent[]; executeMs: number; commitMs: number; stats: PersistStats }): void;
  batchFailed?(info: { commands: number; error: unknown }): void;
  jobDone?(info: { kind: string; queuedMs: number; totalMs: number }): void;
}

export interface ExchangeOptions {
  prisma: PrismaClient;
  engineConfig: Partial<EngineConfig>;
  logger: Logger;
  maxBatchCommands: number;
  publisher?: EventPublisher;
  observer?: ExchangeObserver;
  /** Wall clock, epoch ms (tests may inject one). */
  clock?: () => number;
  /**
   * The database URL, given only with WRITER_SQL=pg. When given, a batch with no SQL hooks of
   * its own (orders, cancels: the hot path) is written as its one statement over a dedicated
   * `pg` connection, not through Prisma: Prisma's client engine costs 1.5-3 ms of CPU per raw
   * statement (it passes the SQL and the JSON parameters through its Wasm query compiler),
   * `pg` a tenth of that. Batches with hooks (markets, grants, audit entries) still run in a
   * Prisma transaction. Without it every batch is one Prisma interactive transaction.
   */
  databaseUrl?: string;
}

export class Exchange {
  private engineRef: MatchingEngine | null = null;
  private readonly queue: Pending<unknown>[] = [];
  private readonly pendingReads: (() => void)[] = [];
  private draining = false;
  private inFlight = false;
  private stopped = false;
  private lastNow = 0;
  private readonly clock: () => number;
  private publisher: EventPublisher | undefined;
  private idleWaiters: (() => void)[] = [];
  private writePool: pg.Pool | null = null;

  constructor(private readonly opts: ExchangeOptions) {
    this.clock = opts.clock ?? Date.now;
    this.publisher = opts.publisher;
  }

  /** True once the engine is rebuilt and consistent, until `stop`. */
  get ready(): boolean {
    return this.engineRef !== null && !this.stopped;
  }

  /** Number of jobs waiting for the writer. */
  get queueDepth(): number {
    return this.queue.length;
  }

  setPublisher(publisher: EventPublisher): void {
    this.publisher = publisher;
  }

  /** Rebuild the engine from the database; throws if the stored state is inconsistent. */
  async start(): Promise<void> {
    this.engineRef = await rebuildEngine(this.opts.prisma, this.opts.engineConfig, this.now());
    this.stopped = false;
  }

  /**
   * Queue a job; resolves after its batch has committed (with its result and events), or
   * rejects with ApiError NOT_READY / SHUTTING_DOWN / COMMIT_FAILED.
   */
  submit<T>(job: Job<T>): Promise<JobOutcome<T>> {
    if (this.stopped) return Promise.reject(new ApiError('SHUTTING_DOWN', 'the exchange is shutting down'));
    if (this.engineRef === null) return Promise.reject(new ApiError('NOT_READY', 'the exchange is starting'));
    return new Promise<JobOutcome<T>>((resolve, reject) => {
      this.queue.push({ job, resolve, reject, enqueuedAt: performance.now() } as Pending<unknown>);
      if (!this.draining) queueMicrotask(() => void this.drain());
    });
  }

  /**
   * Run async `fn` alone, between batches, with nothing in flight: the engine and the
   * database hold the same committed state until it settles (e.g. to compare them).
   */
  exclusive<T>(fn: (engine: MatchingEngine) => Promise<T>): Promise<T> {
    if (this.engineRef === null) return Promise.reject(new ApiError('NOT_READY', 'the exchange is starting'));
    return new Promise<T>((resolve, reject) => {
      const noop: Job<null> = { kind: 'exclusive', run: () => null };
      this.queue.push({ job: noop, exclusive: fn, resolve: resolve as (o: unknown) => void, reject, enqueuedAt: performance.now() } as Pending<unknown>);
      if (!this.draining) queueMicrotask(() => void this.drain());
    });
  }

  /** Run `fn` against committed engine state (between batches). */
  read<T>(fn: (engine: MatchingEngine) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = (): void => {
        const engine = this.engineRef;
        if (engine === null) {
          reject(new ApiError('NOT_READY', 'the exchange is starting'));
          return;
        }
        try {
          resolve(fn(engine));
        } catch (err) {
          reject(err);
        }
      };
      if (this.inFlight) this.pendingReads.push(run);
      else run();
    });
  }

  /** Stop taking jobs, finish every queued one (committed), then resolve. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
    const pool = this.writePool;
    this.writePool = null;
    await pool?.end();
  }

  /** The dedicated connection for hook-free batches (see ExchangeOptions.databaseUrl), or null. */
  private directSql(): ((sql: string, params: string[], name?: string) => Promise<unknown>) | null {
    const url = this.opts.databaseUrl;
    if (url === undefined) return null;
    if (this.writePool === null) {
      // The batch statement only touches rows by primary key: every join of it must be a
      // nested loop of primary-key probes. Its prepared (generic) plan is made while the
      // tables are small, and would otherwise go on hash- or merge-joining the order updates
      // against a full scan of `orders` as that table grows (seen: 13k rows scanned per batch).
      const pool = new pg.Pool({
        connectionString: url,
        max: 1,
        connectionTimeoutMillis: 10_000,
        idleTimeoutMillis: 30_000,
        application_name: 'prediction-markets-writer',
        options: '-c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off',
      });
      pool.on('error', (err) => this.opts.logger.warn({ err }, 'idle writer connection failed'));
      this.writePool = pool;
    }
    const pool = this.writePool;
    return (text, values, name) => pool.query(name === undefined ? { text, values } : { name, text, values });
  }

  /** Resolves when the queue is empty and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The writer's wall clock now, epoch ms (the injected clock in tests), never behind the
   * last command's timestamp. Read-only: does not advance anything. For checks that must
   * agree with the engine's time, e.g. "closesAt is in the future".
   */
  clockMs(): number {
    return Math.max(this.clock(), this.lastNow);
  }

  /** Monotonic wall clock for command timestamps. */
  private now(): number {
    const t = Math.max(this.clock(), this.lastNow);
    this.lastNow = t;
    return t;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length > 0) {
        const engine = this.engineRef;
        if (engine === null) {
          for (const p of this.queue.splice(0)) p.reject(new ApiError('NOT_READY', 'the exchange is recovering'));
          break;
        }
        const head = this.queue[0]!;
        if (head.exclusive !== undefined) {
          this.queue.shift();
          this.inFlight = true;
          try {
            head.resolve((await head.exclusive(engine)) as JobOutcome<unknown>);
          } catch (err) {
            head.reject(err);
          } finally {
            this.inFlight = false;
            this.flushReads();
          }
          continue;
        }
        let n = 1;
        while (n < this.queue.length && n < this.opts.maxBatchCommands && this.queue[n]!.exclusive === undefined) n++;
        const batch = this.queue.splice(0, n);
        await this.runBatch(engine, batch);
      }
    } finally {
      this.draining = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async runBatch(engine: MatchingEngine, batch: Pending<unknown>[]): Promise<void> {
    const collector = new EventCollector();
    engine.setSink(collector);
    this.inFlight = true;
    const t0 = performance.now();
    const results: { result: unknown; from: number; to: number }[] = [];
    let bug: unknown = null;
    for (const p of batch) {
      const from = collector.events.length;
      let result: unknown;
      try {
        result = p.job.run(engine, this.now());
      } catch (err) {
        bug = err;
        break;
      }
      results.push({ result, from, to: collector.events.length });
    }
    const events = collector.take();
    const t1 = performance.now();
    let stats: PersistStats | null = null;
    let failure: unknown = bug;
    if (failure === null) {
      try {
        stats = await persistBatch(this.opts.prisma, {
          direct: this.directSql(),
          events,
          market: (id) => engine.getMarket(id),
          before: this.hooks(batch, results, events, 'persistBefore'),
          hooks: this.hooks(batch, results, events, 'persist'),
        });
      } catch (err) {
        failure = err;
      }
    }
    const t2 = performance.now();
    if (failure !== null) {
      this.opts.logger.error({ err: failure, commands: batch.length }, 'batch failed; restoring the engine from the database');
      this.opts.observer?.batchFailed?.({ commands: batch.length, error: failure });
      for (const p of batch) p.reject(new ApiError('COMMIT_FAILED', 'the command could not be made durable; nothing was applied'));
      await this.recover();
      this.inFlight = false;
      this.flushReads();
      return;
    }
    this.opts.observer?.batchCommitted?.({
      commands: batch.length,
      events,
      executeMs: t1 - t0,
      commitMs: t2 - t1,
      stats: stats ?? { statements: 0, rows: 0 },
    });
    this.inFlight = false;
    const done = performance.now();
    batch.forEach((p, i) => {
      const r = results[i]!;
      p.resolve({ result: r.result, events: events.slice(r.from, r.to) });
      this.opts.observer?.jobDone?.({ kind: p.job.kind, queuedMs: t0 - p.enqueuedAt, totalMs: done - p.enqueuedAt });
    });
    this.flushReads();
    if (events.length > 0 && this.publisher !== undefined) {
      try {
        await this.publisher.publish(events);
      } catch (err) {
        this.opts.logger.error({ err }, 'publishing committed events failed');
      }
    }
  }

  private hooks(
    batch: Pending<unknown>[],
    results: { result: unknown; from: number; to: number }[],
    events: EngineEvent[],
    which: 'persist' | 'persistBefore',
  ): ((tx: TxClient) => Promise<void>)[] {
    const out: ((tx: TxClient) => Promise<void>)[] = [];
    batch.forEach((p, i) => {
      const hook = p.job[which];
      const r = results[i]!;
      if (hook !== undefined) out.push((tx) => hook.call(p.job, tx, r.result, events.slice(r.from, r.to)));
    });
    return out;
  }

  private flushReads(): void {
    const reads = this.pendingReads.splice(0);
    for (const r of reads) r();
  }

  /** Rebuild from the database, retrying until it succeeds or the exchange stops. */
  private async recover(): Promise<void> {
    this.engineRef = null;
    for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
      try {
        this.engineRef = await rebuildEngine(this.opts.prisma, this.opts.engineConfig, this.now());
        this.opts.logger.warn('engine restored from the database');
        return;
      } catch (err) {
        this.opts.logger.error({ err, attempt }, 'engine rebuild failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }
}
