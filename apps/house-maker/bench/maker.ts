/**
 * `pnpm bench:maker [--rate 50] [--duration 30] [--b 300] [--takers 5] [--seed N] [--json]`
 *
 * One market quoted by the house maker (in this process, over the socket, as in production),
 * a whole exchange on an embedded PostgreSQL (the backend's `startRuntime`, fsync on), and
 * takers sending `rate` market and limit orders per second for `duration` seconds over their
 * own sockets. Prints:
 * - fill to new ladder: from the engine time of the house's fill (stamped just before its
 *   commit) to the acknowledgement of the last command of the requote it caused (each
 *   acknowledgement is sent after its commit), p50 / p99 / max;
 * - commands per requote (cancels + amends + batches);
 * - the house's P&L against the LMSR cost function: its YES-equivalent cash K (from its fills)
 *   against 100 (C(q) - C(q0)), with the rounding allowance of src/lmsr.ts (at most the tick
 *   plus 25/b cents per share filled, always in the house's favour), and K checked against the
 *   ledger (balance change + 100 x NO shares held).
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { PmClient, unwrap, type PmSocket } from '@prediction-markets/client';
import { loadEnv } from '../../backend/src/env.ts';
import { startRuntime } from '../../backend/src/runtime.ts';
import { rng as seeded } from '../../backend/test/helpers/kit.ts';
import { lmsrCostDiffCents, lossBoundsCents } from '../src/lmsr.ts';
import { HouseMaker, type RequoteInfo } from '../src/maker.ts';
import { createMakerMetrics } from '../src/metrics.ts';

const args = parseArgs({
  options: {
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '30' },
    b: { type: 'string', default: '300' },
    takers: { type: 'string', default: '5' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
}).values;
const RATE = Number(args.rate);
const DURATION_S = Number(args.duration);
const B = Number(args.b);
const TAKERS = Number(args.takers);
const SEED = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(args.seed);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pm-bench-maker-'));
  chmodSync(dataDir, 0o755); // the embedded PostgreSQL runs as the `postgres` OS user
  const port = await freePort();
  const env = loadEnv({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    ADMIN_EMAIL: 'admin@bench.local',
    ADMIN_PASSWORD: 'admin-password-123',
    STARTING_BALANCE: '1000000',
    MIGRATE_ON_START: 'true',
    // The load generator shares one IP; the house sends a few commands per fill.
    RATE_LIMIT_PUBLIC_POINTS: '1000000',
    RATE_LIMIT_TRADING_POINTS: '1000000',
    RATE_LIMIT_AUTH_POINTS: '1000000',
    RATE_LIMIT_WS_USER_POINTS: '100000',
    RATE_LIMIT_WS_SOCKET_POINTS: '100000',
  });
  const rt = await startRuntime(env);
  const url = `http://127.0.0.1:${port}`;
  const log = (s: string): void => {
    if (!args.json) console.log(s);
  };
  log(`exchange on ${url} (embedded PostgreSQL in ${dataDir}); seed ${SEED}`);
  try {
    const admin = new PmClient({ baseUrl: url });
    unwrap(await admin.login({ email: 'admin@bench.local', password: 'admin-password-123' }));
    const slug = `bench-${Date.now().toString(36)}`;
    unwrap(await admin.createMarket({ slug, question: 'Benchmark market?', closesAt: new Date(Date.now() + 86_400_000).toISOString() }));
    unwrap(await admin.setMarketStatus(slug, { status: 'OPEN' }));

    const house = new PmClient({ baseUrl: url });
    unwrap(await house.register({ email: 'house@bench.local', password: 'password-123' }));
    const startBalance = unwrap(await house.getBalance()).total;
    const params = { b: B, p0Cents: 50, pMinCents: 1, pMaxCents: 99, tickCents: 1 };
    const maker = new HouseMaker({
      client: house,
      markets: [{ slug, b: B, p0Cents: 50, pMinCents: 1, pMaxCents: 99 }],
      logger: pino({ level: 'warn' }),
      metrics: createMakerMetrics(),
      maxCommandsPerMinute: 1_000_000,
    });
    unwrap(await maker.start());
    await maker.idle();
    const requotes: RequoteInfo[] = [];
    maker.onRequote((i) => requotes.push(i));
    // Per fill: what the house got over the LMSR for that slice (from the inventory at that fill).
    // Rounding (the tick and the floor) gives at most tick + 25/b cents per share; more means the
    // taker reached a level the requote had not yet placed nearer (a gap while requoting), which
    // can only favour the house. Less than zero would be a bug.
    // The running K - 100 (C(q) - C(q0)) after every fill must never go below 0. Per fill it
    // may: a taker can reach a far level before the requote placed a nearer one, and the
    // nearer one sells later below the marginal price then; the LMSR cost depends only on the
    // end points, so the sum is what counts.
    const fills = { n: 0, shares: 0, minAdvantage: Number.POSITIVE_INFINITY };
    maker.onFill((f) => {
      fills.n++;
      fills.shares += f.qty;
      fills.minAdvantage = Math.min(fills.minAdvantage, f.cashAfter - lmsrCostDiffCents(params, 0, f.soldAfter));
    });

    const takers: { pm: PmClient; s: PmSocket }[] = [];
    for (let i = 0; i < TAKERS; i++) {
      const pm = new PmClient({ baseUrl: url });
      unwrap(await pm.register({ email: `taker${i}@bench.local`, password: 'password-123' }));
      takers.push({ pm, s: unwrap(await pm.connect()) });
    }
    const r = seeded(SEED);
    let sent = 0;
    let rejected = 0;
    let houseFilledShares = 0;
    const takerLat: number[] = [];
    const inflight = new Set<Promise<void>>();
    const started = Date.now();
    const total = RATE * DURATION_S;
    log(`takers: ${TAKERS} sockets, ${RATE} orders/s for ${DURATION_S} s (${total} orders), b = ${B}`);
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const t = takers[i % TAKERS]!;
      const st = maker.states()[0]!;
      const mid = Math.round(st.priceCents);
      const outcome = r.chance(0.5) ? 'YES' : 'NO';
      const own = outcome === 'YES' ? mid : 100 - mid;
      const market = r.chance(0.5);
      const qty = r.int(1, 15);
      const price = Math.min(99, Math.max(1, own + r.int(-4, 4)));
      const sentAt = performance.now();
      const p = t.s
        .place(market
          ? { marketSlug: slug, side: 'BUY', outcome, type: 'MARKET', quantity: qty }
          : { marketSlug: slug, side: 'BUY', outcome, price, quantity: qty, timeInForce: r.chance(0.7) ? 'IOC' : 'GTC' })
        .then((res) => {
          takerLat.push(Math.round((performance.now() - sentAt) * 10) / 10);
          if (!res.ok) rejected++;
          else for (const f of res.data.fills) houseFilledShares += f.quantity;
        });
      sent++;
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      // Takers' resting orders are swept now and then so that the house stays at the touch.
      if (i % (RATE * 2) === RATE * 2 - 1) for (const x of takers) void x.s.cancelAll(slug);
    }
    await Promise.all(inflight);
    const elapsedS = (Date.now() - started) / 1000;
    await new Promise((res) => setTimeout(res, 500));
    await maker.idle(30_000);

    const st = maker.states()[0]!;
    const fillReq = requotes.filter((q) => q.fillToAckMs !== null);
    const lat = fillReq.map((q) => q.fillToAckMs!);
    const cmds = fillReq.map((q) => q.commands);
    const lmsr = lmsrCostDiffCents(params, 0, st.soldShares);
    const diff = st.cashCents - lmsr;
    const allowance = fills.shares * (params.tickCents + 25 / B);
    // The ledger's view: K = balance change + 100 x NO shares held (a BUY NO at q counts as selling YES at 100 - q).
    const bal = unwrap(await house.getBalance()).total;
    const pos = unwrap(await house.getPositions()).positions.find((x) => x.slug === slug);
    const ledgerK = bal - startBalance + 100 * (pos?.noShares ?? 0);
    const out = {
      ordersSent: sent,
      ordersPerSec: Math.round((sent / elapsedS) * 10) / 10,
      takerRejects: rejected,
      houseFilledShares,
      requotesAfterFills: fillReq.length,
      fillToLadderP50Ms: pct(lat, 50),
      fillToLadderP99Ms: pct(lat, 99),
      fillToLadderMaxMs: pct(lat, 100),
      commandsPerRequoteMean: Math.round((cmds.reduce((a, b) => a + b, 0) / Math.max(1, cmds.length)) * 100) / 100,
      commandsPerRequoteP99: pct(cmds, 99),
      soldShares: st.soldShares,
      priceCents: Math.round(st.priceCents * 100) / 100,
      cashCents: st.cashCents,
      lmsrCostCents: Math.round(lmsr * 100) / 100,
      houseAdvantageCents: Math.round(diff * 100) / 100,
      roundingAllowanceCents: Math.round(allowance * 100) / 100,
      ledgerCashCents: ledgerK,
      minRunningAdvantageCents: Math.round(fills.minAdvantage * 100) / 100,
      takerAckP50Ms: pct(takerLat, 50),
      takerAckP99Ms: pct(takerLat, 99),
      makerStats: maker.stats,
      requoteDurationP50Ms: Math.round(pct(fillReq.map((q) => q.durationMs), 50) * 10) / 10,
      requoteDurationP99Ms: Math.round(pct(fillReq.map((q) => q.durationMs), 99) * 10) / 10,
      lossBoundCents: lossBoundsCents(params),
      seed: SEED,
    };
    if (args.json) {
      console.log(JSON.stringify(out));
    } else {
      log(`sent ${sent} orders in ${elapsedS.toFixed(1)} s (${out.ordersPerSec}/s), ${rejected} rejected; the house filled ${houseFilledShares} shares`);
      log(`fill -> new ladder acknowledged (${fillReq.length} requotes): p50 ${out.fillToLadderP50Ms} ms, p99 ${out.fillToLadderP99Ms} ms, max ${out.fillToLadderMaxMs} ms (target p99 <= 25 ms)`);
      log(`baseline, a taker's order from send to acknowledgement (commit) in the same run: p50 ${out.takerAckP50Ms} ms, p99 ${out.takerAckP99Ms} ms`);
      log(`commands per requote: mean ${out.commandsPerRequoteMean}, p99 ${out.commandsPerRequoteP99}`);
      log(`house: sold ${st.soldShares} YES net, price now ${out.priceCents} c`);
      log(`requote commands, wall time: p50 ${out.requoteDurationP50Ms} ms, p99 ${out.requoteDurationP99Ms} ms; maker ${JSON.stringify(maker.stats)}`);
      log(`P&L vs LMSR: cash K = ${st.cashCents} c, LMSR 100 (C(q) - C(q0)) = ${out.lmsrCostCents} c, house ahead by ${out.houseAdvantageCents} c`);
      log(`  over ${fills.n} fills (${fills.shares} shares): K - LMSR never below ${out.minRunningAdvantageCents} c (must be >= 0: ${fills.minAdvantage >= -1e-6 ? 'OK' : 'FAILED'}); the tick and floor rounding give up to ${out.roundingAllowanceCents} c, the rest is takers reaching farther levels while a requote was in flight`);
      log(`ledger check: balance change + 100 x NO held = ${ledgerK} c: ${ledgerK === st.cashCents ? 'equals K' : 'DIFFERS from K'}`);
    }
    await maker.stop();
    for (const x of takers) {
      x.s.close();
      x.pm.close();
    }
    house.close();
    admin.close();
  } finally {
    await rt.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
