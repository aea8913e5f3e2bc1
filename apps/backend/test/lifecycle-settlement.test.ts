// Settlement end to end on real PostgreSQL: 20 users trade through the API (MINT, TRANSFER and
// MERGE, profits and losses, resting orders), then the market is resolved YES, resolved NO (by
// its designated resolver) or cancelled (void, both refund branches). Checked from the database:
// points conserved (accounts + pools + house == granted, before and after), every holder paid
// exactly (100 x winning shares, or the documented void refund), escrow released, positions
// cleared, notifications per user with the amount, the resolution record, reconcile clean;
// and a repeated resolve (Idempotency-Key replay, or the same target state) pays nothing.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { LIFECYCLE_ENV, createDraft, expectReconciled, holdings, money, place, registerUsers, setStatus, tradingSession, type MoneySnapshot } from './helpers/lifecycle.ts';

type Settlement = { kind: 'RESOLVED'; outcome: 'YES' | 'NO' } | { kind: 'CANCELLED' };

describe('lifecycle: resolution and cancellation payouts', () => {
  let t: TestExchange;
  let users: TestUser[];
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestExchange(LIFECYCLE_ENV);
    users = await registerUsers(t, 20);
    admin = await t.admin();
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Every notification of `user` about `marketId`. */
  const notificationsOf = async (user: TestUser, marketId: string): Promise<any[]> => {
    const res = await t.api('GET', '/api/user/notifications?limit=200', { token: user.token });
    expect(res.status).toBe(200);
    return res.body.notifications.filter((n: { marketId: string }) => n.marketId === marketId);
  };

  const expectSameMoney = (a: MoneySnapshot, b: MoneySnapshot): void => {
    expect(b.ledgerRows).toBe(a.ledgerRows);
    expect(b.house).toBe(a.house);
    expect(b.pools).toBe(a.pools);
    expect(b.granted).toBe(a.granted);
    expect(new Map(b.accounts)).toEqual(new Map(a.accounts));
  };

  /**
   * Settle `market` as `actor` and check everything, then repeat the request in every way and
   * check that nothing more happens. `participants`: users whose notifications are checked.
   */
  async function settleAndCheck(
    market: { id: string; slug: string },
    actor: TestUser,
    how: Settlement,
    participants: TestUser[],
    expectedBranch?: 'pro-rata' | 'full',
    expectResting = true,
  ): Promise<void> {
    const prisma = t.rt.ctx.prisma;
    const before = await money(t);
    const held = await holdings(t, market.id);
    const row = await prisma.market.findUniqueOrThrow({ where: { id: market.id } });
    const collateral = row.collateralCents;
    const pairs = row.pairsOutstanding;
    let yes = 0n;
    let no = 0n;
    for (const h of held.values()) {
      yes += h.yes;
      no += h.no;
    }
    // Before: the pool backs every pair; YES == NO == pairs; points conserved.
    expect(pairs).toBeGreaterThan(0n);
    expect(yes).toBe(pairs);
    expect(no).toBe(pairs);
    expect(collateral).toBe(100n * pairs);
    expect(before.accountsTotal + before.pools + before.house).toBe(before.granted);
    const restingBefore = await prisma.order.findMany({ where: { marketId: market.id, status: { in: ['OPEN', 'PARTIALLY_FILLED'] } } });

    // Expected payout per holder.
    const holders = [...held.entries()].filter(([, h]) => h.yes + h.no > 0n);
    const basis = holders.reduce((s, [, h]) => s + h.cost, 0n);
    const expected = new Map<string, bigint>();
    for (const [userId, h] of holders) {
      if (how.kind === 'RESOLVED') expected.set(userId, 100n * (how.outcome === 'YES' ? h.yes : h.no));
      else expected.set(userId, basis <= collateral ? h.cost : (h.cost * collateral) / basis);
    }
    if (how.kind === 'CANCELLED' && expectedBranch !== undefined) {
      expect(basis > collateral ? 'pro-rata' : 'full', `basis ${basis} vs collateral ${collateral}`).toBe(expectedBranch);
    }
    const paid = [...expected.values()].reduce((s, v) => s + v, 0n);
    const houseCut = collateral - paid;
    if (how.kind === 'RESOLVED') expect(paid).toBe(collateral);

    const key = `settle-${market.slug}`;
    const first = await setStatus(t, actor.token, market.slug, how.kind, how.kind === 'RESOLVED' ? how.outcome : undefined, { 'idempotency-key': key });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: how.kind, outcome: how.kind === 'RESOLVED' ? how.outcome : null, openInterest: 0, bestBid: null, bestAsk: null });

    const after = await money(t);
    // Conservation: nothing created or destroyed; the pool went to holders (+ house on a void).
    expect(after.granted).toBe(before.granted);
    expect(after.accountsTotal + after.pools + after.house).toBe(after.granted);
    expect(after.accountsTotal - before.accountsTotal).toBe(paid);
    expect(after.pools).toBe(before.pools - collateral);
    expect(after.house - before.house).toBe(houseCut);
    // Every account changed by exactly its payout (a close releases escrow: available + locked unchanged).
    for (const [userId, total] of before.accounts) {
      expect(after.accounts.get(userId)! - total, `user ${userId}`).toBe(expected.get(userId) ?? 0n);
    }
    // The close cancelled every resting order and released its escrow.
    expect(restingBefore.length > 0).toBe(expectResting);
    const cancelled = await prisma.order.findMany({ where: { id: { in: restingBefore.map((o) => o.id) } } });
    for (const o of cancelled) expect([o.status, o.reason]).toEqual(['CANCELLED', 'MARKET_CLOSED']);
    expect(after.locked).toBe(0n);
    const positionsLeft = await prisma.position.findMany({ where: { marketId: market.id } });
    for (const p of positionsLeft) expect([p.yesShares, p.noShares, p.yesLockedShares, p.noLockedShares, p.yesCostCents, p.noCostCents]).toEqual([0n, 0n, 0n, 0n, 0n, 0n]);

    // Notifications: each holder exactly one, with its amount; nobody else.
    for (const user of participants) {
      const ns = await notificationsOf(user, market.id);
      const amount = expected.get(user.id);
      if (amount === undefined) {
        expect(ns, user.email).toHaveLength(0);
        continue;
      }
      expect(ns, user.email).toHaveLength(1);
      expect(ns[0].kind).toBe(how.kind === 'RESOLVED' ? 'MARKET_RESOLVED' : 'MARKET_VOIDED');
      expect(ns[0].payload.amountCents).toBe(Number(amount));
      expect(ns[0].payload.yesShares).toBe(Number(held.get(user.id)!.yes));
      expect(ns[0].payload.noShares).toBe(Number(held.get(user.id)!.no));
    }

    // The resolution record.
    const rec = await t.api('GET', `/api/markets/${market.slug}/resolution`);
    expect(rec.status).toBe(200);
    expect(rec.body).toMatchObject({
      marketId: market.id,
      slug: market.slug,
      kind: how.kind === 'RESOLVED' ? 'RESOLUTION' : 'VOID_REFUND',
      outcome: how.kind === 'RESOLVED' ? how.outcome : null,
      resolverId: actor.id,
      collateralCents: Number(collateral),
      paidCents: Number(paid),
      houseCents: Number(houseCut),
      holders: holders.length,
    });
    expect(Number.isNaN(Date.parse(rec.body.resolvedAt))).toBe(false);
    await expectReconciled(t);

    // Repeats pay nothing: the Idempotency-Key replay, and the same target state without a key.
    const replay = await setStatus(t, actor.token, market.slug, how.kind, how.kind === 'RESOLVED' ? how.outcome : undefined, { 'idempotency-key': key });
    expect(replay.status).toBe(200);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(first.body);
    const again = await setStatus(t, actor.token, market.slug, how.kind, how.kind === 'RESOLVED' ? how.outcome : undefined);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    const adminAgain = await setStatus(t, admin.token, market.slug, how.kind, how.kind === 'RESOLVED' ? how.outcome : undefined, { 'idempotency-key': randomUUID() });
    expect(adminAgain.status).toBe(200);
    expect(adminAgain.body).toEqual(first.body);
    // A different final state stays forbidden; the same key with a different request is refused.
    const other = how.kind === 'RESOLVED' ? { s: 'RESOLVED', o: how.outcome === 'YES' ? 'NO' : 'YES' } : { s: 'RESOLVED', o: 'YES' };
    const conflicting = await setStatus(t, admin.token, market.slug, other.s, other.o as 'YES' | 'NO');
    expect([conflicting.status, conflicting.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    if (how.kind === 'RESOLVED') {
      const cancel = await setStatus(t, admin.token, market.slug, 'CANCELLED');
      expect([cancel.status, cancel.body.error?.code]).toEqual([409, 'INVALID_TRANSITION']);
    }
    const reused = await setStatus(t, actor.token, market.slug, other.s, other.o as 'YES' | 'NO', { 'idempotency-key': key });
    expect([reused.status, reused.body.error?.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);

    expectSameMoney(after, await money(t));
    for (const user of participants) expect(await notificationsOf(user, market.id)).toHaveLength(expected.has(user.id) ? 1 : 0);
    const audits = await prisma.auditLog.findMany({ where: { targetId: market.id, action: how.kind === 'RESOLVED' ? 'MARKET_RESOLVED' : 'MARKET_CANCELLED' } });
    expect(audits).toHaveLength(1);
    await expectReconciled(t);
  }

  it('resolves YES: every YES share pays 100, NO pays 0, conserved, paid once', async () => {
    const market = await t.createOpenMarket();
    await tradingSession(t, users, market.slug);
    await settleAndCheck(market, admin, { kind: 'RESOLVED', outcome: 'YES' }, users);
  });

  it('resolves NO by the designated resolver, from HALTED', async () => {
    const resolver = await t.registerUser();
    const market = await t.createOpenMarket({ resolverId: resolver.id });
    await tradingSession(t, users, market.slug);
    expect((await setStatus(t, admin.token, market.slug, 'HALTED')).status).toBe(200);
    await settleAndCheck(market, resolver, { kind: 'RESOLVED', outcome: 'NO' }, [...users, resolver]);
  });

  it('cancels (void) with cost basis above collateral: refunds pro rata, remainder to the house', async () => {
    const market = await t.createOpenMarket();
    await tradingSession(t, users, market.slug);
    await settleAndCheck(market, admin, { kind: 'CANCELLED' }, users, 'pro-rata');
  });

  it('cancels (void) a CLOSED market with cost basis within collateral: full cost refunded, surplus to the house', async () => {
    const market = await t.createOpenMarket();
    const [a, b, c] = users as [TestUser, TestUser, TestUser];
    // MINT 10 pairs: a YES at 60, b NO at 40; then a sells its YES at a loss to c at 50.
    await place(t, a, market.slug, { side: 'BUY', outcome: 'YES', price: 60, quantity: 10 });
    await place(t, b, market.slug, { side: 'BUY', outcome: 'NO', price: 40, quantity: 10 });
    await place(t, a, market.slug, { side: 'SELL', outcome: 'YES', price: 50, quantity: 10 });
    await place(t, c, market.slug, { side: 'BUY', outcome: 'YES', price: 50, quantity: 10 });
    const resting = await place(t, c, market.slug, { side: 'BUY', outcome: 'NO', price: 2, quantity: 10 });
    const held = await holdings(t, market.id);
    expect(held.get(b.id)).toEqual({ yes: 0n, no: 10n, cost: 400n });
    expect(held.get(c.id)).toEqual({ yes: 10n, no: 0n, cost: 500n });
    // Closing cancels the resting order and releases its escrow.
    expect((await setStatus(t, admin.token, market.slug, 'CLOSED')).status).toBe(200);
    const order = await t.rt.ctx.prisma.order.findUniqueOrThrow({ where: { id: BigInt(resting.order.id) } });
    expect([order.status, order.reason]).toEqual(['CANCELLED', 'MARKET_CLOSED']);
    expect((await money(t)).locked).toBe(0n);
    const late = await t.api('POST', `/api/orders/${market.slug}`, { token: a.token, body: { side: 'BUY', outcome: 'YES', price: 1, quantity: 1 } });
    expect([late.status, late.body.error?.code]).toEqual([409, 'MARKET_NOT_OPEN']);
    const houseBefore = (await money(t)).house;
    await settleAndCheck(market, admin, { kind: 'CANCELLED' }, [a, b, c], 'full', false);
    expect((await money(t)).house - houseBefore).toBe(100n);
    expect((await notificationsOf(b, market.id))[0].payload.amountCents).toBe(400);
    expect((await notificationsOf(c, market.id))[0].payload.amountCents).toBe(500);
  });

  it('cancels a DRAFT market (nothing to refund) and keeps a record', async () => {
    const m = await createDraft(t);
    const res = await setStatus(t, admin.token, m.slug, 'CANCELLED');
    expect(res.status).toBe(200);
    const rec = await t.api('GET', `/api/markets/${m.slug}/resolution`);
    expect(rec.body).toMatchObject({ kind: 'VOID_REFUND', collateralCents: 0, paidCents: 0, houseCents: 0, holders: 0 });
    const open = await t.createOpenMarket();
    const none = await t.api('GET', `/api/markets/${open.slug}/resolution`);
    expect([none.status, none.body.error?.code]).toEqual([404, 'NOT_FOUND']);
  });
});
