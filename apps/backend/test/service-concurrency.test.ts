// 100 concurrent traders hammer one market over real HTTP (the server listens on a loopback
// port; clients use fetch with keep-alive): limit buys and sells of YES and NO around a
// moving mid, crossing orders, sells of shares they hold, market and IOC/FOK orders, cancels,
// amends, batches and cancel-alls, all at once. Never a 5xx or a negative balance; afterwards
// every invariant holds exactly: reconcile (incl. engine == database), balances + collateral
// + house == granted, YES == NO == pairs, and exactly one stored order per acknowledged place.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestExchange, type TestExchange, type TestUser } from './helpers/server.ts';
import { NO_RATE_LIMITS, ok, rng, seededRng, type Rng } from './helpers/kit.ts';

const TRADERS = 100;
const OPS_PER_TRADER = Number(process.env.HAMMER_OPS ?? 30);
const START = 1_000_000;

interface Res {
  status: number;
  body: any;
}

function client(base: string) {
  return async (method: string, path: string, o: { token?: string; body?: unknown } = {}): Promise<Res> => {
    const headers: Record<string, string> = {};
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }) });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body };
  };
}

describe('service: 100 concurrent traders on one market', () => {
  let t: TestExchange;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestExchange({ ...NO_RATE_LIMITS, MAX_OPEN_ORDERS_PER_MARKET: '50', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' }, { listen: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keeps every invariant exact', async () => {
    const seedRng = seededRng('service-concurrency');
    const base = t.rt.url!.replace('0.0.0.0', '127.0.0.1');
    const http = client(base);
    admin = await t.admin();
    const market = await t.createOpenMarket();
    const slug = market.slug;

    // registration hashes passwords (scrypt on libuv's 4 threads): 10 at a time, so that a
    // loaded 2-core machine does not starve the database pool's connects (10 s timeout)
    const traders: TestUser[] = [];
    while (traders.length < TRADERS) traders.push(...(await Promise.all(Array.from({ length: Math.min(10, TRADERS - traders.length) }, () => t.registerUser()))));
    const problems: string[] = [];
    const stats = { placed: 0, duplicates: 0, rejected: 0, cancels: 0, amends: 0, sells: 0, market: 0, batches: 0, balanceChecks: 0 };
    /** order ids acknowledged as NEW orders (201, or ok && !duplicate in a batch), per user */
    const acked = new Map<string, Set<number>>();
    let mid = 50;

    const expectStatus = (what: string, res: Res, allowed: number[]): void => {
      if (res.status >= 500 || !allowed.includes(res.status) || (res.status === 400 && res.body?.error?.code === 'VALIDATION_ERROR')) {
        problems.push(`${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
      }
    };
    const noteOrder = (u: TestUser, body: any): void => {
      if (body?.duplicate === false) {
        acked.get(u.id)!.add(body.order.id);
        stats.placed++;
      } else if (body?.duplicate === true) stats.duplicates++;
    };

    const trade = async (u: TestUser, r: Rng): Promise<void> => {
      acked.set(u.id, new Set());
      const mine: number[] = [];
      const usedClientIds: string[] = [];
      for (let op = 0; op < OPS_PER_TRADER; op++) {
        if (r.chance(0.05)) mid = Math.min(85, Math.max(15, mid + r.int(-3, 3)));
        const roll = r.next();
        const outcome = r.chance(0.5) ? 'YES' : 'NO';
        const ownMid = outcome === 'YES' ? mid : 100 - mid;
        if (roll < 0.38) {
          // limit buy around the mid; some cross
          const body: Record<string, unknown> = { side: 'BUY', outcome, price: Math.min(99, Math.max(1, ownMid + r.int(-6, 4))), quantity: r.int(1, 25) };
          const tifRoll = r.next();
          if (tifRoll < 0.1) body.timeInForce = 'IOC';
          else if (tifRoll < 0.15) body.timeInForce = 'FOK';
          else if (tifRoll < 0.2) body.postOnly = true;
          if (r.chance(0.25)) {
            const reuse = usedClientIds.length > 0 && r.chance(0.3);
            const id = reuse ? r.pick(usedClientIds) : `c-${op}-${r.int(0, 1e9)}`;
            if (!reuse) usedClientIds.push(id);
            body.clientOrderId = id;
          }
          const res = await http('POST', `/api/orders/${slug}`, { token: u.token, body });
          expectStatus('buy', res, [200, 201, 409, 422]);
          if (res.status === 201 || res.status === 200) {
            noteOrder(u, res.body);
            if (res.body.order.status === 'OPEN' || res.body.order.status === 'PARTIALLY_FILLED') mine.push(res.body.order.id);
          } else stats.rejected++;
        } else if (roll < 0.6) {
          // sell shares held (read positions first; a concurrent fill may still make it 422)
          const pos = await http('GET', '/api/user/positions', { token: u.token });
          expectStatus('positions', pos, [200]);
          const p = pos.body.positions?.find((x: { marketId: string }) => x.marketId === market.id);
          const freeYes = p === undefined ? 0 : p.yesShares - p.yesLockedShares;
          const freeNo = p === undefined ? 0 : p.noShares - p.noLockedShares;
          if (p !== undefined && (p.yesLockedShares > p.yesShares || p.noLockedShares > p.noShares || p.yesShares < 0 || p.noShares < 0)) {
            problems.push(`bad position ${JSON.stringify(p)}`);
          }
          if (freeYes + freeNo === 0) continue;
          const sellOutcome = freeYes > 0 ? 'YES' : 'NO';
          const free = Math.max(freeYes, freeNo);
          const sellMid = sellOutcome === 'YES' ? mid : 100 - mid;
          const qty = r.int(1, free);
          const body = r.chance(0.2)
            ? { side: 'SELL', outcome: sellOutcome, type: 'MARKET', quantity: qty }
            : { side: 'SELL', outcome: sellOutcome, price: Math.min(99, Math.max(1, sellMid + r.int(-4, 6))), quantity: qty };
          const res = await http('POST', `/api/orders/${slug}`, { token: u.token, body });
          expectStatus('sell', res, [201, 422]);
          stats.sells++;
          if (res.status === 201) {
            noteOrder(u, res.body);
            if (res.body.order.status === 'OPEN' || res.body.order.status === 'PARTIALLY_FILLED') mine.push(res.body.order.id);
          }
        } else if (roll < 0.67) {
          // market buy, sometimes capped
          const body: Record<string, unknown> = { side: 'BUY', outcome, type: 'MARKET', quantity: r.int(1, 15) };
          if (r.chance(0.5)) body.maxCost = r.int(50, 1000);
          if (r.chance(0.2)) body.timeInForce = 'FOK';
          const res = await http('POST', `/api/orders/${slug}`, { token: u.token, body });
          expectStatus('market buy', res, [201, 422]);
          stats.market++;
          if (res.status === 201) noteOrder(u, res.body);
        } else if (roll < 0.77) {
          if (mine.length === 0) continue;
          const id = mine.splice(r.int(0, mine.length - 1), 1)[0]!;
          const res = await http('DELETE', `/api/orders/${id}`, { token: u.token });
          expectStatus('cancel', res, [200, 404]);
          stats.cancels++;
        } else if (roll < 0.82) {
          if (mine.length === 0) continue;
          const id = r.pick(mine);
          const body = r.chance(0.5) ? { quantity: r.int(1, 10) } : { price: Math.min(99, Math.max(1, ownMid + r.int(-5, 5))) };
          const res = await http('PATCH', `/api/orders/${id}`, { token: u.token, body });
          expectStatus('amend', res, [200, 400, 404, 422]);
          if (res.status === 400 && res.body?.error?.code !== 'AMEND_NO_CHANGE' && res.body?.error?.code !== 'INVALID_PRICE') {
            problems.push(`amend: ${JSON.stringify(res.body)}`);
          }
          stats.amends++;
        } else if (roll < 0.86) {
          const orders = Array.from({ length: r.int(2, 5) }, () => {
            const o = r.chance(0.5) ? 'YES' : 'NO';
            const m = o === 'YES' ? mid : 100 - mid;
            return { marketSlug: slug, side: 'BUY', outcome: o, price: Math.min(99, Math.max(1, m + r.int(-8, 2))), quantity: r.int(1, 10) };
          });
          const res = await http('POST', '/api/orders/batch', { token: u.token, body: { orders } });
          expectStatus('batch', res, [200]);
          stats.batches++;
          for (const item of res.body.results ?? []) {
            if (item.ok) {
              noteOrder(u, item);
              if (item.order.status === 'OPEN' || item.order.status === 'PARTIALLY_FILLED') mine.push(item.order.id);
            } else if (!['INSUFFICIENT_BALANCE', 'TOO_MANY_OPEN_ORDERS'].includes(item.error.code)) {
              problems.push(`batch item: ${JSON.stringify(item.error)}`);
            }
          }
        } else if (roll < 0.88) {
          const res = await http('DELETE', `/api/orders?market=${slug}`, { token: u.token });
          expectStatus('cancel-all', res, [200]);
          mine.length = 0;
        } else if (roll < 0.96) {
          const res = await http('GET', '/api/user/balance', { token: u.token });
          expectStatus('balance', res, [200]);
          stats.balanceChecks++;
          const b = res.body;
          if (!(b.available >= 0 && b.locked >= 0 && b.total === b.available + b.locked)) problems.push(`bad balance ${JSON.stringify(b)}`);
        } else {
          const res = await http('GET', `/api/orders/${slug}/orderbook?depth=5`);
          expectStatus('book', res, [200]);
          const bid = res.body.yes?.bids?.[0]?.price;
          const ask = res.body.yes?.asks?.[0]?.price;
          if (bid !== undefined && ask !== undefined && !(bid < ask)) problems.push(`crossed book ${bid} >= ${ask}`);
        }
      }
    };

    await Promise.all(traders.map((u) => trade(u, rng(seedRng.int(0, 2 ** 31)))));
    expect(problems, problems.slice(0, 10).join('\n')).toEqual([]);
    expect(stats.placed).toBeGreaterThan(TRADERS * OPS_PER_TRADER * 0.2);

    // 1. reconcile: invariants 1-4 on the database and engine == rebuild from the database
    const report = ok(await t.api('GET', '/api/admin/reconcile', { token: admin.token }), 200);
    expect(report.checks.filter((c: { ok: boolean }) => !c.ok), JSON.stringify(report.checks)).toEqual([]);
    expect(report.ok).toBe(true);

    // 2. points: every balance (never negative) + collateral + house == everything granted
    const everyone = [...traders, admin];
    let balances = 0;
    for (const u of everyone) {
      const b = ok(await t.api('GET', '/api/user/balance', { token: u.token }), 200);
      expect(b.available).toBeGreaterThanOrEqual(0);
      expect(b.locked).toBeGreaterThanOrEqual(0);
      balances += b.total;
    }
    const m = ok(await t.api('GET', `/api/markets/${slug}`), 200);
    const house = await t.rt.ctx.prisma.systemAccount.findUnique({ where: { id: 'HOUSE' } });
    const houseCents = house === null ? 0 : Number(house.balanceCents);
    expect(balances + 100 * m.openInterest + houseCents).toBe(everyone.length * START);
    expect(m.volume).toBeGreaterThan(0);

    // 3. shares: YES held == NO held == pairs outstanding
    let yes = 0;
    let no = 0;
    for (const u of traders) {
      for (const p of ok(await t.api('GET', '/api/user/positions', { token: u.token }), 200).positions) {
        expect(p.yesLockedShares).toBeLessThanOrEqual(p.yesShares);
        expect(p.noLockedShares).toBeLessThanOrEqual(p.noShares);
        yes += p.yesShares;
        no += p.noShares;
      }
    }
    expect(yes).toBe(m.openInterest);
    expect(no).toBe(m.openInterest);

    // 4. exactly the acknowledged orders are stored, once each
    const stored = await t.rt.ctx.prisma.order.findMany({ where: { userId: { in: traders.map((u) => u.id) } }, select: { id: true, userId: true } });
    const ackedTotal = [...acked.values()].reduce((s, x) => s + x.size, 0);
    expect(stored.length).toBe(ackedTotal);
    for (const o of stored) expect(acked.get(o.userId)!.has(Number(o.id))).toBe(true);

    // 5. the book is not crossed; trades add up to the volume
    const book = ok(await t.api('GET', `/api/orders/${slug}/orderbook?depth=99`), 200);
    if (book.yes.bids.length > 0 && book.yes.asks.length > 0) expect(book.yes.bids[0].price).toBeLessThan(book.yes.asks[0].price);
    const trades = await t.rt.ctx.prisma.trade.aggregate({ where: { marketId: market.id }, _sum: { qty: true }, _count: true });
    expect(trades._sum.qty ?? 0).toBe(m.volume);
    console.log(`[service-concurrency] seed ${seedRng.seed}: ${JSON.stringify(stats)}, trades ${trades._count}, volume ${m.volume}, open interest ${m.openInterest}`);
  }, 180_000);
});
