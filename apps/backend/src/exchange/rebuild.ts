/**
 * Start-up and recovery: rebuild the engine's whole state from the database.
 *
 * The tables hold exactly what the engine's events said (persist.ts), so the snapshot built
 * here is the engine's state after the last committed batch: resting orders re-queue in
 * ascending queueSeq (original time priority), and the id counters continue after the
 * largest ids stored. The caller then checks the rebuilt engine's invariants.
 *
 * The snapshot is two set-based statements in one read-only database snapshot, each one round
 * trip with the whole set aggregated in PostgreSQL, so a deep book comes back with no per-row
 * client work:
 * - every table but the open orders as one JSON object of tuples;
 * - the open orders grouped by (user, market): per group one text of `;`-separated orders, each
 *   `id,queueSeq,qty,remainingQty,filledQty,priceCents,flags,expiresMs` (integers only: the
 *   enum columns packed into `flags` bit fields, see ORDER_FLAGS), plus the group's
 *   clientOrderIds. Integer text is PostgreSQL's cheapest output (a JSON tuple per order cost
 *   about 5x as much server time for 100,000 orders).
 * The clientOrderIds of final orders are only those still inside the engine's retention window
 * (`loadSnapshot`), not every id ever used.
 * Given a database URL they run over a short-lived node-postgres connection: Prisma's client
 * costs tens of nanoseconds per byte of a result, seconds for 100,000 orders. The engine
 * re-queues the open orders in queueSeq order itself (MatchingEngine.restore sorts them).
 */
import { DEFAULT_ENGINE_CONFIG, MatchingEngine, type EngineConfig, type EngineSnapshot, type OrderView } from '@prediction-markets/matching-engine';
import { bookSideOf, yesPriceOf } from '@prediction-markets/shared';
import pg from 'pg';
import type { PrismaClient } from '../db/types.ts';

const ms = (col: string): string => `(extract(epoch FROM ${col}) * 1000)::bigint`;

/** Everything but the open orders: one JSON object, one tuple per row (fields in the order the `SmallTables` types list). */
const TABLES_SQL = `
  SELECT json_build_object(
    'accounts', (SELECT coalesce(json_agg(json_build_array(user_id, available_cents, locked_cents) ORDER BY user_id), '[]') FROM accounts),
    'markets', (SELECT coalesce(json_agg(json_build_array(id, status, outcome, seq, ${ms('closes_at')}, tick_cents, pairs_outstanding,
      collateral_cents, last_yes_price_cents, volume_shares) ORDER BY created_at), '[]') FROM markets),
    'positions', (SELECT coalesce(json_agg(json_build_array(user_id, market_id, yes_shares, yes_locked_shares, no_shares,
      no_locked_shares, yes_cost_cents, no_cost_cents, realised_pnl_cents)), '[]') FROM positions),
    'system', (SELECT coalesce(json_object_agg(id, balance_cents), '{}') FROM system_accounts),
    'maxOrderId', (SELECT max(id) FROM orders),
    'maxTradeId', (SELECT max(id) FROM trades),
    'maxQueueSeq', (SELECT max(queue_seq) FROM orders),
    'clientOrderIds', (SELECT coalesce(json_agg(json_build_array(id, user_id, client_order_id, ${ms('updated_at')})), '[]') FROM orders
      WHERE client_order_id IS NOT NULL AND status NOT IN ('OPEN', 'PARTIALLY_FILLED') AND ${ms('updated_at')} > $1::bigint)
  )::text AS j`;

/**
 * The enum columns of an open order packed into one integer (bit fields). An unknown value sets
 * UNKNOWN_FLAG, and the rebuild refuses the row rather than guess.
 */
const ORDER_FLAGS = `(
    (CASE side WHEN 'BUY' THEN 0 WHEN 'SELL' THEN 1 ELSE 1024 END)
  | (CASE outcome WHEN 'YES' THEN 0 WHEN 'NO' THEN 2 ELSE 1024 END)
  | (CASE type WHEN 'LIMIT' THEN 0 WHEN 'MARKET' THEN 4 ELSE 1024 END)
  | (CASE time_in_force WHEN 'GTC' THEN 0 WHEN 'GTD' THEN 8 WHEN 'IOC' THEN 16 WHEN 'FOK' THEN 24 ELSE 1024 END)
  | (CASE WHEN post_only THEN 32 ELSE 0 END)
  | (CASE stp WHEN 'CANCEL_TAKER' THEN 0 WHEN 'CANCEL_MAKER' THEN 64 WHEN 'CANCEL_BOTH' THEN 128 ELSE 1024 END)
  | (CASE status WHEN 'OPEN' THEN 0 WHEN 'PARTIALLY_FILLED' THEN 256 ELSE 1024 END)
  | (CASE WHEN price_cents IS NULL THEN 512 ELSE 0 END))`;
const UNKNOWN_FLAG = 1024;
const TIF: OrderView['timeInForce'][] = ['GTC', 'GTD', 'IOC', 'FOK'];
const STP: OrderView['stp'][] = ['CANCEL_TAKER', 'CANCEL_MAKER', 'CANCEL_BOTH'];

