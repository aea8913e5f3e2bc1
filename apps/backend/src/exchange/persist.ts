/**
 * Group commit: the events of one batch of engine commands become set-based SQL: ONE
 * statement per batch, a chain of data-modifying CTEs (one per table, `jsonb_to_recordset` of
 * every row), so a batch of hundreds of commands costs one statement and one fsync.
 *
 * - A batch without SQL of its jobs (orders, cancels: the hot path) is that one statement,
 *   sent alone (autocommit: a single statement is atomic in PostgreSQL) through Prisma's raw
 *   execution, or with WRITER_SQL=pg over a dedicated node-postgres connection.
 * - A batch whose jobs add SQL (new markets, grants, audit entries) runs the statement and
 *   that SQL in ONE Prisma interactive transaction.
 * - `buildBatchRows` (sync) and `writeBatch` (async) are separate so that the writer builds a
 *   batch's rows the moment it is sealed, then executes the next batch while this one commits.
 */
import type { EngineEvent, MarketView } from '@prediction-markets/matching-engine';
import type { PrismaClient, TxClient } from '../db/types.ts';
import { payoutNotificationKind } from '../accounts/dto.ts';

/** SQL of a `jsonb` array parameter turned into rows. */
const EPOCH = `'epoch'::timestamptz`;
const ms = (col: string): string => `(${EPOCH} + ${col} * interval '1 millisecond')`;

interface OrderRow {
  id: number;
  user_id: string;
  market_id: string;
  side: string;
  outcome: string;
  type: string;
  price_cents: number | null;
  qty: number;
  remaining_qty: number;
  filled_qty: number;
  time_in_force: string;
  expires_ms: number | null;
  post_only: boolean;
  stp: string;
  max_cost_cents: number | null;
  client_order_id: string | null;
  queue_seq: number;
  status: string;
  reason: string | null;
  created_ms: number;
  updated_ms: number;
}

interface OrderUpdateRow {
  id: number;
  price_cents: number | null;
  qty: number;
  remaining_qty: number;
  filled_qty: number;
  queue_seq: number;
  status: string;
  reason: string;
  updated_ms: number;
}

/** The statement with every table (the prepared one of the direct path); built once. */
let fullStatement: string | undefined;

/**
 * The rows of one batch, built from its events when the batch is sealed (synchronously, so
 * market views are the engine's state right after THIS batch, even when the writer executes
 * the next batch before this one commits). Writing them is `writeBatch`.
 */
export interface BatchRows {
  /** One jsonb parameter per table of the statement, in statement order (every table, empty ones as `[]`). */
  params: string[];
  /** Indexes (into `params`) of the tables with rows. */
  nonEmpty: number[];
  /** Rows in all. */
  rows: number;
}

/** How to write a batch (see `writeBatch`). */
export interface BatchWrite {
  /**
   * Runs the batch's statement on its own (autocommit) over a dedicated node-postgres
   * connection when the batch has no hooks (WRITER_SQL=pg); null or absent: through Prisma.
   * `name` names a prepared statement (the same text every time).
   */
  direct?: ((sql: string, params: string[], name?: string) => Promise<unknown>) | null;
  /**
   * A batch without hooks is sent as its ONE statement through Prisma's raw execution, with
   * no interactive transaction around it (a single statement is atomic in PostgreSQL). False:
   * every batch runs in a Prisma interactive transaction (the writer's serial baseline).
   */
  singleStatement?: boolean;
  /** Run first in the transaction (rows the events refer to). */
  before: ((tx: TxClient) => Promise<void>)[];
  /** Run last in the transaction. */
  hooks: ((tx: TxClient) => Promise<void>)[];
}

export interface PersistStats {
  statements: number;
  rows: number;
}

/**
 * Build the rows of a batch from its events (pure; see `BatchRows`). `market` gives the final
 * state of a market the batch touched: the engine's view right after the batch.
 */
