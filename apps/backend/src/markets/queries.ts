/**
 * Reads of the markets feature: market rows (PostgreSQL) joined with the engine's live views,
 * settlement records, and the one-statement book snapshot socket gateways serve. The ONLY
 * place this feature reads.
 */
import { ApiError, bookSideOf, yesPriceOf, schemas, type Outcome } from '@prediction-markets/shared';

const { PRICE_HISTORY_MAX_POINTS } = schemas;
import type { MarketStatus } from '@prediction-markets/matching-engine';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import type { MarketDirectory, MarketRow } from './directory.ts';
import { resolutionDto, toMarketDto, type ResolverStake } from './dto.ts';
import { AUDIT_ACTIONS } from '../admin/audit.ts';

/** Markets newest first, `limit` from `offset`, optionally of one status; with the total count. */
export async function listMarkets(prisma: PrismaClient, exchange: Exchange, q: { status?: MarketStatus | undefined; limit: number; offset: number }): Promise<schemas.MarketListResponse> {
  const where = q.status === undefined ? {} : { status: q.status };
  const [rows, total] = await Promise.all([
    prisma.market.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: q.limit, skip: q.offset }),
    prisma.market.count({ where }),
  ]);
  const views = await exchange.read((e) => rows.map((r) => e.getMarket(r.id)));
  return { markets: rows.map((r, i) => toMarketDto(r, views[i])), total };
}

/** One market as MarketDto: `row` as given (or re-read when `fresh`), with the engine's live view. */
export async function marketDto(prisma: PrismaClient, exchange: Exchange, row: MarketRow, fresh = false): Promise<schemas.MarketDto> {
  const current = fresh ? await prisma.market.findUniqueOrThrow({ where: { id: row.id } }) : row;
  const view = await exchange.read((e) => e.getMarket(row.id));
  return toMarketDto(current, view);
}

/** True when any market is stored. */
export async function anyMarket(prisma: PrismaClient): Promise<boolean> {
  return (await prisma.market.count()) > 0;
}

/** True when a market with this slug is stored. */
export async function slugExists(prisma: PrismaClient, slug: string): Promise<boolean> {
  return (await prisma.market.findUnique({ where: { slug }, select: { id: true } })) !== null;
}

/** The settlement record of a market; NOT_FOUND (404) when it is not settled. */
export async function resolutionOf(prisma: PrismaClient, market: Pick<MarketRow, 'id' | 'slug'>): Promise<schemas.ResolutionDto> {
  const r = await prisma.resolution.findUnique({ where: { marketId: market.id } });
  if (r === null) throw new ApiError('NOT_FOUND', `market ${market.slug} is not resolved or cancelled`);
  const audit = await prisma.auditLog.findFirst({ where: { action: AUDIT_ACTIONS.resolved, targetId: market.id }, orderBy: { id: 'desc' }, select: { payload: true } });
  const stake = (audit?.payload as { resolverStake?: ResolverStake } | undefined)?.resolverStake ?? null;
  return resolutionDto(r, market.slug, stake);
}

/** One level of a stored book snapshot, in YES prices. */
export interface StoredLevel {
  side: 'BID' | 'ASK';
  price: number;
  quantity: number;
  orders: number;
  /** Of `quantity`, the shares resting for the house market maker (the user whose email is `storedBook`'s `houseEmail`). */
  houseQty: number;
}

interface SnapshotRow {
  seq: bigint;
  status: string;
  outcome: string | null;
  last_price: number | null;
  volume: bigint;
  levels: { side: 'BUY' | 'SELL'; outcome: Outcome; p: number; q: number; n: number; h: number }[];
}

/**
 * One statement: the market row and its resting orders aggregated per (side, outcome, price).
 * A single statement sees one MVCC snapshot, and the writer commits each batch's orders and
 * the market's seq in one transaction, so the book and `seq` always belong together.
 */
