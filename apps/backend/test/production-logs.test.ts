// Structured logs: every line is JSON, request lines carry the request id (an incoming
// x-request-id is kept), and no password, token, cookie or secret ever reaches a line.
// The runtime's logger writes into a stream captured here; the test greps what it wrote.
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';
import { ADMIN_PASSWORD, startTestExchange, type TestExchange } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok, setCookies } from './helpers/kit.ts';

describe('production: logs', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      done();
    },
  });
  let t: TestExchange;
  const secrets: string[] = [];

  beforeAll(async () => {
    // 'trace': the most verbose level, so anything that could leak is written.
    t = await startTestExchange(NO_RATE_LIMITS, { logger: createLogger({ LOG_LEVEL: 'trace' }, sink, 'trace') });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('logs a session without passwords, tokens or cookies', async () => {
    const email = `log-${randomBytes(4).toString('hex')}@test.local`;
    const password = `pw-${randomBytes(8).toString('hex')}`;
    const wrongPassword = `wrong-${randomBytes(8).toString('hex')}`;
    secrets.push(password, wrongPassword, ADMIN_PASSWORD, t.env.JWT_SECRET!);

    const reg = await t.api('POST', '/api/auth/register', { body: { email, password }, headers: { 'x-request-id': 'log-test-register' } });
    const { accessToken } = ok(reg, 201);
    const cookies = setCookies(reg);
    secrets.push(accessToken, cookies.pm_refresh!.value);

    expectError(await t.api('POST', '/api/auth/login', { body: { email, password: wrongPassword } }), 401, 'INVALID_CREDENTIALS');
    const login = ok(await t.api('POST', '/api/auth/login', { body: { email, password } }), 200);
    secrets.push(login.accessToken);
    // refresh with the token in the body and in the cookie
    const refreshed = ok(await t.api('POST', '/api/auth/refresh', { body: { refreshToken: cookies.pm_refresh!.value } }), 200);
    secrets.push(refreshed.accessToken);
    ok(await t.api('GET', '/api/auth/me', { headers: { cookie: `pm_access=${refreshed.accessToken}` } }), 200);
    ok(await t.api('GET', '/api/auth/me', { token: refreshed.accessToken }), 200);
    const admin = await t.admin();
    secrets.push(admin.token);
    const market = await t.createOpenMarket();
    ok(await t.api('POST', `/api/orders/${market.slug}`, { token: refreshed.accessToken, body: { side: 'BUY', outcome: 'YES', price: 40, quantity: 2 } }), 201);
    // failures: bad token, malformed JSON carrying a password, validation error on a password
    await t.api('GET', '/api/user/balance', { token: `${refreshed.accessToken}x` });
    await t.api('POST', '/api/auth/login', { body: `{"email":"${email}","password":"${password}"`, headers: { 'content-type': 'application/json' } });
    await t.api('POST', '/api/auth/register', { body: { email: 'not-an-email', password } });
    await t.api('POST', '/api/auth/logout', { body: { refreshToken: cookies.pm_refresh!.value } });
    // the service logger itself censors secrets in whatever is logged
    t.rt.ctx.logger.warn({ body: { email, password }, headers: { authorization: `Bearer ${accessToken}`, cookie: `pm_access=${accessToken}` }, nested: { user: { accessToken, refreshToken: cookies.pm_refresh!.value } } }, 'explicit object');

    const text = lines.join('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const s of secrets) expect(text.includes(s), `a secret (${s.slice(0, 6)}...) reached the log`).toBe(false);
    expect(text).toContain('[redacted]');
  });

  it('writes JSON lines with a level, a time and a message; request lines carry the request id', () => {
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const p of parsed) {
      expect(typeof p.level).toBe('number');
      expect(typeof p.time).toBe('string');
      expect(typeof p.msg).toBe('string');
    }
    const requestLines = parsed.filter((p) => p.req !== undefined || p.res !== undefined);
    expect(requestLines.length).toBeGreaterThan(20);
    for (const p of requestLines) expect(p.reqId, JSON.stringify(p)).toEqual(expect.any(String));
    // the incoming x-request-id is the reqId of that request's lines: received and completed
    const tagged = parsed.filter((p) => p.reqId === 'log-test-register');
    expect(tagged.map((p) => p.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
  });
});
