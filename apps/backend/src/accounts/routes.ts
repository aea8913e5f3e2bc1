/** /api/user: balance, positions, portfolio, fills, ledger, notifications of the caller. Thin: schema, call, answer. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireUser, userOf } from '../plugins/auth.ts';
import { balanceOf, fillsOf, ledgerOf, notificationsOf, portfolioOf, positionsOf } from './queries.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody };

export const accountRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireUser);

  app.get('/balance', {
    schema: { tags: ['user'], summary: 'Points in cents: available, locked in open orders, total', security: [{ bearer: [] }], response: { 200: schemas.BalanceDto, ...errors } },
  }, async (req) => balanceOf(ctx.exchange, userOf(req).id));

  app.get('/positions', {
    schema: { tags: ['user'], summary: 'Shares held per market with cost basis and realised P&L', security: [{ bearer: [] }], response: { 200: schemas.PositionsResponse, ...errors } },
  }, async (req) => ({ positions: await positionsOf(ctx.prisma, userOf(req).id) }));

  app.get('/portfolio', {
    schema: {
      tags: ['user'],
      summary: 'Positions valued at the last trade price (cost basis when none), with realised and unrealised P&L',
      security: [{ bearer: [] }],
      response: { 200: schemas.PortfolioResponse, ...errors },
    },
  }, async (req) => portfolioOf(ctx.prisma, ctx.exchange, userOf(req).id));

  app.get('/fills', {
    schema: {
      tags: ['user'],
      summary: "The caller's fills across markets (or of `market`), newest first (cursor: before=<trade id>); price in the order's outcome cents, yesPrice in YES cents",
      security: [{ bearer: [] }],
      querystring: schemas.UserFillsQuery,
      response: { 200: schemas.UserFillsResponse, ...errors, 404: schemas.ErrorBody },
    },
  }, async (req) => {
    const { market, ...page } = req.query;
    return fillsOf(ctx.prisma, userOf(req).id, { ...page, marketId: market === undefined ? undefined : await ctx.markets.idOf(market) });
  });

  app.get('/ledger', {
    schema: { tags: ['user'], summary: "The caller's ledger rows, newest first (cursor: before=<id>)", security: [{ bearer: [] }], querystring: schemas.LedgerQuery, response: { 200: schemas.LedgerResponse, ...errors } },
  }, async (req) => ledgerOf(ctx.prisma, userOf(req).id, req.query));

  app.get('/notifications', {
    schema: { tags: ['user'], summary: "The caller's notifications (e.g. payouts at resolution), newest first", security: [{ bearer: [] }], querystring: schemas.PageQuery, response: { 200: schemas.NotificationsResponse, ...errors } },
  }, async (req) => notificationsOf(ctx.prisma, userOf(req).id, req.query));
};
