/** /api/orders: place, cancel, cancel-all, amend, batch, order book, trades, the caller's orders. Thin: schema, call, answer. */
import { isDeepStrictEqual } from 'node:util';
import { serializerCompiler, type FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireUser, userOf } from '../plugins/auth.ts';
import { amendOrder, cancelAllOrders, cancelOrder, placeBatch, placeOrderBySlug } from './commands.ts';
import { marketTrades, orderbook, userOrders } from './queries.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 404: schemas.ErrorBody, 409: schemas.ErrorBody, 422: schemas.ErrorBody, 503: schemas.ErrorBody };
const tradingErrors = { ...errors, 403: schemas.ErrorBody };

/**
 * The serializer of the order commands' answers (place, batch, cancel: the hot path). Their
 * DTOs are built field by field in orders/dto.ts and commands.ts, typed by the schemas, so in
 * production they are written with JSON.stringify alone: re-validating each answer with zod
 * cost about 5 % of the server's CPU per order. In tests and development every answer is
 * still checked, and must be EXACTLY its schema's output (nothing zod would strip or change),
 * so a DTO that drifts from its schema fails there.
 */
function orderAnswerSerializer(production: boolean): (route: { schema: unknown; method: string; url: string }) => (data: unknown) => string {
  return (route) => {
    if (production) return (data: unknown) => JSON.stringify(data);
    const checked = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
    return (data: unknown) => {
      const json = checked(data);
      if (!isDeepStrictEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)))) {
        throw new Error(`${route.method} ${route.url}: the answer is not exactly its response schema's output`);
      }
      return json;
    };
  };
}

export const orderRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  const answerSerializer = orderAnswerSerializer(ctx.env.NODE_ENV === 'production');
  app.post('/batch', {
    onRequest: requireUser,
    serializerCompiler: answerSerializer,
    schema: {
      tags: ['orders'],
      summary: 'Place up to 20 orders in one go; executed in order, each succeeds or fails on its own',
      security: [{ bearer: [] }],
      body: schemas.BatchOrdersBody,
      response: { 200: schemas.BatchOrdersResponse, ...errors },
    },
  }, async (req) => placeBatch(ctx, userOf(req).id, req.body.orders));

  app.post('/:marketSlug', {
    onRequest: requireUser,
    serializerCompiler: answerSerializer,
    schema: {
      tags: ['orders'],
      summary: 'Place an order; answers with the order and its fills once durable',
      description: "A market's designated resolver may not trade in it: 403 RESOLVER_CANNOT_TRADE.",
      security: [{ bearer: [] }],
      params: schemas.MarketSlugParams,
      body: schemas.PlaceOrderBody,
      response: { 200: schemas.PlaceOrderResponse, 201: schemas.PlaceOrderResponse, ...tradingErrors },
    },
  }, async (req, reply) => {
    const res = await placeOrderBySlug(ctx, userOf(req).id, { ...req.body, marketSlug: req.params.marketSlug });
    return reply.status(res.duplicate ? 200 : 201).send(res);
  });

  app.delete('/:orderId', {
    onRequest: requireUser,
    serializerCompiler: answerSerializer,
    schema: { tags: ['orders'], summary: 'Cancel one resting order', security: [{ bearer: [] }], params: schemas.OrderIdParams, response: { 200: schemas.OrderDto, ...errors } },
  }, async (req) => cancelOrder(ctx, userOf(req).id, req.params.orderId));

  app.delete('/', {
    onRequest: requireUser,
    schema: { tags: ['orders'], summary: "Cancel all the caller's resting orders (in one market with ?market=slug)", security: [{ bearer: [] }], querystring: schemas.CancelAllQuery, response: { 200: schemas.CancelAllResponse, ...errors } },
  }, async (req) => cancelAllOrders(ctx, userOf(req).id, req.query.market));

  app.patch('/:orderId', {
    onRequest: requireUser,
    schema: {
      tags: ['orders'],
      summary: 'Amend price and/or remaining quantity; a smaller quantity keeps queue place, anything else loses it',
      security: [{ bearer: [] }],
      params: schemas.OrderIdParams,
      body: schemas.AmendOrderBody,
      response: { 200: schemas.PlaceOrderResponse, ...tradingErrors },
    },
  }, async (req) => amendOrder(ctx, userOf(req).id, req.params.orderId, req.body));

  app.get('/:marketSlug/orderbook', {
    schema: {
      tags: ['orders'],
      summary: 'YES and NO ladders from the one book, with the sequence number they are at',
      params: schemas.MarketSlugParams,
      querystring: schemas.OrderbookQuery,
      response: { 200: schemas.OrderbookResponse, 400: schemas.ErrorBody, 404: schemas.ErrorBody },
    },
  }, async (req) => orderbook(ctx.exchange, await ctx.markets.bySlug(req.params.marketSlug), req.query.depth, ctx.house.houseId));

  app.get('/:marketSlug/trades', {
    schema: { tags: ['orders'], summary: 'Trades of a market, newest first (cursor: before=<trade id>)', params: schemas.MarketSlugParams, querystring: schemas.TradesQuery, response: { 200: schemas.TradesResponse, 400: schemas.ErrorBody, 404: schemas.ErrorBody } },
  }, async (req) => marketTrades(ctx.prisma, await ctx.markets.idOf(req.params.marketSlug), req.query));

  app.get('/user/orders', {
    onRequest: requireUser,
    schema: { tags: ['orders'], summary: "The caller's orders, newest first, by status and market", security: [{ bearer: [] }], querystring: schemas.UserOrdersQuery, response: { 200: schemas.UserOrdersResponse, ...errors } },
  }, async (req) => {
    const { market, ...filter } = req.query;
    return userOrders(ctx.prisma, userOf(req).id, { ...filter, marketId: market === undefined ? undefined : await ctx.markets.idOf(market) });
  });
};
