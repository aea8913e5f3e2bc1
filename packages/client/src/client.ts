/**
 * `PmClient`: the REST API as typed methods, the session (tokens and their renewal), and the
 * entry to the socket (`connect()`).
 *
 * Units everywhere: prices integer cents 1..99 of the outcome named, quantities integer
 * shares, money integer cents (100 cents = 1 point), times epoch ms or ISO 8601 strings.
 *
 * Sessions:
 * - `auth: 'cookie'` (browsers): requests carry the HTTP-only session cookies
 *   (`credentials: 'include'`); on a 401 the client calls POST /api/auth/refresh with the
 *   refresh cookie once and repeats the request.
 * - `auth: 'bearer'` (bots): `Authorization: Bearer <accessToken>`. The access token comes from
 *   `login()`/`register()` (which also keep the refresh token from Set-Cookie, Node only) or
 *   from the options (`accessToken`, optional `refreshToken`).
 * In both modes the access token is renewed shortly before it expires (`autoRefresh`), the
 * socket is told (`session:refresh`), and a 401 TOKEN_EXPIRED triggers one refresh and a retry.
 * Only one refresh runs at a time (a rotated refresh token may be presented once).
 *
 * Retries: RATE_LIMITED is waited out (Retry-After, bounded by `rateLimit`); a timeout or a
 * network error is retried only for reads and for order placements (which carry a
 * clientOrderId, generated when none is given, so the server answers a repeat with the
 * original order).
 */
import type { z } from 'zod';
import type { schemas } from '@prediction-markets/shared';
import { Emitter } from './emitter.ts';
import { failure, fromErrorBody, retryAfterSec, type PmError, type Result } from './errors.ts';
import { PmSocket, type ConnectOptions } from './socket.ts';

type In<S extends z.ZodType> = z.input<S>;
type Out<S extends z.ZodType> = z.output<S>;
/** Query strings: the parsed shape, every field optional (the server applies defaults). */
type Query<S extends z.ZodType> = Partial<z.output<S>>;

/** Bounds on waiting out RATE_LIMITED answers. */
export interface RateLimitPolicy {
  /** Most retries of one call (default 3). */
  maxRetries: number;
  /** Most total waiting for one call, ms (default 10000); beyond it the RATE_LIMITED failure is returned. */
  maxWaitMs: number;
}

export interface PmClientOptions {
  /** Base URL of the server, e.g. `http://localhost:8080` ('' in a browser: same origin). */
  baseUrl: string;
  /** 'cookie' for browsers (HTTP-only session cookies), 'bearer' for bots. Default 'bearer'. */
  auth?: 'cookie' | 'bearer';
  /** A known access token (bearer mode), e.g. from the command line. */
  accessToken?: string;
  /** A known refresh token (bearer mode): lets the client renew the access token. */
  refreshToken?: string;
  /** Renew the access token before it expires (default true when a refresh is possible). */
  autoRefresh?: boolean;
  /** Per-request timeout, ms (default 15000); 0: none (the transport's own, if any). */
  timeoutMs?: number;
  rateLimit?: Partial<RateLimitPolicy>;
  /**
   * The transport (default globalThis.fetch). Any function shaped like fetch for what the
   * client uses (`FetchLike`): a bot may hand in a leaner one than undici's, e.g. over its own
   * keep-alive sockets, whose answers need not be full `Response` objects.
   */
  fetch?: FetchLike;
}

/** What the client passes to its transport: method, string headers, a JSON string body, a timeout signal. */
export interface FetchLikeInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  credentials?: 'include';
  /** Aborts the request when the per-request timeout passes (absent with `timeoutMs: 0`). */
  signal?: AbortSignal;
}

/** What the client reads of an answer: a subset of `Response`. */
export interface FetchLikeResponse {
  status: number;
  ok: boolean;
  headers: {
    get(name: string): string | null;
    /** Node's fetch: the Set-Cookie lines (bearer mode keeps the rotated refresh token from it). */
    getSetCookie?(): string[];
  };
  text(): Promise<string>;
}

