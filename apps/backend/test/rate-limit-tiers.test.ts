// The market-maker rate tier (entrance/limits.ts): the HOUSE user and RATE_LIMIT_MAKER_USER_IDS
// get the higher trading and socket budgets, and spend their own budget (never their IP's) on
// public routes; everyone else keeps the ordinary sizes. The UI's hashed files are not limited.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLimits, spend } from '../src/entrance/limits.ts';
import { registerRateLimits } from '../src/plugins/rate-limit.ts';
import { registerWebApp } from '../src/web/static.ts';
import { issueTokens } from '../src/auth/tokens.ts';
import { startTestExchange, testEnv, type TestExchange } from './helpers/server.ts';
import { expectError, ok } from './helpers/kit.ts';

const W = 60;
const from = (ip: string): Record<string, string> => ({ 'x-forwarded-for': ip });

describe('rate limits: the market-maker tier', () => {
  let t: TestExchange;

  beforeAll(async () => {
    t = await startTestExchange({
      TRUST_PROXY_HOPS: '1',
      RATE_LIMIT_PUBLIC_POINTS: '2',
      RATE_LIMIT_PUBLIC_WINDOW_SEC: String(W),
      RATE_LIMIT_TRADING_POINTS: '3',
      RATE_LIMIT_TRADING_WINDOW_SEC: String(W),
      RATE_LIMIT_MAKER_TRADING_POINTS: '8',
      RATE_LIMIT_AUTH_POINTS: '1000',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the HOUSE user trades under the maker budget; its public requests leave its IP\'s bucket alone', async () => {
    const ctx = t.rt.ctx;
    const houseId = ctx.house.houseId!;
    expect(ctx.limits.tierOf(houseId)).toBe('maker');
    const house = (await issueTokens(ctx.prisma, houseId, 'USER', ctx.tokens)).accessToken;
    const user = await t.registerUser();
    expect(ctx.limits.tierOf(user.id)).toBe('standard');

    // An ordinary user: 3 trading requests, then 429.
    for (let i = 0; i < 3; i++) ok(await t.api('GET', '/api/user/balance', { token: user.token, headers: from('10.7.0.1') }), 200);
    expectError(await t.api('GET', '/api/user/balance', { token: user.token, headers: from('10.7.0.1') }), 429, 'RATE_LIMITED');

    // The house on a shared IP: 3 public requests (the IP's bucket holds 2) all answered, from its own budget.
    for (let i = 0; i < 3; i++) ok(await t.api('GET', '/api/markets', { token: house, headers: from('10.7.0.2') }), 200);
    // ... so a browser on that IP still has its whole public bucket.
    for (let i = 0; i < 2; i++) ok(await t.api('GET', '/api/markets', { headers: from('10.7.0.2') }), 200);
    expectError(await t.api('GET', '/api/markets', { headers: from('10.7.0.2') }), 429, 'RATE_LIMITED');
    // The house's budget is 8: 5 more requests, then 429.
    for (let i = 0; i < 5; i++) ok(await t.api('GET', '/api/user/balance', { token: house, headers: from('10.7.0.3') }), 200);
    expectError(await t.api('GET', '/api/user/balance', { token: house, headers: from('10.7.0.3') }), 429, 'RATE_LIMITED');
  });
});

describe('rate limits: RATE_LIMIT_MAKER_USER_IDS and the socket tier', () => {
  const maker = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
  const other = '0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d';

  it('listed users (any case, spaces) are makers with the larger socket budget; others keep the ordinary one', async () => {
    const env = testEnv('postgresql://unused/db', {
      RATE_LIMIT_MAKER_USER_IDS: ` ${maker.toUpperCase()} ,`,
      RATE_LIMIT_WS_USER_POINTS: '2',
      RATE_LIMIT_WS_USER_WINDOW_SEC: String(W),
      RATE_LIMIT_MAKER_WS_USER_POINTS: '5',
    });
    const limits = createLimits(env, null);
    expect(limits.tierOf(maker)).toBe('maker');
    expect(limits.tierOf(other)).toBe('standard');
    const burst = async (userId: string): Promise<number> => {
      let allowed = 0;
      for (let i = 0; i < 10; i++) {
        try {
          await spend(limits.socketUser, userId, 'messages from this user', 'user');
          allowed++;
        } catch {
          break;
        }
      }
      return allowed;
    };
    expect(await burst(maker)).toBe(5);
    expect(await burst(other)).toBe(2);
    // addMaker (the HOUSE user at start) moves a user to the maker tier.
    const late = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
    limits.addMaker(late);
    expect(await burst(late)).toBe(5);
  });

  it('a listed id that is not a UUID is refused at start', () => {
    expect(() => testEnv('postgresql://unused/db', { RATE_LIMIT_MAKER_USER_IDS: 'house' })).toThrow();
  });
});

describe('rate limits: the web UI\'s files', () => {
  it('hashed files under /assets/ are not limited; the app shell and API paths are', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'pm-web-limits-'));
    mkdirSync(path.join(root, 'assets'));
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>t</title>');
    writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'export {};');
    const app = Fastify();
    app.decorateRequest('authUser', null);
    registerRateLimits(app, createLimits(testEnv('postgresql://unused/db', { RATE_LIMIT_PUBLIC_POINTS: '2', RATE_LIMIT_PUBLIC_WINDOW_SEC: String(W) }), null));
    expect(await registerWebApp(app, { root })).toBe(true);
    try {
      for (let i = 0; i < 10; i++) expect((await app.inject({ method: 'GET', url: '/assets/index-abc.js' })).statusCode).toBe(200);
      const html = { accept: 'text/html' };
      expect((await app.inject({ method: 'GET', url: '/markets/x', headers: html })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/', headers: html })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/portfolio', headers: html })).statusCode).toBe(429);
    } finally {
      await app.close();
    }
  });
});
