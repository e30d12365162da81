import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { blockHandles } from "@/lib/engine/connector";
import { diffToEditOps } from "@/lib/engine/diff";
import { emptyDefinition, type Block, type Edge, type WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";

const apply = (definition: WorkflowDefinition, ops: EditOp[]) =>
  applyEditOps(definition, ops, connectorRegistry, { actor: "user" });

/**
 * Builds a definition the way every stored one is built: EditOps applied to an empty one. It also
 * checks that no stored edge leaves from a handle its block does not have (an update that drops a
 * switch case takes that case's edges with it), since `connect` could never rebuild such an edge.
 */
function build(ops: EditOp[], from: WorkflowDefinition = emptyDefinition()): WorkflowDefinition {
  const built = apply(from, ops).definition;
  const byId = new Map(built.blocks.map((b) => [b.id, b]));
  const stale = built.edges.filter((e) => {
    const source = byId.get(e.source) as Block;
    const connector = connectorRegistry.get(source.type);
    return e.sourceHandle !== undefined && !(connector && blockHandles(connector, source.params).includes(e.sourceHandle));
  });
  expect(stale).toEqual([]);
  return built;
}

/** Blocks sorted by id, edges by source/target/handle, variables absent == {}. */
function normalize(definition: WorkflowDefinition): unknown {
  const edgeKey = (e: Edge) => JSON.stringify([e.source, e.target, e.sourceHandle ?? null]);
  return {
    blocks: [...definition.blocks].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0)),
    edges: [...definition.edges].sort((x, y) => edgeKey(x).localeCompare(edgeKey(y))),
    variables: definition.variables ?? {},
  };
}

function expectDiffReproduces(a: WorkflowDefinition, b: WorkflowDefinition): EditOp[] {
  const ops = diffToEditOps(a, b);
  const result = apply(a, ops);
  expect(result.skipped).toEqual([]);
  expect(normalize(result.definition)).toEqual(normalize(b));
  return ops;
}

// ---- Random EditOp batches over the built-in connectors -------------------------------------

const ID = fc.constantFrom("a", "b", "c", "d", "e");
const HANDLE = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  { arbitrary: fc.constantFrom("true", "false", "default", "error", "timeout", "h1", "h2"), weight: 3 },
);
const SCALAR = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 100 }), fc.boolean());
const JSON_VALUE = fc.oneof(SCALAR, fc.array(SCALAR, { maxLength: 3 }), fc.dictionary(fc.constantFrom("x", "y", "z"), SCALAR, { maxKeys: 2 }));
const TEMPLATE = fc.constantFrom("{{trigger.body}}", "{{a.message}}", "{{vars.region}}", "Hi {{b.value}}");

/** A record whose keys are each present or not. */
const partial = <T extends Record<string, fc.Arbitrary<unknown>>>(shape: T) => fc.record(shape, { requiredKeys: [] });
/** Param values per connector: mostly valid, sometimes invalid (such blocks are kept, with validation errors). */
const PARAMS: Record<string, fc.Arbitrary<Record<string, unknown>>> = {
  greet: partial({ name: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), TEMPLATE, fc.constant(5)) }),
  log: partial({ message: fc.oneof(fc.string({ maxLength: 8 }), TEMPLATE), level: fc.constantFrom("info", "warn", "loud") }),
  transform: partial({ value: fc.oneof(JSON_VALUE, TEMPLATE) }),
  condition: partial({ left: fc.oneof(SCALAR, TEMPLATE), op: fc.constantFrom("eq", "gte", "exists", "nope"), right: SCALAR }),
  switch: partial({ value: fc.oneof(SCALAR, TEMPLATE), cases: fc.array(fc.record({ handle: fc.constantFrom("h1", "h2"), equals: SCALAR }), { maxLength: 2 }) }),
  http_request: partial({
    method: fc.constantFrom("GET", "POST"),
    url: fc.constantFrom("https://example.com/x", "{{vars.url}}"),
    headers: fc.dictionary(fc.constantFrom("accept", "x-id"), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
    body: JSON_VALUE,
    timeout_ms: fc.integer({ min: 1, max: 300_000 }),
  }),
  wait_duration: partial({ seconds: fc.integer({ min: 0, max: 3_600 }) }),
  wait_for_event: partial({ event: fc.constantFrom("paid", "signed"), key: fc.string({ minLength: 1, maxLength: 5 }), timeout_seconds: fc.integer({ min: 1, max: 600 }) }),
};
const TRIGGERS = connectorRegistry.list().filter((c) => c.kind === "trigger").map((c) => c.type);
const OTHERS = connectorRegistry.list().filter((c) => c.kind !== "trigger").map((c) => c.type);
/** Every registered type, triggers less often (they take no incoming edges). */
const TYPE = fc.oneof({ arbitrary: fc.constantFrom(...TRIGGERS), weight: 1 }, { arbitrary: fc.constantFrom(...OTHERS), weight: 4 });
const paramsFor = (type: string) => PARAMS[type] ?? fc.constant({});
/** A partial params patch for update: values of any connector, or null to remove. */
const PARAM_PATCH = fc.oneof(...Object.values(PARAMS)).chain((p) =>
  fc.record({ drop: fc.subarray(["name", "message", "value", "cases", "body", "right", "key", "level"]) }).map(({ drop }) => {
    const patch: Record<string, unknown> = { ...p };
    for (const k of drop) patch[k] = null;
    return patch;
  }),
);
const POSITION = fc.record({ x: fc.integer({ min: -500, max: 500 }), y: fc.integer({ min: -500, max: 500 }) });
const RETRY = fc.oneof(
  fc.record({ maxAttempts: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ maxAttempts: fc.integer({ min: 1, max: 5 }), backoff: fc.record({ initialMs: fc.constantFrom(0, 500), factor: fc.constantFrom(1, 2), maxMs: fc.constantFrom(1000, 10_000) }) }),
);

