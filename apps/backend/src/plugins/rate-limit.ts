/**
 * The REST side of rate limits (entrance/limits.ts holds the limiters, shared with sockets).
 * Which budget a request draws from, by matched route pattern:
 *
 * | requests                                               | key          | budget                                   |
 * |--------------------------------------------------------|--------------|------------------------------------------|
 * | /health, /ready, /metrics, /docs*                      | -            | not limited                              |
 * | /api/orders*, /api/user* with a valid access token     | user id      | `trading`: the user's ONE trading budget, |
 * |                                                        |              | also spent by socket `order:*` messages  |
 * | any route, with a market maker's access token          | user id      | `trading` (the maker tier's size)        |
 * | the UI's hashed files (/assets/*)                      | -            | not limited (static, cached a year)      |
 * | everything else (public routes, anonymous, unmatched)  | client IP    | `public`                                 |
 * | POST /api/auth/login, /api/auth/register, in addition  | client IP    | `authIp`                                 |
 * |   ... register per email (after body validation)       | sha256(email)| `authEmail`                              |
 *
 * Failed sign-ins are counted per (account, IP) pair with a slower per-account backoff by
 * auth/login-throttle.ts (a per-account bucket alone let anyone lock the owner out).
 *
 * A refused request gets 429 `{ error: { code: 'RATE_LIMITED' } }` with `Retry-After`
 * (whole seconds, at least 1). A store failure (Redis down) lets requests through. The client
 * IP is Fastify's `req.ip` (see TRUST_PROXY_HOPS).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { spend, tradingKey, type Limits } from '../entrance/limits.ts';
import { accountKey } from '../auth/login-throttle.ts';

/** Route patterns (and prefixes ending in '*') that are never limited. */
export const RATE_LIMIT_EXEMPT = ['/health', '/ready', '/metrics', '/docs*', '/assets/*'] as const;
/** Route prefixes whose authenticated requests draw from the user's trading budget. */
export const TRADING_PREFIXES = ['/api/orders', '/api/user'] as const;
/** Routes with the stricter per-IP brute-force limit (POST); register also per email. */
export const AUTH_ROUTES = ['/api/auth/login', '/api/auth/register'] as const;

function isExempt(route: string | undefined): boolean {
  if (route === undefined) return false;
  return RATE_LIMIT_EXEMPT.some((p) => (p.endsWith('*') ? route.startsWith(p.slice(0, -1)) : route === p));
}

function isTrading(route: string | undefined): boolean {
  return route !== undefined && TRADING_PREFIXES.some((p) => route === p || route.startsWith(`${p}/`));
}

/** `route`: the request's matched pattern (undefined when none); `req.routeOptions` builds a new object on every read. */
function isAuthAttempt(req: FastifyRequest, route: string | undefined): boolean {
  return req.method === 'POST' && route !== undefined && (AUTH_ROUTES as readonly string[]).includes(route);
}


/** Add the rate-limit hooks to `app` (after registerAuth, whose onRequest hook sets authUser). */
export function registerRateLimits(app: FastifyInstance, limits: Limits): void {
  const emailKeys = new WeakMap<FastifyRequest, string>();

  // Callback-style hooks (no promise wrapper per request; see plugins/auth.ts).
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.is404 ? undefined : req.routeOptions.url;
    if (isExempt(route)) return done();
    // Market makers (entrance/limits.ts) spend their own (higher) budget on every route, never their IP's.
    const first =
      req.authUser !== null && (isTrading(route) || limits.tierOf(req.authUser.id) === 'maker')
        ? spend(limits.trading, tradingKey(req.authUser.id), 'per user', 'user')
        : spend(limits.public, `ip:${req.ip}`, 'per IP', 'ip');
    const all = isAuthAttempt(req, route) ? first.then(() => spend(limits.authIp, `ip:${req.ip}`, 'sign-in attempts per IP', 'ip')) : first;
    all.then(() => done(), done);
  });

  // After body validation: the email is normalised by the shared schema.
  app.addHook('preHandler', (req, _reply, done) => {
    if (req.method !== 'POST' || req.is404 || req.routeOptions.url !== '/api/auth/register') return done();
    const email = (req.body as { email?: unknown } | undefined)?.email;
    if (typeof email !== 'string') return done();
    const key = accountKey(email);
    spend(limits.authEmail, key, 'registrations per email', 'account').then(() => {
      emailKeys.set(req, key);
      done();
    }, done);
  });

  app.addHook('onResponse', (req, reply, done) => {
    const key = emailKeys.get(req);
    if (key === undefined || reply.statusCode >= 300) return done();
    limits.authEmail.reward(key, 1).then(
      () => done(),
      () => done(),
    );
  });
}
