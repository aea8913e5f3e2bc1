// The realtime layer across processes' worth of instances, with a REAL redis-server: a writer
// (the runtime: engine, REST, sockets) and a socket gateway (no engine, no writer: snapshots
// from the database, trading forwarded to the writer over Redis) sharing one database and one
// Redis. Events cross via Redis pub/sub; user rate limits via the Redis store; presence for
// cancel-on-disconnect via the Socket.IO Redis adapter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { schemas, type MarketFeed } from '@prediction-markets/shared';
import { startGateway, type Gateway } from '../src/realtime/gateway.ts';
import type { CodDecision } from '../src/realtime/index.ts';
import { createTestDatabase, type TestDatabase } from './helpers/database.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { startTestExchange, testEnv, type TestExchange } from './helpers/server.ts';
import { connect, drain, feedOf, record, request, subscribe, waitFor, type ClientSocket } from './helpers/socket.ts';

const LIMITS = {
  RATE_LIMIT_PUBLIC_POINTS: '1000000',
  RATE_LIMIT_TRADING_POINTS: '1000000',
  RATE_LIMIT_AUTH_POINTS: '1000000',
  // per user across BOTH instances (Redis store); per socket high
  RATE_LIMIT_WS_USER_POINTS: '40',
  RATE_LIMIT_WS_USER_WINDOW_SEC: '60',
  RATE_LIMIT_WS_SOCKET_POINTS: '100000',
};

let redis: TestRedis;
let db: TestDatabase;
let writer: TestExchange;
let gateway: Gateway;
let urlA: string;
let urlB: string;
const sockets: ClientSocket[] = [];
const track = (s: ClientSocket): ClientSocket => {
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  redis = await startRedis();
  db = await createTestDatabase();
  writer = await startTestExchange({ ...LIMITS, REDIS_URL: redis.url }, { listen: true }, db);
  gateway = await startGateway(testEnv(db.url, { ...LIMITS, REDIS_URL: redis.url }));
  urlA = writer.rt.url!;
  urlB = gateway.url!;
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await gateway?.close();
  await writer?.close();
  await redis?.stop();
});

async function serverBook(slug: string) {
  const res = await writer.api('GET', `/api/orders/${slug}/orderbook?depth=99`);
  const conv = (l: { price: number; quantity: number; orders: number }[]) => l.map((x) => [x.price, x.quantity, x.orders]);
  return { seq: res.body.seq as number, yes: { bids: conv(res.body.yes.bids), asks: conv(res.body.yes.asks) }, no: { bids: conv(res.body.no.bids), asks: conv(res.body.no.asks) } };
}

