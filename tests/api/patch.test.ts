/**
 * The patch endpoint over HTTP (docs/patch-endpoint.md): the quickstart loop, every skip code, dry_run and
 * atomic, If-Match, and concurrent writers (with If-Match exactly one wins; without it nobody
 * loses an update).
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlaneApi } from "@/lib/api";
import { builtinConnectors } from "@/lib/connectors";
import { createRegistry } from "@/lib/engine/connector";
import { call, createAppWithAgent, type TestApp, type TestUser } from "../helpers/api";
import { approvalRequestConnector } from "../helpers/connectors";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let agentKeyId: string;

beforeAll(async () => {
  ({ app, owner, agent, agentKeyId } = await createAppWithAgent());
});
afterAll(async () => {
  await app?.close();
});

async function createWorkflow(definition?: unknown, headers = agent): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: definition ? { definition } : {} });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

function patch(id: string, body: unknown, headers: Record<string, string> = agent, target: TestApp = app) {
  return call(target, "POST", `/api/workflows/${id}/operations`, { headers, body });
}

async function read(id: string) {
  const res = await call(app, "GET", `/api/workflows/${id}`, { headers: agent });
  expect(res.status).toBe(200);
  return res.body;
}

/** trg (webhook trigger) → a (log) → b (log), plus greet `g` unconnected. */
const baseDefinition = {
  blocks: [
    { id: "trg", type: "trigger_webhook", params: {} },
    { id: "a", type: "log", params: { message: "a" } },
    { id: "b", type: "log", params: { message: "b" } },
    { id: "g", type: "greet", params: { name: "Ada" } },
  ],
  edges: [
    { source: "trg", target: "a" },
    { source: "a", target: "b" },
  ],
};

describe("the quickstart patch loop", () => {
  it("an agent creates a workflow, adds a webhook trigger and greet, connects them, and reads it back", async () => {
    const id = await createWorkflow();
    const res = await patch(id, {
      ops: [
        { operation_type: "add", block_id: "trg", type: "trigger_webhook" },
        { operation_type: "add", block_id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
        { operation_type: "connect", block_id: "trg", target_block_id: "greet" },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, saved: true, version: 2, skipped_items: [], validation_errors: [], dropped_keys: [] });
    expect(res.body.summary).toContain("Applied 3 of 3 ops");
    expect(res.body.workflow).toMatchObject({ id, version: 2 });

    const back = await read(id);
    expect(back.version).toBe(2);
    expect(back.definition.blocks).toEqual([
      expect.objectContaining({ id: "trg", type: "trigger_webhook" }),
      expect.objectContaining({ id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } }),
    ]);
    expect(back.definition.edges).toEqual([{ source: "trg", target: "greet" }]);
    expect(back).toEqual(res.body.workflow);

    const v2 = await call(app, "GET", `/api/workflows/${id}/versions/2`, { headers: agent });
    expect(v2.body).toMatchObject({ actor: `api_key:${agentKeyId}`, source: "edit" });
    expect(v2.body.ops).toHaveLength(3);
  });

  it("every op type and alias applies through HTTP, and the version records the session user as actor", async () => {
    const id = await createWorkflow(baseDefinition, owner.bearer);
    const res = await patch(
      id,
      {
        ops: [
          { operation_type: "edit", block_id: "a", name: "First", params: { message: "changed", level: "warn" } },
          { operation_type: "update", block_id: "a", params: { level: null } },
          { operation_type: "disconnect", block_id: "a", target_block_id: "b" },
          { operation_type: "delete", block_id: "b" },
          { operation_type: "connect", block_id: "a", target_block_id: "g" },
          { operation_type: "set_variables", variables: { region: "eu", gone: null } },
        ],
      },
      owner.bearer,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, saved: true, version: 2 });
    const def = res.body.workflow.definition;
    expect(def.blocks.find((b: { id: string }) => b.id === "a")).toMatchObject({ name: "First", params: { message: "changed" } });
    expect(def.blocks.find((b: { id: string }) => b.id === "a").params).not.toHaveProperty("level");
    expect(def.blocks.map((b: { id: string }) => b.id)).toEqual(["trg", "a", "g"]);
    expect(def.edges).toEqual([{ source: "trg", target: "a" }, { source: "a", target: "g" }]);
    expect(def.variables).toEqual({ region: "eu" });
    const v2 = await call(app, "GET", `/api/workflows/${id}/versions/2`, { headers: agent });
    expect(v2.body.actor).toBe(`user:${owner.userId}`);
    expect(v2.body.ops.map((op: { operation_type: string }) => op.operation_type)).toEqual([
      "update",
      "update",
      "disconnect",
      "remove",
      "connect",
      "set_variables",
    ]);
  });

  it("unknown keys on an op are dropped and reported; the op still applies", async () => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [{ operation_type: "update", block_id: "g", params: { name: "Bo" }, colour: "red" }] });
    expect(res.status).toBe(200);
    expect(res.body.dropped_keys).toEqual([{ index: 0, keys: ["colour"] }]);
    expect(res.body.workflow.definition.blocks.find((b: { id: string }) => b.id === "g").params).toEqual({ name: "Bo" });
  });

  it("an unknown workflow is 404 not_found", async () => {
    const res = await patch("wf_nope", { ops: [] });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
  });
});

