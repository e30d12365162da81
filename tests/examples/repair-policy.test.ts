/**
 * The repair-loop example's scripted model (examples/repair-loop/scripted-model.ts) knows nothing
 * the answers do not say: fed answers that name other types, params, handles, examples and ops
 * than Weft's, its next batch uses exactly those; without the structured fix it is stuck.
 */
import { describe, expect, it } from "vitest";
import { firstBatch, scriptedModel } from "@/examples/repair-loop/scripted-model";
import type { PatchResult, SkippedItem, ValidationError } from "@/examples/repair-loop/tools";

const model = scriptedModel("http://weft.test");
const sent = firstBatch("http://weft.test");

function answer(skipped: SkippedItem[], errors: ValidationError[] = []): PatchResult {
  return { ok: false, saved: true, version: 2, skipped_items: skipped, validation_errors: errors };
}
const skip = (index: number, reason_code: string, details?: Record<string, unknown>): SkippedItem => ({
  index,
  operation_type: String(sent[index].operation_type),
  block_id: sent[index].block_id ?? null,
  reason_code,
  reason: "…",
  ...(details && { details }),
});
const invalid = (block_id: string, field: string, code: string, value: unknown, details?: Record<string, unknown>): ValidationError => ({
  code,
  block_id,
  block_type: null,
  field,
  value,
  error: "…",
  ...(details && { details }),
});

describe("the scripted model repairs from the answer's structured fixes, whatever they say", () => {
  it("takes the type, handle, params to drop, example and ops the answer names", () => {
    const repair = model.repair(
      sent,
      answer(
        [
          skip(2, "block_type_not_registered", { closest: ["salute"], registered: ["salute", "greet"] }),
          skip(4, "hidden_param_in_input", { params: ["allow_private_network"] }),
          skip(9, "invalid_source_handle", { allowed: ["oops", "error"], closest: ["oops"] }),
        ],
        [
          invalid("ping", "method", "missing_required_param", undefined, { expected: "string", example: "FETCH" }),
          invalid("ping", "timeout_ms", "invalid_param", "5000", { expected: "string", example: "later" }),
          invalid("up", "message", "reference_not_upstream", "{{ping.body.status}}", { suggested_ops: [{ operation_type: "remove", block_id: "up" }] }),
        ],
      ),
    );
    if ("stuck" in repair) throw new Error(repair.stuck);
    expect(repair.ops).toEqual([
      { ...sent[2], type: "salute" },
      { ...sent[9], source_handle: "oops" },
      { operation_type: "update", block_id: "ping", params: { method: "FETCH" } },
      { operation_type: "update", block_id: "ping", params: { timeout_ms: "later" } },
      { operation_type: "remove", block_id: "up" },
    ]);
  });

  it("replaces a literal key with the reference the answer suggests (details.suggested_ops), whatever its name", () => {
    const suggested = { ...sent[10], params: { ...(sent[10].params as object), api_key: "{{secrets.TEAM_LLM}}" } };
    const repair = model.repair(sent, answer([skip(10, "secret_required", { params: ["api_key"], suggested_ops: [suggested] })]));
    if ("stuck" in repair) throw new Error(repair.stuck);
    expect(repair.ops).toEqual([suggested]);
    expect(repair.fixes[0].text).toContain('api_key → "{{secrets.TEAM_LLM}}"');
  });

  it("reads a numeric string as a number only when the answer's expected type is number", () => {
    const repair = model.repair(sent, answer([], [invalid("ping", "timeout_ms", "invalid_param", "5000", { expected: "number", example: 1 })]));
    expect(repair).toMatchObject({ ops: [{ operation_type: "update", block_id: "ping", params: { timeout_ms: 5000 } }] });
  });

  it("sends a connect again only with the fixed add it waited for (details.add_op)", () => {
    const waited = skip(1, "invalid_edge_target", { add_op: { index: 2, reason_code: "block_type_not_registered" } });
    const both = model.repair(sent, answer([waited, skip(2, "block_type_not_registered", { closest: ["greet"] })]));
    expect(both).toMatchObject({ ops: [{ ...sent[2], type: "greet" }, sent[1]] });
    expect(model.repair(sent, answer([waited]))).toEqual({ stuck: expect.stringContaining("no usable fix for op 1 (connect start→hello): invalid_edge_target") });
  });

  it.each([
    ["block_type_not_registered", 2, { registered: ["greet"] }],
    ["hidden_param_in_input", 4, { settable_params: ["method"] }],
    ["invalid_source_handle", 9, { allowed: ["error"] }],
    ["invalid_edge_target", 1, { existing_block_ids: ["start"] }],
    ["secret_required", 10, { params: ["api_key"] }],
  ])("%s without its structured fix is stuck, not guessed", (code, index, details) => {
    const repair = model.repair(sent, answer([skip(index, code, details)]));
    expect(repair).toEqual({ stuck: expect.stringMatching(new RegExp(`^no usable fix for op ${index} .*: ${code} — the answer gave no `)) });
  });

  it("a validation error without an example or suggested ops is stuck", () => {
    expect(model.repair(sent, answer([], [invalid("ping", "method", "missing_required_param", undefined, { expected: "string" })]))).toEqual({
      stuck: expect.stringContaining("no usable fix for ping.method: missing_required_param — the answer gave no example value"),
    });
    expect(model.repair(sent, answer([], [invalid("up", "message", "reference_not_upstream", "{{ping.status}}")]))).toEqual({
      stuck: expect.stringContaining("no usable fix for up.message: reference_not_upstream"),
    });
  });
});
