/**
 * Restart benchmark: time from `pnpm start` to ready with a deep book.
 *
 *   pnpm bench:restart                    human-readable report
 *   pnpm bench:restart --json             one JSON object:
 *     {"openOrders","timeToReadyMs","processStartMs","databaseStartMs","migrateAndLockMs",
 *      "snapshotLoadMs","engineRestoreMs","invariantCheckMs","stateLoadMs","appStartMs","otherMs",
 *      "restarts":[...]}
 *
 * Options: --orders=N (open orders to build, default 100,000), --restarts=N (default 2; the
 * figures reported are the median restart's), --users=N (default 20), --cpu-prof (the restarted
 * servers write V8 CPU profiles to bench-results/restart-prof/ when they stop), --baseline (then
 * as many restarts of the development command, `node --import tsx src/server.ts`, on the same
 * book: `"baseline"` holds its figures in the same shape and `"ratio"` its time to ready over
 * the bundle's; the rebuild code is the same, so this isolates running from the bundle).
 *
 * What it does, as a newcomer would: the server exactly as `pnpm start` runs it (the pre-built
 * bundle `node dist/server/index.mjs`, see server-process.ts; built first when missing or stale,
 * before anything is timed) with no DATABASE_URL, so it starts its embedded PostgreSQL
 * under DATA_DIR (a temporary directory). One market; N resting orders placed through
 * POST /api/orders/batch (20 per request, with the client SDK `@prediction-markets/client`), BUY YES at 1..40 and BUY NO at 1..40 (a YES ask at
 * 60..99), nothing crosses. Then SIGTERM, wait for the exit, and start again: the time to
 * ready is from spawning the process to the first 200 of GET /ready, and the server's own
 * start-up timings log line splits it: process start (node and module loading), database
 * start (embedded PostgreSQL), migrations and the writer lock, snapshot load (the database
 * reads of the rebuild), engine restore, invariant check, state load (revoked sessions, markets,
 * the clock, admin and house users), app start (HTTP app, sockets, listen) and the rest (the
 * exchange's other start-up work, the log line reaching the bench, the readiness poll). After each restart the book must be whole (every order back).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JSON_OUT, log, option } from './cli.ts';
import { BACKEND_DIR, benchServerEnv, devServerProcess, ensureServerBundle, serverProcess } from './server-process.ts';
import { PmClient, type Result } from '@prediction-markets/client';

const ORDERS = option('orders', 100_000, { integer: true });
const RESTARTS = option('restarts', 2, { integer: true });
const USERS = option('users', 20, { integer: true });
const BATCH = 20;

interface Server {
  child: ChildProcess;
  base: string;
  timings: Promise<Record<string, number>>;
  exited: Promise<void>;
}

const CPU_PROF = process.argv.includes('--cpu-prof');
const BASELINE = process.argv.includes('--baseline');

function startServer(dataDir: string, logLevel: string, profile = false, dev = false): Promise<Server> {
  const nodeOptions = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(BACKEND_DIR, 'bench-results', 'restart-prof')}`] : [];
  const cmd = dev ? devServerProcess(nodeOptions) : serverProcess(nodeOptions);
  const child = spawn(cmd.command, cmd.args, {
    cwd: cmd.cwd,
    env: benchServerEnv({
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      JWT_SECRET: 'restart-bench-secret-that-is-long-enough-0123456789',
      LOG_LEVEL: logLevel,
      MAX_OPEN_ORDERS_PER_MARKET: '1000000',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let resolveTimings!: (t: Record<string, number>) => void;
  const timings = new Promise<Record<string, number>>((r) => (resolveTimings = r));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 300_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const t = /"startup":(\{[^}]*\})/.exec(out);
      if (t !== null) resolveTimings(JSON.parse(t[1]!) as Record<string, number>);
      const m = /API\s+(http:\/\/[^\s]+)\/api\/markets/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, base: m[1]!.replace('localhost', '127.0.0.1'), timings, exited });
      }
    });
    child.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code ?? signal}):\n${out.slice(-3000)}`));
    });
  });
}

async function stopServer(s: Server): Promise<void> {
  s.child.kill('SIGTERM');
  await s.exited;
}

/** The SDK's answer, or a thrown error naming the call (a benchmark stops on any refusal). */
function must<T>(what: string, res: Result<T>): T {
  if (!res.ok) throw new Error(`${what}: ${res.error.code} ${res.error.message}`);
  return res.data;
}

async function buildBook(base: string, slug: string): Promise<void> {
  const admin = new PmClient({ baseUrl: base, autoRefresh: false });
  const makers: PmClient[] = [];
  try {
    must('admin login', await admin.login({ email: 'admin@bench.local', password: 'admin-bench-password' }));
    const closesAt = new Date(Date.now() + 365 * 86_400_000).toISOString();
    must('create market', await admin.createMarket({ slug, question: 'Restart benchmark market?', closesAt }));
    must('open market', await admin.setMarketStatus(slug, { status: 'OPEN' }));
    for (let i = 0; i < USERS; i++) {
      const pm = new PmClient({ baseUrl: base, autoRefresh: false });
      makers.push(pm);
      const r = must('register', await pm.register({ email: `maker-${i}@bench.local`, password: 'bench-password-123' }));
      must('grant', await admin.grant({ userId: r.user.id, amountCents: 100_000_000 }));
    }
    await placeBook(makers, slug);
  } finally {
    admin.close();
    for (const pm of makers) pm.close();
  }
}

