/**
 * The Socket.IO server (path /ws) of one instance: authentication, rooms, the message
 * handlers (market subscriptions, heartbeats, sessions, trading), rate limits,
 * cancel-on-disconnect, and the fan-out of bus messages to its own sockets. Token extraction,
 * validation, error shapes and rate limits are the entrance layer REST uses too
 * (entrance/credentials.ts, errors.ts, limits.ts); trading runs the same order commands
 * (orders/commands.ts through trading.ts).
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
import { ApiError, ROOMS, schemas, type ApiErrorBody } from '@prediction-markets/shared';
import type { Env } from '../env.ts';
import type { Metrics } from '../metrics.ts';
import type { Redis } from '../redis.ts';
import type { TokenConfig } from '../auth/tokens.ts';
import { SessionRevocations } from '../auth/sessions.ts';
import type { MarketDirectory } from '../markets/directory.ts';
import { authenticate, presentedAccessToken, type SessionUser } from '../entrance/credentials.ts';
import { errorBody, parseInput } from '../entrance/errors.ts';
import { createLimits, spend, tradingKey, type Limits } from '../entrance/limits.ts';
import type { EventBus } from './bus.ts';
import { CancelOnDisconnect, type CodSocketData } from './cancel-on-disconnect.ts';
import { Fanout } from './fanout.ts';
import type { BookSnapshot, SnapshotSource } from './snapshot.ts';
import type { TradingApi } from './trading.ts';

export interface RealtimeDeps {
  env: Env;
  logger: Logger;
  metrics: Metrics;
  /** Command connection when REDIS_URL is set: Redis adapter, user rate limits. */
  redis: Redis | null;
  /** Token verification; its `sessions` (revoked sessions) are created here when absent (a gateway: told of revocations over Redis). */
  tokens: TokenConfig;
  markets: MarketDirectory;
  snapshots: SnapshotSource;
  trading: TradingApi;
  bus: EventBus;
  /** The runtime's limiters, shared with REST (the writer); created here when absent (a gateway: shared through Redis). */
  limits?: Limits;
}

/** The caller of a socket (entrance/credentials.ts). */
export type SocketUser = SessionUser;

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
  /** A trading message: spends the user's trading budget, the one REST trading routes spend too. */
  trading?: boolean;
  run(payload: z.output<S>, socket: RtSocket, user: SocketUser | null): Promise<Record<string, unknown>> | Record<string, unknown>;
}

/** Longest delay setTimeout takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
  const { env, logger, metrics, redis, markets, snapshots, trading, bus } = deps;
  const limits = deps.limits ?? createLimits(env, redis);
  // Revoked sessions: the writer's own list, or (a gateway) one told by the writer over Redis.
  const ownSessions = deps.tokens.sessions === undefined ? new SessionRevocations(deps.tokens.accessTtlSec * 1000, redis, logger) : null;
  if (ownSessions !== null) await ownSessions.listen();
  const sessions = deps.tokens.sessions ?? ownSessions!;
  const tokens: TokenConfig = { ...deps.tokens, sessions };
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

  // Per socket (local), per user across sockets (burst guard), and for trading messages the
  // user's one trading budget shared with REST (entrance/limits.ts).
  const limit = async (socket: RtSocket, tradingMessage: boolean): Promise<void> => {
    await spend(limits.socket, socket.id, 'messages on this socket', 'socket');
    const user = socket.data.user;
    if (user === null) return;
    await spend(limits.socketUser, user.id, 'messages from this user', 'user');
    if (tradingMessage) await spend(limits.trading, tradingKey(user.id), 'trading per user, REST and socket together', 'user');
  };

  /**
   * Private events (room u:{userId}) reach a socket only while its access token is valid: it
   * joins at connection or `session:refresh`, and leaves when the token expires (a timer) or
   * its session is revoked (the socket is then disconnected).
   */
  // Expiry timers live here, not in socket.data: the Redis adapter serialises socket.data
  // when another instance fetches sockets (cancel-on-disconnect).
  const expiryTimers = new Map<string, NodeJS.Timeout>();
  const clearExpiry = (socket: RtSocket): void => {
    const t = expiryTimers.get(socket.id);
    if (t !== undefined) clearTimeout(t);
    expiryTimers.delete(socket.id);
  };
  const grantPrivate = (socket: RtSocket, user: SocketUser): void => {
    clearExpiry(socket);
    void socket.join(ROOMS.user(user.id));
    const delay = user.expMs - Date.now();
    if (delay < MAX_TIMER_MS) {
      const t = setTimeout(() => {
        expiryTimers.delete(socket.id);
        void socket.leave(ROOMS.user(user.id));
      }, Math.max(0, delay));
      t.unref();
      expiryTimers.set(socket.id, t);
    }
  };
  const stopRevoked = sessions.onRevoked((r) => {
    for (const socket of io.of('/').sockets.values() as Iterable<RtSocket>) {
      if (socket.data.user?.sessionId === r.sessionId) socket.disconnect(true);
    }
  });

  io.use((socket, next) => {
    try {
      const token = presentedAccessToken({ explicit: socket.handshake.auth?.token, cookieHeader: socket.handshake.headers.cookie });
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
        grantPrivate(socket, next);
        if (current === null) cod.connected(next.id);
        return { expiresAtMs: next.expMs };
      },
    },
    'order:place': { schema: schemas.OrderPlacePayload, auth: 'user', serial: true, trading: true, run: (p, _s, u) => trading.place(u!.id, p) },
    'order:cancel': { schema: schemas.OrderCancelPayload, auth: 'user', serial: true, trading: true, run: (p, _s, u) => trading.cancel(u!.id, p.orderId) },
    'order:cancel_all': { schema: schemas.OrderCancelAllPayload, auth: 'user', serial: true, trading: true, run: (p, _s, u) => trading.cancelAll(u!.id, p?.marketSlug) },
    'order:amend': {
      schema: schemas.OrderAmendPayload,
      auth: 'user',
      serial: true,
      trading: true,
      run: (p, _s, u) => trading.amend(u!.id, p.orderId, { price: p.price, quantity: p.quantity }),
    },
    'order:batch': { schema: schemas.OrderBatchPayload, auth: 'user', serial: true, trading: true, run: (p, _s, u) => trading.batch(u!.id, p.orders) },
  };

  const errorAck = (err: unknown, event: string): AckErr => ({
    ok: false,
    error: errorBody(err, (e) => logger.error({ err: e, event }, 'socket handler failed')).error,
  });

  const handle = async <S extends z.ZodType>(socket: RtSocket, event: string, spec: Spec<S>, args: unknown[]): Promise<void> => {
    const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: Ack | AckErr) => void) : null;
    metrics.websocketMessagesTotal.inc({ direction: 'in', event });
    let reply: Ack | AckErr;
    try {
      await limit(socket, spec.trading === true);
      const user = spec.auth === undefined ? socket.data.user : requireUser(socket, spec.auth === 'user');
      const payload = parseInput(spec.schema, args[0], 'payload');
      const work = async (): Promise<Record<string, unknown>> => spec.run(payload, socket, user);
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
      grantPrivate(socket, user);
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
      clearExpiry(socket);
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
        stopRevoked();
        await ownSessions?.close();
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
