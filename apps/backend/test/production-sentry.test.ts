// Error tracking: Sentry is not initialised (nothing can be sent) without SENTRY_DSN; with
// it, unexpected request errors are captured with request context and without secrets.
// The DSN-on case uses a transport that keeps envelopes in memory: no network either way.
// The tests run in order: the first must see a process where Sentry was never initialised.
import { randomBytes } from 'node:crypto';
import * as Sentry from '@sentry/node';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError } from './helpers/kit.ts';
import { scrubEvent } from '../src/error-tracking.ts';
import type { RuntimeOptions } from '../src/runtime.ts';

/** A route that fails unexpectedly, with secrets in its error message. */
const withBoomRoute: RuntimeOptions['beforeListen'] = async ({ app }) => {
  app.post('/test/boom/:id', async (req) => {
    const auth = String(req.headers.authorization ?? '');
    throw new Error(`boom: cannot use ${auth} with password=${(req.body as { password?: string }).password}`);
  });
};

describe('production: error tracking (Sentry)', () => {
  const opened: TestExchange[] = [];
  afterAll(async () => {
    for (const t of opened) await t.close();
  });

  it('without SENTRY_DSN, Sentry is never initialised (so nothing is sent) and errors still answer 500', async () => {
    const t = await startTestExchange(NO_RATE_LIMITS, { beforeListen: withBoomRoute });
    opened.push(t);
    expect(t.env.SENTRY_DSN).toBeUndefined();
    const res = await t.api('POST', '/test/boom/1', { body: { password: 'x' } });
    expectError(res, 500, 'INTERNAL_ERROR');
    expect(res.body.error.message).toBe('internal error');
    expect(Sentry.isInitialized()).toBe(false);
    expect(Sentry.getClient()).toBeUndefined();
  });

  it('with SENTRY_DSN, captures unexpected errors with request context and no secrets', async () => {
    const envelopes: unknown[] = [];
    const t = await startTestExchange(
      { ...NO_RATE_LIMITS, SENTRY_DSN: 'https://0123456789abcdef@o0.ingest.invalid/1' },
      {
        beforeListen: withBoomRoute,
        errorTracking: {
          transport: () => ({
            send: async (envelope) => {
              envelopes.push(envelope);
              return {};
            },
            flush: async () => true,
          }),
        },
      },
    );
    opened.push(t);
    expect(Sentry.isInitialized()).toBe(true);
    const user = await t.registerUser();
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const cookie = `pm_access=${user.token}; pm_refresh=r-${randomBytes(6).toString('hex')}`;

    // expected failures are not reported
    expectError(await t.api('GET', '/api/user/balance', { token: `${user.token}x` }), 401, 'TOKEN_INVALID');
    expectError(await t.api('GET', '/no-such-route'), 404, 'NOT_FOUND');
    // an unexpected one is
    const res = await t.api('POST', '/test/boom/42?token=query-secret-value', {
      token: user.token,
      body: { password },
      headers: { cookie, 'x-request-id': 'sentry-test-1', 'user-agent': 'vitest-agent' },
    });
    expectError(res, 500, 'INTERNAL_ERROR');
    expect(await Sentry.flush(5000)).toBe(true);

    const events = envelopes.flatMap((env) => (env as [unknown, [{ type: string }, any][]])[1]).filter(([h]) => h.type === 'event').map(([, e]) => e);
    expect(events).toHaveLength(1);
    const event = events[0];
    expect(event.exception.values[0].value).toContain('boom: cannot use');
    expect(event.tags).toMatchObject({ route: '/test/boom/:id', method: 'POST', request_id: 'sentry-test-1', status_code: '500' });
    expect(event.user).toMatchObject({ id: user.id });
    expect(event.user.email).toBeUndefined();
    expect(event.request).toMatchObject({ method: 'POST', url: '/test/boom/42' });
    expect(event.request.headers['user-agent']).toBe('vitest-agent');
    expect(event.request.headers.authorization).toBeUndefined();
    expect(event.request.headers.cookie).toBeUndefined();
    expect(event.request.cookies).toBeUndefined();
    expect(event.request.data).toBeUndefined();

    const all = JSON.stringify(envelopes);
    for (const secret of [user.token, password, 'query-secret-value', cookie, user.email]) {
      expect(all.includes(secret), `a secret (${secret.slice(0, 8)}...) reached Sentry`).toBe(false);
    }
  });

  it('scrubEvent censors secrets wherever they are in an event', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NSJ9.c2lnbmF0dXJlLXZhbHVl';
    const scrubbed = scrubEvent({
      message: `failed for Bearer abcdefghijklmnop and ${jwt}; password=hunter3 "refreshToken": "rt-value" ?api_key=k2&x=1`,
      request: { url: '/x', headers: { Authorization: 'Bearer abc', Cookie: 'a=b', accept: 'json' }, cookies: { a: 'b' }, data: { password: 'p' }, query_string: 'refreshToken=zzz' },
      extra: { nested: { deeper: { password: 'hunter2', apiKey: 'k', ok: 'fine' } }, list: [{ accessToken: 't' }] },
      breadcrumbs: [{ message: `GET with ${jwt}`, data: { session_id: 's' } }],
    });
    const text = JSON.stringify(scrubbed);
    for (const secret of [jwt, 'abcdefghijklmnop', 'hunter2', 'hunter3', 'rt-value', 'k2', '"k"', '"t"', 'a=b', '"p"', 'zzz', '"s"']) expect(text, secret).not.toContain(secret);
    expect(text).toContain('fine');
    expect(text).toContain('json');
  });

  it('Sentry is closed with the runtime', async () => {
    const t = opened.pop()!;
    await t.close();
    expect(Sentry.getClient()?.getOptions().enabled).toBe(false);
  });
});
