/** /api/admin: user lookup, grants, reconciliation, audit log. Thin: schema, call, answer. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ApiError, schemas } from '@prediction-markets/shared';
import type { AppContext } from '../context.ts';
import { requireAdmin, userOf } from '../plugins/auth.ts';
import { grantPoints } from '../accounts/commands.ts';
import { userExists } from '../auth/queries.ts';
import { auditPage, reconcile, searchUsers, verifyAuditChain } from './queries.ts';

const errors = { 400: schemas.ErrorBody, 401: schemas.ErrorBody, 403: schemas.ErrorBody, 404: schemas.ErrorBody, 422: schemas.ErrorBody };

export const adminRoutes: FastifyPluginAsyncZod<{ ctx: AppContext }> = async (app, { ctx }) => {
  app.addHook('onRequest', requireAdmin);

  app.get('/users', {
    schema: {
      tags: ['admin'],
      summary: 'Find users by email prefix (for grants and resolvers): at most `limit` (1..20, default 10), by email',
      security: [{ bearer: [] }],
      querystring: schemas.UserSearchQuery,
      response: { 200: schemas.UserSearchResponse, ...errors },
    },
  }, async (req) => searchUsers(ctx.prisma, req.query));

  app.post('/grant', {
    schema: { tags: ['admin'], summary: 'Grant points (cents) to a user', security: [{ bearer: [] }], body: schemas.GrantBody, response: { 200: schemas.BalanceDto, ...errors } },
  }, async (req) => {
    if (!(await userExists(ctx.prisma, req.body.userId))) throw new ApiError('NOT_FOUND', 'no such user');
    return grantPoints(ctx, userOf(req).id, req.body);
  });

  app.get('/reconcile', {
    schema: {
      tags: ['admin'],
      summary: 'Check the invariants 1-4 of docs/DESIGN.md against the database, and the live engine against a rebuild from the database',
      security: [{ bearer: [] }],
      response: { 200: schemas.ReconcileReport, ...errors },
    },
  }, async () => reconcile(ctx.prisma, ctx.exchange));

  app.get('/audit', {
    schema: {
      tags: ['admin'],
      summary: 'The audit log, newest first (cursor: before=<id>; filters: action, targetId)',
      security: [{ bearer: [] }],
      querystring: schemas.AuditQuery,
      response: { 200: schemas.AuditListResponse, ...errors },
    },
  }, async (req) => auditPage(ctx.prisma, req.query));

  app.get('/audit/verify', {
    schema: {
      tags: ['admin'],
      summary: 'Recompute the audit hash chain; reports the first broken link',
      security: [{ bearer: [] }],
      response: { 200: schemas.AuditVerifyResponse, ...errors },
    },
  }, async () => verifyAuditChain(ctx.prisma));
};