const ADD: fc.Arbitrary<EditOp> = fc
  .record({ block_id: ID, type: TYPE })
  .chain(({ block_id, type }) =>
    partial({ name: fc.string({ maxLength: 6 }), params: paramsFor(type), position: POSITION, retry: RETRY, enabled: fc.boolean() }).map((rest) => ({ operation_type: "add" as const, block_id, type, ...rest })),
  );
const UPDATE: fc.Arbitrary<EditOp> = fc
  .record({
    block_id: ID,
    rest: partial({ name: fc.option(fc.string({ maxLength: 6 })), params: PARAM_PATCH, position: POSITION, enabled: fc.boolean(), retry: fc.option(RETRY) }),
  })
  .map(({ block_id, rest }) => ({ operation_type: "update" as const, block_id, ...rest }));
const EDGE_OP = (operation_type: "connect" | "disconnect"): fc.Arbitrary<EditOp> =>
  fc.record({ block_id: ID, target_block_id: ID, source_handle: HANDLE }).map(({ source_handle, ...ends }) =>
    source_handle === undefined ? { operation_type, ...ends } : { operation_type, ...ends, source_handle },
  );
const OP: fc.Arbitrary<EditOp> = fc.oneof(
  { arbitrary: ADD, weight: 5 },
  { arbitrary: UPDATE, weight: 3 },
  { arbitrary: ID.map((block_id) => ({ operation_type: "remove" as const, block_id })), weight: 1 },
  { arbitrary: EDGE_OP("connect"), weight: 8 },
  { arbitrary: EDGE_OP("disconnect"), weight: 1 },
  {
    arbitrary: fc
      .dictionary(fc.constantFrom("region", "url", "limit"), fc.option(JSON_VALUE), { minKeys: 1, maxKeys: 3 })
      .map((variables) => ({ operation_type: "set_variables" as const, variables })),
    weight: 1,
  },
);
/** Two edges between the same blocks, one without a handle (a disconnect without one takes both). */
const TWIN_CONNECTS: fc.Arbitrary<EditOp[]> = fc
  .record({ block_id: ID, target_block_id: ID, source_handle: fc.constantFrom("true", "error", "default") })
  .map(({ source_handle, ...ends }) => [
    { operation_type: "connect", ...ends },
    { operation_type: "connect", ...ends, source_handle },
  ]);
/** A few adds first, so that later ops mostly name blocks that exist. */
const BATCH = fc
  .tuple(fc.array(ADD, { minLength: 3, maxLength: 8 }), fc.array(fc.oneof({ arbitrary: OP.map((op) => [op]), weight: 9 }, { arbitrary: TWIN_CONNECTS, weight: 1 }), { minLength: 4, maxLength: 25 }))
  .map(([adds, rest]) => [...adds, ...rest.flat()]);

/** Some of a definition's edges, as disconnect ops. */
const disconnectSome = (edges: readonly Edge[]): fc.Arbitrary<EditOp[]> =>
  fc.subarray([...edges]).map((gone) =>
    gone.map((e) => ({ operation_type: "disconnect" as const, block_id: e.source, target_block_id: e.target, ...(e.sourceHandle !== undefined && { source_handle: e.sourceHandle }) })),
  );