/** ORDERS resting orders through the batch API (BATCH per request, 16 requests in flight). */
async function placeBook(makers: PmClient[], slug: string): Promise<void> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (;;) {
      const from = next;
      if (from >= ORDERS) return;
      next = Math.min(ORDERS, from + BATCH);
      const orders = [];
      for (let k = from; k < next; k++) {
        // 80 levels: BUY YES at 1..40 (bids) and BUY NO at 1..40 (YES asks at 60..99)
        const level = k % 80;
        orders.push({ marketSlug: slug, side: 'BUY' as const, outcome: level < 40 ? ('YES' as const) : ('NO' as const), price: (level % 40) + 1, quantity: 1 });
      }
      const res = must('batch', await makers[Math.floor(from / BATCH) % USERS]!.placeBatch(orders));
      const failed = res.results.filter((r) => !r.ok);
      if (failed.length > 0) throw new Error(`batch refused: ${JSON.stringify(failed[0])}`);
      if (next % 10_000 === 0) log(`  ${next} orders placed (${((next / (performance.now() - started)) * 1000).toFixed(0)}/s)`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

async function restingOrders(base: string, slug: string): Promise<number> {
  const pm = new PmClient({ baseUrl: base, autoRefresh: false });
  const book = must('orderbook', await pm.getOrderbook(slug, { depth: 99 }));
  pm.close();
  const sum = (levels: { orders: number }[]): number => levels.reduce((s, l) => s + l.orders, 0);
  return sum(book.yes.bids) + sum(book.yes.asks);
}

async function main(): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'pm-restart-'));
  chmodSync(tmp, 0o755); // the `postgres` OS user must reach the data directory
  const dataDir = path.join(tmp, 'data');
  const slug = 'restart-bench';
  let server: Server | null = null;
  await ensureServerBundle();
  try {
    log(`building a book of ${ORDERS} open orders through POST /api/orders/batch (embedded PostgreSQL in ${dataDir}) ...`);
    server = await startServer(dataDir, 'warn');
    await buildBook(server.base, slug);
    const built = await restingOrders(server.base, slug);
    if (built !== ORDERS) throw new Error(`the book holds ${built} orders, expected ${ORDERS}`);
    type Run = { timeToReadyMs: number; [k: string]: number };
    /** RESTARTS restarts of the server (`dev`: the tsx development command), each checked whole. */
    const restarts = async (dev: boolean): Promise<Run[]> => {
      const runs: Run[] = [];
      for (let i = 0; i < RESTARTS; i++) {
        await stopServer(server!);
        server = null;
        const t0 = performance.now();
        const s = await startServer(dataDir, 'info', CPU_PROF, dev);
        server = s;
        for (;;) {
          // the readiness probe stays a bare fetch: the SDK's ready() repeats refused connections
          // with its own back-off, which would blur the 5 ms polling of the time to ready
          const res = await fetch(`${s.base}/ready`).catch(() => null);
          if (res !== null && res.status === 200) break;
          await new Promise((r) => setTimeout(r, 5));
        }
        const timeToReadyMs = performance.now() - t0;
        const t = await s.timings;
        const back = await restingOrders(s.base, slug);
        if (back !== ORDERS) throw new Error(`after the restart the book holds ${back} orders, expected ${ORDERS}`);
        const accounted = t.processStartMs! + t.databaseStartMs! + t.migrateAndLockMs! + t.snapshotLoadMs! + t.engineRestoreMs! + t.invariantCheckMs!;
        const run = {
          openOrders: t.openOrders!,
          timeToReadyMs: Math.round(timeToReadyMs),
          processStartMs: t.processStartMs!,
          databaseStartMs: t.databaseStartMs!,
          migrateAndLockMs: t.migrateAndLockMs!,
          snapshotLoadMs: t.snapshotLoadMs!,
          engineRestoreMs: t.engineRestoreMs!,
          invariantCheckMs: t.invariantCheckMs!,
          stateLoadMs: t.stateLoadMs!,
          appStartMs: t.appStartMs!,
          otherMs: Math.round(timeToReadyMs - accounted - t.stateLoadMs! - t.appStartMs!),
        };
        runs.push(run);
        log(
          `${dev ? 'baseline (tsx) ' : ''}restart ${i + 1}: ready in ${run.timeToReadyMs} ms with ${run.openOrders} open orders: process start ${run.processStartMs} ms, ` +
            `database start ${run.databaseStartMs} ms, migrations + writer lock ${run.migrateAndLockMs} ms, snapshot load ${run.snapshotLoadMs} ms, ` +
            `engine restore ${run.engineRestoreMs} ms, invariant check ${run.invariantCheckMs} ms, state load ${run.stateLoadMs} ms, ` +
            `app start ${run.appStartMs} ms, other ${run.otherMs} ms (book whole: ${back} orders)`,
        );
      }
      return runs;
    };
    const median = (runs: Run[]): Run => [...runs].sort((a, b) => a.timeToReadyMs - b.timeToReadyMs)[Math.floor((runs.length - 1) / 2)]!;
    const runs = await restarts(false);
    const out: Record<string, unknown> = { ...median(runs), restarts: runs };
    if (BASELINE) {
      const baseRuns = await restarts(true);
      const base = median(baseRuns);
      out.baseline = { ...base, restarts: baseRuns };
      out.ratio = Math.round((base.timeToReadyMs / median(runs).timeToReadyMs) * 100) / 100;
      log(`bundle ${median(runs).timeToReadyMs} ms vs baseline (tsx) ${base.timeToReadyMs} ms to ready: ${String(out.ratio)}x faster`);
    }
    if (JSON_OUT) process.stdout.write(`${JSON.stringify(out)}\n`);
    else log(JSON.stringify(out));
  } finally {
    if (server !== null) await stopServer(server);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
