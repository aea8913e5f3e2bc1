/**
 * Start-up and recovery: rebuild the engine's whole state from the database.
 *
 * The tables hold exactly what the engine's events said (persist.ts), so the snapshot built
 * here is the engine's state after the last committed batch: resting orders re-queue in
 * ascending queueSeq (original time priority), and the id counters continue after the
 * largest ids stored. The caller then checks the rebuilt engine's invariants.
 */
import { MatchingEngine, type EngineConfig, type EngineSnapshot, type OrderView } from '@prediction-markets/matching-engine';
import type { PrismaClient } from '../db/types.ts';

const n = (v: bigint | number | null): number => (v === null ? 0 : Number(v));

/** Read the engine snapshot from the database at wall-clock `nowMs`. */
export async function loadSnapshot(prisma: PrismaClient, nowMs: number): Promise<EngineSnapshot> {
  const [accounts, markets, positions, orders, clientIds, maxes, system] = await Promise.all([
    prisma.account.findMany({ orderBy: { userId: 'asc' } }),
    prisma.market.findMany({ orderBy: { createdAt: 'asc' } }),
    prisma.position.findMany(),
    prisma.order.findMany({ where: { status: { in: ['OPEN', 'PARTIALLY_FILLED'] } }, orderBy: { queueSeq: 'asc' } }),
    prisma.order.findMany({ where: { clientOrderId: { not: null } }, select: { id: true, userId: true, clientOrderId: true } }),
    prisma.$queryRawUnsafe<{ max_order: bigint | null; max_trade: bigint | null; max_queue: bigint | null }[]>(
      `SELECT (SELECT max(id) FROM orders) AS max_order, (SELECT max(id) FROM trades) AS max_trade,
              (SELECT max(queue_seq) FROM orders) AS max_queue`,
    ),
    prisma.systemAccount.findMany(),
  ]);
  const m = maxes[0];
  const sys = new Map(system.map((s) => [s.id, n(s.balanceCents)]));
  const openOrders: OrderView[] = orders.map((o) => ({
    orderId: n(o.id),
    userId: o.userId,
    marketId: o.marketId,
    side: o.side,
    outcome: o.outcome,
    orderType: o.type,
    priceCents: o.priceCents,
    yesPriceCents: o.priceCents === null ? null : o.outcome === 'YES' ? o.priceCents : 100 - o.priceCents,
    bookSide: (o.side === 'BUY') === (o.outcome === 'YES') ? 'BID' : 'ASK',
    qty: o.qty,
    remainingQty: o.remainingQty,
    filledQty: o.filledQty,
    timeInForce: o.timeInForce,
    expiresAtMs: o.expiresAt === null ? null : o.expiresAt.getTime(),
    postOnly: o.postOnly,
    stp: o.stp,
    clientOrderId: o.clientOrderId,
    queueSeq: n(o.queueSeq),
    status: o.status === 'PARTIALLY_FILLED' ? 'PARTIALLY_FILLED' : 'OPEN',
  }));
  return {
    version: 1,
    nowMs,
    nextOrderId: n(m?.max_order ?? null) + 1,
    nextTradeId: n(m?.max_trade ?? null) + 1,
    nextQueueSeq: n(m?.max_queue ?? null) + 1,
    houseCents: sys.get('HOUSE') ?? 0,
    grantedCents: -(sys.get('TREASURY') ?? 0),
    accounts: accounts.map((a) => ({ userId: a.userId, availableCents: n(a.availableCents), lockedCents: n(a.lockedCents) })),
    markets: markets.map((mk) => ({
      marketId: mk.id,
      status: mk.status,
      outcome: mk.outcome,
      seq: n(mk.seq),
      closesAtMs: mk.closesAt === null ? null : mk.closesAt.getTime(),
      tickCents: mk.tickCents,
      pairsOutstanding: n(mk.pairsOutstanding),
      collateralCents: n(mk.collateralCents),
      lastYesPriceCents: mk.lastYesPriceCents,
      volumeShares: n(mk.volumeShares),
    })),
    positions: positions.map((p) => ({
      userId: p.userId,
      marketId: p.marketId,
      yesShares: n(p.yesShares),
      yesLockedShares: n(p.yesLockedShares),
      noShares: n(p.noShares),
      noLockedShares: n(p.noLockedShares),
      yesCostCents: n(p.yesCostCents),
      noCostCents: n(p.noCostCents),
      realisedPnlCents: n(p.realisedPnlCents),
    })),
    orders: openOrders,
    clientOrderIds: clientIds.map((c) => ({ userId: c.userId, clientOrderId: c.clientOrderId as string, orderId: n(c.id) })),
  };
}

/**
 * Rebuild an engine from the database and check its invariants. Throws when the stored
 * state is inconsistent (the message lists every violation): the service must not trade on it.
 */
export async function rebuildEngine(prisma: PrismaClient, config: Partial<EngineConfig>, nowMs: number): Promise<MatchingEngine> {
  const snapshot = await loadSnapshot(prisma, nowMs);
  const engine = MatchingEngine.restore(snapshot, config);
  const violations = engine.checkInvariants();
  if (violations.length > 0) {
    throw new Error(`database state violates engine invariants:\n  ${violations.slice(0, 20).join('\n  ')}`);
  }
  return engine;
}
