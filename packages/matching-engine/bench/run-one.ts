/**
 * One benchmark measurement in a fresh process: `node --expose-gc --import tsx
 * bench/run-one.ts <W1|W2|W3> <oursServicePath|ours|nodejsOrderBook>`; prints one JSON line.
 * The engines and the timing are in adapters.ts: `oursServicePath` is our engine through
 * the service's event consumer (EventCollector as `Exchange.runBatch` uses it), `ours` the
 * same engine with a counting sink, `nodejsOrderBook` the npm package nodejs-order-book.
 * Streams are generated and their fingerprints checked before timing.
 */
import { ours, peer, replay, timed, type Adapter } from './adapters.ts';
import { makeW1, makeW2, makeW3, verifyFingerprints, type Workload } from './workloads.ts';

function heapBytes(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function main(): void {
  const [wName, engineName] = process.argv.slice(2);
  const make = { W1: makeW1, W2: makeW2, W3: makeW3 }[wName as 'W1'];
  if (make === undefined || (engineName !== 'ours' && engineName !== 'oursServicePath' && engineName !== 'nodejsOrderBook')) {
    throw new Error('usage: run-one.ts <W1|W2|W3> <oursServicePath|ours|nodejsOrderBook>');
  }
  const w: Workload = make();
  const fp = verifyFingerprints(w);
  if (!fp.every((f) => f.ok)) throw new Error(`stream fingerprints differ: ${JSON.stringify(fp)}`);
  // Collect the generator's garbage now, so neither engine pays for it during timing.
  (globalThis as { gc?: () => void }).gc?.();
  // Memory is counted from here, before any book exists: everything the engine holds at the
  // end (including what its warm-up left allocated), divided by the resting orders.
  const before = heapBytes();
  const fresh = (): Adapter => (engineName === 'nodejsOrderBook' ? peer() : ours(engineName === 'oursServicePath'));
  // Warm-up: on the measured book for W1, on a throw-away book for W2/W3.
  let a = fresh();
  for (const p of w.warmup) replay(a, p.stream);
  if (!w.warmupOnSameBook) a = fresh();
  const fills0 = a.fills();
  let setup: ReturnType<typeof timed> | null = null;
  for (const p of w.setup) setup = timed(a, p.stream);
  const result = timed(a, w.timed.stream);
  const restingAfter = a.resting();
  const out: Record<string, unknown> = {
    workload: w.name,
    engine: engineName,
    ...result,
    setupOpsPerSec: setup?.opsPerSec ?? null,
    restingAfter,
    expectedRestingAfter: w.stats.restingAfter,
    makerFills: a.fills() >= 0 ? a.fills() - fills0 : null,
    expectedMakerFills: w.stats.makerFills,
    fingerprints: Object.fromEntries(fp.map((f) => [f.phase, f.got])),
  };
  if (w.name === 'W2') out.bytesPerRestingOrder = (heapBytes() - before) / restingAfter;
  if (restingAfter !== w.stats.restingAfter) throw new Error(`resting orders ${restingAfter} != reference ${w.stats.restingAfter}`);
  if (engineName !== 'nodejsOrderBook' && w.name !== 'W2' && out.makerFills !== w.stats.makerFills) {
    throw new Error(`maker fills ${String(out.makerFills)} != reference ${w.stats.makerFills}`);
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
