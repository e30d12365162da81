import { describe, expect, it } from "vitest";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";
import { applyEditOps, type ApplyEditOpsOptions } from "@/lib/engine/apply-edit-ops";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import type { SkipCode } from "@/lib/engine/ops";

const agent: ApplyEditOpsOptions = { actor: "api_key" };

function apply(definition: WorkflowDefinition, ops: unknown[], options: Partial<ApplyEditOpsOptions> = {}) {
  return applyEditOps(definition, ops, connectorRegistry, { ...agent, ...options });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object") {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** trg (webhook) → greet → check (condition), plus a log block. */
function baseDefinition(): WorkflowDefinition {
  return apply(emptyDefinition(), [
    { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
    { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
    { operation_type: "add", block_id: "check", type: "condition", params: { left: "{{greet.message}}", op: "exists" } },
    { operation_type: "add", block_id: "note", type: "log", params: { message: "hi" } },
    { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
    { operation_type: "connect", block_id: "greet", target_block_id: "check" },
  ]).definition;
}

function onlySkip(ops: unknown[], definition = baseDefinition()) {
  const result = apply(definition, ops);
  expect(result.skipped).toHaveLength(1);
  return result.skipped[0];
}

describe("applyEditOps: the happy path", () => {
  it("the quickstart (webhook trigger + greet + connect) gives an ok workflow of 2 blocks and 1 edge", () => {
    const result = apply(emptyDefinition(), [
      { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
      { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
      { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
    ], { currentVersion: 1 });
    expect(result.ok).toBe(true);
    expect(result.changed).toBe(true);
    expect(result.commit).toBe(true);
    expect(result.definition.blocks.map((b) => b.id)).toEqual(["trg", "greet"]);
    expect(result.definition.blocks[1].params).toEqual({ name: "{{trg.body.name}}" });
    expect(result.definition.edges).toEqual([{ source: "trg", target: "greet" }]);
    expect(result.applied).toHaveLength(3);
    expect(result.summary.split("\n")).toEqual([
      "Applied 3 of 3 ops.",
      "Saved as version 2.",
      "Workflow: 2 blocks, 1 edge; no validation errors.",
    ]);
  });

  it("edit and delete are aliases, recorded under their canonical names", () => {
    const result = apply(baseDefinition(), [
      { operation_type: "edit", block_id: "note", name: "Note" },
      { operation_type: "delete", block_id: "check" },
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.applied.map((op) => op.operation_type)).toEqual(["update", "remove"]);
    expect(result.definition.blocks.find((b) => b.id === "note")?.name).toBe("Note");
    expect(result.definition.blocks.some((b) => b.id === "check")).toBe(false);
  });

  it("update merges params, and null removes a param, a name and a retry policy", () => {
    const start = apply(baseDefinition(), [
      { operation_type: "update", block_id: "note", name: "N", params: { level: "warn" }, retry: { maxAttempts: 3 } },
    ]).definition;
    expect(start.blocks[3]).toMatchObject({ name: "N", params: { message: "hi", level: "warn" }, retry: { maxAttempts: 3 } });
    const result = apply(start, [{ operation_type: "update", block_id: "note", name: null, params: { level: null }, retry: null }]);
    const note = result.definition.blocks[3];
    expect(note).toEqual({ id: "note", type: "log", params: { message: "hi" } });
    expect(result.applied).toEqual([{ operation_type: "update", block_id: "note", name: null, params: { level: null }, retry: null }]);
  });

  it("null clears a position and an enabled flag, and a null param in an add is simply absent", () => {
    const start = apply(baseDefinition(), [
      { operation_type: "update", block_id: "note", position: { x: 1, y: 2 }, enabled: false },
      { operation_type: "add", block_id: "extra", type: "log", params: { message: "m", level: null } },
    ]).definition;
    expect(start.blocks[3]).toMatchObject({ position: { x: 1, y: 2 }, enabled: false });
    expect(start.blocks[4].params).toEqual({ message: "m" });
    const cleared = apply(start, [{ operation_type: "update", block_id: "note", position: null, enabled: null }]);
    expect(cleared.changed).toBe(true);
    expect(cleared.definition.blocks[3]).toEqual({ id: "note", type: "log", params: { message: "hi" } });
  });

  it("an update that drops a switch case takes the edges on that case's handle with it, and says so", () => {
    const start = apply(baseDefinition(), [
      { operation_type: "add", block_id: "route", type: "switch", params: { value: "{{trg.body.region}}", cases: [{ handle: "eu", equals: "eu" }, { handle: "us", equals: "us" }] } },
      { operation_type: "connect", block_id: "trg", target_block_id: "route" },
      { operation_type: "connect", block_id: "route", target_block_id: "note", source_handle: "us" },
      { operation_type: "connect", block_id: "route", target_block_id: "check", source_handle: "eu" },
    ]);
    expect(start.skipped).toEqual([]);
    const result = apply(start.definition, [{ operation_type: "update", block_id: "route", params: { cases: [{ handle: "eu", equals: "eu" }] } }]);
    expect(result.definition.edges.filter((e) => e.source === "route")).toEqual([{ source: "route", target: "check", sourceHandle: "eu" }]);
    expect(result.droppedKeys).toEqual([{ index: 0, keys: ["edge route->note[us]"] }]);
    expect(result.summary).toContain("edge route->note[us]");
  });

  it("an update that sets what is already there is no change and keeps the version", () => {
    const result = apply(baseDefinition(), [{ operation_type: "update", block_id: "note", params: { message: "hi" } }], { currentVersion: 4 });
    expect(result.skipped).toEqual([]);
    expect(result.changed).toBe(false);
    expect(result.commit).toBe(false);
    expect(result.summary).toContain("No change; version stays 4.");
  });

  it("remove takes the block's edges with it", () => {
    const result = apply(baseDefinition(), [{ operation_type: "remove", block_id: "greet" }]);
    expect(result.definition.edges).toEqual([]);
    expect(result.definition.blocks.map((b) => b.id)).toEqual(["trg", "check", "note"]);
  });

  it("edges are stored as { source, target, sourceHandle? }", () => {
    const result = apply(baseDefinition(), [
      { operation_type: "connect", block_id: "check", target_block_id: "note", source_handle: "true" },
      { operation_type: "connect", block_id: "trg", target_block_id: "note" },
    ]);
    expect(result.definition.edges.slice(2)).toEqual([
      { source: "check", target: "note", sourceHandle: "true" },
      { source: "trg", target: "note" },
    ]);
  });

  it("disconnect without source_handle removes every edge between the two blocks", () => {
    const start = apply(baseDefinition(), [
      { operation_type: "connect", block_id: "check", target_block_id: "note", source_handle: "true" },
      { operation_type: "connect", block_id: "check", target_block_id: "note", source_handle: "false" },
    ]).definition;
    const one = apply(start, [{ operation_type: "disconnect", block_id: "check", target_block_id: "note", source_handle: "true" }]);
    expect(one.definition.edges.filter((e) => e.source === "check")).toEqual([{ source: "check", target: "note", sourceHandle: "false" }]);
    const all = apply(start, [{ operation_type: "disconnect", block_id: "check", target_block_id: "note" }]);
    expect(all.definition.edges.filter((e) => e.source === "check")).toEqual([]);
  });

  it("set_variables merges, and null removes a variable", () => {
    const start = apply(baseDefinition(), [{ operation_type: "set_variables", variables: { region: "eu", tier: 1 } }]).definition;
    const result = apply(start, [{ operation_type: "set_variables", variables: { tier: null, plan: { a: [1] } } }]);
    expect(result.definition.variables).toEqual({ region: "eu", plan: { a: [1] } });
  });

  it("a connect naming blocks added later in the batch waits until the end of the batch", () => {
    const result = apply(emptyDefinition(), [
      { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
      { operation_type: "add", block_id: "trg", type: "trigger_manual" },
      { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.name}}" } },
    ]);
    expect(result.ok).toBe(true);
    expect(result.definition.edges).toEqual([{ source: "trg", target: "greet" }]);
    expect(result.applied.map((op) => op.operation_type)).toEqual(["add", "add", "connect"]);
  });

  it("a deferred connect that is still bad at the end is skipped with its original index", () => {
    const result = apply(emptyDefinition(), [
      { operation_type: "add", block_id: "trg", type: "trigger_manual" },
      { operation_type: "connect", block_id: "trg", target_block_id: "later" },
      { operation_type: "add", block_id: "later", type: "no_such_type" },
    ]);
    expect(result.skipped.map((s) => [s.index, s.reason_code])).toEqual([
      [1, "invalid_edge_target"],
      [2, "block_type_not_registered"],
    ]);
  });

  it("a param value with a {{…}} template inside a string is stored verbatim", () => {
    const message = "Lead {{trg.body.email}} scored {{ trg.body.score }} — {{not a ref}}";
    const result = apply(baseDefinition(), [{ operation_type: "update", block_id: "note", params: { message } }]);
    expect(result.definition.blocks[3].params.message).toBe(message);
  });

  // How fast is measured by `npm run bench` (bench/engine.ts), not by a wall-clock bound here.
  it("a batch of 1,000 ops (500 adds and 499 connects) applies correctly", () => {
    const ops: unknown[] = [{ operation_type: "add", block_id: "b0", type: "trigger_manual" }];
    for (let i = 1; i < 500; i++) ops.push({ operation_type: "add", block_id: `b${i}`, type: "greet", params: { name: `{{b${i - 1}.message}}` } });
    for (let i = 1; i < 500; i++) ops.push({ operation_type: "connect", block_id: `b${i - 1}`, target_block_id: `b${i}` });
    ops.push({ operation_type: "set_variables", variables: { n: 500 } });
    expect(ops).toHaveLength(1000);
    const result = apply(emptyDefinition(), ops);
    expect(result.skipped).toEqual([]);
    expect(result.definition.blocks).toHaveLength(500);
    expect(result.definition.edges).toHaveLength(499);
    // b1 references b0, a trigger with open outputs; every later block references its parent's message.
    expect(result.validationErrors).toEqual([]);
  });
});

describe("applyEditOps: flags, summary and history", () => {
  const bad = { operation_type: "remove", block_id: "ghost" };
  const good = { operation_type: "update", block_id: "note", params: { message: "changed" } };

  it("dry_run computes the result but does not commit, and the summary says so", () => {
    const result = apply(baseDefinition(), [good], { dryRun: true, currentVersion: 3 });
    expect(result.changed).toBe(true);
    expect(result.commit).toBe(false);
    expect(result.definition.blocks[3].params.message).toBe("changed");
    expect(result.summary).toContain("Nothing saved: dry run.");
  });

  it("atomic with a skipped op does not commit; the version stays", () => {
    const result = apply(baseDefinition(), [good, bad], { atomic: true, currentVersion: 4 });
    expect(result.changed).toBe(true);
    expect(result.commit).toBe(false);
    expect(result.ok).toBe(false);
    expect(result.summary.split("\n").slice(0, 2)).toEqual([
      "Applied 1 of 2 ops; skipped 1.",
      "Nothing saved: atomic batch had 1 skipped op; version stays 4.",
    ]);
  });

  it("atomic without skipped ops commits", () => {
    expect(apply(baseDefinition(), [good], { atomic: true }).commit).toBe(true);
  });

  it("unknown top-level keys are dropped and reported; the op still applies", () => {
    const result = apply(baseDefinition(), [{ ...good, comment: "why", color: "red" }]);
    expect(result.skipped).toEqual([]);
    expect(result.droppedKeys).toEqual([{ index: 0, keys: ["comment", "color"] }]);
    expect(result.applied).toEqual([good]);
    expect(result.summary).toContain('op 0: ignored unknown keys "comment", "color".');
  });

  it("the summary names each skipped op with its code and hint", () => {
    const result = apply(baseDefinition(), [good, { operation_type: "connect", block_id: "greet", target_block_id: "nope" }]);
    const line = result.summary.split("\n").find((l) => l.startsWith("op 1"));
    expect(line).toMatch(/^op 1 connect greet→nope skipped: invalid_edge_target: target block "nope" does not exist — /);
  });

  it("the summary caps long lists of validation errors", () => {
    const ops = Array.from({ length: 30 }, (_, i) => ({ operation_type: "add", block_id: `g${i}`, type: "greet" }));
    const result = apply(emptyDefinition(), ops);
    expect(result.validationErrors.length).toBe(31); // 30 missing names + no_trigger
    expect(result.summary).toContain("… and 11 more");
    expect(result.summary.split("\n").length).toBeLessThan(26);
  });

  it("the input definition is never mutated", () => {
    const input = deepFreeze(baseDefinition());
    const snapshot = structuredClone(input);
    const result = apply(input, [
      { operation_type: "update", block_id: "greet", params: { name: "x" }, position: { x: 1, y: 2 } },
      { operation_type: "remove", block_id: "check" },
      { operation_type: "connect", block_id: "trg", target_block_id: "note" },
      { operation_type: "disconnect", block_id: "trg", target_block_id: "greet" },
      { operation_type: "set_variables", variables: { a: 1 } },
      { operation_type: "add", block_id: "extra", type: "log", params: { message: "m" } },
    ]);
    expect(result.skipped).toEqual([]);
    expect(input).toEqual(snapshot);
    expect(result.definition).not.toEqual(snapshot);
  });
});

describe("applyEditOps: every skip code", () => {
  const cases: [SkipCode, unknown[]][] = [
    ["invalid_op", [{ operation_type: "explode", block_id: "a" }]],
    ["invalid_block_id", [{ operation_type: "add", block_id: "9lives", type: "log", params: { message: "m" } }]],
    ["block_already_exists", [{ operation_type: "add", block_id: "note", type: "log", params: { message: "m" } }]],
    ["block_type_not_registered", [{ operation_type: "add", block_id: "x", type: "gret" }]],
    ["block_not_found", [{ operation_type: "update", block_id: "ghost", name: "n" }]],
    ["hidden_param_in_input", [{ operation_type: "add", block_id: "h", type: "http_request", params: { method: "GET", url: "http://x", allow_private_network: true } }]],
    ["invalid_edge_source", [{ operation_type: "connect", block_id: "ghost", target_block_id: "note" }]],
    ["invalid_edge_target", [{ operation_type: "connect", block_id: "note", target_block_id: "trg" }]],
    ["invalid_source_handle", [{ operation_type: "connect", block_id: "check", target_block_id: "note", source_handle: "maybe" }]],
    ["duplicate_connection", [{ operation_type: "connect", block_id: "trg", target_block_id: "greet" }]],
    ["cycle_introduced", [{ operation_type: "connect", block_id: "check", target_block_id: "greet" }]],
    ["edge_not_found", [{ operation_type: "disconnect", block_id: "trg", target_block_id: "note" }]],
  ];
  it.each(cases)("%s is reported with a reason and a hint", (code, ops) => {
    const item = onlySkip(ops);
    expect(item.reason_code).toBe(code);
    expect(item.index).toBe(0);
    expect(item.reason.length).toBeGreaterThan(5);
    expect(item.hint.length).toBeGreaterThan(5);
  });

  it("block_type_not_registered lists registered types, nearest first", () => {
    const item = onlySkip([{ operation_type: "add", block_id: "x", type: "gret" }]);
    expect(item.hint).toMatch(/^did you mean "greet"\? use a registered type: greet, /);
    expect(item.details?.registered).toHaveLength(builtinConnectors.length);
    expect(item.details?.closest).toEqual(["greet"]);
  });

  it("invalid_source_handle lists the allowed handles", () => {
    const item = onlySkip([{ operation_type: "connect", block_id: "greet", target_block_id: "note", source_handle: "true" }]);
    expect(item.details).toEqual({ allowed: ["error"], closest: [] });
  });

  it("block_already_exists says to use update", () => {
    expect(onlySkip([{ operation_type: "add", block_id: "note", type: "log" }]).hint).toContain('"operation_type":"update"');
  });

  it("an update carrying type is invalid_op with a hint to remove and add again", () => {
    const item = onlySkip([{ operation_type: "update", block_id: "note", type: "greet" }]);
    expect(item.reason_code).toBe("invalid_op");
    expect(item.hint).toContain("remove the block and add it again to change its type");
  });

  it("invalid_op with wrong field types says what is wrong and shows the shape", () => {
    const item = onlySkip([{ operation_type: "connect", block_id: "trg", target_block_id: 7 }]);
    expect(item.reason).toContain("target_block_id");
    expect(item.hint).toContain('"operation_type": "connect"');
  });

  it("a bad op in the middle is skipped and the others still apply", () => {
    const result = apply(baseDefinition(), [
      { operation_type: "update", block_id: "note", name: "one" },
      { operation_type: "remove", block_id: "ghost" },
      { operation_type: "update", block_id: "greet", name: "two" },
    ]);
    expect(result.skipped.map((s) => s.index)).toEqual([1]);
    expect(result.applied).toHaveLength(2);
    expect(result.summary.split("\n")[0]).toBe("Applied 2 of 3 ops; skipped 1.");
  });
});
