// Production readiness of the HTTP edge, end to end through the whole runtime (inject):
// /metrics (names, movement on trades, route-pattern labels, bearer token), /ready,
// rate limits (public per IP, trading per user, login/register per IP and per email; memory
// and Redis stores), security headers, CORS allow-list, session cookie flags, body limit,
// request ids, and the OpenAPI document (valid, covering every route and error code).
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { Redis } from 'ioredis';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS } from '@prediction-markets/shared';
import { startTestExchange, type ApiResponse, type TestExchange } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok, setCookies } from './helpers/kit.ts';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { canonicalPath, registeredRoutes } from '../src/plugins/openapi.ts';
import { consume, createLimiter } from '../src/entrance/limits.ts';

/** Sum of the samples of metric `name` whose labels include `labels` (0 when none). */
function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}

/** Headers that make a request come from `ip` (the runtime trusts one proxy hop in these tests). */
const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });

async function register(t: TestExchange, ip: string, email = `u-${randomBytes(5).toString('hex')}@test.local`, password = 'password-123') {
  const res = await t.api('POST', '/api/auth/register', { body: { email, password }, headers: from(ip) });
  const body = ok(res, 201);
  return { id: body.user.id as string, email, password, token: body.accessToken as string };
}

const order = (side: 'BUY' | 'SELL', outcome: 'YES' | 'NO', price: number, quantity: number) => ({ side, outcome, price, quantity });

function expectRateLimited(res: ApiResponse, windowSec: number): void {
  expectError(res, 429, 'RATE_LIMITED');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter), `Retry-After ${String(res.headers['retry-after'])}`).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSec);
}

describe('production: /metrics', () => {
  const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
  let t: TestExchange;
  beforeAll(async () => {
    t = await startTestExchange({ ...NO_RATE_LIMITS, METRICS_TOKEN });
  });
  afterAll(async () => {
    await t?.close();
  });
  const scrape = async (): Promise<string> => {
    const res = await t.api('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.raw.body;
  };

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expectError(await t.api('GET', '/metrics'), 401, 'UNAUTHENTICATED');
    expectError(await t.api('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token' } }), 401, 'UNAUTHENTICATED');
    expectError(await t.api('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } }), 401, 'UNAUTHENTICATED');
    await scrape();
  });

  it('exposes every required metric', async () => {
    const text = await scrape();
    for (const name of [
      'http_request_duration_seconds',
      'http_requests_total',
      'websocket_connections_total',
      'websocket_messages_total',
      'orders_placed_total',
      'trades_executed_total',
      'order_matching_duration_seconds',
      'database_query_duration_seconds',
      'engine_queue_depth',
      'engine_commands_per_transaction',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text, name).toContain(`# TYPE ${name} `);
    }
  });

  it('moves when orders trade: orders, trades by kind, matching, commits, HTTP by route pattern', async () => {
    const market = await t.createOpenMarket();
    const [alice, bob, carol] = [await t.registerUser(), await t.registerUser(), await t.registerUser()];
    const before = await scrape();
    const route = { method: 'POST', route: '/api/orders/:marketSlug', status: '201' };
    const place = async (u: { token: string }, body: object) => ok(await t.api('POST', `/api/orders/${market.slug}`, { token: u.token, body }), 201);

    await place(alice, order('BUY', 'YES', 60, 10)); // rests
    expect((await place(bob, order('BUY', 'NO', 45, 10))).fills).toHaveLength(1); // MINT 10 @ YES 60
    await place(alice, order('SELL', 'YES', 70, 4)); // rests
    expect((await place(carol, order('BUY', 'YES', 70, 4))).fills).toHaveLength(1); // TRANSFER 4
    await place(alice, order('SELL', 'YES', 40, 3)); // rests (YES ask 40)
    expect((await place(bob, order('SELL', 'NO', 60, 3))).fills).toHaveLength(1); // MERGE 3 (40 + 60 <= 100)

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) => metricValue(after, name, labels) - metricValue(before, name, labels);
    expect(delta('orders_placed_total')).toBe(6);
    expect(delta('orders_placed_total', { type: 'LIMIT', outcome: 'YES', side: 'SELL' })).toBe(2);
    expect(delta('trades_executed_total', { kind: 'MINT' })).toBe(1);
    expect(delta('trades_executed_total', { kind: 'TRANSFER' })).toBe(1);
    expect(delta('trades_executed_total', { kind: 'MERGE' })).toBe(1);
    expect(delta('http_requests_total', route)).toBe(6);
    expect(delta('http_request_duration_seconds_count', route)).toBe(6);
    expect(delta('order_matching_duration_seconds_count')).toBeGreaterThanOrEqual(6);
    expect(delta('engine_commands_per_transaction_count')).toBeGreaterThanOrEqual(1);
    expect(delta('engine_commands_per_transaction_sum')).toBeGreaterThanOrEqual(6);
    expect(delta('database_query_duration_seconds_count', { operation: 'batch_commit' })).toBeGreaterThanOrEqual(1);
    // Raw URLs never become labels.
    expect(after).not.toContain(`/api/orders/${market.slug}"`);
  });

  it('labels unmatched URLs with one value, not the URL', async () => {
    const probe = `/no-such-route-${randomBytes(4).toString('hex')}`;
    const before = await scrape();
    expectError(await t.api('GET', probe), 404, 'NOT_FOUND');
    expectError(await t.api('GET', `${probe}/x`), 404, 'NOT_FOUND');
    const after = await scrape();
    expect(metricValue(after, 'http_requests_total', { route: 'unmatched', status: '404' }) - metricValue(before, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(2);
    expect(after).not.toContain(probe);
  });
});

