/**
 * Hints good enough to repair from (issue 13, Build 5): every skip code and every validation
 * code names its concrete fix, in the hint and as data in `details` — the valid types, the
 * existing block ids, the param's type with an example, the handles a block has, the upstream
 * blocks a template may use — and where the fix is ops, sending them fixes the workflow.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { builtinConnectors, connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { createRegistry } from "@/lib/engine/connector";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import type { SkipCode, ValidationCode } from "@/lib/engine/ops";
import { paramExpectation } from "@/lib/engine/param-examples";
import { approvalRequestConnector } from "../helpers/connectors";

const add = (block_id: string, type: string, params?: Record<string, unknown>) =>
  params === undefined ? { operation_type: "add", block_id, type } : { operation_type: "add", block_id, type, params };
const connect = (source: string, target: string, handle?: string) =>
  handle === undefined
    ? { operation_type: "connect", block_id: source, target_block_id: target }
    : { operation_type: "connect", block_id: source, target_block_id: target, source_handle: handle };

function apply(definition: WorkflowDefinition, ops: unknown[], registry = connectorRegistry) {
  return applyEditOps(definition, ops, registry, { actor: "api_key" });
}

/** start (manual) → hello (greet) → check (condition), and a lone log block `note`. */
function base(): WorkflowDefinition {
  const result = apply(emptyDefinition(), [
    add("start", "trigger_manual"),
    add("hello", "greet", { name: "{{start.name}}" }),
    add("check", "condition", { left: "{{start.score}}", op: "gte", right: 50 }),
    add("note", "log", { message: "hi" }),
    connect("start", "hello"),
    connect("hello", "check"),
  ]);
  expect(result.skipped).toEqual([]);
  return result.definition;
}

function skipOf(ops: unknown[], code: SkipCode, definition = base(), registry = connectorRegistry) {
  const result = apply(definition, ops, registry);
  const item = result.skipped.find((s) => s.reason_code === code);
  if (!item) throw new Error(`no ${code} among ${JSON.stringify(result.skipped)}`);
  return item;
}

function errorOf(ops: unknown[], code: ValidationCode, definition = base()) {
  const result = apply(definition, ops);
  const error = result.validationErrors.find((e) => e.code === code);
  if (!error) throw new Error(`no ${code} among ${JSON.stringify(result.validationErrors)}`);
  return { error, result };
}

