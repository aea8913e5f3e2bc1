/**
 * Profiling aid: generates W1 once, then replays it `REPEAT` times (default 5) through the
 * same adapter run-one.ts measures, each time on a new market of the one engine, so the
 * engine dominates a CPU profile:
 * `node --cpu-prof --import tsx bench/profile.ts [oursServicePath|ours]` (default the service path).
 * Prints ops/s of each timed replay.
 */
import { ours, replay, timed } from './adapters.ts';
import { makeW1 } from './workloads.ts';

const REPEAT = Number(process.env.REPEAT ?? 5);
const engine = process.argv[2] ?? 'oursServicePath';
if (engine !== 'ours' && engine !== 'oursServicePath') throw new Error('usage: profile.ts [oursServicePath|ours]');
const w = makeW1();
for (let r = 0; r < REPEAT; r++) {
  const a = ours(engine === 'oursServicePath');
  for (const p of w.warmup) replay(a, p.stream);
  const t = timed(a, w.timed.stream);
  process.stdout.write(`run ${r}: ${(t.opsPerSec / 1e6).toFixed(3)} M ops/s, p50 ${t.p50Ns.toFixed(0)} ns, p99 ${t.p99Ns.toFixed(0)} ns\n`);
}
