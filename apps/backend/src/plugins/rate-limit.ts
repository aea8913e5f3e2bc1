/**
 * REST rate limits (rate-limiter-flexible through ../services/limiter.ts: a Redis store when
 * REDIS_URL is set, so limits hold across processes; memory otherwise). Which bucket a
 * request draws from, by matched route pattern:
 *
 * | requests                                               | key          | limit (points / window)                  |
 * |--------------------------------------------------------|--------------|------------------------------------------|
 * | /health, /ready, /metrics, /docs*                      | -            | not limited                              |
 * | /api/orders*, /api/user* with a valid access token     | user id      | RATE_LIMIT_TRADING_POINTS / _WINDOW_SEC  |
 * | everything else (public routes, anonymous, unmatched)  | client IP    | RATE_LIMIT_PUBLIC_POINTS / _WINDOW_SEC   |
 * | POST /api/auth/login, /api/auth/register, in addition  | client IP    | RATE_LIMIT_AUTH_POINTS / _WINDOW_SEC     |
 * |   ... register per email (after body validation)       | sha256(email)| RATE_LIMIT_AUTH_POINTS / _WINDOW_SEC     |
 *
 * Failed sign-ins are counted per (account, IP) pair with a slower per-account backoff by
 * auth/login-throttle.ts (a per-account bucket alone let anyone lock the owner out).
 *
 * A refused request gets 429 `{ error: { code: 'RATE_LIMITED' } }` with `Retry-After`
 * (whole seconds, at least 1). A store failure (Redis down) lets requests through (see
 * services/limiter.ts). The client IP is Fastify's `req.ip` (see TRUST_PROXY_HOPS).
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { consume, createLimiter } from '../services/limiter.ts';

/** Route patterns (and prefixes ending in '*') that are never limited. */
export const RATE_LIMIT_EXEMPT = ['/health', '/ready', '/metrics', '/docs*'] as const;
/** Route prefixes whose authenticated requests are limited per user. */
export const TRADING_PREFIXES = ['/api/orders', '/api/user'] as const;
/** Routes with the stricter per-IP and per-email brute-force limits (POST). */
export const AUTH_ROUTES = ['/api/auth/login', '/api/auth/register'] as const;

export interface RestLimiters {
  public: RateLimiterAbstract;
  trading: RateLimiterAbstract;
  authIp: RateLimiterAbstract;
  authEmail: RateLimiterAbstract;
}

/** The four REST limiters from the environment (shared store: ctx.redis or memory). */
export function createRestLimiters(ctx: Pick<AppContext, 'env' | 'redis'>): RestLimiters {
  const e = ctx.env;
  return {
    public: createLimiter({ keyPrefix: 'rl:public', points: e.RATE_LIMIT_PUBLIC_POINTS, durationSec: e.RATE_LIMIT_PUBLIC_WINDOW_SEC }, ctx.redis),
    trading: createLimiter({ keyPrefix: 'rl:trading', points: e.RATE_LIMIT_TRADING_POINTS, durationSec: e.RATE_LIMIT_TRADING_WINDOW_SEC }, ctx.redis),
    authIp: createLimiter({ keyPrefix: 'rl:auth-ip', points: e.RATE_LIMIT_AUTH_POINTS, durationSec: e.RATE_LIMIT_AUTH_WINDOW_SEC }, ctx.redis),
    authEmail: createLimiter({ keyPrefix: 'rl:auth-email', points: e.RATE_LIMIT_AUTH_POINTS, durationSec: e.RATE_LIMIT_AUTH_WINDOW_SEC }, ctx.redis),
  };
}

function isExempt(route: string | undefined): boolean {
  if (route === undefined) return false;
  return RATE_LIMIT_EXEMPT.some((p) => (p.endsWith('*') ? route.startsWith(p.slice(0, -1)) : route === p));
}

function isTrading(route: string | undefined): boolean {
  return route !== undefined && TRADING_PREFIXES.some((p) => route === p || route.startsWith(`${p}/`));
}

function isAuthAttempt(req: FastifyRequest): boolean {
  return req.method === 'POST' && !req.is404 && (AUTH_ROUTES as readonly string[]).includes(req.routeOptions.url ?? '');
}

/** Throw 429 RATE_LIMITED with Retry-After when `key` has no points left in `limiter`. */
async function take(limiter: RateLimiterAbstract, key: string, reply: FastifyReply, what: string): Promise<void> {
  const outcome = await consume(limiter, key);
  if (outcome.allowed) return;
  reply.header('retry-after', String(outcome.retryAfterSec));
  throw new ApiError('RATE_LIMITED', `too many requests (${what}); retry after ${outcome.retryAfterSec} s`);
}

/** Per-email bucket key: a hash, so no address is stored in Redis keys. */
function emailKey(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
}

/** Add the rate-limit hooks to `app` (after registerAuth, whose onRequest hook sets authUser). */
export function registerRateLimits(app: FastifyInstance, ctx: Pick<AppContext, 'env' | 'redis'>, limiters: RestLimiters = createRestLimiters(ctx)): void {
  const emailKeys = new WeakMap<FastifyRequest, string>();

  app.addHook('onRequest', async (req, reply) => {
    const route = req.is404 ? undefined : req.routeOptions.url;
    if (isExempt(route)) return;
    if (isTrading(route) && req.authUser !== null) {
      await take(limiters.trading, `u:${req.authUser.id}`, reply, 'per user');
    } else {
      await take(limiters.public, `ip:${req.ip}`, reply, 'per IP');
    }
    if (isAuthAttempt(req)) await take(limiters.authIp, `ip:${req.ip}`, reply, 'sign-in attempts per IP');
  });

  // After body validation: the email is normalised by the shared schema.
  app.addHook('preHandler', async (req, reply) => {
    if (!isAuthAttempt(req) || req.routeOptions.url !== '/api/auth/register') return;
    const email = (req.body as { email?: unknown } | undefined)?.email;
    if (typeof email !== 'string') return;
    const key = emailKey(email);
    await take(limiters.authEmail, key, reply, 'sign-in attempts per account');
    emailKeys.set(req, key);
  });

  app.addHook('onResponse', async (req, reply) => {
    const key = emailKeys.get(req);
    if (key === undefined || reply.statusCode >= 300) return;
    await limiters.authEmail.reward(key, 1).catch(() => undefined);
  });
}
