/**
 * /api/markets: list, detail, resolution record, create (admin), status changes (admin; the
 * designated resolver may resolve). Thin: schema, call, answer. Rules: markets/commands.ts.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, requireUser, userOf } from '../plugins/auth.ts';
import { createMarket, setMarketStatus } from './commands.ts';
import { listMarkets, marketDto, resolutionOf } from './queries.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 403: schemas.ErrorBody, 404: schemas.ErrorBody, 409: schemas.ErrorBody };

export const marketRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/', {
    schema: { tags: ['markets'], summary: 'List markets, newest first', querystring: schemas.ListMarketsQuery, response: { 200: schemas.MarketListResponse, 400: schemas.ErrorBody } },
  }, async (req) => listMarkets(ctx.prisma, ctx.exchange, req.query));

  app.get('/:slug', {
    schema: { tags: ['markets'], summary: 'One market: status, top of book, last price, volume', params: schemas.SlugParams, response: { 200: schemas.MarketDto, ...errors } },
  }, async (req) => marketDto(ctx.prisma, ctx.exchange, await ctx.markets.bySlug(req.params.slug)));

  app.get('/:slug/resolution', {
    schema: {
      tags: ['markets'],
      summary: 'The settlement record of a resolved or cancelled market: outcome, resolver, time, totals paid (404 before)',
      params: schemas.SlugParams,
      response: { 200: schemas.ResolutionDto, ...errors },
    },
  }, async (req) => resolutionOf(ctx.prisma, await ctx.markets.bySlug(req.params.slug)));

  app.post('/', {
    onRequest: requireAdmin,
    schema: { tags: ['markets'], summary: 'Create a market in DRAFT (admin)', security: [{ bearer: [] }], body: schemas.CreateMarketBody, response: { 201: schemas.MarketDto, ...errors } },
  }, async (req, reply) => reply.status(201).send(await createMarket(ctx, userOf(req).id, req.body)));

  app.patch('/:slug/status', {
    onRequest: requireUser,
    schema: {
      tags: ['markets'],
      summary: 'Change status: open, halt, resume, close, resolve (admin or the designated resolver), cancel (void)',
      description:
        'Allowed: DRAFT->OPEN|CANCELLED, OPEN->HALTED|CLOSED|RESOLVED|CANCELLED, HALTED->OPEN|CLOSED|RESOLVED|CANCELLED, ' +
        'CLOSED->RESOLVED|CANCELLED; anything else is 409 INVALID_TRANSITION. Resolving or cancelling an OPEN/HALTED market ' +
        'closes it first. Repeating RESOLVED (same outcome) or CANCELLED on a market already in that state returns 200 and ' +
        'pays nothing. Whoever resolves must hold no shares and no resting orders in the market (409 RESOLVER_HOLDS_POSITION). ' +
        'With an Idempotency-Key header a repeat returns the first response.',
      security: [{ bearer: [] }],
      params: schemas.SlugParams,
      headers: schemas.IdempotencyHeaders,
      body: schemas.SetMarketStatusBody,
      response: { 200: schemas.MarketDto, ...errors, 503: schemas.ErrorBody },
    },
  }, async (req, reply) => {
    const row = await ctx.markets.bySlug(req.params.slug);
    const { status, outcome } = req.body;
    const out = await setMarketStatus(ctx, userOf(req), row, { status, outcome: outcome ?? null, idempotencyKey: req.headers['idempotency-key'] }, (err) =>
      req.log.warn({ err }, 'idempotency key not stored or released'),
    );
    if (out.replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(out.status).send(out.body);
  });
};
