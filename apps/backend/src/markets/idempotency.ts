/**
 * `Idempotency-Key` for unsafe requests (IETF draft "The Idempotency-Key HTTP Header Field",
 * Stripe's semantics), stored in `idempotency_keys`:
 *
 * - Insert-first reservation: a request carrying a key first INSERTs a pending row
 *   (status_code 0) with ON CONFLICT DO NOTHING. Only the request whose insert wins executes,
 *   so two concurrent identical requests never both execute (PostgreSQL's primary key decides).
 * - When it finishes, its response (HTTP status and JSON body) replaces the reservation.
 *   Expected failures (4xx ApiErrors) are stored too: a repeat gets the same 4xx. A 5xx or an
 *   unexpected error deletes the reservation, so the client may retry the request for real.
 * - A repeat with the same key and the same request fingerprint gets the stored response;
 *   while the first is still executing it waits (polling, at most `waitMs`) and then fails
 *   with 409 IDEMPOTENCY_KEY_IN_PROGRESS. The same key with another request (method, route,
 *   params or body differ) is 409 IDEMPOTENCY_KEY_REUSED.
 * - Keys are per user: the row's key is `<userId>:<header value>`.
 * - A reservation older than `staleMs` belongs to a request whose process died before it
 *   stored a response; a repeat takes it over and executes. The routes using this are also
 *   idempotent by target state (e.g. resolving a resolved market again pays nothing), so a
 *   takeover after a crash between commit and "store response" cannot apply anything twice.
 *
 * - Retention: a key is honoured for the retention window (IDEMPOTENCY_RETENTION_SEC, default
 *   24 h, counted from the first request): a repeat within it gets the first response. After
 *   it the key is forgotten: a repeat executes as a new request (an expired row is taken over),
 *   and `purgeExpiredIdempotencyKeys` (run periodically by the runtime) deletes expired rows in
 *   batches, oldest first (index on created_at), so storage stays bounded by the keys of one
 *   window.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import { canonicalJson } from '../admin/audit.ts';

/** An HTTP response to store and replay: status code and JSON body. */
export interface StoredResponse {
  status: number;
  body: unknown;
}

export interface IdempotentRequest {
  userId: string;
  /** The Idempotency-Key header value, or undefined (then `fn` just runs). */
  key: string | undefined;
  /** Route pattern, e.g. "PATCH /api/markets/:slug/status". */
  route: string;
  /** What identifies the request besides the route: params and body. */
  request: unknown;
}

export interface IdempotencyOptions {
  /** Longest wait for a concurrent request with the same key, ms (default 10 s). */
  waitMs?: number;
  /** Poll interval while waiting, ms (default 20). */
  pollMs?: number;
  /** Age after which a pending reservation counts as abandoned, ms (default 60 s). */
  staleMs?: number;
  /** How long a key is honoured, ms (default: `configureIdempotency`, else DEFAULT_IDEMPOTENCY_RETENTION_MS). */
  retentionMs?: number;
  /** Told when a response could not be stored or a key not released (the request itself succeeded or failed as reported). */
  onStoreError?: (err: unknown) => void;
}

/** What happened: the response, and whether it is a replay of a stored one. */
export interface IdempotentOutcome extends StoredResponse {
  replayed: boolean;
}

interface KeyRow {
  request_hash: string;
  status_code: number;
  response: unknown;
  stale: boolean;
  created_at: Date;
}

/** Default retention window of a key: 24 h. */
export const DEFAULT_IDEMPOTENCY_RETENTION_MS = 24 * 3600 * 1000;

let retentionDefaultMs = DEFAULT_IDEMPOTENCY_RETENTION_MS;

/** Set the process-wide retention window (the runtime sets IDEMPOTENCY_RETENTION_SEC at start). */
export function configureIdempotency(opts: { retentionMs: number }): void {
  retentionDefaultMs = opts.retentionMs;
}

/** The retention window in force, ms. */
export function idempotencyRetentionMs(): number {
  return retentionDefaultMs;
}

/**
 * Delete keys older than `retentionMs`, `batchSize` rows per statement (oldest first, short
 * statements that never hold many row locks), at most `maxBatches` statements per call.
 * Returns the number of rows deleted.
 */