describe('production: rate limits (memory store)', () => {
  const W = 60;
  let t: TestExchange;
  beforeAll(async () => {
    t = await startTestExchange({
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_PUBLIC_POINTS: '5',
      RATE_LIMIT_PUBLIC_WINDOW_SEC: String(W),
      RATE_LIMIT_TRADING_POINTS: '4',
      RATE_LIMIT_TRADING_WINDOW_SEC: String(W),
      RATE_LIMIT_AUTH_POINTS: '3',
      RATE_LIMIT_AUTH_WINDOW_SEC: String(W),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('public routes: RATE_LIMIT_PUBLIC_POINTS per IP, then 429 with Retry-After; other IPs unaffected', async () => {
    for (let i = 0; i < 5; i++) ok(await t.api('GET', '/api/markets', { headers: from('10.0.0.1') }), 200);
    expectRateLimited(await t.api('GET', '/api/markets', { headers: from('10.0.0.1') }), W);
    expectRateLimited(await t.api('GET', '/no-such-route', { headers: from('10.0.0.1') }), W);
    ok(await t.api('GET', '/api/markets', { headers: from('10.0.0.2') }), 200);
  });

  it('health, readiness, metrics and docs are never limited', async () => {
    for (let i = 0; i < 5; i++) ok(await t.api('GET', '/api/markets', { headers: from('10.0.0.3') }), 200);
    expectRateLimited(await t.api('GET', '/api/markets', { headers: from('10.0.0.3') }), W);
    for (let i = 0; i < 10; i++) {
      ok(await t.api('GET', '/health', { headers: from('10.0.0.3') }), 200);
      ok(await t.api('GET', '/ready', { headers: from('10.0.0.3') }), 200);
      ok(await t.api('GET', '/metrics', { headers: from('10.0.0.3') }), 200);
      ok(await t.api('GET', '/docs/json', { headers: from('10.0.0.3') }), 200);
    }
  });

  it('trading routes: RATE_LIMIT_TRADING_POINTS per user, whatever the IP; another user is unaffected', async () => {
    const market = await t.createOpenMarket();
    const a = await register(t, '10.0.1.1');
    const b = await register(t, '10.0.1.2');
    const ips = ['10.0.2.1', '10.0.2.2', '10.0.2.3', '10.0.2.4', '10.0.2.5'];
    for (let i = 0; i < 4; i++) {
      ok(await t.api('POST', `/api/orders/${market.slug}`, { token: a.token, body: order('BUY', 'YES', 10 + i, 1), headers: from(ips[i]!) }), 201);
    }
    expectRateLimited(await t.api('POST', `/api/orders/${market.slug}`, { token: a.token, body: order('BUY', 'YES', 20, 1), headers: from(ips[4]!) }), W);
    expectRateLimited(await t.api('GET', '/api/user/balance', { token: a.token, headers: from(ips[4]!) }), W);
    // b trades from the same IP as a's last attempt
    ok(await t.api('POST', `/api/orders/${market.slug}`, { token: b.token, body: order('BUY', 'YES', 20, 1), headers: from(ips[4]!) }), 201);
    // a's trading requests did not use up the IP's public bucket, and public routes are per IP for a too
    ok(await t.api('GET', '/api/markets', { token: a.token, headers: from(ips[0]!) }), 200);
  });

  it('login: RATE_LIMIT_AUTH_POINTS attempts per IP', async () => {
    const ip = '10.0.3.1';
    for (let i = 0; i < 3; i++) {
      expectError(await t.api('POST', '/api/auth/login', { body: { email: `nobody-${i}@test.local`, password: 'wrong-password' }, headers: from(ip) }), 401, 'INVALID_CREDENTIALS');
    }
    const u = await register(t, '10.0.3.2');
    expectRateLimited(await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password }, headers: from(ip) }), W);
    ok(await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password }, headers: from('10.0.3.3') }), 200);
  });

  it('login: failures from any IPs do not lock the owner out (issue 12, hole 3; auth-login-throttle.test.ts)', async () => {
    const victim = await register(t, '10.0.4.1');
    for (let i = 0; i < 5; i++) ok(await t.api('POST', '/api/auth/login', { body: { email: victim.email, password: victim.password }, headers: from(`10.0.5.${i + 1}`) }), 200);
    // three failures from three IPs (more than RATE_LIMIT_AUTH_POINTS, the old per-account bucket)
    for (let i = 0; i < 3; i++) {
      const email = i === 1 ? victim.email.toUpperCase() : victim.email;
      expectError(await t.api('POST', '/api/auth/login', { body: { email, password: 'guess-' + i }, headers: from(`10.0.6.${i + 1}`) }), 401, 'INVALID_CREDENTIALS');
    }
    ok(await t.api('POST', '/api/auth/login', { body: { email: victim.email, password: victim.password }, headers: from('10.0.6.9') }), 200);
  });

  it('register: RATE_LIMIT_AUTH_POINTS attempts per IP', async () => {
    const ip = '10.0.7.1';
    for (let i = 0; i < 3; i++) await register(t, ip);
    expectRateLimited(await t.api('POST', '/api/auth/register', { body: { email: 'one-more@test.local', password: 'password-123' }, headers: from(ip) }), W);
  });
});

