/**
 * Reconciliation: the invariants 1-4 of docs/DESIGN.md ("Invariants") checked against the database, with SQL only
 * (no engine), so an operator can run it against a stopped or running service:
 *   pnpm --filter @prediction-markets/backend reconcile      (CLI)
 *   GET /api/admin/reconcile                                 (admin; adds the engine check)
 * 1. Shares: per open market, YES outstanding == NO outstanding == pairs outstanding.
 * 2. Points: accounts + market pools + HOUSE == granted (-TREASURY); and every ledger
 *    account's balance == the sum of its ledger rows (credits - debits).
 * 3. Collateral: pool == 100 x pairs (0 once settled).
 * 4. Escrow: locked cents == buy escrow of open orders; locked shares == open sell orders.
 */
import type { schemas } from '@prediction-markets/shared';
import type { PrismaClient } from '../db/types.ts';

type Check = schemas.ReconcileReport['checks'][number];

async function rows<T>(prisma: PrismaClient, sql: string): Promise<T[]> {
  return prisma.$queryRawUnsafe<T[]>(sql);
}

function check(name: string, bad: unknown[], describe: (b: never) => string, okDetail: string): Check {
  return bad.length === 0
    ? { name, ok: true, detail: okDetail }
    : { name, ok: false, detail: `${bad.length} violation(s): ${bad.slice(0, 5).map((b) => describe(b as never)).join('; ')}` };
}

