import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { createRegistry, defineConnector } from "@/lib/engine/connector";
import { findCycle } from "@/lib/engine/graph";
import { emptyDefinition, isValidBlockId, type WorkflowDefinition } from "@/lib/engine/model";

function apply(definition: WorkflowDefinition, ops: unknown[]) {
  return applyEditOps(definition, ops, connectorRegistry, { actor: "api_key" });
}

function expectPrototypeClean(): void {
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.keys(Object.prototype)).toHaveLength(0);
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
}

afterEach(expectPrototypeClean);

const base = (): WorkflowDefinition =>
  apply(emptyDefinition(), [
    { operation_type: "add", block_id: "trg", type: "trigger_manual" },
    { operation_type: "add", block_id: "a", type: "transform", params: { value: 1 } },
    { operation_type: "connect", block_id: "trg", target_block_id: "a" },
  ]).definition;

describe("prototype keys", () => {
  it("__proto__, constructor and prototype are never accepted as block ids", () => {
    const ops = JSON.parse(
      '[{"operation_type":"add","block_id":"__proto__","type":"greet","params":{"name":"x"}},' +
        '{"operation_type":"add","block_id":"constructor","type":"greet","params":{"name":"x"}},' +
        '{"operation_type":"add","block_id":"prototype","type":"greet","params":{"name":"x"}},' +
        '{"operation_type":"update","block_id":"__proto__","name":"x"},' +
        '{"operation_type":"connect","block_id":"constructor","target_block_id":"a"}]',
    ) as unknown[];
    const result = apply(base(), ops);
    expect(result.skipped.map((s) => s.reason_code)).toEqual([
      "invalid_block_id",
      "invalid_block_id",
      "invalid_block_id",
      "block_not_found",
      "invalid_edge_source",
    ]);
    expect(result.definition.blocks.map((b) => b.id)).toEqual(["trg", "a"]);
  });

  it("__proto__ and constructor as param keys are dropped as unknown_param and nothing reaches a prototype", () => {
    const ops = JSON.parse(
      '[{"operation_type":"add","block_id":"g","type":"greet","params":{"name":"x","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}},' +
        '{"operation_type":"update","block_id":"a","params":{"__proto__":{"polluted":2},"prototype":{"polluted":3}}}]',
    ) as unknown[];
    const result = apply(base(), ops);
    expect(result.skipped).toEqual([]);
    const g = result.definition.blocks.find((b) => b.id === "g");
    expect(Object.keys(g?.params ?? {})).toEqual(["name"]);
    expect(Object.getPrototypeOf(g?.params)).toBe(Object.prototype);
    expect(Object.keys(result.definition.blocks[1].params)).toEqual(["value"]);
    expect(result.validationErrors.map((e) => [e.code, e.block_id, e.field])).toEqual([
      ["unknown_param", "a", "__proto__"],
      ["unknown_param", "a", "prototype"],
      ["unknown_param", "g", "__proto__"],
      ["unknown_param", "g", "constructor"],
    ]);
    expect(JSON.stringify(result.applied)).not.toContain("polluted");
  });

  it("forbidden variable names are never stored and are reported as dropped keys", () => {
    const ops = JSON.parse(
      '[{"operation_type":"set_variables","variables":{"__proto__":{"polluted":1},"constructor":1,"prototype":2,"ok":true}}]',
    ) as unknown[];
    const result = apply(base(), ops);
    expect(result.definition.variables).toEqual({ ok: true });
    expect(Object.keys(result.definition.variables ?? {})).toEqual(["ok"]);
    expect(result.droppedKeys).toEqual([{ index: 0, keys: ["variables.__proto__", "variables.constructor", "variables.prototype"] }]);
  });

  it("a __proto__ key at the top of an op or deep inside a param value reaches no prototype", () => {
    const ops = JSON.parse(
      '[{"operation_type":"update","block_id":"a","__proto__":{"polluted":1},"params":{"value":{"__proto__":{"polluted":1},"keep":{"constructor":{"prototype":{"polluted":1}}}}}}]',
    ) as unknown[];
    const result = apply(base(), ops);
    expect(result.skipped).toEqual([]);
    expect(result.droppedKeys).toEqual([{ index: 0, keys: ["__proto__"] }]);
    const value = result.definition.blocks[1].params.value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["keep"]);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe("hostile ids and ops", () => {
  it("a 10,000-character id is invalid_block_id and is not echoed whole", () => {
    const id = `a${"x".repeat(9_999)}`;
    const result = apply(base(), [{ operation_type: "add", block_id: id, type: "greet", params: { name: "n" } }]);
    const item = result.skipped[0];
    expect(item.reason_code).toBe("invalid_block_id");
    expect(item.reason.length).toBeLessThan(200);
    expect(item.hint.length).toBeLessThan(300);
    expect(isValidBlockId(item.details?.suggestion)).toBe(true);
    expect(result.summary.length).toBeLessThan(1_000);
  });

  it("ids of 64 characters are accepted and 65 are not", () => {
    const result = apply(base(), [
      { operation_type: "add", block_id: `a${"b".repeat(63)}`, type: "greet", params: { name: "n" } },
      { operation_type: "add", block_id: `a${"b".repeat(64)}`, type: "greet", params: { name: "n" } },
    ]);
    expect(result.skipped.map((s) => [s.index, s.reason_code])).toEqual([[1, "invalid_block_id"]]);
  });

  it.each(["café", "блок", "a😀", "ａｂｃ", "a b", "1st", ""])("the unicode or malformed id %j is invalid_block_id with a valid suggestion", (id) => {
    const item = apply(base(), [{ operation_type: "add", block_id: id, type: "greet", params: { name: "n" } }]).skipped[0];
    expect(item.reason_code).toBe("invalid_block_id");
    expect(isValidBlockId(item.details?.suggestion)).toBe(true);
  });

  it("ops that are not objects or have no known operation_type are invalid_op; the others still apply", () => {
    const result = apply(base(), [null, 42, "add", [], {}, { operation_type: "ADD" }, { operation_type: "update", block_id: "a", name: "ok" }]);
    expect(result.skipped.map((s) => [s.index, s.reason_code])).toEqual([0, 1, 2, 3, 4, 5].map((i) => [i, "invalid_op"]));
    expect(result.definition.blocks[1].name).toBe("ok");
  });

  it("a param or variable nested 100,000 levels deep is invalid_op, not a stack overflow", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}1${"]".repeat(100_000)}`) as unknown;
    const result = apply(base(), [
      { operation_type: "update", block_id: "a", params: { value: deep } },
      { operation_type: "add", block_id: "t", type: "transform", params: { value: deep } },
      { operation_type: "set_variables", variables: { v: deep } },
      { operation_type: "update", block_id: "a", params: { value: [[[["fine"]]]] } },
    ]);
    expect(result.skipped.map((s) => [s.index, s.reason_code])).toEqual([
      [0, "invalid_op"],
      [1, "invalid_op"],
      [2, "invalid_op"],
    ]);
    expect(result.skipped[0].reason).toBe("params.value is nested more than 100 levels deep");
    expect(result.definition.blocks[1].params.value).toEqual([[[["fine"]]]]);
  });

  it("a cycle through three blocks is cycle_introduced with the cycle's path; a self-edge too", () => {
    const result = apply(base(), [
      { operation_type: "add", block_id: "b", type: "transform", params: { value: 2 } },
      { operation_type: "add", block_id: "c", type: "transform", params: { value: 3 } },
      { operation_type: "connect", block_id: "a", target_block_id: "b" },
      { operation_type: "connect", block_id: "b", target_block_id: "c" },
      { operation_type: "connect", block_id: "c", target_block_id: "a" },
      { operation_type: "connect", block_id: "b", target_block_id: "b" },
    ]);
    expect(result.skipped.map((s) => [s.index, s.reason_code, s.details?.cycle])).toEqual([
      [4, "cycle_introduced", ["c", "a", "b", "c"]],
      [5, "cycle_introduced", ["b", "b"]],
    ]);
    expect(findCycle(result.definition.blocks.map((b) => b.id), result.definition.edges)).toBeNull();
  });
});

describe("any sequence of ops", () => {
  const ids = ["trg", "a", "b", "c", "d", "__proto__", "bad id"];
  const id = fc.constantFrom(...ids);
  const op = fc.oneof(
    fc.record({ operation_type: fc.constant("add"), block_id: id, type: fc.constantFrom("greet", "condition", "trigger_manual", "log", "nope"), params: fc.dictionary(fc.constantFrom("name", "message", "left", "op", "__proto__", "x"), fc.jsonValue({ maxDepth: 2 })) }),
    fc.record({ operation_type: fc.constantFrom("update", "edit"), block_id: id, params: fc.dictionary(fc.constantFrom("name", "message", "x"), fc.oneof(fc.constant(null), fc.string())) }, { requiredKeys: ["operation_type", "block_id"] }),
    fc.record({ operation_type: fc.constantFrom("remove", "delete"), block_id: id }),
    fc.record({ operation_type: fc.constantFrom("connect", "disconnect"), block_id: id, target_block_id: id, source_handle: fc.constantFrom("true", "false", "error", "x") }, { requiredKeys: ["operation_type", "block_id", "target_block_id"] }),
    fc.record({ operation_type: fc.constant("set_variables"), variables: fc.dictionary(fc.constantFrom("v", "w", "__proto__"), fc.oneof(fc.constant(null), fc.integer())) }),
    fc.anything(),
  );

  it("never throws, keeps the graph sound, leaves the input alone, and replaying `applied` gives the same definition", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const input = base();
        const snapshot = structuredClone(input);
        const result = apply(input, ops);
        expect(input).toEqual(snapshot);
        expect(result.applied.length + result.skipped.length).toBe(ops.length);
        const blockIds = result.definition.blocks.map((b) => b.id);
        expect(new Set(blockIds).size).toBe(blockIds.length);
        expect(blockIds.every(isValidBlockId)).toBe(true);
        const known = new Set(blockIds);
        for (const edge of result.definition.edges) expect(known.has(edge.source) && known.has(edge.target)).toBe(true);
        expect(findCycle(blockIds, result.definition.edges)).toBeNull();
        const normalized = (d: WorkflowDefinition) => ({ blocks: d.blocks, edges: d.edges, variables: d.variables ?? {} });
        expect(result.changed).toBe(!isDeepStrictEqual(normalized(result.definition), normalized(snapshot)));
        const replay = apply(snapshot, result.applied);
        expect(replay.skipped).toEqual([]);
        expect(replay.definition).toEqual(result.definition);
        expectPrototypeClean();
      }),
      { numRuns: 300 },
    );
  });
});

describe("param visibility", () => {
  const secretValue = "s3cr3t-operator-value";
  const vault = defineConnector({
    type: "vault_call",
    name: "Vault call",
    description: "Test connector.",
    category: "test",
    kind: "action",
    params: z
      .object({
        path: z.string(),
        owner: z.string().optional().meta({ visibility: "user" }),
        token: z.string().optional().meta({ visibility: "hidden" }),
      })
      .strict(),
    outputs: z.object({ ok: z.boolean() }),
  });
  const registry = createRegistry([...builtinConnectors, vault]);

  it("an API key setting a user param is skipped as param_not_llm_settable; a person may set it", () => {
    const op = { operation_type: "add", block_id: "v", type: "vault_call", params: { path: "/a", owner: "me" } };
    const byAgent = applyEditOps(emptyDefinition(), [op], registry, { actor: "api_key" });
    expect(byAgent.skipped[0]?.reason_code).toBe("param_not_llm_settable");
    const byPerson = applyEditOps(emptyDefinition(), [op], registry, { actor: "user" });
    expect(byPerson.skipped).toEqual([]);
    expect(byPerson.definition.blocks[0].params).toEqual({ path: "/a", owner: "me" });
  });

  it("a hidden param is skipped as hidden_param_in_input, for anyone, and its value never appears in the result", () => {
    for (const actor of ["api_key", "user"] as const) {
      const result = applyEditOps(
        emptyDefinition(),
        [
          { operation_type: "add", block_id: "v", type: "vault_call", params: { path: "/a", token: secretValue } },
          { operation_type: "add", block_id: "w", type: "vault_call", params: { path: "/b" } },
          { operation_type: "update", block_id: "w", params: { token: secretValue } },
        ],
        registry,
        { actor },
      );
      expect(result.skipped.map((s) => s.reason_code)).toEqual(["hidden_param_in_input", "hidden_param_in_input"]);
      expect(JSON.stringify(result)).not.toContain(secretValue);
    }
  });
});
