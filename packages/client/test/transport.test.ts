// The transport option (`fetch: FetchLike`): a lean transport whose answers are not `Response`
// objects, the per-request timeout through its signal, and Node's own fetch still fitting the type.
import { describe, expect, it } from 'vitest';
import { PmClient, type FetchLike, type FetchLikeInit } from '../src/index.ts';

/** An answer of the test transport: status, body text, header lines by lower-case name. */
interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string[]>;
}

/** A transport answering from a function, recording what it was given. */
function transport(answer: (url: string, init: FetchLikeInit) => Answer): { fetch: FetchLike; calls: { url: string; init: FetchLikeInit }[] } {
  const calls: { url: string; init: FetchLikeInit }[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, init });
    const a = answer(url, init);
    const headers = a.headers ?? {};
    return {
      status: a.status,
      ok: a.status >= 200 && a.status < 300,
      headers: { get: (n) => headers[n.toLowerCase()]?.join(', ') ?? null, getSetCookie: () => headers['set-cookie'] ?? [] },
      text: () => Promise.resolve(a.body),
    };
  };
  return { fetch, calls };
}

describe('transport', () => {
  it('works over a FetchLike that answers plain objects: body, bearer token, clientOrderId, typed errors', async () => {
    const t = transport((url, init): Answer => {
      if (url.endsWith('/api/auth/login')) {
        return {
          status: 200,
          body: JSON.stringify({ accessToken: 'a.eyJleHAiOjQxMDI0NDQ4MDB9.s', expiresIn: 900, user: { id: 'u1', email: 'x@y.z', role: 'USER', createdAt: '2026-01-01T00:00:00.000Z' } }),
          headers: { 'set-cookie': ['pm_refresh=r1; Path=/api/auth; HttpOnly'] },
        };
      }
      if (init.method === 'POST') return { status: 422, body: JSON.stringify({ error: { code: 'INSUFFICIENT_BALANCE', message: 'no', engineCode: 2 } }) };
      return { status: 429, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down' } }), headers: { 'retry-after': ['7'] } };
    });
    const pm = new PmClient({ baseUrl: 'http://exchange.test/', fetch: t.fetch, rateLimit: { maxRetries: 0 } });
    expect((await pm.login({ email: 'x@y.z', password: 'password-123' })).ok).toBe(true);
    const placed = await pm.placeOrder('mkt-1', { side: 'BUY', outcome: 'YES', price: 40, quantity: 1 });
    expect(placed.ok ? null : placed.error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', status: 422, engineCode: 2 });
    const call = t.calls[1]!;
    expect(call.url).toBe('http://exchange.test/api/orders/mkt-1');
    expect(call.init.headers.authorization).toBe('Bearer a.eyJleHAiOjQxMDI0NDQ4MDB9.s');
    expect(typeof JSON.parse(call.init.body!).clientOrderId).toBe('string');
    expect(call.init.signal).toBeInstanceOf(AbortSignal);
    const limited = await pm.getBalance();
    expect(limited.ok ? null : limited.error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSec: 7, scope: 'rest' } });
    // The refresh token came from Set-Cookie: logout presents it.
    await pm.logout();
    expect(JSON.parse(t.calls.at(-1)!.init.body!)).toEqual({ refreshToken: 'r1' });
    pm.close();
  });

  it('aborts a request through its signal after timeoutMs (TIMEOUT); timeoutMs 0 sends no signal', async () => {
    let signal: AbortSignal | undefined;
    const hang: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        signal = init.signal;
        init.signal?.addEventListener('abort', () => reject(init.signal!.reason));
      });
    const slow = await new PmClient({ baseUrl: 'http://exchange.test', fetch: hang, timeoutMs: 50 }).health();
    expect(slow.ok ? null : slow.error.code).toBe('TIMEOUT');
    expect(signal?.aborted).toBe(true);
    const t = transport(() => ({ status: 200, body: '{"status":"ok","uptimeSec":1}' }));
    const untimed = new PmClient({ baseUrl: 'http://exchange.test', fetch: t.fetch, timeoutMs: 0 });
    expect((await untimed.health()).ok).toBe(true);
    expect(t.calls[0]!.init.signal).toBeUndefined();
  });

  it("accepts Node's fetch as its transport", () => {
    // A type-level check as much as a runtime one: `typeof fetch` fits FetchLike.
    const pm = new PmClient({ baseUrl: 'http://exchange.test', fetch: globalThis.fetch });
    expect(pm.mode).toBe('bearer');
    pm.close();
  });
});