export async function reconcileDatabase(prisma: PrismaClient): Promise<schemas.ReconcileReport> {
  const checks: Check[] = [];

  const shares = await rows<{ id: string; slug: string; pairs: bigint; yes: bigint; no: bigint }>(prisma, `
    SELECT m.id, m.slug, m.pairs_outstanding AS pairs, COALESCE(sum(p.yes_shares), 0)::bigint AS yes, COALESCE(sum(p.no_shares), 0)::bigint AS no
    FROM markets m LEFT JOIN positions p ON p.market_id = m.id
    GROUP BY m.id HAVING COALESCE(sum(p.yes_shares), 0) <> m.pairs_outstanding OR COALESCE(sum(p.no_shares), 0) <> m.pairs_outstanding`);
  checks.push(check('1. shares: YES == NO == pairs per market', shares, (b: { slug: string; pairs: bigint; yes: bigint; no: bigint }) => `${b.slug}: YES ${b.yes}, NO ${b.no}, pairs ${b.pairs}`, 'every market balanced'));

  const [totals] = await rows<{ accounts: bigint; pools: bigint; house: bigint; treasury: bigint }>(prisma, `
    SELECT (SELECT COALESCE(sum(available_cents + locked_cents), 0) FROM accounts)::bigint AS accounts,
           (SELECT COALESCE(sum(collateral_cents), 0) FROM markets)::bigint AS pools,
           (SELECT COALESCE(sum(balance_cents), 0) FROM system_accounts WHERE id = 'HOUSE')::bigint AS house,
           (SELECT COALESCE(sum(balance_cents), 0) FROM system_accounts WHERE id = 'TREASURY')::bigint AS treasury`);
  const t = totals!;
  const held = t.accounts + t.pools + t.house;
  checks.push(
    held === -t.treasury
      ? { name: '2a. points: accounts + pools + house == granted', ok: true, detail: `${held} cents held == ${-t.treasury} granted` }
      : { name: '2a. points: accounts + pools + house == granted', ok: false, detail: `accounts ${t.accounts} + pools ${t.pools} + house ${t.house} = ${held} != granted ${-t.treasury}` },
  );

  const ledger = await rows<{ account: string; stored: bigint; ledger: bigint }>(prisma, `
    WITH moves AS (
      SELECT credit_account AS account, amount_cents AS amount FROM ledger_entries
      UNION ALL SELECT debit_account, -amount_cents FROM ledger_entries),
    sums AS (SELECT account, sum(amount)::bigint AS ledger FROM moves GROUP BY account),
    stored AS (
      SELECT 'U:' || user_id AS account, (available_cents + locked_cents) AS stored FROM accounts
      UNION ALL SELECT 'M:' || id, collateral_cents FROM markets
      UNION ALL SELECT id, balance_cents FROM system_accounts)
    SELECT COALESCE(s.account, l.account) AS account, COALESCE(s.stored, 0)::bigint AS stored, COALESCE(l.ledger, 0)::bigint AS ledger
    FROM stored s FULL JOIN sums l ON l.account = s.account
    WHERE COALESCE(s.stored, 0) <> COALESCE(l.ledger, 0)`);
  checks.push(check('2b. ledger: every balance == sum of its ledger rows', ledger, (b: { account: string; stored: bigint; ledger: bigint }) => `${b.account}: stored ${b.stored}, ledger ${b.ledger}`, 'every account matches its ledger'));

  const collateral = await rows<{ slug: string; status: string; pairs: bigint; collateral: bigint }>(prisma, `
    SELECT slug, status::text AS status, pairs_outstanding AS pairs, collateral_cents AS collateral FROM markets
    WHERE collateral_cents <> CASE WHEN status IN ('RESOLVED', 'CANCELLED') THEN 0 ELSE 100 * pairs_outstanding END`);
  checks.push(check('3. collateral: pool == 100 x pairs', collateral, (b: { slug: string; pairs: bigint; collateral: bigint }) => `${b.slug}: pool ${b.collateral}, pairs ${b.pairs}`, 'every pool fully collateralised'));

  const escrowCents = await rows<{ user_id: string; locked: bigint; escrow: bigint }>(prisma, `
    SELECT a.user_id, a.locked_cents AS locked, COALESCE(o.escrow, 0)::bigint AS escrow
    FROM accounts a LEFT JOIN (
      SELECT user_id, sum(price_cents::bigint * remaining_qty) AS escrow FROM orders
      WHERE status IN ('OPEN', 'PARTIALLY_FILLED') AND side = 'BUY' GROUP BY user_id) o ON o.user_id = a.user_id
    WHERE a.locked_cents <> COALESCE(o.escrow, 0)`);
  checks.push(check('4a. escrow: locked cents == open buy orders', escrowCents, (b: { user_id: string; locked: bigint; escrow: bigint }) => `${b.user_id}: locked ${b.locked}, orders ${b.escrow}`, 'every account matches its orders'));

  const escrowShares = await rows<{ user_id: string; market_id: string }>(prisma, `
    SELECT p.user_id, p.market_id FROM positions p LEFT JOIN (
      SELECT user_id, market_id, sum(remaining_qty) FILTER (WHERE outcome = 'YES') AS yes, sum(remaining_qty) FILTER (WHERE outcome = 'NO') AS no
      FROM orders WHERE status IN ('OPEN', 'PARTIALLY_FILLED') AND side = 'SELL' GROUP BY user_id, market_id) o
      ON o.user_id = p.user_id AND o.market_id = p.market_id
    WHERE p.yes_locked_shares <> COALESCE(o.yes, 0) OR p.no_locked_shares <> COALESCE(o.no, 0)
    UNION ALL
    SELECT o.user_id, o.market_id FROM orders o LEFT JOIN positions p ON p.user_id = o.user_id AND p.market_id = o.market_id
    WHERE o.status IN ('OPEN', 'PARTIALLY_FILLED') AND o.side = 'SELL' AND p.user_id IS NULL`);
  checks.push(check('4b. escrow: locked shares == open sell orders', escrowShares, (b: { user_id: string; market_id: string }) => `${b.user_id} in ${b.market_id}`, 'every position matches its orders'));

  const negatives = await rows<{ what: string }>(prisma, `
    SELECT 'account ' || user_id AS what FROM accounts WHERE available_cents < 0 OR locked_cents < 0
    UNION ALL SELECT 'position ' || user_id || '/' || market_id FROM positions
      WHERE yes_shares < 0 OR no_shares < 0 OR yes_locked_shares < 0 OR no_locked_shares < 0
         OR yes_locked_shares > yes_shares OR no_locked_shares > no_shares`);
  checks.push(check('no negative balances or shares', negatives, (b: { what: string }) => b.what, 'none'));

  return { ok: checks.every((c) => c.ok), checkedAt: new Date().toISOString(), checks };
}
