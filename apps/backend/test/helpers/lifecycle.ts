/**
 * Helpers of the lifecycle*.test.ts files: an injectable engine clock, polling without timed
 * assertions, order placement, status changes, money snapshots straight from the database,
 * and a scripted trading session that produces MINT, TRANSFER and MERGE trades among many users.
 */
import { expect } from 'vitest';
import type { ApiResponse, TestExchange, TestUser } from './server.ts';

/** Rate limits out of the way (many registrations and orders from one address). */
export const LIFECYCLE_ENV: Record<string, string> = {
  RATE_LIMIT_PUBLIC_POINTS: '1000000',
  RATE_LIMIT_TRADING_POINTS: '1000000',
  RATE_LIMIT_AUTH_POINTS: '1000000',
};

/** A wall clock the test moves by hand (RuntimeOptions.clock); starts at the real time. */
export class TestClock {
  nowMs = Date.now();
  readonly now = (): number => this.nowMs;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/**
 * Poll `probe` until it returns something other than undefined/false. The deadline is a safety
 * net against a hang, not an assertion about speed: it is generous and only fails the test
 * when the condition never comes true.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined | false>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface OrderSpec {
  side: 'BUY' | 'SELL';
  outcome: 'YES' | 'NO';
  price: number;
  quantity: number;
}

/** Place a limit order through the API; fails the test unless it is accepted (201). */
export async function place(t: TestExchange, user: TestUser, slug: string, o: OrderSpec): Promise<any> {
  const res = await t.api('POST', `/api/orders/${slug}`, { token: user.token, body: { ...o, type: 'LIMIT' } });
  expect(res.status, `${user.email} ${o.side} ${o.outcome} ${o.quantity}@${o.price}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body;
}

/** PATCH /api/markets/:slug/status. */
export function setStatus(
  t: TestExchange,
  token: string,
  slug: string,
  status: string,
  outcome?: 'YES' | 'NO',
  headers?: Record<string, string>,
): Promise<ApiResponse> {
  return t.api('PATCH', `/api/markets/${slug}/status`, {
    token,
    body: outcome === undefined ? { status } : { status, outcome },
    ...(headers === undefined ? {} : { headers }),
  });
}

/** Create a market in DRAFT as admin; returns its DTO. */
export async function createDraft(t: TestExchange, overrides: Record<string, unknown> = {}, closesAtMs = Date.now() + 86_400_000): Promise<any> {
  const admin = await t.admin();
  const slug = (overrides.slug as string | undefined) ?? `lc-${Math.random().toString(36).slice(2, 10)}`;
  const res = await t.api('POST', '/api/markets', {
    token: admin.token,
    body: { slug, question: `Will ${slug} happen?`, closesAt: new Date(closesAtMs).toISOString(), ...overrides },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** Register `n` users (each gets the starting grant). */
export async function registerUsers(t: TestExchange, n: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (let i = 0; i < n; i++) users.push(await t.registerUser());
  return users;
}

/** Points held, straight from the database (cents). */
export interface MoneySnapshot {
  /** available + locked per user. */
  accounts: Map<string, bigint>;
  locked: bigint;
  accountsTotal: bigint;
  pools: bigint;
  house: bigint;
  /** Total ever granted (minus TREASURY's balance). */
  granted: bigint;
  ledgerRows: bigint;
}

export async function money(t: TestExchange): Promise<MoneySnapshot> {
  const prisma = t.rt.ctx.prisma;
  const [accounts, markets, system, ledgerRows] = await Promise.all([
    prisma.account.findMany(),
    prisma.market.findMany({ select: { collateralCents: true } }),
    prisma.systemAccount.findMany(),
    prisma.ledgerEntry.count(),
  ]);
  const byId = new Map(accounts.map((a) => [a.userId, a.availableCents + a.lockedCents]));
  const sys = new Map(system.map((s) => [s.id, s.balanceCents]));
  return {
    accounts: byId,
    locked: accounts.reduce((s, a) => s + a.lockedCents, 0n),
    accountsTotal: [...byId.values()].reduce((s, v) => s + v, 0n),
    pools: markets.reduce((s, m) => s + m.collateralCents, 0n),
    house: sys.get('HOUSE') ?? 0n,
    granted: -(sys.get('TREASURY') ?? 0n),
    ledgerRows: BigInt(ledgerRows),
  };
}

/** Positions of one market (shares include locked ones), by user id. */
export async function holdings(t: TestExchange, marketId: string): Promise<Map<string, { yes: bigint; no: bigint; cost: bigint }>> {
  const rows = await t.rt.ctx.prisma.position.findMany({ where: { marketId } });
  return new Map(rows.map((p) => [p.userId, { yes: p.yesShares, no: p.noShares, cost: p.yesCostCents + p.noCostCents }]));
}

/** GET /api/admin/reconcile must report every check ok. */
export async function expectReconciled(t: TestExchange): Promise<void> {
  const admin = await t.admin();
  const res = await t.api('GET', '/api/admin/reconcile', { token: admin.token });
  expect(res.status).toBe(200);
  expect(res.body.ok, JSON.stringify(res.body.checks.filter((c: { ok: boolean }) => !c.ok))).toBe(true);
}

/**
 * A scripted session among 20 users (u[0..19]) on an OPEN market, through the API: MINTs
 * (one with price improvement), TRANSFERs at a profit and at a loss on both outcomes, MERGEs,
 * a user ending with both sides netted, and resting orders left in the book (escrowed cents and
 * locked shares) for the close to cancel. Sellers who sold above their cost make the holders'
 * cost basis exceed the collateral (the void's pro-rata branch).
 */
export async function tradingSession(t: TestExchange, u: TestUser[], slug: string): Promise<void> {
  expect(u.length).toBeGreaterThanOrEqual(20);
  const buy = (outcome: 'YES' | 'NO', price: number, quantity: number): OrderSpec => ({ side: 'BUY', outcome, price, quantity });
  const sell = (outcome: 'YES' | 'NO', price: number, quantity: number): OrderSpec => ({ side: 'SELL', outcome, price, quantity });
  /** `maker` rests, `taker` crosses it completely. */
  const cross = async (maker: TestUser, m: OrderSpec, taker: TestUser, k: OrderSpec): Promise<void> => {
    const rested = await place(t, maker, slug, m);
    expect(rested.fills, 'the maker must rest').toHaveLength(0);
    const took = await place(t, taker, slug, k);
    expect(took.order.status, `taker ${JSON.stringify(k)} must fill: ${JSON.stringify(took)}`).toBe('FILLED');
  };
  // MINTs: BUY YES vs BUY NO.
  await cross(u[0]!, buy('YES', 30, 20), u[1]!, buy('NO', 70, 20));
  await cross(u[2]!, buy('YES', 40, 20), u[3]!, buy('NO', 60, 20));
  await cross(u[4]!, buy('YES', 50, 20), u[5]!, buy('NO', 50, 20));
  await cross(u[6]!, buy('YES', 60, 20), u[7]!, buy('NO', 45, 20)); // 60 + 45 > 100: the taker pays 40
  await cross(u[8]!, buy('YES', 35, 10), u[9]!, buy('NO', 65, 10));
  // TRANSFERs at a profit (YES bought at 30 sold at 50; NO bought at 70 sold at 80) and at a loss.
  await cross(u[0]!, sell('YES', 50, 10), u[10]!, buy('YES', 50, 10));
  await cross(u[1]!, sell('NO', 80, 10), u[11]!, buy('NO', 80, 10));
  await cross(u[4]!, sell('YES', 45, 10), u[12]!, buy('YES', 45, 10));
  // MERGEs: SELL NO vs SELL YES.
  await cross(u[3]!, sell('NO', 40, 10), u[2]!, sell('YES', 40, 10));
  await cross(u[5]!, sell('NO', 50, 5), u[12]!, sell('YES', 50, 5));
  // Another MINT and a profitable resale of it.
  await cross(u[13]!, buy('NO', 55, 15), u[14]!, buy('YES', 45, 15));
  await cross(u[14]!, sell('YES', 70, 5), u[15]!, buy('YES', 70, 5));
  // u16 ends up holding both sides (netted by the engine).
  await cross(u[16]!, buy('YES', 50, 10), u[17]!, buy('NO', 50, 10));
  await cross(u[16]!, buy('NO', 50, 5), u[18]!, buy('YES', 50, 5));
  // Resting orders left for the close: escrowed cents (bids) and locked shares (an ask).
  await place(t, u[19]!, slug, buy('YES', 10, 10));
  await place(t, u[17]!, slug, sell('NO', 95, 5));
  await place(t, u[10]!, slug, sell('YES', 90, 5));
  await place(t, u[11]!, slug, buy('NO', 5, 7));

  const kinds = await t.rt.ctx.prisma.trade.groupBy({ by: ['kind'], where: { marketId: await t.rt.ctx.markets.idOf(slug) }, _count: true });
  const seen = new Set(kinds.map((k) => k.kind));
  expect([...seen].sort()).toEqual(['MERGE', 'MINT', 'TRANSFER']);
}