describe("skip, don't reject: every skip code is reachable through HTTP", () => {
  const cases: [string, unknown][] = [
    ["invalid_op", { operation_type: "frobnicate", block_id: "a" }],
    ["invalid_op", 42],
    ["invalid_block_id", { operation_type: "add", block_id: "9lives", type: "log", params: { message: "x" } }],
    ["invalid_block_id", { operation_type: "add", block_id: "__proto__", type: "log", params: { message: "x" } }],
    ["block_already_exists", { operation_type: "add", block_id: "a", type: "log", params: { message: "x" } }],
    ["block_type_not_registered", { operation_type: "add", block_id: "n", type: "send_fax" }],
    ["block_not_found", { operation_type: "update", block_id: "ghost", params: { message: "x" } }],
    ["hidden_param_in_input", { operation_type: "add", block_id: "h", type: "http_request", params: { method: "GET", url: "http://127.0.0.1/", allow_private_network: true } }],
    ["invalid_edge_source", { operation_type: "connect", block_id: "ghost", target_block_id: "g" }],
    ["invalid_edge_target", { operation_type: "connect", block_id: "b", target_block_id: "ghost" }],
    ["invalid_source_handle", { operation_type: "connect", block_id: "b", target_block_id: "g", source_handle: "sideways" }],
    ["duplicate_connection", { operation_type: "connect", block_id: "trg", target_block_id: "a" }],
    ["cycle_introduced", { operation_type: "connect", block_id: "b", target_block_id: "a" }],
    ["edge_not_found", { operation_type: "disconnect", block_id: "b", target_block_id: "g" }],
  ];

  it.each(cases)("%s: the bad op is skipped with a reason and a hint while the rest of the batch applies", async (code, badOp) => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [{ operation_type: "set_variables", variables: { marker: code } }, badOp] });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.saved).toBe(true);
    expect(res.body.version).toBe(2);
    expect(res.body.skipped_items).toHaveLength(1);
    const item = res.body.skipped_items[0];
    expect(item).toMatchObject({ index: 1, reason_code: code });
    expect(item.reason.length).toBeGreaterThan(0);
    expect(item.hint.length).toBeGreaterThan(0);
    expect(res.body.summary).toContain(code);
    const back = await read(id);
    expect(back.definition.variables).toEqual({ marker: code });
    expect(back.definition.blocks.map((b: { id: string }) => b.id)).toEqual(["trg", "a", "b", "g"]);
    expect(back.definition.edges).toEqual(baseDefinition.edges);
  });

  it("param_not_llm_settable: an API key cannot set a `user` param; a person in a session can", async () => {
    // An operator-added connector with a `user` param: the built-ins have none, so this app
    // instance (same database and auth) registers one more connector, as an operator would.
    const approval = approvalRequestConnector();
    const withUserParam: TestApp = {
      ...app,
      api: createControlPlaneApi({
        database: app.database,
        logger: pino({ level: "silent" }),
        auth: app.auth,
        baseUrl: app.baseUrl,
        runtime: app.runtime,
        secretsKey: randomBytes(32),
        registry: createRegistry([...builtinConnectors, approval]),
      }),
    };
    const id = await createWorkflow(baseDefinition);
    const op = { operation_type: "add", block_id: "ask", type: "approval_request", params: { to: "boss@example.com", signature: "CEO" } };
    const byKey = await patch(id, { ops: [op] }, agent, withUserParam);
    expect(byKey.status).toBe(200);
    expect(byKey.body.skipped_items).toEqual([expect.objectContaining({ index: 0, reason_code: "param_not_llm_settable", block_id: "ask" })]);
    expect(byKey.body).toMatchObject({ saved: false, version: 1 });

    const byPerson = await patch(id, { ops: [op] }, owner.bearer, withUserParam);
    expect(byPerson.body).toMatchObject({ saved: true, version: 2, skipped_items: [] });
    expect(byPerson.body.workflow.definition.blocks.find((b: { id: string }) => b.id === "ask").params).toEqual({ to: "boss@example.com", signature: "CEO" });
  });

  it("ops that are not objects or match no shape are invalid_op items, not a 400", async () => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [null, "add", [], { operation_type: "add" }, { block_id: "a" }] });
    expect(res.status).toBe(200);
    expect(res.body.skipped_items.map((s: { index: number; reason_code: string }) => [s.index, s.reason_code])).toEqual([
      [0, "invalid_op"],
      [1, "invalid_op"],
      [2, "invalid_op"],
      [3, "invalid_op"],
      [4, "invalid_op"],
    ]);
    expect(res.body).toMatchObject({ saved: false, version: 1 });
  });
});

