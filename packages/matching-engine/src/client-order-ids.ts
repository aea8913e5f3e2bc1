/**
 * Retention of client order ids (issue 12, hole 11).
 *
 * A user's clientOrderId maps to its order (`Account.clientOrderIds`) while the order is
 * open and for `EngineConfig.clientOrderIdRetentionMs` (default 24 h) of engine time after
 * it became final (filled, cancelled, expired, or ended at once as IOC/FOK/market). Within
 * that window a PLACE repeating the id is a duplicate (the first order's id is returned and
 * nothing is created); once the window has passed the id is forgotten (dropped from memory
 * and from snapshots) and may name a new order. Memory is therefore bounded by the open
 * orders with an id plus the ids finalised within one window.
 *
 * Final ids wait in a FIFO ordered by the time they became final: the engine clock never
 * goes backwards, so appending keeps it sorted and pruning pops from the front. Pruning
 * runs at the start of a command, when the clock reaches `dueMs` (engine clock only, so
 * deterministic).
 */
import type { Account } from './state.ts';

export class ClientOrderIds {
  private finalAt: number[] = [];
  private accountIdx: number[] = [];
  private ids: string[] = [];
  private orderIds: number[] = [];
  private head = 0;
  /** Engine time at which the oldest final id expires; +Infinity when there is none. */
  dueMs = Number.POSITIVE_INFINITY;

  /** @param retentionMs how long a final order's id is kept, in engine milliseconds (>= 0). */
  constructor(readonly retentionMs: number) {}

  /** Final ids currently kept. */
  get finalCount(): number {
    return this.finalAt.length - this.head;
  }

  /** Order `orderId` of `acc`, placed with client id `id`, became final at `nowMs` (never before the previous call's). */
  finalised(acc: Account, id: string, orderId: number, nowMs: number): void {
    if (this.head === this.finalAt.length) this.dueMs = nowMs + this.retentionMs;
    this.finalAt.push(nowMs);
    this.accountIdx.push(acc.idx);
    this.ids.push(id);
    this.orderIds.push(orderId);
  }

  /** Forget every final id whose window has passed at `nowMs` (finalAt + retentionMs <= nowMs). */
  prune(accounts: readonly Account[], nowMs: number): void {
    const end = this.finalAt.length;
    let h = this.head;
    while (h < end && this.finalAt[h]! + this.retentionMs <= nowMs) {
      const map = accounts[this.accountIdx[h]!]!.clientOrderIds;
      const id = this.ids[h]!;
      if (map !== null && map.get(id) === this.orderIds[h]) map.delete(id);
      h++;
    }
    this.head = h;
    this.dueMs = h < end ? this.finalAt[h]! + this.retentionMs : Number.POSITIVE_INFINITY;
    // Compact once the consumed front is the larger part (amortised O(1) per id).
    if (h > 1024 && 2 * h > end) {
      this.finalAt = this.finalAt.slice(h);
      this.accountIdx = this.accountIdx.slice(h);
      this.ids = this.ids.slice(h);
      this.orderIds = this.orderIds.slice(h);
      this.head = 0;
    }
  }

  /** Visit the final ids kept, oldest first. */
  forEachFinal(visit: (accountIdx: number, id: string, orderId: number, finalAtMs: number) => void): void {
    for (let h = this.head; h < this.finalAt.length; h++) visit(this.accountIdx[h]!, this.ids[h]!, this.orderIds[h]!, this.finalAt[h]!);
  }
}
