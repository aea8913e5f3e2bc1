// The holes an outside attack found (issue 12), one describe each; every test failed before its fix.
//  1. NUL in a query-string filter answered 500 (PostgreSQL rejects it).
//  2. A market's designated resolver could trade in it, then resolve it; anyone holding a stake could resolve.
//  4. REST and socket trading had separate budgets per user.
//  5. Sessions outlived logout: access tokens kept working, sockets kept receiving private events.
//  7. A market slug could shadow a fixed route (`batch`, `user`).
// 12. Admin grants were stamped with the wall clock, not the writer's clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { schemas } from '@prediction-markets/shared';
import { registeredRoutes } from '../src/plugins/openapi.ts';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { connect, drain, record, request, waitFor, type ClientSocket } from './helpers/socket.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

const OPEN_LIMITS = { ...NO_RATE_LIMITS, RATE_LIMIT_WS_USER_POINTS: '100000', RATE_LIMIT_WS_SOCKET_POINTS: '100000' };
const order = { side: 'BUY', outcome: 'YES', price: 40, quantity: 2 };

describe('api holes (issue 12)', () => {
  let t: TestExchange;
  let url: string;
  let admin: TestUser;
  const sockets: ClientSocket[] = [];
  const track = (s: ClientSocket): ClientSocket => {
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestExchange(OPEN_LIMITS, { listen: true });
    url = t.rt.url!.replace('0.0.0.0', '127.0.0.1');
    admin = await t.admin();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  describe('1: every text input is checked text, query strings included', () => {
    it('a NUL or control character in an audit filter is 400 VALIDATION_ERROR, not 500', async () => {
      for (const q of ['targetId=%00', 'action=%00', 'targetId=a%00b', 'action=%01', 'targetId=%7F', 'action=%C2%85']) {
        expectError(await t.api('GET', `/api/admin/audit?${q}`, { token: admin.token }), 400, 'VALIDATION_ERROR');
      }
      // ordinary filters still work
      ok(await t.api('GET', '/api/admin/audit?action=MARKET_CREATED&targetId=x', { token: admin.token }), 200);
    });

    it('bodies and socket payloads reject control characters too', async () => {
      expectError(await t.api('POST', '/api/auth/login', { body: { email: 'a@test.local', password: 'pass\u0000word' } }), 400, 'VALIDATION_ERROR');
      expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: 'x\u0000y' } }), 400, 'VALIDATION_ERROR');
    });
  });

  describe('2: a designated resolver may not trade in the market, and nobody with a stake may resolve it', () => {
    let resolver: TestUser;
    let trader: TestUser;
    let market: { id: string; slug: string };

    beforeAll(async () => {
      resolver = await t.registerUser();
      trader = await t.registerUser();
      market = await t.createOpenMarket({ resolverId: resolver.id });
    });

    it("rejects the resolver's orders in that market with RESOLVER_CANNOT_TRADE over REST, batch and socket", async () => {
      expectError(await t.api('POST', `/api/orders/${market.slug}`, { token: resolver.token, body: order }), 403, 'RESOLVER_CANNOT_TRADE');
      const batch = ok(await t.api('POST', '/api/orders/batch', { token: resolver.token, body: { orders: [{ ...order, marketSlug: market.slug }] } }), 200);
      expect(batch.results[0]).toMatchObject({ ok: false, error: { code: 'RESOLVER_CANNOT_TRADE' } });
      const s = track(await connect(url, { token: resolver.token }));
      expect(await request(s, 'order:place', { ...order, marketSlug: market.slug })).toMatchObject({ ok: false, error: { code: 'RESOLVER_CANNOT_TRADE' } });
      // nothing reached the book, no escrow locked
      expect(ok(await t.api('GET', '/api/user/balance', { token: resolver.token }), 200).locked).toBe(0);
      // the resolver still trades elsewhere
      const other = await t.createOpenMarket();
      ok(await t.api('POST', `/api/orders/${other.slug}`, { token: resolver.token, body: order }), 201);
    });

    it('refuses a resolution by anyone holding shares or resting orders (RESOLVER_HOLDS_POSITION), and records that the resolver held none', async () => {
      // the admin rests an order, then holds shares after a MINT with the trader
      const resting = ok(await t.api('POST', `/api/orders/${market.slug}`, { token: admin.token, body: { side: 'BUY', outcome: 'YES', price: 30, quantity: 5 } }), 201);
      expectError(await t.api('PATCH', `/api/markets/${market.slug}/status`, { token: admin.token, body: { status: 'RESOLVED', outcome: 'YES' } }), 409, 'RESOLVER_HOLDS_POSITION');
      ok(await t.api('POST', `/api/orders/${market.slug}`, { token: trader.token, body: { side: 'BUY', outcome: 'NO', price: 70, quantity: 5 } }), 201);
      expect(ok(await t.api('GET', '/api/user/positions', { token: admin.token }), 200).positions.find((p: { marketId: string }) => p.marketId === market.id)).toMatchObject({ yesShares: 5 });
      expect(resting.order.status).toBe('OPEN');
      expectError(await t.api('PATCH', `/api/markets/${market.slug}/status`, { token: admin.token, body: { status: 'RESOLVED', outcome: 'YES' } }), 409, 'RESOLVER_HOLDS_POSITION');
      expect(ok(await t.api('GET', `/api/markets/${market.slug}`), 200).status).toBe('OPEN');
      // the designated resolver holds nothing: resolves
      ok(await t.api('PATCH', `/api/markets/${market.slug}/status`, { token: resolver.token, body: { status: 'RESOLVED', outcome: 'NO' } }), 200);
      const record = ok(await t.api('GET', `/api/markets/${market.slug}/resolution`), 200);
      expect(record).toMatchObject({ status: 'RESOLVED', kind: 'RESOLUTION', resolverId: resolver.id, resolverHeldPosition: false });
    });
  });

  describe('4: one trading budget per user across REST and sockets', () => {
    let limited: TestExchange;
    beforeAll(async () => {
      limited = await startTestExchange({ ...OPEN_LIMITS, RATE_LIMIT_TRADING_POINTS: '3', RATE_LIMIT_TRADING_WINDOW_SEC: '60' }, { listen: true });
    });
    afterAll(async () => {
      await limited?.close();
    });

    it('with the REST budget spent, socket orders are refused too (and the other way round)', async () => {
      const lurl = limited.rt.url!.replace('0.0.0.0', '127.0.0.1');
      const { slug } = await limited.createOpenMarket();
      const a = await limited.registerUser();
      for (let i = 0; i < 3; i++) ok(await limited.api('GET', '/api/user/balance', { token: a.token }), 200);
      expectError(await limited.api('GET', '/api/user/balance', { token: a.token }), 429, 'RATE_LIMITED');
      const s = track(await connect(lurl, { token: a.token }));
      expect(await request(s, 'order:place', { ...order, marketSlug: slug })).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
      // another user: socket orders spend the same budget REST does
      const b = await limited.registerUser();
      const sb = track(await connect(lurl, { token: b.token }));
      for (let i = 0; i < 3; i++) expect(await request(sb, 'order:place', { ...order, marketSlug: slug })).toMatchObject({ ok: true });
      expectError(await limited.api('POST', `/api/orders/${slug}`, { token: b.token, body: order }), 429, 'RATE_LIMITED');
      // non-trading socket messages do not spend it
      expect(await request(sb, 'ping', {})).toMatchObject({ ok: true });
    });
  });

  describe('5: a revoked session stops at once, over REST and sockets', () => {
    it('logout: the access token is refused at once (TOKEN_INVALID) and the socket of the session is disconnected', async () => {
      const u = await t.registerUser();
      const session = await t.login(u.email, u.password);
      ok(await t.api('GET', '/api/auth/me', { token: session.token }), 200);
      const s = track(await connect(url, { token: session.token }));
      const gone = new Promise<void>((resolve) => s.once('disconnect', () => resolve()));
      ok(await t.api('POST', '/api/auth/logout', { token: session.token }), 200);
      expectError(await t.api('GET', '/api/auth/me', { token: session.token }), 401, 'TOKEN_INVALID');
      await gone;
      // the handshake with that token is refused from now on
      await expect(connect(url, { token: session.token })).rejects.toMatchObject({ data: { code: 'TOKEN_INVALID' } });
      // the user's other session is untouched
      ok(await t.api('GET', '/api/auth/me', { token: u.token }), 200);
    });

    it('a reused refresh token revokes its family: its access tokens stop working', async () => {
      const u = await t.registerUser();
      const login = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
      const refreshToken = String(login.headers['set-cookie']).match(/pm_refresh=([^;]+)/)![1]!;
      const rotated = ok(await t.api('POST', '/api/auth/refresh', { body: { refreshToken } }), 200);
      expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken } }), 401, 'REFRESH_TOKEN_REUSED');
      expectError(await t.api('GET', '/api/auth/me', { token: rotated.accessToken }), 401, 'TOKEN_INVALID');
      expectError(await t.api('GET', '/api/auth/me', { token: login.body.accessToken }), 401, 'TOKEN_INVALID');
    });

    it('a restart does not reopen a revoked session (the revocation list is reloaded from the database)', async () => {
      const own = await startTestExchange(NO_RATE_LIMITS);
      try {
        const u = await own.registerUser();
        const session = await own.login(u.email, u.password);
        ok(await own.api('POST', '/api/auth/logout', { token: session.token }), 200);
        expectError(await own.api('GET', '/api/auth/me', { token: session.token }), 401, 'TOKEN_INVALID');
        await own.stop();
        await own.restart();
        expectError(await own.api('GET', '/api/auth/me', { token: session.token }), 401, 'TOKEN_INVALID');
        ok(await own.api('GET', '/api/auth/me', { token: u.token }), 200);
      } finally {
        await own.close();
      }
    });

    it('a socket whose access token expired gets no private events until session:refresh', async () => {
      const u = await t.registerUser();
      const { slug } = await t.createOpenMarket();
      const shortLived = jwt.sign({ sub: u.id, role: 'USER', typ: 'access' }, t.env.JWT_SECRET!, { algorithm: 'HS256', issuer: 'prediction-markets', expiresIn: 2 });
      const s = track(await connect(url, { token: shortLived }));
      const seen = record(s);
      ok(await t.api('POST', `/api/orders/${slug}`, { token: u.token, body: order }), 201);
      await waitFor(() => seen.some((m) => m.event === 'order_placed'), 'order_placed while the token is valid');
      await waitFor(() => Date.now() > jwt.decode(shortLived, { json: true })!.exp! * 1000 + 200, 'the token to expire', 10_000);
      seen.length = 0;
      ok(await t.api('POST', `/api/orders/${slug}`, { token: u.token, body: order }), 201);
      ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200);
      await drain(s);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.filter((m) => schemas.USER_EVENTS.includes(m.event as never))).toEqual([]);
      // fresh token: private events again
      expect(await request(s, 'session:refresh', { token: u.token })).toMatchObject({ ok: true });
      ok(await t.api('POST', `/api/orders/${slug}`, { token: u.token, body: order }), 201);
      await waitFor(() => seen.some((m) => m.event === 'order_placed'), 'order_placed after session:refresh');
    });
  });

  describe('7: no market slug shadows a route', () => {
    it('refuses the reserved words as new slugs', async () => {
      for (const slug of ['batch', 'user']) {
        const res = await t.api('POST', '/api/markets', { token: admin.token, body: { slug, question: 'Shadow?', closesAt: new Date(Date.now() + 86_400_000).toISOString() } });
        expectError(res, 400, 'VALIDATION_ERROR');
      }
    });

    it('every fixed path segment beside a slug parameter is reserved (routes enumerated from the app)', () => {
      const routes = registeredRoutes(t.rt.app).map((r) => r.url.split('/'));
      const shadowing = new Set<string>();
      for (const r of routes) {
        r.forEach((seg, i) => {
          if (seg !== ':slug' && seg !== ':marketSlug') return;
          const prefix = r.slice(0, i).join('/');
          for (const other of routes) {
            const word = other[i];
            if (word !== undefined && !word.startsWith(':') && other.slice(0, i).join('/') === prefix) shadowing.add(word);
          }
        });
      }
      expect(shadowing.size).toBeGreaterThan(0);
      expect([...shadowing].filter((w) => schemas.NewSlug.safeParse(w).success)).toEqual([]);
    });
  });

  describe("12: grants are stamped with the writer's clock", () => {
    let skewed: TestExchange;
    const SKEW_MS = 7 * 86_400_000;
    beforeAll(async () => {
      skewed = await startTestExchange(NO_RATE_LIMITS, { clock: () => Date.now() + SKEW_MS });
    });
    afterAll(async () => {
      await skewed?.close();
    });

    it('the POINTS_GRANTED audit entry carries the exchange clock, not the wall clock', async () => {
      const sAdmin = await skewed.admin();
      const u = await skewed.registerUser();
      const before = skewed.rt.ctx.exchange.clockMs();
      ok(await skewed.api('POST', '/api/admin/grant', { token: sAdmin.token, body: { userId: u.id, amountCents: 500, reason: 'clock' } }), 200);
      const after = skewed.rt.ctx.exchange.clockMs();
      const entry = ok(await skewed.api('GET', `/api/admin/audit?action=POINTS_GRANTED&targetId=${u.id}`, { token: sAdmin.token }), 200).entries[0];
      const at = Date.parse(entry.createdAt);
      expect(at).toBeGreaterThanOrEqual(before);
      expect(at).toBeLessThanOrEqual(after);
      expect(ok(await skewed.api('GET', '/api/admin/audit/verify', { token: sAdmin.token }), 200).ok).toBe(true);
    });
  });
});
