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
 * The small fields share one byte array (`meta`: action, YES price, flags, time in force;
 * time in force has a byte of its own, 256 codes), and an order's account and market come
 * from its position, so a random cancel or fill touches fewer cache lines. A client order
 * id is read only for orders flagged with one.
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
/** The order has a client order id (`OrderStore.clientOrderId[s]` is only read when set). */
export const FLAG_CLIENT_ORDER_ID = 4;
/** STP mode codes (flags bits 4-5). */
export const STP_CANCEL_TAKER = 0;
export const STP_CANCEL_MAKER = 1;
export const STP_CANCEL_BOTH = 2;
export const STP_SHIFT = 4;

export const NIL = -1;

/** Byte offsets in `OrderStore.meta` (4 bytes per order). */
export const M_ACTION = 0;
export const M_YES_PRICE = 1;
export const M_FLAGS = 2;
export const M_TIF = 3;

export class OrderStore {
  capacity = 0;
  /** Head of the free list (NIL = none). */
  private freeHead = NIL;
  /** Slots ever handed out; slots >= this are untouched. */
  private highWater = 0;
  live = 0;

  id = new Float64Array(0);
  /** Position index: the position names the order's account and market (no arrays of their own). */
  pos = new Int32Array(0);
  /**
   * Four bytes per order, at `4 * slot + M_*`: the action (M_ACTION), the limit price on
   * the YES book 1..99, 0 for market orders (M_YES_PRICE), FLAG_* | stp << STP_SHIFT
   * (M_FLAGS) and the time-in-force code TIF_* (M_TIF). One array, so one cache line
   * holds all four of an order (a random cancel or fill touches one line, not four).
   */
  meta = new Uint8Array(0);
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
  /** Client order id; valid only when the slot's flags have FLAG_CLIENT_ORDER_ID (else stale). */
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

  /** Return slot `s` to the free list (a slot with a client order id has it cleared by its caller). */
  free(s: number): void {
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
    this.pos = copy(this.pos, (n) => new Int32Array(n));
    const meta = new Uint8Array(4 * capacity);
    meta.set(this.meta);
    this.meta = meta;
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
