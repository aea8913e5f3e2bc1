/**
 * Market lifecycle on the service side (DESIGN.md, "Market lifecycle"): who may change a
 * market's status, the writer job that changes it (with its audit entry and resolution
 * record in the same transaction as the engine's events), and the resolution record's DTO.
 *
 * The rules of the transitions themselves are the engine's (MARKET_TRANSITIONS in
 * @prediction-markets/matching-engine): DRAFT -> OPEN | CANCELLED; OPEN -> HALTED | CLOSED |
 * RESOLVED | CANCELLED; HALTED -> OPEN | CLOSED | RESOLVED | CANCELLED; CLOSED -> RESOLVED |
 * CANCELLED; RESOLVED and CANCELLED are final. Anything else is INVALID_TRANSITION (409), as is
 * OPEN after closesAt. RESOLVED/CANCELLED from OPEN or HALTED close the market first in the
 * same command (open orders cancelled, escrow released), then settle.
 *
 * Idempotency by target state: asking for the final state a market already has (RESOLVED with
 * the same outcome, or CANCELLED again) executes nothing and succeeds with the market as it is;
 * it is decided inside the writer, so of two concurrent identical requests exactly one settles.
 * RESOLVED with the other outcome, or CANCELLED after RESOLVED, stays INVALID_TRANSITION.
 */
import type { MarketStatus, Outcome, Rejection } from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { Job } from '../exchange/exchange.ts';
import type { PrismaClient } from '../db/types.ts';
import type { AuthUser } from '../plugins/auth.ts';
import type { MarketRow } from './markets.ts';
import { appendAudit } from './audit.ts';

/** Audit actions of the lifecycle (plus POINTS_GRANTED in routes/admin.ts). */
export const AUDIT_ACTIONS = {
  created: 'MARKET_CREATED',
  statusChanged: 'MARKET_STATUS_CHANGED',
  resolved: 'MARKET_RESOLVED',
  cancelled: 'MARKET_CANCELLED',
} as const;

/**
 * Throws FORBIDDEN (403) unless `user` may set `status` on `market`: admins may do anything;
 * the market's designated resolver may set RESOLVED (and nothing else); nobody else may.
 */
export function assertMaySetStatus(user: AuthUser, market: Pick<MarketRow, 'resolverId'>, status: string): void {
  if (user.role === 'ADMIN') return;
  const designated = market.resolverId !== null && market.resolverId === user.id;
  if (designated && status === 'RESOLVED') return;
  throw new ApiError(
    'FORBIDDEN',
    designated ? "a market's designated resolver may only resolve it" : 'admins only (or the designated resolver, to resolve)',
  );
}

/** What the status job did. */
export type StatusChangeOutcome =
  /** The engine changed the status (and settled, for RESOLVED / CANCELLED). */
  | { kind: 'changed'; from: MarketStatus }
  /** The market already had this final state (same outcome): nothing executed, nothing paid. */
  | { kind: 'already' }
  /** The engine refused (INVALID_TRANSITION, UNKNOWN_MARKET, ...). */
  | { kind: 'rejected'; rejection: Rejection };

/**
 * The writer job for PATCH /api/markets/:slug/status. In the batch's transaction, after the
 * engine's rows (market status, orders cancelled by the close, ledger, positions,
 * notifications, resolutions): the resolution record gets its resolver, and one audit entry
 * is appended (MARKET_RESOLVED, MARKET_CANCELLED or MARKET_STATUS_CHANGED) with the
 * settlement totals when there are some.
 */
export function statusChangeJob(args: {
  market: Pick<MarketRow, 'id' | 'slug'>;
  actorId: string;
  status: MarketStatus;
  outcome: Outcome | null;
}): Job<StatusChangeOutcome> {
  const { market, actorId, status, outcome } = args;
  const final = status === 'RESOLVED' || status === 'CANCELLED';
  return {
    kind: 'market-status',
    run: (engine, now) => {
      const before = engine.getMarket(market.id);
      if (final && before !== undefined && before.status === status && before.outcome === outcome) return { kind: 'already' };
      const res = engine.execute({ type: 'SET_MARKET_STATUS', tsMs: now, marketId: market.id, status, outcome });
      if (!res.ok) return { kind: 'rejected', rejection: res as Rejection };
      return { kind: 'changed', from: before?.status ?? 'DRAFT' };
    },
    persist: async (tx, res, events) => {
      if (res.kind !== 'changed') return;
      const settled = events.find((e) => e.type === 'MARKET_SETTLED' && e.marketId === market.id);
      if (final) await tx.resolution.update({ where: { marketId: market.id }, data: { resolverId: actorId } });
      await appendAudit(tx, {
        actorId,
        action: status === 'RESOLVED' ? AUDIT_ACTIONS.resolved : status === 'CANCELLED' ? AUDIT_ACTIONS.cancelled : AUDIT_ACTIONS.statusChanged,
        targetType: 'market',
        targetId: market.id,
        payload: {
          slug: market.slug,
          from: res.from,
          status,
          outcome,
          ...(settled === undefined || settled.type !== 'MARKET_SETTLED'
            ? {}
            : {
                settlement: {
                  kind: settled.kind,
                  collateralCents: settled.collateralCents,
                  paidCents: settled.paidCents,
                  houseCents: settled.houseCents,
                  holders: settled.holders,
                },
              }),
        },
      });
    },
  };
}

/** The resolution record of a market; NOT_FOUND (404) when it is not settled. */
export async function resolutionOf(prisma: PrismaClient, market: Pick<MarketRow, 'id' | 'slug'>): Promise<schemas.ResolutionDto> {
  const r = await prisma.resolution.findUnique({ where: { marketId: market.id } });
  if (r === null) throw new ApiError('NOT_FOUND', `market ${market.slug} is not resolved or cancelled`);
  return {
    marketId: r.marketId,
    slug: market.slug,
    kind: r.kind === 'RESOLUTION' ? 'RESOLUTION' : 'VOID_REFUND',
    outcome: r.outcome,
    resolverId: r.resolverId,
    collateralCents: Number(r.collateralCents),
    paidCents: Number(r.paidCents),
    houseCents: Number(r.houseCents),
    holders: r.holders,
    resolvedAt: r.createdAt.toISOString(),
  };
}
