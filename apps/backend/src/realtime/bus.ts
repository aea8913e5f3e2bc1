/**
 * The event bus between the writer (which publishes committed messages) and every server
 * instance's fan-out (which emits them to its own sockets). One interface, two transports:
 *
 * - `MemoryBus` (no REDIS_URL): one process; publish hands the messages to the local
 *   subscribers synchronously, in order.
 * - `RedisBus` (REDIS_URL): Redis pub/sub on CHANNELS.ORDERBOOK (market frames: book, trades
 *   and status of a batch together) and CHANNELS.USER (private messages); see CHANNEL_OF.
 *   Consecutive messages of one channel travel as one JSON array. Order across channels is
 *   kept because every PUBLISH goes through ONE connection (the writer's) and every instance
 *   reads every channel on ONE subscriber connection: Redis delivers to a subscriber in
 *   the order the publishes were executed.
 *
 * Pub/sub is at-most-once: a message lost (Redis restart, subscriber reconnecting) shows up
 * at clients as a sequence gap, and they resync from a fresh snapshot (docs/realtime.md).
 */
import type { Logger } from 'pino';
import type { Redis } from '../redis.ts';
import { CHANNEL_OF, type BusMessage } from './messages.ts';

export type BusHandler = (messages: BusMessage[]) => void;

export interface EventBus {
  /** 'memory' or 'redis'. */
  readonly kind: 'memory' | 'redis';
  /** Publish committed messages, in order. Never throws: a transport failure is logged (clients will see a gap). */
  publish(messages: BusMessage[]): void;
  /** Receive every message published by any instance, in publish order. */
  subscribe(handler: BusHandler): Promise<void>;
  /** Stop receiving; close connections this bus opened. */
  close(): Promise<void>;
}

export class MemoryBus implements EventBus {
  readonly kind = 'memory' as const;
  private handlers: BusHandler[] = [];

  constructor(private readonly logger?: Logger) {}

  publish(messages: BusMessage[]): void {
    if (messages.length === 0) return;
    for (const h of this.handlers) {
      try {
        h(messages);
      } catch (err) {
        this.logger?.error({ err }, 'realtime bus handler failed');
      }
    }
  }

  async subscribe(handler: BusHandler): Promise<void> {
    this.handlers.push(handler);
  }

  async close(): Promise<void> {
    this.handlers = [];
  }
}

export class RedisBus implements EventBus {
  readonly kind = 'redis' as const;
  private sub: Redis | null = null;
  private handlers: BusHandler[] = [];

  /** @param pub the shared command connection (publishes go through it, in call order). */
  constructor(
    private readonly pub: Redis,
    private readonly logger: Logger,
  ) {}

  publish(messages: BusMessage[]): void {
    if (messages.length === 0) return;
    const pipeline = this.pub.pipeline();
    let i = 0;
    while (i < messages.length) {
      const channel = CHANNEL_OF[messages[i]!.k];
      let j = i + 1;
      while (j < messages.length && CHANNEL_OF[messages[j]!.k] === channel) j++;
      pipeline.publish(channel, JSON.stringify(messages.slice(i, j)));
      i = j;
    }
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([err]) => err !== null);
        if (failed !== undefined) this.logger.error({ err: failed[0] }, 'publishing realtime messages to Redis failed');
      },
      (err: unknown) => this.logger.error({ err }, 'publishing realtime messages to Redis failed'),
    );
  }

  async subscribe(handler: BusHandler): Promise<void> {
    this.handlers.push(handler);
    if (this.sub !== null) return;
    const sub = this.pub.duplicate();
    this.sub = sub;
    sub.on('error', (err: unknown) => this.logger.warn({ err }, 'realtime Redis subscriber error'));
    sub.on('message', (_channel: string, payload: string) => {
      let messages: BusMessage[];
      try {
        messages = JSON.parse(payload) as BusMessage[];
      } catch (err) {
        this.logger.error({ err }, 'unparseable realtime message from Redis');
        return;
      }
      for (const h of this.handlers) {
        try {
          h(messages);
        } catch (err) {
          this.logger.error({ err }, 'realtime bus handler failed');
        }
      }
    });
    await sub.subscribe(...new Set(Object.values(CHANNEL_OF)));
  }

  async close(): Promise<void> {
    this.handlers = [];
    const sub = this.sub;
    this.sub = null;
    if (sub !== null) await sub.quit().catch(() => sub.disconnect());
  }
}
