// GET /api/admin/users: the admin's user lookup by email prefix (grants, resolvers): by email,
// bounded, case-insensitive input, wildcards literal, checked text, admins only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

describe('api: GET /api/admin/users', () => {
  let t: TestExchange;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestExchange(NO_RATE_LIMITS);
    admin = await t.admin();
  });
  afterAll(async () => {
    await t?.close();
  });

  const find = (query: string, token = admin.token) => t.api('GET', `/api/admin/users?${query}`, { token });

  it('finds users by email prefix, by email, at most limit', async () => {
    const carol = await t.registerUser('carol.lookup@test.local');
    const carl = await t.registerUser('carl.lookup@test.local');
    await t.registerUser('dave.lookup@test.local');
    await t.registerUser('x_y.lookup@test.local');
    await t.registerUser('xzy.lookup@test.local');

    const r = ok(await find('query=car'), 200);
    expect(r.users.map((u: { email: string }) => u.email)).toEqual(['carl.lookup@test.local', 'carol.lookup@test.local']);
    expect(r.users[1]).toEqual({ id: carol.id, email: carol.email, role: 'USER', createdAt: expect.any(String) });
    expect(r.users[0].id).toBe(carl.id);
    // input in upper case finds the lower-case emails
    expect(ok(await find('query=CARO'), 200).users.map((u: { id: string }) => u.id)).toEqual([carol.id]);
    // bounded
    expect(ok(await find('query=car&limit=1'), 200).users).toHaveLength(1);
    expectError(await find('query=car&limit=21'), 400, 'VALIDATION_ERROR');
    // LIKE wildcards match themselves: "x_" finds x_y, not xzy; "%" finds nothing
    expect(ok(await find(`query=${encodeURIComponent('x_')}`), 200).users.map((u: { email: string }) => u.email)).toEqual(['x_y.lookup@test.local']);
    expect(ok(await find(`query=${encodeURIComponent('%')}`), 200).users).toEqual([]);
    expect(ok(await find(`query=${encodeURIComponent('x\\')}`), 200).users).toEqual([]);
    // no match
    expect(ok(await find('query=nobody-here'), 200).users).toEqual([]);
  });

  it('checked text: empty, control characters, too long are 400; users 403; anonymous 401', async () => {
    expectError(await find('query='), 400, 'VALIDATION_ERROR');
    expectError(await find(''), 400, 'VALIDATION_ERROR');
    expectError(await find(`query=${encodeURIComponent('a\u0000b')}`), 400, 'VALIDATION_ERROR');
    expectError(await find(`query=${encodeURIComponent('a\nb')}`), 400, 'VALIDATION_ERROR');
    expectError(await find(`query=${'a'.repeat(255)}`), 400, 'VALIDATION_ERROR');
    const u = await t.registerUser();
    expectError(await find('query=a', u.token), 403, 'FORBIDDEN');
    expectError(await t.api('GET', '/api/admin/users?query=a'), 401);
  });
});
