/**
 * The real backend for browser tests: `startRuntime` (apps/backend/src/runtime.ts) on an
 * embedded PostgreSQL in a temporary data directory, listening on a free port, serving the
 * built UI (apps/web/dist). `restart()` stops the whole runtime (database included) and starts
 * it again on the SAME port and data, as a server restart under an open page.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

// The backend is loaded at run time, not type-checked as part of this package (its types need
// the backend's own compiler setup); the little used of it is typed here.
const backendSrc = path.resolve(import.meta.dirname, '../../backend/src');
type Env = Record<string, unknown>;
/** What the tests use of the backend's Runtime (apps/backend/src/runtime.ts). */
export interface Runtime {
  url: string | null;
  /** The app context (passed through to backend helpers, e.g. the house maker). */
  ctx: unknown;
  realtime: { io: { to(room: string): { emit(event: string, payload: unknown): void } } } | null;
  close(): Promise<void>;
}
const { loadEnv } = (await import(path.join(backendSrc, 'env.ts'))) as { loadEnv(source: Record<string, string>): Env };
const { startRuntime } = (await import(path.join(backendSrc, 'runtime.ts'))) as { startRuntime(env: Env): Promise<Runtime> };

/** The house market maker of `pnpm start` (apps/backend/src/house/maker.ts): a socket client of the server. */
export async function startHouseMaker(rt: Runtime, url: string): Promise<{ stop(): Promise<void> }> {
  const m = (await import(path.join(backendSrc, 'house', 'maker.ts'))) as { startHouseMaker(ctx: unknown, url: string, opts?: object): Promise<{ stop(): Promise<void> }> };
  return m.startHouseMaker(rt.ctx, url, {});
}

export const ADMIN = { email: 'admin@e2e.local', password: 'admin-password-e2e' };

export interface E2eServer {
  url: string;
  rt: Runtime;
  env: Env;
  restart(): Promise<void>;
  close(): Promise<void>;
  /** JSON API call with an optional bearer token. */
  api<T = any>(method: string, p: string, opts?: { token?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  register(prefix: string): Promise<{ id: string; email: string; password: string; token: string }>;
  login(email: string, password: string): Promise<{ id: string; token: string }>;
}

export async function startE2eServer(): Promise<E2eServer> {
  // The embedded PostgreSQL runs as the `postgres` OS user: it must reach the directory.
  const dataDir = path.join(os.tmpdir(), `pm-web-e2e-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o777 });
  chmodSync(dataDir, 0o777);
  const base: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    JWT_SECRET: 'e2e-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    STARTING_BALANCE: '10000',
    CLOCK_INTERVAL_MS: '200',
    // Short sessions: the pages' access tokens are renewed silently (refresh cookie, socket
    // session:refresh) several times while the tests run.
    ACCESS_TOKEN_TTL_SEC: '30',
    // One machine plays every user: per-IP limits would throttle the test, not the UI.
    RATE_LIMIT_PUBLIC_POINTS: '100000',
    RATE_LIMIT_TRADING_POINTS: '100000',
    RATE_LIMIT_AUTH_POINTS: '100000',
  };
  let env = loadEnv(base);
  let rt = await startRuntime(env);
  const port = new URL(rt.url!).port;
  env = loadEnv({ ...base, PORT: port });
  const url = `http://127.0.0.1:${port}`;
  const api: E2eServer['api'] = async (method, p, opts = {}) => {
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + p, { method, headers, ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const s: E2eServer = {
    url,
    get rt() {
      return rt;
    },
    env,
    async restart() {
      await rt.close();
      rt = await startRuntime(env);
    },
    async close() {
      await rt.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    api,
    async register(prefix) {
      const email = `${prefix}-${randomBytes(3).toString('hex')}@e2e.local`;
      const password = 'password-e2e-1';
      const r = await api('POST', '/api/auth/register', { body: { email, password } });
      if (r.status !== 201) throw new Error(`register: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.user.id, email, password, token: r.body.accessToken };
    },
    async login(email, password) {
      const r = await api('POST', '/api/auth/login', { body: { email, password } });
      if (r.status !== 200) throw new Error(`login: ${r.status} ${JSON.stringify(r.body)}`);
      return { id: r.body.user.id, token: r.body.accessToken };
    },
  };
  return s;
}