export function buildBatchRows(events: readonly EngineEvent[], market: (marketId: string) => MarketView | undefined): BatchRows {
  const newOrders = new Map<number, OrderRow>();
  const orderUpdates = new Map<number, OrderUpdateRow>();
  const trades: unknown[] = [];
  const ledger: unknown[] = [];
  const accounts = new Map<string, unknown>();
  const positions = new Map<string, unknown>();
  const marketsTouched = new Set<string>();
  const notifications: unknown[] = [];
  const settlements: unknown[] = [];
  let houseDelta = 0;
  let treasuryDelta = 0;
  let lastMs = 0;

  for (const e of events) {
    lastMs = e.tsMs;
    switch (e.type) {
      case 'ORDER_ACCEPTED': {
        const o = e.order;
        newOrders.set(o.orderId, {
          id: o.orderId,
          user_id: o.userId,
          market_id: o.marketId,
          side: o.side,
          outcome: o.outcome,
          type: o.orderType,
          price_cents: o.priceCents,
          qty: o.qty,
          remaining_qty: o.remainingQty,
          filled_qty: o.filledQty,
          time_in_force: o.timeInForce,
          expires_ms: o.expiresAtMs,
          post_only: o.postOnly,
          stp: o.stp,
          max_cost_cents: e.maxCostCents,
          client_order_id: o.clientOrderId,
          queue_seq: o.queueSeq,
          status: o.status,
          reason: null,
          created_ms: e.tsMs,
          updated_ms: e.tsMs,
        });
        marketsTouched.add(o.marketId);
        break;
      }
      case 'ORDER_UPDATED': {
        const row = newOrders.get(e.orderId);
        if (row !== undefined) {
          row.price_cents = e.priceCents;
          row.qty = e.qty;
          row.remaining_qty = e.remainingQty;
          row.filled_qty = e.filledQty;
          row.queue_seq = e.queueSeq;
          row.status = e.status;
          row.reason = e.reason;
          row.updated_ms = e.tsMs;
        } else {
          orderUpdates.set(e.orderId, {
            id: e.orderId,
            price_cents: e.priceCents,
            qty: e.qty,
            remaining_qty: e.remainingQty,
            filled_qty: e.filledQty,
            queue_seq: e.queueSeq,
            status: e.status,
            reason: e.reason,
            updated_ms: e.tsMs,
          });
        }
        break;
      }
      case 'TRADE':
        trades.push({
          id: e.tradeId,
          market_id: e.marketId,
          seq: e.seq,
          kind: e.kind,
          yes_price_cents: e.yesPriceCents,
          qty: e.qty,
          maker_order_id: e.makerOrderId,
          taker_order_id: e.takerOrderId,
          maker_user_id: e.makerUserId,
          taker_user_id: e.takerUserId,
          maker_side: e.makerSide,
          maker_outcome: e.makerOutcome,
          taker_side: e.takerSide,
          taker_outcome: e.takerOutcome,
          created_ms: e.tsMs,
        });
        marketsTouched.add(e.marketId);
        break;
      case 'LEDGER':
        ledger.push({
          n: ledger.length,
          debit: e.debit,
          credit: e.credit,
          amount: e.amountCents,
          reason: e.reason,
          market_id: e.marketId,
          trade_id: e.tradeId,
          created_ms: e.tsMs,
        });
        if (e.credit === 'HOUSE') houseDelta += e.amountCents;
        if (e.debit === 'HOUSE') houseDelta -= e.amountCents;
        if (e.credit === 'TREASURY') treasuryDelta += e.amountCents;
        if (e.debit === 'TREASURY') treasuryDelta -= e.amountCents;
        break;
      case 'BALANCE':
        accounts.set(e.userId, { user_id: e.userId, available: e.availableCents, locked: e.lockedCents, updated_ms: e.tsMs });
        break;
      case 'POSITION':
        positions.set(`${e.userId}/${e.marketId}`, {
          user_id: e.userId,
          market_id: e.marketId,
          yes: e.yesShares,
          yes_locked: e.yesLockedShares,
          no: e.noShares,
          no_locked: e.noLockedShares,
          yes_cost: e.yesCostCents,
          no_cost: e.noCostCents,
          realised: e.realisedPnlCents,
          updated_ms: e.tsMs,
        });
        break;
      case 'BOOK_LEVEL':
      case 'MARKET_CREATED':
      case 'MARKET_STATUS':
        marketsTouched.add(e.marketId);
        break;
      case 'PAYOUT':
        notifications.push({
          n: notifications.length,
          user_id: e.userId,
          kind: payoutNotificationKind(e.kind),
          market_id: e.marketId,
          payload: {
            amountCents: e.amountCents,
            yesShares: e.yesShares,
            noShares: e.noShares,
            costBasisCents: e.costBasisCents,
          },
          created_ms: e.tsMs,
        });
        break;
      case 'MARKET_SETTLED':
        settlements.push({
          market_id: e.marketId,
          kind: e.kind,
          outcome: e.outcome,
          collateral: e.collateralCents,
          paid: e.paidCents,
          house: e.houseCents,
          holders: e.holders,
          created_ms: e.tsMs,
        });
        marketsTouched.add(e.marketId);
        break;
      case 'COMMAND_REJECTED':
        break;
    }
  }

  const markets: unknown[] = [];
  for (const id of marketsTouched) {
    const m = market(id);
    if (m === undefined) continue;
    markets.push({
      id,
      seq: m.seq,
      status: m.status,
      outcome: m.outcome,
      pairs: m.pairsOutstanding,
      collateral: m.collateralCents,
      last_price: m.lastYesPriceCents,
      volume: m.volumeShares,
      updated_ms: lastMs,
    });
  }

  const system = [];
  if (houseDelta !== 0) system.push({ id: 'HOUSE', delta: houseDelta, updated_ms: lastMs });
  if (treasuryDelta !== 0) system.push({ id: 'TREASURY', delta: treasuryDelta, updated_ms: lastMs });
  const tableRows: unknown[][] = [
    [...newOrders.values()],
    [...orderUpdates.values()],
    trades,
    ledger,
    [...accounts.values()],
    [...positions.values()],
    markets,
    system,
    notifications,
    settlements,
  ];
  const out: BatchRows = { params: [], nonEmpty: [], rows: 0 };
  tableRows.forEach((rows, i) => {
    out.params.push(JSON.stringify(rows));
    if (rows.length > 0) {
      out.nonEmpty.push(i);
      out.rows += rows.length;
    }
  });
  return out;
}

