/**
 * The single writer: every command that changes state passes through one ordered queue into
 * the matching engine, which owns all books and accounts (functional core). This class is
 * the imperative shell around it:
 *
 *   queue --> [execute a batch in the engine] --> [persist its events atomically]
 *         --> [resolve the batch's requests] --> [publish its events]
 *
 * - Group commit: jobs that arrive while a batch commits are executed into the next batch
 *   (up to MAX_BATCH_COMMANDS), so commits amortise over concurrent requests.
 * - Pipelining (WRITER_COMMIT=pipelined, the default): the next batch EXECUTES while the
 *   previous one commits; it is sealed and sent to the database as soon as that commit
 *   succeeded, before the committed batch's answers are handed out (at most one commit in
 *   flight, so batches commit in order). Answers leave in slices, yielding to the event loop
 *   between slices, so the database's reply to the next batch is read without delay. WRITER_COMMIT=serial
 *   (the baseline of `pnpm bench:service`) executes nothing while a batch commits, and commits
 *   every batch in a Prisma interactive transaction.
 * - Acknowledge nothing before it is durable: a job's promise settles only after its OWN
 *   batch committed, and events are published only then, batch after batch in order.
 * - If a commit fails, every job of that batch and of the batch executed after it (which saw
 *   the failed batch's effects) fails with COMMIT_FAILED, and the engine is rebuilt from the
 *   database (the last committed state): memory and database never diverge. Jobs still
 *   queued run after the rebuild.
 * - Reads of engine state (`read`) and `exclusive` work run when everything executed is
 *   committed, so they see committed state only; while one waits, execution pauses.
 * - The queue is bounded (`maxQueueDepth`): beyond it `submit` fails at once with 503
 *   QUEUE_FULL (REST answers carry Retry-After, see `QUEUE_FULL_RETRY_AFTER_SEC`).
 */
import { EventCollector, type EngineConfig, type EngineEvent, type EngineStats, type MatchingEngine } from '@prediction-markets/matching-engine';
import { ApiError } from '@prediction-markets/shared';
import type { Logger } from 'pino';
import pg from 'pg';
import type { PrismaClient, TxClient } from '../db/types.ts';
import { buildBatchRows, writeBatch, type BatchRows, type PersistStats } from './persist.ts';
import { rebuildEngine, type RebuildTimings } from './rebuild.ts';

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
  /** A job refused because the queue was full (QUEUE_FULL). */
  queueRejected?(info: { kind: string; depth: number }): void;
}

/** Jobs of a committed batch resolved per turn of the event loop (see `Exchange.handOut`). */
const HANDOUT_SLICE = 32;

/** Seconds a client is told to wait (Retry-After) after 503 QUEUE_FULL. */
export const QUEUE_FULL_RETRY_AFTER_SEC = 1;

/** How batches reach the database (env WRITER_COMMIT; see the module comment). */
export type WriterCommitMode = 'pipelined' | 'serial';

export interface ExchangeOptions {
  prisma: PrismaClient;
  engineConfig: Partial<EngineConfig>;
  logger: Logger;
  maxBatchCommands: number;
  /** Most jobs waiting to execute; more are refused with QUEUE_FULL (default: unbounded). */
  maxQueueDepth?: number;
  /** Default 'pipelined'. */
  commitMode?: WriterCommitMode;
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
  /** The database URL for rebuilds: the big snapshot reads go over node-postgres (rebuild.ts). */
  rebuildDatabaseUrl?: string;
}

/** A batch being executed (open) or committed: its jobs, their results and its events. */
interface Batch {
  jobs: Pending<unknown>[];
  results: { result: unknown; from: number; to: number }[];
  collector: EventCollector;
  /** A job's throw (a bug): the batch fails as if its commit had failed. */
  bug: unknown;
  startedAt: number;
  executeMs: number;
}

