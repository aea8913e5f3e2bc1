/**
 * Rate limits for both entrances (rate-limiter-flexible): a Redis store when REDIS_URL is set,
 * so limits hold across processes, and a memory store otherwise. One set of limiters per
 * runtime (AppContext.limits), used by the REST hooks (plugins/rate-limit.ts) and the socket
 * message handler (realtime/server.ts):
 *
 * | budget                | key             | spent by                                                        | size (points / window)                   |
 * |-----------------------|-----------------|-----------------------------------------------------------------|------------------------------------------|
 * | `trading`             | user id         | REST /api/orders*, /api/user* with a valid token, AND every     | RATE_LIMIT_TRADING_POINTS / _WINDOW_SEC  |
 * |                       |                 | socket `order:*` message: ONE budget per user across entrances  |                                          |
 * | `public`              | client IP       | every other REST request (anonymous, public, unmatched)         | RATE_LIMIT_PUBLIC_POINTS / _WINDOW_SEC   |
 * | `authIp`              | client IP       | POST /api/auth/login and /register (brute force)                | RATE_LIMIT_AUTH_POINTS / _WINDOW_SEC     |
 * | `authEmail`           | sha256(email)   | POST /api/auth/register                                         | RATE_LIMIT_AUTH_POINTS / _WINDOW_SEC     |
 * | `login`               | (account, IP),  | FAILED sign-ins: per pair, and the per-account backoff          | LOGIN_PAIR_* / LOGIN_ACCOUNT_*           |
 * |                       | account         | (the rule: auth/login-throttle.ts)                              |                                          |
 * | `socketUser`          | user id         | every socket message of a signed-in user (burst guard)          | RATE_LIMIT_WS_USER_POINTS / _WINDOW_SEC  |
 * | `socket`              | socket id       | every socket message (local memory; anonymous sockets' only one) | RATE_LIMIT_WS_SOCKET_POINTS / _WINDOW_SEC|
 *
 * Market makers get a higher tier of the per-user budgets (`trading` and `socketUser`): the
 * HOUSE user (the house market maker, added at start by runtime.ts) and the users listed in
 * RATE_LIMIT_MAKER_USER_IDS draw from RATE_LIMIT_MAKER_TRADING_POINTS (per
 * RATE_LIMIT_TRADING_WINDOW_SEC) and RATE_LIMIT_MAKER_WS_USER_POINTS (per
 * RATE_LIMIT_WS_USER_WINDOW_SEC) instead, and their REST requests on public routes draw from
 * their trading budget, not from their IP's `public` bucket (a maker on the same host as a
 * browser does not spend the browser's budget). The per-socket guard (`socket`) is the same
 * for everyone.
 *
 * A refused attempt is ApiError RATE_LIMITED with `details: { retryAfterSec, scope }` (REST adds
 * the `Retry-After` header). A store failure (Redis down) lets the attempt through: limits
 * protect the service, they must not take it down.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '@prediction-markets/shared';
import type { Env } from '../env.ts';
import type { Redis } from '../redis.ts';

export interface LimiterSpec {
  /** Key prefix, unique per limit (e.g. 'rl:public'). */
  keyPrefix: string;
  /** Attempts allowed per window. */
  points: number;
  /** Window, seconds. */
  durationSec: number;
}

/** One limiter: Redis-backed when `redis` is given, memory otherwise. */
export function createLimiter(spec: LimiterSpec, redis: Redis | null): RateLimiterAbstract {
  const opts = { keyPrefix: spec.keyPrefix, points: spec.points, duration: spec.durationSec };
  return redis === null ? new RateLimiterMemory(opts) : new RateLimiterRedis({ ...opts, storeClient: redis, rejectIfRedisNotReady: false });
}

/** Outcome of one attempt: allowed, or refused with the seconds to wait. */
export type LimitOutcome = { allowed: true } | { allowed: false; retryAfterSec: number };

/** What `consume` needs of a limiter: a rate-limiter-flexible limiter, or a TieredLimiter over two. */
export interface Limiter {
  consume(key: string, points?: number): Promise<unknown>;
}

/** The rate tiers of users: market makers (higher budgets) and everyone else. */
export type UserTier = 'maker' | 'standard';

/**
 * A per-user limiter of two sizes: keys of market makers (`makers`, user ids; `userIdOf` reads
 * the user id out of a key) spend the `maker` limiter, all others the `standard` one. Failures
 * are the underlying limiter's (RateLimiterRes when refused).
 */
export class TieredLimiter implements Limiter {
  constructor(
    private readonly standard: RateLimiterAbstract,
    private readonly maker: RateLimiterAbstract,
    private readonly makers: ReadonlySet<string>,
    private readonly userIdOf: (key: string) => string = (key) => key,
  ) {}

  consume(key: string, points = 1): Promise<unknown> {
    return (this.makers.has(this.userIdOf(key)) ? this.maker : this.standard).consume(key, points);
  }
}