/**
 * Open orders grouped by (user, market); see the module comment. Of the open orders, the part
 * `id % $1 = $2` ($1 parts, this one numbered $2 from 0): the parts are read in parallel.
 */
const OPEN_ORDERS_SQL = `
  SELECT user_id::text AS u, market_id::text AS m,
    string_agg(concat_ws(',', id, queue_seq, qty, remaining_qty, filled_qty, coalesce(price_cents, 0), ${ORDER_FLAGS},
      coalesce(${ms('expires_at')}, -1)), ';') AS o,
    (json_agg(json_build_array(id, client_order_id)) FILTER (WHERE client_order_id IS NOT NULL))::text AS c
  FROM orders WHERE status IN ('OPEN', 'PARTIALLY_FILLED') AND id % $1::bigint = $2::bigint GROUP BY user_id, market_id`;

/**
 * Over node-postgres the open orders are read in OPEN_ORDER_PARTS parts on SNAPSHOT_CONNECTIONS
 * connections (part k on connection k % SNAPSHOT_CONNECTIONS), all in one database snapshot
 * (`pg_export_snapshot`): PostgreSQL aggregates a part on each connection at once, and this
 * process parses each part as it arrives. Every part scans the whole table (the split is
 * `id % parts`), so more parts than connections measured no better here (2 cores).
 */
const SNAPSHOT_CONNECTIONS = 2;
const OPEN_ORDER_PARTS = 2;

type MarketTuple = [string, EngineSnapshot['markets'][number]['status'], 'YES' | 'NO' | null, number, number | null, number, number, number, number | null, number];

interface SmallTables {
  accounts: [string, number, number][];
  markets: MarketTuple[];
  positions: [string, string, number, number, number, number, number, number, number][];
  system: Record<string, number>;
  maxOrderId: number | null;
  maxTradeId: number | null;
  maxQueueSeq: number | null;
  /** The clientOrderIds of FINAL orders that became final inside the retention window: [orderId, userId, clientOrderId, finalAtMs]. */
  clientOrderIds: [number, string, string, number][];
}

interface OpenOrderGroup {
  u: string;
  m: string;
  o: string;
  c: string | null;
}

/**
 * The open orders of one (user, market) group as engine order views. Throws on an unknown enum
 * value or a malformed field. The group's text is scanned once, character by character (no
 * split into substrings): 100,000 orders are some 800,000 integers.
 */
function groupOrders(g: OpenOrderGroup, out: OrderView[]): void {
  const clientIds = g.c === null ? null : new Map(JSON.parse(g.c) as [number, string][]);
  const text = g.o;
  const fields: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
  let pos = 0;
  while (pos < text.length) {
    // id,queueSeq,qty,remainingQty,filledQty,priceCents,flags,expiresMs: integers, only the last may be negative
    for (let k = 0; k < 8; k++) {
      let negative = false;
      if (text.charCodeAt(pos) === 45 /* - */) {
        negative = true;
        pos++;
      }
      const start = pos;
      let v = 0;
      for (let ch = text.charCodeAt(pos); ch >= 48 && ch <= 57; ch = text.charCodeAt(++pos)) v = v * 10 + (ch - 48);
      const end = text.charCodeAt(pos);
      if (pos === start || pos - start > 15 || (k < 7 ? end !== 44 /* , */ : !(end === 59 /* ; */ || pos === text.length))) {
        throw new Error(`malformed open order in the snapshot near: ${text.slice(Math.max(0, start - 40), pos + 40)}`);
      }
      fields[k] = negative ? -v : v;
      pos++;
    }
    const orderId = fields[0]!;
    const flags = fields[6]!;
    if ((flags & UNKNOWN_FLAG) !== 0) throw new Error(`order ${orderId} has a side, outcome, type, time in force, STP mode or status the rebuild does not know`);
    const side = (flags & 1) === 0 ? 'BUY' : 'SELL';
    const outcome = (flags & 2) === 0 ? 'YES' : 'NO';
    const priceCents = (flags & 512) === 0 ? fields[5]! : null;
    const expiresMs = fields[7]!;
    out.push({
      orderId,
      userId: g.u,
      marketId: g.m,
      side,
      outcome,
      orderType: (flags & 4) === 0 ? 'LIMIT' : 'MARKET',
      priceCents,
      yesPriceCents: priceCents === null ? null : yesPriceOf(priceCents, outcome),
      bookSide: bookSideOf(side, outcome),
      qty: fields[2]!,
      remainingQty: fields[3]!,
      filledQty: fields[4]!,
      timeInForce: TIF[(flags >> 3) & 3]!,
      expiresAtMs: expiresMs < 0 ? null : expiresMs,
      postOnly: (flags & 32) !== 0,
      stp: STP[(flags >> 6) & 3]!,
      clientOrderId: clientIds?.get(orderId) ?? null,
      queueSeq: fields[1]!,
      status: (flags & 256) === 0 ? 'OPEN' : 'PARTIALLY_FILLED',
    });
  }
}

