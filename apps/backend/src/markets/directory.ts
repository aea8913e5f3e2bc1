/**
 * Market metadata (slug, question, resolver, ...) lives in PostgreSQL; live figures (book,
 * sequence number, last price) in the engine. The directory caches what never changes after
 * creation: the slug <-> id mapping and each market's designated resolver. The resolver map is
 * read INSIDE writer jobs (orders/commands.ts: a market's resolver may not trade in it), so it
 * is complete on the writer: loaded at start (`load`) and extended by the market-creation job.
 */
import { ApiError } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Market as MarketRow } from '../generated/prisma/client.ts';

export type { MarketRow };

export class MarketDirectory {
  private readonly bySlugCache = new Map<string, string>();
  /** Market id -> its designated resolver's user id (markets without one are absent). */
  private readonly resolvers = new Map<string, string>();
  /** Slugs of markets being created right now (see `reserveSlug`). */
  private readonly reservedSlugs = new Set<string>();

  constructor(private readonly prisma: PrismaClient) {}

  /** Load every market's designated resolver (the writer, at start, before any command). */
  async load(): Promise<void> {
    const rows = await this.prisma.market.findMany({ where: { resolverId: { not: null } }, select: { id: true, resolverId: true } });
    for (const r of rows) if (r.resolverId !== null) this.resolvers.set(r.id, r.resolverId);
  }

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

  /** Remember a market just created (call from inside its creation job: synchronous with the writer). */
  remember(slug: string, id: string, resolverId: string | null = null): void {
    this.bySlugCache.set(slug, id);
    if (resolverId !== null) this.resolvers.set(id, resolverId);
  }

  /** The designated resolver of a market, or null (synchronous: usable inside writer jobs). */
  resolverOf(marketId: string): string | null {
    return this.resolvers.get(marketId) ?? null;
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
