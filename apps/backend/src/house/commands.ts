/**
 * House maker commands: the HOUSE user, and the per-market settings with the grant that funds
 * them. The ONLY callers of the writer queue for the house feature.
 */
import { randomBytes } from 'node:crypto';
import { ApiError, type schemas } from '@prediction-markets/shared';
import { checkParams, fullLadderEscrowCents, type LmsrParams } from '@prediction-markets/house-maker/lmsr';
import type { AppContext } from '../context.ts';
import { createUser } from '../auth/commands.ts';
import { AUDIT_ACTIONS, appendAudit } from '../admin/audit.ts';
import { grantPoints } from '../accounts/commands.ts';
import { HOUSE_EMAIL, houseConfigs, houseUserId, type HouseConfig } from './queries.ts';

/** The HOUSE user's id, created on first use (role USER, a random password nobody knows; no starting grant: it is funded by admin grants). */
export async function ensureHouseUser(ctx: Pick<AppContext, 'prisma'>): Promise<string> {
  const existing = await houseUserId(ctx.prisma);
  if (existing !== null) return existing;
  try {
    return (await createUser(ctx, HOUSE_EMAIL, randomBytes(24).toString('base64url'))).id;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'EMAIL_TAKEN') return (await houseUserId(ctx.prisma))!;
    throw err;
  }
}

/**
 * Set the house maker's settings of the market `slug` (admin `actorId`). Checks everything
 * first (UNKNOWN_MARKET, HOUSE_INVALID_LIQUIDITY, HOUSE_INVALID_BAND, HOUSE_POSITION_OPEN);
 * when enabling, grants the HOUSE account what the ladders of all its enabled markets escrow
 * beyond its balance (an admin grant: ledger row and POINTS_GRANTED audit entry), then records
 * the settings (HOUSE_CONFIGURED audit entry, in the writer, where the position rule is checked
 * again). The running maker picks the settings up (src/house/maker.ts).
 */
export async function configureHouse(ctx: AppContext, actorId: string | null, slug: string, body: schemas.HouseConfigBody): Promise<HouseConfig> {
  const market = await ctx.markets.bySlug(slug); // UNKNOWN_MARKET
  const houseId = await ensureHouseUser(ctx);
  const configs = await houseConfigs(ctx.prisma);
  const prev = configs.get(market.id);
  const p0Default = prev?.p0Cents ?? (await startPrice(ctx, market.id));
  const next = {
    enabled: body.enabled,
    b: body.b ?? prev?.b ?? 100,
    p0Cents: body.p0Cents ?? p0Default,
    pMinCents: body.pMinCents ?? prev?.pMinCents ?? 1,
    pMaxCents: body.pMaxCents ?? prev?.pMaxCents ?? 99,
  };
  const params: LmsrParams = { b: next.b, p0Cents: next.p0Cents, pMinCents: next.pMinCents, pMaxCents: next.pMaxCents, tickCents: market.tickCents };
  const problem = checkParams(params);
  if (problem !== null) throw new ApiError(problem.code, problem.message);
  const onTick = (c: number): boolean => c % market.tickCents === 0;
  if (!onTick(next.pMinCents) || !onTick(next.pMaxCents)) throw new ApiError('HOUSE_INVALID_BAND', `the band must be on the market's tick of ${market.tickCents} cents`);
  const changed = prev === undefined || prev.b !== next.b || prev.p0Cents !== next.p0Cents || prev.pMinCents !== next.pMinCents || prev.pMaxCents !== next.pMaxCents;
  const holds = (e: { getPosition: (u: string, m: string) => { yesShares: number; noShares: number } | undefined }): boolean => {
    const p = e.getPosition(houseId, market.id);
    return p !== undefined && (p.yesShares !== 0 || p.noShares !== 0);
  };
  if (prev !== undefined && changed && (await ctx.exchange.read((e) => holds(e)))) {
    throw new ApiError('HOUSE_POSITION_OPEN', 'the house holds shares in this market: b, p0 and the band can change only when it holds none');
  }
  if (next.enabled) {
    let needed = fullLadderEscrowCents(params);
    for (const c of configs.values()) {
      if (c.enabled && c.marketId !== market.id) {
        const tick = (await ctx.prisma.market.findUnique({ where: { id: c.marketId }, select: { tickCents: true } }))?.tickCents ?? 1;
        needed += fullLadderEscrowCents({ b: c.b, p0Cents: c.p0Cents, pMinCents: c.pMinCents, pMaxCents: c.pMaxCents, tickCents: tick });
      }
    }
    const held = await ctx.exchange.read((e) => {
      const a = e.getAccount(houseId);
      return a === undefined ? 0 : a.availableCents + a.lockedCents;
    });
    if (needed > held) await fundHouse(ctx, actorId, houseId, needed - held, `house maker escrow (${slug})`);
  }
  const { result } = await ctx.exchange.submit<{ ok: boolean; now: number }>({
    kind: 'house-config',
    run: (engine, now) => ({ ok: !(prev !== undefined && changed && holds(engine)), now }),
    persist: async (tx, r) => {
      if (r.ok) await appendAudit(tx, { actorId, action: AUDIT_ACTIONS.houseConfigured, targetType: 'market', targetId: market.id, payload: { slug, ...next } }, new Date(r.now));
    },
  });
  if (!result.ok) throw new ApiError('HOUSE_POSITION_OPEN', 'the house holds shares in this market: b, p0 and the band can change only when it holds none');
  return { marketId: market.id, ...next, updatedAt: new Date(result.now) };
}

/**
 * Grant `amountCents` to the HOUSE account: an admin grant (accounts/commands.ts) by
 * `actorId`, or, at start-up with no admin (the zero-setup demo), the same GRANT with a
 * POINTS_GRANTED audit entry whose actor is the system (null).
 */
async function fundHouse(ctx: AppContext, actorId: string | null, houseId: string, amountCents: number, reason: string): Promise<void> {
  if (actorId !== null) {
    await grantPoints(ctx, actorId, { userId: houseId, amountCents, reason });
    return;
  }
  const { result } = await ctx.exchange.submit<{ ok: boolean; now: number }>({
    kind: 'grant',
    run: (engine, now) => ({ ok: engine.execute({ type: 'GRANT', tsMs: now, userId: houseId, amountCents }).ok, now }),
    persist: async (tx, r) => {
      if (r.ok) await appendAudit(tx, { actorId: null, action: AUDIT_ACTIONS.granted, targetType: 'user', targetId: houseId, payload: { amountCents, reason } }, new Date(r.now));
    },
  });
  if (!result.ok) throw new ApiError('BALANCE_LIMIT', 'the house account cannot be funded');
}

/** Where the house starts on a market: the mid of the best bid and ask, else the last price, else 50 (YES cents). */
async function startPrice(ctx: AppContext, marketId: string): Promise<number> {
  return ctx.exchange.read((e) => {
    const v = e.getMarket(marketId);
    const bid = v?.bestBidCents ?? null;
    const ask = v?.bestAskCents ?? null;
    if (bid !== null && ask !== null) return Math.round((bid + ask) / 2);
    return v?.lastYesPriceCents ?? 50;
  });
}
