/**
 * Cost per command type against the size of the book (a diagnostic, not one of the W1-W3
 * workloads): `node --import tsx bench/op-costs.ts [restingOrders...]` (default 2048 65536).
 *
 * For each size N: N random non-crossing limits (inserts), then N/2 cancels of resting
 * orders in random order, then 20,000 market orders of 1-50 shares; prints the mean ns per
 * command of each phase, median of several rounds. A book that fits in the CPU cache
 * against one that does not shows what memory costs. Seeded (mulberry32), deterministic.
 */
import { MatchingEngine, type EngineEvent } from '../src/index.ts';
import { mulberry32 } from './workloads.ts';

const sizes = process.argv.slice(2).map(Number);
let events = 0;
const sink = { emit(_e: EngineEvent): void { events++; } };

function round(n: number, seed: number): { insert: number; cancel: number; market: number } {
  const e = new MatchingEngine({ maxOpenOrdersPerUserPerMarket: 1e7, maxOrderQty: 1e6 }, sink, Math.max(1024, n));
  e.execute({ type: 'GRANT', tsMs: 1, userId: 'buyer', amountCents: 1e12 });
  e.execute({ type: 'GRANT', tsMs: 1, userId: 'seller', amountCents: 1e12 });
  e.execute({ type: 'CREATE_MARKET', tsMs: 1, marketId: 'm' });
  e.execute({ type: 'SET_MARKET_STATUS', tsMs: 1, marketId: 'm', status: 'OPEN' });
  const rnd = mulberry32(seed);
  const ids = new Float64Array(n);
  const buyers = new Uint8Array(n);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const buy = rnd() < 0.5;
    const p = buy ? 1 + Math.floor(rnd() * 49) : 50 + Math.floor(rnd() * 50);
    const r = e.execute({ type: 'PLACE', tsMs: 2, userId: buy ? 'buyer' : 'seller', marketId: 'm', side: 'BUY', outcome: buy ? 'YES' : 'NO', orderType: 'LIMIT', priceCents: buy ? p : 100 - p, qty: 1 + Math.floor(rnd() * 100) });
    if (!r.ok || !('orderId' in r)) throw new Error('insert rejected');
    ids[i] = r.orderId;
    buyers[i] = buy ? 1 : 0;
  }
  const insert = ((performance.now() - t0) / n) * 1e6;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    [buyers[i], buyers[j]] = [buyers[j]!, buyers[i]!];
  }
  t0 = performance.now();
  for (let i = 0; i < n / 2; i++) e.execute({ type: 'CANCEL', tsMs: 2, userId: buyers[i] === 1 ? 'buyer' : 'seller', orderId: ids[i]! });
  const cancel = ((performance.now() - t0) / (n / 2)) * 1e6;
  const m = 20_000;
  t0 = performance.now();
  for (let i = 0; i < m; i++) {
    const buy = rnd() < 0.5;
    e.execute({ type: 'PLACE', tsMs: 2, userId: buy ? 'buyer' : 'seller', marketId: 'm', side: 'BUY', outcome: buy ? 'YES' : 'NO', orderType: 'MARKET', priceCents: null, qty: 1 + Math.floor(rnd() * 50) });
  }
  const market = ((performance.now() - t0) / m) * 1e6;
  return { insert, cancel, market };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const n of sizes.length > 0 ? sizes : [2048, 65_536]) {
  const rounds = Math.max(5, Math.min(60, Math.floor(1_000_000 / n)));
  const rs = Array.from({ length: rounds }, (_, r) => round(n, r + 1));
  const f = (k: 'insert' | 'cancel' | 'market'): string => `${median(rs.map((x) => x[k])).toFixed(0)} ns`;
  process.stdout.write(`${n} resting: insert ${f('insert')}, cancel ${f('cancel')}, market ${f('market')} (median of ${rounds} rounds)\n`);
}
if (events === 0) throw new Error('no events');
