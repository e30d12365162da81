import { describe, expect, it } from "vitest";
import { connectorRegistry } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { emptyDefinition, type Block, type WorkflowDefinition } from "@/lib/engine/model";
import type { ValidationError } from "@/lib/engine/ops";
import { validateDefinition } from "@/lib/engine/validate";
import { workflowReferences } from "@/lib/engine/validate-workflow-references";

function apply(definition: WorkflowDefinition, ops: unknown[]) {
  return applyEditOps(definition, ops, connectorRegistry, { actor: "api_key" });
}

const trigger = { operation_type: "add", block_id: "trg", type: "trigger_webhook" };
const connect = (source: string, target: string, handle?: string) =>
  handle === undefined
    ? { operation_type: "connect", block_id: source, target_block_id: target }
    : { operation_type: "connect", block_id: source, target_block_id: target, source_handle: handle };

/** Applies trigger + ops and returns the validation errors, without the per-error prose and fix (tests/engine/repair-hints.test.ts checks those). */
function errorsAfter(ops: unknown[]): Omit<ValidationError, "error" | "hint" | "details">[] {
  const result = apply(emptyDefinition(), [trigger, ...ops]);
  expect(result.skipped).toEqual([]);
  return result.validationErrors.map(({ error, hint, details: _details, ...rest }) => {
    expect(error.length).toBeGreaterThan(10);
    expect(hint.length).toBeGreaterThan(10);
    return rest;
  });
}

describe("validateDefinition: params", () => {
  it("a missing required param is missing_required_param with its field", () => {
    expect(errorsAfter([{ operation_type: "add", block_id: "g", type: "greet" }, connect("trg", "g")])).toEqual([
      { code: "missing_required_param", block_id: "g", block_type: "greet", field: "name" },
    ]);
  });

  it("a wrong value is invalid_param with field, value and the zod message; the block stays and an update fixes it", () => {
    const result = apply(emptyDefinition(), [
      trigger,
      { operation_type: "add", block_id: "w", type: "wait_duration", params: { seconds: "soon" } },
      connect("trg", "w"),
    ]);
    expect(result.validationErrors).toHaveLength(1);
    expect(result.validationErrors[0]).toMatchObject({ code: "invalid_param", block_id: "w", field: "seconds", value: "soon" });
    expect(result.validationErrors[0].error).toMatch(/expected number/);
    expect(result.definition.blocks[1].params).toEqual({ seconds: "soon" });
    const fixed = apply(result.definition, [{ operation_type: "update", block_id: "w", params: { seconds: 5 } }]);
    expect(fixed.ok).toBe(true);
  });

  it("a string holding a {{…}} template passes type checks, at any depth", () => {
    expect(
      errorsAfter([
        { operation_type: "add", block_id: "w", type: "wait_duration", params: { seconds: "{{trg.body.n}}" } },
        {
          operation_type: "add",
          block_id: "h",
          type: "http_request",
          params: { method: "POST", url: "https://x.test", headers: "{{trg.headers}}", query: { n: "{{trg.body.n}}" }, timeout_ms: "{{vars.t}}" },
        },
        { operation_type: "set_variables", variables: { t: 1000 } },
        connect("trg", "w"),
        connect("trg", "h"),
      ]),
    ).toEqual([]);
  });

  it("a string without a template is still type-checked", () => {
    const errors = errorsAfter([{ operation_type: "add", block_id: "w", type: "wait_duration", params: { seconds: "{{ }}" } }, connect("trg", "w")]);
    expect(errors.map((e) => e.code)).toEqual(["invalid_param"]);
  });

  it("an unknown param is dropped from the block and reported as unknown_param; the op still applies", () => {
    const result = apply(emptyDefinition(), [
      trigger,
      { operation_type: "add", block_id: "g", type: "greet", params: { name: "x", nam: "typo" } },
      connect("trg", "g"),
    ]);
    expect(result.skipped).toEqual([]);
    expect(result.definition.blocks[1].params).toEqual({ name: "x" });
    expect(result.applied[1]).toEqual({ operation_type: "add", block_id: "g", type: "greet", params: { name: "x" } });
    expect(result.validationErrors).toEqual([
      expect.objectContaining({ code: "unknown_param", block_id: "g", block_type: "greet", field: "nam", value: "typo" }),
    ]);
    expect(result.validationErrors[0].error).toContain('Did you mean "name"?');
    const removed = apply(result.definition, [{ operation_type: "update", block_id: "g", params: { nam: 1 } }, { operation_type: "remove", block_id: "g" }]);
    expect(removed.validationErrors).toEqual([]);
  });

  it("a stored block with a key its connector does not declare is reported as unknown_param", () => {
    const definition: WorkflowDefinition = {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "g", type: "greet", params: { name: "x", legacy: true } },
      ],
      edges: [{ source: "trg", target: "g" }],
    };
    expect(validateDefinition(definition, connectorRegistry)).toEqual([
      expect.objectContaining({ code: "unknown_param", block_id: "g", field: "legacy", value: true }),
    ]);
  });

  it("an invalid hidden param is reported without its value", () => {
    const definition: WorkflowDefinition = {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "h", type: "http_request", params: { method: "GET", url: "https://x.test", allow_private_network: "operator-secret" } },
      ],
      edges: [{ source: "trg", target: "h" }],
    };
    const errors = validateDefinition(definition, connectorRegistry);
    expect(errors.map((e) => [e.code, e.field])).toEqual([["invalid_param", "allow_private_network"]]);
    expect(JSON.stringify(errors)).not.toContain("operator-secret");
  });
});

