/**
 * Storage for live orders: one 64-byte record per order in a typed-array buffer.
 *
 * An order is a slot index, so resting orders cost no JS objects (no GC work, 64 bytes
 * each) and every per-fill access is an array read. All of an order's fields share its
 * record (one cache line): a random cancel or fill touches one line of the order, where one
 * array per field touched one line per field. An order's account and market come from its
 * position. Time in force has a byte of its own (256 codes). A client order id (a string)
 * lives in `clientOrderId`, read only for orders flagged with one. Slots are recycled
 * through a free list threaded through `O_NEXT`. Capacity doubles on demand.
 *
 * Doubly linked lists threaded through the slots:
 * - `O_PREV`/`O_NEXT`: the FIFO queue of one price level (time priority), see book.ts;
 * - `O_UPREV`/`O_UNEXT`: the user's resting orders in ascending queueSeq (for cancel-all).
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

/**
 * One 64-byte record per order (a cache line), in one buffer seen three ways: `i32` at
 * `16 * slot + O_*`, `f64` at `8 * slot + F_*`, and the byte fields in `meta` at
 * `64 * slot + M_*`. A random cancel or fill then touches one line of the order instead of
 * one line per field.
 */
/** Float64 fields: the order id; time priority (smaller rests earlier); GTD expiry (epoch ms, 0 = none). */
export const F_ID = 0;
export const F_QUEUE_SEQ = 1;
export const F_EXPIRES_AT = 2;
/** Int32 fields (words 0-5 hold the float64 fields). */
/** Position index: the position names the order's account and market. */
export const O_POS = 6;
/** Total quantity (filled + remaining). */
export const O_QTY = 7;
export const O_REMAINING = 8;
/** FIFO queue of one price level (book.ts); `O_NEXT` also threads the free list. */
export const O_PREV = 9;
export const O_NEXT = 10;
/** The user's resting orders in ascending queueSeq (for cancel-all). */
export const O_UPREV = 11;
export const O_UNEXT = 12;
/** Index of the order's entry in the engine's ExpiryHeap, NIL when it has none (expiry-heap.ts). */
export const O_HEAP_POS = 13;
/**
 * Byte fields (bytes 56-59 of the record): the action (BUY_YES...), the limit price on the
 * YES book 1..99, 0 for market orders, FLAG_* | stp << STP_SHIFT, the time-in-force code.
 */
export const M_ACTION = 56;
export const M_YES_PRICE = 57;
export const M_FLAGS = 58;
export const M_TIF = 59;

/**
 * The integer in a float64 field (order id, queue number, level total) as a number V8 can
 * keep unboxed: an element read from a Float64Array is a heap number, and an event field
 * once given one holds a new heap number in every later event (an allocation per field).
 * `Math.floor` of an integer is the integer itself, as a small integer where it fits.
 */
export const intOf = (x: number): number => Math.floor(x);

export class OrderStore {
  capacity = 0;
  /** Head of the free list (NIL = none). */
  private freeHead = NIL;
  /** Slots ever handed out; slots >= this are untouched. */
  private highWater = 0;
  live = 0;

  /** The order records (see the offsets above); replaced when the store grows. */
  i32 = new Int32Array(0);
  f64 = new Float64Array(0);
  meta = new Uint8Array(0);
  /** Client order id; valid only when the slot's flags have FLAG_CLIENT_ORDER_ID (else stale). */
  clientOrderId: (string | null)[] = [];

  constructor(initialCapacity = 1024) {
    this.grow(Math.max(16, initialCapacity));
  }

  /** Take a free slot (its fields are stale: the caller sets every one). */
  alloc(): number {
    let s = this.freeHead;
    if (s !== NIL) {
      this.freeHead = this.i32[16 * s + O_NEXT]!;
    } else {
      if (this.highWater === this.capacity) this.grow(this.capacity * 2);
      s = this.highWater++;
    }
    this.live++;
    return s;
  }

  /** Return slot `s` to the free list (a slot with a client order id has it cleared by its caller). */
  free(s: number): void {
    this.i32[16 * s + O_NEXT] = this.freeHead;
    this.freeHead = s;
    this.live--;
  }

  private grow(capacity: number): void {
    const buf = new ArrayBuffer(64 * capacity);
    const i32 = new Int32Array(buf);
    i32.set(this.i32);
    for (let s = this.capacity; s < capacity; s++) i32[16 * s + O_HEAP_POS] = NIL;
    this.i32 = i32;
    this.f64 = new Float64Array(buf);
    this.meta = new Uint8Array(buf);
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