export async function purgeExpiredIdempotencyKeys(
  prisma: PrismaClient,
  opts: { retentionMs?: number; batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  const retentionMs = opts.retentionMs ?? retentionDefaultMs;
  const batchSize = opts.batchSize ?? 1000;
  const maxBatches = opts.maxBatches ?? 100;
  let deleted = 0;
  for (let i = 0; i < maxBatches; i++) {
    const n = await prisma.$executeRaw`
      DELETE FROM idempotency_keys WHERE key IN (
        SELECT key FROM idempotency_keys
        WHERE created_at < now() - (${retentionMs}::bigint * interval '1 millisecond')
        ORDER BY created_at LIMIT ${batchSize}::int)`;
    deleted += n;
    if (n < batchSize) break;
  }
  return deleted;
}

/** sha256 hex of the canonical JSON of route + request. */
export function requestFingerprint(route: string, request: unknown): string {
  return createHash('sha256').update(canonicalJson({ route, request })).digest('hex');
}

/**
 * Run `fn` at most once per (user, key): see the module comment. `fn` returns the response to
 * send (and store); an ApiError it throws with a 4xx status is stored as that error's
 * response and rethrown; any other throw releases the key and is rethrown.
 *
 * Errors: IDEMPOTENCY_KEY_REUSED (409), IDEMPOTENCY_KEY_IN_PROGRESS (409), or whatever `fn`
 * throws. A replayed stored 4xx is returned (not thrown) as `{ status, body, replayed: true }`.
 */
export async function runIdempotent(
  prisma: PrismaClient,
  req: IdempotentRequest,
  fn: () => Promise<StoredResponse>,
  opts: IdempotencyOptions = {},
): Promise<IdempotentOutcome> {
  if (req.key === undefined) return { ...(await fn()), replayed: false };
  const waitMs = opts.waitMs ?? 10_000;
  const pollMs = opts.pollMs ?? 20;
  const staleMs = opts.staleMs ?? 60_000;
  const retentionMs = opts.retentionMs ?? retentionDefaultMs;
  const rowKey = `${req.userId}:${req.key}`;
  const hash = requestFingerprint(req.route, req.request);
  const deadline = Date.now() + waitMs;

  for (;;) {
    const claimed = await prisma.$queryRaw<{ key: string }[]>`
      INSERT INTO idempotency_keys (key, user_id, route, request_hash, status_code, response)
      VALUES (${rowKey}, ${req.userId}::uuid, ${req.route}, ${hash}, 0, 'null'::jsonb)
      ON CONFLICT (key) DO UPDATE SET route = EXCLUDED.route, request_hash = EXCLUDED.request_hash, status_code = 0,
        response = EXCLUDED.response, created_at = now()
        WHERE idempotency_keys.created_at < now() - (${retentionMs}::bigint * interval '1 millisecond')
      RETURNING key`;
    if (claimed.length > 0) return { ...(await execute(prisma, rowKey, fn, opts.onStoreError)), replayed: false };

    const rows = await prisma.$queryRaw<KeyRow[]>`
      SELECT request_hash, status_code, response, created_at,
             created_at < now() - (${staleMs}::int * interval '1 millisecond') AS stale
      FROM idempotency_keys WHERE key = ${rowKey}`;
    const row = rows[0];
    if (row === undefined) continue; // released meanwhile: try to reserve again
    if (row.request_hash !== hash) {
      throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request; use a new key');
    }
    if (row.status_code > 0) return { status: row.status_code, body: row.response, replayed: true };
    if (row.stale) {
      const taken = await prisma.$queryRaw<{ key: string }[]>`
        UPDATE idempotency_keys SET created_at = now()
        WHERE key = ${rowKey} AND status_code = 0 AND created_at = ${row.created_at}
        RETURNING key`;
      if (taken.length > 0) return { ...(await execute(prisma, rowKey, fn, opts.onStoreError)), replayed: false };
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ApiError('IDEMPOTENCY_KEY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry shortly');
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Run `fn` holding the reservation `rowKey`; store its response, or release the key. */
async function execute(
  prisma: PrismaClient,
  rowKey: string,
  fn: () => Promise<StoredResponse>,
  onStoreError: ((err: unknown) => void) | undefined,
): Promise<StoredResponse> {
  let res: StoredResponse;
  try {
    res = await fn();
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) {
      await store(prisma, rowKey, { status: err.status, body: err.toBody() }, onStoreError);
    } else {
      await prisma.$executeRaw`DELETE FROM idempotency_keys WHERE key = ${rowKey} AND status_code = 0`.catch(onStoreError ?? (() => undefined));
    }
    throw err;
  }
  await store(prisma, rowKey, res, onStoreError);
  return res;
}

async function store(prisma: PrismaClient, rowKey: string, res: StoredResponse, onStoreError: ((err: unknown) => void) | undefined): Promise<void> {
  // If this fails, the reservation stays pending until it is stale; a repeat then executes
  // again, which the routes make harmless (idempotent by target state).
  await prisma.$executeRaw`
    UPDATE idempotency_keys SET status_code = ${res.status}, response = ${JSON.stringify(res.body)}::jsonb
    WHERE key = ${rowKey}`.catch(onStoreError ?? (() => undefined));
}
