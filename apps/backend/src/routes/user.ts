/** /api/user: balance, positions, portfolio, ledger, notifications of the caller. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireUser, userOf } from '../plugins/auth.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody };
const num = (v: bigint): number => Number(v);

export const userRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireUser);

  const balanceOf = async (userId: string): Promise<schemas.BalanceDto> => {
    const acc = await ctx.exchange.read((e) => e.getAccount(userId));
    const available = acc?.availableCents ?? 0;
    const locked = acc?.lockedCents ?? 0;
    return { available, locked, total: available + locked };
  };

  const positionsOf = async (userId: string) => {
    const rows = await ctx.prisma.position.findMany({ where: { userId }, orderBy: { updatedAt: 'desc' } });
    const live = rows.filter((p) => p.yesShares + p.noShares > 0n || p.realisedPnlCents !== 0n);
    const markets = await ctx.prisma.market.findMany({ where: { id: { in: live.map((p) => p.marketId) } } });
    const byId = new Map(markets.map((m) => [m.id, m]));
    return live.map((p) => {
      const m = byId.get(p.marketId);
      return {
        dto: {
          marketId: p.marketId,
          slug: m?.slug ?? '',
          question: m?.question ?? '',
          marketStatus: m?.status ?? 'UNKNOWN',
          yesShares: num(p.yesShares),
          yesLockedShares: num(p.yesLockedShares),
          noShares: num(p.noShares),
          noLockedShares: num(p.noLockedShares),
          costBasis: num(p.yesCostCents + p.noCostCents),
          realisedPnl: num(p.realisedPnlCents),
        },
        lastPrice: m?.lastYesPriceCents ?? null,
      };
    });
  };

  app.get('/balance', {
    schema: { tags: ['user'], summary: 'Points in cents: available, locked in open orders, total', security: [{ bearer: [] }], response: { 200: schemas.BalanceDto, ...errors } },
  }, async (req) => balanceOf(userOf(req).id));

  app.get('/positions', {
    schema: { tags: ['user'], summary: 'Shares held per market with cost basis and realised P&L', security: [{ bearer: [] }], response: { 200: schemas.PositionsResponse, ...errors } },
  }, async (req) => ({ positions: (await positionsOf(userOf(req).id)).map((p) => p.dto) }));

  app.get('/portfolio', {
    schema: {
      tags: ['user'],
      summary: 'Positions valued at the last trade price (cost basis when none), with realised and unrealised P&L',
      security: [{ bearer: [] }],
      response: { 200: schemas.PortfolioResponse, ...errors },
    },
  }, async (req) => {
    const userId = userOf(req).id;
    const [balance, positions] = await Promise.all([balanceOf(userId), positionsOf(userId)]);
    const totals = { marketValue: 0, costBasis: 0, realisedPnl: 0, unrealisedPnl: 0, equity: 0 };
    const out = positions.map(({ dto, lastPrice }) => {
      const settled = dto.marketStatus === 'RESOLVED' || dto.marketStatus === 'CANCELLED';
      const marketValue = settled
        ? 0
        : lastPrice === null
          ? dto.costBasis
          : dto.yesShares * lastPrice + dto.noShares * (100 - lastPrice);
      const unrealisedPnl = marketValue - dto.costBasis;
      totals.marketValue += marketValue;
      totals.costBasis += dto.costBasis;
      totals.realisedPnl += dto.realisedPnl;
      totals.unrealisedPnl += unrealisedPnl;
      return { ...dto, lastPrice, marketValue, unrealisedPnl };
    });
    totals.equity = balance.total + totals.marketValue;
    return { balance, positions: out, totals };
  });

  app.get('/ledger', {
    schema: { tags: ['user'], summary: "The caller's ledger rows, newest first (cursor: before=<id>)", security: [{ bearer: [] }], querystring: schemas.LedgerQuery, response: { 200: schemas.LedgerResponse, ...errors } },
  }, async (req) => {
    const account = `U:${userOf(req).id}`;
    const { limit, before } = req.query;
    const idFilter = before === undefined ? {} : { id: { lt: BigInt(before) } };
    const rows = await ctx.prisma.ledgerEntry.findMany({
      where: { OR: [{ debitAccount: account, ...idFilter }, { creditAccount: account, ...idFilter }] },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return {
      entries: rows.map((r) => ({
        id: num(r.id),
        amount: r.creditAccount === account ? num(r.amountCents) : -num(r.amountCents),
        debitAccount: r.debitAccount,
        creditAccount: r.creditAccount,
        reason: r.reason,
        marketId: r.marketId,
        tradeId: r.tradeId === null ? null : num(r.tradeId),
        createdAt: r.createdAt.toISOString(),
      })),
      nextBefore: rows.length === limit ? num(rows[rows.length - 1]!.id) : null,
    };
  });

  app.get('/notifications', {
    schema: { tags: ['user'], summary: "The caller's notifications (e.g. payouts at resolution), newest first", security: [{ bearer: [] }], querystring: schemas.PageQuery, response: { 200: schemas.NotificationsResponse, ...errors } },
  }, async (req) => {
    const { limit, before } = req.query;
    const rows = await ctx.prisma.notification.findMany({
      where: { userId: userOf(req).id, ...(before === undefined ? {} : { id: { lt: BigInt(before) } }) },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return {
      notifications: rows.map((r) => ({
        id: num(r.id),
        kind: r.kind,
        marketId: r.marketId,
        payload: r.payload,
        createdAt: r.createdAt.toISOString(),
        readAt: r.readAt?.toISOString() ?? null,
      })),
      nextBefore: rows.length === limit ? num(rows[rows.length - 1]!.id) : null,
    };
  });
};
