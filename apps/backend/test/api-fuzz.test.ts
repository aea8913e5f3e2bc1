// Malformed and out-of-range input against every route: never a 5xx, always the error shape
// `{ error: { code, message } }` on a 4xx. Hand-picked edge cases first, then a few hundred
// seeded random mutations of valid bodies, params, queries and headers (the seed is printed
// on failure; TEST_SEED=<seed> replays it). Afterwards the exchange is still consistent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type ApiResponse, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok, seededRng, type Rng } from './helpers/kit.ts';
import { registeredRoutes } from '../src/plugins/openapi.ts';

type Auth = 'none' | 'user' | 'admin';
interface Route {
  method: string;
  /** Path with :params. */
  path: string;
  auth: Auth;
  /** A valid body (mutated by the fuzzer). */
  body?: () => Record<string, unknown>;
  /** Valid values of path params. */
  params?: Record<string, () => string>;
  /** Valid query keys and values. */
  query?: Record<string, () => string>;
}

function assertSane(res: ApiResponse, what: string): void {
  const ctx = `${what} -> ${res.status} ${typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body).slice(0, 300)}`;
  expect.soft(res.status, ctx).toBeLessThan(500);
  if (res.status >= 400) {
    expect.soft(res.body, ctx).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  }
}

const WEIRD_STRINGS = [
  '',
  ' ',
  'a',
  'x'.repeat(300),
  'y'.repeat(20_000),
  '0',
  '-1',
  '1e3',
  '1.5',
  'NaN',
  'Infinity',
  '9007199254740993',
  '1e400',
  'null',
  'true',
  '__proto__',
  'constructor',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '%00',
  '\u0000',
  '😀🚀',
  'ÄÖÜ-ß',
  '<script>alert(1)</script>',
  '2026-13-45T99:99:99Z',
  '00000000-0000-4000-8000-000000000000',
  'BUY',
  'YES',
  'MARKET',
];
const WEIRD_NUMBERS = [0, -0, -1, 1, 0.5, 99, 100, 101, 1e6, 1e9, 1e12, 1e13, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, Number.MIN_VALUE];

