/**
 * Fan-out: every instance emits the bus messages to ITS OWN sockets (`io.local`), in bus
 * order. Book updates go to m:{id} and m:{id}:YES in YES prices and to m:{id}:NO in NO
 * prices; trades and market updates to all three; private messages to u:{userId}.
 *
 * Adaptive coalescing: messages are queued and flushed on the next turn of the event loop
 * (setImmediate) or after REALTIME_COALESCE_MS. Whatever queued meanwhile is flushed together,
 * and contiguous book updates of one market merge into one (messages.ts `coalesce`): idle,
 * nothing waits; under load, fewer and larger updates go out, each covering fromSeq..seq.
 */
import type { Server } from 'socket.io';
import { ROOMS } from '@prediction-markets/shared';
import type { Metrics } from '../metrics.ts';
import { coalesce, toNoView, type BusMessage } from './messages.ts';

export class Fanout {
  private queue: BusMessage[] = [];
  private scheduled = false;
  private closed = false;

  constructor(
    private readonly io: Server,
    private readonly metrics: Metrics,
    private readonly coalesceMs: number,
  ) {}

  /** Bus handler: queue messages for the next flush. */
  readonly deliver = (messages: BusMessage[]): void => {
    if (this.closed) return;
    for (const m of messages) this.queue.push(m);
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.coalesceMs > 0) setTimeout(this.flush, this.coalesceMs);
    else setImmediate(this.flush);
  };

  /** Emit everything queued now (also used at shutdown). */
  readonly flush = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    for (const m of coalesce(queue)) this.emit(m);
  };

  close(): void {
    this.flush();
    this.closed = true;
  }

  private emit(m: BusMessage): void {
    switch (m.k) {
      case 'book': {
        const id = m.msg.marketId;
        this.to([ROOMS.market(id), ROOMS.marketOutcome(id, 'YES')], 'orderbook_update', m.msg);
        if (this.size(ROOMS.marketOutcome(id, 'NO')) > 0) this.to([ROOMS.marketOutcome(id, 'NO')], 'orderbook_update', toNoView(m.msg));
        break;
      }
      case 'trade':
      case 'market': {
        const id = m.msg.marketId;
        this.to([ROOMS.market(id), ROOMS.marketOutcome(id, 'YES'), ROOMS.marketOutcome(id, 'NO')], m.k === 'trade' ? 'trade_executed' : 'market_updated', m.msg);
        break;
      }
      case 'user':
        this.to([ROOMS.user(m.userId)], m.event, m.msg);
        break;
    }
  }

  /** Local members of a room. */
  private size(room: string): number {
    return this.io.of('/').adapter.rooms.get(room)?.size ?? 0;
  }

  /**
   * Emit to each of `rooms`. A socket holds at most one view per market, so the rooms are
   * disjoint and each socket gets the message once; emitting room by room spares Socket.IO's
   * per-socket de-duplication of multi-room broadcasts (the payload is encoded once per room).
   */
  private to(rooms: string[], event: string, payload: unknown): void {
    let total = 0;
    for (const r of rooms) {
      const n = this.size(r);
      if (n === 0) continue;
      this.io.local.to(r).emit(event, payload);
      total += n;
    }
    if (total > 0) this.metrics.websocketMessagesTotal.inc({ direction: 'out', event }, total);
  }
}
