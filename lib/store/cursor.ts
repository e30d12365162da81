/**
 * Opaque list cursors (docs/architecture.md, "Errors and lists"): base64url of a JSON position. A
 * cursor that does not decode to the expected shape is `null`, which routes answer with 400
 * `invalid_cursor`.
 */
import { z } from "zod";

/** Encodes a list position as an opaque string. */
export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position), "utf8").toString("base64url");
}

/** Decodes a cursor against `schema`; null when it is not one of ours. */
export function decodeCursor<T>(cursor: string, schema: z.ZodType<T>): T | null {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Bounds of a cursor's timestamp. The position is a row's `created_at`, so anything outside these
 *  years is forged; the bounds also keep the value inside what Postgres' timestamptz and JS dates
 *  both accept (Postgres has no year 0 and rejects far-future years with a 500-worthy error). */
const MIN_CURSOR_TIME = Date.UTC(1970, 0, 1);
const MAX_CURSOR_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** A cursor timestamp: ISO 8601 that is a real instant within the bounds above. */
export const CursorTimeSchema = z.iso.datetime({ offset: true }).refine((t) => {
  const ms = Date.parse(t);
  return Number.isFinite(ms) && ms >= MIN_CURSOR_TIME && ms <= MAX_CURSOR_TIME;
});

/** A stored id inside a cursor: every id we mint (ours, better-auth's) fits this charset and
 *  length; anything else (NUL, surrogates, megabytes) must not reach a SQL comparison. */
export const CursorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/);

/** A (createdAt, id) position for newest-first lists. */
export const CreatedAtCursorSchema = z.object({ t: CursorTimeSchema, id: CursorIdSchema }).strict();
export type CreatedAtCursor = z.infer<typeof CreatedAtCursorSchema>;