export class Exchange {
  private engineRef: MatchingEngine | null = null;
  private readonly queue: Pending<unknown>[] = [];
  private readonly pendingReads: (() => void)[] = [];
  /** Executed, not yet sent to the database. */
  private open: Batch | null = null;
  /** A commit (or a recovery after a failed one) is in flight. */
  private committing = false;
  /** An `exclusive` function is running. */
  private exclusiveRunning = false;
  private pumpScheduled = false;
  private stopped = false;
  private lastNow = 0;
  private readonly clock: () => number;
  private readonly pipelined: boolean;
  private publisher: EventPublisher | undefined;
  /** The asynchronous tails of `publisher.publish` still running (awaited by `stop`). */
  private publishing: Promise<void> = Promise.resolve();
  private idleWaiters: (() => void)[] = [];
  private writePool: pg.Pool | null = null;
  /** Committed batches (pipelined) whose answers are still being handed out, and the chain that orders them. */
  private handouts = 0;
  private handoutTail: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ExchangeOptions) {
    this.clock = opts.clock ?? Date.now;
    this.publisher = opts.publisher;
    this.pipelined = (opts.commitMode ?? 'pipelined') === 'pipelined';
  }

  /** True once the engine is rebuilt and consistent, until `stop`. */
  get ready(): boolean {
    return this.engineRef !== null && !this.stopped;
  }

  /** Number of jobs waiting for the writer (not yet executed). */
  /**
   * Sizes of the running engine's memory-holding structures (`MatchingEngine.stats()`), or null
   * while there is no engine (starting, rebuilding after a failed batch). Read by the metrics.
   */
  engineStats(): EngineStats | null {
    return this.engineRef?.stats() ?? null;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  setPublisher(publisher: EventPublisher): void {
    this.publisher = publisher;
  }

  /** Where the last rebuild's time went (start or recovery), or null before the first. */
  lastRebuild: RebuildTimings | null = null;

  /** Rebuild the engine from the database; throws if the stored state is inconsistent. */
  async start(): Promise<void> {
    const timings: RebuildTimings = { loadMs: 0, restoreMs: 0, checkMs: 0, openOrders: 0 };
    this.engineRef = await rebuildEngine(this.opts.prisma, this.opts.engineConfig, this.now(), timings, this.opts.rebuildDatabaseUrl);
    this.lastRebuild = timings;
    this.stopped = false;
  }

  /**
   * Queue a job; resolves after its batch has committed (with its result and events), or
   * rejects with ApiError NOT_READY / SHUTTING_DOWN / QUEUE_FULL / COMMIT_FAILED.
   */
  submit<T>(job: Job<T>): Promise<JobOutcome<T>> {
    if (this.stopped) return Promise.reject(new ApiError('SHUTTING_DOWN', 'the exchange is shutting down'));
    if (this.engineRef === null) return Promise.reject(new ApiError('NOT_READY', 'the exchange is starting'));
    const max = this.opts.maxQueueDepth;
    if (max !== undefined && this.queue.length >= max) {
      this.opts.observer?.queueRejected?.({ kind: job.kind, depth: this.queue.length });
      return Promise.reject(
        new ApiError('QUEUE_FULL', `the writer's queue is full (${max} commands); retry after ${QUEUE_FULL_RETRY_AFTER_SEC} s`, { retryAfterSec: QUEUE_FULL_RETRY_AFTER_SEC }),
      );
    }
    return new Promise<JobOutcome<T>>((resolve, reject) => {
      this.queue.push({ job, resolve, reject, enqueuedAt: performance.now() } as Pending<unknown>);
      this.schedulePump();
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
      this.schedulePump();
    });
  }

  /** Run `fn` against committed engine state (when everything executed is committed). */
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
      if (this.settled()) run();
      else {
        this.pendingReads.push(run);
        this.schedulePump();
      }
    });
  }

  /** Stop taking jobs, finish every queued one (committed), then resolve. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.idle();
    await this.publishing;
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

  /** Resolves when the queue is empty and nothing is executed-but-uncommitted or in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
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

  /** Nothing executed is uncommitted, nothing is in flight, every answer is handed out: the engine holds committed state. */
  private settled(): boolean {
    return this.open === null && !this.committing && !this.exclusiveRunning && this.handouts === 0;
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.settled();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // A microtask: jobs submitted in the same turn join the same batch.
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * The writer's state machine (synchronous; re-entered when a commit or an exclusive
   * function settles): execute queued jobs into the open batch, start its commit when none is
   * in flight, serve reads and exclusive work when everything is committed.
   */
  private pump(): void {
    for (;;) {
      if (this.exclusiveRunning) return;
      const engine = this.engineRef;
      if (engine === null) {
        if (!this.committing) {
          for (const p of this.queue.splice(0)) p.reject(new ApiError('NOT_READY', 'the exchange is recovering'));
          for (const r of this.pendingReads.splice(0)) r(); // each rejects NOT_READY
          this.notifyIdle();
        }
        return;
      }
      // Reads and exclusive work wait for committed state: execute nothing more meanwhile.
      const barrier = this.pendingReads.length > 0 || this.queue[0]?.exclusive !== undefined;
      if (!barrier && (this.pipelined || !this.committing)) this.execute(engine);
      if (!this.committing && this.open !== null) {
        const batch = this.open;
        this.open = null;
        this.startCommit(engine, batch);
        continue; // execute what is still queued into the next batch while this one commits
      }
      if (!this.settled()) return;
      if (this.pendingReads.length > 0) {
        const reads = this.pendingReads.splice(0);
        for (const r of reads) r();
        continue;
      }
      const head = this.queue[0];
      if (head?.exclusive !== undefined) {
        this.queue.shift();
        this.exclusiveRunning = true;
        head.exclusive(engine).then(
          (v) => head.resolve(v as JobOutcome<unknown>),
          (err: unknown) => head.reject(err),
        ).finally(() => {
          this.exclusiveRunning = false;
          this.pump();
        });
        return;
      }
      if (this.queue.length === 0) this.notifyIdle();
      return;
    }
  }

  /** Run queued jobs into the open batch (up to maxBatchCommands), stopping at exclusive work. */
  private execute(engine: MatchingEngine): void {
    if (this.queue.length === 0 || this.queue[0]!.exclusive !== undefined) return;
    let batch = this.open;
    if (batch === null) {
      batch = { jobs: [], results: [], collector: new EventCollector(), bug: null, startedAt: performance.now(), executeMs: 0 };
      this.open = batch;
    }
    if (batch.bug !== null) return;
    const t0 = performance.now();
    engine.setSink(batch.collector);
    const collector = batch.collector;
    while (this.queue.length > 0 && batch.jobs.length < this.opts.maxBatchCommands && this.queue[0]!.exclusive === undefined) {
      const p = this.queue.shift()!;
      batch.jobs.push(p);
      const from = collector.events.length;
      try {
        batch.results.push({ result: p.job.run(engine, this.now()), from, to: collector.events.length });
      } catch (err) {
        batch.bug = err;
        break;
      }
    }
    batch.executeMs += performance.now() - t0;
  }

  private startCommit(engine: MatchingEngine, batch: Batch): void {
    this.committing = true;
    const events = batch.collector.take();
    let rows: BatchRows | null = null;
    let failure: unknown = batch.bug;
    if (failure === null) {
      try {
        // Built now: the market views are the engine's state right after THIS batch.
        rows = buildBatchRows(events, (id) => engine.getMarket(id));
      } catch (err) {
        failure = err;
      }
    }
    void this.commit(batch, events, rows, failure);
  }

  private async commit(batch: Batch, events: EngineEvent[], rows: BatchRows | null, bug: unknown): Promise<void> {
    const t1 = performance.now();
    let stats: PersistStats | null = null;
    let failure = bug;
    if (failure === null && rows !== null) {
      try {
        stats = await writeBatch(this.opts.prisma, rows, {
          direct: this.directSql(),
          singleStatement: this.pipelined,
          before: this.hooks(batch, events, 'persistBefore'),
          hooks: this.hooks(batch, events, 'persist'),
        });
      } catch (err) {
        failure = err;
      }
    }
    const t2 = performance.now();
    if (failure !== null) {
      // The batch executed after this one saw its effects: it fails too. Jobs still queued
      // run after the rebuild.
      const next = this.open;
      this.open = null;
      const failed = next === null ? batch.jobs : [...batch.jobs, ...next.jobs];
      this.opts.logger.error({ err: failure, commands: batch.jobs.length, following: failed.length - batch.jobs.length }, 'batch failed; restoring the engine from the database');
      this.opts.observer?.batchFailed?.({ commands: failed.length, error: failure });
      for (const p of failed) p.reject(new ApiError('COMMIT_FAILED', 'the command could not be made durable; nothing was applied'));
      await this.recover();
      this.committing = false;
      this.pump();
      return;
    }
    this.opts.observer?.batchCommitted?.({
      commands: batch.jobs.length,
      events,
      executeMs: batch.executeMs,
      commitMs: t2 - t1,
      stats: stats ?? { statements: 0, rows: 0 },
    });
    this.committing = false;
    if (!this.pipelined) {
      this.resolveJobs(batch, events, 0, batch.jobs.length);
      this.publish(events);
      this.pump();
      return;
    }
    // Pipelined: the next batch goes to the database first (what is queued executes into it
    // and its statement is sent now), then this batch's events are published, then its answers
    // are handed out in slices (`handOut`) while the database works on the next one.
    this.sendNext();
    this.publish(events);
    this.handouts++;
    this.handoutTail = this.handoutTail.then(() => this.handOut(batch, events));
  }

  /**
   * Resolve a committed batch's jobs in slices of HANDOUT_SLICE, yielding to the event loop
   * (setImmediate) between slices: each answer's work (DTO, JSON, socket write) runs in the
   * microtasks after its slice, and without the yields a batch of hundreds of answers kept the
   * event loop from reading the database's reply to the NEXT batch (and from sending the one
   * after it) for milliseconds. Batches hand out in commit order (`handoutTail`).
   */
  private async handOut(batch: Batch, events: EngineEvent[]): Promise<void> {
    for (let from = 0; from < batch.jobs.length; from += HANDOUT_SLICE) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      this.resolveJobs(batch, events, from, Math.min(batch.jobs.length, from + HANDOUT_SLICE));
    }
    this.handouts--;
    this.pump();
  }

  /** Settle jobs `from`..`to` (exclusive) of a committed batch with their results and events. */
  private resolveJobs(batch: Batch, events: EngineEvent[], from: number, to: number): void {
    const done = performance.now();
    for (let i = from; i < to; i++) {
      const p = batch.jobs[i]!;
      const r = batch.results[i]!;
      p.resolve({ result: r.result, events: events.slice(r.from, r.to) });
      this.opts.observer?.jobDone?.({ kind: p.job.kind, queuedMs: Math.max(0, batch.startedAt - p.enqueuedAt), totalMs: done - p.enqueuedAt });
    }
  }

  /**
   * Start the next commit at once if there is work for it (called as a commit succeeds): run
   * what is queued into the open batch, unless a read or exclusive work waits for committed
   * state, and send the open batch. The rest (reads, exclusive work, idle waiters) is `pump`'s.
   */
  private sendNext(): void {
    const engine = this.engineRef;
    if (engine === null || this.exclusiveRunning || this.committing) return;
    const barrier = this.pendingReads.length > 0 || this.queue[0]?.exclusive !== undefined;
    if (!barrier) this.execute(engine);
    const next = this.open;
    if (next === null) return;
    this.open = null;
    this.startCommit(engine, next);
  }

  /**
   * Hand a committed batch's events to the publisher NOW, synchronously after its jobs resolved
   * and before any read is served: a market snapshot read afterwards already contains this
   * batch, and its deltas were built before it (the realtime layer's contiguous seq relies on
   * this order). An asynchronous tail of `publish` is awaited only by `stop`.
   */
  private publish(events: EngineEvent[]): void {
    const publisher = this.publisher;
    if (events.length === 0 || publisher === undefined) return;
    const failed = (err: unknown): void => this.opts.logger.error({ err }, 'publishing committed events failed');
    try {
      const done = publisher.publish(events);
      if (done instanceof Promise) this.publishing = Promise.all([this.publishing, done.catch(failed)]).then(() => undefined);
    } catch (err) {
      failed(err);
    }
  }

  private hooks(batch: Batch, events: EngineEvent[], which: 'persist' | 'persistBefore'): ((tx: TxClient) => Promise<void>)[] {
    const out: ((tx: TxClient) => Promise<void>)[] = [];
    batch.jobs.forEach((p, i) => {
      const hook = p.job[which];
      const r = batch.results[i]!;
      if (hook !== undefined) out.push((tx) => hook.call(p.job, tx, r.result, events.slice(r.from, r.to)));
    });
    return out;
  }

  private notifyIdle(): void {
    if (!this.isIdle() || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Rebuild from the database, retrying until it succeeds or the exchange stops. */
  private async recover(): Promise<void> {
    this.engineRef = null;
    for (let attempt = 0; !this.stopped || attempt === 0; attempt++) {
      try {
        this.engineRef = await rebuildEngine(this.opts.prisma, this.opts.engineConfig, this.now(), undefined, this.opts.rebuildDatabaseUrl);
        this.opts.logger.warn('engine restored from the database');
        return;
      } catch (err) {
        this.opts.logger.error({ err, attempt }, 'engine rebuild failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempt)));
      }
    }
  }
}
