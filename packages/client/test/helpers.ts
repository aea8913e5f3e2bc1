/**
 * A real exchange (the backend's runtime on a fresh embedded-PostgreSQL database, listening on
 * loopback) for the SDK's tests, reusing the backend's test helpers by relative path.
 */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { startTestExchange, type TestExchange } from '../../../apps/backend/test/helpers/server.ts';
import { NO_RATE_LIMITS, seededRng, type Rng } from '../../../apps/backend/test/helpers/kit.ts';
import { PmClient, unwrap, type PmClientOptions } from '../src/index.ts';

export { seededRng, type Rng, NO_RATE_LIMITS };
export type { TestExchange };

/** A free TCP port on loopback (so a restarted server comes back on the same URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

export interface LiveExchange {
  t: TestExchange;
  url: string;
  port: number;
}

/** Start an exchange listening on a fixed loopback port. */
export async function startLive(env: Record<string, string> = {}): Promise<LiveExchange> {
  const port = await freePort();
  const t = await startTestExchange({ ...NO_RATE_LIMITS, PORT: String(port), ...env }, { listen: true });
  return { t, url: `http://127.0.0.1:${port}`, port };
}

/** A new user signed in through the SDK (bearer mode). */
export async function newTrader(url: string, opts: Partial<PmClientOptions> = {}): Promise<PmClient> {
  const pm = new PmClient({ baseUrl: url, ...opts });
  unwrap(await pm.register({ email: `sdk-${randomBytes(5).toString('hex')}@test.local`, password: 'password-123' }));
  return pm;
}

/** The admin, signed in through the SDK. */
export async function adminClient(url: string, t: TestExchange): Promise<PmClient> {
  const admin = await t.admin();
  const pm = new PmClient({ baseUrl: url });
  unwrap(await pm.login({ email: admin.email, password: admin.password }));
  return pm;
}

/** Poll until `cond` holds (a guard against hangs, not a timing assertion). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
