/**
 * Demo data for the zero-setup start: a few open markets, two demo traders and a demo
 * market maker with resting orders. Seeded once (skipped when any market exists). Its writer
 * job is the seed's own command (a market with its opening ladder in one step).
 */
import { randomUUID } from 'node:crypto';
import type { CommandResult, PlaceOrderCommand } from '@prediction-markets/matching-engine';
import type { AppContext } from '../context.ts';
import { anyMarket } from '../markets/queries.ts';
import { mirrorPrice } from '@prediction-markets/shared';
import { ensureStartingGrant } from '../accounts/commands.ts';
import { createUser } from '../auth/commands.ts';
import { userByEmail } from '../auth/queries.ts';
import { AUDIT_ACTIONS, appendAudit } from '../admin/audit.ts';

export interface DemoCredentials {
  users: { email: string; password: string }[];
  seededNow: boolean;
}

const DEMO_USERS = [
  { email: 'alice@demo.local', password: 'alice-demo-password' },
  { email: 'bob@demo.local', password: 'bob-demo-password' },
  { email: 'maker@demo.local', password: 'maker-demo-password' },
];

const DAY_MS = 24 * 3600 * 1000;
const DEMO_MARKETS = [
  { slug: 'rain-in-london-tomorrow', question: 'Will it rain in London tomorrow?', days: 30, fair: 60 },
  { slug: 'btc-above-100k-eoy', question: 'Will BTC close the year above $100k?', days: 90, fair: 45 },
  { slug: 'team-a-wins-final', question: 'Will Team A win the final?', days: 14, fair: 52 },
];

async function ensureUser(ctx: AppContext, email: string, password: string): Promise<string> {
  const existing = await userByEmail(ctx.prisma, email);
  if (existing !== null) return existing.id;
  const { id } = await createUser(ctx, email, password);
  await ensureStartingGrant(ctx, id);
  return id;
}

export async function seedDemo(ctx: AppContext): Promise<DemoCredentials> {
  const ids: string[] = [];
  for (const u of DEMO_USERS) ids.push(await ensureUser(ctx, u.email, u.password));
  if (await anyMarket(ctx.prisma)) return { users: DEMO_USERS, seededNow: false };
  const makerId = ids[2]!;
  for (const m of DEMO_MARKETS) {
    const id = randomUUID();
    const closesAt = new Date(Date.now() + m.days * DAY_MS);
    await ctx.exchange.submit<{ out: CommandResult[]; now: number }>({
      kind: 'seed',
      run: (e, now) => {
        const out: CommandResult[] = [
          e.execute({ type: 'CREATE_MARKET', tsMs: now, marketId: id, closesAtMs: closesAt.getTime(), tickCents: 1 }),
          e.execute({ type: 'SET_MARKET_STATUS', tsMs: now, marketId: id, status: 'OPEN' }),
        ];
        // A small two-sided ladder around the fair price: YES bids below, NO bids (YES asks) above.
        for (let k = 1; k <= 3; k++) {
          const base: Omit<PlaceOrderCommand, 'side' | 'outcome' | 'priceCents'> = {
            type: 'PLACE', tsMs: now, userId: makerId, marketId: id, orderType: 'LIMIT', qty: 50 * k,
          };
          out.push(e.execute({ ...base, side: 'BUY', outcome: 'YES', priceCents: m.fair - k }));
          out.push(e.execute({ ...base, side: 'BUY', outcome: 'NO', priceCents: mirrorPrice(m.fair + k) }));
        }
        return { out, now };
      },
      persistBefore: async (tx) => {
        await tx.market.create({ data: { id, slug: m.slug, question: m.question, description: 'Demo market.', closesAt } });
      },
      persist: async (tx, { now }) => {
        await appendAudit(tx, { actorId: null, action: AUDIT_ACTIONS.created, targetType: 'market', targetId: id, payload: { slug: m.slug, seed: true } }, new Date(now));
      },
    });
    ctx.markets.remember(m.slug, id);
  }
  ctx.logger.info('demo markets and users seeded');
  return { users: DEMO_USERS, seededNow: true };
}
