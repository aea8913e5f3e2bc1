/** /api/admin: grants, reconciliation, audit log. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MatchingEngine, type CommandResult } from '@prediction-markets/matching-engine';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, userOf } from '../plugins/auth.ts';
import { rejectionError } from '../services/orders.ts';
import { appendAudit, verifyAuditChain } from '../services/audit.ts';
import { reconcileDatabase } from '../services/reconcile.ts';
import { loadSnapshot } from '../exchange/rebuild.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 403: schemas.ErrorBody, 404: schemas.ErrorBody, 422: schemas.ErrorBody };

export const adminRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAdmin);

  app.post('/grant', {
    schema: { tags: ['admin'], summary: 'Grant points (cents) to a user', security: [{ bearer: [] }], body: schemas.GrantBody, response: { 200: schemas.BalanceDto, ...errors } },
  }, async (req) => {
    const actorId = userOf(req).id;
    const { userId, amountCents, reason } = req.body;
    if ((await ctx.prisma.user.findUnique({ where: { id: userId } })) === null) throw new ApiError('NOT_FOUND', 'no such user');
    const { result } = await ctx.exchange.submit<CommandResult>({
      kind: 'grant',
      run: (engine, now) => engine.execute({ type: 'GRANT', tsMs: now, userId, amountCents }),
      persist: async (tx, res) => {
        if (res.ok) await appendAudit(tx, { actorId, action: 'POINTS_GRANTED', targetType: 'user', targetId: userId, payload: { amountCents, reason: reason ?? null } });
      },
    });
    if (!result.ok) throw rejectionError(result);
    const acc = await ctx.exchange.read((e) => e.getAccount(userId));
    const available = acc?.availableCents ?? 0;
    const locked = acc?.lockedCents ?? 0;
    return { available, locked, total: available + locked };
  });

  app.get('/reconcile', {
    schema: {
      tags: ['admin'],
      summary: "Check DESIGN.md invariants 1-4 against the database, and the live engine against a rebuild from the database",
      security: [{ bearer: [] }],
      response: { 200: schemas.ReconcileReport, ...errors },
    },
  }, async () => {
    const report = await reconcileDatabase(ctx.prisma);
    // The engine's committed state must equal a rebuild from the database, compared with
    // nothing in flight.
    const { live, rebuiltHash } = await ctx.exchange.exclusive(async (e) => {
      const live = { hash: e.stateHash(), violations: e.checkInvariants() };
      const rebuilt = MatchingEngine.restore(await loadSnapshot(ctx.prisma, Date.now()));
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
  });

  app.get('/audit', {
    schema: {
      tags: ['admin'],
      summary: 'The audit log, newest first (cursor: before=<id>; filters: action, targetId)',
      security: [{ bearer: [] }],
      querystring: schemas.AuditQuery,
      response: { 200: schemas.AuditListResponse, ...errors },
    },
  }, async (req) => {
    const { limit, before, action, targetId } = req.query;
    const where = {
      ...(before === undefined ? {} : { id: { lt: BigInt(before) } }),
      ...(action === undefined ? {} : { action }),
      ...(targetId === undefined ? {} : { targetId }),
    };
    const rows = await ctx.prisma.auditLog.findMany({ where, orderBy: { id: 'desc' }, take: limit });
    return {
      entries: rows.map((r) => ({ ...r, id: Number(r.id), createdAt: r.createdAt.toISOString() })),
      nextBefore: rows.length === limit ? Number(rows[rows.length - 1]!.id) : null,
    };
  });

  app.get('/audit/verify', {
    schema: {
      tags: ['admin'],
      summary: 'Recompute the audit hash chain; reports the first broken link',
      security: [{ bearer: [] }],
      response: { 200: schemas.AuditVerifyResponse, ...errors },
    },
  }, async () => verifyAuditChain(ctx.prisma));
};
