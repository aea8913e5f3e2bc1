/**
 * Struct-of-arrays storage for live orders.
 *
 * An order is a slot index into parallel typed arrays, so resting orders cost no JS objects
 * (no GC work, about 70 bytes each) and every per-fill access is an array read. Slots are
 * recycled through a free list threaded through `next`. Capacity doubles on demand.
 *
 * Doubly linked lists threaded through the slots:
 * - `prev`/`next`: the FIFO queue of one price level (time priority), see book.ts;
 * - `uPrev`/`uNext`: the user's resting orders in ascending queueSeq (for cancel-all).
 *
 * Time in force has a byte of its own (`tif`, 256 codes), apart from the other flags, so
 * new time-in-force values need no change of encoding.
 */

/** Order action, a compact code for side x outcome. Even = buy; < 2 = YES. */
export const BUY_YES = 0;
export const SELL_YES = 1;
export const BUY_NO = 2;
export const SELL_NO = 3;

/** Time in force codes, stored in `OrderStore.tif` (one byte: room for 256 values). */
export const TIF_GTC = 0;
export const TIF_GTD = 1;
export const TIF_IOC = 2;
export const TIF_FOK = 3;
/** Flag bits (`OrderStore.flags`). */
export const FLAG_MARKET = 1;
export const FLAG_POST_ONLY = 2;
/** STP mode codes (flags bits 4-5). */
export const STP_CANCEL_TAKER = 0;
export const STP_CANCEL_MAKER = 1;
export const STP_CANCEL_BOTH = 2;
export const STP_SHIFT = 4;

export const NIL = -1;

export class OrderStore {
  capacity = 0;
  /** Head of the free list (NIL = none). */
  private freeHead = NIL;
  /** Slots ever handed out; slots >= this are untouched. */
  private highWater = 0;
  live = 0;

  id = new Float64Array(0);
  /** Account index. */
  user = new Int32Array(0);
  /** Market index. */
  market = new Int32Array(0);
  /** Position index. */
  pos = new Int32Array(0);
  action = new Uint8Array(0);
  /** Limit price on the YES book, 1..99 (0 for market orders). */
  yesPrice = new Uint8Array(0);
  /** FLAG_MARKET | FLAG_POST_ONLY | stp << STP_SHIFT. */
  flags = new Uint8Array(0);
  /** Time in force code (TIF_*). */
  tif = new Uint8Array(0);
  /** Total quantity (filled + remaining). */
  qty = new Int32Array(0);
  remaining = new Int32Array(0);
  prev = new Int32Array(0);
  next = new Int32Array(0);
  uPrev = new Int32Array(0);
  uNext = new Int32Array(0);
  expiresAt = new Float64Array(0);
  /** Index of the order's entry in the engine's ExpiryHeap, NIL when it has none (expiry-heap.ts). */
  heapPos = new Int32Array(0);
  queueSeq = new Float64Array(0);
  clientOrderId: (string | null)[] = [];

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  /** Take a free slot (its fields are stale: the caller sets every one). */
  alloc(): number {
    let s = this.freeHead;
    if (s !== NIL) {
      this.freeHead = this.next[s]!;
    } else {
      if (this.highWater === this.capacity) this.grow(this.capacity * 2);
      s = this.highWater++;
    }
    this.live++;
    return s;
  }

  free(s: number): void {
    this.clientOrderId[s] = null;
    this.next[s] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  private grow(capacity: number): void {
    const copy = <T extends Float64Array | Int32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const a = make(capacity);
      a.set(old);
      return a;
    };
    this.id = copy(this.id, (n) => new Float64Array(n));
    this.user = copy(this.user, (n) => new Int32Array(n));
    this.market = copy(this.market, (n) => new Int32Array(n));
    this.pos = copy(this.pos, (n) => new Int32Array(n));
    this.action = copy(this.action, (n) => new Uint8Array(n));
    this.yesPrice = copy(this.yesPrice, (n) => new Uint8Array(n));
    this.flags = copy(this.flags, (n) => new Uint8Array(n));
    this.tif = copy(this.tif, (n) => new Uint8Array(n));
    this.qty = copy(this.qty, (n) => new Int32Array(n));
    this.remaining = copy(this.remaining, (n) => new Int32Array(n));
    this.prev = copy(this.prev, (n) => new Int32Array(n));
    this.next = copy(this.next, (n) => new Int32Array(n));
    this.uPrev = copy(this.uPrev, (n) => new Int32Array(n));
    this.uNext = copy(this.uNext, (n) => new Int32Array(n));
    this.expiresAt = copy(this.expiresAt, (n) => new Float64Array(n));
    const heapPos = new Int32Array(capacity).fill(NIL);
    heapPos.set(this.heapPos);
    this.heapPos = heapPos;
    this.queueSeq = copy(this.queueSeq, (n) => new Float64Array(n));
    for (let i = this.capacity; i < capacity; i++) this.clientOrderId.push(null);
    this.capacity = capacity;
  }
}

/**
 * Run the growth branch of `alloc` at module load, on small throw-away stores. V8 optimises
 * a function for the branches it has seen run: the first growth of a real store (a book
 * passing its initial capacity) would otherwise deoptimise the order-placement path that
 * `alloc` is inlined into. The last store stays referenced so the object shape the
 * recorded type feedback names stays alive. Deterministic and pure: no observable effect.
 */
function primeGrowth(): OrderStore {
  let x = new OrderStore(16);
  for (let round = 0; round < 4; round++) {
    x = new OrderStore(16);
    const slots: number[] = [];
    for (let i = 0; i < 70; i++) slots.push(x.alloc());
    for (const s of slots) x.free(s);
  }
  return x;
}
export const PRIMED_STORE: OrderStore = primeGrowth();