/** The transport: `fetch` itself, or anything that answers these calls the same way (rejects on a network failure; rejects with a `TimeoutError`/`AbortError` when `signal` aborts). */
export type FetchLike = (url: string, init: FetchLikeInit) => Promise<FetchLikeResponse>;

/** The current session as the client knows it. */
export interface SessionInfo {
  accessToken: string | null;
  /** When the access token expires (local clock, epoch ms), null when unknown. */
  expiresAtMs: number | null;
  user: Out<typeof schemas.UserDto> | null;
}

export interface ClientEvents extends Record<string, unknown> {
  /** A new access token (login, register, refresh). The socket forwards it with `session:refresh`. */
  session: SessionInfo;
  /** The session could not be renewed (refresh failed): sign in again. */
  session_expired: PmError;
  /** A call was refused RATE_LIMITED and will be retried after `waitMs`. */
  rate_limited: { what: string; waitMs: number };
}

export interface RequestOptions {
  query?: Record<string, unknown> | undefined;
  body?: unknown;
  headers?: Record<string, string>;
  /** Safe to repeat after a timeout or network error (reads, placements with a clientOrderId). */
  idempotent?: boolean;
  /** Do not refresh on 401 (the auth routes themselves). */
  noRefresh?: boolean;
}

/** Generate a client order id (UUID v4; random hex where crypto.randomUUID is missing). */
export function newClientOrderId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID !== undefined) return c.randomUUID();
  let s = '';
  for (let i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** The `exp` claim of a JWT in epoch ms, or null when it cannot be read. */
export function jwtExpiryMs(token: string): number | null {
  try {
    const part = token.split('.')[1];
    if (part === undefined) return null;
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class PmClient extends Emitter<ClientEvents> {
  readonly baseUrl: string;
  readonly mode: 'cookie' | 'bearer';
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly rateLimit: RateLimitPolicy;
  private readonly autoRefresh: boolean | undefined;
  private accessToken: string | null;
  private refreshToken: string | null;
  private expiresAtMs: number | null;
  private user: Out<typeof schemas.UserDto> | null = null;
  private refreshing: Promise<Result<Out<typeof schemas.AuthResponse>>> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(opts: PmClientOptions) {
    super();
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.mode = opts.auth ?? 'bearer';
    this.fetchImpl = opts.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.rateLimit = { maxRetries: opts.rateLimit?.maxRetries ?? 3, maxWaitMs: opts.rateLimit?.maxWaitMs ?? 10_000 };
    this.autoRefresh = opts.autoRefresh;
    this.accessToken = opts.accessToken ?? null;
    this.refreshToken = opts.refreshToken ?? null;
    this.expiresAtMs = this.accessToken === null ? null : jwtExpiryMs(this.accessToken);
    this.scheduleRefresh();
  }

  /** The session as known now. */
  get session(): SessionInfo {
    return { accessToken: this.accessToken, expiresAtMs: this.expiresAtMs, user: this.user };
  }

  /** Whether the client can renew the access token by itself. */
  get canRefresh(): boolean {
    return this.mode === 'cookie' || this.refreshToken !== null;
  }

  /** Open a socket to the same server with this client's session (see `PmSocket`); fails on a refused handshake (e.g. TOKEN_INVALID) or TIMEOUT. */
  connect(opts: ConnectOptions = {}): Promise<Result<PmSocket>> {
    return new PmSocket(this, opts).open();
  }

  /** Stop the renewal timer (sockets are closed by their own `close()`). */
  close(): void {
    this.closed = true;
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  // -------------------------------------------------------------------------------------
  // Auth: /api/auth

  /** POST /api/auth/register: create an account (starting balance granted) and sign in. */
  register(body: In<typeof schemas.RegisterBody>): Promise<Result<Out<typeof schemas.AuthResponse>>> {
    return this.signIn('/api/auth/register', body);
  }

  /** POST /api/auth/login: sign in. */
  login(body: In<typeof schemas.LoginBody>): Promise<Result<Out<typeof schemas.AuthResponse>>> {
    return this.signIn('/api/auth/login', body);
  }

  /** POST /api/auth/refresh: rotate the refresh token and get a new access token (single flight). */
  refresh(): Promise<Result<Out<typeof schemas.AuthResponse>>> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** POST /api/auth/logout: revoke the session and forget the tokens. */
  async logout(): Promise<Result<Out<typeof schemas.OkBody>>> {
    const body = this.mode === 'bearer' && this.refreshToken !== null ? { refreshToken: this.refreshToken } : undefined;
    const res = await this.request<Out<typeof schemas.OkBody>>('POST', '/api/auth/logout', { body: body ?? {}, noRefresh: true });
    this.accessToken = null;
    this.refreshToken = null;
    this.expiresAtMs = null;
    this.user = null;
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    return res;
  }

  /** GET /api/auth/me: the signed-in user. */
  me(): Promise<Result<Out<typeof schemas.UserDto>>> {
    return this.request('GET', '/api/auth/me', { idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // Markets: /api/markets

  /** GET /api/markets: newest first; filter by status; `limit` (1..200), `offset`. */
  listMarkets(query: Query<typeof schemas.ListMarketsQuery> = {}): Promise<Result<Out<typeof schemas.MarketListResponse>>> {
    return this.request('GET', '/api/markets', { query, idempotent: true });
  }

  /** GET /api/markets/:slug: status, top of book (YES cents), last price, volume (shares). */
  getMarket(slug: string): Promise<Result<Out<typeof schemas.MarketDto>>> {
    return this.request('GET', `/api/markets/${enc(slug)}`, { idempotent: true });
  }

  /** GET /api/markets/:slug/resolution: the settlement record (404 NOT_FOUND before settlement). */
  getResolution(slug: string): Promise<Result<Out<typeof schemas.ResolutionDto>>> {
    return this.request('GET', `/api/markets/${enc(slug)}/resolution`, { idempotent: true });
  }

  /** POST /api/markets (admin): create a market in DRAFT. */
  createMarket(body: In<typeof schemas.CreateMarketBody>): Promise<Result<Out<typeof schemas.MarketDto>>> {
    return this.request('POST', '/api/markets', { body });
  }

  /** PATCH /api/markets/:slug/status (admin; the resolver may resolve). With `idempotencyKey`, a repeat returns the first answer. */
  setMarketStatus(slug: string, body: In<typeof schemas.SetMarketStatusBody>, opts: { idempotencyKey?: string } = {}): Promise<Result<Out<typeof schemas.MarketDto>>> {
    return this.request('PATCH', `/api/markets/${enc(slug)}/status`, {
      body,
      ...(opts.idempotencyKey === undefined ? {} : { headers: { 'idempotency-key': opts.idempotencyKey }, idempotent: true }),
    });
  }

  /** GET /api/markets/:slug/history?range=1H|6H|1D|1W|ALL: YES price (cents) and volume (shares) per time bucket (epoch ms). */
  getPriceHistory(slug: string, query: Query<typeof schemas.PriceHistoryQuery> = {}): Promise<Result<Out<typeof schemas.PriceHistoryResponse>>> {
    return this.request('GET', `/api/markets/${enc(slug)}/history`, { query, idempotent: true });
  }

  /** GET /api/market-stats: per market, the last 24 hours (YES cents, shares). */
  getMarketStats(): Promise<Result<Out<typeof schemas.MarketStatsResponse>>> {
    return this.request('GET', '/api/market-stats', { idempotent: true });
  }

  /** GET /api/leaderboard?by=pnl|volume&limit=: ranked users (realised P&L and notional in cents, volume in shares). */
  getLeaderboard(query: Query<typeof schemas.LeaderboardQuery> = {}): Promise<Result<Out<typeof schemas.LeaderboardResponse>>> {
    return this.request('GET', '/api/leaderboard', { query, idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // Orders: /api/orders

  /**
   * POST /api/orders/:marketSlug: place an order; answers once durable with the order and the
   * fills it took. A `clientOrderId` is generated when none is given (safe retry).
   */
  placeOrder(marketSlug: string, body: In<typeof schemas.PlaceOrderBody>): Promise<Result<Out<typeof schemas.PlaceOrderResponse>>> {
    return this.request('POST', `/api/orders/${enc(marketSlug)}`, { body: { ...body, clientOrderId: body.clientOrderId ?? newClientOrderId() }, idempotent: true });
  }

  /** DELETE /api/orders/:orderId: cancel one resting order; answers the cancelled order. */
  cancelOrder(orderId: number): Promise<Result<Out<typeof schemas.OrderDto>>> {
    return this.request('DELETE', `/api/orders/${orderId}`);
  }

  /** DELETE /api/orders[?market=slug]: cancel all the caller's resting orders (in one market). */
  cancelAllOrders(marketSlug?: string): Promise<Result<Out<typeof schemas.CancelAllResponse>>> {
    return this.request('DELETE', '/api/orders', { query: { market: marketSlug } });
  }

  /** PATCH /api/orders/:orderId: new price and/or new REMAINING quantity (a reduction keeps queue place). */
  amendOrder(orderId: number, body: In<typeof schemas.AmendOrderBody>): Promise<Result<Out<typeof schemas.PlaceOrderResponse>>> {
    return this.request('PATCH', `/api/orders/${orderId}`, { body });
  }

  /** POST /api/orders/batch: up to 20 orders, executed in order, each ok or failed alone; clientOrderIds generated. */
  placeBatch(orders: In<typeof schemas.BatchOrderItem>[]): Promise<Result<Out<typeof schemas.BatchOrdersResponse>>> {
    return this.request('POST', '/api/orders/batch', { body: { orders: withClientOrderIds(orders) }, idempotent: true });
  }

  /** GET /api/orders/:marketSlug/orderbook: YES and NO ladders (best first) at one sequence number; `depth` 1..99 (default 10). */
  getOrderbook(marketSlug: string, query: Query<typeof schemas.OrderbookQuery> = {}): Promise<Result<Out<typeof schemas.OrderbookResponse>>> {
    return this.request('GET', `/api/orders/${enc(marketSlug)}/orderbook`, { query, idempotent: true });
  }

  /** GET /api/orders/:marketSlug/trades: newest first; cursor `before` = a trade id. */
  getTrades(marketSlug: string, query: Query<typeof schemas.TradesQuery> = {}): Promise<Result<Out<typeof schemas.TradesResponse>>> {
    return this.request('GET', `/api/orders/${enc(marketSlug)}/trades`, { query, idempotent: true });
  }

  /** GET /api/orders/user/orders: the caller's orders, newest first, by `status` and `market` (slug). */
  getMyOrders(query: Query<typeof schemas.UserOrdersQuery> = {}): Promise<Result<Out<typeof schemas.UserOrdersResponse>>> {
    return this.request('GET', '/api/orders/user/orders', { query, idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // User: /api/user

  /** GET /api/user/balance: cents available, locked in open orders, total. */
  getBalance(): Promise<Result<Out<typeof schemas.BalanceDto>>> {
    return this.request('GET', '/api/user/balance', { idempotent: true });
  }

  /** GET /api/user/positions: shares per market, cost basis and realised P&L (cents). */
  getPositions(): Promise<Result<Out<typeof schemas.PositionsResponse>>> {
    return this.request('GET', '/api/user/positions', { idempotent: true });
  }

  /** GET /api/user/portfolio: balance, positions at the last price, unrealised P&L, totals (cents). */
  getPortfolio(): Promise<Result<Out<typeof schemas.PortfolioResponse>>> {
    return this.request('GET', '/api/user/portfolio', { idempotent: true });
  }

  /** GET /api/user/ledger: the caller's ledger rows, newest first (cursor `before`). */
  getLedger(query: Query<typeof schemas.LedgerQuery> = {}): Promise<Result<Out<typeof schemas.LedgerResponse>>> {
    return this.request('GET', '/api/user/ledger', { query, idempotent: true });
  }

  /**
   * GET /api/user/fills: the caller's fills across markets (or of `market`, a slug), newest first
   * (cursor `before` = trade id): price in the order's outcome cents, yesPrice in YES cents,
   * quantity in shares, role MAKER/TAKER, with the market's slug and question.
   */
  getFills(query: Query<typeof schemas.UserFillsQuery> = {}): Promise<Result<Out<typeof schemas.UserFillsResponse>>> {
    return this.request('GET', '/api/user/fills', { query, idempotent: true });
  }

  /** GET /api/user/notifications: payouts and other notices, newest first (cursor `before`). */
  getNotifications(query: Query<typeof schemas.PageQuery> = {}): Promise<Result<Out<typeof schemas.NotificationsResponse>>> {
    return this.request('GET', '/api/user/notifications', { query, idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // Admin: /api/admin

  /**
   * GET /api/admin/users (admin): users whose email starts with `query` (case-insensitive; LIKE
   * wildcards match themselves), by email, at most `limit` (1..20, default 10). For grants and
   * designated resolvers.
   */
  findUsers(query: Query<typeof schemas.UserSearchQuery>): Promise<Result<Out<typeof schemas.UserSearchResponse>>> {
    return this.request('GET', '/api/admin/users', { query, idempotent: true });
  }

  /** POST /api/admin/grant (admin): give `amountCents` to a user; answers their balance. */
  grant(body: In<typeof schemas.GrantBody>): Promise<Result<Out<typeof schemas.BalanceDto>>> {
    return this.request('POST', '/api/admin/grant', { body });
  }

  /** GET /api/admin/reconcile (admin): the invariant checks. */
  reconcile(): Promise<Result<Out<typeof schemas.ReconcileReport>>> {
    return this.request('GET', '/api/admin/reconcile', { idempotent: true });
  }

  /** GET /api/admin/audit (admin): the audit log, newest first, by `action` / `targetId`. */
  getAudit(query: Query<typeof schemas.AuditQuery> = {}): Promise<Result<Out<typeof schemas.AuditListResponse>>> {
    return this.request('GET', '/api/admin/audit', { query, idempotent: true });
  }

  /** GET /api/admin/audit/verify (admin): recompute the hash chain. */
  verifyAudit(): Promise<Result<Out<typeof schemas.AuditVerifyResponse>>> {
    return this.request('GET', '/api/admin/audit/verify', { idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // House maker: /api/house

  /** GET /api/house/markets: the house maker's published state on every configured market (b shares, prices YES cents, money cents). */
  getHouseMarkets(): Promise<Result<Out<typeof schemas.HouseMarketsResponse>>> {
    return this.request('GET', '/api/house/markets', { idempotent: true });
  }

  /** GET /api/house/markets/:slug: the house maker on one market (NOT_FOUND when never configured). */
  getHouseMarket(slug: string): Promise<Result<Out<typeof schemas.HouseMarketDto>>> {
    return this.request('GET', `/api/house/markets/${enc(slug)}`, { idempotent: true });
  }

  /** PUT /api/house/markets/:slug (admin): enable/disable the house maker, set b and the band (HOUSE_INVALID_LIQUIDITY, HOUSE_INVALID_BAND, HOUSE_POSITION_OPEN). */
  configureHouse(slug: string, body: In<typeof schemas.HouseConfigBody>): Promise<Result<Out<typeof schemas.HouseMarketDto>>> {
    return this.request('PUT', `/api/house/markets/${enc(slug)}`, { body });
  }

  // -------------------------------------------------------------------------------------
  // Health

  /** GET /health: liveness. */
  health(): Promise<Result<{ status: 'ok'; uptimeSec: number }>> {
    return this.request('GET', '/health', { idempotent: true });
  }

  /** GET /ready: readiness (a 503 is returned as a failure carrying the body in `details`). */
  ready(): Promise<Result<{ ready: boolean; checks: Record<string, { ok: boolean; detail: string }> }>> {
    return this.request('GET', '/ready', { idempotent: true });
  }

  // -------------------------------------------------------------------------------------
  // Transport

  /**
   * Any route: JSON in, JSON out, with the session, refresh, rate-limit waiting and retries
   * described above. For routes newer than this SDK's typed methods.
   */
  async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<Result<T>> {
    let waitedMs = 0;
    let retries = 0;
    let refreshed = false;
    for (;;) {
      const res = await this.once1<T>(method, path, opts);
      if (res.ok) return res;
      const e = res.error;
      if (!opts.noRefresh && !refreshed && e.status === 401 && this.shouldRefreshOn(e)) {
        refreshed = true;
        const r = await this.refresh();
        if (r.ok) continue;
        return res;
      }
      if (e.code === 'RATE_LIMITED' && retries < this.rateLimit.maxRetries) {
        const waitMs = retryAfterSec(e) * 1000;
        if (waitedMs + waitMs <= this.rateLimit.maxWaitMs) {
          retries++;
          waitedMs += waitMs;
          this.emit('rate_limited', { what: `${method} ${path}`, waitMs });
          await sleep(waitMs);
          continue;
        }
      }
      if ((e.code === 'TIMEOUT' || e.code === 'NETWORK_ERROR') && opts.idempotent === true && retries < 2) {
        retries++;
        await sleep(200 * retries);
        continue;
      }
      return res;
    }
  }

  /** @internal The access token to present on the socket handshake and in session:refresh. */
  currentAccessToken(): string | null {
    return this.accessToken;
  }

  private shouldRefreshOn(e: PmError): boolean {
    if (!this.canRefresh) return false;
    if (e.code === 'TOKEN_EXPIRED') return true;
    // A browser drops the access cookie when it expires: the request then has no token at all.
    return this.mode === 'cookie' && e.code === 'UNAUTHENTICATED';
  }

  private async once1<T>(method: string, path: string, opts: RequestOptions): Promise<Result<T>> {
    let url = this.baseUrl + path;
    if (opts.query !== undefined) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) q.set(k, String(v));
      const s = q.toString();
      if (s !== '') url += `?${s}`;
    }
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (this.mode === 'bearer' && this.accessToken !== null) headers.authorization = `Bearer ${this.accessToken}`;
    let response: FetchLikeResponse;
    // One controller and one timer per request, cleared on the answer: cheaper than
    // AbortSignal.timeout, whose timer and weak references outlive every request by timeoutMs.
    const controller = this.timeoutMs > 0 ? new AbortController() : null;
    const timer = controller === null ? null : setTimeout(() => controller.abort(timeoutError()), this.timeoutMs);
    try {
      const init: FetchLikeInit = { method, headers };
      if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
      if (this.mode === 'cookie') init.credentials = 'include';
      if (controller !== null) init.signal = controller.signal;
      response = await this.fetchImpl(url, init);
    } catch (err) {
      if (timer !== null) clearTimeout(timer);
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return failure('TIMEOUT', `${method} ${path}: no answer within ${this.timeoutMs} ms`);
      return failure('NETWORK_ERROR', `${method} ${path}: ${(err as Error).message ?? String(err)}`);
    }
    let body: unknown;
    try {
      const text = await response.text();
      body = text === '' ? undefined : JSON.parse(text);
    } catch (err) {
      const name = (err as { name?: string }).name;
      if (name === 'TimeoutError' || name === 'AbortError') return failure('TIMEOUT', `${method} ${path}: no answer within ${this.timeoutMs} ms`);
      return failure('BAD_RESPONSE', `${method} ${path}: answer is not JSON (HTTP ${response.status})`, response.status);
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
    if (response.ok) {
      this.captureRefreshCookie(response);
      return { ok: true, data: body as T };
    }
    const err = (body as { error?: { code?: unknown; message?: unknown; engineCode?: number; details?: unknown } } | undefined)?.error;
    if (err !== undefined && typeof err.code === 'string') {
      let details = err.details;
      if (err.code === 'RATE_LIMITED' && details === undefined) {
        const h = Number(response.headers.get('retry-after'));
        details = { retryAfterSec: Number.isFinite(h) && h > 0 ? h : 1, scope: 'rest' };
      }
      return fromErrorBody({ code: err.code, message: String(err.message ?? ''), engineCode: err.engineCode, details }, response.status);
    }
    // e.g. GET /ready answers 503 with its own body.
    return failure('BAD_RESPONSE', `${method} ${path}: HTTP ${response.status}`, response.status, { details: body });
  }

  private async signIn(path: string, body: unknown): Promise<Result<Out<typeof schemas.AuthResponse>>> {
    const res = await this.request<Out<typeof schemas.AuthResponse>>('POST', path, { body, noRefresh: true });
    if (res.ok) this.adopt(res.data);
    return res;
  }

  private async doRefresh(): Promise<Result<Out<typeof schemas.AuthResponse>>> {
    const body = this.mode === 'bearer' ? { refreshToken: this.refreshToken ?? '' } : {};
    if (this.mode === 'bearer' && this.refreshToken === null) return failure('UNAUTHENTICATED', 'no refresh token known to this client');
    const res = await this.request<Out<typeof schemas.AuthResponse>>('POST', '/api/auth/refresh', { body, noRefresh: true });
    if (res.ok) this.adopt(res.data);
    else if (res.error.status === 401) this.emit('session_expired', res.error);
    return res;
  }

  private adopt(a: Out<typeof schemas.AuthResponse>): void {
    this.accessToken = a.accessToken;
    this.expiresAtMs = Date.now() + a.expiresIn * 1000;
    this.user = a.user;
    this.scheduleRefresh();
    this.emit('session', this.session);
  }

  /** Node's fetch exposes Set-Cookie: keep the rotated refresh token (bearer mode). Browsers hide it (cookie mode needs none). */
  private captureRefreshCookie(response: FetchLikeResponse): void {
    if (this.mode !== 'bearer') return;
    for (const c of response.headers.getSetCookie?.() ?? []) {
      const m = /^pm_refresh=([^;]*)/.exec(c);
      if (m !== null && m[1] !== undefined && m[1] !== '') this.refreshToken = decodeURIComponent(m[1]);
    }
  }

  /** Renew at 80% of the remaining lifetime, at most 60 s before expiry. */
  private scheduleRefresh(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    if (this.closed || this.expiresAtMs === null || !(this.autoRefresh ?? this.canRefresh) || !this.canRefresh) return;
    const remaining = this.expiresAtMs - Date.now();
    const lead = Math.min(60_000, Math.max(1000, remaining * 0.2));
    const t = setTimeout(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, Math.max(0, remaining - lead));
    (t as { unref?: () => void }).unref?.();
    this.refreshTimer = t;
  }
}

/** The reason a request is aborted when its timeout passes (what AbortSignal.timeout gives). */
function timeoutError(): Error {
  const err = new Error('the request timed out');
  err.name = 'TimeoutError';
  return err;
}

function enc(s: string): string {
  return encodeURIComponent(s);
}

/** @internal Give every order without a clientOrderId a fresh one. */
export function withClientOrderIds<T extends { clientOrderId?: string | undefined }>(orders: T[]): T[] {
  return orders.map((o) => (o.clientOrderId === undefined ? { ...o, clientOrderId: newClientOrderId() } : o));
}
