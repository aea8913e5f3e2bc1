/**
 * /api/markets: list, detail, resolution record, create (admin), status changes (admin; the
 * designated resolver may resolve). Lifecycle rules: services/lifecycle.ts and the engine's
 * MARKET_TRANSITIONS; Idempotency-Key: services/idempotency.ts.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { CommandResult, MarketStatus, Outcome } from '@prediction-markets/matching-engine';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, requireUser, userOf } from '../plugins/auth.ts';
import { toMarketDto } from '../services/markets.ts';
import { rejectionError } from '../services/orders.ts';
import { appendAudit } from '../services/audit.ts';
import { AUDIT_ACTIONS, assertMaySetStatus, resolutionOf, statusChangeJob } from '../services/lifecycle.ts';
import { runIdempotent } from '../services/idempotency.ts';

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
  }, async (req, reply) => {
    const body = req.body;
    const actorId = userOf(req).id;
    const closesAt = new Date(body.closesAt);
    if (closesAt.getTime() <= ctx.exchange.clockMs()) throw new ApiError('VALIDATION_ERROR', 'closesAt must be in the future');
    if (body.resolverId !== undefined && (await ctx.prisma.user.findUnique({ where: { id: body.resolverId } })) === null) {
      throw new ApiError('VALIDATION_ERROR', 'resolverId is not a user');
    }
    if (!ctx.markets.reserveSlug(body.slug)) throw new ApiError('SLUG_TAKEN', `market ${body.slug} is being created`);
    try {
      return await reply.status(201).send(await createMarket(body, actorId, closesAt));
    } finally {
      ctx.markets.releaseSlug(body.slug);
    }
  });

  /** Create the market (slug reserved by the caller); its DTO. */
  const createMarket = async (body: schemas.CreateMarketBody, actorId: string, closesAt: Date): Promise<schemas.MarketDto> => {
    if ((await ctx.prisma.market.findUnique({ where: { slug: body.slug } })) !== null) throw new ApiError('SLUG_TAKEN', `market ${body.slug} exists`);
    const id = randomUUID();
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
        await appendAudit(tx, { actorId, action: AUDIT_ACTIONS.created, targetType: 'market', targetId: id, payload: { ...body } });
      },
    });
    if (!result.ok) throw rejectionError(result);
    ctx.markets.remember(body.slug, id);
    const row = await ctx.prisma.market.findUniqueOrThrow({ where: { id } });
    const view = await ctx.exchange.read((e) => e.getMarket(id));
    return toMarketDto(row, view);
  };

  app.patch('/:slug/status', {
    onRequest: requireUser,
    schema: {
      tags: ['markets'],
      summary: 'Change status: open, halt, resume, close, resolve (admin or the designated resolver), cancel (void)',
      description:
        'Allowed: DRAFT->OPEN|CANCELLED, OPEN->HALTED|CLOSED|RESOLVED|CANCELLED, HALTED->OPEN|CLOSED|RESOLVED|CANCELLED, ' +
        'CLOSED->RESOLVED|CANCELLED; anything else is 409 INVALID_TRANSITION. Resolving or cancelling an OPEN/HALTED market ' +
        'closes it first. Repeating RESOLVED (same outcome) or CANCELLED on a market already in that state returns 200 and ' +
        'pays nothing. With an Idempotency-Key header a repeat returns the first response.',
      security: [{ bearer: [] }],
      params: schemas.SlugParams,
      headers: schemas.IdempotencyHeaders,
      body: schemas.SetMarketStatusBody,
      response: { 200: schemas.MarketDto, ...errors, 503: schemas.ErrorBody },
    },
  }, async (req, reply) => {
    const user = userOf(req);
    const row = await ctx.markets.bySlug(req.params.slug);
    const { status, outcome } = req.body;
    assertMaySetStatus(user, row, status);
    const { status: code, body, replayed } = await runIdempotent(
      ctx.prisma,
      {
        userId: user.id,
        key: req.headers['idempotency-key'],
        route: 'PATCH /api/markets/:slug/status',
        request: { slug: row.slug, status, outcome: outcome ?? null },
      },
      async () => {
        const { result } = await ctx.exchange.submit(
          statusChangeJob({ market: row, actorId: user.id, status: status as MarketStatus, outcome: (outcome ?? null) as Outcome | null }),
        );
        if (result.kind === 'rejected') throw rejectionError(result.rejection);
        const fresh = await ctx.prisma.market.findUniqueOrThrow({ where: { id: row.id } });
        const view = await ctx.exchange.read((e) => e.getMarket(row.id));
        return { status: 200, body: toMarketDto(fresh, view) };
      },
      { onStoreError: (err) => req.log.warn({ err }, 'idempotency key not stored or released') },
    );
    if (replayed) void reply.header('idempotent-replayed', 'true');
    return reply.status(code).send(body as schemas.MarketDto);
  });
};
