// /api/auth end to end over the HTTP app: register, login, refresh (rotation and reuse
// detection), logout, me; and every way an access token can be missing or wrong.
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, startTestExchange, type TestExchange } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok, setCookies } from './helpers/kit.ts';

describe('api: auth', () => {
  let t: TestExchange;
  const secret = (): string => t.env.JWT_SECRET!;

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('register creates a user, grants the starting balance and sets session cookies', async () => {
    const email = `Reg-${Date.now()}@Test.Local`;
    const res = await t.api('POST', '/api/auth/register', { body: { email, password: 'password-123' } });
    const body = ok(res, 201);
    expect(body.user).toMatchObject({ email: email.toLowerCase(), role: 'USER', id: expect.any(String), createdAt: expect.any(String) });
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body.expiresIn).toBe(t.env.ACCESS_TOKEN_TTL_SEC);
    const cookies = setCookies(res);
    expect(cookies.pm_access?.value).toBe(body.accessToken);
    expect(cookies.pm_access?.raw).toMatch(/HttpOnly/i);
    expect(cookies.pm_access?.raw).toMatch(/SameSite=Lax/i);
    expect(cookies.pm_refresh?.raw).toMatch(/HttpOnly/i);
    expect(cookies.pm_refresh?.raw).toMatch(/SameSite=Strict/i);
    expect(cookies.pm_refresh?.raw).toMatch(/Path=\/api\/auth/);

    const balance = ok(await t.api('GET', '/api/user/balance', { token: body.accessToken }), 200);
    expect(balance).toEqual({ available: 10_000 * 100, locked: 0, total: 10_000 * 100 });
    const ledger = ok(await t.api('GET', '/api/user/ledger', { token: body.accessToken }), 200);
    expect(ledger.entries).toHaveLength(1);
    expect(ledger.entries[0]).toMatchObject({ amount: 1_000_000, creditAccount: `U:${body.user.id}` });

    // the same email again (any case) is taken
    expectError(await t.api('POST', '/api/auth/register', { body: { email: email.toUpperCase(), password: 'password-456' } }), 409, 'EMAIL_TAKEN');
  });

  it('concurrent registrations of one email create exactly one account', async () => {
    const email = `race-${Date.now()}@test.local`;
    const results = await Promise.all(Array.from({ length: 6 }, () => t.api('POST', '/api/auth/register', { body: { email, password: 'password-123' } })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const r of results) if (r.status !== 201) expectError(r, 409, 'EMAIL_TAKEN');
  });

  it('rejects malformed registrations with 400 VALIDATION_ERROR', async () => {
    expectError(await t.api('POST', '/api/auth/register', { body: { email: 'not-an-email', password: 'password-123' } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('POST', '/api/auth/register', { body: { email: 'short@test.local', password: 'short' } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('POST', '/api/auth/register', { body: { email: 'long@test.local', password: 'x'.repeat(129) } }), 400, 'VALIDATION_ERROR');
    expectError(await t.api('POST', '/api/auth/register', { body: {} }), 400, 'VALIDATION_ERROR');
  });

  it('login: right password 200 with tokens; wrong password or unknown email 401 INVALID_CREDENTIALS', async () => {
    const u = await t.registerUser();
    const res = await t.api('POST', '/api/auth/login', { body: { email: u.email.toUpperCase(), password: u.password } });
    const body = ok(res, 200);
    expect(body.user.id).toBe(u.id);
    expect(setCookies(res).pm_refresh?.value).toEqual(expect.any(String));
    expectError(await t.api('POST', '/api/auth/login', { body: { email: u.email, password: 'wrong-password' } }), 401, 'INVALID_CREDENTIALS');
    expectError(await t.api('POST', '/api/auth/login', { body: { email: 'nobody@test.local', password: 'password-123' } }), 401, 'INVALID_CREDENTIALS');
  });

  it('me: bearer token and session cookie both work', async () => {
    const u = await t.registerUser();
    expect(ok(await t.api('GET', '/api/auth/me', { token: u.token }), 200)).toMatchObject({ id: u.id, email: u.email, role: 'USER' });
    const viaCookie = await t.api('GET', '/api/auth/me', { headers: { cookie: `pm_access=${u.token}` } });
    expect(ok(viaCookie, 200).id).toBe(u.id);
    const admin = await t.admin();
    expect(ok(await t.api('GET', '/api/auth/me', { token: admin.token }), 200)).toMatchObject({ email: ADMIN_EMAIL, role: 'ADMIN' });
  });

  it('no token: 401 UNAUTHENTICATED on every protected route', async () => {
    const order = { side: 'BUY', outcome: 'YES', price: 50, quantity: 1 };
    const routes: [string, string, unknown?][] = [
      ['GET', '/api/auth/me'],
      ['GET', '/api/user/balance'],
      ['GET', '/api/user/positions'],
      ['GET', '/api/user/portfolio'],
      ['GET', '/api/user/ledger'],
      ['GET', '/api/user/notifications'],
      ['GET', '/api/orders/user/orders'],
      ['POST', '/api/orders/some-market', order],
      ['DELETE', '/api/orders/1'],
      ['DELETE', '/api/orders'],
      ['PATCH', '/api/orders/1', { quantity: 1 }],
      ['POST', '/api/orders/batch', { orders: [{ ...order, marketSlug: 'some-market' }] }],
      ['POST', '/api/markets', { slug: 'some-market', question: 'Q?', closesAt: new Date(Date.now() + 86_400_000).toISOString() }],
      ['PATCH', '/api/markets/some-market/status', { status: 'HALTED' }],
      ['POST', '/api/admin/grant', { userId: '00000000-0000-4000-8000-000000000000', amountCents: 1 }],
      ['GET', '/api/admin/reconcile'],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, url, body] of routes) {
      const res = await t.api(method, url, { body });
      expectError(res, 401, 'UNAUTHENTICATED');
      // authentication comes before the body is validated: a malformed body is still a 401
      if (body !== undefined) expectError(await t.api(method, url, { body: { malformed: true } }), 401, 'UNAUTHENTICATED');
    }
  });

  it('expired, tampered, wrongly signed and wrong-type tokens: 401 with the right code', async () => {
    const u = await t.registerUser();
    const expired = jwt.sign({ sub: u.id, role: 'USER', typ: 'access' }, secret(), { algorithm: 'HS256', expiresIn: -10, issuer: 'prediction-markets' });
    expectError(await t.api('GET', '/api/auth/me', { token: expired }), 401, 'TOKEN_EXPIRED');
    expectError(await t.api('GET', '/api/user/balance', { headers: { cookie: `pm_access=${expired}` } }), 401, 'TOKEN_EXPIRED');

    // tampered payload: role USER -> ADMIN, signature kept
    const [h, p, s] = u.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url')}.${s}`;
    expectError(await t.api('GET', '/api/admin/reconcile', { token: forged }), 401, 'TOKEN_INVALID');
    // tampered signature
    const badSig = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    expectError(await t.api('GET', '/api/auth/me', { token: badSig }), 401, 'TOKEN_INVALID');
    // signed with another secret
    const otherSecret = jwt.sign({ sub: u.id, role: 'ADMIN', typ: 'access' }, 'another-secret-that-is-long-enough-0123456789', { algorithm: 'HS256', expiresIn: 60, issuer: 'prediction-markets' });
    expectError(await t.api('GET', '/api/admin/reconcile', { token: otherSecret }), 401, 'TOKEN_INVALID');
    // alg none
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: u.id, role: 'ADMIN', typ: 'access', iss: 'prediction-markets' })).toString('base64url')}.`;
    expectError(await t.api('GET', '/api/admin/reconcile', { token: none }), 401, 'TOKEN_INVALID');
    // wrong issuer
    const wrongIss = jwt.sign({ sub: u.id, role: 'USER', typ: 'access' }, secret(), { algorithm: 'HS256', expiresIn: 60, issuer: 'someone-else' });
    expectError(await t.api('GET', '/api/auth/me', { token: wrongIss }), 401, 'TOKEN_INVALID');
    // a refresh token is not an access token
    const login = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const refresh = setCookies(login).pm_refresh!.value;
    expectError(await t.api('GET', '/api/auth/me', { token: refresh }), 401, 'TOKEN_INVALID');
    // garbage
    expectError(await t.api('GET', '/api/auth/me', { token: 'not.a.jwt' }), 401, 'TOKEN_INVALID');
    // a valid token for a user that does not exist
    const ghost = jwt.sign({ sub: '00000000-0000-4000-8000-000000000000', role: 'USER', typ: 'access' }, secret(), { algorithm: 'HS256', expiresIn: 60, issuer: 'prediction-markets' });
    expectError(await t.api('GET', '/api/auth/me', { token: ghost }), 401, 'TOKEN_INVALID');
  });

  it('an access token expires after ACCESS_TOKEN_TTL_SEC (short TTL override)', async () => {
    const short = await startTestExchange({ ...NO_RATE_LIMITS, ACCESS_TOKEN_TTL_SEC: '30' });
    try {
      const u = await short.registerUser();
      const decoded = jwt.decode(u.token) as { exp: number; iat: number };
      expect(decoded.exp - decoded.iat).toBe(30);
      expect(ok(await short.api('GET', '/api/auth/me', { token: u.token }), 200).id).toBe(u.id);
      // the same claims, issued 31 s ago with the same TTL: expired
      const old = jwt.sign({ sub: u.id, role: 'USER', typ: 'access', iat: Math.floor(Date.now() / 1000) - 31 }, short.env.JWT_SECRET!, { algorithm: 'HS256', expiresIn: 30, issuer: 'prediction-markets' });
      expectError(await short.api('GET', '/api/auth/me', { token: old }), 401, 'TOKEN_EXPIRED');
    } finally {
      await short.close();
    }
  });

  it('wrong role: a user gets 403 FORBIDDEN on admin routes', async () => {
    const u = await t.registerUser();
    expectError(await t.api('GET', '/api/admin/reconcile', { token: u.token }), 403, 'FORBIDDEN');
    expectError(await t.api('POST', '/api/admin/grant', { token: u.token, body: { userId: u.id, amountCents: 100 } }), 403, 'FORBIDDEN');
    expectError(await t.api('GET', '/api/admin/audit', { token: u.token }), 403, 'FORBIDDEN');
    expectError(
      await t.api('POST', '/api/markets', { token: u.token, body: { slug: 'user-made-market', question: 'Q?', closesAt: new Date(Date.now() + 86_400_000).toISOString() } }),
      403,
      'FORBIDDEN',
    );
    const m = await t.createOpenMarket();
    expectError(await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: u.token, body: { status: 'HALTED' } }), 403, 'FORBIDDEN');
    // a forged ADMIN claim signed with the real secret would pass; one with the user's own token does not
    const balance = ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200);
    expect(balance.total).toBe(1_000_000);
  });

  it('refresh rotates the token (cookie or body); a rotated token presented again revokes the family', async () => {
    const u = await t.registerUser();
    const login = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const r0 = setCookies(login).pm_refresh!.value;

    // rotate via cookie
    const res1 = await t.api('POST', '/api/auth/refresh', { headers: { cookie: `pm_refresh=${r0}` } });
    const b1 = ok(res1, 200);
    expect(b1.user.id).toBe(u.id);
    const r1 = setCookies(res1).pm_refresh!.value;
    expect(r1).not.toBe(r0);
    expect(ok(await t.api('GET', '/api/auth/me', { token: b1.accessToken }), 200).id).toBe(u.id);

    // rotate via body
    const res2 = await t.api('POST', '/api/auth/refresh', { body: { refreshToken: r1 } });
    ok(res2, 200);
    const r2 = setCookies(res2).pm_refresh!.value;
    expect(r2).not.toBe(r1);

    // reuse of r0 (already rotated): family revoked
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: r0 } }), 401, 'REFRESH_TOKEN_REUSED');
    // ... so the newest token fails too
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: r2 } }), 401, 'TOKEN_INVALID');

    // another login (another family) is unaffected
    const login2 = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    ok(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: setCookies(login2).pm_refresh!.value } }), 200);
  });

  it('refresh failures: none, garbage, access token, expired', async () => {
    const u = await t.registerUser();
    expectError(await t.api('POST', '/api/auth/refresh', {}), 401, 'UNAUTHENTICATED');
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: 'garbage' } }), 401, 'TOKEN_INVALID');
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: u.token } }), 401, 'TOKEN_INVALID');
    const expired = jwt.sign({ sub: u.id, jti: '00000000-0000-4000-8000-000000000001', fam: '00000000-0000-4000-8000-000000000002', typ: 'refresh' }, secret(), { algorithm: 'HS256', expiresIn: -5, issuer: 'prediction-markets' });
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: expired } }), 401, 'TOKEN_EXPIRED');
    // validly signed but never issued (unknown jti)
    const unknown = jwt.sign({ sub: u.id, jti: '00000000-0000-4000-8000-000000000003', fam: '00000000-0000-4000-8000-000000000004', typ: 'refresh' }, secret(), { algorithm: 'HS256', expiresIn: 60, issuer: 'prediction-markets' });
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: unknown } }), 401, 'TOKEN_INVALID');
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: 42 } }), 400, 'VALIDATION_ERROR');
  });

  it('concurrent refreshes of one token: exactly one rotation wins', async () => {
    const u = await t.registerUser();
    const login = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const r0 = setCookies(login).pm_refresh!.value;
    const results = await Promise.all(Array.from({ length: 5 }, () => t.api('POST', '/api/auth/refresh', { body: { refreshToken: r0 } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results) if (r.status !== 200) expect(r.status).toBe(401);
  });

  it('an access token verified (and remembered) before logout is refused right after it; other sessions go on', async () => {
    const u = await t.registerUser();
    const a = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const b = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const tokenA = ok(a, 200).accessToken as string;
    const tokenB = ok(b, 200).accessToken as string;
    // Used twice: the second use is answered from the verified-token memory (auth/tokens.ts).
    ok(await t.api('GET', '/api/user/balance', { token: tokenA }), 200);
    ok(await t.api('GET', '/api/user/balance', { token: tokenA }), 200);
    ok(await t.api('POST', '/api/auth/logout', { body: { refreshToken: setCookies(a).pm_refresh!.value } }), 200);
    expectError(await t.api('GET', '/api/user/balance', { token: tokenA }), 401, 'TOKEN_INVALID');
    expectError(await t.api('GET', '/api/auth/me', { token: tokenA }), 401, 'TOKEN_INVALID');
    ok(await t.api('GET', '/api/user/balance', { token: tokenB }), 200);
  });

  it('logout revokes the session and clears the cookies; logout without a token is fine', async () => {
    const u = await t.registerUser();
    const login = await t.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
    const refresh = setCookies(login).pm_refresh!.value;
    const out = await t.api('POST', '/api/auth/logout', { headers: { cookie: `pm_refresh=${refresh}` } });
    expect(ok(out, 200)).toEqual({ ok: true });
    const cleared = setCookies(out);
    expect(cleared.pm_access?.value).toBe('');
    expect(cleared.pm_refresh?.value).toBe('');
    expectError(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: refresh } }), 401, 'TOKEN_INVALID');
    expect(ok(await t.api('POST', '/api/auth/logout', {}), 200)).toEqual({ ok: true });
    expect(ok(await t.api('POST', '/api/auth/logout', { body: { refreshToken: 'garbage' } }), 200)).toEqual({ ok: true });
  });
});
