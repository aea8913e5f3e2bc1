/**
 * The Socket.IO server (path /ws) of one instance: authentication, rooms, the message
 * handlers (market subscriptions, heartbeats, sessions, trading), per-user and per-socket
 * rate limits, cancel-on-disconnect, and the fan-out of bus messages to its own sockets.
 * The protocol is documented in docs/realtime.md; payloads in packages/shared
 * schemas/socket.ts.
 *
 * Wiring is role-neutral: the writer passes engine snapshots and in-process trading
 * (realtime/index.ts), a gateway database snapshots and trading forwarded over Redis
 * (realtime/gateway.ts).
 */
import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { z } from 'zod';
import {
  ApiError,
  ROOMS,
  schemas,
  type ApiErrorBody,
} from '@prediction-markets/shared';
import type { Env } from '../env.ts';
import type { Metrics } from '../metrics.ts';
import type { Redis } from '../redis.ts';
import { verifyAccessToken, type Role, type TokenConfig } from '../auth/tokens.ts';
import type { MarketDirectory } from '../services/markets.ts';
import { consume, createLimiter } from '../services/limiter.ts';
import type { EventBus } from './bus.ts';
import { CancelOnDisconnect, type CodSocketData } from './cancel-on-disconnect.ts';
import { Fanout } from './fanout.ts';
import type { BookSnapshot, SnapshotSource } from './snapshot.ts';
import type { TradingApi } from './trading.ts';

/** Name of the HTTP-only access-token cookie (plugins/auth.ts ACCESS_COOKIE). */
const ACCESS_COOKIE = 'pm_access';

export interface RealtimeDeps {
  env: Env;
  logger: Logger;
  metrics: Metrics;
  /** Command connection when REDIS_URL is set: Redis adapter, user rate limits. */
  redis: Redis | null;
  tokens: TokenConfig;
  markets: MarketDirectory;
  snapshots: SnapshotSource;
  trading: TradingApi;
  bus: EventBus;
}

export interface SocketUser {
  id: string;
  role: Role;
  /** When the presented access token expires, epoch ms. */
  expMs: number;
}

export interface SocketData extends CodSocketData {
  user: SocketUser | null;
  /** Market views held: market id -> room. */
  views: Map<string, string>;
  /** Stateful messages of one socket run one after another, in arrival order. */
  chain: Promise<unknown>;
}

export type RealtimeIo = Server<schemas.ClientToServerEvents, schemas.ServerToClientEvents, Record<string, never>, SocketData>;
type RtSocket = Socket<schemas.ClientToServerEvents, schemas.ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeServer {
  io: RealtimeIo;
  bus: EventBus;
  cod: CancelOnDisconnect;
  fanout: Fanout;
  /** Disconnect every socket, stop receiving, release connections this server opened. */
  close(): Promise<void>;
}

type Ack = { ok: true } & Record<string, unknown>;
type AckErr = { ok: false; error: ApiErrorBody['error'] };

/** How a message handler runs. */
interface Spec<S extends z.ZodType> {
  schema: S;
  /** 'user': a signed-in, unexpired session; 'any-user': signed in, expiry not checked (session:refresh); absent: anonymous allowed. */
  auth?: 'user' | 'any-user';
  /** Run after the socket's previous stateful messages (subscriptions, trading): per-socket FIFO. */
  serial?: boolean;
  run(payload: z.output<S>, socket: RtSocket, user: SocketUser | null): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** The access token of a handshake: `auth.token`, else the pm_access cookie; null when none. Throws TOKEN_INVALID for a non-string token. */
export function handshakeToken(handshake: { auth: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }): string | null {
  const t = handshake.auth?.token;
  if (t !== undefined && t !== null) {
    if (typeof t !== 'string') throw new ApiError('TOKEN_INVALID', 'auth.token must be a string');
    if (t.length > 0) return t;
  }
  const cookie = handshake.headers.cookie;
  if (typeof cookie !== 'string') return null;
  for (const part of cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === ACCESS_COOKIE) {
      const v = part.slice(i + 1).trim();
      try {
        return decodeURIComponent(v) || null;
      } catch {
        return v || null;
      }
    }
  }
  return null;
}