/**
 * Run the statements in one read-only database snapshot: over node-postgres when `databaseUrl`
 * is given (the open orders in OPEN_ORDER_PARTS parts on SNAPSHOT_CONNECTIONS connections, the first one
 * exporting its snapshot to the other), else through Prisma. `onGroups` receives each part's
 * open-order groups as soon as that part has arrived.
 */
async function readSnapshotRows(
  prisma: PrismaClient,
  finalCutoffMs: number,
  databaseUrl: string | undefined,
  onGroups: (groups: OpenOrderGroup[]) => void,
): Promise<SmallTables> {
  if (databaseUrl === undefined) {
    const [tables, groups] = await Promise.all([
      prisma.$queryRawUnsafe<{ j: string }[]>(TABLES_SQL, finalCutoffMs),
      prisma.$queryRawUnsafe<OpenOrderGroup[]>(OPEN_ORDERS_SQL, 1, 0),
    ]);
    onGroups(groups);
    return JSON.parse(tables[0]!.j) as SmallTables;
  }
  const clients = Array.from({ length: SNAPSHOT_CONNECTIONS }, (_, i) => new pg.Client({ connectionString: databaseUrl, application_name: `prediction-markets-rebuild-${i}` }));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const [lead, ...others] = clients as [pg.Client, ...pg.Client[]];
    await lead.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const snapshotId = (await lead.query<{ s: string }>('SELECT pg_export_snapshot() AS s')).rows[0]!.s;
    if (!/^[0-9A-F-]+$/i.test(snapshotId)) throw new Error(`unexpected snapshot id ${snapshotId}`);
    await Promise.all(
      others.map(async (c) => {
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        await c.query(`SET TRANSACTION SNAPSHOT '${snapshotId}'`);
      }),
    );
    const parts = Array.from({ length: OPEN_ORDER_PARTS }, (_, part) =>
      clients[part % clients.length]!.query<OpenOrderGroup>(OPEN_ORDERS_SQL, [OPEN_ORDER_PARTS, part]).then((res) => onGroups(res.rows)),
    );
    const tables = lead.query<{ j: string }>(TABLES_SQL, [finalCutoffMs]);
    await Promise.all(parts);
    const r = JSON.parse((await tables).rows[0]!.j) as SmallTables;
    await Promise.all(clients.map((c) => c.query('COMMIT')));
    return r;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

/**
 * Read the engine snapshot from the database at wall-clock `nowMs` (see above).
 * `clientOrderIdRetentionMs` (the engine's window, default 24 h): the clientOrderIds loaded are
 * those of open orders and of final orders whose last change (`updated_at`, the time they became
 * final) is less than the window before `nowMs`, with that time as `finalAtMs`; older ids may
 * name new orders and are not loaded.
 * `databaseUrl`: over node-postgres; without it, through Prisma.
 */
export async function loadSnapshot(
  prisma: PrismaClient,
  nowMs: number,
  databaseUrl?: string,
  clientOrderIdRetentionMs: number = DEFAULT_ENGINE_CONFIG.clientOrderIdRetentionMs,
): Promise<EngineSnapshot> {
  const orders: OrderView[] = [];
  const r = await readSnapshotRows(prisma, nowMs - clientOrderIdRetentionMs, databaseUrl, (groups) => {
    for (const g of groups) groupOrders(g, orders);
  });
  const openClientIds: EngineSnapshot['clientOrderIds'] = [];
  for (const o of orders) {
    if (o.clientOrderId !== null) openClientIds.push({ userId: o.userId, clientOrderId: o.clientOrderId, orderId: o.orderId, finalAtMs: null });
  }
  return {
    version: 1,
    nowMs,
    nextOrderId: (r.maxOrderId ?? 0) + 1,
    nextTradeId: (r.maxTradeId ?? 0) + 1,
    nextQueueSeq: (r.maxQueueSeq ?? 0) + 1,
    houseCents: r.system.HOUSE ?? 0,
    grantedCents: -(r.system.TREASURY ?? 0),
    accounts: r.accounts.map(([userId, availableCents, lockedCents]) => ({ userId, availableCents, lockedCents })),
    markets: r.markets.map(([marketId, status, outcome, seq, closesAtMs, tickCents, pairsOutstanding, collateralCents, lastYesPriceCents, volumeShares]) => ({
      marketId,
      status,
      outcome,
      seq,
      closesAtMs,
      tickCents,
      pairsOutstanding,
      collateralCents,
      lastYesPriceCents,
      volumeShares,
    })),
    positions: r.positions.map(([userId, marketId, yesShares, yesLockedShares, noShares, noLockedShares, yesCostCents, noCostCents, realisedPnlCents]) => ({
      userId,
      marketId,
      yesShares,
      yesLockedShares,
      noShares,
      noLockedShares,
      yesCostCents,
      noCostCents,
      realisedPnlCents,
    })),
    orders,
    clientOrderIds: [...openClientIds, ...r.clientOrderIds.map(([orderId, userId, clientOrderId, finalAtMs]) => ({ userId, clientOrderId, orderId, finalAtMs }))],
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
  const snapshot = await loadSnapshot(prisma, nowMs, databaseUrl, config.clientOrderIdRetentionMs);
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
