/**
 * Service benchmark: the whole exchange (HTTP -> auth -> validation -> single writer ->
 * group commit into PostgreSQL -> response) under concurrent HTTP clients.
 *
 *   pnpm bench:service                 human-readable report
 *   pnpm bench:service --json          one JSON object (the default writer's figures, and the
 *                                      baseline's throughput and the ratio of the two):
 *     {"ordersPerSec","p50Ms","p95Ms","p99Ms","commandsPerTx","p99MsAt1000PerSec",
 *      "serverCpuUsPerOrder","otherProcessesCores",
 *      "baselineOrdersPerSec","ratio","serverCpuRatio","baseline":{...the same fields}}
 * (`ratio`: throughput, default / baseline; `serverCpuRatio`: server CPU per order, baseline /
 * default, the figure other processes on a shared machine disturb least.)
 *
 * Two runs in one invocation, each on a fresh database and server, the same seeded workload:
 * first the BASELINE (WRITER_COMMIT=serial WRITER_SQL=prisma: the writer executes nothing while
 * a batch commits, and commits every batch in a Prisma interactive transaction, the path before
 * pipelining), then the DEFAULT configuration (the server's defaults: WRITER_COMMIT=pipelined,
 * WRITER_SQL=pg; WRITER_* variables of the calling shell are not passed on). `--no-baseline` skips the first;
 * `--baseline-only` runs only it.
 *
 * Options: --duration=SEC (closed-loop measurement, default 10), --warmup=SEC (default 3),
 * --connections=N (closed-loop clients, default 256), --users=N (default 200),
 * --markets=N (default 4), --rate=N (open-loop orders/s, default 1000), --rate-duration=SEC
 * (default 10).
 *
 * Set-up: a fresh embedded PostgreSQL (temporary data directory, fsync and
 * synchronous_commit ON) and the server exactly as `pnpm start` runs it (the pre-built bundle, bench/server-process.ts; NODE_ENV=production)
 * as a CHILD process, both on this machine; this process is the load generator and talks to
 * the server over loopback HTTP/1.1 with keep-alive connections, through the client SDK
 * (`@prediction-markets/client`, one bearer-mode `PmClient` per user) as a bot would, on a
 * minimal fetch over raw sockets (see `keepAliveFetch`). On a 2-core
 * machine the generator, the server and PostgreSQL share the two cores, so the figures are a
 * lower bound of what the server does with the machine to itself.
 *
 * Phase 1 (closed loop, throughput): `connections` clients each send the next order as soon as
 * the previous one is answered. The mix: limit buys of YES and NO around a drifting mid
 * (about a third crossing the spread), limit sells of shares the user bought, cancels of the
 * user's resting orders, IOC limits, and market buys and sells. "orders/s" counts order
 * commands (place + cancel) answered without a server error, per second; latency is per
 * request, send to last byte.
 * Phase 2 (open loop): orders are sent at a fixed rate (`rate`/s) whatever the answers, and
 * each latency is measured from its scheduled send time (no coordinated omission).
 * Commands per transaction: the engine_commands_per_transaction histogram from /metrics,
 * over phase 1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, chmodSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { JSON_OUT, log, option } from './cli.ts';
import { benchServerEnv, ensureServerBundle, serverProcess } from './server-process.ts';
import { PmClient, type FetchLikeInit, type FetchLikeResponse, type Result as SdkResult } from '@prediction-markets/client';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { mulberry32 as prng } from '../test/helpers/kit.ts';


// ---------------------------------------------------------------- options

const DURATION_S = option('duration', 10);
const WARMUP_S = option('warmup', 3);
const CONNECTIONS = option('connections', 256);
const USERS = option('users', 200);
const MARKETS = option('markets', 4);
const RATE = option('rate', 1000);
const RATE_DURATION_S = option('rate-duration', 10);
/** Market-maker quotes: this share of requests (0..1) is a POST /api/orders/batch of MM_BATCH orders. Default 0: one order per request. */
const MM_SHARE = process.argv.some((a) => a.startsWith('--mm-share=')) ? Number(process.argv.find((a) => a.startsWith('--mm-share='))!.slice(11)) : 0;
const MM_BATCH = option('mm-batch', 10);


