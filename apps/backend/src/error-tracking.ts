/**
 * Error tracking with Sentry (@sentry/node 10), enabled ONLY when SENTRY_DSN is set: without
 * it the SDK is not even imported, so nothing is initialised and nothing is sent anywhere.
 *
 * What is reported: unexpected failures of requests (those that become 500 INTERNAL_ERROR,
 * and 503 COMMIT_FAILED), failed engine batches, and (Sentry's defaults) uncaught exceptions
 * and unhandled rejections. Expected failures (the API error catalogue) are not.
 *
 * Request context sent with an event: method, route pattern, path (query string dropped),
 * request id, status, user id and role (never the email), and non-secret headers. Never:
 * bodies, cookies, Authorization, tokens, passwords. `scrubEvent` runs as `beforeSend`
 * (and on breadcrumbs) as a last line of defence: it censors every value under a
 * secret-looking key and anything shaped like a JWT or a bearer credential, wherever it is.
 * Tracing is off (no `tracesSampleRate`); `sendDefaultPii` is false.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Breadcrumb, ErrorEvent, Event, NodeOptions } from '@sentry/node';
import type { Env } from './env.ts';
import { toApiError } from './plugins/errors.ts';
import { routeLabel } from './plugins/metrics.ts';

/** Reports unexpected errors somewhere (Sentry); `null` where error tracking is off. */
export interface ErrorTracker {
  /** Report an error that escaped a request (with that request's context, scrubbed). */
  captureRequestError(err: unknown, req: FastifyRequest, statusCode: number): void;
  /** Report an error outside any request (e.g. a failed engine batch). */
  captureError(err: unknown, tags?: Record<string, string>): void;
  /** Flush queued events (at most `timeoutMs`) and disable the client. */
  close(timeoutMs?: number): Promise<void>;
}

export interface ErrorTrackingOptions {
  /** Replace Sentry's HTTP transport (tests capture envelopes instead of sending them). */
  transport?: NodeOptions['transport'];
}

/** Keys whose values are secrets, matched case-insensitively anywhere in an event. */
const SECRET_KEY = /pass(word|wd)?|secret|token|authorization|cookie|session|api[-_]?key|jwt|dsn|credential/i;
/** A JWT (three base64url parts, header starting `{"`), or an `Authorization` credential. */
const SECRET_VALUE = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*|\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** `password=...`, `"token": "..."`, `refreshToken: ...` inside free text (messages, URLs). */
const SECRET_ASSIGNMENT = /\b([A-Za-z_]*(?:pass(?:word|wd)?|secret|token|api[-_]?key|jwt|session)[A-Za-z_]*)("?\s*[=:]\s*"?)[^\s"&,;]+/gi;
/** Headers copied into event context (everything else is left out). */
const SAFE_HEADERS = ['user-agent', 'content-type', 'content-length', 'accept', 'x-request-id', 'fly-region'] as const;

export const SCRUBBED = '[scrubbed]';

/** Deep copy of `value` with secrets censored (see SECRET_KEY / SECRET_VALUE); depth-limited. */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(SECRET_VALUE, SCRUBBED).replace(SECRET_ASSIGNMENT, `$1$2${SCRUBBED}`);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 12) return '[depth limit]';
  if (Array.isArray(value)) return value.map((v) => scrubValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    out[k] = SECRET_KEY.test(k) ? SCRUBBED : scrubValue(v, depth + 1);
  }
  return out;
}

/**
 * `beforeSend`: drop request bodies, cookies and query strings (they may carry tokens), then
 * censor secrets everywhere (messages, exception values, contexts, extras, tags,
 * breadcrumbs, request headers).
 */
export function scrubEvent<E extends Event>(event: E): E {
  if (event.request !== undefined) {
    delete event.request.data;
    delete event.request.cookies;
    delete event.request.query_string;
    if (typeof event.request.url === 'string') event.request.url = event.request.url.split('?')[0];
  }
  return scrubValue(event) as E;
}

function scrubBreadcrumb(b: Breadcrumb): Breadcrumb {
  return scrubValue(b) as Breadcrumb;
}

/** Initialise Sentry when SENTRY_DSN is set; otherwise return null and load nothing. */
export async function initErrorTracking(env: Pick<Env, 'SENTRY_DSN' | 'NODE_ENV'>, opts: ErrorTrackingOptions = {}): Promise<ErrorTracker | null> {
  if (env.SENTRY_DSN === undefined) return null;
  const Sentry = await import('@sentry/node');
  Sentry.init({
    dsn: env.SENTRY_DSN,
    environment: env.NODE_ENV,
    sendDefaultPii: false,
    // Errors only: no performance tracing, no request bodies.
    maxBreadcrumbs: 50,
    beforeSend: (event: ErrorEvent) => scrubEvent(event),
    beforeBreadcrumb: (b: Breadcrumb) => scrubBreadcrumb(b),
    ...(opts.transport === undefined ? {} : { transport: opts.transport }),
  });
  return {
    captureRequestError(err, req, statusCode) {
      const headers: Record<string, string> = {};
      for (const h of SAFE_HEADERS) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      Sentry.withScope((scope) => {
        scope.setTag('route', routeLabel(req));
        scope.setTag('method', req.method);
        scope.setTag('request_id', req.id);
        scope.setTag('status_code', String(statusCode));
        if (req.authUser !== null) scope.setUser({ id: req.authUser.id, role: req.authUser.role });
        scope.setContext('request', { method: req.method, route: routeLabel(req), path: req.url.split('?')[0], requestId: req.id });
        scope.addEventProcessor((event) => ({ ...event, request: { method: req.method, url: req.url.split('?')[0], headers } }));
        Sentry.captureException(err);
      });
    },
    captureError(err, tags = {}) {
      Sentry.withScope((scope) => {
        scope.setTags(tags);
        Sentry.captureException(err);
      });
    },
    async close(timeoutMs = 2000) {
      await Sentry.close(timeoutMs);
    },
  };
}

/** Report unexpected request errors (500, and 503 COMMIT_FAILED) to `tracker`. */
export function registerErrorTracking(app: FastifyInstance, tracker: ErrorTracker | null): void {
  if (tracker === null) return;
  app.addHook('onError', async (req, _reply, err) => {
    const api = toApiError(err);
    if (api === null) tracker.captureRequestError(err, req, 500);
    else if (api.code === 'COMMIT_FAILED') tracker.captureRequestError(err, req, api.status);
  });
}