// Every table's rows go into ONE statement: a chain of data-modifying CTEs, one per table
// with rows, each reading its own jsonb parameter. One round trip per batch, whatever its
// size. (Foreign keys are checked at the end of the statement, so a trade may refer to an
// order inserted by a sibling CTE; no two CTEs touch the same row.)
/** Every table's SQL: a data-modifying CTE reading its rows from jsonb parameter `p`, in `BatchRows.params` order. */
const TABLES: ((p: string) => string)[] = [
  (p) => `INSERT INTO orders (id, user_id, market_id, side, outcome, type, price_cents, qty, remaining_qty, filled_qty,
           time_in_force, expires_at, post_only, stp, max_cost_cents, client_order_id, queue_seq, status, reason, created_at, updated_at)
         SELECT id, user_id::uuid, market_id::uuid, side::"Side", outcome::"Outcome", type::"OrderType", price_cents, qty,
           remaining_qty, filled_qty, time_in_force::"TimeInForce", ${ms('expires_ms')}, post_only, stp::"StpMode",
           max_cost_cents, client_order_id, queue_seq, status::"OrderStatus", reason, ${ms('created_ms')}, ${ms('updated_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(id bigint, user_id text, market_id text, side text, outcome text, type text,
           price_cents int, qty int, remaining_qty int, filled_qty int, time_in_force text, expires_ms bigint, post_only boolean,
           stp text, max_cost_cents bigint, client_order_id text, queue_seq bigint, status text, reason text, created_ms bigint,
           updated_ms bigint)`,
  (p) => `UPDATE orders o SET price_cents = x.price_cents, qty = x.qty, remaining_qty = x.remaining_qty, filled_qty = x.filled_qty,
           queue_seq = x.queue_seq, status = x.status::"OrderStatus", reason = x.reason, updated_at = ${ms('x.updated_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(id bigint, price_cents int, qty int, remaining_qty int, filled_qty int,
           queue_seq bigint, status text, reason text, updated_ms bigint)
         WHERE o.id = x.id`,
  (p) => `INSERT INTO trades (id, market_id, seq, kind, yes_price_cents, qty, maker_order_id, taker_order_id, maker_user_id,
           taker_user_id, maker_side, maker_outcome, taker_side, taker_outcome, created_at)
         SELECT id, market_id::uuid, seq, kind::"TradeKind", yes_price_cents, qty, maker_order_id, taker_order_id,
           maker_user_id::uuid, taker_user_id::uuid, maker_side::"Side", maker_outcome::"Outcome", taker_side::"Side",
           taker_outcome::"Outcome", ${ms('created_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(id bigint, market_id text, seq bigint, kind text, yes_price_cents int, qty int,
           maker_order_id bigint, taker_order_id bigint, maker_user_id text, taker_user_id text, maker_side text,
           maker_outcome text, taker_side text, taker_outcome text, created_ms bigint)`,
  (p) => `INSERT INTO ledger_entries (debit_account, credit_account, amount_cents, reason, market_id, trade_id, created_at)
         SELECT debit, credit, amount, reason, market_id::uuid, trade_id, ${ms('created_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(n int, debit text, credit text, amount bigint, reason text,
           market_id text, trade_id bigint, created_ms bigint)
         ORDER BY n`,
  (p) => `INSERT INTO accounts (user_id, available_cents, locked_cents, updated_at)
         SELECT user_id::uuid, available, locked, ${ms('updated_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(user_id text, available bigint, locked bigint, updated_ms bigint)
         ON CONFLICT (user_id) DO UPDATE SET available_cents = EXCLUDED.available_cents,
           locked_cents = EXCLUDED.locked_cents, updated_at = EXCLUDED.updated_at`,
  (p) => `INSERT INTO positions (user_id, market_id, yes_shares, yes_locked_shares, no_shares, no_locked_shares, yes_cost_cents,
           no_cost_cents, realised_pnl_cents, updated_at)
         SELECT user_id::uuid, market_id::uuid, yes, yes_locked, no, no_locked, yes_cost, no_cost, realised, ${ms('updated_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(user_id text, market_id text, yes bigint, yes_locked bigint, no bigint,
           no_locked bigint, yes_cost bigint, no_cost bigint, realised bigint, updated_ms bigint)
         ON CONFLICT (user_id, market_id) DO UPDATE SET yes_shares = EXCLUDED.yes_shares,
           yes_locked_shares = EXCLUDED.yes_locked_shares, no_shares = EXCLUDED.no_shares,
           no_locked_shares = EXCLUDED.no_locked_shares, yes_cost_cents = EXCLUDED.yes_cost_cents,
           no_cost_cents = EXCLUDED.no_cost_cents, realised_pnl_cents = EXCLUDED.realised_pnl_cents,
           updated_at = EXCLUDED.updated_at`,
  (p) => `UPDATE markets m SET seq = x.seq, status = x.status::"MarketStatus", outcome = x.outcome::"Outcome",
           pairs_outstanding = x.pairs, collateral_cents = x.collateral, last_yes_price_cents = x.last_price,
           volume_shares = x.volume, updated_at = ${ms('x.updated_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(id text, seq bigint, status text, outcome text, pairs bigint,
           collateral bigint, last_price int, volume bigint, updated_ms bigint)
         WHERE m.id = x.id::uuid`,
  (p) => `INSERT INTO system_accounts (id, balance_cents, updated_at)
         SELECT id, delta, ${ms('updated_ms')} FROM jsonb_to_recordset(${p}::jsonb) AS x(id text, delta bigint, updated_ms bigint)
         ON CONFLICT (id) DO UPDATE SET balance_cents = system_accounts.balance_cents + EXCLUDED.balance_cents,
           updated_at = EXCLUDED.updated_at`,
  (p) => `INSERT INTO notifications (user_id, kind, market_id, payload, created_at)
         SELECT user_id::uuid, kind, market_id::uuid, payload, ${ms('created_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(n int, user_id text, kind text, market_id text, payload jsonb,
           created_ms bigint)
         ORDER BY n`,
  (p) => `INSERT INTO resolutions (market_id, kind, outcome, collateral_cents, paid_cents, house_cents, holders, created_at)
         SELECT market_id::uuid, kind, outcome::"Outcome", collateral, paid, house, holders, ${ms('created_ms')}
         FROM jsonb_to_recordset(${p}::jsonb) AS x(market_id text, kind text, outcome text, collateral bigint, paid bigint,
           house bigint, holders int, created_ms bigint)`,
];

