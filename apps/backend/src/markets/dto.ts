/**
 * Markets and settlement records as the shared schemas: the ONLY place market rows, engine
 * market views, resolution rows and MARKET_SETTLED events become DTOs (REST and sockets).
 *
 * Vocabulary: a voided market has status CANCELLED, and CANCELLED is its canonical name
 * everywhere (settlement `status`, notification `marketStatus`, audit action MARKET_CANCELLED).
 * The older names VOID_REFUND (settlement `kind`) and MARKET_VOIDED (notification `kind`) are
 * still sent, unchanged, for existing clients. Settlement totals are `collateralCents`,
 * `paidCents`, `houseCents`, `holders` in REST and socket payloads alike.
 */
import type { EngineEvent, MarketView } from '@prediction-markets/matching-engine';
import type { schemas } from '@prediction-markets/shared';
import type { Resolution as ResolutionRow } from '../generated/prisma/client.ts';
import type { MarketRow } from './directory.ts';

/** MarketDto from the stored row and the engine's live view (undefined before the engine knows it). */
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

/** The engine's settlement kind as the final market status it settles (the canonical name). */
export function settledStatus(kind: 'RESOLUTION' | 'VOID_REFUND' | string): 'RESOLVED' | 'CANCELLED' {
  return kind === 'RESOLUTION' ? 'RESOLVED' : 'CANCELLED';
}

/** Settlement totals of a MARKET_SETTLED event, canonical and legacy names (the settlement of a socket `market_frame` update, audit payload). */
export function settlementTotals(e: Extract<EngineEvent, { type: 'MARKET_SETTLED' }>): NonNullable<schemas.MarketUpdated['settlement']> {
  return {
    status: settledStatus(e.kind),
    kind: e.kind,
    collateralCents: e.collateralCents,
    paidCents: e.paidCents,
    houseCents: e.houseCents,
    holders: e.holders,
    collateral: e.collateralCents,
    paid: e.paidCents,
    house: e.houseCents,
  };
}

/** The stake the resolver held in the market when resolving it (always none: a resolver with a stake is refused). */
export interface ResolverStake {
  yesShares: number;
  noShares: number;
  openOrders: number;
}

/** ResolutionDto from the stored record (and the resolver's stake recorded in its audit entry, when any). */
export function resolutionDto(r: ResolutionRow, slug: string, resolverStake: ResolverStake | null): schemas.ResolutionDto {
  return {
    marketId: r.marketId,
    slug,
    status: settledStatus(r.kind),
    kind: r.kind === 'RESOLUTION' ? 'RESOLUTION' : 'VOID_REFUND',
    outcome: r.outcome,
    resolverId: r.resolverId,
    resolverHeldPosition: resolverStake === null ? null : resolverStake.yesShares + resolverStake.noShares + resolverStake.openOrders > 0,
    collateralCents: Number(r.collateralCents),
    paidCents: Number(r.paidCents),
    houseCents: Number(r.houseCents),
    holders: r.holders,
    resolvedAt: r.createdAt.toISOString(),
  };
}
