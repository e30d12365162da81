/**
 * Secret-only params (lib/engine/secret-only.ts, docs/connectors.md "Secret-only params"): a field
 * tagged `secretOnly` takes exactly one {{secrets.NAME}} reference. The registry refuses a
 * misplaced tag; the patch endpoint's engine skips an op that would store anything else there
 * (secret_required, with the fix as data and the value echoed nowhere); the validator flags a
 * definition that holds one; the catalog marks the params. Checked on a test connector, so the tag
 * stays generic.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { builtinConnectors } from "@/lib/connectors";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import { catalogEntryFull } from "@/lib/engine/catalog";
import { createRegistry, defineConnector, ui } from "@/lib/engine/connector";
import type { EditActor } from "@/lib/engine/ops";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import { validateDefinition } from "@/lib/engine/validate";

const KEY = "sk-live-4f9c2e7a1b8d6e3f0a5c";

function vault() {
  const secret = () => z.string().min(1).max(200);
  return defineConnector({
    type: "vault_call",
    name: "Vault call (test)",
    description: "Calls a vault with a key.",
    category: "test",
    kind: "action",
    params: z
      .object({
        url: z.string().describe("Where").meta(ui({ label: "URL" })),
        api_key: secret()
          .describe("The key")
          .meta({ secretOnly: true, ...ui({ label: "API key", widget: "secret", placeholder: "{{secrets.VAULT_KEY}}" }) }),
        auth: z
          .discriminatedUnion("type", [
            z.object({ type: z.literal("bearer"), token: secret().meta({ secretOnly: true, ...ui({ label: "Token", widget: "secret", placeholder: "{{secrets.API_TOKEN}}" }) }) }).strict(),
            z.object({ type: z.literal("basic"), username: z.string(), password: secret().meta({ secretOnly: true }) }).strict(),
          ])
          .optional()
          .describe("How to authenticate")
          .meta(ui({ label: "Auth", widget: "json" })),
      })
      .strict(),
    outputs: z.object({ ok: z.boolean() }),
    run: async () => ({ ok: true }),
  });
}

const registry = createRegistry([...builtinConnectors, vault()]);

const trigger = { operation_type: "add", block_id: "trg", type: "trigger_manual" };
const addVault = (params: Record<string, unknown>) => ({ operation_type: "add", block_id: "v", type: "vault_call", params: { url: "https://vault.example", ...params } });

function apply(ops: unknown[], actor: EditActor = "api_key", definition: WorkflowDefinition = emptyDefinition()) {
  return applyEditOps(definition, ops, registry, { actor });
}

/** A workflow holding a valid vault block, connected to a trigger. */
function withVault(): WorkflowDefinition {
  const result = apply([trigger, addVault({ api_key: "{{secrets.VAULT_KEY}}" }), { operation_type: "connect", block_id: "trg", target_block_id: "v" }]);
  expect(result.ok, result.summary).toBe(true);
  return result.definition;
}

