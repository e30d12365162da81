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

/** A (createdAt, id) position for newest-first lists. */
export const CreatedAtCursorSchema = z.object({ t: z.iso.datetime({ offset: true }), id: z.string().min(1).max(200) }).strict();
export type CreatedAtCursor = z.infer<typeof CreatedAtCursorSchema>;
