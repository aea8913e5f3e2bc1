/**
 * A whole exchange runtime on a fresh test database, plus small API helpers.
 *
 *   const t = await startTestExchange();
 *   const alice = await t.registerUser();
 *   const market = await t.createOpenMarket();
 *   const res = await t.api('POST', `/api/orders/${market.slug}`, { token: alice.token, body: {...} });
 *   await t.close();
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { loadEnv, type Env } from '../../src/env.ts';
import { startRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ADMIN_EMAIL = 'admin@test.local';
export const ADMIN_PASSWORD = 'admin-password-123';

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: LightMyRequestResponse['headers'];
  raw: LightMyRequestResponse;
}

export interface TestExchange {
  rt: Runtime;
  env: Env;
  db: TestDatabase;
  api<T = any>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  registerUser(email?: string, password?: string): Promise<TestUser>;
  login(email: string, password: string): Promise<TestUser>;
  admin(): Promise<TestUser>;
  /** Create a market as admin and open it; returns its DTO. */
  createOpenMarket(overrides?: Record<string, unknown>): Promise<{ id: string; slug: string }>;
  /** Stop the runtime (graceful) and drop the database. */
  close(): Promise<void>;
  /** Stop the runtime but keep the database (for restart tests). */
  stop(): Promise<void>;
  /** Start a new runtime on the same database. */
  restart(): Promise<void>;
}

/** The environment tests run with; `overrides` win. */
export function testEnv(databaseUrl: string, overrides: Record<string, string> = {}): Env {
  return loadEnv({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'pm-test-')),
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'silent',
    SEED_DEMO: 'false',
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    STARTING_BALANCE: '10000',
    CLOCK_INTERVAL_MS: '200',
    ...overrides,
  });
}

export async function startTestExchange(
  overrides: Record<string, string> = {},
  opts: RuntimeOptions = {},
  existingDb?: TestDatabase,
): Promise<TestExchange> {
  const db = existingDb ?? (await createTestDatabase());
  const env = testEnv(db.url, overrides);
  const start = (): Promise<Runtime> => startRuntime(env, { listen: false, migrate: false, ...opts });
  let rt = await start();
  let adminUser: TestUser | null = null;

  const t: TestExchange = {
    get rt() {
      return rt;
    },
    env,
    db,
    async api(method, url, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      const raw = await rt.app.inject({ method: method as 'GET', url, headers, ...(o.body === undefined ? {} : { payload: o.body as object }) });
      let body: unknown = raw.body;
      try {
        body = raw.json();
      } catch {
        // not JSON
      }
      return { status: raw.statusCode, body: body as any, headers: raw.headers, raw };
    },
    async registerUser(email = `u-${randomBytes(5).toString('hex')}@test.local`, password = 'password-123') {
      const res = await t.api('POST', '/api/auth/register', { body: { email, password } });
      if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, email, password, token: res.body.accessToken };
    },
    async login(email, password) {
      const res = await t.api('POST', '/api/auth/login', { body: { email, password } });
      if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return { id: res.body.user.id, email, password, token: res.body.accessToken };
    },
    async admin() {
      adminUser ??= await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
      return adminUser;
    },
    async createOpenMarket(overrides2 = {}) {
      const admin = await t.admin();
      const slug = (overrides2.slug as string | undefined) ?? `m-${randomBytes(5).toString('hex')}`;
      const created = await t.api('POST', '/api/markets', {
        token: admin.token,
        body: { slug, question: `Will ${slug} happen?`, closesAt: new Date(Date.now() + 86_400_000).toISOString(), ...overrides2 },
      });
      if (created.status !== 201) throw new Error(`create market failed: ${created.status} ${JSON.stringify(created.body)}`);
      const opened = await t.api('PATCH', `/api/markets/${slug}/status`, { token: admin.token, body: { status: 'OPEN' } });
      if (opened.status !== 200) throw new Error(`open market failed: ${opened.status} ${JSON.stringify(opened.body)}`);
      return { id: created.body.id, slug };
    },
    async stop() {
      await rt.close();
    },
    async restart() {
      adminUser = null;
      rt = await start();
    },
    async close() {
      await rt.close();
      await db.drop();
    },
  };
  return t;
}