describe("dry_run and atomic", () => {
  const addGreet = { operation_type: "add", block_id: "hi", type: "greet", params: { name: "Bo" } };
  const bad = { operation_type: "remove", block_id: "ghost" };

  it("dry_run computes the full response and saves nothing", async () => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [addGreet, bad], dry_run: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, saved: false, version: 1 });
    expect(res.body.skipped_items).toEqual([expect.objectContaining({ index: 1, reason_code: "block_not_found" })]);
    expect(res.body.workflow.definition.blocks.map((b: { id: string }) => b.id)).toContain("hi");
    expect(res.body.summary).toContain("dry run");
    const back = await read(id);
    expect(back.version).toBe(1);
    expect(back.definition).toEqual(baseDefinition);
    const history = await call(app, "GET", `/api/workflows/${id}/versions`, { headers: agent });
    expect(history.body.data).toHaveLength(1);
  });

  it("atomic saves nothing when an op was skipped, and says so", async () => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [addGreet, bad], atomic: true });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, saved: false, version: 1 });
    expect(res.body.workflow.definition).toEqual(baseDefinition);
    expect(res.body.summary).toMatch(/Nothing saved: atomic/);
    expect((await read(id)).definition).toEqual(baseDefinition);
  });

  it("atomic saves when nothing was skipped, even with validation errors", async () => {
    const id = await createWorkflow(baseDefinition);
    const res = await patch(id, { ops: [{ operation_type: "add", block_id: "hi", type: "greet" }], atomic: true });
    expect(res.body).toMatchObject({ ok: false, saved: true, version: 2, skipped_items: [] });
    expect(res.body.validation_errors).toEqual([expect.objectContaining({ code: "missing_required_param", block_id: "hi" })]);
  });

  it("the version increases only when the definition changed", async () => {
    const id = await createWorkflow(baseDefinition);
    for (const ops of [[], [{ operation_type: "update", block_id: "g", params: { name: "Ada" } }], [bad]]) {
      const res = await patch(id, { ops });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ saved: false, version: 1 });
    }
    expect((await call(app, "GET", `/api/workflows/${id}/versions`, { headers: agent })).body.data).toHaveLength(1);
  });
});

