/**
 * Cancel-on-disconnect (a safety net for bots): a socket arms it with
 * `session:cancel_on_disconnect { graceMs }`. From then on:
 *
 * - A silent socket is a dead one: if an armed socket sends no message at all (`ping` or
 *   anything else) for graceMs, the server disconnects it and treats the grace as spent.
 * - When an armed socket disconnects, a timer of graceMs starts for its user. A new socket of
 *   the same user on this instance stops the timer at once ("reconnected": nothing is
 *   cancelled). When the timer fires, the user's room is checked across all instances
 *   (Socket.IO fetchSockets, through the Redis adapter when configured): if any socket of
 *   the user is still connected nothing happens, otherwise every resting order of the user
 *   is cancelled through the writer (CANCEL_ALL, all markets).
 *
 * Timers live in the memory of the instance that held the socket: if that instance stops
 * or crashes before a timer fires, that cancel does not happen (documented limitation).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Server, Socket } from 'socket.io';
import { ROOMS } from '@prediction-markets/shared';

/** What cancel-on-disconnect decided for a user (for logs, operators and tests). */
export interface CodDecision {
  userId: string;
  /** cancelled: orders were cancelled; kept: the user came back or has another socket; failed: the cancel failed (logged). */
  action: 'cancelled' | 'kept' | 'failed';
  reason: 'reconnected' | 'still-connected' | 'grace-expired' | 'silent' | 'error';
  cancelledOrderIds: number[];
}

/** Per-socket state kept in `socket.data`. */
export interface CodSocketData {
  codGraceMs: number;
  codWatchdog: NodeJS.Timeout | null;
  codSilent: boolean;
}

type AnySocket = Socket<any, any, any, CodSocketData & { user: { id: string } | null }>;

export class CancelOnDisconnect {
  /** Pending grace timers by user id. */
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; silent: boolean }>();
  readonly events = new EventEmitter<{ decision: [CodDecision] }>();
  private closed = false;

  constructor(
    private readonly io: Server,
    private readonly cancelAll: (userId: string) => Promise<{ cancelledOrderIds: number[] }>,
    private readonly logger: Logger,
  ) {}

  /** Arm (graceMs > 0) or disarm (0) cancel-on-disconnect for a signed-in socket. */
  arm(socket: AnySocket, graceMs: number): void {
    socket.data.codGraceMs = graceMs;
    if (graceMs === 0) this.clearWatchdog(socket);
    else this.touch(socket);
  }

  /** Any message from the socket: restart its silence watchdog. */
  touch(socket: AnySocket): void {
    const grace = socket.data.codGraceMs;
    if (!(grace > 0) || this.closed) return;
    this.clearWatchdog(socket);
    const t = setTimeout(() => {
      socket.data.codWatchdog = null;
      socket.data.codSilent = true;
      socket.disconnect(true);
    }, grace);
    t.unref();
    socket.data.codWatchdog = t;
  }

  /** A socket of `userId` connected here: a pending cancel for the user is dropped. */
  connected(userId: string): void {
    const pending = this.timers.get(userId);
    if (pending === undefined) return;
    clearTimeout(pending.timer);
    this.timers.delete(userId);
    this.decide({ userId, action: 'kept', reason: 'reconnected', cancelledOrderIds: [] });
  }

  /** A socket disconnected: start the grace period when it was armed (none left when it was disconnected for silence). */
  disconnected(socket: AnySocket): void {
    this.clearWatchdog(socket);
    const grace = socket.data.codGraceMs;
    const user = socket.data.user;
    if (!(grace > 0) || user === null || this.closed) return;
    const silent = socket.data.codSilent;
    const previous = this.timers.get(user.id);
    if (previous !== undefined) clearTimeout(previous.timer);
    const timer = setTimeout(() => void this.fire(user.id, silent), silent ? 0 : grace);
    timer.unref();
    this.timers.set(user.id, { timer, silent });
  }

  /** True while a grace timer runs for `userId` on this instance. */
  pending(userId: string): boolean {
    return this.timers.has(userId);
  }

  /** Stop every timer (shutdown: nothing is cancelled because this instance stops). */
  close(): void {
    this.closed = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const s of this.io.of('/').sockets.values()) this.clearWatchdog(s as AnySocket);
  }

  private async fire(userId: string, silent: boolean): Promise<void> {
    this.timers.delete(userId);
    let present = false;
    try {
      present = (await this.io.in(ROOMS.user(userId)).fetchSockets()).length > 0;
    } catch (err) {
      // An instance did not answer: cancel (the safe side for the user who asked for it).
      this.logger.warn({ err, userId }, 'cancel-on-disconnect: could not check other instances; cancelling');
    }
    if (this.timers.has(userId)) return; // superseded meanwhile (another socket armed and left)
    if (present) {
      this.decide({ userId, action: 'kept', reason: 'still-connected', cancelledOrderIds: [] });
      return;
    }
    try {
      const { cancelledOrderIds } = await this.cancelAll(userId);
      this.logger.info({ userId, cancelled: cancelledOrderIds.length }, 'cancel-on-disconnect: orders cancelled');
      this.decide({ userId, action: 'cancelled', reason: silent ? 'silent' : 'grace-expired', cancelledOrderIds });
    } catch (err) {
      this.logger.error({ err, userId }, 'cancel-on-disconnect: cancel failed');
      this.decide({ userId, action: 'failed', reason: 'error', cancelledOrderIds: [] });
    }
  }

  private clearWatchdog(socket: AnySocket): void {
    if (socket.data.codWatchdog != null) {
      clearTimeout(socket.data.codWatchdog);
      socket.data.codWatchdog = null;
    }
  }

  private decide(d: CodDecision): void {
    this.events.emit('decision', d);
  }
}
