// Issue 12, hole 3: a sign-in throttle that nobody can turn into a lockout of the owner.
// Failures count per (account, address) pair; the per-account backoff only refuses addresses
// that already failed on the account, so the owner's right password from a fresh address
// always gets through. Run with the memory store and with the Redis store (shared).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from './helpers/redis.ts';
import { startTestExchange, type TestExchange } from './helpers/server.ts';
import { expectError, ok } from './helpers/kit.ts';

const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });

describe.each(['memory', 'redis'])('login throttle (%s store)', (store) => {
  let t: TestExchange;
  let redis: TestRedis | null = null;

  beforeAll(async () => {
    if (store === 'redis') redis = await startRedis();
    t = await startTestExchange({
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_PUBLIC_POINTS: '1000000',
      RATE_LIMIT_AUTH_POINTS: '1000', // the per-IP limit out of the way
      LOGIN_PAIR_FAILURES: '10', // the defaults
      LOGIN_PAIR_WINDOW_SEC: '900',
      LOGIN_ACCOUNT_FREE_FAILURES: '20',
      ...(redis === null ? {} : { REDIS_URL: redis.url }),
    });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.stop();
  });

  const login = (email: string, password: string, ip: string) => t.api('POST', '/api/auth/login', { body: { email, password }, headers: from(ip) });

  it('10 wrong passwords from any addresses do not lock the owner out of a fresh address', async () => {
    const owner = await t.registerUser();
    for (let i = 0; i < 10; i++) expectError(await login(owner.email, `guess-${i}`, `10.1.0.${i + 1}`), 401, 'INVALID_CREDENTIALS');
    for (let i = 0; i < 10; i++) expectError(await login(owner.email, `guess-${i}`, '10.1.1.1'), 401, 'INVALID_CREDENTIALS');
    ok(await login(owner.email, owner.password, '10.1.2.1'), 200);
  });

  it('locks the (account, address) pair after LOGIN_PAIR_FAILURES failures, with Retry-After; other accounts from that address are unaffected', async () => {
    const owner = await t.registerUser();
    const other = await t.registerUser();
    for (let i = 0; i < 10; i++) expectError(await login(owner.email, `guess-${i}`, '10.2.0.1'), 401, 'INVALID_CREDENTIALS');
    const locked = await login(owner.email, owner.password, '10.2.0.1');
    expectError(locked, 429, 'RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(900);
    ok(await login(other.email, other.password, '10.2.0.1'), 200);
  });

  it('a success clears the pair', async () => {
    const owner = await t.registerUser();
    for (let i = 0; i < 9; i++) expectError(await login(owner.email, `typo-${i}`, '10.3.0.1'), 401, 'INVALID_CREDENTIALS');
    ok(await login(owner.email, owner.password, '10.3.0.1'), 200);
    for (let i = 0; i < 9; i++) expectError(await login(owner.email, `typo-${i}`, '10.3.0.1'), 401, 'INVALID_CREDENTIALS');
    ok(await login(owner.email, owner.password, '10.3.0.1'), 200);
  });

  it('beyond LOGIN_ACCOUNT_FREE_FAILURES the account backs off for addresses that failed on it, not for a fresh one', async () => {
    const owner = await t.registerUser();
    // 22 failures from 22 addresses: past the 20 free ones, the account is in backoff
    for (let i = 0; i < 22; i++) expectError(await login(owner.email, 'guess', `10.4.0.${i + 1}`), 401, 'INVALID_CREDENTIALS');
    const again = await login(owner.email, 'guess', '10.4.0.1');
    expectError(again, 429, 'RATE_LIMITED');
    expect(Number(again.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    ok(await login(owner.email, owner.password, '10.4.1.1'), 200);
  });
});
