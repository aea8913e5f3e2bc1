/**
 * Generator of the engine benchmark workloads W1, W2 and W3 on the binary price grid,
 * implemented from the definition in bench/WORKLOADS.md (mulberry32 PRNG, a
 * strict price-time reference book that the generator draws from, FNV-1a fingerprints).
 * `verifyFingerprints()` proves the streams are the published ones.
 *
 * Commands are stored column-wise in typed arrays so that a 1.1M-command stream costs
 * ~20 MB and reading it during timing allocates nothing.
 */

export const CMD_LIMIT = 0;
export const CMD_MARKET = 1;
export const CMD_CANCEL = 2;
export const SIDE_BUY = 0;
export const SIDE_SELL = 1;

/** A column-wise command stream. For cancels, side/price/size describe the resting order. */
export interface Stream {
  length: number;
  type: Uint8Array;
  side: Uint8Array;
  price: Uint8Array;
  size: Uint8Array;
  id: Float64Array;
}

function newStream(n: number): Stream {
  return { length: 0, type: new Uint8Array(n), side: new Uint8Array(n), price: new Uint8Array(n), size: new Uint8Array(n), id: new Float64Array(n) };
}

/** mulberry32 (Tommy Ettinger), returning u in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LO = 1;
const HI = 99;

interface RefOrder {
  id: number;
  side: number;
  price: number;
  remaining: number;
  /** Index in the resting-set array. */
  idx: number;
}

/** The generator's own strict price-time book (WORKLOADS.md, "The generator's own book"). */
class ReferenceBook {
  /** FIFO queues per price; index = price. */
  private readonly bids: RefOrder[][] = Array.from({ length: 101 }, () => []);
  private readonly asks: RefOrder[][] = Array.from({ length: 101 }, () => []);
  /** Heads of the FIFO queues (removal from the front is by index, compacting lazily). */
  private readonly bidHead = new Int32Array(101);
  private readonly askHead = new Int32Array(101);
  readonly resting: RefOrder[] = [];
  makerFills = 0;
  unitsTraded = 0;

  bestBid(): number {
    for (let p = HI; p >= LO; p--) if (this.levelSize(this.bids, this.bidHead, p) > 0) return p;
    return 0;
  }

  bestAsk(): number {
    for (let p = LO; p <= HI; p++) if (this.levelSize(this.asks, this.askHead, p) > 0) return p;
    return 0;
  }

  private levelSize(levels: RefOrder[][], head: Int32Array, p: number): number {
    const q = levels[p]!;
    let h = head[p]!;
    while (h < q.length && q[h]!.remaining === 0) h++;
    head[p] = h;
    if (h === q.length && h > 0) {
      q.length = 0;
      head[p] = 0;
    }
    return q.length - head[p]!;
  }

  private removeResting(o: RefOrder): void {
    const last = this.resting.pop()!;
    if (last !== o) {
      this.resting[o.idx] = last;
      last.idx = o.idx;
    }
  }

  /** Match an incoming order; returns the unfilled size. */
  private match(side: number, price: number, size: number): number {
    let rem = size;
    const buy = side === SIDE_BUY;
    while (rem > 0) {
      const p = buy ? this.bestAsk() : this.bestBid();
      if (p === 0 || (buy ? p > price : p < price)) break;
      const q = (buy ? this.asks : this.bids)[p]!;
      const head = buy ? this.askHead : this.bidHead;
      let h = head[p]!;
      while (rem > 0 && h < q.length) {
        const m = q[h]!;
        if (m.remaining === 0) {
          h++;
          continue;
        }
        const f = Math.min(rem, m.remaining);
        m.remaining -= f;
        rem -= f;
        this.makerFills++;
        this.unitsTraded += f;
        if (m.remaining === 0) {
          this.removeResting(m);
          h++;
        }
      }
      head[p] = h;
    }
    return rem;
  }

  limit(id: number, side: number, price: number, size: number): void {
    const rem = this.match(side, price, size);
    if (rem > 0) {
      const o: RefOrder = { id, side, price, remaining: rem, idx: this.resting.length };
      (side === SIDE_BUY ? this.bids : this.asks)[price]!.push(o);
      this.resting.push(o);
    }
  }

