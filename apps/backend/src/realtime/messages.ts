/**
 * Committed engine events -> realtime messages (the payloads of packages/shared
 * schemas/socket.ts), and the coalescing of book deltas.
 *
 * Public messages of a market, in its sequence order:
 * - BOOK_LEVEL events -> `orderbook_update` (YES prices). A run of consecutive BOOK_LEVELs of
 *   one market (no other public event of that market between them) becomes ONE update
 *   covering fromSeq..seq, each level at its last value.
 * - TRADE -> `trade_executed`; MARKET_CREATED / MARKET_STATUS / MARKET_SETTLED ->
 *   `market_updated` (fromSeq = seq).
 * These are exactly the engine's public (seq-advancing) events, so the messages of a market
 * cover each of its sequence numbers exactly once.
 *
 * Private messages (room u:{userId}): ORDER_ACCEPTED -> `order_placed`; ORDER_UPDATED ->
 * `order_updated` (with the fills since the order's previous update) or `order_cancelled`
 * (CANCELLED / EXPIRED); BALANCE -> `balance_updated`; POSITION -> `position_updated`;
 * PAYOUT -> `notification`. LEDGER and COMMAND_REJECTED are not published.
 *
 * The payloads themselves are built by the features' DTO mappings (orders/dto.ts,
 * accounts/dto.ts, markets/dto.ts), the same as REST's.
 */
import type { EngineEvent, MarketStatus, MarketView } from '@prediction-markets/matching-engine';
import { CHANNELS, mirrorLevel, type schemas } from '@prediction-markets/shared';
import { orderViewToDto, tradeEventFills, tradeEventToMessage } from '../orders/dto.ts';
import { balanceMessage, payoutMessage, positionMessage } from '../accounts/dto.ts';
import { settlementTotals } from '../markets/dto.ts';
import type { HouseLevels } from '../house/levels.ts';

export type UserEventName = 'order_placed' | 'order_updated' | 'order_cancelled' | 'balance_updated' | 'position_updated' | 'notification';

/** One message on the event bus. Book updates travel in YES prices; fan-out derives the NO view. */
export type BusMessage =
  | { k: 'book'; msg: schemas.OrderbookUpdate }
  | { k: 'trade'; msg: schemas.TradeExecuted }
  | { k: 'market'; msg: schemas.MarketUpdated }
  | { k: 'user'; userId: string; event: UserEventName; msg: unknown };

/** Redis pub/sub channel of each message kind. */
export const CHANNEL_OF: Record<BusMessage['k'], string> = {
  book: CHANNELS.ORDERBOOK,
  trade: CHANNELS.TRADES,
  market: CHANNELS.MARKETS,
  user: CHANNELS.USER,
};

interface MarketStats {
  status: MarketStatus;
  lastPrice: number | null;
  volume: number;
  /** Last public sequence number turned into a message (-1: unknown). */
  lastSeq: number;
}

/**
 * Turns each committed batch of engine events into bus messages. Keeps per-market status,
 * last price and volume (for `market_updated`), seeded from the engine with `seed` while
 * nothing is in flight (Exchange.exclusive), then advanced by the events themselves.
 */
export class MessageBuilder {
  private readonly stats = new Map<string, MarketStats>();

  /** @param onSeqJump told when a market's public events are not contiguous with the previous batch (a bug upstream; clients will resync). */
  constructor(
    private readonly onSeqJump?: (info: { marketId: string; expected: number; got: number }) => void,
    /** Annotates each level with the house maker's share (`houseQty`), kept from these same events. */
    private readonly house?: HouseLevels,
  ) {}

  /** Start from the engine's committed state (call with nothing in flight). */
  seed(markets: readonly MarketView[]): void {
    for (const m of markets) this.stats.set(m.marketId, { status: m.status, lastPrice: m.lastYesPriceCents, volume: m.volumeShares, lastSeq: m.seq });
  }