// ---------------------------------------------------------------- HTTP client

let host = '127.0.0.1';
let port = 0;
const baseUrl = (): string => `http://${host}:${port}`;

/**
 * Every API call goes through the client SDK (`PmClient`, bearer mode), as a bot's would: one
 * client per user. Its transport is `keepAliveFetch` below, a minimal fetch over a pool of raw
 * keep-alive sockets, handed to the SDK through its `fetch` option: the load generator shares
 * the machine's two cores with the server and PostgreSQL, and CPU the generator takes is
 * taken from the server under test. Load generator CPU per order command, measured on a 2 s
 * closed loop (`--no-baseline --duration=2 --warmup=1 --connections=4 --users=4 --markets=1
 * --mm-share=0.2`): SDK on Node's global fetch (undici) 651 us, SDK on this fetch when it still
 * built undici Response objects 214 us, the hand-written requests this benchmark sent before
 * the SDK 90 us.
 * Connections: one request at a time per connection, a new connection when none is idle, idle
 * ones reused; so the closed loop holds `connections` keep-alive connections and the open loop
 * as many as it has requests outstanding (undici's global agent would do the same: no
 * pipelining, no cap per origin).
 */
interface RawResponse {
  status: number;
  /** the header block, lines after the status line */
  head: string;
  text: string;
}

class Conn {
  private readonly sock: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private waiting: { resolve(r: RawResponse): void; reject(e: Error): void } | null = null;
  closed = false;

  constructor() {
    this.sock = net.connect({ host, port });
    this.sock.setNoDelay(true);
    this.sock.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (err?: Error): void => {
      this.closed = true;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(err ?? new Error('connection closed'));
    };
    this.sock.on('error', fail);
    this.sock.on('close', () => fail());
  }

  send(raw: string): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(raw);
    });
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buf.toString('latin1', 0, end);
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (m === null) {
      this.waiting?.reject(new Error(`response without content-length: ${head.slice(0, 200)}`));
      this.waiting = null;
      this.sock.destroy();
      return;
    }
    const total = end + 4 + Number(m[1]);
    if (this.buf.length < total) return;
    const res = { status: Number(head.slice(9, 12)), head: head.slice(head.indexOf('\r\n') + 2), text: this.buf.toString('utf8', end + 4, total) };
    this.buf = this.buf.subarray(total);
    const w = this.waiting;
    this.waiting = null;
    w?.resolve(res);
  }

  destroy(): void {
    this.sock.destroy();
  }
}

const idle: Conn[] = [];
const all = new Set<Conn>();

/**
 * The transport the SDK is given (its `FetchLike` option): method, string headers and string
 * body of `init`, the path of `url` (always this server); answers the part of a Response the
 * SDK reads (status, headers with Set-Cookie: the SDK keeps the refresh token from it, body
 * text), without undici's Response, Headers and body stream. A failed connection rejects, as
 * fetch does (the SDK reports NETWORK_ERROR). The SDK's per-request timeout signal is not
 * wired (the SDK is told `timeoutMs: 0`): the benchmark counts slow answers in its latency instead.
 */
async function keepAliveFetch(url: string, init: FetchLikeInit): Promise<FetchLikeResponse> {
  const pathStart = url.indexOf('/', url.indexOf('//') + 2);
  const data = init.body ?? '';
  let raw = `${init.method} ${pathStart < 0 ? '/' : url.slice(pathStart)} HTTP/1.1\r\nhost: ${host}:${port}\r\n`;
  for (const k in init.headers) raw += `${k}: ${init.headers[k]}\r\n`;
  if (init.body !== undefined) raw += `content-length: ${Buffer.byteLength(data)}\r\n`;
  raw += `\r\n${data}`;
  let conn = idle.pop();
  while (conn !== undefined && conn.closed) conn = idle.pop();
  if (conn === undefined) {
    conn = new Conn();
    all.add(conn);
  }
  let res: RawResponse;
  try {
    res = await conn.send(raw);
    idle.push(conn);
  } catch (err) {
    all.delete(conn);
    conn.destroy();
    throw err;
  }
  const head = res.head;
  /** Every value of header `name` (lower case), in order. */
  const values = (name: string): string[] => {
    const out: string[] = [];
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0 && line.slice(0, i).toLowerCase() === name) out.push(line.slice(i + 1).trim());
    }
    return out;
  };
  return {
    status: res.status,
    ok: res.status >= 200 && res.status < 300,
    headers: {
      get: (name) => {
        const v = values(name.toLowerCase());
        return v.length === 0 ? null : v.join(', ');
      },
      getSetCookie: () => values('set-cookie'),
    },
    text: () => Promise.resolve(res.text),
  };
}

