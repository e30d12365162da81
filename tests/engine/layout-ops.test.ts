/**
 * Which saves are layout-only (lib/engine/layout-ops.ts), and how two of them merge when history
 * folds them into one entry.
 */
import { describe, expect, it } from "vitest";
import { connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { isLayoutOnly, isMoveOp, mergeMoveOps, type MoveOp } from "@/lib/engine/layout-ops";
import type { EditOp } from "@/lib/engine/ops";

const move = (block_id: string, x: number, y = 0): MoveOp => ({ operation_type: "update", block_id, position: { x, y } });

describe("isLayoutOnly", () => {
  it("is true for updates that set only a position", () => {
    expect(isLayoutOnly([move("a", 1), move("b", 2)])).toBe(true);
  });

  it("is false when any op does more than move a block, or moves none", () => {
    const cases: EditOp[][] = [
      [],
      [move("a", 1), { operation_type: "update", block_id: "b", position: { x: 1, y: 1 }, name: "B" }],
      [{ operation_type: "update", block_id: "a", position: { x: 1, y: 1 }, params: {} }],
      [{ operation_type: "update", block_id: "a", position: null }],
      [{ operation_type: "update", block_id: "a", name: "A" }],
      [{ operation_type: "update", block_id: "a", enabled: false }],
      [move("a", 1), { operation_type: "connect", block_id: "a", target_block_id: "b" }],
      [{ operation_type: "add", block_id: "a", type: "log", position: { x: 1, y: 1 } }],
      [{ operation_type: "edit", block_id: "a", position: { x: 1, y: 1 } }],
    ];
    for (const ops of cases) expect(isLayoutOnly(ops), JSON.stringify(ops)).toBe(false);
  });

  it("recognises the ops the engine stores for a drag (canonical update, block id and position only)", () => {
    const definition = { blocks: [{ id: "a", type: "log", params: { message: "hi" } }], edges: [] };
    const result = applyEditOps(definition, [{ operation_type: "edit", block_id: "a", position: { x: 5, y: 6 } }], connectorRegistry, { actor: "user" });
    expect(result.applied).toEqual([move("a", 5, 6)]);
    expect(result.applied.every(isMoveOp)).toBe(true);
  });
});

describe("mergeMoveOps", () => {
  it("keeps one op per block with its latest position, in the order blocks were first moved", () => {
    const merged = mergeMoveOps([move("a", 1), move("b", 1), move("a", 2)], [move("c", 1), move("b", 9), move("a", 3)]);
    expect(merged).toEqual([move("a", 3), move("b", 9), move("c", 1)]);
  });

  it("does not change its inputs", () => {
    const earlier = [move("a", 1)];
    const later = [move("a", 2)];
    mergeMoveOps(earlier, later);
    expect(earlier).toEqual([move("a", 1)]);
    expect(later).toEqual([move("a", 2)]);
  });
});