// ---- Redis: readiness check and the shared rate-limit store ----

describe('production: with Redis', () => {
  let redis: TestRedis;
  let t: TestExchange;
  beforeAll(async () => {
    redis = await startRedis();
    t = await startTestExchange({ REDIS_URL: redis.url, TRUST_PROXY_HOPS: '1', RATE_LIMIT_PUBLIC_POINTS: '2', RATE_LIMIT_TRADING_POINTS: '1000000', RATE_LIMIT_AUTH_POINTS: '1000000' });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('/ready checks the database, the engine and Redis', async () => {
    const body = ok(await t.api('GET', '/ready'), 200);
    expect(body.ready).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(['database', 'engine', 'redis']);
    expect(body.checks.redis).toMatchObject({ ok: true });
  });

  it('rate limits are kept in Redis (shared by every process)', async () => {
    for (let i = 0; i < 2; i++) ok(await t.api('GET', '/api/markets', { headers: from('10.9.0.1') }), 200);
    expectRateLimited(await t.api('GET', '/api/markets', { headers: from('10.9.0.1') }), 60);
    const probe = new Redis(redis.url);
    expect(Number(await probe.get('rl:public:ip:10.9.0.1'))).toBeGreaterThanOrEqual(3);
    await probe.quit();
  });

  it('/ready answers 503 when Redis does not answer, naming the failed check', async () => {
    // Freeze the server (SIGSTOP): connected, but no PING is answered. Resumed afterwards.
    const probe = new Redis(redis.url);
    const pid = Number(/process_id:(\d+)/.exec(await probe.info('server'))?.[1]);
    await probe.quit();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGSTOP');
    try {
      const res = await t.api('GET', '/ready');
      expect(res.status).toBe(503);
      expect(res.body.ready).toBe(false);
      expect(res.body.checks.redis).toMatchObject({ ok: false, detail: expect.stringContaining('PING') });
      expect(res.body.checks.database.ok).toBe(true);
      expect(res.body.checks.engine.ok).toBe(true);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(ok(await t.api('GET', '/ready'), 200).ready).toBe(true);
  });
});

describe('production: rate-limit store outage', () => {
  it('fails open: a Redis that cannot be reached lets requests through', async () => {
    // A port nobody listens on (the kernel's pick, released at once).
    const srv = net.createServer().listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => srv.close(() => resolve()));
    const dead = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, retryStrategy: (n) => (n > 2 ? null : 10) });
    dead.on('error', () => undefined);
    const limiter = createLimiter({ keyPrefix: 'rl:test', points: 1, durationSec: 60 }, dead);
    for (let i = 0; i < 3; i++) expect(await consume(limiter, 'ip:10.8.0.1')).toEqual({ allowed: true });
    dead.disconnect();
  });
});