describe('two instances sharing one database and one Redis', () => {
  it('runs one writer: the gateway has no engine and forwards commands; the writer alone serves the RPC channel', async () => {
    expect(writer.rt.ctx.exchange.ready).toBe(true);
    expect('exchange' in gateway).toBe(false);
    expect(writer.rt.realtime!.bus.kind).toBe('redis');
    const probe = new Redis(redis.url);
    try {
      const [, subscribers] = (await probe.pubsub('NUMSUB', 'pm:rpc:writer')) as [string, number];
      expect(subscribers).toBe(1);
    } finally {
      probe.disconnect();
    }
  });

  it('a trade on instance A reaches clients on A and B; both rebuild the server book from snapshot + deltas', async () => {
    const market = await writer.createOpenMarket();
    const users = await Promise.all([0, 1, 2].map(() => writer.registerUser()));
    let i = 0;
    const order = () => {
      i++;
      return { side: 'BUY', outcome: i % 2 === 0 ? 'YES' : 'NO', price: 45 + (i % 11), quantity: 1 + (i % 4) };
    };
    for (let k = 0; k < 9; k++) await writer.api('POST', `/api/orders/${market.slug}`, { token: users[k % 3]!.token, body: order() });
    const views: { s: ClientSocket; feed: MarketFeed; raw: { event: string; msg: any }[]; outcome?: 'NO' }[] = [];
    for (const [u, outcome] of [[urlA, undefined], [urlB, undefined], [urlB, 'NO']] as const) {
      const s = track(await connect(u));
      views.push({ s, ...feedOf(s), ...(outcome === undefined ? {} : { outcome }) });
    }
    const streaming = (async () => {
      for (let round = 0; round < 15; round++) {
        await Promise.all(users.map((u) => writer.api('POST', `/api/orders/${market.slug}`, { token: u.token, body: order() })));
      }
    })();
    for (const v of views) await subscribe(v.s, v.feed, { marketId: market.id, ...(v.outcome === undefined ? {} : { outcome: v.outcome }) });
    await streaming;
    const book = await serverBook(market.slug);
    for (const v of views) await waitFor(() => v.feed.lastSeq >= book.seq || v.feed.state === 'gap', `feed reaches ${book.seq}`);
    for (const v of views) {
      expect(v.feed.state).toBe('live');
      expect(v.feed.lastSeq).toBe(book.seq);
      for (let k = 1; k < v.raw.length; k++) expect(v.raw[k]!.msg.fromSeq).toBe(v.raw[k - 1]!.msg.seq + 1);
      if (v.outcome === undefined) expect(v.feed.levels('YES')).toEqual(book.yes);
      expect(v.feed.levels('NO')).toEqual(book.no);
    }
    const trades = (v: (typeof views)[number]) => v.raw.flatMap((m) => m.msg.trades.map((x: { id: number }) => x.id));
    expect(trades(views[0]!).length).toBeGreaterThan(0);
    // the trades the gateway's clients saw are the writer's clients' (from the first one both saw)
    const a = trades(views[0]!);
    const b = trades(views[1]!);
    const common = b.filter((id) => a.includes(id));
    expect(common.length).toBeGreaterThan(0);
    expect(a.slice(a.indexOf(common[0]!))).toEqual(b.slice(b.indexOf(common[0]!)));
  });

  it('trades over a socket on the gateway (forwarded to the writer), with private events and REST error codes', async () => {
    const market = await writer.createOpenMarket();
    const bot = await writer.registerUser();
    const maker = await writer.registerUser();
    const s = track(await connect(urlB, { token: bot.token }));
    const log = record(s);
    const placed = await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'gw-1' });
    schemas.OrderPlaceAck.parse(placed);
    expect(placed).toMatchObject({ ok: true, duplicate: false, order: { userId: bot.id, price: 30, status: 'OPEN' } });
    await writer.api('POST', `/api/orders/${market.slug}`, { token: maker.token, body: { side: 'BUY', outcome: 'NO', price: 75, quantity: 2 } });
    await waitFor(() => log.some((x) => x.event === 'order_updated' && x.msg.orderId === placed.order.id), 'the fill reaches the gateway socket');
    const fill = log.find((x) => x.event === 'order_updated')!.msg;
    expect(fill).toMatchObject({ filledQuantity: 2, remainingQuantity: 3, fills: [expect.objectContaining({ role: 'MAKER', kind: 'MINT', price: 30 })] });
    expect(await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 99, quantity: 50_000 })).toMatchObject({ ok: false, error: { code: 'INSUFFICIENT_BALANCE', engineCode: 2001 } });
    expect(await request(s, 'order:place', { marketSlug: 'not-a-market', side: 'BUY', outcome: 'YES', price: 9, quantity: 1 })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_MARKET' } });
    expect(await request(s, 'order:cancel', { orderId: 99_999_999 })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ORDER' } });
    expect(await request(s, 'order:amend', { orderId: placed.order.id, quantity: 1 })).toMatchObject({ ok: true, order: { remainingQuantity: 1 } });
    const batch = await request(s, 'order:batch', { orders: [{ marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 10, quantity: 1 }] });
    expect(batch.results[0]).toMatchObject({ ok: true, order: { price: 10 } });
    const all = await request(s, 'order:cancel_all', {});
    expect([...all.cancelledOrderIds].sort()).toEqual([placed.order.id, batch.results[0].order.id].sort());
    await drain(s);
    for (const x of log) if (x.msg?.order !== undefined) expect(x.msg.order.userId).toBe(bot.id);
  });

  it('limits messages per user across instances (Redis store)', async () => {
    const u = await writer.registerUser();
    const onA = track(await connect(urlA, { token: u.token }));
    const onB = track(await connect(urlB, { token: u.token }));
    let ok = 0;
    let limited = 0;
    for (let k = 0; k < 30; k++) {
      for (const s of [onA, onB]) {
        const ack = await request(s, 'ping', {});
        if (ack.ok) ok++;
        else {
          expect(ack.error.code).toBe('RATE_LIMITED');
          limited++;
        }
      }
    }
    expect(ok).toBe(40);
    expect(limited).toBe(20);
    expect(onA.connected && onB.connected).toBe(true);
  });

  it('cancel-on-disconnect sees the user’s sockets on every instance', async () => {
    const decisions: CodDecision[] = [];
    writer.rt.realtime!.cod.events.on('decision', (d) => decisions.push(d));
    const market = await writer.createOpenMarket();
    const u = await writer.registerUser();
    const bot = track(await connect(urlA, { token: u.token }));
    track(await connect(urlB, { token: u.token })); // another session of the user, on the gateway
    expect(await request(bot, 'session:cancel_on_disconnect', { graceMs: 300 })).toMatchObject({ ok: true });
    const placed = await request(bot, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 20, quantity: 1 });
    bot.disconnect();
    await waitFor(() => decisions.some((d) => d.userId === u.id), 'the decision');
    expect(decisions.find((d) => d.userId === u.id)).toMatchObject({ action: 'kept', reason: 'still-connected' });
    const open = await writer.api('GET', '/api/orders/user/orders?status=OPEN', { token: u.token });
    expect(open.body.orders.map((o: { id: number }) => o.id)).toEqual([placed.order.id]);
  });

  it('a gateway armed session cancels through the writer when the user is gone', async () => {
    const decisions: CodDecision[] = [];
    gateway.realtime.cod.events.on('decision', (d) => decisions.push(d));
    const market = await writer.createOpenMarket();
    const u = await writer.registerUser();
    const bot = track(await connect(urlB, { token: u.token }));
    expect(await request(bot, 'session:cancel_on_disconnect', { graceMs: 300 })).toMatchObject({ ok: true });
    const placed = await request(bot, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 20, quantity: 1 });
    bot.disconnect();
    await waitFor(() => decisions.some((d) => d.userId === u.id), 'the decision');
    expect(decisions.find((d) => d.userId === u.id)).toEqual({ userId: u.id, action: 'cancelled', reason: 'grace-expired', cancelledOrderIds: [placed.order.id] });
  });
});
