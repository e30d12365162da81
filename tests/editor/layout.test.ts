import { describe, expect, it } from "vitest";
import { autoLayout, needsLayout, rememberingLayout } from "@/app/(app)/workflows/[id]/editor/layout";
import type { WorkflowDefinition } from "@/lib/engine/model";

const W = 240;
const H = 72;

function graph(ids: string[], edges: [string, string][]): WorkflowDefinition {
  return { blocks: ids.map((id) => ({ id, type: "log", params: {} })), edges: edges.map(([source, target]) => ({ source, target })) };
}

function expectNoOverlap(positions: Map<string, { x: number; y: number }>, width = W, height = H) {
  const all = [...positions.entries()];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const [, a] = all[i];
      const [, b] = all[j];
      const apart = a.x + width <= b.x || b.x + width <= a.x || a.y + height <= b.y || b.y + height <= a.y;
      expect(apart, `${all[i][0]} and ${all[j][0]} overlap`).toBe(true);
    }
  }
}

function expectFinite(positions: Map<string, { x: number; y: number }>) {
  for (const [id, p] of positions) {
    expect(Number.isFinite(p.x), `${id}.x`).toBe(true);
    expect(Number.isFinite(p.y), `${id}.y`).toBe(true);
  }
}

describe("autoLayout", () => {
  it("lays a chain out left to right, x increasing along the edges", () => {
    const positions = autoLayout(graph(["a", "b", "c", "d"], [["a", "b"], ["b", "c"], ["c", "d"]]));
    const xs = ["a", "b", "c", "d"].map((id) => positions.get(id)!.x);
    for (let i = 1; i < xs.length; i++) expect(xs[i]).toBeGreaterThanOrEqual(xs[i - 1] + W);
    expect(new Set(["a", "b", "c", "d"].map((id) => positions.get(id)!.y)).size).toBe(1);
  });

  it("ranks top to bottom with direction TB", () => {
    const positions = autoLayout(graph(["a", "b"], [["a", "b"]]), { direction: "TB" });
    expect(positions.get("b")!.y).toBeGreaterThanOrEqual(positions.get("a")!.y + H);
  });

  it("gives the branches of a condition distinct y in the same rank", () => {
    const positions = autoLayout(graph(["if", "yes", "no", "maybe"], [["if", "yes"], ["if", "no"], ["if", "maybe"]]));
    const branches = ["yes", "no", "maybe"].map((id) => positions.get(id)!);
    expect(new Set(branches.map((p) => p.y)).size).toBe(3);
    expect(new Set(branches.map((p) => p.x)).size).toBe(1);
    expect(branches[0].x).toBeGreaterThan(positions.get("if")!.x);
  });

  it("places no two nodes on top of each other, at the node size it is given", () => {
    const ids = ["t", "a", "b", "c", "d", "e", "lonely1", "lonely2"];
    const definition = graph(ids, [["t", "a"], ["t", "b"], ["a", "c"], ["b", "c"], ["c", "d"], ["c", "e"]]);
    expectNoOverlap(autoLayout(definition));
    expectNoOverlap(autoLayout(definition, { nodeWidth: 400, nodeHeight: 150 }), 400, 150);
  });

  it("ignores edges to unknown blocks and self-loops, and positions exactly the blocks", () => {
    const positions = autoLayout(graph(["a", "b"], [["a", "b"], ["a", "ghost"], ["ghost", "b"], ["b", "b"]]));
    expect([...positions.keys()].sort()).toEqual(["a", "b"]);
    expect(positions.get("b")!.x).toBeGreaterThan(positions.get("a")!.x);
    expectFinite(positions);
  });

  it("tolerates cycles", () => {
    const positions = autoLayout(graph(["a", "b", "c"], [["a", "b"], ["b", "c"], ["c", "a"]]));
    expect(positions.size).toBe(3);
    expectFinite(positions);
    expectNoOverlap(positions);
  });

  it("starts at the origin in whole pixels", () => {
    const positions = autoLayout(graph(["a", "b", "c"], [["a", "b"], ["a", "c"]]));
    const values = [...positions.values()];
    expect(Math.min(...values.map((p) => p.x))).toBe(0);
    expect(Math.min(...values.map((p) => p.y))).toBe(0);
    for (const p of values) expect(Number.isInteger(p.x) && Number.isInteger(p.y)).toBe(true);
  });

  it("returns an empty map for an empty workflow", () => {
    expect(autoLayout(graph([], [])).size).toBe(0);
  });

  it("lays out 200 blocks with finite, non-overlapping positions", () => {
    const ids = Array.from({ length: 200 }, (_, i) => `b${i}`);
    // A tree with some joins: each block after the first hangs off one or two earlier ones.
    const edges: [string, string][] = [];
    for (let i = 1; i < 200; i++) {
      edges.push([`b${Math.floor((i - 1) / 2)}`, `b${i}`]);
      if (i % 7 === 0) edges.push([`b${i - 3}`, `b${i}`]);
    }
    const positions = autoLayout(graph(ids, edges));
    expect(positions.size).toBe(200);
    expectFinite(positions);
    expectNoOverlap(positions);
  });
});

describe("needsLayout", () => {
  const at = (x: number, y: number) => ({ x, y });
  const blocks = (...positions: ({ x: number; y: number } | undefined)[]): Pick<WorkflowDefinition, "blocks"> => ({
    blocks: positions.map((position, i) => ({ id: `b${i}`, type: "log", params: {}, ...(position ? { position } : {}) })),
  });

  it("is true when any block lacks a position", () => {
    expect(needsLayout(blocks(at(0, 0), undefined))).toBe(true);
    expect(needsLayout(blocks(undefined))).toBe(true);
  });

  it("is true when several blocks all sit on one spot", () => {
    expect(needsLayout(blocks(at(10, 10), at(10, 10), at(10, 10)))).toBe(true);
  });

  it("is false when every block has its own position, for one block, and for none", () => {
    expect(needsLayout(blocks(at(0, 0), at(300, 0), at(300, 0)))).toBe(false);
    expect(needsLayout(blocks(at(5, 5)))).toBe(false);
    expect(needsLayout(blocks())).toBe(false);
  });
});

describe("rememberingLayout", () => {
  it("lays the graph out again only when its blocks or edges change, not when a param does", () => {
    const layout = rememberingLayout();
    const first = graph(["a", "b", "c"], [["a", "b"], ["b", "c"]]);
    const firstLaidOut = layout(first);
    const typed = { ...first, blocks: first.blocks.map((b) => (b.id === "b" ? { ...b, params: { message: "typed" } } : b)) };
    expect(layout(typed)).toBe(firstLaidOut);
    const joined = { ...first, edges: [...first.edges, { source: "a", target: "c" }] };
    const again = layout(joined);
    expect(again).not.toBe(firstLaidOut);
    expect([...again.keys()].sort()).toEqual(["a", "b", "c"]);
  });
});