  /** The messages of one committed batch, in event order (a coalesced book update sits where its first level was). */
  build(events: readonly EngineEvent[]): BusMessage[] {
    const out: BusMessage[] = [];
    /** The market's book update still open for merging (the last public message of that market in `out`). */
    const openBook = new Map<string, BookMerger>();
    /** Fills not yet attached to an order update, by order id. */
    const pendingFills = new Map<number, schemas.FillDto[]>();
    const stats = (marketId: string): MarketStats => {
      let s = this.stats.get(marketId);
      if (s === undefined) {
        s = { status: 'DRAFT', lastPrice: null, volume: 0, lastSeq: -1 };
        this.stats.set(marketId, s);
      }
      return s;
    };
    const advance = (marketId: string, seq: number): MarketStats => {
      const s = stats(marketId);
      if (s.lastSeq >= 0 && seq !== s.lastSeq + 1) this.onSeqJump?.({ marketId, expected: s.lastSeq + 1, got: seq });
      s.lastSeq = seq;
      return s;
    };
    const addFill = (orderId: number, fill: schemas.FillDto): void => {
      const list = pendingFills.get(orderId);
      if (list === undefined) pendingFills.set(orderId, [fill]);
      else list.push(fill);
    };

    for (const e of events) {
      this.house?.observe(e);
      switch (e.type) {
        case 'BOOK_LEVEL': {
          advance(e.marketId, e.seq);
          const level: schemas.LevelDelta = { side: e.side, price: e.yesPriceCents, quantity: e.qty, orders: e.orderCount };
          const houseQty = this.house?.qty(e.marketId, e.side, e.yesPriceCents) ?? 0;
          if (houseQty > 0) level.houseQty = houseQty;
          const open = openBook.get(e.marketId);
          if (open !== undefined) {
            open.add(level, e.seq, e.tsMs);
          } else {
            const merger = new BookMerger({ marketId: e.marketId, outcome: 'YES', fromSeq: e.seq, seq: e.seq, tsMs: e.tsMs, levels: [level] });
            openBook.set(e.marketId, merger);
            out.push({ k: 'book', msg: merger.msg });
          }
          break;
        }
        case 'TRADE': {
          openBook.delete(e.marketId);
          const s = advance(e.marketId, e.seq);
          s.lastPrice = e.yesPriceCents;
          s.volume += e.qty;
          out.push({ k: 'trade', msg: tradeEventToMessage(e) });
          const fills = tradeEventFills(e);
          addFill(e.makerOrderId, fills.maker);
          addFill(e.takerOrderId, fills.taker);
          break;
        }
        case 'MARKET_CREATED': {
          openBook.delete(e.marketId);
          const s = advance(e.marketId, e.seq);
          s.status = 'DRAFT';
          s.lastPrice = null;
          s.volume = 0;
          out.push({ k: 'market', msg: marketMsg(e.marketId, e.seq, e.tsMs, 'CREATED', s, null, null, null) });
          break;
        }
        case 'MARKET_STATUS': {
          openBook.delete(e.marketId);
          const s = advance(e.marketId, e.seq);
          s.status = e.status;
          out.push({ k: 'market', msg: marketMsg(e.marketId, e.seq, e.tsMs, 'STATUS', s, e.previousStatus, e.outcome, null) });
          break;
        }
        case 'MARKET_SETTLED': {
          openBook.delete(e.marketId);
          const s = advance(e.marketId, e.seq);
          out.push({
            k: 'market',
            msg: marketMsg(e.marketId, e.seq, e.tsMs, 'SETTLED', s, null, e.outcome, settlementTotals(e)),
          });
          break;
        }
        case 'ORDER_ACCEPTED': {
          const o = e.order;
          out.push({
            k: 'user',
            userId: o.userId,
            event: 'order_placed',
            msg: { order: orderViewToDto(o, e.tsMs, e.tsMs, o.status, null, e.maxCostCents), seq: e.seq, tsMs: e.tsMs } satisfies schemas.OrderPlaced,
          });
          break;
        }
        case 'ORDER_UPDATED': {
          const fills = pendingFills.get(e.orderId) ?? [];
          pendingFills.delete(e.orderId);
          const msg: schemas.OrderChange = {
            orderId: e.orderId,
            marketId: e.marketId,
            status: e.status,
            reason: e.reason,
            price: e.priceCents,
            quantity: e.qty,
            filledQuantity: e.filledQty,
            remainingQuantity: e.remainingQty,
            fills,
            seq: e.seq,
            tsMs: e.tsMs,
          };
          out.push({ k: 'user', userId: e.userId, event: e.status === 'CANCELLED' || e.status === 'EXPIRED' ? 'order_cancelled' : 'order_updated', msg });
          break;
        }
        case 'BALANCE':
          out.push({ k: 'user', userId: e.userId, event: 'balance_updated', msg: balanceMessage(e) });
          break;
        case 'POSITION':
          out.push({ k: 'user', userId: e.userId, event: 'position_updated', msg: positionMessage(e) });
          break;
        case 'PAYOUT':
          out.push({ k: 'user', userId: e.userId, event: 'notification', msg: payoutMessage(e) });
          break;
        case 'LEDGER':
        case 'COMMAND_REJECTED':
          break;
      }
    }
    return out;
  }
}

