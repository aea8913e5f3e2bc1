/**
 * `PmSocket`: the Socket.IO connection (path /ws) of a `PmClient`: live books, the user's
 * private streams, and trading with typed acknowledgements. Protocol:
 * apps/backend/docs/realtime.md; payloads: `schemas.*` of @prediction-markets/shared.
 *
 * - Connects with the client's access token (and the session cookie in a browser);
 *   reconnects with exponential backoff (`reconnectDelayMs` doubling up to
 *   `reconnectDelayMaxMs`, randomised by half). After a reconnect it re-arms
 *   cancel-on-disconnect and resubscribes every book (fresh snapshots, `resync` events).
 * - When the client renews its access token, the socket sends `session:refresh`; a trading
 *   call answered TOKEN_EXPIRED triggers one renewal and a retry.
 * - Trading calls resolve to `Result<T>` with the REST result shapes. `place` and `batch`
 *   generate a clientOrderId when none is given, so their automatic retry after a timeout
 *   cannot create a second order. RATE_LIMITED is waited out (`retryAfterSec`, bounded).
 *   The messages of one socket execute in the order sent.
 */
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import { SOCKET_PATH, type schemas } from '@prediction-markets/shared';
import { Emitter } from './emitter.ts';
import { failure, fromErrorBody, retryAfterSec, type PmError, type Result } from './errors.ts';
import { MarketBook } from './market-book.ts';
import { newClientOrderId, withClientOrderIds, type PmClient, type RateLimitPolicy } from './client.ts';

type RawSocket = Socket<schemas.ServerToClientEvents, schemas.ClientToServerEvents>;
type Out<S extends z.ZodType> = z.output<S>;

/** An order for `place` / `batch`: the REST body plus `marketSlug`. Prices in cents of `outcome`, quantity in shares. */
export type OrderInput = z.input<typeof schemas.OrderPlacePayload>;

export interface ConnectOptions {
  /** Arm cancel-on-disconnect with this grace, ms (1..60000): all the user's orders are cancelled when every socket of the user is gone that long. */
  cancelOnDisconnectMs?: number;
  /** Heartbeat period while armed, ms (default min(5000, grace / 3)). */
  heartbeatMs?: number;
  /** Wait for one acknowledgement, ms (default 10000). */
  requestTimeoutMs?: number;
  /** First reconnect delay, ms (default 250). */
  reconnectDelayMs?: number;
  /** Largest reconnect delay, ms (default 5000). */
  reconnectDelayMaxMs?: number;
  /** How long `connect()` waits for the first connection, ms (default 15000). */
  connectTimeoutMs?: number;
  rateLimit?: Partial<RateLimitPolicy>;
  /** Socket.IO transports (default websocket only). */
  transports?: ('websocket' | 'polling')[];
}

/** A fill of one of the user's orders, with the order update that carried it. */
export interface FillEvent {
  fill: schemas.FillDto;
  order: schemas.OrderChange;
}

export interface SocketEvents extends Record<string, unknown> {
  /** Connected (again, when `reconnect`): books are being resubscribed, cancel-on-disconnect re-armed. */
  connected: { reconnect: boolean };
  disconnected: { reason: string };
  /** A connection-level failure (e.g. TOKEN_INVALID at the handshake). */
  error: PmError;
  /** The server accepted a renewed access token. */
  session_refreshed: { expiresAtMs: number };
  order_placed: schemas.OrderPlaced;
  order_updated: schemas.OrderChange;
  order_cancelled: schemas.OrderChange;
  /** Each fill of `order_updated` (reason FILL), oldest first. */
  fill: FillEvent;
  balance_updated: schemas.BalanceUpdated;
  position_updated: schemas.PositionUpdated;
  notification: schemas.NotificationEvent;
  /** A message sent without an ack failed (the SDK always asks for acks; kept for completeness). */
  request_error: schemas.RequestError;
}