describe("validateDefinition: references", () => {
  it("trigger and secrets references are always fine; vars must exist", () => {
    const errors = errorsAfter([
      { operation_type: "set_variables", variables: { region: "eu" } },
      { operation_type: "add", block_id: "l", type: "log", params: { message: "{{trigger.x}} {{secrets.API_KEY}} {{vars.region}} {{vars.missing}}" } },
      connect("trg", "l"),
    ]);
    expect(errors).toEqual([{ code: "unresolved_reference", block_id: "l", block_type: "log", field: "message", value: "{{vars.missing}}" }]);
  });

  it("a secret reference no secret could ever be named is unresolved_reference", () => {
    for (const message of ["{{secrets.bad-name}}", "{{secrets.lower}}", "{{secrets}}", "{{secrets.API_KEY.part}}", `{{secrets.${"A".repeat(65)}}}`]) {
      const errors = errorsAfter([{ operation_type: "add", block_id: "l", type: "log", params: { message } }, connect("trg", "l")]);
      expect(errors.map((e) => [e.code, e.field, e.value]), message).toEqual([["unresolved_reference", "message", message]]);
    }
    const fine = errorsAfter([{ operation_type: "add", block_id: "l", type: "log", params: { message: `{{secrets.A}} {{secrets.${"A".repeat(64)}}}` } }, connect("trg", "l")]);
    expect(fine).toEqual([]);
  });

  it("a reference to an unknown block is unresolved_reference", () => {
    const errors = errorsAfter([{ operation_type: "add", block_id: "l", type: "log", params: { message: "{{ghost.message}}" } }, connect("trg", "l")]);
    expect(errors.map((e) => [e.code, e.field, e.value])).toEqual([["unresolved_reference", "message", "{{ghost.message}}"]]);
  });

  it("references to downstream, sibling and the block itself are reference_not_upstream", () => {
    const errors = errorsAfter([
      { operation_type: "add", block_id: "a", type: "greet", params: { name: "{{b.message}}" } },
      { operation_type: "add", block_id: "b", type: "greet", params: { name: "{{trg.body.n}}" } },
      { operation_type: "add", block_id: "c", type: "greet", params: { name: "{{b.message}}" } },
      { operation_type: "add", block_id: "d", type: "log", params: { message: "{{d.message}} {{a.message}}" } },
      connect("trg", "a"),
      connect("a", "b"),
      connect("trg", "c"),
      connect("a", "d"),
    ]);
    expect(errors.map((e) => [e.code, e.block_id, e.value])).toEqual([
      ["reference_not_upstream", "a", "{{b.message}}"],
      ["reference_not_upstream", "c", "{{b.message}}"],
      ["reference_not_upstream", "d", "{{d.message}}"],
    ]);
  });

  it("a reference to an output the connector does not declare is undeclared_output", () => {
    const errors = errorsAfter([
      { operation_type: "add", block_id: "g", type: "greet", params: { name: "{{trg.body.name}} {{trg.bdy}}" } },
      { operation_type: "add", block_id: "l", type: "log", params: { message: "{{g.mesage}} {{g.message.length}}" } },
      connect("trg", "g"),
      connect("g", "l"),
    ]);
    expect(errors.map((e) => [e.code, e.block_id, e.value])).toEqual([
      ["undeclared_output", "g", "{{trg.bdy}}"],
      ["undeclared_output", "l", "{{g.mesage}}"],
    ]);
  });

  it("error is a declared output of actions and waits (error branches), not of logic blocks", () => {
    const errors = errorsAfter([
      { operation_type: "add", block_id: "h", type: "http_request", params: { method: "GET", url: "https://x.test" } },
      { operation_type: "add", block_id: "c", type: "condition", params: { left: "{{h.status}}", op: "eq", right: 200 } },
      { operation_type: "add", block_id: "l", type: "log", params: { message: "{{h.error.message}} {{c.error.message}}" } },
      connect("trg", "h"),
      connect("h", "c"),
      connect("c", "l", "false"),
    ]);
    expect(errors.map((e) => [e.code, e.value])).toEqual([["undeclared_output", "{{c.error.message}}"]]);
  });

  it("a trigger with open outputs can be referenced by any key", () => {
    const result = apply(emptyDefinition(), [
      { operation_type: "add", block_id: "start", type: "trigger_manual" },
      { operation_type: "add", block_id: "g", type: "greet", params: { name: "{{start.anything.at.all}}" } },
      connect("start", "g"),
    ]);
    expect(result.ok).toBe(true);
  });

  it("ancestors are found through long chains and diamonds", () => {
    const ops: unknown[] = [];
    for (let i = 0; i < 300; i++) {
      ops.push({ operation_type: "add", block_id: `s${i}`, type: "transform", params: { value: { first: i === 0 ? "{{trg.body}}" : "{{s0.value}}", prev: i > 0 ? `{{s${i - 1}.value}}` : 1 } } });
      ops.push(connect(i === 0 ? "trg" : `s${i - 1}`, `s${i}`));
    }
    ops.push({ operation_type: "add", block_id: "left", type: "greet", params: { name: "{{s299.value}}" } });
    ops.push({ operation_type: "add", block_id: "right", type: "greet", params: { name: "{{s10.value}}" } });
    ops.push({ operation_type: "add", block_id: "join", type: "log", params: { message: "{{left.message}} {{right.message}} {{s5.value}}" } });
    ops.push(connect("s299", "left"), connect("s299", "right"), connect("left", "join"), connect("right", "join"));
    expect(errorsAfter(ops)).toEqual([]);
  });

  it("a definition with a cycle (not produced by applyEditOps) is validated without throwing", () => {
    const blocks: Block[] = [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "a", type: "greet", params: { name: "{{b.message}}" } },
      { id: "b", type: "greet", params: { name: "{{b.message}}" } },
    ];
    const definition = { blocks, edges: [{ source: "trg", target: "a" }, { source: "a", target: "b" }, { source: "b", target: "a" }] };
    expect(validateDefinition(definition, connectorRegistry).map((e) => [e.code, e.block_id])).toEqual([["reference_not_upstream", "b"]]);
  });
});