describe("the patch endpoint skips an op that would store a value in a secret-only param", () => {
  it.each<EditActor>(["api_key", "user"])("an add with a literal key is skipped as secret_required for %s callers, and the key is in no part of the answer", (actor) => {
    const result = apply([trigger, addVault({ api_key: KEY })], actor);
    expect(result.skipped).toHaveLength(1);
    const [item] = result.skipped;
    expect(item).toMatchObject({ index: 1, operation_type: "add", block_id: "v", reason_code: "secret_required" });
    expect(item.reason).toContain("api_key of vault_call takes only a {{secrets.NAME}} reference");
    expect(item.hint).toContain('api_key: "{{secrets.VAULT_KEY}}"');
    expect(item.details).toEqual({
      params: ["api_key"],
      suggested_ops: [{ operation_type: "add", block_id: "v", type: "vault_call", params: { url: "https://vault.example", api_key: "{{secrets.VAULT_KEY}}" } }],
    });
    expect(result.definition.blocks.map((b) => b.id)).toEqual(["trg"]);
    expect(JSON.stringify(result)).not.toContain(KEY);
  });

  it("the suggested op applies as it is", () => {
    const first = apply([trigger, addVault({ api_key: KEY })]);
    const retried = apply([...(first.skipped[0].details?.suggested_ops ?? []), { operation_type: "connect", block_id: "trg", target_block_id: "v" }], "api_key", first.definition);
    expect(retried.skipped).toEqual([]);
    expect(retried.ok, retried.summary).toBe(true);
  });

  it.each([
    ["a value", KEY],
    ["a reference inside longer text", "Bearer {{secrets.VAULT_KEY}}"],
    ["two references", "{{secrets.A}}{{secrets.B}}"],
    ["a reference to the run input", "{{trg.body.key}}"],
    ["a variable", "{{vars.key}}"],
    ["a number", 12345],
    ["an object", { key: KEY }],
  ])("an update setting api_key to %s is skipped and changes nothing", (_name, value) => {
    const before = withVault();
    const result = apply([{ operation_type: "edit", block_id: "v", params: { api_key: value, url: "https://other.example" } }], "api_key", before);
    expect(result.skipped.map((s) => s.reason_code)).toEqual(["secret_required"]);
    expect(result.changed).toBe(false);
    expect(result.skipped[0].details?.suggested_ops).toEqual([{ operation_type: "update", block_id: "v", params: { api_key: "{{secrets.VAULT_KEY}}", url: "https://other.example" } }]);
    expect(JSON.stringify(result.skipped)).not.toContain(KEY);
  });

  it("a {{secrets.NAME}} reference, with spaces inside the braces, and null (removal) are accepted", () => {
    const result = apply(
      [
        { operation_type: "update", block_id: "v", params: { api_key: "{{ secrets.OTHER_KEY }}" } },
        { operation_type: "update", block_id: "v", params: { api_key: null } },
      ],
      "api_key",
      withVault(),
    );
    expect(result.skipped).toEqual([]);
    expect(result.definition.blocks[1].params).toEqual({ url: "https://vault.example" });
  });

  it("a secret-only field inside an object param: a literal token is skipped with the field's path, and the suggested op keeps the rest", () => {
    const result = apply([{ operation_type: "update", block_id: "v", params: { auth: { type: "basic", username: "ada", password: KEY } } }], "api_key", withVault());
    expect(result.skipped[0]).toMatchObject({ reason_code: "secret_required", details: { params: ["auth.password"] } });
    expect(result.skipped[0].details?.suggested_ops).toEqual([
      { operation_type: "update", block_id: "v", params: { auth: { type: "basic", username: "ada", password: "{{secrets.PASSWORD}}" } } },
    ]);
    const bearer = apply([{ operation_type: "update", block_id: "v", params: { auth: { type: "bearer", token: "{{secrets.API_TOKEN}}" } } }], "api_key", withVault());
    expect(bearer.skipped).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(KEY);
  });

  it("an object param holding a secret-only field cannot be one template (the field would not come from a secret)", () => {
    const result = apply([{ operation_type: "update", block_id: "v", params: { auth: "{{trg.body.auth}}" } }], "api_key", withVault());
    expect(result.skipped[0]).toMatchObject({ reason_code: "secret_required", details: { params: ["auth"] } });
    expect(result.skipped[0].details?.suggested_ops).toBeUndefined();
    expect(result.skipped[0].hint).toContain("write auth out as an object");
  });

  it("a near miss of a secret-only param (apiKey) is dropped as unknown_param without echoing its value", () => {
    const result = apply([trigger, addVault({ apiKey: KEY })]);
    const unknown = result.validationErrors.find((e) => e.code === "unknown_param");
    expect(unknown).toMatchObject({ field: "apiKey", details: { closest: ["api_key"] } });
    expect(unknown).not.toHaveProperty("value");
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});

describe("validation flags a stored definition holding a value in a secret-only param", () => {
  const stored = (params: Record<string, unknown>): WorkflowDefinition => ({
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "v", type: "vault_call", params: { url: "https://vault.example", ...params } },
    ],
    edges: [{ source: "trg", target: "v" }],
  });

  it("secret_required names the field and gives the update writing a reference; the value is in no error", () => {
    const errors = validateDefinition(stored({ api_key: KEY, auth: { type: "bearer", token: 42 } }), registry);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["secret_required", "api_key"],
      ["secret_required", "auth.token"],
    ]);
    expect(errors[0]).toMatchObject({
      block_id: "v",
      block_type: "vault_call",
      details: { expected: "{{secrets.NAME}}", example: "{{secrets.VAULT_KEY}}", suggested_ops: [{ operation_type: "update", block_id: "v", params: { api_key: "{{secrets.VAULT_KEY}}" } }] },
    });
    expect(errors[1].details?.suggested_ops).toEqual([{ operation_type: "update", block_id: "v", params: { auth: { type: "bearer", token: "{{secrets.API_TOKEN}}" } } }]);
    expect(errors[0].error).toContain("cannot run");
    expect(JSON.stringify(errors)).not.toContain(KEY);
  });

  it("a missing required secret-only param offers a reference as its example, and a stored reference is valid", () => {
    const missing = validateDefinition(stored({}), registry);
    expect(missing).toEqual([expect.objectContaining({ code: "missing_required_param", field: "api_key", details: { expected: "string", example: "{{secrets.VAULT_KEY}}" } })]);
    expect(validateDefinition(stored({ api_key: "{{secrets.VAULT_KEY}}" }), registry)).toEqual([]);
  });

  it("a zod issue about an object param holding a secret-only field does not echo the object", () => {
    const errors = validateDefinition(stored({ api_key: "{{secrets.VAULT_KEY}}", auth: { type: "basic", username: "ada", password: KEY, colour: "red" } }), registry);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["secret_required", "auth.password"],
      ["invalid_param", "auth"],
    ]);
    expect(errors[1]).not.toHaveProperty("value");
    expect(JSON.stringify(errors)).not.toContain(KEY);
  });
});

