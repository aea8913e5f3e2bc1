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

/** The log methods of a request's logger. */
const LOG_METHODS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
type LogMethod = (typeof LOG_METHODS)[number];

/**
 * A request's logger, made lazily: the pino child with the request's bindings (`reqId`) is
 * created on the first call at an enabled level, and every call after goes to it. pino's
 * `child()` serialises and redacts its bindings at once, which made one child per request
 * about 7 % of the server's CPU per order request although, at LOG_LEVEL=warn, most requests
 * never log a line. Lines are exactly those of the eager child (same bindings, same level).
 */
class LazyRequestLogger {
  private real: Logger | null = null;

  constructor(
    private readonly parent: Logger,
    private readonly childBindings: pino.Bindings,
    private readonly opts: pino.ChildLoggerOptions,
  ) {}

  fatal(...args: unknown[]): void {
    this.write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.write('error', args);
  }

  warn(...args: unknown[]): void {
    this.write('warn', args);
  }

  info(...args: unknown[]): void {
    this.write('info', args);
  }

  debug(...args: unknown[]): void {
    this.write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.write('trace', args);
  }

  private write(method: LogMethod, args: unknown[]): void {
    if (this.real === null && !this.enabled(method)) return;
    (this.logger[method] as (...a: unknown[]) => void)(...args);
  }

  /** The real child, made now if not yet. */
  get logger(): Logger {
    return (this.real ??= this.parent.child(this.childBindings, this.opts));
  }

  get level(): string {
    return this.real?.level ?? this.opts.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  /** Whether a line at `method` would be written (the route's level, else the parent's, as read now). */
  private enabled(method: LogMethod): boolean {
    const values = this.parent.levels.values;
    const threshold = this.opts.level === undefined ? this.parent.levelVal : (values[this.opts.level] ?? this.parent.levelVal);
    return values[method]! >= threshold;
  }

  isLevelEnabled(level: string): boolean {
    if (this.real !== null) return this.real.isLevelEnabled(level);
    return (LOG_METHODS as readonly string[]).includes(level) ? this.enabled(level as LogMethod) : this.logger.isLevelEnabled(level);
  }

  child(bindings: pino.Bindings, opts?: pino.ChildLoggerOptions): Logger {
    return this.logger.child(bindings, opts);
  }

  bindings(): pino.Bindings {
    return this.logger.bindings();
  }

  silent(): void {}
}

/**
 * Fastify's `childLoggerFactory` for the service: each request's logger is a `LazyRequestLogger`
 * over the app's logger (see there). Loggers that are not pino's (no level table) get the
 * eager child.
 */
export function lazyRequestLoggerFactory(logger: Logger, bindings: pino.Bindings, opts: pino.ChildLoggerOptions): Logger {
  if ((logger as Partial<Logger>).levels?.values === undefined) return logger.child(bindings, opts);
  return new LazyRequestLogger(logger, bindings, opts) as unknown as Logger;
}