describe('production: security headers, CORS, cookies, body limit, request ids', () => {
  let t: TestExchange;
  let plain: TestExchange | null = null;
  beforeAll(async () => {
    t = await startTestExchange({
      ...NO_RATE_LIMITS,
      NODE_ENV: 'production',
      CORS_ORIGIN: 'https://app.example.com, https://admin.example.com/',
      BODY_LIMIT_BYTES: '2048',
    });
  });
  afterAll(async () => {
    await t?.close();
    await plain?.close();
  });

  it('sets helmet security headers on API responses', async () => {
    for (const url of ['/health', '/api/markets', '/no-such-route']) {
      const res = await t.api('GET', url);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('CORS: a listed origin is allowed with credentials; a foreign origin gets no allow headers', async () => {
    const allowed = await t.api('GET', '/api/markets', { headers: { origin: 'https://app.example.com' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(String(allowed.headers.vary)).toMatch(/origin/i);
    const second = await t.api('GET', '/api/markets', { headers: { origin: 'https://admin.example.com' } });
    expect(second.headers['access-control-allow-origin']).toBe('https://admin.example.com');

    const foreign = await t.api('GET', '/api/markets', { headers: { origin: 'https://evil.example.net' } });
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers['access-control-allow-credentials']).toBeUndefined();
    const lookalike = await t.api('GET', '/api/markets', { headers: { origin: 'https://app.example.com.evil.net' } });
    expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = (origin: string) =>
      t.api('OPTIONS', '/api/orders/some-market', { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    const okPre = await preflight('https://app.example.com');
    expect(okPre.status).toBe(204);
    expect(okPre.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(String(okPre.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(okPre.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const badPre = await preflight('https://evil.example.net');
    expect(badPre.headers['access-control-allow-origin']).toBeUndefined();
    expect(badPre.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('CORS: with CORS_ORIGIN empty no origin is allowed', async () => {
    plain = await startTestExchange(NO_RATE_LIMITS);
    const res = await plain.api('GET', '/api/markets', { headers: { origin: 'https://app.example.com' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('session cookies are HttpOnly, SameSite and Secure in production', async () => {
    const res = await t.api('POST', '/api/auth/register', { body: { email: `c-${randomBytes(4).toString('hex')}@test.local`, password: 'password-123' } });
    ok(res, 201);
    const c = setCookies(res);
    expect(c.pm_access?.raw).toMatch(/; HttpOnly/i);
    expect(c.pm_access?.raw).toMatch(/; Secure/i);
    expect(c.pm_access?.raw).toMatch(/; SameSite=Lax/i);
    expect(c.pm_refresh?.raw).toMatch(/; HttpOnly/i);
    expect(c.pm_refresh?.raw).toMatch(/; Secure/i);
    expect(c.pm_refresh?.raw).toMatch(/; SameSite=Strict/i);
    // and not Secure outside production (plain http in development)
    plain ??= await startTestExchange(NO_RATE_LIMITS);
    const dev = await plain.api('POST', '/api/auth/register', { body: { email: `d-${randomBytes(4).toString('hex')}@test.local`, password: 'password-123' } });
    expect(setCookies(dev).pm_access?.raw).not.toMatch(/; Secure/i);
  });

  it('bodies over BODY_LIMIT_BYTES get 413 PAYLOAD_TOO_LARGE; invalid ones 400 VALIDATION_ERROR', async () => {
    expectError(await t.api('POST', '/api/auth/login', { body: { email: 'a@test.local', password: 'x'.repeat(3000) } }), 413, 'PAYLOAD_TOO_LARGE');
    expectError(await t.api('POST', '/api/auth/login', { body: { email: 'a@test.local', password: 'x'.repeat(1500) } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('POST', '/api/auth/login', { body: { email: 'not-an-email', password: 'x' } }), 400, 'VALIDATION_ERROR');
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await t.api('GET', '/health', { headers: { 'x-request-id': 'edge-1234.abc' } });
    expect(kept.headers['x-request-id']).toBe('edge-1234.abc');
    const replaced = await t.api('GET', '/health', { headers: { 'x-request-id': 'bad id" injected' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const fresh = await t.api('GET', '/no-such-route');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('/ready reports what it checked', async () => {
    const body = ok(await t.api('GET', '/ready'), 200);
    expect(body).toMatchObject({ ready: true, checks: { database: { ok: true }, engine: { ok: true } } });
    expect(body.checks.redis).toBeUndefined();
    expect(ok(await t.api('GET', '/health'), 200)).toMatchObject({ status: 'ok' });
  });
});

describe('production: OpenAPI document', () => {
  let t: TestExchange;
  let doc: any;
  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
    doc = ok(await t.api('GET', '/docs/json'), 200);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify(result)).toBe(true);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('lists every route registered in the app, with its method', () => {
    const routes = registeredRoutes(t.rt.app).filter((r) => !r.hidden);
    expect(routes.length).toBeGreaterThan(20);
    // both /api/markets and /api/markets/ are served; the document names the first
    const toPath = (url: string) => canonicalPath(url).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const missing = routes.filter((r) => doc.paths[toPath(r.url)]?.[r.method.toLowerCase()] === undefined).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    // and nothing that is not a route
    const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    const known = new Set(routes.map((r) => `${r.method} ${toPath(r.url)}`));
    expect(documented.filter((d) => !known.has(d))).toEqual([]);
    for (const p of ['/health', '/ready', '/metrics', '/api/orders/{marketSlug}', '/api/auth/login']) expect(doc.paths[p], p).toBeDefined();
  });

  it('documents error responses with the catalogue codes on every operation', () => {
    const seen = new Set<string>();
    for (const [p, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const where = `${method.toUpperCase()} ${p}`;
        expect(op.responses['500'], where).toBeDefined();
        const limited = !['/health', '/ready', '/metrics'].includes(p);
        if (limited) {
          expect(op.responses['429'], where).toBeDefined();
          expect(op.responses['429'].headers?.['retry-after'], where).toBeDefined();
        }
        for (const [status, res] of Object.entries(op.responses as Record<string, any>)) {
          if (Number(status) < 400) continue;
          const codeSchema = res.content?.['application/json']?.schema?.properties?.error?.properties?.code;
          if (codeSchema === undefined) continue; // /ready's 503 is its own body
          expect(codeSchema.enum, `${where} ${status}`).toEqual(expect.any(Array));
          for (const code of codeSchema.enum as string[]) {
            expect(API_ERRORS[code as keyof typeof API_ERRORS].status, code).toBe(Number(status));
            expect(res.description, `${where} ${status}`).toContain(`\`${code}\``);
            seen.add(code);
          }
        }
        if (op.requestBody !== undefined) {
          expect(op.responses['400'], where).toBeDefined();
          expect(op.responses['413'], where).toBeDefined();
        }
      }
    }
    // every catalogue code a REST route can answer with is documented (504 WRITER_TIMEOUT is socket-only)
    const restStatuses = new Set([400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503]);
    const restCodes = Object.entries(API_ERRORS).filter(([, spec]) => restStatuses.has(spec.status)).map(([c]) => c);
    expect(restCodes.length).toBeGreaterThan(30);
    expect(restCodes.filter((c) => !seen.has(c))).toEqual([]);
    // authenticated routes declare the bearer scheme
    expect(doc.paths['/api/orders/{marketSlug}'].post.security).toEqual([{ bearer: [] }]);
  });

  it('serves the UI at /docs', async () => {
    const res = await t.api('GET', '/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.raw.body).toContain('swagger');
  });
});
