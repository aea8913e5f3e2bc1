// The realtime layer in one process (no REDIS_URL: in-memory bus), with real socket.io-client
// clients against a listening runtime on a fresh database: feeds (snapshot + contiguous
// deltas = the server's book, in all three views), private rooms, auth, trading over the
// socket with REST's shapes and codes, cancel-on-disconnect, rate limits, metrics, and
// publish-after-commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import type { EngineEvent } from '@prediction-markets/matching-engine';
import { schemas, type MarketFeed } from '@prediction-markets/shared';
import type { CodDecision } from '../src/realtime/index.ts';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { client, connect, connected, drain, feedOf, record, request, subscribe, waitFor, type ClientSocket } from './helpers/socket.ts';
import { mulberry32 as rng } from './helpers/kit.ts';

/** Keep REST limits out of the way; socket limits high here (the rate-limit test has its own runtime). */
const OPEN_LIMITS = {
  RATE_LIMIT_PUBLIC_POINTS: '1000000',
  RATE_LIMIT_TRADING_POINTS: '1000000',
  RATE_LIMIT_AUTH_POINTS: '1000000',
  RATE_LIMIT_WS_USER_POINTS: '100000',
  RATE_LIMIT_WS_SOCKET_POINTS: '100000',
};


/** Publish-after-commit probe: at every publish, a separate connection reads the markets' committed seq. */
interface PublishCheck {
  marketId: string;
  eventSeq: number;
  committedSeq: number;
}

let t: TestExchange;
let url: string;
let probe: pg.Client;
let probeReady = false;
const checks: PublishCheck[] = [];
const sockets: ClientSocket[] = [];

const track = <T extends ClientSocket>(s: T): T => {
  sockets.push(s);
  return s;
};

beforeAll(async () => {
  t = await startTestExchange(OPEN_LIMITS, {
    listen: true,
    // Runs after the realtime publisher, awaited by the writer before its next batch.
    publisher: {
      async publish(events: readonly EngineEvent[]) {
        const maxSeq = new Map<string, number>();
        for (const e of events) if ('seq' in e && 'marketId' in e && typeof e.marketId === 'string') maxSeq.set(e.marketId, Math.max(maxSeq.get(e.marketId) ?? 0, e.seq));
        if (maxSeq.size === 0 || !probeReady) return;
        const ids = [...maxSeq.keys()];
        const rows = await probe.query<{ id: string; seq: string }>('SELECT id::text AS id, seq::text AS seq FROM markets WHERE id = ANY($1::uuid[])', [ids]);
        for (const r of rows.rows) checks.push({ marketId: r.id, eventSeq: maxSeq.get(r.id)!, committedSeq: Number(r.seq) });
      },
    },
  });
  probe = new pg.Client({ connectionString: t.db.url });
  await probe.connect();
  probeReady = true;
  url = t.rt.url!;
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await probe?.end().catch(() => undefined);
  await t?.close();
});

async function place(user: TestUser, slug: string, body: Record<string, unknown>) {
  return t.api('POST', `/api/orders/${slug}`, { token: user.token, body });
}

/** The server's full book (REST), as [price, quantity, orders] lists. */
async function serverBook(slug: string) {
  const res = await t.api('GET', `/api/orders/${slug}/orderbook?depth=99`);
  expect(res.status).toBe(200);
  const conv = (l: { price: number; quantity: number; orders: number }[]) => l.map((x) => [x.price, x.quantity, x.orders]);
  return { seq: res.body.seq as number, yes: { bids: conv(res.body.yes.bids), asks: conv(res.body.yes.asks) }, no: { bids: conv(res.body.no.bids), asks: conv(res.body.no.asks) } };
}

function validate(log: { event: string; msg: unknown }[]): void {
  for (const { event, msg } of log) {
    const schema = (schemas.SERVER_EVENT_SCHEMAS as Record<string, { safeParse(x: unknown): { success: boolean } }>)[event];
    expect(schema, event).toBeDefined();
    expect(schema!.safeParse(msg).success, `${event} ${JSON.stringify(msg)}`).toBe(true);
  }
}

