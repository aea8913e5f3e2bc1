// The live local book (MarketBook) against the real server: equal to the REST snapshot after a
// seeded stream of random orders; resync after a lost message; reconnect after a server restart.
import { afterEach, describe, expect, it } from 'vitest';
import { unwrap, type MarketBook, type PmClient, type PmSocket } from '../src/index.ts';
import { newTrader, seededRng, startLive, waitFor, type LiveExchange } from './helpers.ts';

let live: LiveExchange | null = null;
const sockets: PmSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await live?.t.close();
  live = null;
});

async function open(pm: PmClient): Promise<PmSocket> {
  const s = unwrap(await pm.connect());
  sockets.push(s);
  return s;
}

/** The book equals GET /orderbook (depth 99) at the same sequence number. */
async function expectBookMatchesRest(pm: PmClient, slug: string, book: MarketBook): Promise<void> {
  let rest = unwrap(await pm.getOrderbook(slug, { depth: 99 }));
  await waitFor(() => book.state === 'live' && book.seq >= rest.seq, `book at seq ${rest.seq} (is ${book.seq}, ${book.state})`);
  // Nothing trades meanwhile: the book and the REST view are at one sequence number.
  rest = unwrap(await pm.getOrderbook(slug, { depth: 99 }));
  expect(book.seq).toBe(rest.seq);
  for (const outcome of ['YES', 'NO'] as const) {
    expect(book.ladder(outcome), `${outcome} ladder`).toEqual(rest[outcome === 'YES' ? 'yes' : 'no']);
  }
}

/** Random limit and market orders (and some cancels) from `traders`. */
async function randomFlow(traders: PmClient[], slug: string, n: number, rng: ReturnType<typeof seededRng>): Promise<void> {
  const resting: { pm: PmClient; id: number }[] = [];
  for (let i = 0; i < n; i++) {
    const pm = rng.pick(traders);
    if (resting.length > 0 && rng.chance(0.15)) {
      const [o] = resting.splice(rng.int(0, resting.length - 1), 1);
      await o!.pm.cancelOrder(o!.id);
      continue;
    }
    const market = rng.chance(0.15);
    const r = await pm.placeOrder(slug, {
      side: rng.chance(0.8) ? 'BUY' : 'SELL',
      outcome: rng.chance(0.5) ? 'YES' : 'NO',
      type: market ? 'MARKET' : 'LIMIT',
      ...(market ? {} : { price: rng.int(30, 70) }),
      quantity: rng.int(1, 20),
    });
    // Sells without shares and the like are expected rejections: typed, never thrown.
    if (r.ok && r.data.order.remainingQuantity > 0 && r.data.order.status !== 'CANCELLED') resting.push({ pm, id: r.data.order.id });
  }
}

describe('MarketBook', () => {
  it('equals the REST snapshot after a seeded stream of random orders', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const rng = seededRng('book-equals-rest');
    console.log(`[book-equals-rest] seed ${rng.seed}`);
    const traders = await Promise.all([0, 1, 2].map(() => newTrader(live!.url)));
    const watcher = await open(traders[0]!);
    const book = unwrap(await watcher.subscribe(market.slug));
    const yesOnly = unwrap(await (await open(traders[1]!)).subscribe(market.slug, { outcome: 'NO' }));
    const trades: number[] = [];
    book.on('trade', (t) => trades.push(t.id));
    await randomFlow(traders, market.slug, 300, rng);
    await expectBookMatchesRest(traders[0]!, market.slug, book);
    await waitFor(() => yesOnly.seq === book.seq, 'NO view in sequence');
    expect(yesOnly.ladder('NO')).toEqual(book.ladder('NO'));
    const restTrades = unwrap(await traders[0]!.getTrades(market.slug, { limit: 200 }));
    expect(trades.slice(-restTrades.trades.length).reverse()).toEqual(restTrades.trades.map((t) => t.id));
    expect(book.feed.counts.gaps).toBe(0);
  });

  it('resubscribes and emits resync when a message is lost', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const a = await newTrader(live.url);
    const s = await open(a);
    const book = unwrap(await s.subscribe(market.slug));
    unwrap(await a.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 5 }));
    await waitFor(() => book.bestBid() === 40, 'bid in book');
    const resync = book.next('resync');
    // A lost message: the next one the socket delivers starts beyond lastSeq + 1.
    const handler = s.io.listeners('market_frame')[0] as (m: unknown) => void;
    handler({
      marketId: market.id,
      outcome: 'YES',
      fromSeq: book.seq + 3,
      seq: book.seq + 3,
      tsMs: Date.now(),
      levels: [{ side: 'BID', price: 41, quantity: 999, orders: 1 }],
      trades: [],
      updates: [],
    });
    expect(book.state).toBe('resyncing');
    expect(await resync).toMatchObject({ reason: 'gap' });
    await expectBookMatchesRest(a, market.slug, book);
    expect(book.ladder().bids).toEqual([{ price: 40, quantity: 5, orders: 1 }]);
  });

  it('reconnects after a server restart, resyncs and matches REST', async () => {
    live = await startLive({ JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789' });
    const market = await live.t.createOpenMarket();
    const a = await newTrader(live.url);
    const s = await open(a);
    const book = unwrap(await s.subscribe(market.slug));
    unwrap(await a.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', price: 30, quantity: 3 }));
    await waitFor(() => book.bestBid() === 30, 'bid in book');
    const states: string[] = [];
    book.on('state', (st) => states.push(st));
    const reconnected = s.next('connected', (c) => c.reconnect);
    const resync = book.next('resync');
    await live.t.stop();
    await waitFor(() => !s.connected, 'socket down');
    await live.t.restart();
    expect(await reconnected).toEqual({ reconnect: true });
    expect(await resync).toMatchObject({ reason: 'reconnect' });
    unwrap(await a.placeOrder(market.slug, { side: 'BUY', outcome: 'NO', price: 65, quantity: 2 })); // a YES ask at 35
    await waitFor(() => book.bestAsk() === 35, 'new ask after reconnect');
    await expectBookMatchesRest(a, market.slug, book);
    expect(states).toContain('offline');
    expect(states.at(-1)).toBe('live');
  });
});