type AckData<E extends keyof schemas.ClientToServerEvents> = Exclude<Parameters<NonNullable<Parameters<schemas.ClientToServerEvents[E]>[1]>>[0], { ok: false }>;
type Data<E extends keyof schemas.ClientToServerEvents> = Omit<AckData<E>, 'ok'>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PmSocket extends Emitter<SocketEvents> {
  /** The underlying Socket.IO socket (escape hatch; prefer the methods). */
  readonly io: RawSocket;
  private readonly books = new Map<string, MarketBook>();
  private readonly slugIds = new Map<string, string>();
  private readonly requestTimeoutMs: number;
  private readonly rateLimit: RateLimitPolicy;
  private readonly connectTimeoutMs: number;
  private readonly heartbeatMsOpt: number | undefined;
  private codGraceMs = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private everConnected = false;
  private closed = false;
  private authRetried = false;
  private readonly offSession: () => void;

  /** @internal Use `PmClient.connect()`. */
  constructor(
    readonly client: PmClient,
    opts: ConnectOptions = {},
  ) {
    super();
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 15_000;
    this.rateLimit = { maxRetries: opts.rateLimit?.maxRetries ?? 3, maxWaitMs: opts.rateLimit?.maxWaitMs ?? 10_000 };
    this.codGraceMs = opts.cancelOnDisconnectMs ?? 0;
    this.heartbeatMsOpt = opts.heartbeatMs;
    const base = client.baseUrl === '' ? undefined : client.baseUrl;
    const ioOpts = {
      path: SOCKET_PATH,
      transports: opts.transports ?? ['websocket'],
      autoConnect: false,
      reconnection: true,
      reconnectionDelay: opts.reconnectDelayMs ?? 250,
      reconnectionDelayMax: opts.reconnectDelayMaxMs ?? 5000,
      randomizationFactor: 0.5,
      withCredentials: client.mode === 'cookie',
      // Read at every (re)connection: the freshest token.
      auth: (cb: (data: object) => void) => {
        const t = client.currentAccessToken();
        cb(t === null ? {} : { token: t });
      },
    };
    this.io = (base === undefined ? io(ioOpts) : io(base, ioOpts)) as RawSocket;
    this.wire();
    this.offSession = client.on('session', (s) => {
      if (s.accessToken !== null && this.io.connected) void this.sendSessionRefresh(s.accessToken);
    });
  }

  /** Connected now. */
  get connected(): boolean {
    return this.io.connected;
  }

  /** @internal Connect; resolves at the first connection or with the failure that stopped it. */
  open(): Promise<Result<this>> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        offC();
        offE();
        resolve(failure('TIMEOUT', `no connection to ${this.client.baseUrl || 'the page origin'} within ${this.connectTimeoutMs} ms`));
      }, this.connectTimeoutMs);
      const offC = this.once('connected', () => {
        clearTimeout(timer);
        offE();
        resolve({ ok: true, data: this });
      });
      const offE = this.once('error', (e) => {
        clearTimeout(timer);
        offC();
        this.close();
        resolve({ ok: false, error: e });
      });
      this.io.connect();
    });
  }

  /** Disconnect for good (no reconnect). An armed cancel-on-disconnect still fires after its grace. */
  close(): void {
    this.closed = true;
    this.offSession();
    this.stopHeartbeat();
    this.io.disconnect();
    for (const b of this.books.values()) b.markOffline();
    this.books.clear();
  }

  // -------------------------------------------------------------------------------------
  // Books

  /**
   * Subscribe to a market (slug or id) and get its live local book. `outcome` chooses a
   * one-ladder view in that outcome's prices; default both ladders. Subscribing again to the
   * same market returns the same book.
   */
  async subscribe(market: string, opts: { outcome?: 'YES' | 'NO' } = {}): Promise<Result<MarketBook>> {
    const id = await this.resolveMarketId(market);
    if (!id.ok) return id;
    const marketId = id.data;
    const existing = this.books.get(marketId);
    if (existing !== undefined && existing.outcome === (opts.outcome ?? null)) return { ok: true, data: existing };
    const book = new MarketBook(marketId, opts.outcome ?? null, {
      resubscribe: (b) => void this.resubscribe(b),
      unsubscribe: (b) => this.unsubscribeBook(b),
    });
    this.books.set(marketId, book); // before the request: messages that precede the ack are buffered
    const res = await this.request('subscribe:market', { marketId, ...(opts.outcome === undefined ? {} : { outcome: opts.outcome }) });
    if (!res.ok) {
      if (this.books.get(marketId) === book) this.books.delete(marketId);
      return res;
    }
    book.install(res.data as schemas.MarketSnapshot);
    return { ok: true, data: book };
  }

  /** The books subscribed on this socket. */
  subscriptions(): MarketBook[] {
    return [...this.books.values()];
  }

  // -------------------------------------------------------------------------------------
  // Sessions

  /** Arm cancel-on-disconnect (0 disarms); kept and re-armed after every reconnect; a heartbeat keeps the socket from counting as silent. */
  async armCancelOnDisconnect(graceMs: number): Promise<Result<Data<'session:cancel_on_disconnect'>>> {
    this.codGraceMs = graceMs;
    const res = await this.request('session:cancel_on_disconnect', { graceMs });
    if (res.ok) this.startHeartbeat();
    return res;
  }

  /** Round trip: server time (epoch ms) and the echoed client time. */
  ping(): Promise<Result<Data<'ping'>>> {
    return this.request('ping', { timestamp: Date.now() });
  }

  // -------------------------------------------------------------------------------------
  // Trading (the REST result shapes; prices in cents of the order's outcome, quantities in shares)

  /** `order:place`: the order and the fills it took, once durable. A clientOrderId is generated when none is given. */
  place(order: OrderInput): Promise<Result<Out<typeof schemas.PlaceOrderResponse>>> {
    return this.request('order:place', { ...order, clientOrderId: order.clientOrderId ?? newClientOrderId() }, true) as Promise<Result<Out<typeof schemas.PlaceOrderResponse>>>;
  }

  /** `order:cancel`: the cancelled order. */
  cancel(orderId: number): Promise<Result<Out<typeof schemas.OrderDto>>> {
    return this.request('order:cancel', { orderId }) as Promise<Result<Out<typeof schemas.OrderDto>>>;
  }

  /** `order:cancel_all`: every resting order of the user (in one market with `marketSlug`). */
  cancelAll(marketSlug?: string): Promise<Result<Out<typeof schemas.CancelAllResponse>>> {
    return this.request('order:cancel_all', marketSlug === undefined ? {} : { marketSlug }) as Promise<Result<Out<typeof schemas.CancelAllResponse>>>;
  }

  /** `order:amend`: new price and/or new REMAINING quantity (a reduction keeps queue place). */
  amend(change: schemas.OrderAmendPayload): Promise<Result<Out<typeof schemas.PlaceOrderResponse>>> {
    return this.request('order:amend', change) as Promise<Result<Out<typeof schemas.PlaceOrderResponse>>>;
  }

  /** `order:batch`: up to 20 orders executed in order, each ok or failed alone (clientOrderIds generated). */
  batch(orders: OrderInput[]): Promise<Result<Out<typeof schemas.BatchOrdersResponse>>> {
    return this.request('order:batch', { orders: withClientOrderIds(orders) }, true) as Promise<Result<Out<typeof schemas.BatchOrdersResponse>>>;
  }

  /**
   * Any client event with its ack: waits out RATE_LIMITED (bounded), renews an expired
   * session once, repeats an `idempotent` request after a timeout (twice at most).
   */
  async request<E extends keyof schemas.ClientToServerEvents>(event: E, payload: unknown, idempotent = false): Promise<Result<Data<E>>> {
    let waitedMs = 0;
    let rateRetries = 0;
    let timeouts = 0;
    let renewed = false;
    for (;;) {
      if (!this.io.connected) return failure('NOT_CONNECTED', `${event}: the socket is not connected`);
      let ack: { ok: boolean; error?: { code: string; message: string; engineCode?: number; details?: unknown } };
      try {
        ack = await (this.io.timeout(this.requestTimeoutMs) as unknown as { emitWithAck: (e: string, p: unknown) => Promise<typeof ack> }).emitWithAck(event, payload);
      } catch {
        if (idempotent && timeouts < 2 && this.io.connected) {
          timeouts++;
          continue;
        }
        return failure('TIMEOUT', `${event}: no acknowledgement within ${this.requestTimeoutMs} ms`);
      }
      if (ack.ok) {
        const { ok: _ok, ...data } = ack;
        return { ok: true, data: data as unknown as Data<E> };
      }
      const res = fromErrorBody(ack.error ?? { code: 'BAD_RESPONSE', message: 'ack without error' }, null);
      const e = res.error;
      if (e.code === 'RATE_LIMITED' && rateRetries < this.rateLimit.maxRetries) {
        const waitMs = retryAfterSec(e) * 1000;
        if (waitedMs + waitMs <= this.rateLimit.maxWaitMs) {
          rateRetries++;
          waitedMs += waitMs;
          await sleep(waitMs);
          continue;
        }
      }
      if (e.code === 'TOKEN_EXPIRED' && !renewed && event !== 'session:refresh' && this.client.canRefresh) {
        renewed = true;
        // The 'session' listener sends session:refresh synchronously, before this retry: one socket executes in order.
        if ((await this.client.refresh()).ok) continue;
      }
      return res;
    }
  }

  // -------------------------------------------------------------------------------------

  private async sendSessionRefresh(token: string): Promise<Result<Data<'session:refresh'>>> {
    const res = await this.request('session:refresh', { token });
    if (res.ok) this.emit('session_refreshed', { expiresAtMs: res.data.expiresAtMs });
    return res;
  }

  private async resolveMarketId(market: string): Promise<Result<string>> {
    if (UUID.test(market)) return { ok: true, data: market };
    const known = this.slugIds.get(market);
    if (known !== undefined) return { ok: true, data: known };
    const m = await this.client.getMarket(market);
    if (!m.ok) return m;
    this.slugIds.set(market, m.data.id);
    return { ok: true, data: m.data.id };
  }

  private async resubscribe(book: MarketBook): Promise<void> {
    if (!this.io.connected || this.books.get(book.marketId) !== book) return; // the reconnect resubscribes
    const res = await this.request('subscribe:market', { marketId: book.marketId, ...(book.outcome === null ? {} : { outcome: book.outcome }) });
    if (res.ok && this.books.get(book.marketId) === book) book.install(res.data as schemas.MarketSnapshot);
  }

  private async unsubscribeBook(book: MarketBook): Promise<void> {
    if (this.books.get(book.marketId) !== book) return;
    this.books.delete(book.marketId);
    book.markOffline();
    if (this.io.connected) await this.request('unsubscribe:market', { marketId: book.marketId });
  }

  private wire(): void {
    const s = this.io;
    s.on('connect', () => {
      this.authRetried = false;
      const reconnect = this.everConnected;
      this.everConnected = true;
      if (this.codGraceMs > 0) {
        void this.request('session:cancel_on_disconnect', { graceMs: this.codGraceMs }).then((r) => {
          if (r.ok) this.startHeartbeat();
        });
      }
      for (const b of this.books.values()) {
        b.startResync('reconnect');
        void this.resubscribe(b);
      }
      this.emit('connected', { reconnect });
    });
    s.on('disconnect', (reason) => {
      this.stopHeartbeat();
      for (const b of this.books.values()) b.markOffline();
      this.emit('disconnected', { reason });
      // The server dropped us on purpose (e.g. a silent armed socket): Socket.IO will not retry by itself.
      if (!this.closed && reason === 'io server disconnect') setTimeout(() => !this.closed && s.connect(), 250);
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === undefined) return; // a transport failure: Socket.IO retries with backoff
      // Refused by the server's middleware: Socket.IO does not retry by itself.
      void (async () => {
        if ((code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID') && !this.authRetried && this.client.canRefresh) {
          this.authRetried = true;
          const r = await this.client.refresh();
          if (r.ok && !this.closed) {
            s.connect();
            return;
          }
        }
        this.emit('error', failure(code as PmError['code'], `connection refused: ${err.message}`).error);
      })();
    });
    s.on('market_frame', (f) => this.books.get(f.marketId)?.push(f));
    s.on('order_placed', (m) => this.emit('order_placed', m));
    s.on('order_updated', (m) => {
      this.emit('order_updated', m);
      for (const fill of m.fills) this.emit('fill', { fill, order: m });
    });
    s.on('order_cancelled', (m) => this.emit('order_cancelled', m));
    s.on('balance_updated', (m) => this.emit('balance_updated', m));
    s.on('position_updated', (m) => this.emit('position_updated', m));
    s.on('notification', (m) => this.emit('notification', m));
    s.on('request_error', (m) => this.emit('request_error', m));
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    if (this.codGraceMs <= 0) return;
    const every = this.heartbeatMsOpt ?? Math.max(100, Math.min(5000, Math.floor(this.codGraceMs / 3)));
    this.heartbeat = setInterval(() => {
      if (this.io.connected) this.io.emit('ping', { timestamp: Date.now() }, () => undefined);
    }, every);
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
