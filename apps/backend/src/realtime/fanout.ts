/**
 * Fan-out: every instance emits the bus messages to ITS OWN sockets (`io.local`), in bus
 * order. A market frame (one per market per committed batch: book changes, trades and
 * status together) goes out as ONE broadcast to m:{id} and m:{id}:YES in YES prices, and one
 * to m:{id}:NO in NO prices (only when that room has members); private messages go to
 * u:{userId}.
 *
 * Encoded once: Socket.IO's adapter encodes a broadcast's packet once, WebSocket frame
 * included (socket.io-adapter `_encode`: `wsPreEncodedFrame`), and hands the same bytes to
 * each socket of the rooms; so each frame is serialised once per view, not per socket.
 *
 * Adaptive coalescing: messages are queued and flushed on the next turn of the event loop
 * (setImmediate) or after REALTIME_COALESCE_MS. Whatever queued meanwhile is flushed together,
 * and contiguous frames of one market merge into one (messages.ts `coalesce`): idle, nothing
 * waits; under load, fewer and larger frames go out, each covering fromSeq..seq.
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
      case 'frame': {
        const id = m.msg.marketId;
        this.to([ROOMS.market(id), ROOMS.marketOutcome(id, 'YES')], 'market_frame', m.msg);
        const no = ROOMS.marketOutcome(id, 'NO');
        if (this.size(no) > 0) this.to([no], 'market_frame', toNoView(m.msg));
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
   * ONE broadcast of `payload` to the members of `rooms` (empty rooms skipped): encoded once
   * for all of them. A socket holds at most one view per market, so the rooms are disjoint and
   * each socket gets the message once.
   */
  private to(rooms: string[], event: string, payload: unknown): void {
    let total = 0;
    const live: string[] = [];
    for (const r of rooms) {
      const n = this.size(r);
      if (n === 0) continue;
      live.push(r);
      total += n;
    }
    if (total === 0) return;
    this.io.local.to(live).emit(event, payload);
    this.metrics.websocketMessagesTotal.inc({ direction: 'out', event }, total);
  }
}