/**
 * Write a batch's rows and its jobs' SQL atomically (see the module comment). Throws when the
 * database refuses it; the caller then restores the engine from the database (nothing of the
 * batch was written).
 */
export async function writeBatch(prisma: PrismaClient, rows: BatchRows, batch: BatchWrite): Promise<PersistStats> {
  const stats: PersistStats = { statements: 0, rows: rows.rows };
  const hookCount = batch.hooks.length + batch.before.length;
  if (rows.nonEmpty.length === 0 && hookCount === 0) return stats;
  if (hookCount === 0 && batch.direct != null) {
    // WRITER_SQL=pg and no other SQL: the one statement is the whole transaction (autocommit;
    // atomic, one fsync). Every table, empty ones too: one statement text, prepared once.
    stats.statements = 1;
    fullStatement ??= statementOf(TABLES.map((_, i) => i));
    await batch.direct(fullStatement, rows.params, 'persist_batch_v1');
    return stats;
  }
  const sql = statementOf(rows.nonEmpty);
  const params = rows.nonEmpty.map((i) => rows.params[i]!);
  if (hookCount === 0 && batch.singleStatement === true) {
    // One statement, autocommit: atomic without an interactive transaction's extra round trips.
    stats.statements = 1;
    await prisma.$executeRawUnsafe(sql, ...params);
    return stats;
  }
  await prisma.$transaction(
    async (tx) => {
      for (const hook of batch.before) {
        stats.statements++;
        await hook(tx);
      }
      if (rows.nonEmpty.length > 0) {
        stats.statements++;
        await tx.$executeRawUnsafe(sql, ...params);
      }
      for (const hook of batch.hooks) {
        stats.statements++;
        await hook(tx);
      }
    },
    { maxWait: 10_000, timeout: 30_000 },
  );
  return stats;
}

/** The statement over the tables `which` (indexes into TABLES), parameters $1.. in that order. */
function statementOf(which: number[]): string {
  return `WITH ${which.map((t, i) => `w${i} AS (${TABLES[t]!(`$${i + 1}`)})`).join(',\n')}\nSELECT 1`;
}
