/**
 * Hints good enough to repair from, over HTTP (issue 13, Build 5; docs/patch-endpoint.md): an
 * API-key agent's batch with the usual model mistakes comes back with each fix as data in
 * `details`, the second batch is built from those fields alone and reaches ok: true, and the
 * OpenAPI document describes the fields.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createAppWithAgent, type TestApp } from "../helpers/api";

let app: TestApp;
let agent: Record<string, string>;

beforeAll(async () => {
  ({ app, agent } = await createAppWithAgent());
});
afterAll(async () => {
  await app?.close();
});

interface Skip {
  index: number;
  reason_code: string;
  hint: string;
  details?: Record<string, unknown> & { closest?: string[]; params?: string[]; add_op?: { index: number; reason_code?: string } };
}
interface Invalid {
  code: string;
  block_id: string;
  field?: string;
  hint: string;
  details?: { expected?: string; example?: unknown; upstream_block_ids?: string[]; suggested_ops?: unknown[] };
}

describe("an agent repairs from the structured fixes over HTTP", () => {
  it("every mistake of a first batch comes back with its fix as data, and a second batch built from it is ok", async () => {
    const created = await call(app, "POST", "/api/workflows", { headers: agent, body: { name: "repair" } });
    const id: string = created.body.id;
    const first = [
      { operation_type: "add", block_id: "start", type: "trigger_manual" },
      { operation_type: "connect", block_id: "start", target_block_id: "hello" },
      { operation_type: "add", block_id: "hello", type: "greeting", params: { name: "{{start.name}}" } },
      { operation_type: "add", block_id: "ping", type: "http_request", params: { url: "https://example.com/health", timeout_ms: "5000" } },
      { operation_type: "update", block_id: "ping", params: { allow_private_network: true } },
      { operation_type: "connect", block_id: "hello", target_block_id: "ping" },
      { operation_type: "add", block_id: "up", type: "log", params: { message: "Weft is {{ping.body.status}}." } },
      { operation_type: "connect", block_id: "up", target_block_id: "ping" },
      { operation_type: "add", block_id: "down", type: "log", params: { message: "failed: {{ping.error.message}}" } },
      { operation_type: "connect", block_id: "ping", target_block_id: "down", source_handle: "on_error" },
    ];
    const res = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: first } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    const skips = new Map<string, Skip>((res.body.skipped_items as Skip[]).map((s) => [`${s.index}:${s.reason_code}`, s]));
    expect([...skips.keys()]).toEqual(["1:invalid_edge_target", "2:block_type_not_registered", "4:hidden_param_in_input", "5:invalid_edge_source", "9:invalid_source_handle"]);
    expect(skips.get("1:invalid_edge_target")?.details?.add_op).toEqual({ index: 2, reason_code: "block_type_not_registered" });
    expect(skips.get("5:invalid_edge_source")?.details?.add_op).toEqual({ index: 2, reason_code: "block_type_not_registered" });
    expect(skips.get("2:block_type_not_registered")?.details?.closest).toEqual(["greet"]);
    expect(skips.get("4:hidden_param_in_input")?.details?.params).toEqual(["allow_private_network"]);
    expect(skips.get("9:invalid_source_handle")?.details).toEqual({ allowed: ["error"], closest: ["error"] });
    const errors = new Map<string, Invalid>((res.body.validation_errors as Invalid[]).map((e) => [`${e.block_id}.${e.field}:${e.code}`, e]));
    expect([...errors.keys()]).toEqual([
      "ping.method:missing_required_param",
      "ping.timeout_ms:invalid_param",
      "up.message:reference_not_upstream",
      "down.message:reference_not_upstream",
    ]);
    expect(errors.get("ping.method:missing_required_param")?.details).toMatchObject({ expected: expect.stringMatching(/^enum\(GET\|/), example: "GET" });
    expect(errors.get("ping.timeout_ms:invalid_param")?.details).toEqual({ expected: "number", example: 30000 });
    expect(errors.get("up.message:reference_not_upstream")?.details?.suggested_ops).toEqual([
      { operation_type: "disconnect", block_id: "up", target_block_id: "ping" },
      { operation_type: "connect", block_id: "ping", target_block_id: "up" },
    ]);
    for (const s of skips.values()) expect(s.hint.length, s.reason_code).toBeGreaterThan(20);
    for (const e of errors.values()) expect(e.hint.length, e.code).toBeGreaterThan(20);

    // The second batch uses only what the response gave: the closest type, the add to resend with
    // its connects, the params to drop, the closest handle, the examples, the suggested edge reversal.
    const byIndex = (index: number) => first[index] as Record<string, unknown>;
    const second: unknown[] = [
      { ...byIndex(2), type: skips.get("2:block_type_not_registered")?.details?.closest?.[0] },
      byIndex(1),
      byIndex(5),
      { ...byIndex(9), source_handle: skips.get("9:invalid_source_handle")?.details?.closest?.[0] },
      { operation_type: "update", block_id: "ping", params: { method: errors.get("ping.method:missing_required_param")?.details?.example } },
      { operation_type: "update", block_id: "ping", params: { timeout_ms: errors.get("ping.timeout_ms:invalid_param")?.details?.example } },
      ...(errors.get("up.message:reference_not_upstream")?.details?.suggested_ops ?? []),
    ];
    const fixed = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: second } });
    expect(fixed.body.skipped_items).toEqual([]);
    expect(fixed.body.validation_errors).toEqual([]);
    expect(fixed.body.ok).toBe(true);
    const edges = fixed.body.workflow.definition.edges;
    expect(edges).toHaveLength(4);
    expect(edges).toEqual(
      expect.arrayContaining([
        { source: "start", target: "hello" },
        { source: "hello", target: "ping" },
        { source: "ping", target: "up" },
        { source: "ping", target: "down", sourceHandle: "error" },
      ]),
    );
  });

  it("the OpenAPI document describes the structured fixes of skips and validation errors", async () => {
    const doc = (await call(app, "GET", "/api/openapi.json")).body;
    const schemas = doc.components.schemas;
    expect(schemas.SkippedItem.properties.details).toEqual({ $ref: "#/components/schemas/SkipDetails" });
    for (const field of ["registered", "closest", "allowed", "params", "settable_params", "existing_block_ids", "add_op", "suggested_ops"]) {
      expect(schemas.SkipDetails.properties[field]?.description, field).toBeTruthy();
    }
    expect(schemas.ValidationError.required).toContain("hint");
    expect(schemas.ValidationError.properties.details).toEqual({ $ref: "#/components/schemas/ValidationDetails" });
    for (const field of ["expected", "example", "upstream_block_ids", "existing_block_ids", "suggested_ops"]) {
      expect(schemas.ValidationDetails.properties[field]?.description, field).toBeTruthy();
    }
  });
});
