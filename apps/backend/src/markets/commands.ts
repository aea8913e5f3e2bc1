/**
 * Market commands: create, change status (open, halt, close, resolve, cancel), and the clock
 * tick. The ONLY callers of the writer queue for markets. Lifecycle (docs/DESIGN.md, "Market
 * lifecycle"):
 *
 * The rules of the transitions themselves are the engine's (MARKET_TRANSITIONS in
 * @prediction-markets/matching-engine): DRAFT -> OPEN | CANCELLED; OPEN -> HALTED | CLOSED |
 * RESOLVED | CANCELLED; HALTED -> OPEN | CLOSED | RESOLVED | CANCELLED; CLOSED -> RESOLVED |
 * CANCELLED; RESOLVED and CANCELLED are final. Anything else is INVALID_TRANSITION (409), as is
 * OPEN after closesAt. RESOLVED/CANCELLED from OPEN or HALTED close the market first in the
 * same command (open orders cancelled, escrow released), then settle.
 *
 * Who may (assertMaySetStatus): admins anything; a market's designated resolver RESOLVED only.
 * And, checked INSIDE the writer job so that nothing can change in between: whoever resolves
 * must hold no shares and no resting orders in the market (RESOLVER_HOLDS_POSITION, 409); the
 * stake found (none) is recorded in the MARKET_RESOLVED audit entry and shown in the resolution
 * record (`resolverHeldPosition: false`).
 *
 * Idempotency by target state: asking for the final state a market already has (RESOLVED with
 * the same outcome, or CANCELLED again) executes nothing and succeeds with the market as it is;
 * it is decided inside the writer, so of two concurrent identical requests exactly one settles.
 * RESOLVED with the other outcome, or CANCELLED after RESOLVED, stays INVALID_TRANSITION.
 */
import { randomUUID } from 'node:crypto';
import type { CommandResult, MarketStatus, Outcome, Rejection } from '@prediction-markets/matching-engine';
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import type { Exchange, Job } from '../exchange/exchange.ts';
import type { SessionUser } from '../entrance/credentials.ts';
import { rejectionError } from '../entrance/errors.ts';
import { AUDIT_ACTIONS, appendAudit } from '../admin/audit.ts';
import { runIdempotent } from './idempotency.ts';
import { userExists } from '../auth/queries.ts';
import type { MarketRow } from './directory.ts';
import { settlementTotals, type ResolverStake } from './dto.ts';
import { marketDto, slugExists } from './queries.ts';

type Deps = Pick<AppContext, 'exchange' | 'prisma' | 'markets'>;

/** Advance the engine's clock to the writer's now: expire GTD orders, close markets that fell due. */
export async function advanceClock(exchange: Exchange): Promise<void> {
  await exchange.submit({ kind: 'clock', run: (e, now) => e.execute({ type: 'ADVANCE_TIME', tsMs: now }) });
}

/**
 * Create a market in DRAFT. Throws VALIDATION_ERROR (closesAt not in the future, resolverId not
 * a user), SLUG_TAKEN (exists, or being created concurrently), or an engine rejection.
 */
export async function createMarket(d: Deps, actorId: string, body: schemas.CreateMarketBody): Promise<schemas.MarketDto> {
  const closesAt = new Date(body.closesAt);
  if (closesAt.getTime() <= d.exchange.clockMs()) throw new ApiError('VALIDATION_ERROR', 'closesAt must be in the future');
  if (body.resolverId !== undefined && !(await userExists(d.prisma, body.resolverId))) throw new ApiError('VALIDATION_ERROR', 'resolverId is not a user');
  if (!d.markets.reserveSlug(body.slug)) throw new ApiError('SLUG_TAKEN', `market ${body.slug} is being created`);
  try {
    if (await slugExists(d.prisma, body.slug)) throw new ApiError('SLUG_TAKEN', `market ${body.slug} exists`);
    const id = randomUUID();
    const resolverId = body.resolverId ?? null;
    const { result } = await d.exchange.submit<{ res: CommandResult; now: number }>({
      kind: 'create-market',
      run: (engine, now) => {
        const res = engine.execute({ type: 'CREATE_MARKET', tsMs: now, marketId: id, closesAtMs: closesAt.getTime(), tickCents: body.tickCents });
        // Known to the order jobs from the same writer step on (a resolver may not trade in it).
        if (res.ok) d.markets.remember(body.slug, id, resolverId);
        return { res, now };
      },
      persistBefore: async (tx, { res }) => {
        if (!res.ok) return;
        await tx.market.create({ data: { id, slug: body.slug, question: body.question, description: body.description, closesAt, tickCents: body.tickCents, resolverId } });
      },
      persist: async (tx, { res, now }) => {
        if (!res.ok) return;
        await appendAudit(tx, { actorId, action: AUDIT_ACTIONS.created, targetType: 'market', targetId: id, payload: { ...body } }, new Date(now));
      },
    });
    if (!result.res.ok) throw rejectionError(result.res);
    return marketDto(d.prisma, d.exchange, { id } as MarketRow, true);
  } finally {
    d.markets.releaseSlug(body.slug);
  }
}

/**
 * Throws FORBIDDEN (403) unless `user` may set `status` on `market`: admins may do anything;
 * the market's designated resolver may set RESOLVED (and nothing else); nobody else may.
 */
