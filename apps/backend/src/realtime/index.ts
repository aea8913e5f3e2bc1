/**
 * The realtime layer of the WRITER instance (see docs/realtime.md):
 *
 *   Exchange (commits a batch) --publish(events)--> MessageBuilder --> EventBus
 *     --> every instance's Fanout --> its own sockets
 *
 * - The Exchange calls the publisher only after a batch's transaction committed, in commit
 *   order; a failed commit publishes nothing (the engine is rebuilt from the database).
 * - The bus is Redis pub/sub with REDIS_URL, memory otherwise: same code path.
 * - Snapshots come from the engine between batches (committed state); socket trading runs
 *   in-process through orders/commands.ts; with Redis, gateways' forwarded commands are
 *   served here too (trading.ts).
 */
import type { Server as HttpServer } from 'node:http';
import type { AppContext } from '../context.ts';
import type { EventPublisher } from '../exchange/exchange.ts';
import { MemoryBus, RedisBus, type EventBus } from './bus.ts';
import { MessageBuilder } from './messages.ts';
import { createRealtimeServer, type RealtimeServer } from './server.ts';
import { engineSnapshots } from './snapshot.ts';
import { localTrading, serveTradingRpc, type RpcEndpoint } from './trading.ts';

export type { RealtimeServer } from './server.ts';
export type { CodDecision } from './cancel-on-disconnect.ts';

export interface RealtimeOptions {
  /** Another publisher to call after the realtime one (e.g. RuntimeOptions.publisher in tests). */
  chain?: EventPublisher;
  /** Use this bus instead of the default one (tests: spy on publishes). */
  bus?: EventBus;
}

export interface Realtime extends RealtimeServer {
  /** The publisher installed on the Exchange. */
  publisher: EventPublisher;
}

/** Attach Socket.IO to `httpServer` and the publisher to the exchange. Call before listening. */
export async function attachRealtime(ctx: AppContext, httpServer: HttpServer, opts: RealtimeOptions = {}): Promise<Realtime> {
  const bus = opts.bus ?? (ctx.redis === null ? new MemoryBus(ctx.logger) : new RedisBus(ctx.redis, ctx.logger));
  const trading = localTrading(ctx);
  const server = await createRealtimeServer(httpServer, {
    env: ctx.env,
    logger: ctx.logger,
    metrics: ctx.metrics,
    redis: ctx.redis,
    tokens: ctx.tokens,
    markets: ctx.markets,
    snapshots: engineSnapshots(ctx.exchange, ctx.house),
    trading,
    bus,
    limits: ctx.limits,
  });
  const builder = new MessageBuilder((info) => ctx.logger.warn(info, 'realtime: public events of a market are not contiguous'), ctx.house);
  const chain = opts.chain;
  const publisher: EventPublisher = {
    publish(events) {
      try {
        bus.publish(builder.build(events));
      } catch (err) {
        ctx.logger.error({ err }, 'realtime: building messages failed');
      }
      return chain?.publish(events);
    },
  };
  // Seed and install atomically with respect to batches: nothing is in flight meanwhile.
  await ctx.exchange.exclusive(async (engine) => {
    builder.seed(engine.marketIds().flatMap((id) => engine.getMarket(id) ?? []));
    ctx.house.seed(engine);
    ctx.exchange.setPublisher(publisher);
  });
  const rpc: RpcEndpoint | null = ctx.redis === null ? null : await serveTradingRpc(ctx.redis, trading, ctx.logger);

  let closing: Promise<void> | null = null;
  return {
    ...server,
    publisher,
    close() {
      closing ??= (async () => {
        ctx.exchange.setPublisher(chain ?? { publish: () => undefined });
        await rpc?.close();
        await server.close();
      })();
      return closing;
    },
  };
}
