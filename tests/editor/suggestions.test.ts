import { describe, expect, it } from "vitest";
import { templateSuggestions, runPaths, sampleOf } from "@/app/(app)/workflows/[id]/editor/suggestions";
import { builtinConnectors } from "@/lib/connectors";
import { catalogEntryFull } from "@/lib/engine/catalog";
import type { WorkflowDefinition } from "@/lib/engine/model";

const catalog = builtinConnectors.map(catalogEntryFull);

/** hook (webhook) → fetch (http) → note (log); side (greet) hangs off the trigger on its own. */
const definition: WorkflowDefinition = {
  blocks: [
    { id: "hook", type: "trigger_webhook", params: {} },
    { id: "fetch", type: "http_request", params: { method: "GET", url: "https://example.com" } },
    { id: "note", type: "log", params: { message: "" } },
    { id: "side", type: "greet", params: { name: "x" } },
  ],
  edges: [
    { source: "hook", target: "fetch" },
    { source: "fetch", target: "note" },
    { source: "hook", target: "side" },
  ],
  variables: { region: "eu", limits: { max: 3 } },
};

const inserts = (list: { insert: string }[]) => list.map((s) => s.insert);

describe("templateSuggestions", () => {
  it("offers upstream blocks' declared outputs with their types, and nothing from the block itself or from side branches", () => {
    const list = templateSuggestions({ definition, blockId: "note", catalog, secretNames: [] });
    expect(list).toContainEqual({ group: "block", insert: "fetch.status", detail: "number" });
    expect(list).toContainEqual({ group: "block", insert: "hook.method", detail: "string" });
    expect(inserts(list)).not.toContain("note.message");
    expect(inserts(list).some((i) => i.startsWith("side."))).toBe(false);
  });

  it("offers the trigger's outputs as trigger.… even to a block that is not connected to it", () => {
    const loose: WorkflowDefinition = { ...definition, blocks: [...definition.blocks, { id: "alone", type: "log", params: {} }] };
    const list = templateSuggestions({ definition: loose, blockId: "alone", catalog, secretNames: [] });
    expect(list).toContainEqual({ group: "trigger", insert: "trigger.body", detail: "any" });
    expect(inserts(list)).toContain("trigger");
    expect(inserts(list).some((i) => i.startsWith("hook.") || i.startsWith("fetch."))).toBe(false);
  });

  it("offers the real nested paths of the last run, arrays through .0, with a short sample", () => {
    const list = templateSuggestions({
      definition,
      blockId: "note",
      catalog,
      secretNames: [],
      lastRunOutputs: { fetch: { status: 200, headers: {}, body: { items: [{ name: "A very long product name that goes on and on" }], total: 1 } } },
    });
    expect(list).toContainEqual({ group: "block", insert: "fetch.body.items.0", detail: "object (1 key)" });
    expect(list).toContainEqual({ group: "block", insert: "fetch.body.total", detail: "1" });
    // Depth 3 below the block: fetch.body.items.0.name is a fourth segment.
    expect(inserts(list)).not.toContain("fetch.body.items.0.name");
    // A declared output seen in the run keeps its type and gains the sample, once.
    expect(list.filter((s) => s.insert === "fetch.status")).toEqual([{ group: "block", insert: "fetch.status", detail: "number · 200" }]);
  });

  it("offers an open-output trigger's real input paths from the last run", () => {
    const manual: WorkflowDefinition = {
      blocks: [
        { id: "start", type: "trigger_manual", params: {} },
        { id: "say", type: "log", params: {} },
      ],
      edges: [{ source: "start", target: "say" }],
    };
    const list = templateSuggestions({ definition: manual, blockId: "say", catalog, secretNames: [], lastRunOutputs: { start: { customer: { email: "a@b.c" } } } });
    expect(list).toContainEqual({ group: "trigger", insert: "trigger.customer.email", detail: '"a@b.c"' });
    expect(inserts(list).some((i) => i.startsWith("start."))).toBe(false);
  });

  it("offers variables and well-formed secret names, and never the same path twice", () => {
    const list = templateSuggestions({ definition, blockId: "note", catalog, secretNames: ["API_TOKEN", "lowercase", "API_TOKEN"] });
    expect(list).toContainEqual({ group: "variable", insert: "vars.region", detail: '"eu"' });
    expect(list).toContainEqual({ group: "variable", insert: "vars.limits", detail: "object (1 key)" });
    expect(list.filter((s) => s.group === "secret")).toEqual([{ group: "secret", insert: "secrets.API_TOKEN", detail: "secret" }]);
    expect(new Set(inserts(list)).size).toBe(list.length);
  });

  it("offers error outputs only to blocks on an error branch", () => {
    const withError: WorkflowDefinition = { ...definition, edges: [...definition.edges, { source: "fetch", target: "side", sourceHandle: "error" }] };
    expect(inserts(templateSuggestions({ definition: withError, blockId: "side", catalog, secretNames: [] }))).toContain("fetch.error");
    expect(inserts(templateSuggestions({ definition: withError, blockId: "note", catalog, secretNames: [] }))).not.toContain("fetch.error");
  });

  it("skips blocks whose id a template cannot name (reserved roots)", () => {
    const reserved: WorkflowDefinition = {
      blocks: [
        { id: "hook", type: "trigger_webhook", params: {} },
        { id: "vars", type: "greet", params: {} },
        { id: "end", type: "log", params: {} },
      ],
      edges: [
        { source: "hook", target: "vars" },
        { source: "vars", target: "end" },
      ],
    };
    expect(inserts(templateSuggestions({ definition: reserved, blockId: "end", catalog, secretNames: [] }))).not.toContain("vars.message");
  });
});

describe("runPaths", () => {
  it("stops at 50 paths and leaves out keys a template cannot name", () => {
    const wide = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`k${i}`, i]));
    expect(runPaths(wide)).toHaveLength(50);
    expect(runPaths({ "with space": 1, __proto__x: 2, ok: 3 }).map((p) => p.path)).toEqual(["__proto__x", "ok"]);
    expect(runPaths(JSON.parse('{"__proto__": {"a": 1}, "b": 2}')).map((p) => p.path)).toEqual(["b"]);
  });

  it("walks an empty array to nothing and a primitive to nothing", () => {
    expect(runPaths({ list: [] })).toEqual([{ path: "list", sample: "array (0)" }]);
    expect(runPaths("text")).toEqual([]);
  });
});

describe("sampleOf", () => {
  it("shortens long strings", () => {
    expect(sampleOf("x".repeat(100))).toHaveLength(28);
    expect(sampleOf(null)).toBe("null");
  });
});