const SNAPSHOT_SQL = `
SELECT m.seq, m.status::text AS status, m.outcome::text AS outcome, m.last_yes_price_cents AS last_price, m.volume_shares AS volume,
  COALESCE((
    SELECT json_agg(json_build_object('side', l.side, 'outcome', l.outcome, 'p', l.p, 'q', l.q, 'n', l.n, 'h', l.h))
    FROM (
      SELECT o.side::text AS side, o.outcome::text AS outcome, o.price_cents AS p, sum(o.remaining_qty)::int AS q, count(*)::int AS n,
        coalesce(sum(o.remaining_qty) FILTER (WHERE o.user_id = (SELECT u.id FROM users u WHERE u.email = $2)), 0)::int AS h
      FROM orders o
      WHERE o.market_id = m.id AND o.status IN ('OPEN', 'PARTIALLY_FILLED') AND o.price_cents IS NOT NULL
      GROUP BY 1, 2, 3
    ) l
  ), '[]'::json) AS levels
FROM markets m
WHERE m.id = $1::uuid`;

/**
 * A market's committed state as stored: status, figures and the YES book's levels (unsorted),
 * each with the house market maker's share (`houseQty`: the resting shares of the user whose
 * email is `houseEmail`, house/queries.ts HOUSE_EMAIL; 0 when there is no such user); null
 * when there is no such market.
 */
export async function storedBook(prisma: PrismaClient, marketId: string, houseEmail: string): Promise<{ seq: number; status: MarketStatus; outcome: Outcome | null; lastPrice: number | null; volume: number; levels: StoredLevel[] } | null> {
  const rows = await prisma.$queryRawUnsafe<SnapshotRow[]>(SNAPSHOT_SQL, marketId, houseEmail);
  const r = rows[0];
  if (r === undefined) return null;
  // Orders of both outcomes rest on the one YES book (mirror.ts): merge them per YES level.
  const byLevel = new Map<string, StoredLevel>();
  for (const l of r.levels) {
    const side = bookSideOf(l.side, l.outcome);
    const price = yesPriceOf(l.p, l.outcome);
    const key = `${side}${price}`;
    const level = byLevel.get(key);
    if (level === undefined) byLevel.set(key, { side, price, quantity: l.q, orders: l.n, houseQty: l.h });
    else {
      level.quantity += l.q;
      level.orders += l.n;
      level.houseQty += l.h;
    }
  }
  return { seq: Number(r.seq), status: r.status as MarketStatus, outcome: r.outcome as Outcome | null, lastPrice: r.last_price, volume: Number(r.volume), levels: [...byLevel.values()] };
}

// ---- price history and 24 h stats (GET /api/markets/:slug/history, GET /api/market-stats) ----

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Span and bucket width of the fixed ranges. */
export const RANGE_SPECS: Record<Exclude<schemas.PriceHistoryRange, 'ALL'>, { spanMs: number; bucketMs: number }> = {
  '1H': { spanMs: HOUR_MS, bucketMs: MINUTE_MS },
  '6H': { spanMs: 6 * HOUR_MS, bucketMs: 5 * MINUTE_MS },
  '1D': { spanMs: DAY_MS, bucketMs: 15 * MINUTE_MS },
  '1W': { spanMs: 7 * DAY_MS, bucketMs: HOUR_MS },
};

/** Bucket width of the ALL range for trades since `firstMs`: whole minutes, at most PRICE_HISTORY_MAX_POINTS buckets up to `nowMs`. */
export function allRangeBucketMs(firstMs: number, nowMs: number): number {
  const span = Math.max(1, nowMs - firstMs + 1);
  const minutes = Math.max(1, Math.ceil(span / (PRICE_HISTORY_MAX_POINTS - 1) / MINUTE_MS));
  return minutes * MINUTE_MS;
}

interface BucketRow {
  ts: bigint;
  close: number;
  volume: bigint;
}

