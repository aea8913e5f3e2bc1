// /api/markets end to end: list (status filter, pagination), detail, create (admin), status
// changes (admin; the designated resolver may resolve), and their failures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

const inADay = (): string => new Date(Date.now() + 86_400_000).toISOString();

describe('api: markets', () => {
  let t: TestExchange;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
    admin = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('create (admin) -> DRAFT with every field; detail by slug; duplicate slug 409', async () => {
    const body = { slug: 'will-it-snow', question: 'Will it snow?', description: 'Snow in the city.', closesAt: inADay(), tickCents: 5 };
    const created = ok(await t.api('POST', '/api/markets', { token: admin.token, body }), 201);
    expect(created).toMatchObject({
      slug: 'will-it-snow',
      question: 'Will it snow?',
      description: 'Snow in the city.',
      status: 'DRAFT',
      outcome: null,
      tickCents: 5,
      resolverId: null,
      bestBid: null,
      bestAsk: null,
      lastPrice: null,
      volume: 0,
      openInterest: 0,
    });
    expect(new Date(created.closesAt).getTime()).toBe(new Date(body.closesAt).getTime());
    const detail = ok(await t.api('GET', '/api/markets/will-it-snow'), 200);
    expect(detail).toEqual(created);
    expectError(await t.api('POST', '/api/markets', { token: admin.token, body }), 409, 'SLUG_TAKEN');
    expectError(await t.api('GET', '/api/markets/no-such-market'), 404);
    expectError(await t.api('GET', '/api/markets/NOT_A_SLUG'), 400, 'VALIDATION_ERROR');
  });

  it('create validation: bad slug, empty question, bad tick, bad date, unknown resolver', async () => {
    const base = { slug: 'valid-slug-1', question: 'Q?', closesAt: inADay() };
    for (const bad of [
      { ...base, slug: 'A' },
      { ...base, slug: '-bad-' },
      { ...base, question: '   ' },
      { ...base, question: 'x'.repeat(141) },
      { ...base, tickCents: 3 },
      { ...base, closesAt: 'tomorrow' },
      { ...base, resolverId: 'not-a-uuid' },
      { slug: 'no-question', closesAt: inADay() },
    ]) {
      expectError(await t.api('POST', '/api/markets', { token: admin.token, body: bad }), 400, 'VALIDATION_ERROR');
    }
    expectError(
      await t.api('POST', '/api/markets', { token: admin.token, body: { ...base, resolverId: '00000000-0000-4000-8000-000000000000' } }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('status lifecycle: DRAFT -> OPEN -> HALTED -> OPEN -> CLOSED -> RESOLVED; invalid transitions 409', async () => {
    const slug = 'lifecycle-market';
    ok(await t.api('POST', '/api/markets', { token: admin.token, body: { slug, question: 'Lifecycle?', closesAt: inADay() } }), 201);
    const set = (status: string, outcome?: string) =>
      t.api('PATCH', `/api/markets/${slug}/status`, { token: admin.token, body: outcome === undefined ? { status } : { status, outcome } });
    expectError(await set('CLOSED'), 409, 'INVALID_TRANSITION');
    expect(ok(await set('OPEN'), 200).status).toBe('OPEN');
    const seqOpen = ok(await t.api('GET', `/api/markets/${slug}`), 200).seq;
    expect(ok(await set('HALTED'), 200).status).toBe('HALTED');
    const u = await t.registerUser();
    expectError(await t.api('POST', `/api/orders/${slug}`, { token: u.token, body: { side: 'BUY', outcome: 'YES', price: 40, quantity: 1 } }), 409, 'MARKET_HALTED');
    expect(ok(await set('OPEN'), 200).status).toBe('OPEN');
    ok(await t.api('POST', `/api/orders/${slug}`, { token: u.token, body: { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 } }), 201);
    expect(ok(await set('CLOSED'), 200).status).toBe('CLOSED');
    // closing cancelled the resting order and released its escrow
    expect(ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200)).toEqual({ available: 1_000_000, locked: 0, total: 1_000_000 });
    expectError(await set('RESOLVED'), 400, 'VALIDATION_ERROR'); // outcome required
    expectError(await set('OPEN', 'YES'), 400, 'VALIDATION_ERROR'); // outcome only with RESOLVED
    const resolved = ok(await set('RESOLVED', 'YES'), 200);
    expect(resolved).toMatchObject({ status: 'RESOLVED', outcome: 'YES' });
    expect(resolved.seq).toBeGreaterThan(seqOpen);
    expectError(await set('OPEN'), 409, 'INVALID_TRANSITION');
    expectError(await set('CANCELLED'), 409, 'INVALID_TRANSITION');
    expectError(await t.api('PATCH', '/api/markets/no-such-market/status', { token: admin.token, body: { status: 'OPEN' } }), 404);
  });

  it('cancel (void) from OPEN; the designated resolver may resolve but not halt', async () => {
    const voided = await t.createOpenMarket();
    expect(ok(await t.api('PATCH', `/api/markets/${voided.slug}/status`, { token: admin.token, body: { status: 'CANCELLED' } }), 200).status).toBe('CANCELLED');

    const resolver = await t.registerUser();
    const other = await t.registerUser();
    const m = await t.createOpenMarket({ resolverId: resolver.id });
    expect(ok(await t.api('GET', `/api/markets/${m.slug}`), 200).resolverId).toBe(resolver.id);
    expectError(await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: resolver.token, body: { status: 'HALTED' } }), 403, 'FORBIDDEN');
    expectError(await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: other.token, body: { status: 'RESOLVED', outcome: 'NO' } }), 403, 'FORBIDDEN');
    ok(await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: admin.token, body: { status: 'CLOSED' } }), 200);
    const res = ok(await t.api('PATCH', `/api/markets/${m.slug}/status`, { token: resolver.token, body: { status: 'RESOLVED', outcome: 'NO' } }), 200);
    expect(res).toMatchObject({ status: 'RESOLVED', outcome: 'NO' });
  });

  it('list: newest first, filter by status, limit/offset with total', async () => {
    const all = ok(await t.api('GET', '/api/markets?limit=200'), 200);
    expect(all.total).toBe(all.markets.length);
    expect(all.total).toBeGreaterThanOrEqual(4);
    const created = all.markets.map((m: { createdAt: string }) => new Date(m.createdAt).getTime());
    expect([...created].sort((a, b) => b - a)).toEqual(created);

    for (const status of ['DRAFT', 'OPEN', 'RESOLVED', 'CANCELLED', 'HALTED']) {
      const page = ok(await t.api('GET', `/api/markets?status=${status}`), 200);
      expect(page.markets.every((m: { status: string }) => m.status === status)).toBe(true);
      expect(page.total).toBe(all.markets.filter((m: { status: string }) => m.status === status).length);
    }

    const first = ok(await t.api('GET', '/api/markets?limit=2&offset=0'), 200);
    const second = ok(await t.api('GET', '/api/markets?limit=2&offset=2'), 200);
    expect(first.markets).toHaveLength(2);
    expect(first.total).toBe(all.total);
    expect([...first.markets, ...second.markets].map((m: { id: string }) => m.id)).toEqual(all.markets.slice(0, 4).map((m: { id: string }) => m.id));
    const beyond = ok(await t.api('GET', `/api/markets?offset=${all.total + 10}`), 200);
    expect(beyond.markets).toEqual([]);

    expectError(await t.api('GET', '/api/markets?status=NOPE'), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/markets?limit=0'), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/markets?limit=201'), 400, 'VALIDATION_ERROR');
    expectError(await t.api('GET', '/api/markets?offset=-1'), 400, 'VALIDATION_ERROR');
  });

  it('detail shows top of book, last price, volume and open interest', async () => {
    const m = await t.createOpenMarket();
    const a = await t.registerUser();
    const b = await t.registerUser();
    ok(await t.api('POST', `/api/orders/${m.slug}`, { token: a.token, body: { side: 'BUY', outcome: 'YES', price: 40, quantity: 10 } }), 201);
    ok(await t.api('POST', `/api/orders/${m.slug}`, { token: a.token, body: { side: 'BUY', outcome: 'NO', price: 45, quantity: 10 } }), 201); // YES ask 55
    let d = ok(await t.api('GET', `/api/markets/${m.slug}`), 200);
    expect(d).toMatchObject({ bestBid: 40, bestAsk: 55, lastPrice: null, volume: 0, openInterest: 0 });
    // b buys YES at 60: MINT against a's NO bid at 45 -> trade at YES 55
    const placed = ok(await t.api('POST', `/api/orders/${m.slug}`, { token: b.token, body: { side: 'BUY', outcome: 'YES', price: 60, quantity: 4 } }), 201);
    expect(placed.fills).toEqual([expect.objectContaining({ price: 55, yesPrice: 55, quantity: 4, kind: 'MINT', role: 'TAKER' })]);
    d = ok(await t.api('GET', `/api/markets/${m.slug}`), 200);
    expect(d).toMatchObject({ bestBid: 40, bestAsk: 55, lastPrice: 55, volume: 4, openInterest: 4 });
  });
});