describe("skip hints name the concrete fix", () => {
  it("invalid_op: an unknown operation_type lists the operation types; a bad shape gives that op's shape", () => {
    const unknown = skipOf([{ operation_type: "insert", block_id: "x" }], "invalid_op");
    expect(unknown.details?.operation_types).toEqual(["add", "update", "remove", "connect", "disconnect", "set_variables"]);
    expect(unknown.hint).toContain("connect { block_id, target_block_id, source_handle? }");
    const shape = skipOf([{ operation_type: "connect", block_id: "hello" }], "invalid_op");
    expect(shape.details?.shape).toContain('"target_block_id": string');
    expect(shape.hint).toContain('"target_block_id": string');
  });

  it("invalid_block_id: a valid, free id to use instead, in the hint and in details", () => {
    const item = skipOf([add("my note", "log", { message: "m" })], "invalid_block_id");
    expect(item.details).toMatchObject({ suggestion: "my_note" });
    expect(item.hint).toContain('"my_note"');
  });

  it("block_already_exists: the existing block's type, the update to send, and a free id", () => {
    const item = skipOf([add("note", "log", { message: "m" })], "block_already_exists");
    expect(item.details).toEqual({ existing_type: "log", suggestion: "note_2" });
    expect(item.hint).toContain('{"operation_type":"update","block_id":"note"');
    expect(item.hint).toContain('"note_2"');
  });

  it("block_type_not_registered: the closest types first, then every registered type and where to list them", () => {
    const item = skipOf([add("hi", "greeting", { name: "x" })], "block_type_not_registered");
    expect(item.details?.closest).toEqual(["greet"]);
    expect(item.details?.registered).toEqual(expect.arrayContaining(builtinConnectors.map((c) => c.type)));
    expect(item.hint).toMatch(/^did you mean "greet"\? use a registered type: greet, /);
    expect(item.hint).toContain("GET /api/connectors?detail=summary");
    const far = skipOf([add("fax", "send_fax")], "block_type_not_registered");
    expect(far.details?.closest).toEqual([]);
    expect(far.hint).toContain(builtinConnectors.map((c) => c.type).sort()[0]);
  });

  it("block_not_found: the existing block ids and the nearest one", () => {
    const item = skipOf([{ operation_type: "update", block_id: "helo", name: "x" }], "block_not_found");
    expect(item.details).toMatchObject({ existing_block_ids: ["start", "hello", "check", "note"], closest: ["hello"] });
    expect(item.hint).toContain('did you mean "hello"');
  });

  it("block_not_found before its add: the add's index, later in the batch", () => {
    const result = apply(base(), [{ operation_type: "update", block_id: "late", name: "x" }, add("late", "log", { message: "m" })]);
    expect(result.skipped[0].details?.add_op).toEqual({ index: 1 });
    expect(result.skipped[0].hint).toContain("is added by op 1, later in this batch; move this op after it");
  });

  it("hidden_param_in_input: which params, why (the operator sets them), and what may be set instead", () => {
    const item = skipOf([add("ping", "http_request", { method: "GET", url: "https://x.test", allow_private_network: true })], "hidden_param_in_input");
    expect(item.details).toEqual({ params: ["allow_private_network"], settable_params: ["method", "url", "headers", "query", "auth", "body", "body_type", "response_type", "timeout_ms", "retries", "max_response_bytes", "fail_on_status"] });
    expect(item.hint).toMatch(/^remove allow_private_network from params and send the op again: the operator of this Weft server sets it/);
  });

  it("param_not_llm_settable: which params, that a person sets them in the editor, and what may be set", () => {
    const approval = approvalRequestConnector();
    const registry = createRegistry([...builtinConnectors, approval]);
    const item = skipOf([add("ask", "approval_request", { to: "boss@example.com", signature: "CEO" })], "param_not_llm_settable", base(), registry);
    expect(item.details).toEqual({ params: ["signature"], settable_params: ["to"] });
    expect(item.hint).toContain("remove signature from params and send the op again, then ask a person to set it in the editor");
  });

  it("invalid_edge_source / invalid_edge_target: the existing ids and the nearest one", () => {
    const source = skipOf([connect("helo", "note")], "invalid_edge_source");
    expect(source.details).toMatchObject({ existing_block_ids: ["start", "hello", "check", "note"], closest: ["hello"] });
    const target = skipOf([connect("note", "nowhere")], "invalid_edge_target");
    expect(target.details).toMatchObject({ existing_block_ids: ["start", "hello", "check", "note"], closest: [] });
    expect(target.hint).toContain("add \"nowhere\" first (an add earlier in the same batch is enough)");
  });

  it("connect before an add that was skipped: the add's index and why it was skipped, on the connect", () => {
    const result = apply(base(), [connect("hello", "shout"), add("shout", "shouter", { text: "x" })]);
    expect(result.skipped.map((s) => [s.index, s.reason_code])).toEqual([
      [0, "invalid_edge_target"],
      [1, "block_type_not_registered"],
    ]);
    expect(result.skipped[0].details?.add_op).toEqual({ index: 1, reason_code: "block_type_not_registered" });
    expect(result.skipped[0].hint).toContain("would have been added by op 1, which was skipped (block_type_not_registered); fix that op and send both again");
    // And so it is: the add fixed, the same connect in the same batch applies.
    expect(apply(base(), [connect("hello", "shout"), add("shout", "log", { message: "x" })]).skipped).toEqual([]);
  });

  it("invalid_edge_target on a trigger: the reversed connect, as an op", () => {
    const item = skipOf([connect("note", "start")], "invalid_edge_target");
    expect(item.details?.suggested_ops).toEqual([connect("start", "note")]);
    expect(apply(base(), item.details?.suggested_ops ?? []).skipped).toEqual([]);
  });

  it("invalid_source_handle: the handles the block has and the closest one", () => {
    const onError = skipOf([connect("hello", "note", "on_error")], "invalid_source_handle");
    expect(onError.details).toEqual({ allowed: ["error"], closest: ["error"] });
    expect(onError.hint).toMatch(/^did you mean "error"\? use one of: error; or omit source_handle/);
    const ifTrue = skipOf([connect("check", "note", "if_true")], "invalid_source_handle");
    expect(ifTrue.details).toEqual({ allowed: ["true", "false"], closest: ["true"] });
  });

  it("duplicate_connection, cycle_introduced, edge_not_found: drop it, the cycle, the edges there are", () => {
    expect(skipOf([connect("start", "hello")], "duplicate_connection").hint).toContain("drop this op");
    expect(skipOf([connect("check", "hello")], "cycle_introduced").details).toEqual({ cycle: ["check", "hello", "check"] });
    const missing = skipOf([{ operation_type: "disconnect", block_id: "hello", target_block_id: "note" }], "edge_not_found");
    expect(missing.details).toEqual({ edges: [{ source: "hello", target: "check" }] });
    expect(missing.hint).toContain("hello→check");
  });
});

