/**
 * Book snapshots for `subscribe:market`: the COMMITTED state of a market at one sequence
 * number, both ladders in full.
 *
 * - `engineSnapshots` (the writer): Exchange.read runs between batches, so it sees exactly
 *   the state after the last committed batch.
 * - `databaseSnapshots` (a gateway, which has no engine): ONE SQL statement reads the market
 *   row and aggregates its resting orders. A single statement sees one MVCC snapshot, and the
 *   writer commits each batch's orders and the market's seq in one transaction, so the book
 *   and `seq` always belong together.
 */
import type { MarketStatus, Outcome } from '@prediction-markets/matching-engine';
import { mirrorLadder } from '@prediction-markets/shared';
import type { Exchange } from '../exchange/exchange.ts';
import type { PrismaClient } from '../db/types.ts';
import { storedBook, type StoredLevel } from '../markets/queries.ts';
import { ladderDto } from '../orders/dto.ts';
import { withHouseQty, type HouseLevels } from '../house/levels.ts';
import { HOUSE_EMAIL } from '../house/queries.ts';

export interface SnapshotLevel {
  price: number;
  quantity: number;
  orders: number;
  /** The house market maker's shares at the level, when any (house/levels.ts on the writer; the stored orders on a gateway). */
  houseQty?: number;
}

export interface SnapshotLadder {
  /** Best first: bids descending, asks ascending. */
  bids: SnapshotLevel[];
  asks: SnapshotLevel[];
}

/** A market's committed state at `seq`. Prices in cents of the ladder's outcome. */
export interface BookSnapshot {
  marketId: string;
  seq: number;
  status: MarketStatus;
  /** The resolved outcome, once RESOLVED. */
  outcome: Outcome | null;
  lastPrice: number | null;
  volume: number;
  yes: SnapshotLadder;
  no: SnapshotLadder;
}

export interface SnapshotSource {
  /** The committed snapshot, or null when there is no such market. */
  snapshot(marketId: string): Promise<BookSnapshot | null>;
}

/** Every level of a ladder (prices are 1..99, so 99 covers all). */
const FULL_DEPTH = 99;

export function engineSnapshots(exchange: Exchange, house?: HouseLevels): SnapshotSource {
  return {
    snapshot: (marketId) =>
      exchange.read((e) => {
        const m = e.getMarket(marketId);
        const yes = e.getLadder(marketId, 'YES', FULL_DEPTH);
        const no = e.getLadder(marketId, 'NO', FULL_DEPTH);
        if (m === undefined || yes === undefined || no === undefined) return null;
        const ladders = house === undefined ? { yes: ladderDto(yes), no: ladderDto(no) } : withHouseQty(e, house.houseId, marketId, ladderDto(yes), ladderDto(no));
        return { marketId, seq: m.seq, status: m.status, outcome: m.outcome, lastPrice: m.lastYesPriceCents, volume: m.volumeShares, ...ladders };
      }),
  };
}

/**
 * Snapshots read from the database (markets/queries.ts `storedBook`: one consistent statement),
 * levels annotated with the house market maker's shares as the writer's are; the NO ladder
 * mirrored from the YES one.
 */
export function databaseSnapshots(prisma: PrismaClient): SnapshotSource {
  return {
    async snapshot(marketId) {
      const book = await storedBook(prisma, marketId, HOUSE_EMAIL);
      if (book === null) return null;
      const level = (l: StoredLevel): SnapshotLevel =>
        l.houseQty > 0 ? { price: l.price, quantity: l.quantity, orders: l.orders, houseQty: l.houseQty } : { price: l.price, quantity: l.quantity, orders: l.orders };
      const yes: SnapshotLadder = {
        bids: book.levels.filter((l) => l.side === 'BID').map(level).sort((a, b) => b.price - a.price),
        asks: book.levels.filter((l) => l.side === 'ASK').map(level).sort((a, b) => a.price - b.price),
      };
      return { marketId, seq: book.seq, status: book.status, outcome: book.outcome, lastPrice: book.lastPrice, volume: book.volume, yes, no: mirrorLadder(yes) };
    },
  };
}