function randomValue(r: Rng, depth = 0): unknown {
  const k = r.int(0, depth > 1 ? 4 : 6);
  switch (k) {
    case 0:
      return null;
    case 1:
      return r.chance(0.5);
    case 2:
      return r.pick(WEIRD_NUMBERS);
    case 3:
      return r.pick(WEIRD_STRINGS);
    case 4:
      return r.int(-1000, 1000);
    case 5:
      return Array.from({ length: r.int(0, 3) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(0, 3); i > 0; i--) o[r.pick(['a', 'side', 'price', 'quantity', 'status', 'x', 'orders'])] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function mutateBody(r: Rng, valid: Record<string, unknown>): unknown {
  const roll = r.next();
  if (roll < 0.1) return randomValue(r);
  const body: Record<string, unknown> = structuredClone(valid);
  const keys = Object.keys(body);
  for (let n = r.int(1, 3); n > 0; n--) {
    const op = r.int(0, 3);
    const key = keys.length > 0 ? r.pick(keys) : 'x';
    if (op === 0) delete body[key];
    else if (op === 1) body[r.pick(['extra', 'admin', 'role', 'userId', 'tsMs', key])] = randomValue(r);
    else if (Array.isArray(body[key]) && (body[key] as unknown[]).length > 0) {
      const arr = body[key] as Record<string, unknown>[];
      const i = r.int(0, arr.length - 1);
      const item = arr[i];
      if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) item[r.pick(Object.keys(item))] = randomValue(r);
      else arr[i] = randomValue(r) as Record<string, unknown>;
    } else body[key] = randomValue(r);
  }
  return body;
}

function mutateParam(r: Rng, valid: string): string {
  return r.chance(0.3) ? valid : r.pick([...WEIRD_STRINGS.filter((s) => s.length < 1000 && s.length > 0), `${valid}-x`, valid.toUpperCase(), '1', '2147483648', '18446744073709551616']);
}

describe('api: malformed input never causes a 5xx', () => {
  let t: TestExchange;
  let admin: TestUser;
  let user: TestUser;
  let slug: string;
  let orderId: number;
  const routes: Route[] = [];

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
    admin = await t.admin();
    user = await t.registerUser();
    slug = (await t.createOpenMarket()).slug;
    orderId = ok(await t.api('POST', `/api/orders/${slug}`, { token: user.token, body: { side: 'BUY', outcome: 'YES', price: 10, quantity: 1 } }), 201).order.id;
    const order = () => ({ side: 'BUY', outcome: 'YES', type: 'LIMIT', price: 40, quantity: 2, timeInForce: 'GTC', postOnly: false, clientOrderId: `c-${Math.random()}`, stp: 'CANCEL_TAKER' });
    const page = { limit: () => '10', before: () => '1000' };
    const future = () => new Date(Date.now() + 86_400_000).toISOString();
    routes.push(
      { method: 'GET', path: '/health', auth: 'none' },
      { method: 'GET', path: '/ready', auth: 'none' },
      { method: 'POST', path: '/api/auth/register', auth: 'none', body: () => ({ email: `f-${Math.random().toString(36).slice(2)}@test.local`, password: 'password-123' }) },
      { method: 'POST', path: '/api/auth/login', auth: 'none', body: () => ({ email: user.email, password: 'wrong-password' }) },
      { method: 'POST', path: '/api/auth/refresh', auth: 'none', body: () => ({ refreshToken: 'x.y.z' }) },
      { method: 'POST', path: '/api/auth/logout', auth: 'none', body: () => ({ refreshToken: 'x.y.z' }) },
      { method: 'GET', path: '/api/auth/me', auth: 'user' },
      { method: 'GET', path: '/api/markets', auth: 'none', query: { status: () => 'OPEN', limit: () => '5', offset: () => '0' } },
      { method: 'GET', path: '/api/markets/:slug', auth: 'none', params: { slug: () => slug } },
      { method: 'POST', path: '/api/markets', auth: 'admin', body: () => ({ slug: `fz-${Math.random().toString(36).slice(2, 10)}`, question: 'Fuzz?', description: 'd', closesAt: future(), tickCents: 1 }) },
      { method: 'PATCH', path: '/api/markets/:slug/status', auth: 'admin', params: { slug: () => slug }, body: () => ({ status: 'OPEN' }) },
      { method: 'POST', path: '/api/orders/:marketSlug', auth: 'user', params: { marketSlug: () => slug }, body: order },
      { method: 'POST', path: '/api/orders/batch', auth: 'user', body: () => ({ orders: [{ ...order(), marketSlug: slug }, { ...order(), marketSlug: slug, side: 'SELL' }] }) },
      { method: 'DELETE', path: '/api/orders/:orderId', auth: 'user', params: { orderId: () => String(orderId) } },
      { method: 'DELETE', path: '/api/orders', auth: 'user', query: { market: () => slug } },
      { method: 'PATCH', path: '/api/orders/:orderId', auth: 'user', params: { orderId: () => String(orderId) }, body: () => ({ price: 11, quantity: 1 }) },
      { method: 'GET', path: '/api/orders/:marketSlug/orderbook', auth: 'none', params: { marketSlug: () => slug }, query: { depth: () => '5' } },
      { method: 'GET', path: '/api/orders/:marketSlug/trades', auth: 'none', params: { marketSlug: () => slug }, query: page },
      { method: 'GET', path: '/api/orders/user/orders', auth: 'user', query: { ...page, status: () => 'OPEN', market: () => slug } },
      { method: 'GET', path: '/api/user/balance', auth: 'user' },
      { method: 'GET', path: '/api/user/positions', auth: 'user' },
      { method: 'GET', path: '/api/user/portfolio', auth: 'user' },
      { method: 'GET', path: '/api/user/ledger', auth: 'user', query: page },
      { method: 'GET', path: '/api/user/fills', auth: 'user', query: { ...page, market: () => slug } },
      { method: 'GET', path: '/api/user/notifications', auth: 'user', query: page },
      { method: 'POST', path: '/api/admin/grant', auth: 'admin', body: () => ({ userId: user.id, amountCents: 100, reason: 'fuzz' }) },
      { method: 'GET', path: '/api/admin/reconcile', auth: 'admin' },
      { method: 'GET', path: '/api/admin/audit', auth: 'admin', query: page },
      { method: 'GET', path: '/api/admin/users', auth: 'admin', query: { query: () => 'u-', limit: () => '5' } },
      { method: 'GET', path: '/api/admin/audit/verify', auth: 'admin' },
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  const tokenFor = (auth: Auth): string | undefined => (auth === 'admin' ? admin.token : auth === 'user' ? user.token : undefined);
  const fill = (route: Route, mutate: ((v: string) => string) | null): string => {
    let path = route.path;
    for (const [name, gen] of Object.entries(route.params ?? {})) {
      const v = gen();
      path = path.replace(`:${name}`, encodeURIComponent(mutate === null ? v : mutate(v)));
    }
    return path;
  };

  it('hand-picked edge cases', async () => {
    const u = user.token;
    type Case = [string, string, { token?: string; body?: unknown; headers?: Record<string, string> }];
    const cases: Case[] = [
      // out-of-range numbers and wrong types in an order
      ...[0, 100, -1, 50.5, '50', null, 1e308].map((price): Case => ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price, quantity: 1 } }]),
      ...[0, -1, 1.5, 1e9 + 1, 2 ** 53, '1', null].map((quantity): Case => ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity } }]),
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'buy', outcome: 'YES', price: 50, quantity: 1 } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'MAYBE', price: 50, quantity: 1 } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, timeInForce: 'GTD', expiresAt: 'soon' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, timeInForce: 'GTD', expiresAt: '9999-12-31T23:59:59Z' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, timeInForce: 'GTD', expiresAt: '0001-01-01T00:00:00Z' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 1, maxCost: 1e12 } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 1, maxCost: 1e13 } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, tsMs: 0 } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 1, userId: admin.id } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: [] }],
      ['POST', `/api/orders/${slug}`, { token: u, body: 'not json', headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: '{"side":"BUY",', headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: '{"__proto__":{"admin":true},"side":"BUY","outcome":"YES","price":50,"quantity":1}', headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: '{"constructor":{"prototype":{"x":1}},"side":"BUY","outcome":"YES","price":50,"quantity":1}', headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: 'side=BUY', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: 'side=BUY', headers: { 'content-type': 'text/plain' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: '', headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u, body: JSON.stringify({ side: 'BUY', outcome: 'YES', price: 50, quantity: 1, clientOrderId: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }],
      ['POST', `/api/orders/${slug}`, { token: u }],
      ['POST', '/api/orders/batch', { token: u, body: { orders: 'all' } }],
      ['POST', '/api/orders/batch', { token: u, body: { orders: [null] } }],
      // params and queries
      ['GET', '/api/orders/user/orders?limit=1e400', { token: u }],
      ['GET', '/api/orders/user/orders?before=1e300', { token: u }],
      ['GET', '/api/orders/user/orders?before=9007199254740993', { token: u }],
      ['GET', '/api/orders/user/orders?limit=10&limit=20', { token: u }],
      ['GET', '/api/markets?offset=1e20', {}],
      ['GET', '/api/markets?offset=99999999999', {}],
      ['GET', '/api/markets?offset=2147483648', {}],
      ['GET', '/api/markets?limit=abc', {}],
      ['GET', `/api/orders/${slug}/trades?before=abc`, {}],
      ['GET', `/api/orders/${slug}/trades?before=99999999999999999999`, {}],
      ['GET', '/api/user/ledger?before=1e20', { token: u }],
      ['GET', '/api/admin/audit?before=1e20', { token: admin.token }],
      ['DELETE', '/api/orders/9007199254740993', { token: u }],
      ['DELETE', '/api/orders/-5', { token: u }],
      ['PATCH', '/api/orders/1e3', { token: u, body: { quantity: 1 } }],
      ['GET', `/api/markets/${'a'.repeat(5000)}`, {}],
      ['GET', '/api/markets/%00', {}],
      ['GET', '/api/markets/..%2F..%2Fetc', {}],
      ['GET', '/api/orders/%ZZ/orderbook', {}],
      ['PATCH', `/api/markets/${slug}/status`, { token: admin.token, body: { status: 'RESOLVED', outcome: 'MAYBE' } }],
      ['POST', '/api/markets', { token: admin.token, body: { slug: 'past-market', question: 'Past?', closesAt: '2000-01-01T00:00:00Z' } }],
      ['POST', '/api/markets', { token: admin.token, body: { slug: 'epoch-market', question: 'Epoch?', closesAt: '1969-12-31T23:59:59Z' } }],
      ['POST', '/api/admin/grant', { token: admin.token, body: { userId: user.id, amountCents: 1e12 } }],
      ['POST', '/api/admin/grant', { token: admin.token, body: { userId: user.id, amountCents: 1e12 } }],
      ['POST', '/api/admin/grant', { token: admin.token, body: { userId: user.id, amountCents: 1e12 } }],
      ['POST', '/api/auth/register', { body: { email: `${'a'.repeat(250)}@test.local`, password: 'password-123' } }],
      ['POST', '/api/auth/login', { body: { email: user.email, password: 'p'.repeat(10_000) } }],
      ['POST', '/api/auth/refresh', { body: null }],
      ['POST', '/api/auth/refresh', { headers: { cookie: 'pm_refresh=%%%; pm_access=;;;' } }],
      // headers
      ['GET', '/api/auth/me', { headers: { authorization: 'Bearer' } }],
      ['GET', '/api/auth/me', { headers: { authorization: 'Bearer     ' } }],
      ['GET', '/api/auth/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }],
      ['GET', '/api/auth/me', { headers: { authorization: `Bearer ${'x'.repeat(8000)}` } }],
      ['GET', '/api/auth/me', { headers: { cookie: 'pm_access=garbage' } }],
      ['GET', '/api/markets', { headers: { authorization: 'Bearer garbage' } }],
      ['PUT', '/api/orders/1', { token: u, body: {} }],
      ['GET', '/api/nope', {}],
    ];
    for (const [method, url, o] of cases) {
      const res = await t.api(method, url, o);
      assertSane(res, `${method} ${url.slice(0, 120)} ${JSON.stringify(o.body ?? null).slice(0, 200)}`);
    }
    // a few exact answers
    expectError(await t.api('POST', `/api/orders/${slug}`, { token: u, body: 'not json', headers: { 'content-type': 'application/json' } }), 400);
    expectError(await t.api('POST', `/api/orders/${slug}`, { token: u, body: 'side=BUY', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    expectError(await t.api('POST', `/api/orders/${slug}`, { token: u, body: 'side=BUY', headers: { 'content-type': 'text/plain' } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', `/api/markets/${'a'.repeat(5000)}`), 400, 'BAD_REQUEST');
    expectError(await t.api('GET', '/api/orders/%ZZ/orderbook'), 400, 'BAD_REQUEST');
    expectError(
      await t.api('POST', `/api/orders/${slug}`, { token: u, body: JSON.stringify({ clientOrderId: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectError(await t.api('GET', '/api/nope'), 404, 'NOT_FOUND');
    expectError(await t.api('GET', '/api/markets?offset=1e20'), 400, 'VALIDATION_ERROR');
  });

  it('a few hundred random mutations of every route', async () => {
    const r = seededRng('api-fuzz');
    const perRoute = Number(process.env.FUZZ_PER_ROUTE ?? 16);
    let requests = 0;
    for (let round = 0; round < perRoute; round++) {
      for (const route of routes) {
        // registration and login hash passwords (scrypt): fuzz them less
        if ((route.path === '/api/auth/register' || route.path === '/api/auth/login') && round % 4 !== 0) continue;
        const path = fill(route, (v) => mutateParam(r, v));
        const qs: string[] = [];
        for (const [k, gen] of Object.entries(route.query ?? {})) {
          if (r.chance(0.4)) continue;
          qs.push(`${k}=${encodeURIComponent(r.chance(0.5) ? gen() : String(randomValue(r)))}`);
        }
        if (r.chance(0.15)) qs.push(`${r.pick(['limit', 'before', 'x', 'depth', 'status'])}=${encodeURIComponent(String(randomValue(r)))}`);
        const url = qs.length > 0 ? `${path}?${qs.join('&')}` : path;
        const authRoll = r.next();
        const headers: Record<string, string> = {};
        let token = tokenFor(route.auth);
        if (authRoll < 0.08) token = undefined;
        else if (authRoll < 0.12) token = 'garbage.token.here';
        else if (authRoll < 0.15 && route.auth === 'admin') token = user.token;
        let body: unknown;
        if (route.body !== undefined) {
          if (r.chance(0.06)) {
            body = r.pick(['{', '{"a":', '[1,2', 'null', '"str"', '12', 'true', '{"price": 1e999}', '\u0000']);
            headers['content-type'] = 'application/json';
          } else body = mutateBody(r, route.body());
        }
        const res = await t.api(route.method, url, { ...(token === undefined ? {} : { token }), ...(body === undefined ? {} : { body }), headers });
        assertSane(res, `seed ${r.seed}: ${route.method} ${url.slice(0, 150)} body ${JSON.stringify(body ?? null)?.slice(0, 300)}`);
        requests++;
      }
    }
    expect(requests).toBeGreaterThan(300);
  });

  it('the query string of every GET route (enumerated from the app): control characters are 400, never 5xx', async () => {
    const r = seededRng('api-fuzz-query');
    const gets = registeredRoutes(t.rt.app).filter((x) => x.method === 'GET' && !x.hidden);
    expect(gets.length).toBeGreaterThan(15);
    // Percent-encoded nasties: NUL and other C0/C1 controls, DEL, a lone surrogate, invalid UTF-8, broken escapes.
    const NASTY = ['%00', 'a%00b', '%01', '%08', '%1B', '%1F', '%7F', '%C2%80', '%C2%85', '%C2%9F', '%ED%A0%80', '%FF', '%', '%ZZ', '%E2%80%8B', '%0A', '%09', '%0D%0A'];
    const values = [...NASTY, ...WEIRD_STRINGS.map((v) => encodeURIComponent(v))];
    const paramValue = (name: string): string => (name === 'orderId' ? String(orderId) : slug);
    let requests = 0;
    for (const route of gets) {
      const path = route.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => encodeURIComponent(paramValue(name)));
      const keys = [...route.query, 'x', 'limit', 'before'];
      const tries: string[] = [];
      // every declared key with a NUL and a control character, then seeded random combinations
      for (const k of route.query) tries.push(`${k}=%00`, `${k}=a%01b`);
      for (let i = 0; i < 12; i++) {
        const parts: string[] = [];
        for (let n = r.int(1, 3); n > 0; n--) parts.push(`${r.pick(keys)}=${r.pick(values)}`);
        if (r.chance(0.2)) parts.push(r.pick(values));
        tries.push(parts.join('&'));
      }
      for (const qs of tries) {
        const res = await t.api('GET', `${path}?${qs}`, { token: admin.token });
        assertSane(res, `seed ${r.seed}: GET ${path}?${qs.slice(0, 150)}`);
        requests++;
      }
    }
    expect(requests).toBeGreaterThan(gets.length * 10);
    // the filters that once reached PostgreSQL with a NUL
    expectError(await t.api('GET', '/api/admin/audit?targetId=%00', { token: admin.token }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/admin/audit?action=%00', { token: admin.token }), 400, 'VALIDATION_ERROR');
  });

  it('the exchange is still consistent and ready afterwards', async () => {
    expect(ok(await t.api('GET', '/ready'), 200).ready).toBe(true);
    const report = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok), JSON.stringify(report.checks)).toEqual([]);
    const bal = ok(await t.api('GET', '/api/user/balance', { token: user.token }), 200);
    expect(bal.available).toBeGreaterThanOrEqual(0);
    expect(bal.locked).toBeGreaterThanOrEqual(0);
  });
});
