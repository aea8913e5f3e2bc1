/**
 * Reads of the admin feature: the audit log (a page, the whole chain verified) and the
 * reconciliation of the live engine against the database. The ONLY place this feature reads
 * (the invariant SQL itself is admin/reconcile.ts, shared with the reconcile CLI).
 */
import { MatchingEngine } from '@prediction-markets/matching-engine';
import type { schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';
import type { Exchange } from '../exchange/exchange.ts';
import { loadSnapshot } from '../exchange/rebuild.ts';
import { pageArgs, toPage } from '../pagination.ts';
import { userDto } from '../auth/dto.ts';
import { GENESIS_HASH, auditHash } from './audit.ts';
import { reconcileDatabase } from './reconcile.ts';

/**
 * Users whose email starts with `q.query` (emails are stored in lower case), by email, at most
 * `q.limit`. LIKE wildcards in the query (`%`, `_`, `\\`) match themselves.
 */
export async function searchUsers(prisma: PrismaClient, q: schemas.UserSearchQuery): Promise<schemas.UserSearchResponse> {
  // Prisma passes startsWith to LIKE 'q%' unescaped: escape LIKE's wildcards and its escape character (backslash).
  const prefix = q.query.replace(/[\\%_]/g, (c) => `\\${c}`);
  const rows = await prisma.user.findMany({ where: { email: { startsWith: prefix } }, orderBy: { email: 'asc' }, take: q.limit, select: { id: true, email: true, role: true, createdAt: true } });
  return { users: rows.map(userDto) };
}

/** The audit log newest first, optionally one action or one target. */
export async function auditPage(prisma: PrismaClient, q: schemas.AuditQuery): Promise<schemas.AuditListResponse> {
  const { idBefore, orderBy, take } = pageArgs(q);
  const where = { ...idBefore, ...(q.action === undefined ? {} : { action: q.action }), ...(q.targetId === undefined ? {} : { targetId: q.targetId }) };
  const rows = await prisma.auditLog.findMany({ where, orderBy, take });
  const p = toPage(rows, q, (r) => ({ ...r, id: Number(r.id), createdAt: r.createdAt.toISOString() }));
  return { entries: p.items, nextBefore: p.nextBefore };
}

/** Recompute the whole chain in id order; reports the first broken link. */
export async function verifyAuditChain(prisma: PrismaClient): Promise<schemas.AuditVerifyResponse> {
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

/**
 * The database's invariants (admin/reconcile.ts), plus: the engine's committed state equals a
 * rebuild from the database (state hash) and passes its own invariant checks, compared with
 * nothing in flight.
 */
export async function reconcile(prisma: PrismaClient, exchange: Exchange): Promise<schemas.ReconcileReport> {
  const report = await reconcileDatabase(prisma);
  const { live, rebuiltHash } = await exchange.exclusive(async (e) => {
    const live = { hash: e.stateHash(), violations: e.checkInvariants() };
    const rebuilt = MatchingEngine.restore(await loadSnapshot(prisma, exchange.clockMs()));
    return { live, rebuiltHash: rebuilt.stateHash() };
  });
  const same = rebuiltHash === live.hash;
  report.checks.push({
    name: '5. engine: in-memory state == rebuild from the database',
    ok: same && live.violations.length === 0,
    detail: same ? (live.violations.length === 0 ? `state hash ${live.hash}` : live.violations.slice(0, 5).join('; ')) : `live ${live.hash} != database ${rebuiltHash}`,
  });
  report.ok = report.checks.every((c) => c.ok);
  return report;
}
