/**
 * Profiling aid: generates W1 once, then replays it on our engine `REPEAT` times so the
 * engine dominates a CPU profile: `node --cpu-prof --import tsx bench/profile.ts`.
 */
import { MatchingEngine, type EngineEvent, type PlaceOrderCommand } from '../src/index.ts';
import { CMD_CANCEL, CMD_LIMIT, SIDE_BUY, makeW1, type Stream } from './workloads.ts';

const REPEAT = Number(process.env.REPEAT ?? 5);
const w = makeW1();
let events = 0;
const sink = { emit(_e: EngineEvent) { events++; } };
function apply(engine: MatchingEngine, s: Stream, i: number): void {
  const buy = s.side[i] === SIDE_BUY;
  const t = s.type[i];
  if (t === CMD_CANCEL) {
    engine.execute({ type: 'CANCEL', tsMs: 2, userId: buy ? 'buyer' : 'seller', orderId: s.id[i]! });
    return;
  }
  const cmd: PlaceOrderCommand = {
    type: 'PLACE', tsMs: 2, userId: buy ? 'buyer' : 'seller', marketId: 'bench', side: 'BUY', outcome: buy ? 'YES' : 'NO',
    orderType: t === CMD_LIMIT ? 'LIMIT' : 'MARKET', priceCents: t === CMD_LIMIT ? (buy ? s.price[i]! : 100 - s.price[i]!) : null, qty: s.size[i]!,
  };
  engine.execute(cmd);
}
for (let r = 0; r < REPEAT; r++) {
  const engine = new MatchingEngine({ maxOpenOrdersPerUserPerMarket: 10_000_000 }, sink, 1 << 16);
  engine.execute({ type: 'GRANT', tsMs: 1, userId: 'buyer', amountCents: 1e12 });
  engine.execute({ type: 'GRANT', tsMs: 1, userId: 'seller', amountCents: 1e12 });
  engine.execute({ type: 'CREATE_MARKET', tsMs: 1, marketId: 'bench' });
  engine.execute({ type: 'SET_MARKET_STATUS', tsMs: 1, marketId: 'bench', status: 'OPEN' });
  for (const p of w.warmup) for (let i = 0; i < p.stream.length; i++) apply(engine, p.stream, i);
  const t0 = performance.now();
  for (let i = 0; i < w.timed.stream.length; i++) apply(engine, w.timed.stream, i);
  const ms = performance.now() - t0;
  console.log(`run ${r}: ${(w.timed.stream.length / ms / 1000).toFixed(2)} M ops/s, ${events} events`);
}