describe("validateDefinition: params that take no templates", () => {
  it("{{…}} in code's code is text: never an unresolved reference, and its length is still checked; input's templates are", () => {
    expect(
      errorsAfter([
        { operation_type: "add", block_id: "calc", type: "code", params: { code: "return `{{nowhere.x}} ${input}`;", input: "{{nowhere.y}}" } },
        connect("trg", "calc"),
      ]),
    ).toEqual([{ code: "unresolved_reference", block_id: "calc", block_type: "code", field: "input", value: "{{nowhere.y}}" }]);
    expect(
      errorsAfter([{ operation_type: "add", block_id: "calc", type: "code", params: { code: `{{trg.x}}${" ".repeat(100_000)}` } }, connect("trg", "calc")]),
    ).toEqual([expect.objectContaining({ code: "invalid_param", field: "code" })]);
  });
});

describe("validateDefinition: triggers and order", () => {
  it("an empty workflow has no validation errors", () => {
    expect(validateDefinition(emptyDefinition(), connectorRegistry)).toEqual([]);
  });

  it("blocks without a trigger give no_trigger", () => {
    const result = apply(emptyDefinition(), [{ operation_type: "add", block_id: "l", type: "log", params: { message: "m" } }]);
    expect(result.validationErrors.map((e) => [e.code, e.block_id])).toEqual([["no_trigger", null]]);
    expect(result.ok).toBe(false);
  });

  it("a second trigger gives multiple_triggers naming the extra one", () => {
    const errors = errorsAfter([{ operation_type: "add", block_id: "cron", type: "trigger_schedule" }]);
    expect(errors).toEqual([{ code: "multiple_triggers", block_id: "cron", block_type: "trigger_schedule" }]);
  });

  it("errors come in block order, unknown params first for their block, trigger rules last", () => {
    const result = apply(emptyDefinition(), [
      { operation_type: "add", block_id: "a", type: "greet", params: { bogus: 1 } },
      { operation_type: "add", block_id: "b", type: "log", params: { message: "{{zz.x}}" } },
    ]);
    expect(result.validationErrors.map((e) => [e.code, e.block_id])).toEqual([
      ["unknown_param", "a"],
      ["missing_required_param", "a"],
      ["unresolved_reference", "b"],
      ["no_trigger", null],
    ]);
  });

  it("a block whose type is no longer registered does not break validation", () => {
    const definition = { blocks: [{ id: "trg", type: "trigger_manual", params: {} }, { id: "old", type: "retired_type", params: { x: "{{trigger.y}}" } }], edges: [] };
    expect(validateDefinition(definition, connectorRegistry)).toEqual([]);
  });
});