/** Strict contiguity of a room's public messages from the first one received. */
function assertContiguous(raw: { msg: { fromSeq: number; seq: number } }[]): void {
  for (let i = 1; i < raw.length; i++) expect(raw[i]!.msg.fromSeq, `message ${i}`).toBe(raw[i - 1]!.msg.seq + 1);
}

describe('market feeds', () => {
  it('snapshot, then contiguous deltas while orders stream in; the rebuilt books equal the server book (all three views)', async () => {
    const market = await t.createOpenMarket();
    const users = await Promise.all([0, 1, 2, 3].map(() => t.registerUser()));
    const r = rng(7);
    const randomOrder = () => ({
      side: r() < 0.8 ? 'BUY' : 'SELL',
      outcome: r() < 0.5 ? 'YES' : 'NO',
      price: 40 + Math.floor(r() * 21),
      quantity: 1 + Math.floor(r() * 9),
    });
    // some book before anyone subscribes
    for (let i = 0; i < 20; i++) await place(users[i % 4]!, market.slug, randomOrder());

    const views: { outcome?: 'YES' | 'NO'; s: ClientSocket; feed: MarketFeed; raw: { event: string; msg: any }[]; log: { event: string; msg: any }[] }[] = [];
    for (const outcome of [undefined, 'YES', 'NO'] as const) {
      const s = track(await connect(url));
      const log = record(s);
      const { feed, raw } = feedOf(s);
      views.push({ ...(outcome === undefined ? {} : { outcome }), s, feed, raw, log });
    }
    // Subscribe while orders stream in: snapshots are taken at different seqs, deltas buffer meanwhile.
    const streaming = (async () => {
      for (let round = 0; round < 25; round++) {
        await Promise.all(users.map((u) => place(u, market.slug, randomOrder())));
        if (round % 5 === 4) {
          const mine = await t.api('GET', `/api/orders/user/orders?status=OPEN&market=${market.slug}`, { token: users[round % 4]!.token });
          const o = mine.body.orders?.[0];
          if (o !== undefined) await t.api('DELETE', `/api/orders/${o.id}`, { token: users[round % 4]!.token });
        }
      }
    })();
    const snaps = [];
    for (const v of views) snaps.push(await subscribe(v.s, v.feed, { marketId: market.id, ...(v.outcome === undefined ? {} : { outcome: v.outcome }) }));
    await streaming;

    const book = await serverBook(market.slug);
    for (const v of views) await waitFor(() => v.feed.lastSeq >= book.seq || v.feed.state === 'gap', `view ${v.outcome ?? 'all'} reaches seq ${book.seq}`);
    expect(snaps.map((s) => s.outcome)).toEqual([null, 'YES', 'NO']);
    expect(snaps[0]!.yes).toBeDefined();
    expect(snaps[0]!.no).toBeDefined();
    expect(snaps[1]!.no).toBeUndefined();
    expect(snaps[2]!.yes).toBeUndefined();
    for (const v of views) {
      expect(v.feed.state).toBe('live');
      expect(v.feed.counts.gaps).toBe(0);
      expect(v.feed.lastSeq).toBe(book.seq);
      assertContiguous(v.raw);
      validate(v.log);
      if (v.outcome !== 'NO') expect(v.feed.levels('YES')).toEqual(book.yes);
      if (v.outcome !== 'YES') expect(v.feed.levels('NO')).toEqual(book.no);
      for (const m of v.raw) expect(m.msg.outcome).toBe(v.outcome ?? 'YES');
    }
    // The views got the same trades once all were subscribed (they subscribe one after another
    // while trades happen: a later view's snapshot can already hold an earlier trade); the
    // market's volume and last price agree with REST.
    const allSubscribedSeq = Math.max(...snaps.map((s) => s.seq));
    const trades = (v: (typeof views)[number]) => v.raw.flatMap((m) => m.msg.trades.filter((x: { seq: number }) => x.seq > allSubscribedSeq).map((x: { id: number }) => x.id));
    expect(trades(views[0]!).length).toBeGreaterThan(0);
    expect(trades(views[1]!)).toEqual(trades(views[0]!));
    const detail = await t.api('GET', `/api/markets/${market.slug}`);
    expect(views[0]!.feed.volume).toBe(detail.body.volume);
    expect(views[0]!.feed.lastPrice).toBe(detail.body.lastPrice);
    // anonymous sockets got no private events
    for (const v of views) expect(v.log.filter((m) => (schemas.USER_EVENTS as readonly string[]).includes(m.event))).toEqual([]);
  });

  it('a frame carries status changes in sequence; resubscribing gives a fresh snapshot; unknown markets are refused', async () => {
    const market = await t.createOpenMarket();
    const admin = await t.admin();
    const s = track(await connect(url));
    const { feed, raw } = feedOf(s);
    const snap = await subscribe(s, feed, { marketSlug: market.slug });
    expect(snap.status).toBe('OPEN');
    expect((await t.api('PATCH', `/api/markets/${market.slug}/status`, { token: admin.token, body: { status: 'HALTED' } })).status).toBe(200);
    await waitFor(() => feed.status === 'HALTED', 'HALTED arrives');
    const m = raw.find((x) => x.msg.updates.length > 0)!.msg;
    expect(m).toMatchObject({ marketId: market.id, fromSeq: snap.seq + 1, seq: snap.seq + 1, levels: [], trades: [], updates: [{ seq: snap.seq + 1, reason: 'STATUS', status: 'HALTED', previousStatus: 'OPEN' }] });
    // resync path: subscribe again (switching to the NO view) replaces the view
    const again = await request(s, 'subscribe:market', { marketId: market.id, outcome: 'NO' });
    expect(again).toMatchObject({ ok: true, outcome: 'NO', seq: snap.seq + 1, status: 'HALTED' });
    const none = await request(s, 'subscribe:market', { marketId: '00000000-0000-4000-8000-000000000000' });
    expect(none).toMatchObject({ ok: false, error: { code: 'UNKNOWN_MARKET' } });
    const bad = await request(s, 'subscribe:market', { marketId: market.id, marketSlug: market.slug });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect((await request(s, 'unsubscribe:market', { marketId: market.id })).ok).toBe(true);
  });

  it('ping answers pong with the server time (event and ack)', async () => {
    const s = track(await connect(url));
    const pong = new Promise<schemas.PongPayload>((resolve) => s.once('pong', resolve));
    const ack = await request(s, 'ping', { timestamp: 123 });
    expect(ack).toMatchObject({ ok: true, clientTimestamp: 123 });
    expect(typeof ack.timestamp).toBe('number');
    expect(schemas.PongPayload.parse(await pong).clientTimestamp).toBe(123);
  });
});

