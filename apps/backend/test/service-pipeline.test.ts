// The pipelined writer (WRITER_COMMIT=pipelined, the default): the next batch executes while
// the previous one commits. A batch is acknowledged only after its OWN commit, batches are
// acknowledged in order, and a failed commit fails its batch AND the batch executed after it
// (which saw its effects), then the engine is rebuilt from the database. A trigger makes one
// order's commit slow (pg_sleep) and, for the failure case, then raise.
// Also the bounded queue: beyond WRITER_QUEUE_MAX commands, 503 QUEUE_FULL with Retry-After.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, expectError, ok } from './helpers/kit.ts';
import { connect, request, type ClientSocket } from './helpers/socket.ts';

const SLOW_QTY = 555;
const POISON_QTY = 777;
const SLOW_SEC = 0.6;

async function installTriggers(t: TestExchange): Promise<void> {
  await t.rt.ctx.prisma.$executeRawUnsafe(`
    CREATE FUNCTION test_slow_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.qty IN (${SLOW_QTY}, ${POISON_QTY}) THEN PERFORM pg_sleep(${SLOW_SEC}); END IF;
      IF NEW.qty = ${POISON_QTY} THEN RAISE EXCEPTION 'poisoned order'; END IF;
      RETURN NEW;
    END $$`);
  await t.rt.ctx.prisma.$executeRawUnsafe(`CREATE TRIGGER test_slow_order BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION test_slow_order()`);
}

/** Resolves once the writer's slow statement is running in the database (pg_sleep seen in pg_stat_activity). */
async function slowCommitRunning(t: TestExchange): Promise<void> {
  await expect
    .poll(async () => (await t.rt.ctx.prisma.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'PgSleep'`))[0]!.n, {
      timeout: 10_000,
      interval: 10,
    })
    .toBeGreaterThan(0);
}

describe('service: pipelined commits', () => {
  let t: TestExchange;
  let m: { id: string; slug: string };
  let users: TestUser[];

  beforeAll(async () => {
    t = await startTestExchange({ ...NO_RATE_LIMITS, WRITER_COMMIT: 'pipelined' });
    await installTriggers(t);
    m = await t.createOpenMarket();
    users = await Promise.all(Array.from({ length: 6 }, () => t.registerUser()));
  });
  afterAll(async () => {
    await t?.close();
  });

  const place = (u: TestUser, qty: number, clientOrderId: string) =>
    t.api('POST', `/api/orders/${m.slug}`, { token: u.token, body: { side: 'BUY', outcome: 'YES', price: 10, quantity: qty, clientOrderId } });

  it('acknowledges a batch only after its own commit, in order', async () => {
    const answered: string[] = [];
    const track = (label: string, p: ReturnType<typeof place>) =>
      p.then(async (r) => {
        answered.push(label);
        // durable when acknowledged: the row is there the moment the answer is
        if (r.status === 201) expect(await t.rt.ctx.prisma.order.count({ where: { id: BigInt(r.body.order.id) } })).toBe(1);
        return r;
      });
    const slow = track('slow', place(users[0]!, SLOW_QTY, 'ack-slow'));
    await slowCommitRunning(t);
    // executed while the slow batch commits; committed after it
    const fast = users.slice(1).map((u, i) => track(`fast-${i}`, place(u, 5, `ack-fast-${i}`)));
    const results = await Promise.all([slow, ...fast]);
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(answered[0]).toBe('slow');
  });

  it('a failed commit fails its batch and the batch executed after it; nothing of them is stored', async () => {
    const failures = t.rt.ctx.metrics.batchFailuresTotal;
    const before = (await failures.get()).values[0]?.value ?? 0;
    const poison = place(users[0]!, POISON_QTY, 'fail-poison');
    await slowCommitRunning(t);
    const following = await Promise.all(users.slice(1).map((u, i) => place(u, 5, `fail-next-${i}`)));
    expectError(await poison, 503, 'COMMIT_FAILED');
    for (const r of following) expectError(r, 503, 'COMMIT_FAILED');
    expect((await failures.get()).values[0]?.value).toBe(before + 1);
    const stored = await t.rt.ctx.prisma.order.findMany({ where: { clientOrderId: { startsWith: 'fail-' } } });
    expect(stored).toEqual([]);

    // rebuilt from the database; trading goes on and reconciles
    await expect.poll(async () => (await t.api('GET', '/ready')).status, { timeout: 30_000 }).toBe(200);
    ok(await place(users[1]!, 3, 'after-failure'), 201);
    const admin = await t.admin();
    const report = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(report.ok, JSON.stringify(report.checks)).toBe(true);
  });
});

describe('service: bounded writer queue', () => {
  let t: TestExchange;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    // One command per batch: while the slow batch commits, one more executes and two wait.
    t = await startTestExchange({ ...NO_RATE_LIMITS, MAX_BATCH_COMMANDS: '1', WRITER_QUEUE_MAX: '2' }, { listen: true });
    await installTriggers(t);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t?.close();
  });

  it('answers 503 QUEUE_FULL with Retry-After when full, and counts the refusals', async () => {
    const m = await t.createOpenMarket();
    const users = await Promise.all(Array.from({ length: 6 }, () => t.registerUser()));
    const place = (u: TestUser, qty: number) => t.api('POST', `/api/orders/${m.slug}`, { token: u.token, body: { side: 'BUY', outcome: 'YES', price: 10, quantity: qty } });
    const slow = place(users[0]!, SLOW_QTY);
    await slowCommitRunning(t);
    const rest = await Promise.all(users.slice(1).map((u) => place(u, 5)));
    const full = rest.filter((r) => r.status === 503);
    expect(full.length).toBeGreaterThan(0);
    for (const r of full) {
      expectError(r, 503, 'QUEUE_FULL');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    for (const r of rest) expect([201, 503]).toContain(r.status);
    // WRITER_QUEUE_MAX (2) queued, plus at most the one the writer took to execute meanwhile
    // (whether it did depends on when its pump ran between the requests' arrivals)
    const accepted = rest.filter((r) => r.status === 201).length;
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(3);
    expect((await slow).status).toBe(201);
    const metrics = await t.api('GET', '/metrics');
    expect(metrics.raw.body).toMatch(new RegExp(`^engine_queue_rejections_total ${full.length}$`, 'm'));
  });

  it('socket order acks carry QUEUE_FULL too', async () => {
    const m = await t.createOpenMarket();
    const users = await Promise.all(Array.from({ length: 6 }, () => t.registerUser()));
    for (const u of users) sockets.push(await connect(t.rt.url!, { token: u.token }));
    const slow = request(sockets[0]!, 'order:place', { marketSlug: m.slug, side: 'BUY', outcome: 'YES', price: 10, quantity: SLOW_QTY });
    await slowCommitRunning(t);
    const acks = await Promise.all(sockets.slice(1).map((s) => request(s, 'order:place', { marketSlug: m.slug, side: 'BUY', outcome: 'YES', price: 10, quantity: 5 })));
    const full = acks.filter((a) => a.ok === false);
    expect(full.length).toBeGreaterThan(0);
    for (const a of full) expect(a).toMatchObject({ ok: false, error: { code: 'QUEUE_FULL' } });
    const accepted = acks.filter((a) => a.ok === true).length; // as over REST: 2 queued, at most 1 executing
    expect(accepted).toBeGreaterThanOrEqual(2);
    expect(accepted).toBeLessThanOrEqual(3);
    expect(await slow).toMatchObject({ ok: true });
  });
});