/** Consume `points` for `key`. A store failure lets the attempt through. */
export async function consume(limiter: Limiter, key: string, points = 1): Promise<LimitOutcome> {
  try {
    await limiter.consume(key, points);
    return { allowed: true };
  } catch (res) {
    if (res instanceof RateLimiterRes) return { allowed: false, retryAfterSec: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    return { allowed: true };
  }
}

/** Consume one point or throw RATE_LIMITED (`details: { retryAfterSec, scope }`); `what` names the limit in the message. */
export async function spend(limiter: Limiter, key: string, what: string, scope: string): Promise<void> {
  const o = await consume(limiter, key);
  if (!o.allowed) throw new ApiError('RATE_LIMITED', `too many requests (${what}); retry after ${o.retryAfterSec} s`, { retryAfterSec: o.retryAfterSec, scope });
}

/**
 * The stores and sizes of the sign-in throttle (the rule that reads them is
 * auth/login-throttle.ts): failures per (account, IP) pair, failures per account, and the
 * account's backoff mark.
 */
export interface LoginLimits {
  /** Failures per `${account}:${address}`, LOGIN_PAIR_FAILURES per LOGIN_PAIR_WINDOW_SEC. */
  pair: RateLimiterAbstract;
  /** Failures per account within LOGIN_ACCOUNT_WINDOW_SEC (counted, never refused by itself). */
  account: RateLimiterAbstract;
  /** Backoff marks per account (blocked = in backoff). */
  backoff: RateLimiterAbstract;
  pairFailures: number;
  freeAccountFailures: number;
  maxBackoffSec: number;
}

/** The limiters of one runtime. */
export interface Limits {
  public: RateLimiterAbstract;
  /** The per-user trading budget shared by REST and sockets (tiered: makers get more). */
  trading: Limiter;
  authIp: RateLimiterAbstract;
  /** Registrations per email. */
  authEmail: RateLimiterAbstract;
  /** Failed sign-ins (auth/login-throttle.ts). */
  login: LoginLimits;
  /** Socket messages per user across sockets (tiered: makers get more). */
  socketUser: Limiter;
  /** Per socket: always local memory (a socket lives on one instance). */
  socket: RateLimiterAbstract;
  /** User ids of the market-maker tier: RATE_LIMIT_MAKER_USER_IDS, plus the HOUSE user once known (addMaker). */
  readonly makers: ReadonlySet<string>;
  /** Put a user in the market-maker tier (runtime.ts: the HOUSE user). */
  addMaker(userId: string): void;
  /** The tier of a user. */
  tierOf(userId: string): UserTier;
}

/** The key of a user's trading budget (the same for REST and sockets). */
export const tradingKey = (userId: string): string => `u:${userId}`;

export function createLimits(env: Env, redis: Redis | null): Limits {
  const makers = new Set<string>(env.RATE_LIMIT_MAKER_USER_IDS);
  const tradingOf = (key: string): string => key.slice(tradingKey('').length);
  return {
    public: createLimiter({ keyPrefix: 'rl:public', points: env.RATE_LIMIT_PUBLIC_POINTS, durationSec: env.RATE_LIMIT_PUBLIC_WINDOW_SEC }, redis),
    trading: new TieredLimiter(
      createLimiter({ keyPrefix: 'rl:trading', points: env.RATE_LIMIT_TRADING_POINTS, durationSec: env.RATE_LIMIT_TRADING_WINDOW_SEC }, redis),
      createLimiter({ keyPrefix: 'rl:trading:maker', points: env.RATE_LIMIT_MAKER_TRADING_POINTS, durationSec: env.RATE_LIMIT_TRADING_WINDOW_SEC }, redis),
      makers,
      tradingOf,
    ),
    authIp: createLimiter({ keyPrefix: 'rl:auth-ip', points: env.RATE_LIMIT_AUTH_POINTS, durationSec: env.RATE_LIMIT_AUTH_WINDOW_SEC }, redis),
    authEmail: createLimiter({ keyPrefix: 'rl:auth-email', points: env.RATE_LIMIT_AUTH_POINTS, durationSec: env.RATE_LIMIT_AUTH_WINDOW_SEC }, redis),
    login: {
      pair: createLimiter({ keyPrefix: 'rl:login-pair', points: env.LOGIN_PAIR_FAILURES, durationSec: env.LOGIN_PAIR_WINDOW_SEC }, redis),
      account: createLimiter({ keyPrefix: 'rl:login-account', points: Number.MAX_SAFE_INTEGER, durationSec: env.LOGIN_ACCOUNT_WINDOW_SEC }, redis),
      backoff: createLimiter({ keyPrefix: 'rl:login-backoff', points: 1, durationSec: 1 }, redis),
      pairFailures: env.LOGIN_PAIR_FAILURES,
      freeAccountFailures: env.LOGIN_ACCOUNT_FREE_FAILURES,
      maxBackoffSec: env.LOGIN_ACCOUNT_MAX_BACKOFF_SEC,
    },
    socketUser: new TieredLimiter(
      createLimiter({ keyPrefix: 'rl:ws:user', points: env.RATE_LIMIT_WS_USER_POINTS, durationSec: env.RATE_LIMIT_WS_USER_WINDOW_SEC }, redis),
      createLimiter({ keyPrefix: 'rl:ws:user:maker', points: env.RATE_LIMIT_MAKER_WS_USER_POINTS, durationSec: env.RATE_LIMIT_WS_USER_WINDOW_SEC }, redis),
      makers,
    ),
    socket: createLimiter({ keyPrefix: 'rl:ws:socket', points: env.RATE_LIMIT_WS_SOCKET_POINTS, durationSec: env.RATE_LIMIT_WS_SOCKET_WINDOW_SEC }, null),
    makers,
    addMaker: (userId) => void makers.add(userId),
    tierOf: (userId) => (makers.has(userId) ? 'maker' : 'standard'),
  };
}