function authenticate(token: string, cfg: TokenConfig): SocketUser {
  const c = verifyAccessToken(token, cfg) as ReturnType<typeof verifyAccessToken> & { exp?: number };
  return { id: c.sub, role: c.role, expMs: typeof c.exp === 'number' ? c.exp * 1000 : Number.MAX_SAFE_INTEGER };
}

function validationError(err: z.ZodError): ApiError {
  const details = err.issues.map((i) => ({ path: `/${i.path.map(String).join('/')}`, message: i.message }));
  return new ApiError('VALIDATION_ERROR', `invalid payload: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
}

/** Build the snapshot ack of a view from a full snapshot. */
function snapshotAck(s: BookSnapshot, outcome: 'YES' | 'NO' | undefined): Record<string, unknown> {
  return {
    marketId: s.marketId,
    outcome: outcome ?? null,
    seq: s.seq,
    status: s.status,
    resolvedOutcome: s.outcome,
    lastPrice: s.lastPrice,
    volume: s.volume,
    ...(outcome !== 'NO' ? { yes: s.yes } : {}),
    ...(outcome !== 'YES' ? { no: s.no } : {}),
    tsMs: Date.now(),
  };
}

export async function createRealtimeServer(httpServer: HttpServer, deps: RealtimeDeps): Promise<RealtimeServer> {
  const { env, logger, metrics, redis, tokens, markets, snapshots, trading, bus } = deps;
  const origins = env.CORS_ORIGIN.split(',').map((o) => o.trim()).filter((o) => o.length > 0);
  const io: RealtimeIo = new Server(httpServer, {
    path: schemas.SOCKET_PATH,
    serveClient: false,
    maxHttpBufferSize: env.BODY_LIMIT_BYTES,
    ...(origins.length > 0 ? { cors: { origin: origins, credentials: true } } : {}),
  });

  let adapterSub: Redis | null = null;
  if (redis !== null) {
    adapterSub = redis.duplicate();
    adapterSub.on('error', (err: unknown) => logger.warn({ err }, 'socket.io adapter subscriber error'));
    io.adapter(createAdapter(redis, adapterSub, { key: 'pm:socket.io', requestsTimeout: 2000 }));
  }

  const cod = new CancelOnDisconnect(io as unknown as Server, (userId) => trading.cancelAll(userId), logger);
  const fanout = new Fanout(io as unknown as Server, metrics, env.REALTIME_COALESCE_MS);
  await bus.subscribe(fanout.deliver);

  // Per user (all instances: Redis store when configured) and per socket (local to this process).
  const userLimiter = createLimiter({ keyPrefix: 'rl:ws:user', points: env.RATE_LIMIT_WS_USER_POINTS, durationSec: env.RATE_LIMIT_WS_USER_WINDOW_SEC }, redis);
  const socketLimiter = createLimiter({ keyPrefix: 'rl:ws:socket', points: env.RATE_LIMIT_WS_SOCKET_POINTS, durationSec: env.RATE_LIMIT_WS_SOCKET_WINDOW_SEC }, null);
  const limit = async (socket: RtSocket): Promise<void> => {
    const s = await consume(socketLimiter, socket.id);
    if (!s.allowed) throw new ApiError('RATE_LIMITED', `too many messages on this socket; retry in ${s.retryAfterSec} s`, { retryAfterSec: s.retryAfterSec, scope: 'socket' });
    const user = socket.data.user;
    if (user === null) return;
    const u = await consume(userLimiter, user.id);
    if (!u.allowed) throw new ApiError('RATE_LIMITED', `too many messages from this user; retry in ${u.retryAfterSec} s`, { retryAfterSec: u.retryAfterSec, scope: 'user' });
  };

  io.use((socket, next) => {
    try {
      const token = handshakeToken(socket.handshake as never);
      socket.data.user = token === null ? null : authenticate(token, tokens);
      next();
    } catch (err) {
      const api = err instanceof ApiError ? err : new ApiError('TOKEN_INVALID', 'the access token is invalid');
      const e = new Error(api.message) as Error & { data?: unknown };
      e.data = { code: api.code };
      next(e);
    }
  });

  const requireUser = (socket: RtSocket, checkExpiry: boolean): SocketUser => {
    const user = socket.data.user;
    if (user === null) throw new ApiError('UNAUTHENTICATED', 'sign in first: connect with auth.token or the session cookie, or send session:refresh');
    if (checkExpiry && user.expMs <= Date.now()) throw new ApiError('TOKEN_EXPIRED', 'the access token has expired: send session:refresh with a fresh one');
    return user;
  };

  const serialize = <T>(socket: RtSocket, fn: () => Promise<T>): Promise<T> => {
    const run = socket.data.chain.then(fn, fn);
    socket.data.chain = run.catch(() => undefined);
    return run;
  };

  const leaveMarket = async (socket: RtSocket, marketId: string): Promise<void> => {
    socket.data.views.delete(marketId);
    await socket.leave(ROOMS.market(marketId));
    await socket.leave(ROOMS.marketOutcome(marketId, 'YES'));
    await socket.leave(ROOMS.marketOutcome(marketId, 'NO'));
  };

  const marketIdOf = async (ref: { marketId?: string | undefined; marketSlug?: string | undefined }): Promise<string> =>
    ref.marketId ?? (await markets.idOf(ref.marketSlug!));

  const specs: { [E in keyof schemas.ClientToServerEvents]: Spec<(typeof schemas.CLIENT_EVENT_SCHEMAS)[E]> } = {
    'subscribe:market': {
      schema: schemas.SubscribeMarketPayload,
      serial: true,
      async run(p, socket) {
        const marketId = await marketIdOf(p);
        const views = socket.data.views;
        if (!views.has(marketId) && views.size >= schemas.SOCKET_LIMITS.maxSubscriptionsPerSocket) {
          throw new ApiError('SUBSCRIPTION_LIMIT', `at most ${schemas.SOCKET_LIMITS.maxSubscriptionsPerSocket} markets per socket`);
        }
        const room = p.outcome === undefined ? ROOMS.market(marketId) : ROOMS.marketOutcome(marketId, p.outcome);
        await leaveMarket(socket, marketId);
        // Join BEFORE reading the snapshot: every message published after the read reaches this socket.
        await socket.join(room);
        views.set(marketId, room);
        const snap = await snapshots.snapshot(marketId);
        if (snap === null) {
          await leaveMarket(socket, marketId);
          throw new ApiError('UNKNOWN_MARKET', `no market ${marketId}`);
        }
        return snapshotAck(snap, p.outcome);
      },
    },
    'unsubscribe:market': {
      schema: schemas.UnsubscribeMarketPayload,
      serial: true,
      async run(p, socket) {
        const marketId = await marketIdOf(p);
        await leaveMarket(socket, marketId);
        return { marketId };
      },
    },
    ping: {
      schema: schemas.PingPayload,
      run(p, socket) {
        const pong = { timestamp: Date.now(), ...(p?.timestamp === undefined ? {} : { clientTimestamp: p.timestamp }) };
        socket.emit('pong', pong);
        metrics.websocketMessagesTotal.inc({ direction: 'out', event: 'pong' });
        return pong;
      },
    },
    'session:cancel_on_disconnect': {
      schema: schemas.CancelOnDisconnectPayload,
      auth: 'user',
      run(p, socket) {
        cod.arm(socket as never, p.graceMs);
        return { graceMs: p.graceMs };
      },
    },
    'session:refresh': {
      schema: schemas.SessionRefreshPayload,
      async run(p, socket) {
        const next = authenticate(p.token, tokens);
        const current = socket.data.user;
        if (current !== null && current.id !== next.id) throw new ApiError('FORBIDDEN', 'the token belongs to another user; reconnect instead');
        socket.data.user = next;
        if (current === null) {
          await socket.join(ROOMS.user(next.id));
          cod.connected(next.id);
        }
        return { expiresAtMs: next.expMs };
      },
    },
    'order:place': { schema: schemas.OrderPlacePayload, auth: 'user', serial: true, run: (p, _s, u) => trading.place(u!.id, p) },
    'order:cancel': { schema: schemas.OrderCancelPayload, auth: 'user', serial: true, run: (p, _s, u) => trading.cancel(u!.id, p.orderId) },
    'order:cancel_all': { schema: schemas.OrderCancelAllPayload, auth: 'user', serial: true, run: (p, _s, u) => trading.cancelAll(u!.id, p?.marketSlug) },
    'order:amend': {
      schema: schemas.OrderAmendPayload,
      auth: 'user',
      serial: true,
      run: (p, _s, u) => trading.amend(u!.id, p.orderId, { price: p.price, quantity: p.quantity }),
    },
    'order:batch': { schema: schemas.OrderBatchPayload, auth: 'user', serial: true, run: (p, _s, u) => trading.batch(u!.id, p.orders) },
  };

  const errorAck = (err: unknown, event: string): AckErr => {
    if (err instanceof ApiError) return { ok: false, error: err.toBody().error };
    logger.error({ err, event }, 'socket handler failed');
    return { ok: false, error: new ApiError('INTERNAL_ERROR', 'internal error').toBody().error };
  };

  const handle = async <S extends z.ZodType>(socket: RtSocket, event: string, spec: Spec<S>, args: unknown[]): Promise<void> => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: Ack | AckErr) => void) : null;
    metrics.websocketMessagesTotal.inc({ direction: 'in', event });
    let reply: Ack | AckErr;
    try {
      await limit(socket);
      const user = spec.auth === undefined ? socket.data.user : requireUser(socket, spec.auth === 'user');
      const parsed = spec.schema.safeParse(args[0]);
      if (!parsed.success) throw validationError(parsed.error);
      const work = async (): Promise<Record<string, unknown>> => spec.run(parsed.data, socket, user);
      const result = spec.serial === true ? await serialize(socket, work) : await work();
      reply = { ...result, ok: true };
    } catch (err) {
      reply = errorAck(err, event);
    }
    if (socket.disconnected) return;
    if (ack !== null) ack(reply);
    else if (!reply.ok) socket.emit('request_error', { event, error: reply.error });
  };

  io.on('connection', (socket) => {
    metrics.websocketConnections.inc();
    socket.data.views = new Map();
    socket.data.chain = Promise.resolve();
    socket.data.codGraceMs = 0;
    socket.data.codWatchdog = null;
    socket.data.codSilent = false;
    const user = socket.data.user;
    if (user !== null) {
      void socket.join(ROOMS.user(user.id));
      cod.connected(user.id);
    }
    // Any message is a sign of life (cancel-on-disconnect watchdog), known or not.
    socket.onAny((event: string) => {
      cod.touch(socket as never);
      if (!(event in specs)) metrics.websocketMessagesTotal.inc({ direction: 'in', event: 'unknown' });
    });
    for (const [event, spec] of Object.entries(specs)) {
      (socket as unknown as Socket).on(event, (...args: unknown[]) => void handle(socket, event, spec as Spec<z.ZodType>, args));
    }
    socket.on('disconnect', () => {
      metrics.websocketConnections.dec();
      cod.disconnected(socket as never);
    });
  });

  let closed: Promise<void> | null = null;
  return {
    io,
    bus,
    cod,
    fanout,
    close() {
      closed ??= (async () => {
        cod.close();
        fanout.close();
        await bus.close();
        io.local.disconnectSockets(true);
        await Promise.resolve(io.of('/').adapter.close()).catch(() => undefined);
        io.engine.close();
        if (adapterSub !== null) await adapterSub.quit().catch(() => adapterSub?.disconnect());
      })();
      return closed;
    },
  };
}
