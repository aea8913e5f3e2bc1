/**
 * Market metadata (slug, question, ...) lives in PostgreSQL; live figures (book, sequence
 * number, last price) in the engine. This directory caches the immutable slug <-> id mapping
 * and joins the two into MarketDto.
 */
import type { MarketView } from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Market as MarketRow } from '../generated/prisma/client.ts';

export type { MarketRow };

export class MarketDirectory {
  private readonly bySlugCache = new Map<string, string>();
  /** Slugs of markets being created right now (see `reserveSlug`). */
  private readonly reservedSlugs = new Set<string>();

  constructor(private readonly prisma: PrismaClient) {}

  /** The market row for a slug; ApiError UNKNOWN_MARKET (404) if none. */
  async bySlug(slug: string): Promise<MarketRow> {
    const cachedId = this.bySlugCache.get(slug);
    const row = cachedId !== undefined
      ? await this.prisma.market.findUnique({ where: { id: cachedId } })
      : await this.prisma.market.findUnique({ where: { slug } });
    if (row === null) throw new ApiError('UNKNOWN_MARKET', `no market ${slug}`);
    this.bySlugCache.set(slug, row.id);
    return row;
  }

  /** The market id for a slug, from the cache when possible; UNKNOWN_MARKET if none. */
  async idOf(slug: string): Promise<string> {
    const cachedId = this.bySlugCache.get(slug);
    if (cachedId !== undefined) return cachedId;
    return (await this.bySlug(slug)).id;
  }

  remember(slug: string, id: string): void {
    this.bySlugCache.set(slug, id);
  }

  /**
   * Reserve `slug` for a market creation in flight; false when another creation holds it.
   * Two concurrent creations of one slug would otherwise both pass the "slug free" check and
   * the second one's INSERT would fail its whole write batch (503 for every command in it).
   * The service has one writer process, so an in-process reservation suffices. Always
   * `releaseSlug` afterwards (finally).
   */
  reserveSlug(slug: string): boolean {
    if (this.reservedSlugs.has(slug)) return false;
    this.reservedSlugs.add(slug);
    return true;
  }

  releaseSlug(slug: string): void {
    this.reservedSlugs.delete(slug);
  }
}

/** MarketDto from the stored row and the engine's live view (null before the engine knows it). */
export function toMarketDto(row: MarketRow, view: MarketView | undefined): schemas.MarketDto {
  return {
    id: row.id,
    slug: row.slug,
    question: row.question,
    description: row.description,
    status: view?.status ?? row.status,
    outcome: view?.outcome ?? row.outcome,
    closesAt: row.closesAt?.toISOString() ?? null,
    tickCents: row.tickCents,
    resolverId: row.resolverId,
    seq: view?.seq ?? Number(row.seq),
    bestBid: view?.bestBidCents ?? null,
    bestAsk: view?.bestAskCents ?? null,
    lastPrice: view?.lastYesPriceCents ?? row.lastYesPriceCents,
    volume: view?.volumeShares ?? Number(row.volumeShares),
    openInterest: view?.pairsOutstanding ?? Number(row.pairsOutstanding),
    createdAt: row.createdAt.toISOString(),
  };
}
