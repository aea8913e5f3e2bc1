/** /api/orders: place, cancel, cancel-all, amend, batch, order book, trades, the caller's orders. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireUser, userOf } from '../plugins/auth.ts';
import { amendOrder, cancelAllOrders, cancelOrder, orderRowToDto, placeBatch, placeOrderBySlug } from '../services/orders.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 404: schemas.ErrorBody, 409: schemas.ErrorBody, 422: schemas.ErrorBody, 503: schemas.ErrorBody };

export const orderRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.post('/batch', {
    onRequest: requireUser,
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
    schema: {
      tags: ['orders'],
      summary: 'Place an order; answers with the order and its fills once durable',
      security: [{ bearer: [] }],
      params: schemas.MarketSlugParams,
      body: schemas.PlaceOrderBody,
      response: { 200: schemas.PlaceOrderResponse, 201: schemas.PlaceOrderResponse, ...errors },
    },
  }, async (req, reply) => {
    const res = await placeOrderBySlug(ctx, userOf(req).id, { ...req.body, marketSlug: req.params.marketSlug });
    return reply.status(res.duplicate ? 200 : 201).send(res);
  });

  app.delete('/:orderId', {
    onRequest: requireUser,
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
      response: { 200: schemas.PlaceOrderResponse, ...errors },
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
  }, async (req) => {
    const row = await ctx.markets.bySlug(req.params.marketSlug);
    const depth = req.query.depth;
    const book = await ctx.exchange.read((e) => ({ yes: e.getLadder(row.id, 'YES', depth), no: e.getLadder(row.id, 'NO', depth) }));
    if (book.yes === undefined || book.no === undefined) throw new ApiError('UNKNOWN_MARKET', `no market ${row.slug}`);
    const ladder = (l: NonNullable<typeof book.yes>) => ({
      bids: l.bids.map((x) => ({ price: x.priceCents, quantity: x.qty, orders: x.orderCount })),
      asks: l.asks.map((x) => ({ price: x.priceCents, quantity: x.qty, orders: x.orderCount })),
    });
    return { marketId: row.id, slug: row.slug, seq: book.yes.seq, depth, yes: ladder(book.yes), no: ladder(book.no) };
  });

  app.get('/:marketSlug/trades', {
    schema: { tags: ['orders'], summary: 'Trades of a market, newest first (cursor: before=<trade id>)', params: schemas.MarketSlugParams, querystring: schemas.TradesQuery, response: { 200: schemas.TradesResponse, 400: schemas.ErrorBody, 404: schemas.ErrorBody } },
  }, async (req) => {
    const marketId = await ctx.markets.idOf(req.params.marketSlug);
    const { limit, before } = req.query;
    const rows = await ctx.prisma.trade.findMany({
      where: { marketId, ...(before === undefined ? {} : { id: { lt: BigInt(before) } }) },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return {
      trades: rows.map((t) => ({
        id: Number(t.id),
        marketId: t.marketId,
        seq: Number(t.seq),
        kind: t.kind,
        yesPrice: t.yesPriceCents,
        noPrice: 100 - t.yesPriceCents,
        quantity: t.qty,
        takerSide: t.takerSide,
        takerOutcome: t.takerOutcome,
        createdAt: t.createdAt.toISOString(),
      })),
      nextBefore: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null,
    };
  });

  app.get('/user/orders', {
    onRequest: requireUser,
    schema: { tags: ['orders'], summary: "The caller's orders, newest first, by status and market", security: [{ bearer: [] }], querystring: schemas.UserOrdersQuery, response: { 200: schemas.UserOrdersResponse, ...errors } },
  }, async (req) => {
    const user = userOf(req);
    const { limit, before, status, market } = req.query;
    const marketId = market === undefined ? undefined : await ctx.markets.idOf(market);
    const rows = await ctx.prisma.order.findMany({
      where: {
        userId: user.id,
        ...(status === undefined ? {} : { status }),
        ...(marketId === undefined ? {} : { marketId }),
        ...(before === undefined ? {} : { id: { lt: BigInt(before) } }),
      },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return { orders: rows.map(orderRowToDto), nextBefore: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null };
  });
};