describe('private rooms', () => {
  it("user events reach only the owner's sockets, with fills, balances, positions and payout notifications", async () => {
    const market = await t.createOpenMarket();
    const alice = await t.registerUser();
    const bob = await t.registerUser();
    const a = track(await connect(url, { token: alice.token }));
    const a2 = track(await connect(url, { token: alice.token })); // a second socket of alice gets hers too
    const b = track(await connect(url, { token: bob.token }));
    const anon = track(await connect(url));
    const logs = new Map([a, a2, b, anon].map((s) => [s, record(s)] as const));
    const { feed } = feedOf(anon);
    await subscribe(anon, feed, { marketId: market.id });

    const ra = await place(alice, market.slug, { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 });
    const rb = await place(bob, market.slug, { side: 'BUY', outcome: 'NO', price: 65, quantity: 4 });
    expect(ra.status).toBe(201);
    expect(rb.status).toBe(201);
    const aliceOrder = ra.body.order.id as number;
    const bobOrder = rb.body.order.id as number;
    await waitFor(() => logs.get(b)!.some((x) => x.event === 'order_updated' && x.msg.orderId === bobOrder), "bob's fill");
    await waitFor(() => logs.get(a)!.some((x) => x.event === 'order_updated' && x.msg.orderId === aliceOrder), "alice's fill");
    for (const s of [a, a2, b, anon]) await drain(s);

    const userEvents = (s: ClientSocket) => logs.get(s)!.filter((x) => (schemas.USER_EVENTS as readonly string[]).includes(x.event));
    for (const s of [a, a2, b, anon]) validate(userEvents(s));
    expect(userEvents(anon)).toEqual([]);
    const orderIdsOf = (s: ClientSocket) => new Set(userEvents(s).flatMap((x) => (x.msg.orderId !== undefined ? [x.msg.orderId] : x.msg.order !== undefined ? [x.msg.order.id] : [])));
    expect(orderIdsOf(a)).toEqual(new Set([aliceOrder]));
    expect(orderIdsOf(a2)).toEqual(new Set([aliceOrder]));
    expect(orderIdsOf(b)).toEqual(new Set([bobOrder]));
    for (const x of userEvents(a)) if (x.msg.order !== undefined) expect(x.msg.order.userId).toBe(alice.id);

    // the fill: a MINT at the maker's price (alice's 40 YES); bob (taker) pays 60 per NO share and gets 5 back per share
    const aFill = userEvents(a).find((x) => x.event === 'order_updated')!.msg;
    expect(aFill).toMatchObject({ status: 'PARTIALLY_FILLED', reason: 'FILL', filledQuantity: 4, remainingQuantity: 6 });
    expect(aFill.fills).toEqual([expect.objectContaining({ role: 'MAKER', kind: 'MINT', price: 40, yesPrice: 40, quantity: 4 })]);
    const bFill = userEvents(b).find((x) => x.event === 'order_updated')!.msg;
    expect(bFill).toMatchObject({ status: 'FILLED', filledQuantity: 4, remainingQuantity: 0 });
    expect(bFill.fills).toEqual([expect.objectContaining({ role: 'TAKER', kind: 'MINT', price: 60, yesPrice: 40, quantity: 4 })]);
    // the last balance and position events equal REST
    const last = (s: ClientSocket, ev: string) => userEvents(s).filter((x) => x.event === ev).at(-1)!.msg;
    const balB = await t.api('GET', '/api/user/balance', { token: bob.token });
    expect(last(b, 'balance_updated')).toMatchObject({ available: balB.body.available, locked: balB.body.locked, total: balB.body.total });
    expect(last(b, 'position_updated')).toMatchObject({ marketId: market.id, noShares: 4, yesShares: 0, costBasis: 240 });
    expect(last(a, 'position_updated')).toMatchObject({ marketId: market.id, yesShares: 4, costBasis: 160 });

    // resolution pays alice 100 per YES share: a notification in her room only
    const admin = await t.admin();
    const resolved = await t.api('PATCH', `/api/markets/${market.slug}/status`, { token: admin.token, body: { status: 'RESOLVED', outcome: 'YES' } });
    expect(resolved.status).toBe(200);
    await waitFor(() => logs.get(a)!.some((x) => x.event === 'notification'), "alice's payout notification");
    await waitFor(() => feed.status === 'RESOLVED', 'RESOLVED on the public feed');
    for (const s of [a, b, anon]) await drain(s);
    const notes = (s: ClientSocket) => userEvents(s).filter((x) => x.event === 'notification').map((x) => x.msg);
    expect(notes(a)).toEqual([expect.objectContaining({ kind: 'MARKET_RESOLVED', marketId: market.id, amount: 400, yesShares: 4 })]);
    expect(notes(b).every((n) => n.amount === 0)).toBe(true);
    expect(notes(anon)).toEqual([]);
    const settled = logs.get(anon)!.flatMap((x) => (x.event === 'market_frame' ? x.msg.updates : []));
    expect(settled.map((m) => m.reason)).toContain('SETTLED');
    expect(settled.find((m) => m.reason === 'SETTLED')).toMatchObject({ status: 'RESOLVED', outcome: 'YES', settlement: { kind: 'RESOLUTION', collateral: 400, paid: 400 } });
  });
});

