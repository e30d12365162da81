/**
 * Secret-only params over HTTP (docs/patch-endpoint.md, secret_required): a literal API key in
 * llm_chat's api_key or http_request's auth is never stored, whoever sends it and however (the
 * patch endpoint, a create with a full definition, PUT definition), and never echoed in any answer;
 * a definition that holds one anyway cannot run. With a {{secrets.NAME}} reference the secret
 * reaches the server and the run shows it redacted.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, type TestApp, type TestUser } from "../helpers/api";
import { dispatchRun, finishedRun, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let close: (() => Promise<void>) | undefined;
let echo: { url: string; authorizations: (string | undefined)[]; close(): Promise<void> };

const KEY = `sk-proj-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  ({ app, user: owner, close } = await startWorkerTestApp());
  agent = (await createApiKey(app, owner, "agent")).headers;
  const authorizations: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ youSent: req.headers.authorization }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  echo = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizations, close: () => new Promise((resolve) => server.close(() => resolve())) };
});
afterAll(async () => {
  await close?.();
  await echo?.close();
});

const trigger = { operation_type: "add", block_id: "trg", type: "trigger_manual" };
const llm = (apiKey: string) => ({ operation_type: "add", block_id: "ask", type: "llm_chat", params: { model: "gpt-4.1-mini", prompt: "Hello", api_key: apiKey } });
const connect = { operation_type: "connect", block_id: "trg", target_block_id: "ask" };

async function newWorkflow(headers = agent): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: { name: "secrets" } });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Every read of the workflow an agent can make, as text. */
async function workflowReads(id: string): Promise<string> {
  const reads = await Promise.all([`/api/workflows/${id}`, `/api/workflows/${id}/versions`, "/api/workflows"].map((path) => call(app, "GET", path, { headers: agent })));
  const versions = reads[1].body.data as { version: number }[];
  const entries = await Promise.all(versions.map((v) => call(app, "GET", `/api/workflows/${id}/versions/${v.version}`, { headers: agent })));
  return JSON.stringify([...reads, ...entries].map((r) => r.body));
}

