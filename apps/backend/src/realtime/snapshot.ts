/**
 * Book snapshots for `subscribe:market`: the COMMITTED state of a market at one sequence
 * number, both ladders in full.
 *
 * - `engineSnapshots` (the writer): Exchange.read runs between batches, so it sees exactly
 *   the state after the last committed batch.
 * - `databaseSnapshots` (a gateway, which has no engine): ONE SQL statement reads the market
 *   row and aggregates its resting orders. A single statement sees one MVCC snapshot, and the
 *   writer commits each batch's orders and the market's seq in one transaction, so the book
 *   and `seq` always belong together.
 */
import type { MarketStatus, Outcome } from '@prediction-markets/matching-engine';
import type { Exchange } from '../exchange/exchange.ts';
import type { PrismaClient } from '../db/types.ts';

export interface SnapshotLevel {
  price: number;
  quantity: number;
  orders: number;
}

export interface SnapshotLadder {
  /** Best first: bids descending, asks ascending. */
  bids: SnapshotLevel[];
  asks: SnapshotLevel[];
}

/** A market's committed state at `seq`. Prices in cents of the ladder's outcome. */
export interface BookSnapshot {
  marketId: string;
  seq: number;
  status: MarketStatus;
  /** The resolved outcome, once RESOLVED. */
  outcome: Outcome | null;
  lastPrice: number | null;
  volume: number;
  yes: SnapshotLadder;
  no: SnapshotLadder;
}

export interface SnapshotSource {
  /** The committed snapshot, or null when there is no such market. */
  snapshot(marketId: string): Promise<BookSnapshot | null>;
}

/** Every level of a ladder (prices are 1..99, so 99 covers all). */
const FULL_DEPTH = 99;

export function engineSnapshots(exchange: Exchange): SnapshotSource {
  return {
    snapshot: (marketId) =>
      exchange.read((e) => {
        const m = e.getMarket(marketId);
        const yes = e.getLadder(marketId, 'YES', FULL_DEPTH);
        const no = e.getLadder(marketId, 'NO', FULL_DEPTH);
        if (m === undefined || yes === undefined || no === undefined) return null;
        const ladder = (l: typeof yes): SnapshotLadder => ({
          bids: l.bids.map((x) => ({ price: x.priceCents, quantity: x.qty, orders: x.orderCount })),
          asks: l.asks.map((x) => ({ price: x.priceCents, quantity: x.qty, orders: x.orderCount })),
        });
        return { marketId, seq: m.seq, status: m.status, outcome: m.outcome, lastPrice: m.lastYesPriceCents, volume: m.volumeShares, yes: ladder(yes), no: ladder(no) };
      }),
  };
}

interface SnapshotRow {
  seq: bigint;
  status: string;
  outcome: string | null;
  last_price: number | null;
  volume: bigint;
  levels: { side: 'BID' | 'ASK'; p: number; q: number; n: number }[];
}

/** One statement: market row + resting orders aggregated per YES-book level. */
const SNAPSHOT_SQL = `
SELECT m.seq, m.status::text AS status, m.outcome::text AS outcome, m.last_yes_price_cents AS last_price, m.volume_shares AS volume,
  COALESCE((
    SELECT json_agg(json_build_object('side', l.side, 'p', l.p, 'q', l.q, 'n', l.n))
    FROM (
      SELECT CASE WHEN (o.side::text = 'BUY') = (o.outcome::text = 'YES') THEN 'BID' ELSE 'ASK' END AS side,
             CASE WHEN o.outcome::text = 'YES' THEN o.price_cents ELSE 100 - o.price_cents END AS p,
             sum(o.remaining_qty)::int AS q,
             count(*)::int AS n
      FROM orders o
      WHERE o.market_id = m.id AND o.status IN ('OPEN', 'PARTIALLY_FILLED') AND o.price_cents IS NOT NULL
      GROUP BY 1, 2
    ) l
  ), '[]'::json) AS levels
FROM markets m
WHERE m.id = $1::uuid`;

export function databaseSnapshots(prisma: PrismaClient): SnapshotSource {
  return {
    async snapshot(marketId) {
      const rows = await prisma.$queryRawUnsafe<SnapshotRow[]>(SNAPSHOT_SQL, marketId);
      const r = rows[0];
      if (r === undefined) return null;
      const yesBids: SnapshotLevel[] = [];
      const yesAsks: SnapshotLevel[] = [];
      for (const l of r.levels) (l.side === 'BID' ? yesBids : yesAsks).push({ price: l.p, quantity: l.q, orders: l.n });
      yesBids.sort((a, b) => b.price - a.price);
      yesAsks.sort((a, b) => a.price - b.price);
      const flip = (l: SnapshotLevel): SnapshotLevel => ({ ...l, price: 100 - l.price });
      return {
        marketId,
        seq: Number(r.seq),
        status: r.status as MarketStatus,
        outcome: r.outcome as Outcome | null,
        lastPrice: r.last_price,
        volume: Number(r.volume),
        yes: { bids: yesBids, asks: yesAsks },
        // NO bid at q = YES ask at 100 - q (best NO bid = best YES ask), NO ask at q = YES bid at 100 - q.
        no: { bids: yesAsks.map(flip), asks: yesBids.map(flip) },
      };
    },
  };
}
