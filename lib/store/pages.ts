/**
 * Keyset pagination, shared by every list the API serves. A list is read in a total order (its
 * last key is unique, so rows that tie on a timestamp still have one place), `limit + 1` rows at a
 * time: the extra row only says that a next page exists, and the next cursor is the position of
 * the page's last row. Continuing "after" that position neither skips nor repeats a row, however
 * many rows share a timestamp or are inserted meanwhile.
 */
import { and, asc, desc, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { PgColumn, PgSelect } from "drizzle-orm/pg-core";
import { encodeCursor, type CreatedAtCursor } from "./cursor";

/** One page of a list: its items and the cursor of the next page (null on the last one). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** What a caller asks for: the page size and the decoded position to continue after (none: the first page). */
export interface PageRequest<Cursor> {
  limit: number;
  after?: Cursor | null;
}

/** A list's total order: how to sort it, where a position falls in it, and the position of a row. */
export interface Keyset<Row, Cursor> {
  orderBy: SQL[];
  /** The rows that come after `cursor` in this order. */
  after(cursor: Cursor): SQL | undefined;
  /** The position a cursor encodes (the keys and their order are the cursor's bytes). */
  cursorOf(row: Row): Record<string, string | number>;
}

/** Newest first: `created_at desc, id desc`, positions `{ t, id }` (t: ISO 8601 UTC, to the millisecond). */
export function newestFirst(columns: { createdAt: PgColumn; id: PgColumn }): Keyset<{ createdAt: Date; id: string }, CreatedAtCursor> {
  return {
    orderBy: [desc(columns.createdAt), desc(columns.id)],
    after: (cursor) =>
      or(
        lt(columns.createdAt, new Date(cursor.t)),
        and(eq(columns.createdAt, new Date(cursor.t)), lt(columns.id, cursor.id)),
      ),
    cursorOf: createdAtCursorOf,
  };
}

/** The newest-first position of a row; for lists that are not drizzle queries. */
export function createdAtCursorOf(row: { createdAt: Date; id: string }): CreatedAtCursor {
  return { t: row.createdAt.toISOString(), id: row.id };
}

/** By one unique column, in `direction`; positions `{ [key]: value }`. */
export function byUniqueColumn<Row, Key extends string, Value extends string | number>(
  column: PgColumn,
  direction: "asc" | "desc",
  key: Key,
  valueOf: (row: Row) => Value,
): Keyset<Row, Record<Key, Value>> {
  return {
    orderBy: [direction === "asc" ? asc(column) : desc(column)],
    after: (cursor) => (direction === "asc" ? gt(column, cursor[key]) : lt(column, cursor[key])),
    cursorOf: (row) => ({ [key]: valueOf(row) }) as Record<Key, Value>,
  };
}

/** Cuts rows read with `limit + 1` to one page of items. */
export function pageOf<Row, T>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (row: Row) => Record<string, string | number>,
  toItem: (row: Row) => T,
): Page<T> {
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { data: rows.slice(0, limit).map(toItem), nextCursor: last === undefined ? null : encodeCursor(cursorOf(last)) };
}

/**
 * Reads one page of `query` (a select with `.$dynamic()` and no where, order or limit yet): the
 * rows matching `where`, in `order`, after `page.after`.
 */
export async function keysetPage<Query extends PgSelect, Cursor, T>(
  query: Query,
  options: {
    where: SQL | undefined;
    order: Keyset<Query["_"]["result"][number], Cursor>;
    page: PageRequest<Cursor>;
    toItem: (row: Query["_"]["result"][number]) => T;
  },
): Promise<Page<T>> {
  const { where, order, page, toItem } = options;
  const rows: Query["_"]["result"] = await query
    .where(and(where, page.after ? order.after(page.after) : undefined))
    .orderBy(...order.orderBy)
    .limit(page.limit + 1);
  return pageOf(rows, page.limit, order.cursorOf, toItem);
}