describe("validateDefinition: workflow references (call_workflow)", () => {
  const definition = (workflowId: string): WorkflowDefinition => ({
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "call", type: "call_workflow", params: { workflow_id: workflowId } },
    ],
    edges: [{ source: "trg", target: "call" }],
  });
  const directory = { has: (id: string) => id === "wf_known", choices: [{ id: "wf_known", name: "Known" }] };

  it("workflowReferences lists literal ids only; templates are left to run time", () => {
    expect(workflowReferences(definition("wf_x"), connectorRegistry)).toEqual([{ blockId: "call", field: "workflow_id", workflowId: "wf_x" }]);
    expect(workflowReferences(definition("{{trg.wf}}"), connectorRegistry)).toEqual([]);
  });

  it("an id the directory does not have is unknown_workflow; without a directory (no organization at hand) it is not checked", () => {
    expect(validateDefinition(definition("wf_known"), connectorRegistry, { workflows: directory })).toEqual([]);
    const [error, ...rest] = validateDefinition(definition("wf_gone"), connectorRegistry, { workflows: directory });
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ code: "unknown_workflow", block_id: "call", field: "workflow_id", value: "wf_gone", details: { workflows: [{ id: "wf_known", name: "Known" }] } });
    expect(validateDefinition(definition("wf_gone"), connectorRegistry)).toEqual([]);
    expect(validateDefinition(definition("{{trg.wf}}"), connectorRegistry, { workflows: directory })).toEqual([]);
  });
});