function marketMsg(
  marketId: string,
  seq: number,
  tsMs: number,
  reason: schemas.MarketUpdated['reason'],
  s: MarketStats,
  previousStatus: MarketStatus | null,
  outcome: 'YES' | 'NO' | null,
  settlement: schemas.MarketUpdated['settlement'],
): schemas.MarketUpdated {
  return { marketId, fromSeq: seq, seq, tsMs, reason, status: s.status, previousStatus, outcome, lastPrice: s.lastPrice, volume: s.volume, settlement };
}

/**
 * Merges contiguous book updates of one market into one: levels keep their first position and
 * take their last value. Mutates the message it was created with.
 */
export class BookMerger {
  private readonly index = new Map<string, number>();

  constructor(readonly msg: schemas.OrderbookUpdate) {
    msg.levels.forEach((l, i) => this.index.set(l.side + l.price, i));
  }

  /** Add one level change at `seq` (must be msg.seq + 1). */
  add(level: schemas.LevelDelta, seq: number, tsMs: number): void {
    const key = level.side + level.price;
    const i = this.index.get(key);
    if (i === undefined) {
      this.index.set(key, this.msg.levels.length);
      this.msg.levels.push(level);
    } else {
      this.msg.levels[i] = level;
    }
    this.msg.seq = seq;
    this.msg.tsMs = tsMs;
  }

  /** Append a whole update covering next.fromSeq..next.seq; false (nothing changed) unless it follows on contiguously. */
  append(next: schemas.OrderbookUpdate): boolean {
    if (next.marketId !== this.msg.marketId || next.outcome !== this.msg.outcome || next.fromSeq !== this.msg.seq + 1) return false;
    for (const l of next.levels) this.add(l, next.seq, next.tsMs);
    this.msg.seq = next.seq;
    this.msg.tsMs = next.tsMs;
    return true;
  }
}

/**
 * Coalesce a queue of bus messages: consecutive book updates of one market (no other public
 * message of that market between them, and contiguous sequence ranges) become one. Order is
 * otherwise kept; inputs are not mutated.
 */
export function coalesce(queue: readonly BusMessage[]): BusMessage[] {
  if (queue.length < 2) return queue.slice();
  const out: BusMessage[] = [];
  const open = new Map<string, BookMerger>();
  for (const m of queue) {
    if (m.k === 'book') {
      const merger = open.get(m.msg.marketId);
      if (merger !== undefined && merger.append(m.msg)) continue;
      const copy = new BookMerger({ ...m.msg, levels: m.msg.levels.slice() });
      open.set(m.msg.marketId, copy);
      out.push({ k: 'book', msg: copy.msg });
    } else {
      if (m.k !== 'user') open.delete(m.msg.marketId);
      out.push(m);
    }
  }
  return out;
}

/** The same update in NO prices (mirror.ts): YES bid at p = NO ask at 100 - p, YES ask at p = NO bid at 100 - p. */
export function toNoView(m: schemas.OrderbookUpdate): schemas.OrderbookUpdate {
  return { ...m, outcome: 'NO', levels: m.levels.map(mirrorLevel) };
}
