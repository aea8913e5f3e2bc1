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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated origins allowed by CORS (empty: same-origin only). */
  CORS_ORIGIN: z.string().default(''),
  /** Most commands executed and committed in one database transaction. */
  MAX_BATCH_COMMANDS: z.coerce.number().int().min(1).max(10_000).default(500),
  /** Engine limits. */
  MAX_ORDER_QTY: z.coerce.number().int().min(1).max(1_000_000_000).default(1_000_000),
  MAX_OPEN_ORDERS_PER_MARKET: z.coerce.number().int().min(1).max(1_000_000).default(1_000),
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
  /** Attempts per window per IP and per email on login and register. */
  RATE_LIMIT_AUTH_POINTS: z.coerce.number().int().min(1).default(10),
  RATE_LIMIT_AUTH_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
  /** Largest request body, bytes. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
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
