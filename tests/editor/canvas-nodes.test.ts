import { describe, expect, it } from "vitest";
import type { BlockNode } from "@/app/(app)/workflows/[id]/editor/block-node";
import { blockNodes } from "@/app/(app)/workflows/[id]/editor/editor-canvas";
import type { CatalogEntry } from "@/app/(app)/workflows/[id]/editor/types";
import { builtinConnectors } from "@/lib/connectors";
import { catalogEntryFull } from "@/lib/engine/catalog";
import type { WorkflowDefinition } from "@/lib/engine/model";

const catalog = new Map(builtinConnectors.map((c) => [c.type, catalogEntryFull(c) as CatalogEntry]));

function definition(blocks = 50, message = "hello"): WorkflowDefinition {
  return {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {}, position: { x: 0, y: 0 } },
      ...Array.from({ length: blocks - 1 }, (_, i) => ({ id: `log_${i}`, type: "log", params: { message: i === 7 ? message : `step ${i}` }, position: { x: (i + 1) * 320, y: 0 } })),
    ],
    edges: Array.from({ length: blocks - 1 }, (_, i) => ({ source: i === 0 ? "trg" : `log_${i - 1}`, target: `log_${i}` })),
  };
}

const inputs = (def: WorkflowDefinition) => ({ definition: def, catalog, issues: new Map(), readOnly: false });

/** What React Flow hands back through onNodesChange once it has measured every node. */
const measured = (nodes: BlockNode[]) => nodes.map((n) => ({ ...n, measured: { width: 240, height: 64 } }));

describe("the canvas's nodes (blockNodes)", () => {
  it("a keystroke in one block's param gives that block a new node that keeps its measured size; every other node is the one React Flow holds", () => {
    const held = measured(blockNodes(inputs(definition()), []));
    const next = blockNodes(inputs(definition(50, "hello!")), held);
    expect(next).not.toBe(held);
    const changed = next.filter((node, i) => node !== held[i]);
    expect(changed.map((n) => n.id)).toEqual(["log_7"]);
    // Without its measured size React Flow would draw the node even off screen and measure it again.
    expect(changed[0].measured).toEqual({ width: 240, height: 64 });
    expect(changed[0].data.summary).toContain("hello!");
  });

  it("a block React Flow has selected stays selected when its block changes", () => {
    const held = measured(blockNodes(inputs(definition()), [])).map((n) => (n.id === "log_7" ? { ...n, selected: true } : n));
    const next = blockNodes(inputs(definition(50, "hello!")), held);
    const changed = next.find((n) => n.id === "log_7")!;
    expect(changed).not.toBe(held[8]);
    expect([changed.selected, changed.measured]).toEqual([true, { width: 240, height: 64 }]);
  });

  it("gives back the very array React Flow holds when nothing changed, so the canvas does not render again", () => {
    const held = measured(blockNodes(inputs(definition()), []));
    expect(blockNodes(inputs(definition()), held)).toBe(held);
  });
});
