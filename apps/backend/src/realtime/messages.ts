/**
 * Committed engine events -> realtime messages (the payloads of packages/shared
 * schemas/socket.ts), and the coalescing of market frames.
 *
 * Public messages: ONE `market_frame` per market per committed batch (YES prices), covering
 * fromSeq..seq = every public event of the market in the batch:
 * - BOOK_LEVEL -> `levels` (each level once, at its last value);
 * - TRADE -> `trades`; MARKET_CREATED / MARKET_STATUS / MARKET_SETTLED -> `updates`.
 * These are exactly the engine's public (seq-advancing) events, so the frames of a market
 * cover each of its sequence numbers exactly once. The fan-out derives the NO view
 * (`toNoView`) and may merge consecutive frames of a market (`coalesce`).
 *
 * Private messages (room u:{userId}): ORDER_ACCEPTED -> `order_placed`; ORDER_UPDATED ->
 * `order_updated` (with the fills since the order's previous update) or `order_cancelled`
 * (CANCELLED / EXPIRED); BALANCE -> `balance_updated`; POSITION -> `position_updated`;
 * PAYOUT -> `notification`. LEDGER and COMMAND_REJECTED are not published.
 *
 * The payloads themselves are built by the features' DTO mappings (orders/dto.ts,
 * accounts/dto.ts, markets/dto.ts), the same as REST's. Book levels carry the house maker's
 * shares (`houseQty`, house/levels.ts) when there are any.
 */
import type { EngineEvent, MarketStatus, MarketView } from '@prediction-markets/matching-engine';
import { CHANNELS, mirrorLevel, type schemas } from '@prediction-markets/shared';
import { orderViewToDto, tradeEventFills, tradeEventToFrameTrade } from '../orders/dto.ts';
import { balanceMessage, payoutMessage, positionMessage } from '../accounts/dto.ts';
import { settlementTotals } from '../markets/dto.ts';
import type { HouseLevels } from '../house/levels.ts';

export type UserEventName = 'order_placed' | 'order_updated' | 'order_cancelled' | 'balance_updated' | 'position_updated' | 'notification';

/** One message on the event bus. Frames travel in YES prices; fan-out derives the NO view. */
export type BusMessage = { k: 'frame'; msg: schemas.MarketFrame } | { k: 'user'; userId: string; event: UserEventName; msg: unknown };

