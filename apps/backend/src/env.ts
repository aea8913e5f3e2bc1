/**
 * Configuration, parsed once from the environment with zod. Nothing else reads
 * `process.env`. Every variable, its default and meaning is listed in /.env.example.
 */
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** PostgreSQL URL. Unset: an embedded PostgreSQL is started with its data under DATA_DIR. */
  DATABASE_URL: optionalString,
  /** Where the embedded PostgreSQL and generated secrets live (git-ignored). */
  DATA_DIR: z.string().default('.data'),
  /** Pool size of the database client. */
  DATABASE_POOL_MAX: z.coerce.number().int().min(2).max(100).default(10),
  /** Redis URL. Unset: one process serves everything in memory. */
  REDIS_URL: optionalString,
  /** HMAC secret for JWTs, at least 32 characters. Required in production; otherwise generated once into DATA_DIR. */
  JWT_SECRET: optionalString,
  ACCESS_TOKEN_TTL_SEC: z.coerce.number().int().min(30).default(15 * 60),
  REFRESH_TOKEN_TTL_SEC: z.coerce.number().int().min(60).default(7 * 24 * 3600),
  /** Cookies get `Secure` (default: on in production). */
  COOKIE_SECURE: bool.optional(),
  /** Points (not cents) granted to every new user. */
  STARTING_BALANCE: z.coerce.number().int().min(0).max(10_000_000).default(10_000),
  /** Bootstrap an admin at start (idempotent) when both are set. */
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  /** Seed demo markets and users once. Default: on with the embedded database, off otherwise. */
  SEED_DEMO: bool.optional(),
  /**
   * Run the LMSR house maker inside the server (src/house/maker.ts), quoting every market an
   * admin enabled it on (and, on the demo, the demo markets). Default: on with the embedded
   * database, off otherwise.
   */
  HOUSE_MAKER: z.enum(['on', 'off']).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated origins allowed by CORS (empty: same-origin only). */
  CORS_ORIGIN: z.string().default(''),
  /** Most commands executed and committed in one database transaction. */
  MAX_BATCH_COMMANDS: z.coerce.number().int().min(1).max(10_000).default(500),
  /**
   * How the writer sends a batch to the database. `pg` (default): a batch without SQL hooks of
   * its own (orders, cancels: the hot path) goes as its one prepared statement over a dedicated
   * node-postgres connection (autocommit: one statement is atomic); Prisma's client engine costs
   * far more CPU per statement. `prisma`: every batch through Prisma (the earlier path; with
   * WRITER_COMMIT=serial, the baseline of `pnpm bench:service`). Batches with hooks (markets,
   * grants, audit entries) run in one Prisma interactive transaction either way.
   */
  WRITER_SQL: z.enum(['prisma', 'pg']).default('pg'),
  /**
   * How the writer overlaps work with commits. `pipelined` (default): the next batch executes
   * while the previous one commits, and a batch without SQL hooks is sent as its one statement
   * without an interactive transaction. `serial`: nothing executes while a batch commits, and
   * with WRITER_SQL=prisma every batch is a Prisma interactive transaction (the earlier path;
   * the baseline of `pnpm bench:service`).
   */
  WRITER_COMMIT: z.enum(['pipelined', 'serial']).default('pipelined'),
  /**
   * Most commands waiting for the writer. Beyond it a command is refused at once with 503
   * QUEUE_FULL and `Retry-After` (socket acks carry the same code), instead of queueing without
   * bound; the engine_queue_rejections_total metric counts refusals.
   */
  WRITER_QUEUE_MAX: z.coerce.number().int().min(1).max(10_000_000).default(10_000),
  /**
   * How long an Idempotency-Key is honoured, seconds from its first request (a repeat within it
   * gets the first response). Older keys are forgotten and deleted in batches every
   * IDEMPOTENCY_PURGE_INTERVAL_SEC (markets/idempotency.ts).
   */
  IDEMPOTENCY_RETENTION_SEC: z.coerce.number().int().min(60).default(24 * 3600),
  IDEMPOTENCY_PURGE_INTERVAL_SEC: z.coerce.number().int().min(1).default(600),
  /** Engine limits. */
  MAX_ORDER_QTY: z.coerce.number().int().min(1).max(1_000_000_000).default(1_000_000),
  MAX_OPEN_ORDERS_PER_MARKET: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
  /**
   * How long a clientOrderId is remembered after its order became final, seconds of exchange
   * time (engine `clientOrderIdRetentionMs`): a repeat inside it answers the original
   * (duplicate), after it the id may name a new order.
   */
  CLIENT_ORDER_ID_RETENTION_SEC: z.coerce.number().int().min(0).max(365 * 86_400).default(86_400),
  /** How often the clock job expires GTD orders and closes due markets, ms. */
  CLOCK_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Bearer token protecting /metrics (unset: open). */
  METRICS_TOKEN: optionalString,
  /** Error tracking; unset: nothing is sent anywhere. */
  SENTRY_DSN: optionalString,
  /** Requests per window per IP on public routes. */
  RATE_LIMIT_PUBLIC_POINTS: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_PUBLIC_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
  /** Requests (or socket messages) per window per user on trading routes. */
  RATE_LIMIT_TRADING_POINTS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_TRADING_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
  /** Attempts per window per IP on login and register, and per email on register. */
  RATE_LIMIT_AUTH_POINTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_AUTH_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
  /**
   * FAILED sign-ins per (account, IP) pair within LOGIN_PAIR_WINDOW_SEC; beyond them that IP
   * may not try that account until the window ends (auth/login-throttle.ts).
   */
  LOGIN_PAIR_FAILURES: z.coerce.number().int().min(1).default(10),
  LOGIN_PAIR_WINDOW_SEC: z.coerce.number().int().min(1).default(15 * 60),
  /**
   * The per-account sign-in backoff (auth/login-throttle.ts): failed sign-ins to one account
   * within LOGIN_ACCOUNT_WINDOW_SEC beyond LOGIN_ACCOUNT_FREE_FAILURES put it in backoff for
   * 1, 2, 4, ... s (at most LOGIN_ACCOUNT_MAX_BACKOFF_SEC), during which addresses that already
   * failed on it are refused; a fresh address (the owner) is still heard.
   */
  LOGIN_ACCOUNT_FREE_FAILURES: z.coerce.number().int().min(1).default(20),
  LOGIN_ACCOUNT_WINDOW_SEC: z.coerce.number().int().min(1).default(3600),
  LOGIN_ACCOUNT_MAX_BACKOFF_SEC: z.coerce.number().int().min(1).default(900),
  /** Largest request body, bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  /**
   * Reverse proxies in front of the service whose X-Forwarded-For entries are trusted for the
   * client IP (rate limits, logs): 0 = none (the socket's address), 1 = one proxy (Fly.io).
   * Trusting more hops than there are proxies lets clients spoof their IP.
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Apply pending migrations at start. Default: on, except in production, where the release
   * step (`pnpm db:migrate`, fly.toml release_command) applies them before the new version
   * starts. Always on with the embedded database.
   */
  MIGRATE_ON_START: bool.optional(),
  /**
   * Role of this process (docs/realtime.md, "Instances and roles"). `writer` (default): the
   * single writer - engine, REST API and sockets. `gateway`: sockets only, for scaling out
   * connections; needs DATABASE_URL and REDIS_URL of the writer's deployment, reads book
   * snapshots from the database and forwards socket trading to the writer over Redis.
   * Run exactly one writer per database.
   */
  INSTANCE_ROLE: z.enum(['writer', 'gateway']).default('writer'),
  /** Socket messages allowed per window per user, across all sockets and instances (Redis store when configured). */
  RATE_LIMIT_WS_USER_POINTS: z.coerce.number().int().min(1).default(100),
  RATE_LIMIT_WS_USER_WINDOW_SEC: z.coerce.number().int().min(1).default(1),
  /** Socket messages allowed per window per socket (anonymous sockets have only this limit). */
  RATE_LIMIT_WS_SOCKET_POINTS: z.coerce.number().int().min(1).default(50),
  RATE_LIMIT_WS_SOCKET_WINDOW_SEC: z.coerce.number().int().min(1).default(1),
  /**
   * The market-maker tier (entrance/limits.ts): the HOUSE user always, plus these user ids
   * (comma-separated UUIDs, e.g. external market-maker bots). Their trading budget is
   * RATE_LIMIT_MAKER_TRADING_POINTS per RATE_LIMIT_TRADING_WINDOW_SEC, their socket messages
   * RATE_LIMIT_MAKER_WS_USER_POINTS per RATE_LIMIT_WS_USER_WINDOW_SEC, and their public REST
   * requests spend their trading budget instead of their IP's.
   */
  RATE_LIMIT_MAKER_USER_IDS: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== ''))
    .pipe(z.array(z.uuid())),
  RATE_LIMIT_MAKER_TRADING_POINTS: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_MAKER_WS_USER_POINTS: z.coerce.number().int().min(1).default(1000),
  /**
   * Extra wait before emitting realtime messages, ms, so that more book deltas coalesce
   * (0: emit on the next event-loop turn; under load whatever queued meanwhile still coalesces).
   */
  REALTIME_COALESCE_MS: z.coerce.number().int().min(0).max(1000).default(0),
  /** How long a gateway waits for the writer to answer a forwarded socket command, ms. */
  REALTIME_RPC_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
});

export type Env = z.infer<typeof EnvSchema>;

/** Parse the environment; throws with every problem listed when it is invalid. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  if (env.NODE_ENV === 'production' && (env.JWT_SECRET === undefined || env.JWT_SECRET.length < 32)) {
    throw new Error('invalid environment:\n  JWT_SECRET: required in production, at least 32 characters');
  }
  return env;
}