describe('authentication', () => {
  const codeOf = async (s: ClientSocket): Promise<unknown> => {
    try {
      await connected(s);
    } catch (err) {
      return (err as { data?: { code?: string } }).data?.code;
    }
    s.disconnect();
    return 'connected';
  };

  it('refuses a bad or expired token with connect_error carrying the code; anonymous sockets read public data only', async () => {
    const user = await t.registerUser();
    const secret = t.rt.ctx.tokens.secret;
    const expired = jwt.sign({ sub: user.id, role: 'USER', typ: 'access', exp: Math.floor(Date.now() / 1000) - 60 }, secret, { algorithm: 'HS256', issuer: 'prediction-markets' });
    const refreshLike = jwt.sign({ sub: user.id, jti: 'x', fam: 'y', typ: 'refresh' }, secret, { algorithm: 'HS256', issuer: 'prediction-markets', expiresIn: 60 });
    const forged = jwt.sign({ sub: user.id, role: 'ADMIN', typ: 'access' }, 'another-secret-another-secret-another-secret', { algorithm: 'HS256', issuer: 'prediction-markets', expiresIn: 60 });
    expect(await codeOf(client(url, { token: 'garbage' }))).toBe('TOKEN_INVALID');
    expect(await codeOf(client(url, { token: forged }))).toBe('TOKEN_INVALID');
    expect(await codeOf(client(url, { token: refreshLike }))).toBe('TOKEN_INVALID');
    expect(await codeOf(client(url, { token: expired }))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(client(url, { cookie: `pm_access=${expired}` }))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(client(url, { token: user.token }))).toBe('connected');

    const anon = track(await connect(url));
    const market = await t.createOpenMarket();
    expect(await request(anon, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 10, quantity: 1 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await request(anon, 'session:cancel_on_disconnect', { graceMs: 1000 })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect((await request(anon, 'subscribe:market', { marketId: market.id })).ok).toBe(true);
    // an anonymous socket may sign in later with session:refresh, and then trade
    expect(await request(anon, 'session:refresh', { token: user.token })).toMatchObject({ ok: true });
    expect(await request(anon, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 10, quantity: 1 })).toMatchObject({ ok: true, order: { userId: user.id } });
    const other = await t.registerUser();
    expect(await request(anon, 'session:refresh', { token: other.token })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('accepts the access-token cookie', async () => {
    const user = await t.registerUser();
    const market = await t.createOpenMarket();
    const s = track(await connect(url, { cookie: `theme=dark; pm_access=${user.token}` }));
    const placed = new Promise<schemas.OrderPlaced>((resolve) => s.once('order_placed', resolve));
    expect(await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 20, quantity: 2 })).toMatchObject({ ok: true });
    expect((await placed).order.userId).toBe(user.id);
  });
});

describe('trading over the socket', () => {
  it('gives the same result shapes and error codes as REST', async () => {
    const market = await t.createOpenMarket();
    const user = await t.registerUser();
    const s = track(await connect(url, { token: user.token }));
    const parse = <S extends { parse(x: unknown): unknown }>(schema: S, x: unknown) => schema.parse(x);

    const placed = await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'bot-1' });
    parse(schemas.OrderPlaceAck, placed);
    expect(placed).toMatchObject({ ok: true, duplicate: false, fills: [], order: { price: 30, quantity: 5, status: 'OPEN', clientOrderId: 'bot-1' } });
    const again = await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'bot-1' });
    expect(again).toMatchObject({ ok: true, duplicate: true, order: { id: placed.order.id } });
    const rest = await t.api('POST', `/api/orders/${market.slug}`, { token: user.token, body: { side: 'BUY', outcome: 'YES', price: 30, quantity: 5, clientOrderId: 'bot-1' } });
    expect(rest.status).toBe(200);
    expect({ ok: true, ...rest.body }).toEqual(again);

    const amended = await request(s, 'order:amend', { orderId: placed.order.id, quantity: 3 });
    parse(schemas.OrderAmendAck, amended);
    expect(amended).toMatchObject({ ok: true, order: { id: placed.order.id, remainingQuantity: 3, reason: 'AMEND' } });

    // error codes: the same as REST for the same request
    const cases: [keyof schemas.ClientToServerEvents, unknown, string, string, unknown?][] = [
      ['order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 99, quantity: 20_000 }, 'POST', `/api/orders/${market.slug}`, { side: 'BUY', outcome: 'YES', price: 99, quantity: 20_000 }],
      ['order:place', { marketSlug: market.slug, side: 'SELL', outcome: 'NO', price: 50, quantity: 1 }, 'POST', `/api/orders/${market.slug}`, { side: 'SELL', outcome: 'NO', price: 50, quantity: 1 }],
      ['order:place', { marketSlug: 'no-such-market', side: 'BUY', outcome: 'YES', price: 50, quantity: 1 }, 'POST', '/api/orders/no-such-market', { side: 'BUY', outcome: 'YES', price: 50, quantity: 1 }],
      ['order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 150, quantity: 1 }, 'POST', `/api/orders/${market.slug}`, { side: 'BUY', outcome: 'YES', price: 150, quantity: 1 }],
      ['order:cancel', { orderId: 987654 }, 'DELETE', '/api/orders/987654'],
      ['order:amend', { orderId: placed.order.id, quantity: 3 }, 'PATCH', `/api/orders/${placed.order.id}`, { quantity: 3 }],
    ];
    const expected = ['INSUFFICIENT_BALANCE', 'INSUFFICIENT_SHARES', 'UNKNOWN_MARKET', 'VALIDATION_ERROR', 'UNKNOWN_ORDER', 'AMEND_NO_CHANGE'];
    for (const [i, [event, payload, method, path, body]] of cases.entries()) {
      const ack = await request(s, event, payload);
      parse(schemas.AckError, ack);
      const r = await t.api(method, path, { token: user.token, ...(body === undefined ? {} : { body }) });
      expect(ack.error.code, `${event} ${JSON.stringify(payload)}`).toBe(expected[i]);
      expect(r.body.error.code).toBe(expected[i]);
      if (r.body.error.engineCode !== undefined) expect(ack.error.engineCode).toBe(r.body.error.engineCode);
    }

    const batch = await request(s, 'order:batch', {
      orders: [
        { marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 20, quantity: 1 },
        { marketSlug: 'no-such-market', side: 'BUY', outcome: 'NO', price: 20, quantity: 1 },
        { marketSlug: market.slug, side: 'SELL', outcome: 'YES', price: 20, quantity: 1 },
      ],
    });
    parse(schemas.OrderBatchAck, batch);
    expect(batch.results.map((x: { ok: boolean; error?: { code: string } }) => (x.ok ? 'ok' : x.error!.code))).toEqual(['ok', 'UNKNOWN_MARKET', 'INSUFFICIENT_SHARES']);

    const cancelled = await request(s, 'order:cancel', { orderId: placed.order.id });
    parse(schemas.OrderCancelAck, cancelled);
    expect(cancelled).toMatchObject({ ok: true, id: placed.order.id, status: 'CANCELLED', reason: 'USER_CANCEL' });
    const all = await request(s, 'order:cancel_all', { marketSlug: market.slug });
    expect(all).toEqual({ ok: true, cancelledOrderIds: [batch.results[0].order.id] });
    expect(await request(s, 'order:cancel_all', {})).toEqual({ ok: true, cancelledOrderIds: [] });
  });

  it('runs one socket’s commands in the order sent (place then cancel-all, without waiting)', async () => {
    const market = await t.createOpenMarket();
    const user = await t.registerUser();
    const s = track(await connect(url, { token: user.token }));
    const results = await Promise.all([
      request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 11, quantity: 1 }),
      request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 12, quantity: 1 }),
      request(s, 'order:cancel_all', { marketSlug: market.slug }),
    ]);
    expect(results[2].cancelledOrderIds).toEqual([results[0].order.id, results[1].order.id]);
  });

  it('answers a message sent without an ack callback through request_error', async () => {
    const user = await t.registerUser();
    const s = track(await connect(url, { token: user.token }));
    const err = new Promise<schemas.RequestError>((resolve) => s.once('request_error', resolve));
    s.emit('order:cancel', { orderId: -1 } as never);
    expect(await err).toMatchObject({ event: 'order:cancel', error: { code: 'VALIDATION_ERROR' } });
  });
});

