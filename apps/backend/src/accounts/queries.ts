/**
 * Reads of a user's points and holdings: balance (the engine's committed state), positions,
 * ledger and notifications (PostgreSQL). The ONLY place this feature reads.
 */
import type { schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { pageArgs, toPage, type PageRequest } from '../pagination.ts';
import { balanceDto, ledgerEntryDto, notificationDto, portfolioDto, positionDto, userFillDtos } from './dto.ts';

/** The ledger account name of a user. */
export const userAccount = (userId: string): string => `U:${userId}`;

export async function balanceOf(exchange: Exchange, userId: string): Promise<schemas.BalanceDto> {
  return balanceDto(await exchange.read((e) => e.getAccount(userId)));
}

/** Positions with shares or realised P&L, most recently changed first, with their market's last YES price. */
async function positionsWithPrices(prisma: PrismaClient, userId: string): Promise<{ dto: schemas.PositionDto; lastPrice: number | null }[]> {
  const rows = await prisma.position.findMany({ where: { userId }, orderBy: { updatedAt: 'desc' } });
  const live = rows.filter((p) => p.yesShares + p.noShares > 0n || p.realisedPnlCents !== 0n);
  const markets = await prisma.market.findMany({ where: { id: { in: live.map((p) => p.marketId) } } });
  const byId = new Map(markets.map((m) => [m.id, m]));
  return live.map((p) => {
    const m = byId.get(p.marketId);
    return { dto: positionDto(p, m), lastPrice: m?.lastYesPriceCents ?? null };
  });
}

export async function positionsOf(prisma: PrismaClient, userId: string): Promise<schemas.PositionDto[]> {
  return (await positionsWithPrices(prisma, userId)).map((p) => p.dto);
}

export async function portfolioOf(prisma: PrismaClient, exchange: Exchange, userId: string): Promise<schemas.PortfolioResponse> {
  const [balance, positions] = await Promise.all([balanceOf(exchange, userId), positionsWithPrices(prisma, userId)]);
  return portfolioDto(balance, positions);
}

export async function ledgerOf(prisma: PrismaClient, userId: string, page: PageRequest): Promise<schemas.LedgerResponse> {
  const account = userAccount(userId);
  const { idBefore, orderBy, take } = pageArgs(page);
  const rows = await prisma.ledgerEntry.findMany({ where: { OR: [{ debitAccount: account, ...idBefore }, { creditAccount: account, ...idBefore }] }, orderBy, take });
  const p = toPage(rows, page, (r) => ledgerEntryDto(r, account));
  return { entries: p.items, nextBefore: p.nextBefore };
}

export async function notificationsOf(prisma: PrismaClient, userId: string, page: PageRequest): Promise<schemas.NotificationsResponse> {
  const { idBefore, orderBy, take } = pageArgs(page);
  const rows = await prisma.notification.findMany({ where: { userId, ...idBefore }, orderBy, take });
  const p = toPage(rows, page, notificationDto);
  return { notifications: p.items, nextBefore: p.nextBefore };
}

/**
 * The user's fills across markets (or of `marketId`), newest first: a page of `limit` trades the
 * user was maker or taker of (trade ids below `before`), each giving one fill per role the user
 * had. The cursor is the last trade's id. Served by the trades' (maker|taker)_user_id, id indexes.
 */
export async function fillsOf(prisma: PrismaClient, userId: string, filter: PageRequest & { marketId?: string | undefined }): Promise<schemas.UserFillsResponse> {
  const { idBefore, orderBy, take } = pageArgs(filter);
  const market = filter.marketId === undefined ? {} : { marketId: filter.marketId };
  const rows = await prisma.trade.findMany({ where: { OR: [{ makerUserId: userId, ...market, ...idBefore }, { takerUserId: userId, ...market, ...idBefore }] }, orderBy, take });
  const markets = await prisma.market.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.marketId))] } }, select: { id: true, slug: true, question: true } });
  const byId = new Map(markets.map((m) => [m.id, m]));
  const p = toPage(rows, filter, (r) => userFillDtos(r, userId, byId.get(r.marketId)));
  return { fills: p.items.flat(), nextBefore: p.nextBefore };
}