export function assertMaySetStatus(user: Pick<SessionUser, 'id' | 'role'>, market: Pick<MarketRow, 'resolverId'>, status: string): void {
  if (user.role === 'ADMIN') return;
  const designated = market.resolverId !== null && market.resolverId === user.id;
  if (designated && status === 'RESOLVED') return;
  throw new ApiError('FORBIDDEN', designated ? "a market's designated resolver may only resolve it" : 'admins only (or the designated resolver, to resolve)');
}

/** What the status job did. */
export type StatusChangeOutcome =
  /** The engine changed the status (and settled, for RESOLVED / CANCELLED). */
  | { kind: 'changed'; from: MarketStatus; now: number; resolverStake: ResolverStake | null }
  /** The market already had this final state (same outcome): nothing executed, nothing paid. */
  | { kind: 'already' }
  /** The engine refused (INVALID_TRANSITION, UNKNOWN_MARKET, ...). */
  | { kind: 'rejected'; rejection: Rejection }
  /** The resolver holds a stake in the market. */
  | { kind: 'refused'; error: ApiError };

/**
 * The writer job of a status change. In the batch's transaction, after the engine's rows
 * (market status, orders cancelled by the close, ledger, positions, notifications,
 * resolutions): the resolution record gets its resolver, and one audit entry is appended
 * (MARKET_RESOLVED, MARKET_CANCELLED or MARKET_STATUS_CHANGED) with the settlement totals when
 * there are some, stamped with the writer's clock.
 */
export function statusChangeJob(args: { market: Pick<MarketRow, 'id' | 'slug'>; actorId: string; status: MarketStatus; outcome: Outcome | null }): Job<StatusChangeOutcome> {
  const { market, actorId, status, outcome } = args;
  const final = status === 'RESOLVED' || status === 'CANCELLED';
  return {
    kind: 'market-status',
    run: (engine, now) => {
      const before = engine.getMarket(market.id);
      if (final && before !== undefined && before.status === status && before.outcome === outcome) return { kind: 'already' };
      let resolverStake: ResolverStake | null = null;
      if (status === 'RESOLVED') {
        const p = engine.getPosition(actorId, market.id);
        resolverStake = { yesShares: p?.yesShares ?? 0, noShares: p?.noShares ?? 0, openOrders: p?.openOrders ?? 0 };
        if (resolverStake.yesShares + resolverStake.noShares + resolverStake.openOrders > 0) {
          return {
            kind: 'refused',
            error: new ApiError(
              'RESOLVER_HOLDS_POSITION',
              `you hold ${resolverStake.yesShares} YES, ${resolverStake.noShares} NO and ${resolverStake.openOrders} resting order(s) in this market: a resolver must have no stake in it`,
            ),
          };
        }
      }
      const res = engine.execute({ type: 'SET_MARKET_STATUS', tsMs: now, marketId: market.id, status, outcome });
      if (!res.ok) return { kind: 'rejected', rejection: res as Rejection };
      return { kind: 'changed', from: before?.status ?? 'DRAFT', now, resolverStake };
    },
    persist: async (tx, res, events) => {
      if (res.kind !== 'changed') return;
      const settled = events.find((e) => e.type === 'MARKET_SETTLED' && e.marketId === market.id);
      if (final) await tx.resolution.update({ where: { marketId: market.id }, data: { resolverId: actorId } });
      await appendAudit(
        tx,
        {
          actorId,
          action: status === 'RESOLVED' ? AUDIT_ACTIONS.resolved : status === 'CANCELLED' ? AUDIT_ACTIONS.cancelled : AUDIT_ACTIONS.statusChanged,
          targetType: 'market',
          targetId: market.id,
          payload: {
            slug: market.slug,
            from: res.from,
            status,
            outcome,
            ...(res.resolverStake === null ? {} : { resolverStake: res.resolverStake }),
            ...(settled === undefined || settled.type !== 'MARKET_SETTLED' ? {} : { settlement: settlementTotals(settled) }),
          },
        },
        new Date(res.now),
      );
    },
  };
}

/**
 * PATCH /api/markets/:slug/status: check who may, run the status job (once per Idempotency-Key
 * when given), answer the market as it is afterwards. Throws FORBIDDEN, RESOLVER_HOLDS_POSITION,
 * an engine rejection, or an idempotency error.
 */
export async function setMarketStatus(
  d: Deps,
  user: Pick<SessionUser, 'id' | 'role'>,
  row: MarketRow,
  change: { status: MarketStatus; outcome: Outcome | null; idempotencyKey: string | undefined },
  onStoreError: (err: unknown) => void,
): Promise<{ status: number; body: schemas.MarketDto; replayed: boolean }> {
  assertMaySetStatus(user, row, change.status);
  const out = await runIdempotent(
    d.prisma,
    { userId: user.id, key: change.idempotencyKey, route: 'PATCH /api/markets/:slug/status', request: { slug: row.slug, status: change.status, outcome: change.outcome } },
    async () => {
      const { result } = await d.exchange.submit(statusChangeJob({ market: row, actorId: user.id, status: change.status, outcome: change.outcome }));
      if (result.kind === 'rejected') throw rejectionError(result.rejection);
      if (result.kind === 'refused') throw result.error;
      return { status: 200, body: await marketDto(d.prisma, d.exchange, row, true) };
    },
    { onStoreError },
  );
  return { status: out.status, body: out.body as schemas.MarketDto, replayed: out.replayed };
}
