/**
 * Reads of the orders feature: stored orders, fills and trades (PostgreSQL) and the live book
 * (the engine's committed state, between writer batches). The ONLY place this feature reads.
 */
import { ApiError, type schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { pageArgs, toPage, type PageRequest } from '../pagination.ts';
import { withHouseQty } from '../house/levels.ts';
import { ladderDto, orderRowToDto, tradeRowFill, tradeRowToDto } from './dto.ts';

/** A stored order as OrderDto; throws (a bug) when it is not stored. */
export async function storedOrder(prisma: PrismaClient, orderId: number): Promise<schemas.OrderDto> {
  const row = await prisma.order.findUnique({ where: { id: BigInt(orderId) } });
  if (row === null) throw new Error(`order ${orderId} is not stored`);
  return orderRowToDto(row);
}

/** Fills of a stored order (both roles), oldest first. */
export async function storedFills(prisma: PrismaClient, orderId: number): Promise<schemas.FillDto[]> {
  const id = BigInt(orderId);
  const rows = await prisma.trade.findMany({ where: { OR: [{ makerOrderId: id }, { takerOrderId: id }] }, orderBy: { id: 'asc' } });
  return rows.map((t) => tradeRowFill(t, orderId));
}

/** A user's orders, newest first, optionally by status and market. */
export async function userOrders(
  prisma: PrismaClient,
  userId: string,
  filter: PageRequest & { status?: schemas.OrderDto['status'] | undefined; marketId?: string | undefined },
): Promise<{ orders: schemas.OrderDto[]; nextBefore: number | null }> {
  const { idBefore, orderBy, take } = pageArgs(filter);
  const rows = await prisma.order.findMany({
    where: {
      userId,
      ...(filter.status === undefined ? {} : { status: filter.status }),
      ...(filter.marketId === undefined ? {} : { marketId: filter.marketId }),
      ...idBefore,
    },
    orderBy,
    take,
  });
  const page = toPage(rows, filter, orderRowToDto);
  return { orders: page.items, nextBefore: page.nextBefore };
}

/** A market's trades, newest first. */
export async function marketTrades(prisma: PrismaClient, marketId: string, page: PageRequest): Promise<{ trades: schemas.TradeDto[]; nextBefore: number | null }> {
  const { idBefore, orderBy, take } = pageArgs(page);
  const rows = await prisma.trade.findMany({ where: { marketId, ...idBefore }, orderBy, take });
  const p = toPage(rows, page, tradeRowToDto);
  return { trades: p.items, nextBefore: p.nextBefore };
}

/** Both ladders of a market's book at one sequence number, `depth` levels each; UNKNOWN_MARKET if the engine has none. */
export async function orderbook(exchange: Exchange, market: { id: string; slug: string }, depth: number, houseId: string | null = null): Promise<schemas.OrderbookResponse> {
  const book = await exchange.read((e) => {
    const yes = e.getLadder(market.id, 'YES', depth);
    const no = e.getLadder(market.id, 'NO', depth);
    if (yes === undefined || no === undefined) return null;
    // houseQty per level: the house market maker's share (house/levels.ts), read in the same engine state.
    return { seq: yes.seq, ...withHouseQty(e, houseId, market.id, ladderDto(yes), ladderDto(no)) };
  });
  if (book === null) throw new ApiError('UNKNOWN_MARKET', `no market ${market.slug}`);
  return { marketId: market.id, slug: market.slug, seq: book.seq, depth, yes: book.yes, no: book.no };
}