describe("declarations", () => {
  const connectorWith = (field: z.ZodType) =>
    defineConnector({ type: "bad_secret", name: "Bad", description: "Bad.", category: "test", kind: "action", params: z.object({ field }).strict(), outputs: z.object({}), run: async () => ({}) });
  const secretUi = ui({ label: "Key", widget: "secret" });

  it.each([
    ["a number", z.number().meta({ secretOnly: true, ...secretUi }), /must be a string/],
    ["templates: false", z.string().meta({ secretOnly: true, templates: false, ...secretUi }), /cannot be templates: false/],
    ["hidden", z.string().meta({ secretOnly: true, visibility: "hidden", ...secretUi }), /cannot be hidden/],
    ["a top-level param without the secret widget", z.string().meta({ secretOnly: true, ...ui({ label: "Key" }) }), /widget: "secret"/],
    ["inside an array", z.array(z.object({ key: z.string().meta({ secretOnly: true }) })), /inside an array, record or pipe/],
    ["inside a record", z.record(z.string(), z.string().meta({ secretOnly: true })), /inside an array, record or pipe/],
  ])("createRegistry refuses a secretOnly tag on %s", (_name, field, message) => {
    expect(() => createRegistry([connectorWith(field)])).toThrow(message);
  });

  it("the full catalog marks secret-only params and fields, and its JSON Schema carries no tag or hint at any depth", () => {
    const entry = catalogEntryFull(vault());
    const byName = Object.fromEntries(entry.params.map((p) => [p.name, p]));
    expect(byName.api_key).toMatchObject({ secretOnly: true, ui: { widget: "secret", placeholder: "{{secrets.VAULT_KEY}}" } });
    expect(byName.auth).toMatchObject({ type: "object", secretOnlyFields: ["token", "password"] });
    expect(byName.url).not.toHaveProperty("secretOnly");
    expect(JSON.stringify(entry.paramsSchema)).not.toMatch(/"secretOnly"|"ui"|"widget"/);
  });
});
