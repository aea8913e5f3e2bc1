// Child process of bench/realtime.ts: a whole exchange runtime (embedded PostgreSQL in a
// temporary directory, in-memory realtime bus, loopback only) plus an order stream it runs on
// request. The set-up and the order stream go through the API with the client SDK (one
// bearer-mode PmClient per trader, POST /api/orders/:slug over loopback HTTP), as a bot's
// orders would; the SDK's own CPU (a few orders per second) is inside serverCpuShare. Talks to the parent over IPC:
//   -> { type: 'ready', url, marketId, slug, databaseUrl }
//   <- { type: 'memory' }                 -> { type: 'memory', rss, heapUsed, sockets }
//   <- { type: 'stream', rate, durationMs } -> { type: 'streamed', orders, trades, ms, cpuMs, ... }
//   <- { type: 'floor' }                  -> { type: 'floor', sockets, roundsMs, medianMs } (socket-write-floor.ts)
//   <- { type: 'stop' }                   -> exits when closed
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { loadEnv } from '../src/env.ts';
import { startRuntime } from '../src/runtime.ts';
import { PmClient, type Result } from '@prediction-markets/client';
import { socketIoWriteFloor } from './socket-write-floor.ts';

const send = (m: unknown): void => {
  process.send?.(m);
};

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pm-bench-rt-'));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the `postgres` OS user
  // Our own embedded PostgreSQL, so that gateways (--gateways) can be given its URL.
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres') });
  const env = loadEnv({
    NODE_ENV: 'test',
    DATABASE_URL: pg.url,
    ...(process.env.BENCH_REDIS_URL === undefined ? {} : { REDIS_URL: process.env.BENCH_REDIS_URL }),
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    ADMIN_EMAIL: 'admin@bench.local',
    ADMIN_PASSWORD: 'admin-password-123',
    RATE_LIMIT_PUBLIC_POINTS: '100000000',
    RATE_LIMIT_AUTH_POINTS: '100000000',
    RATE_LIMIT_TRADING_POINTS: '100000000',
    RATE_LIMIT_WS_SOCKET_POINTS: '1000',
    RATE_LIMIT_WS_USER_POINTS: '1000000',
    REALTIME_COALESCE_MS: process.env.BENCH_COALESCE_MS ?? '0',
  });
  // Writer-side timings per committed batch, to split delivery latency into commit vs fan-out.
  const commitMs: number[] = [];
  // When each public sequence number was published (after its commit): seq -> epoch ms.
  const publishedAt = new Map<number, number>();
  let marketId = '';
  const rt = await startRuntime(env, {
    observer: { batchCommitted: (b) => commitMs.push(b.executeMs + b.commitMs) },
    publisher: {
      publish(events) {
        const now = Date.now();
        for (const e of events) if ((e.type === 'TRADE' || e.type === 'BOOK_LEVEL' || e.type === 'MARKET_STATUS') && e.marketId === marketId) publishedAt.set(e.seq, now);
      },
    },
  });
  const must = <T>(what: string, res: Result<T>): T => {
    if (!res.ok) throw new Error(`${what}: ${res.error.code} ${res.error.message}`);
    return res.data;
  };
  const baseUrl = rt.url;
  if (baseUrl === null) throw new Error('the runtime does not listen');
  const clients: PmClient[] = [];
  const client = (): PmClient => {
    const pm = new PmClient({ baseUrl, autoRefresh: false });
    clients.push(pm);
    return pm;
  };
  const admin = client();
  must('admin login', await admin.login({ email: 'admin@bench.local', password: 'admin-password-123' }));
  const slug = `bench-${Date.now()}`;
  const market = must('create market', await admin.createMarket({ slug, question: 'Benchmark market?', closesAt: new Date(Date.now() + 86_400_000).toISOString() }));
  marketId = market.id;
  must('open market', await admin.setMarketStatus(slug, { status: 'OPEN' }));
  const traders: PmClient[] = [];
  for (let i = 0; i < 4; i++) {
    const pm = client();
    must('register', await pm.register({ email: `t${i}-${Date.now()}@bench.local`, password: 'password-123' }));
    traders.push(pm);
  }

  process.on('message', (m: { type: string; rate?: number; durationMs?: number }) => {
    void (async () => {
      if (m.type === 'memory') {
        (globalThis as { gc?: () => void }).gc?.();
        const mem = process.memoryUsage();
        send({ type: 'memory', rss: mem.rss, heapUsed: mem.heapUsed, sockets: rt.realtime?.io.of('/').sockets.size ?? 0 });
      } else if (m.type === 'stream') {
        const rate = m.rate ?? 10;
        const durationMs = m.durationMs ?? 10_000;
        commitMs.length = 0;
        const cpu0 = process.cpuUsage();
        const started = performance.now();
        let orders = 0;
        let trades = 0;
        let n = 0;
        // Orders at a steady rate: BUY YES and BUY NO around 50 (they cross into MINT trades
        // about half the time, otherwise rest): a book that moves and trades.
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            if (performance.now() - started >= durationMs) {
              clearInterval(timer);
              resolve();
              return;
            }
            const i = n++;
            const trader = traders[i % traders.length]!;
            const price = 45 + ((i * 7) % 11);
            void trader.placeOrder(slug, { side: 'BUY', outcome: i % 2 === 0 ? 'YES' : 'NO', type: 'LIMIT', price, quantity: 1 + (i % 3), postOnly: false, stp: 'CANCEL_TAKER' }).then((r) => {
              if (!r.ok) return;
              orders++;
              trades += r.data.fills.length;
            });
          }, 1000 / rate);
        });
        await rt.ctx.exchange.idle();
        const cpu = process.cpuUsage(cpu0);
        const sorted = commitMs.splice(0).sort((a, b) => a - b);
        const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
        send({ type: 'streamed', orders, trades, ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, commitP50Ms: q(0.5), commitP99Ms: q(0.99), batches: sorted.length, publishedAt: [...publishedAt.entries()] });
      } else if (m.type === 'floor') {
        send({ type: 'floor', ...(await socketIoWriteFloor(rt.realtime!.io)) });
      } else if (m.type === 'stop') {
        for (const pm of clients) pm.close();
        await rt.close();
        await pg.stop();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      }
    })();
  });
  send({ type: 'ready', url: rt.url, marketId: market.id, slug, databaseUrl: pg.url });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