describe('cancel-on-disconnect', () => {
  const decisions: CodDecision[] = [];
  beforeAll(() => {
    t.rt.realtime!.cod.events.on('decision', (d) => decisions.push(d));
  });
  const decisionFor = async (userId: string): Promise<CodDecision> => {
    await waitFor(() => decisions.some((d) => d.userId === userId), `a cancel-on-disconnect decision for ${userId}`);
    return decisions.find((d) => d.userId === userId)!;
  };
  const openOrders = async (user: TestUser) => (await t.api('GET', '/api/orders/user/orders?status=OPEN', { token: user.token })).body.orders.map((o: { id: number }) => o.id);

  async function botWithOrders(graceMs: number) {
    const market = await t.createOpenMarket();
    const user = await t.registerUser();
    const s = track(await connect(url, { token: user.token }));
    expect(await request(s, 'session:cancel_on_disconnect', { graceMs })).toEqual({ ok: true, graceMs });
    const o1 = await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 10, quantity: 1 });
    const o2 = await request(s, 'order:place', { marketSlug: market.slug, side: 'BUY', outcome: 'NO', price: 10, quantity: 1 });
    return { user, s, ids: [o1.order.id, o2.order.id] as number[] };
  }

  it('cancels every order when the socket has been gone for the grace period', async () => {
    const { user, s, ids } = await botWithOrders(500);
    s.disconnect();
    expect(await decisionFor(user.id)).toEqual({ userId: user.id, action: 'cancelled', reason: 'grace-expired', cancelledOrderIds: ids });
    expect(await openOrders(user)).toEqual([]);
  });

  it('cancels nothing when the user reconnects within the grace period', async () => {
    const { user, s, ids } = await botWithOrders(60_000);
    s.disconnect();
    track(await connect(url, { token: user.token }));
    expect(await decisionFor(user.id)).toMatchObject({ action: 'kept', reason: 'reconnected' });
    expect((await openOrders(user)).sort()).toEqual([...ids].sort());
  });

  it('cancels nothing while another socket of the user is connected', async () => {
    const { user, s, ids } = await botWithOrders(500);
    track(await connect(url, { token: user.token }));
    s.disconnect();
    expect(await decisionFor(user.id)).toMatchObject({ action: 'kept', reason: 'still-connected' });
    expect((await openOrders(user)).sort()).toEqual([...ids].sort());
  });

  it('treats a silent socket as gone: disconnects it and cancels', async () => {
    const { user, s, ids } = await botWithOrders(400);
    const reason = new Promise<string>((resolve) => s.once('disconnect', resolve));
    expect(await reason).toBe('io server disconnect');
    expect(await decisionFor(user.id)).toEqual({ userId: user.id, action: 'cancelled', reason: 'silent', cancelledOrderIds: ids });
  });

  it('heartbeats keep a session alive past its grace period; disarming stops it', async () => {
    const { user, s, ids } = await botWithOrders(1500);
    const until = Date.now() + 3000; // twice the grace: without heartbeats the watchdog would have fired
    while (Date.now() < until) {
      await request(s, 'ping', {});
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(s.connected).toBe(true);
    expect(decisions.some((d) => d.userId === user.id)).toBe(false);
    expect(await request(s, 'session:cancel_on_disconnect', { graceMs: 0 })).toEqual({ ok: true, graceMs: 0 });
    const id = s.id!;
    s.disconnect();
    await waitFor(() => !t.rt.realtime!.io.of('/').sockets.has(id), 'the server saw the disconnect');
    expect(t.rt.realtime!.cod.pending(user.id)).toBe(false);
    expect(decisions.some((d) => d.userId === user.id)).toBe(false);
    expect((await openOrders(user)).sort()).toEqual([...ids].sort());
  });

  it('bounds the grace period', async () => {
    const user = await t.registerUser();
    const s = track(await connect(url, { token: user.token }));
    expect(await request(s, 'session:cancel_on_disconnect', { graceMs: 60_001 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
    expect(await request(s, 'session:cancel_on_disconnect', { graceMs: -1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_ERROR' } });
  });
});

describe('rate limits', () => {
  it('refuses messages over the per-socket and per-user limits with RATE_LIMITED through the ack, keeping the connection', async () => {
    // Its own runtime with small limits (windows of a minute: nothing refills during the test).
    const small = await startTestExchange(
      { ...OPEN_LIMITS, RATE_LIMIT_WS_SOCKET_POINTS: '5', RATE_LIMIT_WS_SOCKET_WINDOW_SEC: '60', RATE_LIMIT_WS_USER_POINTS: '8', RATE_LIMIT_WS_USER_WINDOW_SEC: '60' },
      { listen: true },
    );
    try {
      const u = await small.registerUser();
      const s1 = await connect(small.rt.url!, { token: u.token });
      const s2 = await connect(small.rt.url!, { token: u.token });
      const anon = await connect(small.rt.url!);
      const codes = async (s: ClientSocket, n: number) => {
        const out: string[] = [];
        for (let i = 0; i < n; i++) {
          const ack = await request(s, 'ping', {});
          out.push(ack.ok ? 'ok' : ack.error.code);
          if (!ack.ok) expect(ack.error.details.retryAfterSec).toBeGreaterThanOrEqual(1);
        }
        return out;
      };
      // per socket: 5 of 7
      expect(await codes(s1, 7)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
      // per user: 8 in all; s1 used 5 (its refused messages took no user point), so s2 gets 3
      expect(await codes(s2, 5)).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
      // trading messages are limited alike, answered (not dropped)
      const order = await request(s2, 'order:cancel_all', {});
      expect(order).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      // anonymous sockets have their own per-socket budget
      expect(await codes(anon, 6)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED']);
      expect(s1.connected && s2.connected && anon.connected).toBe(true);
      for (const s of [s1, s2, anon]) s.disconnect();
    } finally {
      await small.close();
    }
  });
});

describe('metrics', () => {
  it('counts open connections and messages', async () => {
    const m = t.rt.ctx.metrics;
    const before = (await m.websocketConnections.get()).values[0]?.value ?? 0;
    const s = await connect(url);
    const id = s.id!;
    await request(s, 'ping', {});
    expect((await m.websocketConnections.get()).values[0]?.value).toBe(before + 1);
    s.disconnect();
    await waitFor(() => !t.rt.realtime!.io.of('/').sockets.has(id), 'server saw the disconnect');
    expect((await m.websocketConnections.get()).values[0]?.value).toBe(before);
    const text = await m.registry.getSingleMetricAsString('websocket_messages_total');
    expect(text).toMatch(/websocket_messages_total\{direction="in",event="ping"\} \d+/);
    expect(text).toMatch(/websocket_messages_total\{direction="out",event="market_frame"\} \d+/);
  });
});

describe('publish after commit', () => {
  it('publishes nothing of a batch whose commit fails; the stream stays contiguous', async () => {
    const market = await t.createOpenMarket();
    const user = await t.registerUser();
    const s = track(await connect(url));
    const { feed, raw } = feedOf(s);
    const snap = await subscribe(s, feed, { marketId: market.id });
    const bus = t.rt.realtime!.bus;
    const published: unknown[] = [];
    const original = bus.publish.bind(bus);
    bus.publish = (msgs) => {
      published.push(...msgs);
      original(msgs);
    };
    try {
      // A job that places an order (price 33) and whose persist hook throws: the whole batch rolls back.
      const failing = t.rt.ctx.exchange.submit({
        kind: 'test-failing',
        run: (e, now) => e.execute({ type: 'PLACE', tsMs: now, userId: user.id, marketId: market.id, side: 'BUY', outcome: 'YES', orderType: 'LIMIT', priceCents: 33, qty: 7 }),
        persist: async () => {
          throw new Error('injected commit failure');
        },
      });
      await expect(failing).rejects.toMatchObject({ code: 'COMMIT_FAILED' });
      expect(published.filter((m) => JSON.stringify(m).includes(market.id))).toEqual([]);
      await waitFor(() => t.rt.ctx.exchange.ready, 'the engine is rebuilt from the database');
      const ok = await place(user, market.slug, { side: 'BUY', outcome: 'YES', price: 44, quantity: 2 });
      expect(ok.status).toBe(201);
      await waitFor(() => feed.lastSeq === snap.seq + 1, 'the committed order arrives');
    } finally {
      bus.publish = original;
    }
    expect(raw.map((m) => [m.event, m.msg.fromSeq, m.msg.seq])).toEqual([['market_frame', snap.seq + 1, snap.seq + 1]]);
    expect(raw[0]!.msg.levels).toEqual([{ side: 'BID', price: 44, quantity: 2, orders: 1 }]);
    expect(feed.levels('YES').bids).toEqual([[44, 2, 1]]);
    expect(JSON.stringify(published)).not.toContain('"price":33');
  });

  it('every publish so far came after its events were committed (read by a separate connection at publish time)', () => {
    expect(checks.length).toBeGreaterThan(10);
    for (const c of checks) expect(c.committedSeq, c.marketId).toBeGreaterThanOrEqual(c.eventSeq);
  });
});
