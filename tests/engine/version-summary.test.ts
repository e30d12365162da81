/**
 * The one-line summary of a history entry (lib/engine/version-summary.ts): each change by name
 * while that fits in 160 characters, counts per kind of change when it does not.
 */
import { describe, expect, it } from "vitest";
import type { EditOp } from "@/lib/engine/ops";
import { MAX_VERSION_SUMMARY, summarizeVersionOps } from "@/lib/engine/version-summary";

describe("summarizeVersionOps", () => {
  it("names each change in the order it was made", () => {
    const ops: EditOp[] = [
      { operation_type: "add", block_id: "greet", type: "greet", params: {} },
      { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
      { operation_type: "update", block_id: "greet", params: { name: "Ada" } },
      { operation_type: "update", block_id: "a", position: { x: 1, y: 2 } },
      { operation_type: "update", block_id: "b", position: { x: 3, y: 4 } },
    ];
    expect(summarizeVersionOps(ops)).toBe("added greet (greet), connected trg → greet, set params of greet: name, moved 2 blocks");
  });

  it("names every kind of op", () => {
    const ops: EditOp[] = [
      { operation_type: "remove", block_id: "old" },
      { operation_type: "connect", block_id: "check", target_block_id: "notify", source_handle: "true" },
      { operation_type: "disconnect", block_id: "a", target_block_id: "b" },
      { operation_type: "update", block_id: "a", name: "First" },
      { operation_type: "update", block_id: "b", enabled: false },
      { operation_type: "update", block_id: "c", enabled: null },
      { operation_type: "update", block_id: "d", retry: { maxAttempts: 3 } },
      { operation_type: "set_variables", variables: { region: "eu", tier: null } },
    ];
    expect(summarizeVersionOps(ops)).toBe(
      "removed old, connected check (true) → notify, disconnected a → b, renamed a, disabled b, enabled c, changed retry of d, set variables: region, tier",
    );
  });

  it("one moved block is named; repeated changes of one block share a phrase", () => {
    expect(summarizeVersionOps([{ operation_type: "update", block_id: "greet", position: { x: 1, y: 1 } }])).toBe("moved greet");
    const ops: EditOp[] = [
      { operation_type: "update", block_id: "g", params: { a: 1 }, position: { x: 1, y: 1 } },
      { operation_type: "update", block_id: "g", params: { b: 1, a: 2 }, position: { x: 2, y: 2 } },
      { operation_type: "update", block_id: "g", params: { c: 1, d: 1 } },
    ];
    expect(summarizeVersionOps(ops)).toBe("set params of g: a, b, c +1, moved g");
  });

  it("counts changes by kind when naming them would be longer than 160 characters", () => {
    const ops: EditOp[] = [];
    for (let i = 0; i < 30; i++) ops.push({ operation_type: "add", block_id: `block_${i}`, type: "log", params: { message: "x" } });
    for (let i = 1; i < 30; i++) ops.push({ operation_type: "connect", block_id: `block_${i - 1}`, target_block_id: `block_${i}` });
    ops.push({ operation_type: "update", block_id: "block_0", position: { x: 0, y: 0 } });
    expect(summarizeVersionOps(ops)).toBe("added 30 blocks, connected 29 edges, moved 1 block");
  });

  it("never exceeds 160 characters, even with long ids and every kind of change", () => {
    const long = `b${"x".repeat(63)}`;
    const ops: EditOp[] = [
      { operation_type: "add", block_id: long, type: "http_request", params: {} },
      { operation_type: "remove", block_id: `${long}2` },
      { operation_type: "connect", block_id: long, target_block_id: `${long}3`, source_handle: "h".repeat(200) },
      { operation_type: "disconnect", block_id: long, target_block_id: `${long}4` },
      { operation_type: "update", block_id: long, name: "n", params: { ["p".repeat(300)]: 1 }, enabled: false, retry: null, position: { x: 0, y: 0 } },
      { operation_type: "update", block_id: `${long}5`, enabled: true },
      { operation_type: "set_variables", variables: { ["v".repeat(300)]: 1 } },
    ];
    const summary = summarizeVersionOps(ops);
    expect(summary.length).toBeLessThanOrEqual(MAX_VERSION_SUMMARY);
    expect(summary.endsWith(", …")).toBe(true);
    expect(summary.startsWith("added 1 block, removed 1 block, connected 1 edge")).toBe(true);
  });

  it("says so when there are no changes (a workflow created empty)", () => {
    expect(summarizeVersionOps([])).toBe("no changes");
  });
});
