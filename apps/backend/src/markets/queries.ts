/**
 * Reads of the markets feature: market rows (PostgreSQL) joined with the engine's live views,
 * settlement records, and the one-statement book snapshot socket gateways serve. The ONLY
 * place this feature reads.
 */
import { ApiError, bookSideOf, yesPriceOf, type Outcome, type schemas } from '@prediction-markets/shared';
import type { MarketStatus } from '@prediction-markets/matching-engine';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import type { MarketRow } from './directory.ts';
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
}

interface SnapshotRow {
  seq: bigint;
  status: string;
  outcome: string | null;
  last_price: number | null;
  volume: bigint;
  levels: { side: 'BUY' | 'SELL'; outcome: Outcome; p: number; q: number; n: number }[];
}

/**
 * One statement: the market row and its resting orders aggregated per (side, outcome, price).
 * A single statement sees one MVCC snapshot, and the writer commits each batch's orders and
 * the market's seq in one transaction, so the book and `seq` always belong together.
 */
const SNAPSHOT_SQL = `
SELECT m.seq, m.status::text AS status, m.outcome::text AS outcome, m.last_yes_price_cents AS last_price, m.volume_shares AS volume,
  COALESCE((
    SELECT json_agg(json_build_object('side', l.side, 'outcome', l.outcome, 'p', l.p, 'q', l.q, 'n', l.n))
    FROM (
      SELECT o.side::text AS side, o.outcome::text AS outcome, o.price_cents AS p, sum(o.remaining_qty)::int AS q, count(*)::int AS n
      FROM orders o
      WHERE o.market_id = m.id AND o.status IN ('OPEN', 'PARTIALLY_FILLED') AND o.price_cents IS NOT NULL
      GROUP BY 1, 2, 3
    ) l
  ), '[]'::json) AS levels
FROM markets m
WHERE m.id = $1::uuid`;

/** A market's committed state as stored: status, figures and the YES book's levels (unsorted); null when there is no such market. */
export async function storedBook(prisma: PrismaClient, marketId: string): Promise<{ seq: number; status: MarketStatus; outcome: Outcome | null; lastPrice: number | null; volume: number; levels: StoredLevel[] } | null> {
  const rows = await prisma.$queryRawUnsafe<SnapshotRow[]>(SNAPSHOT_SQL, marketId);
  const r = rows[0];
  if (r === undefined) return null;
  // Orders of both outcomes rest on the one YES book (mirror.ts): merge them per YES level.
  const byLevel = new Map<string, StoredLevel>();
  for (const l of r.levels) {
    const side = bookSideOf(l.side, l.outcome);
    const price = yesPriceOf(l.p, l.outcome);
    const key = `${side}${price}`;
    const level = byLevel.get(key);
    if (level === undefined) byLevel.set(key, { side, price, quantity: l.q, orders: l.n });
    else {
      level.quantity += l.q;
      level.orders += l.n;
    }
  }
  return { seq: Number(r.seq), status: r.status as MarketStatus, outcome: r.outcome as Outcome | null, lastPrice: r.last_price, volume: Number(r.volume), levels: [...byLevel.values()] };
}
