// The backend's house feature (apps/backend/src/house) with the in-process maker: admin
// settings with stable error codes and nothing placed on bad ones, the HOUSE account funded by
// an audited admin grant, the published state, houseQty on every view of the book (REST, the
// writer's sockets, a gateway's database snapshot), HOUSE_POSITION_OPEN, disable.
import { afterEach, describe, expect, it } from 'vitest';
import { unwrap, type PmClient } from '@prediction-markets/client';
import { adminClient, newTrader, startLive, waitFor, type LiveExchange } from '../../../packages/client/test/helpers.ts';
import { startHouseMaker, type RunningHouse } from '../../backend/src/house/maker.ts';
import { databaseSnapshots } from '../../backend/src/realtime/snapshot.ts';

let live: LiveExchange | null = null;
let house: RunningHouse | null = null;
afterEach(async () => {
  await house?.stop();
  house = null;
  await live?.t.close();
  live = null;
});

async function houseOrders(admin: PmClient, slug: string): Promise<number> {
  const st = await admin.request<{ restingBidShares: number; restingAskShares: number }>('GET', `/api/house/markets/${slug}`);
  return st.ok ? st.data.restingBidShares + st.data.restingAskShares : 0;
}

describe('house feature', () => {
  it('refuses bad settings with stable codes, funds and publishes, quotes, and stops on disable', async () => {
    live = await startLive({ JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789' });
    const market = await live.t.createOpenMarket();
    const admin = await adminClient(live.url, live.t);
    const put = (slug: string, body: unknown, who: PmClient = admin) => who.request<any>('PUT', `/api/house/markets/${slug}`, { body });
    const code = (r: { ok: boolean; error?: { code: string; status: number | null } }) => (r.ok ? 'OK' : `${r.error!.status} ${r.error!.code}`);

    expect(code(await put(market.slug, { enabled: true, b: 0 }))).toBe('400 HOUSE_INVALID_LIQUIDITY');
    expect(code(await put(market.slug, { enabled: true, b: -3 }))).toBe('400 HOUSE_INVALID_LIQUIDITY');
    expect(code(await put(market.slug, { enabled: true, b: 100, pMinCents: 60, pMaxCents: 90 }))).toBe('400 HOUSE_INVALID_BAND');
    expect(code(await put(market.slug, { enabled: true, b: 100, pMinCents: 0, pMaxCents: 90 }))).toBe('400 HOUSE_INVALID_BAND');
    expect(code(await put('no-such-market', { enabled: true }))).toBe('404 UNKNOWN_MARKET');
    const trader = await newTrader(live.url);
    expect(code(await put(market.slug, { enabled: true }, trader))).toBe('403 FORBIDDEN');
    expect(code(await admin.request('GET', `/api/house/markets/${market.slug}`))).toBe('404 NOT_FOUND');
    const audit0 = unwrap(await admin.getAudit({ action: 'HOUSE_CONFIGURED' }));
    expect(audit0.entries).toHaveLength(0);

    const st = unwrap(await put(market.slug, { enabled: true, b: 100, p0Cents: 50, pMinCents: 10, pMaxCents: 90 }));
    expect(st).toMatchObject({ enabled: true, b: 100, p0Cents: 50, pMinCents: 10, pMaxCents: 90, inventoryShares: 0, cashCents: 0 });
    expect(st.lossBoundIfYesCents).toBe(Math.ceil(100 * 100 * Math.log(90 / 50)));
    const list = unwrap(await admin.request<any>('GET', '/api/house/markets'));
    const houseId = list.houseUserId as string;
    const grants = unwrap(await admin.getAudit({ action: 'POINTS_GRANTED', targetId: houseId }));
    expect(grants.entries).toHaveLength(1);
    expect(grants.entries[0]!.actorId).toBe(admin.session.user!.id);
    expect(unwrap(await admin.getAudit({ action: 'HOUSE_CONFIGURED' })).entries).toHaveLength(1);

    house = await startHouseMaker(live.t.rt.ctx, live.url, { pollMs: 200 });
    await waitFor(async () => (await houseOrders(admin, market.slug)) > 0, 'house quotes');
    const ob = unwrap(await trader.getOrderbook(market.slug, { depth: 1 }));
    expect(ob.yes.asks[0]!.price).toBe(51);
    expect(ob.yes.bids[0]!.price).toBe(49);

    // houseQty: REST, a live book (snapshot + deltas, both views), a trader's order beside the house's.
    const ws = unwrap(await trader.connect());
    const book = unwrap(await ws.subscribe(market.slug));
    const ws2 = unwrap(await trader.connect());
    const noView = unwrap(await ws2.subscribe(market.slug, { outcome: 'NO' }));
    const houseAt45 = book.ladder('YES').bids.find((l) => l.price === 45)!.quantity;
    expect(book.ladder('YES').bids.find((l) => l.price === 45)!.houseQty).toBe(houseAt45);
    unwrap(await trader.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', price: 45, quantity: 7 }));
    await waitFor(() => book.ladder('YES').bids.find((l) => l.price === 45)?.quantity === houseAt45 + 7, 'trader order in the live book');
    expect(book.ladder('YES').bids.find((l) => l.price === 45)).toMatchObject({ quantity: houseAt45 + 7, houseQty: houseAt45 });
    await waitFor(() => noView.ladder('NO').asks.find((l) => l.price === 55)?.quantity === houseAt45 + 7, 'NO view');
    expect(noView.ladder('NO').asks.find((l) => l.price === 55)).toMatchObject({ quantity: houseAt45 + 7, houseQty: houseAt45 });
    const rest = unwrap(await trader.getOrderbook(market.slug, { depth: 99 }));
    expect(rest.yes.bids.find((l) => l.price === 45)).toMatchObject({ quantity: houseAt45 + 7, houseQty: houseAt45 });
    expect(rest.yes.asks.every((l) => l.houseQty === l.quantity)).toBe(true);
    // A socket gateway's snapshot (read from the database, not the engine) shades the same levels.
    const stored = await databaseSnapshots(live.t.rt.ctx.prisma).snapshot(market.id);
    expect(stored?.yes).toEqual(rest.yes);
    expect(stored?.no).toEqual(rest.no);
    expect(book.ladder('YES')).toEqual(rest.yes);
    expect(book.ladder('NO')).toEqual(rest.no);
    unwrap(await trader.cancelAllOrders(market.slug));
    ws.close();
    ws2.close();

    unwrap(await trader.placeOrder(market.slug, { side: 'BUY', outcome: 'YES', type: 'MARKET', quantity: 20 }));
    await waitFor(async () => unwrap(await admin.request<any>('GET', `/api/house/markets/${market.slug}`)).inventoryShares === 20, 'published inventory');
    const after = unwrap(await admin.request<any>('GET', `/api/house/markets/${market.slug}`));
    expect(after.cashCents).toBeGreaterThan(20 * 50);
    expect(after.pnlIfNoCents).toBe(after.cashCents);
    expect(after.pnlIfYesCents).toBe(after.cashCents - 2000);
    expect(code(await put(market.slug, { enabled: true, b: 200 }))).toBe('409 HOUSE_POSITION_OPEN');

    unwrap(await put(market.slug, { enabled: false }));
    await waitFor(async () => (await houseOrders(admin, market.slug)) === 0, 'house stops quoting when disabled');
  });
});
