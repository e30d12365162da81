import { describe, expect, it } from "vitest";
import { applyLocalOps, touchedBlocks } from "@/app/(app)/workflows/[id]/editor/local-ops";
import type { WorkflowDefinition } from "@/lib/engine/model";

const BASE: WorkflowDefinition = {
  blocks: [
    { id: "a", type: "trigger_manual", params: {} },
    { id: "b", type: "condition", params: { left: 1, op: "eq", right: 1 } },
    { id: "c", type: "log", params: { message: "x" }, retry: { maxAttempts: 3 } },
  ],
  edges: [
    { source: "a", target: "b" },
    { source: "b", target: "c", sourceHandle: "true" },
    { source: "b", target: "c", sourceHandle: "false" },
  ],
};

describe("applyLocalOps (the editor's optimistic patch)", () => {
  it("merges params with null removing, and clears name, enabled and retry with null", () => {
    const next = applyLocalOps(BASE, [
      { operation_type: "update", block_id: "b", params: { right: 2, op: null }, name: "Check" },
      { operation_type: "update", block_id: "c", enabled: false, retry: null },
      { operation_type: "update", block_id: "b", name: null },
    ]);
    expect(next.blocks[1]).toEqual({ id: "b", type: "condition", params: { left: 1, right: 2 } });
    expect(next.blocks[2]).toEqual({ id: "c", type: "log", params: { message: "x" }, enabled: false });
    expect(BASE.blocks[1].params).toEqual({ left: 1, op: "eq", right: 1 });
  });

  it("removes a block with its edges, and passes over ops that cannot apply", () => {
    const next = applyLocalOps(BASE, [
      { operation_type: "remove", block_id: "c" },
      { operation_type: "update", block_id: "c", params: { message: "y" } },
      { operation_type: "add", block_id: "a", type: "log" },
      { operation_type: "connect", block_id: "a", target_block_id: "missing" },
    ]);
    expect(next.blocks.map((b) => b.id)).toEqual(["a", "b"]);
    expect(next.edges).toEqual([{ source: "a", target: "b" }]);
  });

  it("disconnects one handle, or every edge between two blocks without one", () => {
    const one = applyLocalOps(BASE, [{ operation_type: "disconnect", block_id: "b", target_block_id: "c", source_handle: "true" }]);
    expect(one.edges).toEqual([BASE.edges[0], BASE.edges[2]]);
    const all = applyLocalOps(BASE, [{ operation_type: "disconnect", block_id: "b", target_block_id: "c" }]);
    expect(all.edges).toEqual([BASE.edges[0]]);
  });

  it("connects once, and merges variables with null removing", () => {
    const next = applyLocalOps({ ...BASE, variables: { region: "eu", tier: 1 } }, [
      { operation_type: "connect", block_id: "a", target_block_id: "c" },
      { operation_type: "connect", block_id: "a", target_block_id: "c" },
      { operation_type: "set_variables", variables: { tier: null, team: "core" } },
    ]);
    expect(next.edges.filter((e) => e.source === "a" && e.target === "c")).toHaveLength(1);
    expect(next.variables).toEqual({ region: "eu", team: "core" });
  });

  it("names the blocks ops touch, edge targets included", () => {
    expect([...touchedBlocks([{ operation_type: "connect", block_id: "a", target_block_id: "c" }, { operation_type: "set_variables", variables: {} }])]).toEqual(["a", "c"]);
  });
});
