/**
 * The append-only, hash-chained audit log of admin actions. Each entry stores the hash of
 * the previous entry; its own hash is SHA-256 over the previous hash and the entry's
 * canonical JSON. Entries are appended only inside the writer's batch transactions, so the
 * chain is strictly ordered. `verifyAuditChain` recomputes every link.
 */
import { createHash } from 'node:crypto';
import type { PrismaClient, TxClient } from '../db/types.ts';

export const GENESIS_HASH = '0'.repeat(64);

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

/** Append one entry (inside a writer transaction). */
export async function appendAudit(tx: TxClient, entry: AuditEntryInput, at = new Date()): Promise<void> {
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

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first entry whose link or hash does not verify. */
  firstBroken: { id: number; reason: string } | null;
}

/** Recompute the whole chain in id order. */
export async function verifyAuditChain(prisma: PrismaClient): Promise<AuditVerification> {
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let cursor: bigint | undefined;
  for (;;) {
    const rows = await prisma.auditLog.findMany({
      orderBy: { id: 'asc' },
      take: 1000,
      ...(cursor === undefined ? {} : { cursor: { id: cursor }, skip: 1 }),
    });
    if (rows.length === 0) break;
    for (const r of rows) {
      entries++;
      if (r.prevHash !== prevHash) return { ok: false, entries, firstBroken: { id: Number(r.id), reason: 'prevHash does not match the previous entry' } };
      const expected = auditHash(prevHash, {
        actorId: r.actorId,
        action: r.action,
        targetType: r.targetType,
        targetId: r.targetId,
        payload: r.payload as Record<string, unknown>,
        createdAt: r.createdAt,
      });
      if (expected !== r.hash) return { ok: false, entries, firstBroken: { id: Number(r.id), reason: 'hash does not match the entry' } };
      prevHash = r.hash;
    }
    cursor = rows[rows.length - 1]!.id;
  }
  return { ok: true, entries, firstBroken: null };
}
