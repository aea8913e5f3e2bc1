/**
 * /api/house: the LMSR house maker. Public: the published state of every market it is
 * configured on (b, p0, band, inventory, cash and P&L, loss bounds). Admin: enable or disable
 * it on a market and set b and the band (audited). Thin: schema, call, answer.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, userOf } from '../plugins/auth.ts';
import { configureHouse } from './commands.ts';
import { houseCashCents, houseConfigs, housePosition, houseUserId, type HouseConfig } from './queries.ts';
import { houseMarketDto } from './dto.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 403: schemas.ErrorBody, 404: schemas.ErrorBody, 409: schemas.ErrorBody, 422: schemas.ErrorBody };

export const houseRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const publish = async (houseId: string | null, c: HouseConfig): Promise<schemas.HouseMarketDto> => {
    const m = await ctx.prisma.market.findUniqueOrThrow({ where: { id: c.marketId }, select: { slug: true, tickCents: true } });
    const pos = houseId === null ? { yesShares: 0, noShares: 0, restingBid: 0, restingAsk: 0 } : await housePosition(ctx.exchange, houseId, c.marketId);
    const cash = houseId === null ? 0 : await houseCashCents(ctx.prisma, houseId, c.marketId);
    return houseMarketDto(m.slug, m.tickCents, c, pos, cash);
  };

  app.get('/markets', {
    schema: { tags: ['house'], summary: 'The house maker on every market it is configured on: settings, inventory, cash P&L, loss bounds', response: { 200: schemas.HouseMarketsResponse, 400: schemas.ErrorBody } },
  }, async () => {
    const houseId = await houseUserId(ctx.prisma);
    const configs = [...(await houseConfigs(ctx.prisma)).values()];
    return { houseUserId: houseId, markets: await Promise.all(configs.map((c) => publish(houseId, c))) };
  });

  app.get('/markets/:slug', {
    schema: { tags: ['house'], summary: 'The house maker on one market (404 NOT_FOUND when never configured)', params: schemas.SlugParams, response: { 200: schemas.HouseMarketDto, ...errors } },
  }, async (req) => {
    const id = await ctx.markets.idOf(req.params.slug);
    const c = (await houseConfigs(ctx.prisma)).get(id);
    if (c === undefined) throw new ApiError('NOT_FOUND', `the house maker was never configured on ${req.params.slug}`);
    return publish(await houseUserId(ctx.prisma), c);
  });

  app.put('/markets/:slug', {
    onRequest: requireAdmin,
    schema: {
      tags: ['house'],
      summary: 'Enable or disable the house maker on a market; set b and the band (admin, audited; funds the HOUSE account by an admin grant)',
      security: [{ bearer: [] }],
      params: schemas.SlugParams,
      body: schemas.HouseConfigBody,
      response: { 200: schemas.HouseMarketDto, ...errors },
    },
  }, async (req) => {
    const c = await configureHouse(ctx, userOf(req).id, req.params.slug, req.body);
    return publish(await houseUserId(ctx.prisma), c);
  });
};