describe("validation hints name the concrete fix", () => {
  it("missing_required_param: the param's type and an example, as the update to send; sending it fixes the block", () => {
    const { error } = errorOf([add("ping", "http_request", { url: "https://x.test" }), connect("hello", "ping")], "missing_required_param");
    expect(error.details).toEqual({ expected: "enum(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)", example: "GET" });
    expect(error.hint).toContain('e.g. {"operation_type":"update","block_id":"ping","params":{"method":"GET"}}');
    const greet = errorOf([add("g", "greet"), connect("hello", "g")], "missing_required_param").error;
    expect(greet.details).toEqual({ expected: "string", example: "Ada" });
  });

  it("invalid_param: the expected type and an example of it", () => {
    const { error, result } = errorOf(
      [add("ping", "http_request", { method: "GET", url: "https://x.test", timeout_ms: "5s" }), connect("hello", "ping")],
      "invalid_param",
    );
    expect(error.details).toEqual({ expected: "number", example: 30000 });
    expect(error.hint).toContain('"params":{"timeout_ms":30000}');
    expect(apply(result.definition, [{ operation_type: "update", block_id: "ping", params: { timeout_ms: error.details?.example } }]).ok).toBe(true);
  });

  it("every param of every built-in connector has an example its own schema accepts", () => {
    for (const connector of builtinConnectors) {
      for (const [name, field] of Object.entries(connector.params.shape as Record<string, z.ZodType>)) {
        const expectation = paramExpectation(connector, name);
        expect(expectation?.expected, `${connector.type}.${name}`).toBeTruthy();
        expect(expectation && "example" in expectation, `${connector.type}.${name} has an example`).toBe(true);
        expect(field.safeParse(expectation?.example).success, `${connector.type}.${name}: ${JSON.stringify(expectation)}`).toBe(true);
      }
    }
  });

  it("unknown_param: the nearest declared param and the params there are", () => {
    const { error } = errorOf([{ operation_type: "update", block_id: "hello", params: { nmae: "x" } }], "unknown_param");
    expect(error.details).toEqual({ params: ["name"], closest: ["name"] });
    expect(error.hint).toBe("send the value as params.name instead");
  });

  it("unresolved_reference to a block: the upstream blocks it may use, the ids there are, the nearest one", () => {
    const { error } = errorOf([{ operation_type: "update", block_id: "check", params: { left: "{{helo.message}}" } }], "unresolved_reference");
    expect(error.details).toEqual({ existing_block_ids: ["start", "hello", "check", "note"], upstream_block_ids: ["start", "hello"], closest: ["hello"] });
    expect(error.hint).toContain('did you mean "hello"?');
    expect(error.hint).toContain("upstream of it: start, hello");
  });

  it("unresolved_reference to a variable: the set_variables op, and the variables that are set", () => {
    const { error } = errorOf(
      [{ operation_type: "set_variables", variables: { region: "eu" } }, { operation_type: "update", block_id: "note", params: { message: "{{vars.regoin}}" } }],
      "unresolved_reference",
    );
    expect(error.details).toEqual({ variables: ["region"], closest: ["region"] });
    expect(error.hint).toContain('{"operation_type":"set_variables","variables":{"regoin":…}}');
  });

  it("reference_not_upstream to a downstream block joined by one edge: the reversed edge as ops, which fix it", () => {
    const { error, result } = errorOf(
      [add("ping", "http_request", { method: "GET", url: "https://x.test" }), add("up", "log", { message: "{{ping.status}}" }), connect("hello", "up"), connect("up", "ping")],
      "reference_not_upstream",
    );
    expect(error.error).toContain("downstream");
    expect(error.details?.upstream_block_ids).toEqual(["start", "hello"]);
    expect(error.details?.suggested_ops).toEqual([{ operation_type: "disconnect", block_id: "up", target_block_id: "ping" }, connect("ping", "up")]);
    expect(error.hint).toContain("the edge points the wrong way: disconnect up→ping and connect ping→up");
    const fixed = apply(result.definition, [...(error.details?.suggested_ops ?? []), connect("hello", "ping")]);
    expect(fixed.validationErrors).toEqual([]);
  });

  it("reference_not_upstream to a downstream block further away: no reversal, the upstream blocks it may use", () => {
    const { error } = errorOf([{ operation_type: "update", block_id: "hello", params: { name: "{{after.message}}" } }, add("after", "log", { message: "x" }), connect("check", "after")], "reference_not_upstream");
    expect(error.details).toEqual({ upstream_block_ids: ["start"] });
    expect(error.hint).toContain('make "after" run before "hello"');
  });

  it("reference_not_upstream to a block on another branch: the connect that makes it upstream, on the error handle for {{id.error…}}", () => {
    const { error, result } = errorOf([{ operation_type: "update", block_id: "note", params: { message: "{{hello.error.message}}" } }], "reference_not_upstream");
    expect(error.details?.suggested_ops).toEqual([connect("hello", "note", "error")]);
    expect(error.hint).toContain('on its error handle (source_handle "error")');
    expect(apply(result.definition, error.details?.suggested_ops ?? []).validationErrors).toEqual([]);
  });

  it("undeclared_output: the outputs the block has, written as templates", () => {
    const { error } = errorOf([{ operation_type: "update", block_id: "check", params: { left: "{{hello.mesage}}" } }], "undeclared_output");
    expect(error.details).toEqual({ outputs: ["message"], closest: ["message"] });
    expect(error.hint).toContain("{{hello.message}}");
  });

  it("no_trigger: the trigger types and the ops adding one before the entry blocks, which fix it", () => {
    const { error, result } = errorOf([add("a", "log", { message: "x" })], "no_trigger", emptyDefinition());
    expect(error.details?.trigger_types).toEqual(["trigger_manual", "trigger_webhook", "trigger_schedule"]);
    expect(error.details?.entry_block_ids).toEqual(["a"]);
    expect(error.details?.suggested_ops).toEqual([add("start", "trigger_manual"), connect("start", "a")]);
    expect(apply(result.definition, error.details?.suggested_ops ?? []).ok).toBe(true);
  });

  it("multiple_triggers: the remove op", () => {
    const { error } = errorOf([add("hook", "trigger_webhook")], "multiple_triggers");
    expect(error.details?.suggested_ops).toEqual([{ operation_type: "remove", block_id: "hook" }]);
  });

  it("the summary carries each validation error's hint", () => {
    const { result } = errorOf([add("g", "greet"), connect("hello", "g")], "missing_required_param");
    expect(result.summary).toContain('- g.name: missing_required_param: greet requires param "name" (Who to greet) — set params.name');
  });
});