describe("If-Match", () => {
  const op = (n: number) => ({ operation_type: "add", block_id: `blk${n}`, type: "log", params: { message: `m${n}` } });

  it("a stale If-Match gets 412 with the current version and changes nothing", async () => {
    const id = await createWorkflow(baseDefinition);
    expect((await patch(id, { ops: [op(1)] }, { ...agent, "if-match": "1" })).status).toBe(200);
    const stale = await patch(id, { ops: [op(2)] }, { ...agent, "if-match": "1" });
    expect(stale.status).toBe(412);
    expect(stale.body).toEqual(expect.objectContaining({ error: "version_mismatch", current: 2 }));
    const back = await read(id);
    expect(back.version).toBe(2);
    expect(back.definition.blocks.map((b: { id: string }) => b.id)).not.toContain("blk2");
    const put = await call(app, "PUT", `/api/workflows/${id}/definition`, { headers: { ...agent, "if-match": "1" }, body: { definition: baseDefinition } });
    expect(put.status).toBe(412);
    expect(put.body.current).toBe(2);
    expect((await read(id)).version).toBe(2);
  });

  it("a current If-Match is accepted, quoted or weak too", async () => {
    const id = await createWorkflow(baseDefinition);
    for (const [value, n] of [["1", 1], ['"2"', 2], ['W/"3"', 3]] as const) {
      const res = await patch(id, { ops: [op(n)] }, { ...agent, "if-match": value });
      expect(res.status, value).toBe(200);
      expect(res.body.version).toBe(n + 1);
    }
  });

  it("an If-Match that is not a positive integer is 400 invalid_if_match and changes nothing", async () => {
    const id = await createWorkflow(baseDefinition);
    for (const value of ["abc", "0", "-1", "1.0", "*", "99999999999"]) {
      const res = await patch(id, { ops: [op(1)] }, { ...agent, "if-match": value });
      expect(res.status, value).toBe(400);
      expect(res.body.error).toBe("invalid_if_match");
    }
    expect((await read(id)).version).toBe(1);
  });

  it("20 concurrent patches with the same If-Match: exactly one succeeds, 19 get 412, the version is right", async () => {
    const id = await createWorkflow(baseDefinition);
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => patch(id, { ops: [op(n)] }, { ...agent, "if-match": "1" })));
    const ok = results.filter((r) => r.status === 200);
    const stale = results.filter((r) => r.status === 412);
    expect(ok).toHaveLength(1);
    expect(stale).toHaveLength(19);
    for (const r of stale) expect(r.body).toMatchObject({ error: "version_mismatch", current: 2 });
    const back = await read(id);
    expect(back.version).toBe(2);
    const added = back.definition.blocks.filter((b: { id: string }) => b.id.startsWith("blk"));
    expect(added).toHaveLength(1);
    expect(ok[0].body.workflow.definition.blocks).toEqual(back.definition.blocks);
    expect((await call(app, "GET", `/api/workflows/${id}/versions`, { headers: agent })).body.data).toHaveLength(2);
  });

  it("20 concurrent patches without If-Match each adding a block: no update is lost and the version is 21", async () => {
    const id = await createWorkflow();
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => patch(id, { ops: [op(n)] })));
    for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(results.map((r) => r.body.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, n) => n + 2));
    const back = await read(id);
    expect(back.version).toBe(21);
    expect(back.definition.blocks.map((b: { id: string }) => b.id).sort()).toEqual(Array.from({ length: 20 }, (_, n) => `blk${n}`).sort());
    const history = await call(app, "GET", `/api/workflows/${id}/versions?limit=100`, { headers: agent });
    expect(history.body.data.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: 21 }, (_, n) => 21 - n));
  });
});
