/**
 * Structured JSON logs (pino), one logger per process, shared by the HTTP app (Fastify binds
 * a `reqId` to every line it writes for a request) and the services.
 *
 * Secrets never reach a log line: the paths below are censored wherever they appear up to
 * three levels deep (authorization / cookie / set-cookie headers, passwords, access and
 * refresh tokens, the JWT secret). Fastify's own request/response serializers log only the
 * method, URL, host, client address and status - never headers or bodies.
 *
 *   const logger = createLogger(env);                 // stdout, level LOG_LEVEL
 *   const logger = createLogger(env, stream, 'trace');  // tests: capture lines
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type { Env } from './env.ts';

/** Keys whose values are secrets wherever they appear in a logged object. */
export const SECRET_KEYS = ['password', 'newPassword', 'currentPassword', 'accessToken', 'refreshToken', 'token', 'jwt', 'JWT_SECRET', 'ADMIN_PASSWORD', 'METRICS_TOKEN', 'SENTRY_DSN'] as const;

/** Header names whose values are credentials. */
export const SECRET_HEADERS = ['authorization', 'cookie', 'set-cookie', 'x-api-key'] as const;

/** pino `redact.paths`: secret keys at depths 0-3, secret headers under any `headers` object. */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SECRET_KEYS) paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  for (const h of SECRET_HEADERS) paths.push(`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`);
  return paths;
}

/** Shown instead of a redacted value. */
export const REDACTED = '[redacted]';

/** pino options of the service logger (level from LOG_LEVEL unless `level` is given). */
export function loggerOptions(env: Pick<Env, 'LOG_LEVEL'>, level?: LoggerOptions['level']): LoggerOptions {
  return {
    level: level ?? env.LOG_LEVEL,
    redact: { paths: redactPaths(), censor: REDACTED },
    base: { service: 'prediction-markets' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

/** The service logger: JSON lines to `destination` (default stdout). */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>, destination?: DestinationStream, level?: LoggerOptions['level']): Logger {
  return destination === undefined ? pino(loggerOptions(env, level)) : pino(loggerOptions(env, level), destination);
}

/** Request ids we accept from a client or proxy: 1-128 visible, log-safe characters. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Name of the request-id header, read on requests and echoed on responses. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Fastify `genReqId`: the incoming `x-request-id` when it is well-formed (so a proxy's id
 * follows the request through our logs), otherwise a fresh UUID. Malformed ids are replaced,
 * not trusted, so a client cannot inject text into log lines.
 */
export function requestId(req: IncomingMessage): string {
  const h = req.headers[REQUEST_ID_HEADER];
  const v = Array.isArray(h) ? h[0] : h;
  return v !== undefined && REQUEST_ID.test(v) ? v : randomUUID();
}