/** Redis pub/sub channel of each message kind (market frames: the market feed channel pm:orderbook). */
export const CHANNEL_OF: Record<BusMessage['k'], string> = {
  frame: CHANNELS.ORDERBOOK,
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
 * last price and volume (for the frames' market updates), seeded from the engine with `seed` while
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

  /** The messages of one committed batch, in event order (a market's frame sits where its first public event was). */
  build(events: readonly EngineEvent[]): BusMessage[] {
    const out: BusMessage[] = [];
    /** Each market's frame of this batch. */
    const frames = new Map<string, FrameMerger>();
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
    /** Advance the market to `seq` and return the frame its event joins. */
    const advance = (marketId: string, seq: number, tsMs: number): { s: MarketStats; f: FrameMerger } => {
      const s = stats(marketId);
      let f = frames.get(marketId);
      if (s.lastSeq >= 0 && seq !== s.lastSeq + 1) {
        this.onSeqJump?.({ marketId, expected: s.lastSeq + 1, got: seq });
        f = undefined; // a new frame: the range of a frame is contiguous, so clients see the jump as a gap
      }
      s.lastSeq = seq;
      if (f === undefined) {
        f = new FrameMerger({ marketId, fromSeq: seq, seq, tsMs, outcome: 'YES', levels: [], trades: [], updates: [] });
        frames.set(marketId, f);
        out.push({ k: 'frame', msg: f.msg });
      } else {
        f.advance(seq, tsMs);
      }
      return { s, f };
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
          const level: schemas.LevelDelta = { side: e.side, price: e.yesPriceCents, quantity: e.qty, orders: e.orderCount };
          const houseQty = this.house?.qty(e.marketId, e.side, e.yesPriceCents) ?? 0;
          if (houseQty > 0) level.houseQty = houseQty;
          advance(e.marketId, e.seq, e.tsMs).f.level(level);
          break;
        }
        case 'TRADE': {
          const { s, f } = advance(e.marketId, e.seq, e.tsMs);
          s.lastPrice = e.yesPriceCents;
          s.volume += e.qty;
          f.msg.trades.push(tradeEventToFrameTrade(e));
          const fills = tradeEventFills(e);
          addFill(e.makerOrderId, fills.maker);
          addFill(e.takerOrderId, fills.taker);
          break;
        }
        case 'MARKET_CREATED': {
          const { s, f } = advance(e.marketId, e.seq, e.tsMs);
          s.status = 'DRAFT';
          s.lastPrice = null;
          s.volume = 0;
          f.msg.updates.push(marketMsg(e.seq, e.tsMs, 'CREATED', s, null, null, null));
          break;
        }
        case 'MARKET_STATUS': {
          const { s, f } = advance(e.marketId, e.seq, e.tsMs);
          s.status = e.status;
          f.msg.updates.push(marketMsg(e.seq, e.tsMs, 'STATUS', s, e.previousStatus, e.outcome, null));
          break;
        }
        case 'MARKET_SETTLED': {
          const { s, f } = advance(e.marketId, e.seq, e.tsMs);
          f.msg.updates.push(marketMsg(e.seq, e.tsMs, 'SETTLED', s, null, e.outcome, settlementTotals(e)));
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

/** A market change of a frame (`lastPrice` and `volume` as of `seq`). */
function marketMsg(
  seq: number,
  tsMs: number,
  reason: schemas.FrameMarketUpdate['reason'],
  s: MarketStats,
  previousStatus: MarketStatus | null,
  outcome: 'YES' | 'NO' | null,
  settlement: schemas.FrameMarketUpdate['settlement'],
): schemas.FrameMarketUpdate {
  return { seq, tsMs, reason, status: s.status, previousStatus, outcome, lastPrice: s.lastPrice, volume: s.volume, settlement };
}

/** Key of a book level in a frame: side and price. */
const levelKey = (l: schemas.LevelDelta): number => (l.side === 'BID' ? l.price : 100 + l.price);

/**
 * Grows one market frame: level changes keep their first position and take their last value;
 * trades and market updates append in sequence order. Mutates the frame it was created with.
 */
export class FrameMerger {
  private readonly index = new Map<number, number>();

  constructor(readonly msg: schemas.MarketFrame) {
    msg.levels.forEach((l, i) => this.index.set(levelKey(l), i));
  }

  /** The frame now ends at `seq` (the next sequence number), an event of engine time `tsMs`. */
  advance(seq: number, tsMs: number): void {
    this.msg.seq = seq;
    this.msg.tsMs = tsMs;
  }

  /** Set one level to its new value (the frame's prices). */
  level(level: schemas.LevelDelta): void {
    const key = levelKey(level);
    const i = this.index.get(key);
    if (i === undefined) {
      this.index.set(key, this.msg.levels.length);
      this.msg.levels.push(level);
    } else {
      this.msg.levels[i] = level;
    }
  }

  /** Append a whole frame covering next.fromSeq..next.seq; false (nothing changed) unless it follows on contiguously (same market and outcome). */
  append(next: schemas.MarketFrame): boolean {
    if (next.marketId !== this.msg.marketId || next.outcome !== this.msg.outcome || next.fromSeq !== this.msg.seq + 1) return false;
    for (const l of next.levels) this.level(l);
    for (const t of next.trades) this.msg.trades.push(t);
    for (const u of next.updates) this.msg.updates.push(u);
    this.advance(next.seq, next.tsMs);
    return true;
  }
}

/**
 * Coalesce a queue of bus messages: consecutive frames of one market with contiguous ranges
 * (private messages may lie between them) become one. Order is otherwise kept; inputs are not
 * mutated.
 */
export function coalesce(queue: readonly BusMessage[]): BusMessage[] {
  if (queue.length < 2) return queue.slice();
  const out: BusMessage[] = [];
  const open = new Map<string, FrameMerger>();
  for (const m of queue) {
    if (m.k !== 'frame') {
      out.push(m);
      continue;
    }
    const merger = open.get(m.msg.marketId);
    if (merger !== undefined && merger.append(m.msg)) continue;
    const copy = new FrameMerger({ ...m.msg, levels: m.msg.levels.slice(), trades: m.msg.trades.slice(), updates: m.msg.updates.slice() });
    open.set(m.msg.marketId, copy);
    out.push({ k: 'frame', msg: copy.msg });
  }
  return out;
}

/** The same frame in NO prices (mirror.ts): YES bid at p = NO ask at 100 - p, YES ask at p = NO bid at 100 - p. Trades and updates carry both prices already. */
export function toNoView(f: schemas.MarketFrame): schemas.MarketFrame {
  return { ...f, outcome: 'NO', levels: f.levels.map(mirrorLevel) };
}