  market(side: number, size: number): void {
    this.match(side, side === SIDE_BUY ? HI : LO, size);
  }

  cancel(o: RefOrder): void {
    o.remaining = 0;
    this.removeResting(o);
  }
}

/** Builds one stream while driving a reference book. */
class Generator {
  readonly book = new ReferenceBook();
  private nextId: number;
  constructor(
    readonly rnd: () => number,
    firstId = 1,
  ) {
    this.nextId = firstId;
  }

  randInt(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  private push(s: Stream, type: number, side: number, price: number, size: number, id: number): void {
    const i = s.length++;
    s.type[i] = type;
    s.side[i] = side;
    s.price[i] = price;
    s.size[i] = size;
    s.id[i] = id;
  }

  limit(s: Stream, side: number, price: number, size: number): void {
    const id = this.nextId++;
    this.push(s, CMD_LIMIT, side, price, size, id);
    this.book.limit(id, side, price, size);
  }

  market(s: Stream, side: number, size: number): void {
    const id = this.nextId++;
    this.push(s, CMD_MARKET, side, 0, size, id);
    this.book.market(side, size);
  }

  cancelAt(s: Stream, idx: number): void {
    const o = this.book.resting[idx]!;
    this.push(s, CMD_CANCEL, o.side, o.price, o.remaining, o.id);
    this.book.cancel(o);
  }

  /** One W1 op (WORKLOADS.md, "W1: the standard mix"). */
  w1Op(s: Stream): void {
    const u = this.rnd();
    if (u >= 0.6 && u < 0.9 && this.book.resting.length > 0) {
      this.cancelAt(s, this.randInt(0, this.book.resting.length - 1));
      return;
    }
    if (u >= 0.9) {
      const side = this.rnd() < 0.5 ? SIDE_BUY : SIDE_SELL;
      this.market(s, side, this.randInt(1, 50));
      return;
    }
    const side = this.rnd() < 0.5 ? SIDE_BUY : SIDE_SELL;
    const crossDraw = this.rnd() < 0.2;
    const bestBid = this.book.bestBid();
    const bestAsk = this.book.bestAsk();
    let price: number;
    if (side === SIDE_BUY) {
      if (crossDraw && bestAsk !== 0) price = Math.min(bestAsk + this.randInt(0, 4), HI);
      else {
        const refAsk = bestAsk !== 0 ? bestAsk : 50;
        price = refAsk - 1 >= 1 ? this.randInt(1, refAsk - 1) : 1;
      }
    } else if (crossDraw && bestBid !== 0) price = Math.max(bestBid - this.randInt(0, 4), LO);
    else {
      const refBid = bestBid !== 0 ? bestBid : 49;
      price = refBid + 1 <= HI ? this.randInt(refBid + 1, HI) : HI;
    }
    this.limit(s, side, price, this.randInt(1, 100));
  }

  /** One W2 insert: a non-crossing limit. */
  w2Op(s: Stream): void {
    const side = this.rnd() < 0.5 ? SIDE_BUY : SIDE_SELL;
    const price = side === SIDE_BUY ? this.randInt(1, 49) : this.randInt(50, 99);
    this.limit(s, side, price, this.randInt(1, 100));
  }

  /** One W3 market sweep. */
  w3Op(s: Stream): void {
    const side = this.rnd() < 0.5 ? SIDE_BUY : SIDE_SELL;
    this.market(s, side, this.randInt(1, 50));
  }
}

export interface Phase {
  name: string;
  stream: Stream;
}

export interface Workload {
  name: 'W1' | 'W2' | 'W3';
  /** Phases on a throw-away book (warm-up), then phases on the measured book. A phase with `timed` is measured. */
  warmup: Phase[];
  /** Untimed set-up of the measured book (W3 build is timed separately, reported apart). */
  setup: Phase[];
  timed: Phase;
  /** True when the warm-up runs on the same book as the timed phase (W1). */
  warmupOnSameBook: boolean;
  stats: { makerFills: number; unitsTraded: number; restingAfter: number; restingBefore: number };
}

function run(n: number, op: (s: Stream) => void): Stream {
  const s = newStream(n);
  for (let i = 0; i < n; i++) op(s);
  return s;
}

export function makeW1(seed = 42): Workload {
  const g = new Generator(mulberry32(seed));
  const warm = run(100_000, (s) => g.w1Op(s));
  const restingBefore = g.book.resting.length;
  const fills0 = g.book.makerFills;
  const units0 = g.book.unitsTraded;
  const timed = run(1_000_000, (s) => g.w1Op(s));
  return {
    name: 'W1',
    warmup: [{ name: 'warm-up', stream: warm }],
    setup: [],
    timed: { name: 'timed', stream: timed },
    warmupOnSameBook: true,
    stats: { makerFills: g.book.makerFills - fills0, unitsTraded: g.book.unitsTraded - units0, restingAfter: g.book.resting.length, restingBefore },
  };
}

export function makeW2(seed = 42, warmSeed = 43): Workload {
  const gw = new Generator(mulberry32(warmSeed));
  const warm = run(100_000, (s) => gw.w2Op(s));
  const g = new Generator(mulberry32(seed));
  const timed = run(1_000_000, (s) => g.w2Op(s));
  return {
    name: 'W2',
    warmup: [{ name: 'warm-up', stream: warm }],
    setup: [],
    timed: { name: 'timed', stream: timed },
    warmupOnSameBook: false,
    stats: { makerFills: 0, unitsTraded: 0, restingAfter: g.book.resting.length, restingBefore: 0 },
  };
}

export function makeW3(seed = 42, warmSeed = 43): Workload {
  const gw = new Generator(mulberry32(warmSeed));
  const warmBuild = run(10_000, (s) => gw.w2Op(s));
  const warmMarkets = run(10_000, (s) => gw.w3Op(s));
  const g = new Generator(mulberry32(seed));
  const build = run(100_000, (s) => g.w2Op(s));
  const restingBefore = g.book.resting.length;
  const markets = run(100_000, (s) => g.w3Op(s));
  return {
    name: 'W3',
    warmup: [
      { name: 'warm-up build', stream: warmBuild },
      { name: 'warm-up markets', stream: warmMarkets },
    ],
    setup: [{ name: 'build', stream: build }],
    timed: { name: 'timed markets', stream: markets },
    warmupOnSameBook: false,
    stats: { makerFills: g.book.makerFills, unitsTraded: g.book.unitsTraded, restingAfter: g.book.resting.length, restingBefore },
  };
}

/** FNV-1a 32-bit over the command lines of a stream (WORKLOADS.md, "Fingerprints"). */
export function fingerprint(s: Stream): string {
  let h = 0x811c9dc5;
  const feed = (text: string): void => {
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  };
  for (let i = 0; i < s.length; i++) {
    const t = s.type[i] === CMD_LIMIT ? 'L' : s.type[i] === CMD_MARKET ? 'M' : 'C';
    feed(`${t} ${s.side[i] === SIDE_BUY ? 'B' : 'S'} ${s.price[i]} ${s.size[i]} ${s.id[i]}\n`);
  }
  return h.toString(16).padStart(8, '0');
}

/** The fingerprints listed in bench/WORKLOADS.md. */
export const EXPECTED_FINGERPRINTS: Record<string, Record<string, string>> = {
  W1: { 'warm-up': '934c3311', timed: '5b1ad540' },
  W2: { 'warm-up': 'b43c93c1', timed: '2a7a4658' },
  W3: { 'warm-up build': '4ba0de5d', 'warm-up markets': '8a62eb19', build: '817a0766', 'timed markets': '5062d1bf' },
};

/** Every phase's fingerprint and whether it equals the published one. */
export function verifyFingerprints(w: Workload): { phase: string; got: string; expected: string; ok: boolean }[] {
  const expected = EXPECTED_FINGERPRINTS[w.name]!;
  return [...w.warmup, ...w.setup, w.timed].map((p) => {
    const got = fingerprint(p.stream);
    return { phase: p.name, got, expected: expected[p.name] ?? '?', ok: got === expected[p.name] };
  });
}
