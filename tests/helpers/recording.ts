/**
 * A postgres.js pool that records each statement sent through it, to count the reads a piece of
 * code makes (tagged-template calls, not helpers like `sql([...])`).
 */
import type postgres from "postgres";

/** `sql` with every statement sent through it recorded in `reads` (one "read" each). */
export function recordingReads(sql: postgres.Sql): { pool: postgres.Sql; reads: string[] } {
  const reads: string[] = [];
  const pool = new Proxy(sql, {
    apply(target, thisArg, args: Parameters<typeof sql>) {
      if (Array.isArray(args[0]) && "raw" in (args[0] as object)) reads.push("read");
      return Reflect.apply(target, thisArg, args);
    },
  });
  return { pool, reads };
}
