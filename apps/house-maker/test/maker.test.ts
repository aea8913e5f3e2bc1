// The house maker against the real server (embedded PostgreSQL): a taker market-buys 100 YES
// across the ladder and pays the LMSR cost to within a cent per share per level, the ladder
// requotes around the new price, and after resolution the house's loss is within its bound;
// halt / reopen, SIGTERM (stop), reconnect after a server restart, and the kill switch.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { unwrap, type PmClient } from '@prediction-markets/client';
import { newTrader, adminClient, startLive, waitFor, type LiveExchange } from '../../../packages/client/test/helpers.ts';
import { buildLadder, lmsrCostDiffCents, lossBoundsCents, type LmsrParams } from '../src/lmsr.ts';
import { HouseMaker, type MakerMarketConfig } from '../src/maker.ts';
import { createMakerMetrics } from '../src/metrics.ts';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let live: LiveExchange | null = null;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await live?.t.close();
  live = null;
});

interface Setup {
  slug: string;
  house: PmClient;
  maker: HouseMaker;
  params: LmsrParams;
  admin: PmClient;
}

async function setup(cfg: Partial<MakerMarketConfig> = {}, opts: { lossLimitCents?: number; maxCommandsPerMinute?: number; env?: Record<string, string> } = {}): Promise<Setup> {
  live = await startLive({ JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789', ...opts.env });
  const market = await live.t.createOpenMarket();
  const house = await newTrader(live.url);
  const admin = await adminClient(live.url, live.t);
  const mc: MakerMarketConfig = { slug: market.slug, b: 100, p0Cents: 50, pMinCents: 1, pMaxCents: 99, ...cfg };
  const maker = new HouseMaker({ client: house, markets: [mc], logger, metrics: createMakerMetrics(), cancelOnDisconnectMs: 5000, ...(opts.lossLimitCents === undefined ? {} : { lossLimitCents: opts.lossLimitCents }), ...(opts.maxCommandsPerMinute === undefined ? {} : { maxCommandsPerMinute: opts.maxCommandsPerMinute }) });
  unwrap(await maker.start());
  cleanup.push(() => maker.stop(), () => house.close(), () => admin.close());
  return { slug: market.slug, house, maker, admin, params: { b: mc.b, p0Cents: mc.p0Cents, pMinCents: mc.pMinCents, pMaxCents: mc.pMaxCents, tickCents: 1 } };
}

/** The YES ladder of the book (REST, full depth) equals the maker's ladder at `sold`. */
async function expectBookIsLadder(pm: PmClient, slug: string, params: LmsrParams, sold: number): Promise<void> {
  const want = buildLadder(params, sold);
  await waitFor(async () => {
    const ob = unwrap(await pm.getOrderbook(slug, { depth: 99 }));
    const asks = ob.yes.asks.map((l) => ({ priceCents: l.price, qty: l.quantity }));
    const bids = ob.yes.bids.map((l) => ({ priceCents: l.price, qty: l.quantity }));
    return JSON.stringify(asks) === JSON.stringify(want.asks) && JSON.stringify(bids) === JSON.stringify(want.bids);
  }, `book = ladder at sold ${sold}`);
}

async function houseOpenOrders(house: PmClient, slug: string): Promise<number> {
  const r = unwrap(await house.getMyOrders({ market: slug, limit: 200 }));
  return r.orders.filter((o) => o.status === 'OPEN' || o.status === 'PARTIALLY_FILLED').length;
}

describe('house maker', () => {
  it('sells 100 YES along the LMSR, requotes around the new price, and loses no more than its bound', async () => {
    const { slug, house, maker, params, admin } = await setup();
    await expectBookIsLadder(house, slug, params, 0);
    const before = unwrap(await house.getBalance()).total;

    const taker = await newTrader(live!.url);
    const buy = unwrap(await taker.placeOrder(slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 100 }));
    expect(buy.order.filledQuantity).toBe(100);
    // Per level: paid within one cent per share (plus the floor's share) of the LMSR cost of that slice.
    let sold = 0;
    let paid = 0;
    const levels = new Set<number>();
    for (const f of buy.fills) {
      const lmsr = lmsrCostDiffCents(params, sold, sold + f.quantity);
      expect(f.price * f.quantity).toBeGreaterThanOrEqual(lmsr - 1e-9);
      expect(f.price * f.quantity - lmsr).toBeLessThanOrEqual(f.quantity * (1 + 25 / params.b) + 1e-9);
      sold += f.quantity;
      paid += f.price * f.quantity;
      levels.add(f.price);
    }
    const total = lmsrCostDiffCents(params, 0, 100);
    expect(paid).toBeGreaterThanOrEqual(total);
    expect(paid - total).toBeLessThanOrEqual(levels.size * Math.ceil(100 / levels.size) * (1 + 25 / params.b));

    await waitFor(() => maker.states()[0]!.soldShares === 100, 'maker saw its fills');
    await maker.idle();
    await expectBookIsLadder(house, slug, params, 100);
    const st = maker.states()[0]!;
    const ob = unwrap(await house.getOrderbook(slug, { depth: 5 }));
    expect(ob.yes.asks[0]!.price).toBe(Math.floor(st.priceCents) + 1);
    expect(ob.yes.bids[0]!.price).toBeLessThanOrEqual(Math.floor(st.priceCents));
    expect(st.cashCents).toBe(paid);

    // Resolution YES: the house pays 100 per YES it sold.
    unwrap(await admin.setMarketStatus(slug, { status: 'RESOLVED', outcome: 'YES' }));
    await waitFor(async () => unwrap(await house.getBalance()).locked === 0, 'escrow released');
    const after = unwrap(await house.getBalance()).total;
    const pnl = after - before;
    expect(pnl).toBe(st.pnlCents.ifYes);
    expect(-pnl).toBeLessThanOrEqual(lossBoundsCents(params).ifYes);
  });

  it('stops quoting on halt, resumes on reopen, and cancels everything on stop()', async () => {
    const { slug, house, maker, params, admin } = await setup({ b: 50, pMinCents: 20, pMaxCents: 80 });
    await expectBookIsLadder(house, slug, params, 0);
    unwrap(await admin.setMarketStatus(slug, { status: 'HALTED' }));
    await waitFor(async () => (await houseOpenOrders(house, slug)) === 0, 'house orders cancelled on halt');
    expect(maker.states()[0]!.quoting).toBe(false);
    unwrap(await admin.setMarketStatus(slug, { status: 'OPEN' }));
    await expectBookIsLadder(house, slug, params, 0);
    expect(maker.states()[0]!.quoting).toBe(true);
    await maker.stop();
    expect(await houseOpenOrders(house, slug)).toBe(0);
  });

  it('rebuilds from REST after a server restart and keeps following its own q', async () => {
    const { slug, house, maker, params } = await setup({ b: 80 });
    const taker = await newTrader(live!.url);
    unwrap(await taker.placeOrder(slug, { side: 'BUY', outcome: 'NO', type: 'MARKET', quantity: 30 }));
    await waitFor(() => maker.states()[0]!.soldShares === -30, 'house bought 30 YES (the taker bought NO)');
    await maker.idle();
    await expectBookIsLadder(house, slug, params, -30);
    await live!.t.stop();
    await live!.t.restart();
    await waitFor(() => maker.states()[0]!.soldShares === -30 && maker.states()[0]!.liveOrders > 0, 'rebuilt after reconnect', 30_000);
    await maker.idle();
    unwrap(await taker.placeOrder(slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 50 }));
    await waitFor(() => maker.states()[0]!.soldShares === 20, 'fills after the reconnect');
    await maker.idle();
    await expectBookIsLadder(house, slug, params, 20);
  });

  it('kill switch: stops and cancels everything past the loss limit', async () => {
    const { slug, house, maker } = await setup({ b: 100 }, { lossLimitCents: 300 });
    const taker = await newTrader(live!.url);
    unwrap(await taker.placeOrder(slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 40 }));
    await waitFor(() => maker.killed !== null, 'kill switch fired');
    expect(maker.killed).toMatch(/loss limit/);
    await waitFor(async () => (await houseOpenOrders(house, slug)) === 0, 'everything cancelled');
  });

  it('kill switch: stops at the order-rate limit', async () => {
    const { slug, house, maker } = await setup({ b: 100 }, { maxCommandsPerMinute: 8 });
    const taker = await newTrader(live!.url);
    for (let i = 0; i < 10 && maker.killed === null; i++) {
      // alternately buy YES and buy NO from the house: every fill makes it requote
      unwrap(await taker.placeOrder(slug, { side: 'BUY', outcome: i % 2 === 0 ? 'YES' : 'NO', type: 'MARKET', quantity: 3 }));
      await maker.idle().catch(() => undefined);
    }
    await waitFor(() => maker.killed !== null, 'kill switch fired');
    expect(maker.killed).toMatch(/order-rate/);
    await waitFor(async () => (await houseOpenOrders(house, slug)) === 0, 'everything cancelled');
  });

  it('the CLI quotes, and on SIGTERM cancels every house order and exits 0', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const house = await newTrader(live.url);
    cleanup.push(() => house.close());
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--url', live.url, '--token', house.session.accessToken!, '--markets', market.slug, '--b', '50', '--band', '20-80', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanup.push(() => void child.kill('SIGKILL'));
    await waitFor(async () => (await houseOpenOrders(house, market.slug)) > 0, `CLI quotes (stderr: ${stderr})`, 30_000);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await houseOpenOrders(house, market.slug)).toBe(0);
  });

  it('the CLI refuses bad settings with a clear message and status 2', async () => {
    const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
    const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const c = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        c.on('exit', (code) => resolve({ code, stderr }));
      });
    const noUrl = await run(['--token', 't']);
    expect(noUrl).toMatchObject({ code: 2 });
    expect(noUrl.stderr).toMatch(/--url is required/);
    const band = await run(['--url', 'http://127.0.0.1:1', '--token', 't', '--band', '60-40']);
    expect(band.code).toBe(2);
    expect(band.stderr).toMatch(/HOUSE_INVALID_BAND/);
    const b = await run(['--url', 'http://127.0.0.1:1', '--token', 't', '--b=-1']);
    expect(b.stderr).toMatch(/HOUSE_INVALID_LIQUIDITY/);
  });

  it('refuses bad settings and unknown markets before placing anything', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const house = await newTrader(live.url);
    cleanup.push(() => house.close());
    for (const [cfg, code] of [
      [{ slug: market.slug, b: 0, p0Cents: 50, pMinCents: 1, pMaxCents: 99 }, 'HOUSE_INVALID_LIQUIDITY'],
      [{ slug: market.slug, b: 100, p0Cents: 50, pMinCents: 60, pMaxCents: 99 }, 'HOUSE_INVALID_BAND'],
      [{ slug: 'no-such-market', b: 100, p0Cents: 50, pMinCents: 1, pMaxCents: 99 }, 'UNKNOWN_MARKET'],
    ] as const) {
      const maker = new HouseMaker({ client: house, markets: [{ ...cfg }], logger });
      const r = await maker.start();
      expect(r.ok ? null : r.error.code).toBe(code);
    }
    expect(await houseOpenOrders(house, market.slug)).toBe(0);
  });
});
