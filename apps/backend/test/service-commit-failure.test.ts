// A failed group commit: the database refuses a batch (a trigger raises on one order of it).
// Every request of that batch gets 503 COMMIT_FAILED and nothing of it is stored; the engine
// is rebuilt from the database, so memory and database never diverge; requests of other
// batches are unaffected, and trading goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';

const POISON_QTY = 777;

// Both ways the writer can commit (WRITER_SQL): a Prisma interactive transaction, and the
// direct node-postgres statement.
describe.each(['prisma', 'pg'])('service: a commit that fails (WRITER_SQL=%s)', (writerSql) => {
  let t: TestExchange;

  beforeAll(async () => {
    t = await startTestExchange({ ...NO_RATE_LIMITS, WRITER_SQL: writerSql });
    await t.rt.ctx.prisma.$executeRawUnsafe(`
      CREATE FUNCTION test_poison_order() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.qty = ${POISON_QTY} THEN RAISE EXCEPTION 'poisoned order'; END IF;
        RETURN NEW;
      END $$`);
    await t.rt.ctx.prisma.$executeRawUnsafe(`CREATE TRIGGER test_poison_order BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION test_poison_order()`);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('fails exactly the batch, rebuilds the engine, and goes on', async () => {
    const admin = await t.admin();
    const m = await t.createOpenMarket();
    const users: TestUser[] = await Promise.all(Array.from({ length: 8 }, () => t.registerUser()));
    // resting liquidity committed before the failure
    const resting = ok(await t.api('POST', `/api/orders/${m.slug}`, { token: users[0]!.token, body: { side: 'BUY', outcome: 'NO', price: 50, quantity: 100 } }), 201).order;

    // a burst in which one order is refused by the database; crossing orders trade against
    // the resting one in memory before the commit fails
    const burst = await Promise.all(
      users.map((u, i) =>
        t.api('POST', `/api/orders/${m.slug}`, {
          token: u.token,
          body: { side: 'BUY', outcome: 'YES', price: i % 2 === 0 ? 50 : 40, quantity: i === 3 ? POISON_QTY : 5 + i, clientOrderId: `burst-${i}` },
        }),
      ),
    );
    const failed = burst.filter((r) => r.status === 503);
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) expectError(r, 503, 'COMMIT_FAILED');
    for (const r of burst) expect([201, 503]).toContain(r.status);

    // nothing of a failed request is stored; every acknowledged one is
    const prisma = t.rt.ctx.prisma;
    for (let i = 0; i < users.length; i++) {
      const rows = await prisma.order.findMany({ where: { userId: users[i]!.id, clientOrderId: `burst-${i}` } });
      if (burst[i]!.status === 201) expect(rows.map((r) => Number(r.id))).toEqual([burst[i]!.body.order.id]);
      else expect(rows).toEqual([]);
    }

    // the engine was rebuilt from the database: reconcile (incl. engine == database) is clean
    await expect.poll(async () => (await t.api('GET', '/ready')).status, { timeout: 30_000 }).toBe(200);
    const report = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok), JSON.stringify(report.checks)).toEqual([]);
    // the resting order shows only the fills that were committed
    const makerOrders = ok(await t.api('GET', '/api/orders/user/orders', { token: users[0]!.token }), 200).orders;
    const stored = makerOrders.find((o: { id: number }) => o.id === resting.id);
    const committedFills = burst.filter((r) => r.status === 201).flatMap((r) => r.body.fills).filter((f: { kind: string }) => f.kind === 'MINT');
    expect(stored.filledQuantity).toBe(committedFills.reduce((s: number, f: { quantity: number }) => s + f.quantity, 0));
    const balances = await Promise.all(users.map(async (u) => ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200)));
    for (const b of balances) expect(b.available).toBeGreaterThanOrEqual(0);

    // a retry of a failed request (same clientOrderId) is a new order now; trading goes on
    const i = burst.findIndex((r) => r.status === 503 && r !== burst[3]);
    if (i >= 0) {
      const retry = await t.api('POST', `/api/orders/${m.slug}`, { token: users[i]!.token, body: { side: 'BUY', outcome: 'YES', price: 40, quantity: 2, clientOrderId: `burst-${i}` } });
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
      expect(retry.body.duplicate).toBe(false);
    }
    ok(await t.api('POST', `/api/orders/${m.slug}`, { token: users[1]!.token, body: { side: 'BUY', outcome: 'YES', price: 50, quantity: 3 } }), 201);
    const after = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(after.ok, JSON.stringify(after.checks)).toBe(true);
  });
});