describe("a literal key is never stored or echoed", () => {
  it.each([
    ["an agent's API key", () => agent],
    ["a person in the editor (session)", () => owner.bearer],
  ])("the patch endpoint skips an llm_chat add with a literal api_key for %s, answers with the fix, and echoes the key nowhere", async (_who, headers) => {
    const id = await newWorkflow(headers());
    const res = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: headers(), body: { ops: [trigger, llm(KEY), connect] } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    const [skip, waited] = res.body.skipped_items;
    expect(skip).toMatchObject({ index: 1, reason_code: "secret_required", details: { params: ["api_key"] } });
    expect(skip.details.suggested_ops).toEqual([{ ...llm("{{secrets.OPENAI_API_KEY}}") }]);
    expect(skip.hint).toContain('api_key: "{{secrets.OPENAI_API_KEY}}"');
    expect(waited).toMatchObject({ index: 2, reason_code: "invalid_edge_target", details: { add_op: { index: 1, reason_code: "secret_required" } } });
    expect(res.body.summary).toContain("secret_required");
    expect(JSON.stringify(res.body)).not.toContain(KEY);
    expect(await workflowReads(id)).not.toContain(KEY);

    // The suggested op, sent as it is, is accepted.
    const fixed = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: headers(), body: { ops: [...skip.details.suggested_ops, connect] } });
    expect(fixed.body).toMatchObject({ ok: true, skipped_items: [], validation_errors: [] });
  });

  it("an update of http_request's auth with a literal token is skipped with the field's path, and dry_run says the same", async () => {
    const id = await newWorkflow();
    const call1 = { operation_type: "add", block_id: "call", type: "http_request", params: { method: "GET", url: "https://api.example.com" } };
    expect((await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: [trigger, call1] } })).body.skipped_items).toEqual([]);
    for (const dry_run of [true, false]) {
      const res = await call(app, "POST", `/api/workflows/${id}/operations`, {
        headers: agent,
        body: { dry_run, ops: [{ operation_type: "update", block_id: "call", params: { auth: { type: "bearer", token: KEY } } }] },
      });
      expect(res.body.skipped_items).toEqual([expect.objectContaining({ reason_code: "secret_required", details: expect.objectContaining({ params: ["auth.token"] }) })]);
      expect(res.body.saved).toBe(false);
      expect(JSON.stringify(res.body)).not.toContain(KEY);
    }
    expect(await workflowReads(id)).not.toContain(KEY);
  });

  it("creating a workflow with a full definition holding a literal key is refused (400 invalid_definition) and creates nothing", async () => {
    const before = (await call(app, "GET", "/api/workflows", { headers: agent })).body.data.length;
    const definition = { blocks: [{ id: "trg", type: "trigger_manual", params: {} }, { id: "ask", type: "llm_chat", params: { model: "m", prompt: "p", api_key: KEY } }], edges: [{ source: "trg", target: "ask" }] };
    const res = await call(app, "POST", "/api/workflows", { headers: agent, body: { name: "with key", definition } });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_definition");
    expect(res.body.skipped_items.map((s: { reason_code: string }) => s.reason_code)).toContain("secret_required");
    expect(JSON.stringify(res.body)).not.toContain(KEY);
    expect((await call(app, "GET", "/api/workflows", { headers: agent })).body.data.length).toBe(before);
  });

  it("PUT definition cannot swap a secret reference for a literal key", async () => {
    const id = await newWorkflow();
    await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: [trigger, llm("{{secrets.OPENAI_API_KEY}}"), connect] } });
    const current = (await call(app, "GET", `/api/workflows/${id}`, { headers: agent })).body.definition;
    const swapped = structuredClone(current);
    swapped.blocks[1].params.api_key = KEY;
    const res = await call(app, "PUT", `/api/workflows/${id}/definition`, { headers: agent, body: { definition: swapped } });
    expect(res.status).toBe(200);
    expect(res.body.skipped_items.map((s: { reason_code: string }) => s.reason_code)).toEqual(["secret_required"]);
    expect(JSON.stringify(res.body)).not.toContain(KEY);
    expect((await call(app, "GET", `/api/workflows/${id}`, { headers: agent })).body.definition.blocks[1].params.api_key).toBe("{{secrets.OPENAI_API_KEY}}");
  });

  it("a stored definition holding a literal key (saved before the param was secret-only) validates with secret_required and cannot run", async () => {
    const id = await newWorkflow();
    await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: [trigger, llm("{{secrets.OPENAI_API_KEY}}"), connect] } });
    const sql = app.database.sql;
    await sql`UPDATE workflows SET definition = jsonb_set(definition, '{blocks,1,params,api_key}', to_jsonb(${KEY}::text)) WHERE id = ${id}`;
    const checked = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops: [] } });
    expect(checked.body.validation_errors).toEqual([
      expect.objectContaining({ code: "secret_required", block_id: "ask", field: "api_key", details: expect.objectContaining({ example: "{{secrets.OPENAI_API_KEY}}" }) }),
    ]);
    const run = await call(app, "POST", `/api/workflows/${id}/run`, { headers: agent, body: {} });
    expect(run.status).toBe(422);
    expect(run.body).toMatchObject({ error: "workflow_invalid", validation_errors: [expect.objectContaining({ code: "secret_required" })] });
    expect(JSON.stringify([checked.body.validation_errors, checked.body.summary, run.body])).not.toContain(KEY);
  });

  it("another organization's workflow answers 404 to the same patch", async () => {
    const id = await newWorkflow();
    const stranger = await call(app, "POST", "/api/auth/sign-up/email", {
      body: { email: `stranger-${randomBytes(4).toString("hex")}@example.com`, name: "S", password: "correct horse battery staple" },
    });
    const token = stranger.headers.get("set-auth-token");
    const res = await call(app, "POST", `/api/workflows/${id}/operations`, { headers: { authorization: `Bearer ${token}` }, body: { ops: [llm(KEY)] } });
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body)).not.toContain(KEY);
  });
});

describe("a secret reference works", () => {
  it("http_request's bearer auth from {{secrets.NAME}} reaches the server, and the run shows it redacted", async () => {
    const token = `tok-${randomBytes(12).toString("hex")}`;
    expect((await call(app, "POST", "/api/secrets", { headers: owner.bearer, body: { name: "API_TOKEN", value: token } })).status).toBe(201);
    const id = await newWorkflow();
    const ops = [trigger, { operation_type: "add", block_id: "call", type: "http_request", params: { method: "GET", url: `${echo.url}/me`, auth: { type: "bearer", token: "{{secrets.API_TOKEN}}" } } }, { operation_type: "connect", block_id: "trg", target_block_id: "call" }];
    expect((await call(app, "POST", `/api/workflows/${id}/operations`, { headers: agent, body: { ops } })).body.ok).toBe(true);
    const runId = await dispatchRun(app, agent, id);
    const run = await finishedRun(app, owner.organizationId, runId);
    expect(run.status).toBe("succeeded");
    expect(echo.authorizations).toContain(`Bearer ${token}`);
    expect(run.output?.call).toMatchObject({ body: { youSent: "Bearer [REDACTED]" } });
    const logs = await call(app, "GET", `/api/runs/${runId}/logs`, { headers: agent });
    expect(JSON.stringify([run, logs.body])).not.toContain(token);
  });
});
