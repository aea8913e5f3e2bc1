/**
 * Start-up and recovery: rebuild the engine's whole state from the database.
 *
 * The tables hold exactly what the engine's events said (persist.ts), so the snapshot built
 * here is the engine's state after the last committed batch: resting orders re-queue in
 * ascending queueSeq (original time priority), and the id counters continue after the
 * largest ids stored. The caller then checks the rebuilt engine's invariants.
 *
 * The big reads (open orders, clientOrderIds) are ONE set-based statement each that returns
 * the whole set as one JSON text (aggregated in PostgreSQL, parsed once here): a deep book
 * comes back in one round trip with no per-row client work. Given a database URL they run over
 * a short-lived node-postgres connection: Prisma's client costs tens of nanoseconds per byte
 * of a result, seconds for 100,000 orders.
 */
import { MatchingEngine, type EngineConfig, type EngineSnapshot, type OrderView } from '@prediction-markets/matching-engine';
import pg from 'pg';
import type { PrismaClient } from '../db/types.ts';

const n = (v: bigint | number | null): number => (v === null ? 0 : Number(v));

/** Open orders in queue order, one JSON array per order (the fields of `toOrderView`, in order). */
const OPEN_ORDERS_SQL = `
  SELECT coalesce(json_agg(json_build_array(id, user_id, market_id, side, outcome, type, price_cents, qty, remaining_qty, filled_qty,
    time_in_force, (extract(epoch FROM expires_at) * 1000)::bigint, post_only, stp, client_order_id, queue_seq, status) ORDER BY queue_seq), '[]')::text AS j
  FROM orders WHERE status IN ('OPEN', 'PARTIALLY_FILLED')`;
/** Every clientOrderId: [orderId, userId, clientOrderId]. */
const CLIENT_IDS_SQL = `
  SELECT coalesce(json_agg(json_build_array(id, user_id, client_order_id)), '[]')::text AS j
  FROM orders WHERE client_order_id IS NOT NULL`;

type OpenOrderTuple = [number, string, string, 'BUY' | 'SELL', 'YES' | 'NO', OrderView['orderType'], number | null, number, number, number,
  OrderView['timeInForce'], number | null, boolean, OrderView['stp'], string | null, number, string];

function toOrderView(t: OpenOrderTuple): OrderView {
  const [orderId, userId, marketId, side, outcome, orderType, priceCents, qty, remainingQty, filledQty, timeInForce, expiresAtMs, postOnly, stp, clientOrderId, queueSeq, status] = t;
  return {
    orderId,
    userId,
    marketId,
    side,
    outcome,
    orderType,
    priceCents,
    yesPriceCents: priceCents === null ? null : outcome === 'YES' ? priceCents : 100 - priceCents,
    bookSide: (side === 'BUY') === (outcome === 'YES') ? 'BID' : 'ASK',
    qty,
    remainingQty,
    filledQty,
    timeInForce,
    expiresAtMs,
    postOnly,
    stp,
    clientOrderId,
    queueSeq,
    status: status === 'PARTIALLY_FILLED' ? 'PARTIALLY_FILLED' : 'OPEN',
  };
}

/** Run JSON-returning statements (one row, column `j`) over node-postgres when `databaseUrl` is given, else through Prisma. */
async function jsonQueries(prisma: PrismaClient, databaseUrl: string | undefined, sqls: string[]): Promise<unknown[]> {
  if (databaseUrl === undefined) {
    return Promise.all(sqls.map(async (sql) => JSON.parse((await prisma.$queryRawUnsafe<{ j: string }[]>(sql))[0]!.j) as unknown));
  }
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'prediction-markets-rebuild' });
  await client.connect();
  try {
    // One snapshot of the database for all of them (they are read-only).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const out: unknown[] = [];
    for (const sql of sqls) out.push(JSON.parse((await client.query<{ j: string }>(sql)).rows[0]!.j) as unknown);
    await client.query('COMMIT');
    return out;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Read the engine snapshot from the database at wall-clock `nowMs`. `databaseUrl`: read the
 * open orders and clientOrderIds over node-postgres (see above); without it, through Prisma.
 */
export async function loadSnapshot(prisma: PrismaClient, nowMs: number, databaseUrl?: string): Promise<EngineSnapshot> {
  const [accounts, markets, positions, [openRows, clientIdRows], maxes, system] = await Promise.all([
    prisma.account.findMany({ orderBy: { userId: 'asc' } }),
    prisma.market.findMany({ orderBy: { createdAt: 'asc' } }),
    prisma.position.findMany(),
    jsonQueries(prisma, databaseUrl, [OPEN_ORDERS_SQL, CLIENT_IDS_SQL]) as Promise<[OpenOrderTuple[], [number, string, string][]]>,
    prisma.$queryRawUnsafe<{ max_order: bigint | null; max_trade: bigint | null; max_queue: bigint | null }[]>(
      `SELECT (SELECT max(id) FROM orders) AS max_order, (SELECT max(id) FROM trades) AS max_trade,
              (SELECT max(queue_seq) FROM orders) AS max_queue`,
    ),
    prisma.systemAccount.findMany(),
  ]);
  const m = maxes[0];
  const sys = new Map(system.map((s) => [s.id, n(s.balanceCents)]));
  const openOrders: OrderView[] = openRows.map(toOrderView);
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
    clientOrderIds: clientIdRows.map(([orderId, userId, clientOrderId]) => ({ userId, clientOrderId, orderId })),
  };
}

/** Where a rebuild's time went, ms (start-up timings, `pnpm bench:restart`). */
export interface RebuildTimings {
  /** Reading the snapshot from the database. */
  loadMs: number;
  /** Building the engine from it. */
  restoreMs: number;
  /** `checkInvariants()` of the rebuilt engine. */
  checkMs: number;
  /** Open orders restored. */
  openOrders: number;
}

/**
 * Rebuild an engine from the database and check its invariants. Throws when the stored
 * state is inconsistent (the message lists every violation): the service must not trade on it.
 * `timings`, when given, is filled in; `databaseUrl`: see `loadSnapshot`.
 */
export async function rebuildEngine(
  prisma: PrismaClient,
  config: Partial<EngineConfig>,
  nowMs: number,
  timings?: RebuildTimings,
  databaseUrl?: string,
): Promise<MatchingEngine> {
  const t0 = performance.now();
  const snapshot = await loadSnapshot(prisma, nowMs, databaseUrl);
  const t1 = performance.now();
  const engine = MatchingEngine.restore(snapshot, config);
  const t2 = performance.now();
  const violations = engine.checkInvariants();
  if (timings !== undefined) {
    timings.loadMs = t1 - t0;
    timings.restoreMs = t2 - t1;
    timings.checkMs = performance.now() - t2;
    timings.openOrders = snapshot.orders.length;
  }
  if (violations.length > 0) {
    throw new Error(`database state violates engine invariants:\n  ${violations.slice(0, 20).join('\n  ')}`);
  }
  return engine;
}
