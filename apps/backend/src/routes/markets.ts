/** /api/markets: list, detail, create (admin), status changes (admin; resolver may resolve). */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CommandResult, MarketStatus, Outcome } from '@prediction-markets/matching-engine';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, requireUser, userOf } from '../plugins/auth.ts';
import { toMarketDto } from '../services/markets.ts';
import { rejectionError } from '../services/orders.ts';
import { appendAudit } from '../services/audit.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 403: schemas.ErrorBody, 404: schemas.ErrorBody, 409: schemas.ErrorBody };

export const marketRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.get('/', {
    schema: { tags: ['markets'], summary: 'List markets, newest first', querystring: schemas.ListMarketsQuery, response: { 200: schemas.MarketListResponse, 400: schemas.ErrorBody } },
  }, async (req) => {
    const { status, limit, offset } = req.query;
    const where = status === undefined ? {} : { status };
    const [rows, total] = await Promise.all([
      ctx.prisma.market.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'asc' }], take: limit, skip: offset }),
      ctx.prisma.market.count({ where }),
    ]);
    const views = await ctx.exchange.read((e) => rows.map((r) => e.getMarket(r.id)));
    return { markets: rows.map((r, i) => toMarketDto(r, views[i])), total };
  });

  app.get('/:slug', {
    schema: { tags: ['markets'], summary: 'One market: status, top of book, last price, volume', params: schemas.SlugParams, response: { 200: schemas.MarketDto, ...errors } },
  }, async (req) => {
    const row = await ctx.markets.bySlug(req.params.slug);
    const view = await ctx.exchange.read((e) => e.getMarket(row.id));
    return toMarketDto(row, view);
  });

  app.post('/', {
    preHandler: requireAdmin,
    schema: { tags: ['markets'], summary: 'Create a market in DRAFT (admin)', security: [{ bearer: [] }], body: schemas.CreateMarketBody, response: { 201: schemas.MarketDto, ...errors } },
  }, async (req, reply) => {
    const body = req.body;
    const actorId = userOf(req).id;
    if ((await ctx.prisma.market.findUnique({ where: { slug: body.slug } })) !== null) throw new ApiError('SLUG_TAKEN', `market ${body.slug} exists`);
    if (body.resolverId !== undefined && (await ctx.prisma.user.findUnique({ where: { id: body.resolverId } })) === null) {
      throw new ApiError('VALIDATION_ERROR', 'resolverId is not a user');
    }
    const id = randomUUID();
    const closesAt = new Date(body.closesAt);
    const { result } = await ctx.exchange.submit<CommandResult>({
      kind: 'create-market',
      run: (engine, now) => engine.execute({ type: 'CREATE_MARKET', tsMs: now, marketId: id, closesAtMs: closesAt.getTime(), tickCents: body.tickCents }),
      persistBefore: async (tx, res) => {
        if (!res.ok) return;
        await tx.market.create({
          data: { id, slug: body.slug, question: body.question, description: body.description, closesAt, tickCents: body.tickCents, resolverId: body.resolverId ?? null },
        });
      },
      persist: async (tx, res) => {
        if (!res.ok) return;
        await appendAudit(tx, { actorId, action: 'MARKET_CREATED', targetType: 'market', targetId: id, payload: { ...body } });
      },
    });
    if (!result.ok) throw rejectionError(result);
    ctx.markets.remember(body.slug, id);
    const row = await ctx.prisma.market.findUniqueOrThrow({ where: { id } });
    const view = await ctx.exchange.read((e) => e.getMarket(id));
    return reply.status(201).send(toMarketDto(row, view));
  });

  app.patch('/:slug/status', {
    preHandler: requireUser,
    schema: {
      tags: ['markets'],
      summary: 'Change status: open, halt, resume, close, resolve (admin or the designated resolver), cancel (void)',
      security: [{ bearer: [] }],
      params: schemas.SlugParams,
      body: schemas.SetMarketStatusBody,
      response: { 200: schemas.MarketDto, ...errors },
    },
  }, async (req) => {
    const user = userOf(req);
    const row = await ctx.markets.bySlug(req.params.slug);
    const { status, outcome } = req.body;
    const isResolver = row.resolverId !== null && row.resolverId === user.id && status === 'RESOLVED';
    if (user.role !== 'ADMIN' && !isResolver) throw new ApiError('FORBIDDEN', 'admins only (or the designated resolver, to resolve)');
    const { result } = await ctx.exchange.submit<CommandResult>({
      kind: 'market-status',
      run: (engine, now) =>
        engine.execute({ type: 'SET_MARKET_STATUS', tsMs: now, marketId: row.id, status: status as MarketStatus, outcome: (outcome ?? null) as Outcome | null }),
      persist: async (tx, res, events) => {
        if (!res.ok) return;
        if (status === 'RESOLVED' || status === 'CANCELLED') {
          await tx.resolution.update({ where: { marketId: row.id }, data: { resolverId: user.id } });
        }
        const settled = events.find((e) => e.type === 'MARKET_SETTLED');
        await appendAudit(tx, {
          actorId: user.id,
          action: status === 'RESOLVED' ? 'MARKET_RESOLVED' : status === 'CANCELLED' ? 'MARKET_CANCELLED' : 'MARKET_STATUS_CHANGED',
          targetType: 'market',
          targetId: row.id,
          payload: { slug: row.slug, status, outcome: outcome ?? null, ...(settled === undefined ? {} : { settlement: settled }) },
        });
      },
    });
    if (!result.ok) throw rejectionError(result);
    const fresh = await ctx.prisma.market.findUniqueOrThrow({ where: { id: row.id } });
    const view = await ctx.exchange.read((e) => e.getMarket(row.id));
    return toMarketDto(fresh, view);
  });
};
