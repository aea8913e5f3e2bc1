/**
 * The engine benchmark: `pnpm bench:engine [--json] [--runs N] [--workloads W1,W2,W3]` at
 * the root (or `pnpm --filter @prediction-markets/matching-engine bench ...`).
 *
 * Runs W1, W2 and W3 (bench/WORKLOADS.md) on our engine and on the npm package
 * nodejs-order-book, each measurement in a fresh process, `runs` times (default 3), and
 * reports medians and the ratios to nodejs-order-book from the same run. Our engine runs
 * twice, with full escrow and every event produced:
 * - `oursServicePath` (the headline): events consumed by `EventCollector` exactly as the
 *   service's `Exchange.runBatch` consumes them (see run-one.ts);
 * - `ours`: events consumed by a sink that only counts them (the engine's own cost).
 * The peer is a bare price-time book. W2 also reports heap + array-buffer bytes per resting
 * order with 1,000,000 resting orders, through the service path. These machines are noisy:
 * compare ratios, not absolute figures.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const runs = Number(flag('--runs') ?? 3);
const workloads = (flag('--workloads') ?? 'W1,W2,W3').split(',');
const engines = ['oursServicePath', 'ours', 'nodejsOrderBook'] as const;

interface Measurement {
  opsPerSec: number;
  /** Timed ops per second of the process's CPU time (robust to waiting for a core on a loaded machine). */
  opsPerCpuSec: number;
  p50Ns: number;
  p99Ns: number;
  setupOpsPerSec: number | null;
  bytesPerRestingOrder?: number;
}

function measure(workload: string, engine: string): Measurement {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(here, 'run-one.ts'), workload, engine], {
    cwd: path.join(here, '..'),
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${workload}/${engine} failed:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as Measurement;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const result: Record<string, unknown> = {};
let bytesPerRestingOrder: number | null = null;
for (const w of workloads) {
  const perEngine: Record<string, Measurement[]> = { oursServicePath: [], ours: [], nodejsOrderBook: [] };
  for (let r = 0; r < runs; r++) {
    for (const e of engines) {
      if (!json) process.stderr.write(`  ${w} ${e} run ${r + 1}/${runs}...\n`);
      perEngine[e]!.push(measure(w, e));
    }
  }
  const summary = (ms: Measurement[]) => ({
    opsPerSec: Math.round(median(ms.map((m) => m.opsPerSec))),
    p50Ns: Math.round(median(ms.map((m) => m.p50Ns))),
    p99Ns: Math.round(median(ms.map((m) => m.p99Ns))),
  });
  const oursServicePath = summary(perEngine.oursServicePath!);
  const ours = summary(perEngine.ours!);
  const peer = summary(perEngine.nodejsOrderBook!);
  result[w] = {
    oursServicePath,
    ours,
    nodejsOrderBook: peer,
    ratioServicePath: Number((oursServicePath.opsPerSec / peer.opsPerSec).toFixed(1)),
    ratio: Number((ours.opsPerSec / peer.opsPerSec).toFixed(1)),
    opsPerCpuSec: Object.fromEntries(engines.map((e) => [e, Math.round(median(perEngine[e]!.map((m) => m.opsPerCpuSec)))])),
  };
  if (w === 'W2') bytesPerRestingOrder = Math.round(median(perEngine.oursServicePath!.map((m) => m.bytesPerRestingOrder ?? 0)));
  if (w === 'W3') {
    (result[w] as Record<string, unknown>).buildOpsPerSec = {
      oursServicePath: Math.round(median(perEngine.oursServicePath!.map((m) => m.setupOpsPerSec ?? 0))),
      ours: Math.round(median(perEngine.ours!.map((m) => m.setupOpsPerSec ?? 0))),
      nodejsOrderBook: Math.round(median(perEngine.nodejsOrderBook!.map((m) => m.setupOpsPerSec ?? 0))),
    };
  }
}
result.bytesPerRestingOrder = bytesPerRestingOrder;

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const fmt = (n: number): string => n.toLocaleString('en-US');
  const lines = [
    `Engine benchmark (medians of ${runs} fresh-process runs; node ${process.version})`,
    '',
    '| workload | engine | ops/s | p50 per op | p99 per op |',
    '|---|---|---:|---:|---:|',
  ];
  for (const w of workloads) {
    const r = result[w] as Record<string, { opsPerSec: number; p50Ns: number; p99Ns: number }> & { ratio: number; ratioServicePath: number };
    for (const e of engines) lines.push(`| ${w} | ${e} | ${fmt(r[e]!.opsPerSec)} | ${fmt(r[e]!.p50Ns)} ns | ${fmt(r[e]!.p99Ns)} ns |`);
    lines.push(`| ${w} | ratio oursServicePath / nodejs-order-book | ${r.ratioServicePath}x | | |`);
    lines.push(`| ${w} | ratio ours (counting sink) / nodejs-order-book | ${r.ratio}x | | |`);
    const cpu = (r as unknown as { opsPerCpuSec: Record<string, number> }).opsPerCpuSec;
    lines.push(`| ${w} | per CPU second (service path / counting sink / peer) | ${engines.map((e) => fmt(cpu[e]!)).join(' / ')} | | |`);
  }
  if (bytesPerRestingOrder !== null) lines.push('', `Heap + array-buffer bytes per resting order at 1,000,000 resting orders (service path): ${bytesPerRestingOrder}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