/** Two well-formed definitions: unrelated, or the second grown from the first by more ops. */
const PAIR = fc.oneof(
  { arbitrary: fc.tuple(BATCH, BATCH).map(([x, y]) => [build(x), build(y)] as const), weight: 1 },
  {
    arbitrary: BATCH.map((x) => build(x)).chain((a) =>
      fc.tuple(disconnectSome(a.edges), fc.array(OP, { minLength: 1, maxLength: 15 })).map(([gone, more]) => [a, build([...gone, ...more], a)] as const),
    ),
    weight: 2,
  },
);

describe("diffToEditOps: property", () => {
  it("applying diff(a, b) to a reproduces b, with nothing skipped", () => {
    fc.assert(
      fc.property(PAIR, ([a, b]) => {
        expectDiffReproduces(a, b);
      }),
      { numRuns: 200 },
    );
  });

  it("a definition has no diff with itself (nor with a structural copy)", () => {
    fc.assert(
      fc.property(BATCH, (ops) => {
        const a = build(ops);
        expect(diffToEditOps(a, a)).toEqual([]);
        expect(diffToEditOps(a, structuredClone(a))).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- Examples, one per op kind --------------------------------------------------------------

const block = (id: string, type: string, extra: Partial<Block> = {}): Block => ({ id, type, params: {}, ...extra });
const def = (blocks: Block[], edges: Edge[] = [], variables?: Record<string, unknown>): WorkflowDefinition =>
  variables ? { blocks, edges, variables } : { blocks, edges };
const base = def(
  [
    block("trg", "trigger_manual"),
    block("check", "condition", { params: { left: "{{trg.score}}", op: "gte", right: 50 } }),
    block("hello", "greet", { name: "Say hi", params: { name: "Ada" }, retry: { maxAttempts: 3 } }),
  ],
  [{ source: "trg", target: "check" }, { source: "check", target: "hello", sourceHandle: "true" }],
  { region: "eu", limit: 5 },
);

describe("diffToEditOps: examples", () => {
  it("adds a new block with everything it carries and connects it in the same batch", () => {
    const next = def(
      [...base.blocks, block("note", "log", { name: "Note", params: { message: "hi" }, position: { x: 1, y: 2 }, retry: { maxAttempts: 2 }, enabled: false })],
      [...base.edges, { source: "hello", target: "note" }],
      base.variables,
    );
    expect(expectDiffReproduces(base, next)).toEqual([
      { operation_type: "add", block_id: "note", type: "log", name: "Note", params: { message: "hi" }, position: { x: 1, y: 2 }, retry: { maxAttempts: 2 }, enabled: false },
      { operation_type: "connect", block_id: "hello", target_block_id: "note" },
    ]);
  });

  it("updates only the fields that changed; removed params, name and retry become null", () => {
    const next = structuredClone(base);
    next.blocks[1].params = { left: "{{trg.score}}", op: "lt" }; // op changed, right removed
    next.blocks[2] = block("hello", "greet", { params: { name: "Ada" }, position: { x: 5, y: 5 }, enabled: false });
    expect(expectDiffReproduces(base, next)).toEqual([
      { operation_type: "update", block_id: "check", params: { op: "lt", right: null } },
      { operation_type: "update", block_id: "hello", name: null, position: { x: 5, y: 5 }, enabled: false, retry: null },
    ]);
  });

  it("removes a block without disconnecting its edges first (remove takes them)", () => {
    const next = def(base.blocks.slice(0, 2), base.edges.slice(0, 1), base.variables);
    expect(expectDiffReproduces(base, next)).toEqual([{ operation_type: "remove", block_id: "hello" }]);
  });

  it("disconnects and connects edges, keeping source handles", () => {
    const next = def(base.blocks, [base.edges[0], { source: "check", target: "hello", sourceHandle: "false" }], base.variables);
    expect(expectDiffReproduces(base, next)).toEqual([
      { operation_type: "disconnect", block_id: "check", target_block_id: "hello", source_handle: "true" },
      { operation_type: "connect", block_id: "check", target_block_id: "hello", source_handle: "false" },
    ]);
  });

  it("reconnects the other edges between two blocks when a handleless edge between them goes", () => {
    const current = def([block("t", "trigger_manual"), block("w", "wait_for_event", { params: { event: "paid" } }), block("n", "log", { params: { message: "m" } })], [
      { source: "t", target: "w" },
      { source: "w", target: "n" },
      { source: "w", target: "n", sourceHandle: "timeout" },
      { source: "w", target: "n", sourceHandle: "error" },
    ]);
    const next = def(current.blocks, [current.edges[0], current.edges[2]]);
    expect(expectDiffReproduces(current, next)).toEqual([
      { operation_type: "disconnect", block_id: "w", target_block_id: "n" },
      { operation_type: "connect", block_id: "w", target_block_id: "n", source_handle: "timeout" },
    ]);
  });

  it("updates before it connects, so an edge may leave from a switch case added in the same diff", () => {
    const sw = block("s", "switch", { params: { value: "{{t.kind}}", cases: [{ handle: "h1", equals: "a" }] } });
    const current = def([block("t", "trigger_manual"), sw, block("n", "log", { params: { message: "m" } })], [{ source: "t", target: "s" }]);
    const next = structuredClone(current);
    next.blocks[1].params.cases = [{ handle: "h1", equals: "a" }, { handle: "h2", equals: "b" }];
    next.edges.push({ source: "s", target: "n", sourceHandle: "h2" });
    expect(expectDiffReproduces(current, next).map((op) => op.operation_type)).toEqual(["update", "connect"]);
  });

  it("sets changed variables and removes missing ones with null", () => {
    const next = def(base.blocks, base.edges, { region: "us", limit: 5, url: "https://x.example" });
    expect(expectDiffReproduces(base, next)).toEqual([{ operation_type: "set_variables", variables: { region: "us", url: "https://x.example" } }]);
    expect(diffToEditOps(base, def(base.blocks, base.edges))).toEqual([{ operation_type: "set_variables", variables: { region: null, limit: null } }]);
    expect(diffToEditOps(def([], [], {}), def([]))).toEqual([]);
  });

  it("turns a type change into remove + add + reconnecting the block's edges", () => {
    const next = structuredClone(base);
    next.blocks[2] = block("hello", "log", { params: { message: "hello" } });
    expect(expectDiffReproduces(base, next)).toEqual([
      { operation_type: "remove", block_id: "hello" },
      { operation_type: "add", block_id: "hello", type: "log", params: { message: "hello" } },
      { operation_type: "connect", block_id: "check", target_block_id: "hello", source_handle: "true" },
    ]);
  });

  it("clears a position or enabled flag that next leaves out with an update, not a re-add", () => {
    const current = def([block("trg", "trigger_manual", { position: { x: 0, y: 0 }, enabled: true }), block("n", "log", { params: { message: "m" } })], [{ source: "trg", target: "n" }]);
    const next = def([block("trg", "trigger_manual"), block("n", "log", { params: { message: "m" } })], [{ source: "trg", target: "n" }]);
    expect(expectDiffReproduces(current, next)).toEqual([{ operation_type: "update", block_id: "trg", position: null, enabled: null }]);
  });

  it("compares values structurally and treats a null param or variable as absent", () => {
    const current = def([block("t", "transform", { params: { value: { a: [1, { b: 2 }], c: "x" } } })], [], { v: { k: 1 } });
    const same = def([block("t", "transform", { params: { value: { c: "x", a: [1, { b: 2 }] }, extra: null } })], [], { v: { k: 1 }, w: null });
    expect(diffToEditOps(current, same)).toEqual([]);
  });
});

describe("diffToEditOps: untrusted next", () => {
  it("does not crash on duplicate ids or dangling edges; they become ops applyEditOps skips", () => {
    const next = def([...base.blocks, block("hello", "log", { params: { message: "dup" } })], [...base.edges, { source: "hello", target: "ghost" }], base.variables);
    const ops = diffToEditOps(base, next);
    const result = apply(base, ops);
    expect(result.skipped.map((s) => s.reason_code)).toEqual(["block_already_exists", "invalid_edge_target"]);
    expect(normalize(result.definition)).toEqual(normalize(base));
  });

  it("keeps __proto__ and constructor as plain data and never pollutes Object.prototype", () => {
    const next = JSON.parse(
      `{"blocks":[{"id":"__proto__","type":"greet","params":{"name":"x"}},
        {"id":"constructor","type":"transform","params":{"__proto__":{"polluted":1},"value":1}},
        {"id":"ok","type":"transform","params":{"__proto__":{"polluted":2},"constructor":{"polluted":3},"value":2}}],
       "edges":[{"source":"__proto__","target":"ok"}],
       "variables":{"__proto__":{"polluted":4},"constructor":5}}`,
    ) as WorkflowDefinition;
    const current = def([block("ok", "transform", { params: { value: 1 } })]);
    const ops = diffToEditOps(current, next);
    expect(Object.prototype).not.toHaveProperty("polluted");
    for (const op of ops) {
      const record = op.operation_type === "set_variables" ? op.variables : "params" in op ? op.params : undefined;
      if (record) expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    }
    const update = ops.find((op) => op.operation_type === "update");
    expect(update && "params" in update && update.params && Object.keys(update.params).sort()).toEqual(["__proto__", "constructor", "value"]);
    const result = apply(current, ops);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(result.definition.blocks).toEqual([{ id: "ok", type: "transform", params: { value: 2 } }]);
    expect(result.definition.variables ?? {}).toEqual({});
  });
});
