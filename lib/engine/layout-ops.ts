/**
 * Layout-only edits (docs/patch-endpoint.md, "History"): saves whose ops only move blocks. The
 * editor saves every drag, so history folds a person's moves within a few seconds into one entry;
 * these functions say which saves qualify and merge their ops.
 */
import type { Position } from "./model";
import type { EditOp } from "./ops";

/** An `update` that sets a block's position and nothing else. */
export interface MoveOp {
  operation_type: "update";
  block_id: string;
  position: Position;
}

const MOVE_KEYS = new Set(["operation_type", "block_id", "position"]);

/** True when `op` is an `update` that sets only `position` (to a point, not null). */
export function isMoveOp(op: EditOp): op is EditOp & MoveOp {
  if (op.operation_type !== "update" || op.position === undefined || op.position === null) return false;
  return Object.keys(op).every((key) => MOVE_KEYS.has(key));
}

/** True when `ops` is not empty and every op only moves a block. */
export function isLayoutOnly(ops: readonly EditOp[]): ops is readonly MoveOp[] {
  return ops.length > 0 && ops.every(isMoveOp);
}

/**
 * The moves of `earlier` then `later` as one op per block: each block's latest position, in the
 * order blocks were first moved.
 */
export function mergeMoveOps(earlier: readonly MoveOp[], later: readonly MoveOp[]): MoveOp[] {
  const latest = new Map<string, Position>();
  for (const op of [...earlier, ...later]) latest.set(op.block_id, op.position);
  return [...latest].map(([block_id, position]) => ({ operation_type: "update", block_id, position }));
}
