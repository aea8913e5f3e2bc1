/**
 * The one cursor pagination of every list the API serves newest first (trades, orders,
 * ledger, notifications, audit log): `limit` rows with id < `before`, and the cursor of the
 * next page (`nextBefore`: the last row's id when the page is full, else null). Ids are
 * bigint in PostgreSQL and numbers on the wire.
 */

/** A page request as the shared PageQuery schema parses it. */
export interface PageRequest {
  limit: number;
  before?: number | undefined;
}

/** The Prisma arguments of a page: filter (id < before), newest first, `limit` rows. */
export function pageArgs(page: PageRequest): { idBefore: { id?: { lt: bigint } }; orderBy: { id: 'desc' }; take: number } {
  return { idBefore: page.before === undefined ? {} : { id: { lt: BigInt(page.before) } }, orderBy: { id: 'desc' }, take: page.limit };
}

/** Rows of a page mapped to DTOs, with the cursor of the next page. */
export function toPage<R extends { id: bigint }, D>(rows: R[], page: PageRequest, map: (row: R) => D): { items: D[]; nextBefore: number | null } {
  return { items: rows.map(map), nextBefore: rows.length === page.limit && rows.length > 0 ? Number(rows[rows.length - 1]!.id) : null };
}
