/**
 * Ids of stored resources: a type prefix and 20 random lowercase characters (`run_…`, `evt_…`,
 * `wf_…`, `sch_…`).
 */
import { randomBytes } from "node:crypto";

/** Random bytes drawn from a 4 KB pool: one getrandom call per 270 ids instead of one per id. */
let pool = Buffer.alloc(0);
let offset = 0;

function poolBytes(n: number): Buffer {
  if (offset + n > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  offset += n;
  return pool.subarray(offset - n, offset);
}

/** `<prefix>_` and 20 random lowercase characters (15 random bytes in base64url, `-` and `_` as `x`). */
export function newId(prefix: string): string {
  return `${prefix}_${poolBytes(15).toString("base64url").replace(/[-_]/g, "x").toLowerCase().slice(0, 20)}`;
}
