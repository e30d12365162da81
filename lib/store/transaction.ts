/**
 * A transaction on a connection reserved before BEGIN. postgres.js `sql.begin()` can, when the
 * pool is saturated, run unrelated queued statements on the connection it is about to use
 * (porsager/postgres#823; openworkflow works around it the same way), so the runtime's
 * transactions reserve first.
 */
import type postgres from "postgres";

/** Runs `fn` inside BEGIN … COMMIT on a reserved connection; rolls back and rethrows on error. */
export async function inTransaction<T>(sql: postgres.Sql, fn: (tx: postgres.Sql) => Promise<T>): Promise<T> {
  const reserved = await sql.reserve();
  let broken = false;
  try {
    await reserved`BEGIN`;
    try {
      const result = await fn(reserved);
      await reserved`COMMIT`;
      return result;
    } catch (error) {
      await reserved`ROLLBACK`.catch(() => {
        broken = true; // the connection is gone; postgres.js has already dropped it
      });
      throw error;
    }
  } finally {
    if (!broken) reserved.release();
  }
}