function closeConnections(): void {
  for (const c of all) c.destroy();
  all.clear();
  idle.length = 0;
}

const clients: PmClient[] = [];

function newClient(): PmClient {
  // The benchmark outlives no token (ACCESS_TOKEN_TTL_SEC default), and renewal timers would
  // add requests the workload does not count.
  const pm = new PmClient({ baseUrl: baseUrl(), autoRefresh: false, fetch: keepAliveFetch, timeoutMs: 0 });
  clients.push(pm);
  return pm;
}

function closeClients(): void {
  for (const pm of clients) pm.close();
  clients.length = 0;
}

/** The SDK's answer, or a thrown error naming the call (set-up stops on any refusal). */
function must<T>(what: string, res: SdkResult<T>): T {
  if (!res.ok) throw new Error(`${what}: ${res.error.code} (${res.error.status ?? '-'}) ${res.error.message}`);
  return res.data;
}

/** The Prometheus scrape is text, not an API call: straight over the pool. */
async function metricsText(): Promise<string> {
  const res = await keepAliveFetch(`${baseUrl()}/metrics`, { method: 'GET', headers: {} });
  return res.text();
}

// ---------------------------------------------------------------- server

function startServer(databaseUrl: string, dataDir: string, commit: 'serial' | 'pipelined'): Promise<ChildProcess> {
  // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the server.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter((x) => x.length > 0);
  const server = serverProcess(extra);
  const child = spawn(server.command, server.args, {
    cwd: server.cwd,
    env: benchServerEnv({
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      MIGRATE_ON_START: 'true',
      JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
      LOG_LEVEL: 'warn',
      MAX_OPEN_ORDERS_PER_MARKET: '100000',
      // The baseline pins the issue's path (serial writer, every batch in a Prisma interactive
      // transaction); the default run leaves both to the server's defaults.
      ...(commit === 'serial' ? { WRITER_COMMIT: 'serial', WRITER_SQL: 'prisma' } : { WRITER_COMMIT: undefined, WRITER_SQL: undefined }),
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  // BENCH_SERVER_OUTPUT=FILE appends the server's stdout and stderr to FILE (e.g. with --trace-gc in BENCH_SERVER_NODE_ARGS).
  const tee = process.env.BENCH_SERVER_OUTPUT;
  if (tee !== undefined && tee !== '') {
    child.stdout!.on('data', (c: Buffer) => appendFileSync(tee, c));
    child.stderr!.on('data', (c: Buffer) => appendFileSync(tee, c));
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /API\s+http:\/\/([^:/\s]+):(\d+)\/api\/markets/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        host = m[1] === 'localhost' ? '127.0.0.1' : m[1]!;
        port = Number(m[2]);
        resolve(child);
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
      if (!JSON_OUT) process.stderr.write(c);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}):\n${out}`));
    });
  });
}

/** CPU time (user + system, ms) of processes: by pid, or every child of `parentPid` plus itself. */
function cpuMs(pids: number[], parentPid?: number): number {
  const tick = 10; // USER_HZ = 100 on Linux
  let total = 0;
  const want = new Set(pids);
  const entries = parentPid === undefined ? pids.map(String) : readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(f[1]);
      if (want.has(Number(d)) || (parentPid !== undefined && (ppid === parentPid || Number(d) === parentPid))) total += (Number(f[11]) + Number(f[12])) * tick;
    } catch {
      // gone
    }
  }
  return total;
}

/** Kernel (system) CPU time of process `pid`, ms. */
function serverSysMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]) * 10;
  } catch {
    return NaN;
  }
}

/** Machine-wide CPU ticks from /proc/stat: busy (user+nice+system+irq+softirq), steal, total. */
function machineTicks(): { busy: number; steal: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** Sum and count of a histogram in a scrape (the series of `labels`, e.g. `{operation="batch_commit"}`, or the unlabelled one). */
function histogramOf(text: string, name: string, labels = ''): { sum: number; count: number } {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sum = new RegExp(`^${name}_sum${esc(labels)} ([\\d.e+-]+)$`, 'm').exec(text);
  const count = new RegExp(`^${name}_count${esc(labels)} ([\\d.e+-]+)$`, 'm').exec(text);
  return { sum: Number(sum?.[1] ?? NaN), count: Number(count?.[1] ?? NaN) };
}

/** The writer's histograms now: commands per transaction, batch commit time (s), engine execute time (s). */
async function writerHistograms(): Promise<{ commands: { sum: number; count: number }; commitS: { sum: number; count: number }; executeS: { sum: number; count: number } }> {
  const text = await metricsText();
  return {
    commands: histogramOf(text, 'engine_commands_per_transaction'),
    commitS: histogramOf(text, 'database_query_duration_seconds', '{operation="batch_commit"}'),
    executeS: histogramOf(text, 'order_matching_duration_seconds'),
  };
}

/** Mean of a histogram between two scrapes, in ms (for seconds histograms). */
const meanMs = (a: { sum: number; count: number }, b: { sum: number; count: number }): number => (1000 * (b.sum - a.sum)) / Math.max(1, b.count - a.count);

// ---------------------------------------------------------------- workload

const SEED = 20261121;
let rand = prng(SEED);
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const clampPrice = (p: number): number => Math.min(99, Math.max(1, p));

interface User {
  pm: PmClient;
  /** resting orders this user placed: [orderId, ...] */
  open: number[];
  /** shares known to be held (from taker fills), by `${market}/${outcome}` */
  held: Map<string, number>;
}

interface Market {
  slug: string;
  mid: number;
}

let users: User[] = [];
const markets: Market[] = [];

type PlaceBody = Parameters<PmClient['placeOrder']>[1];
type BatchItem = Parameters<PmClient['placeBatch']>[0][number];

interface Op {
  kind: 'place' | 'cancel' | 'batch';
  /** the route, for messages */
  method: string;
  path: string;
  user: User;
  body?: PlaceBody;
  orders?: BatchItem[];
  market?: Market;
  orderId?: number;
}

/** An answer: the SDK's result (null: the call threw, a bug in the SDK or the benchmark). */
type Answer = SdkResult<unknown> | null;

function nextOp(allowBatch = true): Op {
  const user = users[int(0, users.length - 1)]!;
  const market = markets[int(0, markets.length - 1)]!;
  if (rand() < 0.02) market.mid = Math.min(85, Math.max(15, market.mid + int(-2, 2)));
  if (allowBatch && MM_SHARE > 0 && rand() < MM_SHARE) {
    // a market maker requotes: a ladder of YES and NO bids around the mid, in one request
    const orders = Array.from({ length: MM_BATCH }, (_, i): BatchItem => {
      const outcome = i % 2 === 0 ? 'YES' : 'NO';
      const own = outcome === 'YES' ? market.mid : 100 - market.mid;
      return { marketSlug: market.slug, side: 'BUY', outcome, price: clampPrice(own - 1 - Math.floor(i / 2) + int(-1, 1)), quantity: int(5, 20) };
    });
    return { kind: 'batch', method: 'POST', path: '/api/orders/batch', user, orders, market };
  }
  const roll = rand();
  if (roll < 0.15 && user.open.length > 0) {
    // cancel one of the newest quotes (older ones have more likely been filled meanwhile)
    const orderId = user.open.splice(Math.max(0, user.open.length - int(1, 3)), 1)[0]!;
    return { kind: 'cancel', method: 'DELETE', path: `/api/orders/${orderId}`, user, orderId };
  }
  const outcome: 'YES' | 'NO' = rand() < 0.5 ? 'YES' : 'NO';
  const ownMid = outcome === 'YES' ? market.mid : 100 - market.mid;
  const key = `${market.slug}/${outcome}`;
  const held = user.held.get(key) ?? 0;
  if (roll < 0.3 && held > 0) {
    // sell shares held: mostly limit around the mid, some market sells
    const qty = int(1, held);
    user.held.set(key, held - qty);
    const body: PlaceBody = rand() < 0.15 ? { side: 'SELL', outcome, type: 'MARKET', quantity: qty } : { side: 'SELL', outcome, price: clampPrice(ownMid + int(-3, 5)), quantity: qty };
    return { kind: 'place', method: 'POST', path: `/api/orders/${market.slug}`, user, body, market };
  }
  if (roll < 0.36) {
    const body: PlaceBody = { side: 'BUY', outcome, type: 'MARKET', quantity: int(1, 10), maxCost: int(100, 1000) };
    return { kind: 'place', method: 'POST', path: `/api/orders/${market.slug}`, user, body, market };
  }
  // limit buy around the mid: about a third cross the spread
  const body: PlaceBody = { side: 'BUY', outcome, price: clampPrice(ownMid + int(-6, 3)), quantity: int(1, 10) };
  if (rand() < 0.08) body.timeInForce = 'IOC';
  return { kind: 'place', method: 'POST', path: `/api/orders/${market.slug}`, user, body, market };
}

/** Learn from an answer: resting order ids and shares bought. */
function absorb(op: Op, res: SdkResult<unknown>): void {
  if (!res.ok) return;
  if (op.kind === 'batch') {
    const r = res.data as { results: { ok: boolean; order?: { id: number; status: string } }[] };
    for (const item of r.results) {
      if (item.ok && (item.order!.status === 'OPEN' || item.order!.status === 'PARTIALLY_FILLED')) op.user.open.push(item.order!.id);
    }
    while (op.user.open.length > 200) op.user.open.shift();
    return;
  }
  if (op.kind !== 'place') return;
  const r = res.data as { order: { id: number; status: string; side: string; outcome: string }; fills: { quantity: number }[] };
  if (r.order.status === 'OPEN' || r.order.status === 'PARTIALLY_FILLED') {
    op.user.open.push(r.order.id);
    if (op.user.open.length > 200) op.user.open.shift();
  }
  if (r.order.side === 'BUY' && r.fills.length > 0) {
    // shares bought; holding YES and NO nets them into cash (positions stay one-sided)
    const key = `${op.market!.slug}/${r.order.outcome}`;
    const other = `${op.market!.slug}/${r.order.outcome === 'YES' ? 'NO' : 'YES'}`;
    const bought = r.fills.reduce((s, f) => s + f.quantity, 0);
    const netted = Math.min(bought, op.user.held.get(other) ?? 0);
    op.user.held.set(other, (op.user.held.get(other) ?? 0) - netted);
    op.user.held.set(key, (op.user.held.get(key) ?? 0) + bought - netted);
  }
}

interface Tally {
  orders: number;
  /** orders that came in batch requests */
  batched: number;
  /** rejections by error code */
  codes: Map<string, number>;
  placed: number;
  cancelled: number;
  rejected: number;
  serverErrors: number;
  transportErrors: number;
  latenciesMs: number[];
}
const newTally = (): Tally => ({ orders: 0, batched: 0, codes: new Map(), placed: 0, cancelled: 0, rejected: 0, serverErrors: 0, transportErrors: 0, latenciesMs: [] });

function record(t: Tally, op: Op, res: Answer, latencyMs: number): void {
  if (res === null || (!res.ok && (res.error.code === 'NETWORK_ERROR' || res.error.code === 'TIMEOUT'))) {
    t.transportErrors++;
    return;
  }
  if (!res.ok && (res.error.status === null || res.error.status >= 500)) {
    t.serverErrors++;
    if (t.serverErrors <= 3) log(`  server error: ${op.method} ${op.path} -> ${res.error.status ?? '-'} ${res.error.code} ${res.error.message.slice(0, 200)}`);
    return;
  }
  t.latenciesMs.push(latencyMs);
  if (op.kind === 'batch') {
    const n = op.orders!.length;
    const ok = res.ok ? (res.data as { results: { ok: boolean }[] }).results.filter((x) => x.ok).length : 0;
    t.orders += n;
    t.batched += n;
    t.placed += ok;
    t.rejected += n - ok;
    return;
  }
  t.orders++;
  if (!res.ok) {
    t.rejected++;
    t.codes.set(res.error.code, (t.codes.get(res.error.code) ?? 0) + 1);
  }
  else if (op.kind === 'place') t.placed++;
  else t.cancelled++;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function send(op: Op): Promise<Answer> {
  try {
    if (op.kind === 'batch') return await op.user.pm.placeBatch(op.orders!);
    if (op.kind === 'cancel') return await op.user.pm.cancelOrder(op.orderId!);
    return await op.user.pm.placeOrder(op.market!.slug, op.body!);
  } catch {
    return null;
  }
}

/** Closed loop: `connections` clients, each sends its next order when the previous is answered. */
async function closedLoop(seconds: number, tally: Tally | null): Promise<number> {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < end) {
        const op = nextOp();
        const start = performance.now();
        const res = await send(op);
        const ms = performance.now() - start;
        if (res !== null) absorb(op, res);
        if (tally !== null) record(tally, op, res, ms);
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** Open loop: one order every 1/rate s on schedule; latency from the scheduled time. */
async function openLoop(rate: number, seconds: number, tally: Tally): Promise<number> {
  const total = Math.round(rate * seconds);
  const intervalMs = 1000 / rate;
  const t0 = performance.now();
  const inflight: Promise<void>[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && t0 + sent * intervalMs <= now) {
        const scheduled = t0 + sent * intervalMs;
        const op = nextOp(false); // one order per request: the rate is in orders
        sent++;
        inflight.push(
          send(op).then((res) => {
            if (res !== null) absorb(op, res);
            record(tally, op, res, performance.now() - scheduled);
          }),
        );
      }
      if (sent >= total) resolve();
      else setTimeout(tick, Math.max(0, Math.min(intervalMs, t0 + sent * intervalMs - performance.now())));
    };
    tick();
  });
  await Promise.all(inflight);
  return (performance.now() - t0) / 1000;
}

// ---------------------------------------------------------------- main

type Result = Record<string, number>;

/** One whole run (fresh database, server with WRITER_COMMIT=`commit`, set-up, both phases). */
async function runOnce(commit: 'serial' | 'pipelined'): Promise<Result> {
  rand = prng(SEED);
  users = [];
  markets.length = 0;
  log(`\n=== ${commit === 'serial' ? 'baseline (WRITER_COMMIT=serial WRITER_SQL=prisma)' : 'default configuration'} ===`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pm-bench-'));
  chmodSync(tmp, 0o755); // the `postgres` OS user must reach the data directory
  let server: ChildProcess | null = null;
  let stopPg: (() => Promise<void>) | null = null;
  try {
    log(`starting embedded PostgreSQL (fsync on) in ${tmp} ...`);
    // BENCH_PG_LOG_STATEMENTS=1 logs every statement to stderr (diagnostics: which queries an order costs).
    const pgLog = process.env.BENCH_PG_LOG_STATEMENTS === '1';
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(tmp, 'pg'),
      database: 'bench',
      ...(pgLog ? { settings: { log_statement: 'all', log_min_messages: 'info' }, onLog: (line: string) => process.stderr.write(`[pg] ${line}\n`) } : {}),
    });
    stopPg = pg.stop;
    server = await startServer(pg.url, path.join(tmp, 'data'), commit);
    const serverExited = new Promise<never>((_, reject) => server!.on('exit', (c, s) => reject(new Error(`server exited (${c ?? s}) during the benchmark`))));
    serverExited.catch(() => undefined);
    log(`server (pid ${server.pid}) on http://${host}:${port}`);

    // set-up: markets, users with ample points
    const admin = newClient();
    must('admin login', await admin.login({ email: 'admin@bench.local', password: 'admin-bench-password' }));
    const closesAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    for (let i = 0; i < MARKETS; i++) {
      const slug = `bench-market-${i}`;
      must('create market', await admin.createMarket({ slug, question: `Benchmark market ${i}?`, closesAt }));
      must('open market', await admin.setMarketStatus(slug, { status: 'OPEN' }));
      markets.push({ slug, mid: 35 + 10 * (i % 4) });
    }
    const registered: User[] = [];
    for (let i = 0; i < USERS; i += 16) {
      const chunk = await Promise.all(
        Array.from({ length: Math.min(16, USERS - i) }, async (_, j) => {
          const pm = newClient();
          const r = must('register', await pm.register({ email: `trader-${i + j}@bench.local`, password: 'bench-password-123' }));
          must('grant', await admin.grant({ userId: r.user.id, amountCents: 100_000_000 }));
          return { pm, open: [], held: new Map<string, number>() };
        }),
      );
      registered.push(...chunk);
    }
    users = registered;
    log(`${MARKETS} markets, ${USERS} users; warm-up ${WARMUP_S} s with ${CONNECTIONS} connections ...`);
    await closedLoop(WARMUP_S, null);

    // phase 1: closed loop
    const postmasterPid = Number(readFileSync(path.join(tmp, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const cpu0 = { server: cpuMs([server.pid!]), pg: cpuMs([], postmasterPid), gen: process.cpuUsage(), machine: machineTicks() };
    const h0 = await writerHistograms();
    const serverSys0 = serverSysMs(server.pid!);
    const tally = newTally();
    const elapsed = await closedLoop(DURATION_S, tally);
    const h1 = await writerHistograms();
    const serverSys = serverSysMs(server.pid!) - serverSys0;
    const genCpu = process.cpuUsage(cpu0.gen);
    const cpu = { server: cpuMs([server.pid!]) - cpu0.server, pg: cpuMs([], postmasterPid) - cpu0.pg, gen: (genCpu.user + genCpu.system) / 1000 };
    const m1 = machineTicks();
    const machine = { busyCores: (m1.busy - cpu0.machine.busy) / 100 / elapsed, stealPct: (100 * (m1.steal - cpu0.machine.steal)) / Math.max(1, m1.total - cpu0.machine.total) };
    const lat = tally.latenciesMs.sort((a, b) => a - b);
    const ordersPerSec = tally.orders / elapsed;
    const commandsPerTx = (h1.commands.sum - h0.commands.sum) / (h1.commands.count - h0.commands.count);
    log(
      `phase 1 (closed loop, ${CONNECTIONS} connections, ${elapsed.toFixed(1)} s): ${tally.orders} order commands ` +
        `(${tally.placed} placed, ${tally.cancelled} cancelled, ${tally.rejected} rejected by rules; ${tally.batched} of them in batch requests of ${MM_BATCH}), ` +
        `${tally.serverErrors} server errors, ${tally.transportErrors} transport errors`,
    );
    log(`  ${ordersPerSec.toFixed(0)} orders/s; latency per request p50 ${percentile(lat, 50).toFixed(2)} ms, p95 ${percentile(lat, 95).toFixed(2)} ms, p99 ${percentile(lat, 99).toFixed(2)} ms, max ${lat[lat.length - 1]?.toFixed(2)} ms`);
    log(`  accepted (placed or cancelled): ${((tally.placed + tally.cancelled) / elapsed).toFixed(0)} orders/s; the rest were answered with a rule's rejection (4xx)`);
    log(`  rejections by code: ${[...tally.codes].sort((x, y) => y[1] - x[1]).map(([c, n]) => `${c} ${n}`).join(', ') || 'none'}`);
    log(`  ${commandsPerTx.toFixed(1)} commands per database transaction (${h1.commands.count - h0.commands.count} transactions; commit ${meanMs(h0.commitS, h1.commitS).toFixed(2)} ms, engine execute ${meanMs(h0.executeS, h1.executeS).toFixed(2)} ms per batch on average)`);
    const per = (ms: number): string => `${((ms * 1000) / Math.max(1, tally.orders)).toFixed(0)} us`;
    log(
      `  CPU per order command: server ${per(cpu.server)}, PostgreSQL ${per(cpu.pg)}, load generator ${per(cpu.gen)} (${per(genCpu.system / 1000)} in the kernel) ` +
        `(server: ${per(serverSys)} of it in the kernel; cores busy: server ${(cpu.server / 1000 / elapsed).toFixed(2)}, PostgreSQL ${(cpu.pg / 1000 / elapsed).toFixed(2)}, generator ${(cpu.gen / 1000 / elapsed).toFixed(2)})`,
    );
    log(
      `  machine (${os.cpus().length} cores): ${machine.busyCores.toFixed(2)} cores busy in all, ` +
        `${(machine.busyCores - (cpu.server + cpu.pg + cpu.gen) / 1000 / elapsed).toFixed(2)} of them by other processes; CPU steal ${machine.stealPct.toFixed(1)} %`,
    );

    // phase 2: open loop at RATE/s
    const tally2 = newTally();
    const elapsed2 = await openLoop(RATE, RATE_DURATION_S, tally2);
    const h2 = await writerHistograms();
    const lat2 = tally2.latenciesMs.sort((a, b) => a - b);
    log(
      `phase 2 (open loop, ${RATE} orders/s offered for ${RATE_DURATION_S} s, done in ${elapsed2.toFixed(1)} s): ${tally2.orders} answered, ` +
        `${tally2.serverErrors} server errors, ${tally2.transportErrors} transport errors`,
    );
    log(
      `  latency from scheduled send: p50 ${percentile(lat2, 50).toFixed(2)} ms, p95 ${percentile(lat2, 95).toFixed(2)} ms, ` +
        `p99 ${percentile(lat2, 99).toFixed(2)} ms, max ${lat2[lat2.length - 1]?.toFixed(2)} ms; ` +
        `${((h2.commands.sum - h1.commands.sum) / (h2.commands.count - h1.commands.count)).toFixed(1)} commands per transaction, commit ${meanMs(h1.commitS, h2.commitS).toFixed(2)} ms per batch on average`,
    );

    const reconcile = must('reconcile', await admin.reconcile());
    log(`reconcile after the run: ${reconcile.ok ? 'ok' : `FAILED ${JSON.stringify(reconcile.checks.filter((c: { ok: boolean }) => !c.ok))}`}`);
    if (!reconcile.ok || tally.serverErrors + tally2.serverErrors > 0) process.exitCode = 1;

    const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;
    const result = {
      ordersPerSec: round(ordersPerSec, 0),
      p50Ms: round(percentile(lat, 50), 2),
      p95Ms: round(percentile(lat, 95), 2),
      p99Ms: round(percentile(lat, 99), 2),
      commandsPerTx: round(commandsPerTx, 1),
      p99MsAt1000PerSec: round(percentile(lat2, 99), 2),
      serverCpuUsPerOrder: round((cpu.server * 1000) / Math.max(1, tally.orders), 0),
      otherProcessesCores: round(machine.busyCores - (cpu.server + cpu.pg + cpu.gen) / 1000 / elapsed, 2),
    };
    log(JSON.stringify(result));
    return result;
  } finally {
    closeClients();
    closeConnections();
    if (server !== null && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((resolve) => server!.once('exit', () => resolve()));
      server.kill('SIGTERM');
      const timer = setTimeout(() => server!.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    await stopPg?.();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await ensureServerBundle();
  const baseline = process.argv.includes('--no-baseline') ? null : await runOnce('serial');
  if (process.argv.includes('--baseline-only')) {
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(baseline)}\n`);
    return;
  }
  const result: Result = await runOnce('pipelined');
  const out: Record<string, unknown> = { ...result };
  if (baseline !== null) {
    out.baselineOrdersPerSec = baseline.ordersPerSec;
    out.ratio = Math.round((result.ordersPerSec! / baseline.ordersPerSec!) * 100) / 100;
    out.baseline = baseline;
    // Less sensitive to other processes on the machine than throughput: server CPU per order.
    out.serverCpuRatio = Math.round((baseline.serverCpuUsPerOrder! / result.serverCpuUsPerOrder!) * 100) / 100;
    log(
      `\nthroughput: ${result.ordersPerSec} orders/s (default) vs ${baseline.ordersPerSec} orders/s (baseline): ${String(out.ratio)}x; ` +
        `p99 at ${RATE} orders/s offered: ${result.p99MsAt1000PerSec} ms vs ${baseline.p99MsAt1000PerSec} ms`,
    );
  }
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`);
  else log(JSON.stringify(out));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
