/**
 * The socket trading API's backend: the same order commands as REST (orders/commands.ts),
 * either in-process (the writer) or forwarded to the writer over Redis (a gateway).
 *
 * Forwarding protocol (Redis pub/sub, JSON):
 *   gateway -> RPC_REQUEST_CHANNEL   { id, replyTo, op, userId, args }
 *   writer  -> replyTo               { id, ok: true, result } | { id, ok: false, error: { code, message, details? } }
 * PUBLISH answers with the number of subscribers: 0 means no writer is listening, and the
 * gateway fails at once with NOT_READY. No answer within the timeout fails with
 * WRITER_TIMEOUT (the command may have been applied: clientOrderId makes a retry safe).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError, API_ERRORS, type ApiErrorCode, type schemas } from '@prediction-markets/shared';
import type { Redis } from '../redis.ts';
import { amendOrder, cancelAllOrders, cancelOrder, placeBatch, placeOrderBySlug, type OrderDeps } from '../orders/commands.ts';

/** The order operations, by user. Each resolves with the REST result shape or throws ApiError (REST's codes). */
export interface TradingApi {
  place(userId: string, p: schemas.OrderPlacePayload): Promise<schemas.PlaceOrderResponse>;
  cancel(userId: string, orderId: number): Promise<schemas.OrderDto>;
  cancelAll(userId: string, marketSlug?: string): Promise<{ cancelledOrderIds: number[] }>;
  amend(userId: string, orderId: number, body: { price?: number | undefined; quantity?: number | undefined }): Promise<schemas.PlaceOrderResponse>;
  batch(userId: string, orders: schemas.OrderPlacePayload[]): Promise<schemas.BatchOrdersResponse>;
}

/** In-process: straight into the writer's order commands. */
export function localTrading(d: OrderDeps): TradingApi {
  return {
    place: (userId, p) => placeOrderBySlug(d, userId, p),
    cancel: (userId, orderId) => cancelOrder(d, userId, orderId),
    cancelAll: (userId, marketSlug) => cancelAllOrders(d, userId, marketSlug),
    amend: (userId, orderId, body) => amendOrder(d, userId, orderId, body),
    batch: (userId, orders) => placeBatch(d, userId, orders),
  };
}

export const RPC_REQUEST_CHANNEL = 'pm:rpc:writer';
const RPC_REPLY_PREFIX = 'pm:rpc:reply:';

type Op = keyof TradingApi;
const OPS: readonly Op[] = ['place', 'cancel', 'cancelAll', 'amend', 'batch'];

interface RpcRequest {
  id: number;
  replyTo: string;
  op: Op;
  userId: string;
  args: unknown[];
}

type RpcReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { code: string; message: string; details?: unknown } };

/** Closeable handle of an RPC endpoint. */
export interface RpcEndpoint {
  close(): Promise<void>;
}

/** The writer's side: execute forwarded commands with `api` and answer. Only ONE instance (the writer) may serve. */
export async function serveTradingRpc(redis: Redis, api: TradingApi, logger: Logger): Promise<RpcEndpoint> {
  const sub = redis.duplicate();
  sub.on('error', (err: unknown) => logger.warn({ err }, 'trading RPC subscriber error'));
  sub.on('message', (_channel: string, payload: string) => {
    let req: RpcRequest;
    try {
      req = JSON.parse(payload) as RpcRequest;
    } catch {
      return;
    }
    void (async () => {
      let reply: RpcReply;
      try {
        if (!OPS.includes(req.op)) throw new ApiError('BAD_REQUEST', `unknown operation ${String(req.op)}`);
        const fn = api[req.op] as (userId: string, ...args: unknown[]) => Promise<unknown>;
        reply = { id: req.id, ok: true, result: await fn(req.userId, ...req.args) };
      } catch (err) {
        if (err instanceof ApiError) {
          reply = { id: req.id, ok: false, error: { code: err.code, message: err.message, ...(err.details === undefined ? {} : { details: err.details }) } };
        } else {
          logger.error({ err, op: req.op }, 'forwarded trading command failed');
          reply = { id: req.id, ok: false, error: { code: 'INTERNAL_ERROR', message: 'internal error' } };
        }
      }
      await redis.publish(req.replyTo, JSON.stringify(reply)).catch((err: unknown) => logger.warn({ err }, 'trading RPC reply failed'));
    })();
  });
  await sub.subscribe(RPC_REQUEST_CHANNEL);
  return { close: () => sub.quit().then(() => undefined, () => sub.disconnect()) };
}

/** A gateway's side: every operation forwarded to the writer. */
export async function remoteTrading(redis: Redis, logger: Logger, timeoutMs: number): Promise<TradingApi & RpcEndpoint> {
  const replyTo = `${RPC_REPLY_PREFIX}${randomUUID()}`;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  const sub = redis.duplicate();
  sub.on('error', (err: unknown) => logger.warn({ err }, 'trading RPC reply subscriber error'));
  sub.on('message', (_channel: string, payload: string) => {
    let reply: RpcReply;
    try {
      reply = JSON.parse(payload) as RpcReply;
    } catch {
      return;
    }
    const p = pending.get(reply.id);
    if (p === undefined) return; // timed out already
    pending.delete(reply.id);
    clearTimeout(p.timer);
    if (reply.ok) p.resolve(reply.result);
    else {
      const code = (reply.error.code in API_ERRORS ? reply.error.code : 'INTERNAL_ERROR') as ApiErrorCode;
      p.reject(new ApiError(code, reply.error.message, reply.error.details));
    }
  });
  await sub.subscribe(replyTo);

  const call = async <T>(op: Op, userId: string, args: unknown[]): Promise<T> => {
    const id = nextId++;
    const result = new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ApiError('WRITER_TIMEOUT', `the writer did not answer within ${timeoutMs} ms; the command may or may not have been applied`));
      }, timeoutMs);
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
    });
    let receivers: number;
    try {
      receivers = await redis.publish(RPC_REQUEST_CHANNEL, JSON.stringify({ id, replyTo, op, userId, args } satisfies RpcRequest));
    } catch {
      receivers = 0;
    }
    if (receivers === 0) {
      const p = pending.get(id);
      if (p !== undefined) {
        pending.delete(id);
        clearTimeout(p.timer);
        p.reject(new ApiError('NOT_READY', 'no writer instance is reachable; retry shortly'));
      }
    }
    return result;
  };

  return {
    place: (userId, p) => call('place', userId, [p]),
    cancel: (userId, orderId) => call('cancel', userId, [orderId]),
    cancelAll: (userId, marketSlug) => call('cancelAll', userId, marketSlug === undefined ? [] : [marketSlug]),
    amend: (userId, orderId, body) => call('amend', userId, [orderId, body]),
    batch: (userId, orders) => call('batch', userId, [orders]),
    async close() {
      for (const [id, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new ApiError('SHUTTING_DOWN', 'the server is shutting down'));
        pending.delete(id);
      }
      await sub.quit().catch(() => sub.disconnect());
    },
  };
}