/**
 * The YES price history of a market for the chart: buckets of `bucketMs` from the trades table
 * (close = last trade of the bucket, by trade id) read through trades(market_id, created_at),
 * at most PRICE_HISTORY_MAX_POINTS of them, plus the price before the first bucket. `nowMs` is
 * the engine clock (the one that stamps trades). UNKNOWN_MARKET (404) for an unknown slug.
 */
export async function priceHistory(prisma: PrismaClient, markets: MarketDirectory, slug: string, range: schemas.PriceHistoryRange, nowMs: number): Promise<schemas.PriceHistoryResponse> {
  const marketId = await markets.idOf(slug);
  let fromMs: number;
  let bucketMs: number;
  if (range === 'ALL') {
    const first = await prisma.$queryRawUnsafe<{ first: Date | null }[]>(
      'SELECT min(created_at) AS first FROM trades WHERE market_id = $1::uuid',
      marketId,
    );
    const firstMs = first[0]?.first?.getTime() ?? nowMs;
    bucketMs = allRangeBucketMs(firstMs, nowMs);
    fromMs = Math.floor(firstMs / bucketMs) * bucketMs;
  } else {
    const spec = RANGE_SPECS[range];
    bucketMs = spec.bucketMs;
    // Align to the bucket grid so that the first bucket is whole.
    fromMs = Math.floor((nowMs - spec.spanMs) / bucketMs + 1) * bucketMs;
  }
  const from = new Date(fromMs);
  const [rows, before] = await Promise.all([
    prisma.$queryRawUnsafe<BucketRow[]>(
      `SELECT (floor(extract(epoch FROM created_at) * 1000 / $3::bigint))::bigint * $3::bigint AS ts,
              (array_agg(yes_price_cents ORDER BY id DESC))[1] AS close,
              sum(qty)::bigint AS volume
         FROM trades
        WHERE market_id = $1::uuid AND created_at >= $2
        GROUP BY 1
        ORDER BY 1
        LIMIT ${PRICE_HISTORY_MAX_POINTS + 1}`,
      marketId,
      from,
      bucketMs,
    ),
    prisma.$queryRawUnsafe<{ price: number }[]>(
      `SELECT yes_price_cents AS price FROM trades
        WHERE market_id = $1::uuid AND created_at < $2
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      marketId,
      from,
    ),
  ]);
  return {
    slug,
    range,
    bucketMs,
    fromMs,
    toMs: nowMs,
    startPrice: before[0]?.price ?? null,
    points: rows.slice(-PRICE_HISTORY_MAX_POINTS).map((r) => ({ tsMs: Number(r.ts), yesPrice: r.close, volume: Number(r.volume) })),
  };
}

/** Per market: the YES price 24 hours before `nowMs` (engine clock), the first price since and the shares traded since. One index probe per market. */
export async function marketStats(prisma: PrismaClient, nowMs: number): Promise<schemas.MarketStatsResponse> {
  const since = new Date(nowMs - DAY_MS);
  const rows = await prisma.$queryRawUnsafe<{ id: string; before: number | null; first: number | null; volume: bigint | null }[]>(
    `SELECT m.id::text AS id,
            (SELECT t.yes_price_cents FROM trades t WHERE t.market_id = m.id AND t.created_at <= $1 ORDER BY t.created_at DESC, t.id DESC LIMIT 1) AS before,
            (SELECT t.yes_price_cents FROM trades t WHERE t.market_id = m.id AND t.created_at > $1 ORDER BY t.created_at ASC, t.id ASC LIMIT 1) AS first,
            (SELECT sum(t.qty)::bigint FROM trades t WHERE t.market_id = m.id AND t.created_at > $1) AS volume
       FROM markets m`,
    since,
  );
  return {
    asOfMs: nowMs,
    stats: rows.map((r) => ({ marketId: r.id, price24hAgo: r.before, firstPrice24h: r.first, volume24h: Number(r.volume ?? 0n) })),
  };
}
