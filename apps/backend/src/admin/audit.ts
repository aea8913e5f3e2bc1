/**
 * The append-only, hash-chained audit log of admin actions. Each entry stores the hash of
 * the previous entry; its own hash is SHA-256 over the previous hash and the entry's
 * canonical JSON. Entries are appended only inside the writer's batch transactions, so the
 * chain is strictly ordered, and stamped with the writer's clock (the `now` of the job that
 * appends them). `verifyAuditChain` (admin/queries.ts) recomputes every link.
 */
import { createHash } from 'node:crypto';
import type { TxClient } from '../db/types.ts';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * The audit actions. A voided market is MARKET_CANCELLED: CANCELLED is the one name of a void
 * (its status; markets/dto.ts, "Vocabulary").
 */
export const AUDIT_ACTIONS = {
  created: 'MARKET_CREATED',
  statusChanged: 'MARKET_STATUS_CHANGED',
  resolved: 'MARKET_RESOLVED',
  cancelled: 'MARKET_CANCELLED',
  granted: 'POINTS_GRANTED',
  /** The house maker's settings of a market (src/house: its only record). */
  houseConfigured: 'HOUSE_CONFIGURED',
} as const;

export interface AuditEntryInput {
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  payload: Record<string, unknown>;
}

/** Canonical JSON: object keys sorted at every depth. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

export function auditHash(prevHash: string, e: AuditEntryInput & { createdAt: Date }): string {
  const body = canonicalJson({
    actorId: e.actorId,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    payload: e.payload,
    createdAt: e.createdAt.toISOString(),
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** Append one entry (inside a writer transaction) at `at`: the writer's clock of the job that appends it. */
export async function appendAudit(tx: TxClient, entry: AuditEntryInput, at: Date): Promise<void> {
  const last = await tx.auditLog.findFirst({ orderBy: { id: 'desc' }, select: { hash: true } });
  const prevHash = last?.hash ?? GENESIS_HASH;
  const createdAt = new Date(at.getTime());
  await tx.auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      payload: entry.payload as object,
      prevHash,
      hash: auditHash(prevHash, { ...entry, createdAt }),
      createdAt,
    },
  });
}
