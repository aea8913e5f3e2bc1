/**
 * House maker reads: the HOUSE user, the per-market settings (the latest HOUSE_CONFIGURED
 * audit entry of each market: settings are admin actions, so the audit log is their record
 * and nothing else stores them), and the house's live state per market (engine position and
 * resting orders; its fills from PostgreSQL).
 */
import { yesPriceOf } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { userByEmail } from '../auth/queries.ts';
import { AUDIT_ACTIONS } from '../admin/audit.ts';

/** The HOUSE account's email (a system user; it never signs in with a password). */
export const HOUSE_EMAIL = 'house@system.local';

/** One market's house settings. Prices in YES cents, b in shares. */
export interface HouseConfig {
  marketId: string;
  enabled: boolean;
  b: number;
  p0Cents: number;
  pMinCents: number;
  pMaxCents: number;
  updatedAt: Date;
}

export async function houseUserId(prisma: PrismaClient): Promise<string | null> {
  return (await userByEmail(prisma, HOUSE_EMAIL))?.id ?? null;
}

/** The current settings of every configured market (latest HOUSE_CONFIGURED entry per market). */
export async function houseConfigs(prisma: PrismaClient): Promise<Map<string, HouseConfig>> {
  const rows = await prisma.auditLog.findMany({ where: { action: AUDIT_ACTIONS.houseConfigured }, orderBy: { id: 'desc' } });
  const out = new Map<string, HouseConfig>();
  for (const r of rows) {
    if (r.targetId === null || out.has(r.targetId)) continue;
    const p = r.payload as { enabled: boolean; b: number; p0Cents: number; pMinCents: number; pMaxCents: number };
    out.set(r.targetId, { marketId: r.targetId, enabled: p.enabled, b: p.b, p0Cents: p.p0Cents, pMinCents: p.pMinCents, pMaxCents: p.pMaxCents, updatedAt: r.createdAt });
  }
  return out;
}

/** The house's shares and resting quantities in a market, from the engine's committed state. */
export async function housePosition(exchange: Exchange, houseId: string, marketId: string): Promise<{ yesShares: number; noShares: number; restingBid: number; restingAsk: number }> {
  return exchange.read((e) => {
    const p = e.getPosition(houseId, marketId);
    let restingBid = 0;
    let restingAsk = 0;
    for (const o of e.getUserOrders(houseId, marketId)) {
      if (o.bookSide === 'BID') restingBid += o.remainingQty;
      else restingAsk += o.remainingQty;
    }
    return { yesShares: p?.yesShares ?? 0, noShares: p?.noShares ?? 0, restingBid, restingAsk };
  });
}

/**
 * The house's YES-equivalent cash in a market, cents: every fill of its orders at the order's
 * price (the house only makes: post-only), a sale of YES or a purchase of NO at q counting as
 * selling YES at 100 - q.
 */
export async function houseCashCents(prisma: PrismaClient, houseId: string, marketId: string): Promise<number> {
  const orders = await prisma.order.findMany({
    where: { userId: houseId, marketId, filledQty: { gt: 0 } },
    select: { side: true, outcome: true, priceCents: true, filledQty: true },
  });
  let cash = 0;
  for (const o of orders) {
    if (o.priceCents === null) continue;
    const yesPrice = yesPriceOf(o.priceCents, o.outcome);
    const sellsYes = (o.side === 'SELL') === (o.outcome === 'YES');
    cash += (sellsYes ? 1 : -1) * yesPrice * o.filledQty;
  }
  return cash;
}

/** Per-level shares of the house's resting orders in a market, YES book: `BID:price` / `ASK:price` -> shares. */
export function houseLevels(exchange: Exchange, houseId: string, marketId: string): Promise<Map<string, number>> {
  return exchange.read((e) => {
    const out = new Map<string, number>();
    for (const o of e.getUserOrders(houseId, marketId)) {
      if (o.yesPriceCents === null) continue;
      const k = `${o.bookSide}:${o.yesPriceCents}`;
      out.set(k, (out.get(k) ?? 0) + o.remainingQty);
    }
    return out;
  });
}
