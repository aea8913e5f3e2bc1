// Sessions and errors against the real server: token renewal across an expiry (30 s tokens),
// typed error codes on REST and socket, RATE_LIMITED waited out, safe retries by clientOrderId.
import { afterEach, describe, expect, it } from 'vitest';
import { PmClient, unwrap, type PmError, type PmSocket } from '../src/index.ts';
import { newTrader, startLive, type LiveExchange } from './helpers.ts';

let live: LiveExchange | null = null;
const cleanup: (() => void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) f();
  await live?.t.close();
  live = null;
});

async function open(pm: PmClient, opts = {}): Promise<PmSocket> {
  const s = unwrap(await pm.connect(opts));
  cleanup.push(() => s.close(), () => pm.close());
  return s;
}

describe('sessions', () => {
  it('renews the access token across its expiry, proactively and on TOKEN_EXPIRED', async () => {
    live = await startLive({ ACCESS_TOKEN_TTL_SEC: '30' });
    const market = await live.t.createOpenMarket();
    const auto = await newTrader(live.url); // renews before expiry
    const lazy = await newTrader(live.url, { autoRefresh: false }); // renews only when refused
    const autoSock = await open(auto);
    const lazySock = await open(lazy);
    const renewedOnSocket: number[] = [];
    autoSock.on('session_refreshed', (s) => renewedOnSocket.push(s.expiresAtMs));
    const firstToken = { auto: auto.session.accessToken, lazy: lazy.session.accessToken };
    const lazyExpiry = lazy.session.expiresAtMs!;
    // Wait past the first tokens' expiry.
    await new Promise((r) => setTimeout(r, Math.max(0, lazyExpiry - Date.now()) + 1500));

    // Proactive: a new token was installed before the old one expired and sent on the socket.
    expect(auto.session.accessToken).not.toBe(firstToken.auto);
    expect(renewedOnSocket.length).toBeGreaterThanOrEqual(1);
    unwrap(await autoSock.place({ marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 20, quantity: 1 }));
    unwrap(await auto.getBalance());

    // Reactive: the socket answered TOKEN_EXPIRED, the client refreshed and repeated.
    expect(lazy.session.accessToken).toBe(firstToken.lazy);
    const viaSocket = await lazySock.place({ marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 21, quantity: 1 });
    expect(viaSocket.ok, JSON.stringify(viaSocket)).toBe(true);
    expect(lazy.session.accessToken).not.toBe(firstToken.lazy);
    // And REST (a fresh expired session: an old-token client with the same refresh token is not possible; use the renewed one).
    const bal = await lazy.getBalance();
    expect(bal.ok).toBe(true);
  });

  it('refuses a bad token at the handshake with a typed error', async () => {
    live = await startLive();
    const pm = new PmClient({ baseUrl: live.url, accessToken: 'not-a-jwt' });
    const r = await pm.connect({ connectTimeoutMs: 5000 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('TOKEN_INVALID');
  });
});

describe('errors', () => {
  it('are typed by code on REST and on the socket', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const pm = await newTrader(live.url);
    const s = await open(pm);
    const rest = await pm.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 900_000 });
    const sock = await s.place({ marketSlug: market.slug, side: 'BUY', outcome: 'YES', price: 50, quantity: 900_000 });
    for (const [r, status] of [[rest, 422], [sock, null]] as const) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      const e: PmError = r.error;
      expect(e).toMatchObject({ code: 'INSUFFICIENT_BALANCE', status, engineCode: 2001 });
    }
    const invalid = await pm.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', price: 150, quantity: 1 });
    expect(invalid.ok).toBe(false);
    if (!invalid.ok && invalid.error.code === 'VALIDATION_ERROR') {
      // details typed as zod issues
      expect(invalid.error.status).toBe(400);
    } else {
      throw new Error(`expected VALIDATION_ERROR, got ${JSON.stringify(invalid)}`);
    }
    const missing = await pm.getMarket('no-such-market');
    expect(missing.ok ? null : missing.error.code).toMatch(/NOT_FOUND|UNKNOWN_MARKET/);
    const anon = new PmClient({ baseUrl: live.url });
    const unauth = await anon.getBalance();
    expect(unauth.ok ? null : unauth.error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    const down = await new PmClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 2000 }).health();
    expect(down.ok ? null : down.error.code).toBe('NETWORK_ERROR');
  });

  it('waits out RATE_LIMITED, bounded', async () => {
    live = await startLive({ RATE_LIMIT_WS_SOCKET_POINTS: '5', RATE_LIMIT_WS_SOCKET_WINDOW_SEC: '1' });
    const pm = await newTrader(live.url);
    const patient = await open(pm);
    const results = await Promise.all(Array.from({ length: 12 }, () => patient.ping()));
    expect(results.every((r) => r.ok), JSON.stringify(results.filter((r) => !r.ok))).toBe(true);
    const hasty = await open(pm, { rateLimit: { maxRetries: 0 } });
    const burst = await Promise.all(Array.from({ length: 12 }, () => hasty.ping()));
    const refused = burst.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      if (r.ok || r.error.code !== 'RATE_LIMITED') throw new Error(`expected RATE_LIMITED, got ${JSON.stringify(r)}`);
      expect(r.error.details?.retryAfterSec).toBeGreaterThanOrEqual(1);
    }
  });

  it('makes a repeated placement safe: the same clientOrderId returns the first order', async () => {
    live = await startLive();
    const market = await live.t.createOpenMarket();
    const pm = await newTrader(live.url);
    const s = await open(pm);
    const order = { marketSlug: market.slug, side: 'BUY' as const, outcome: 'YES' as const, price: 45, quantity: 3, clientOrderId: 'retry-1' };
    const first = unwrap(await s.place(order));
    const again = unwrap(await s.place(order));
    const { marketSlug: _slug, ...body } = order;
    const viaRest = unwrap(await pm.placeOrder(market.slug, body));
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, order: { id: first.order.id } });
    expect(viaRest).toMatchObject({ duplicate: true, order: { id: first.order.id } });
    const generated = unwrap(await s.place({ ...order, clientOrderId: undefined }));
    expect(generated.order.clientOrderId).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(unwrap(await pm.getMyOrders({ market: market.slug })).orders).toHaveLength(2);
  });
});
