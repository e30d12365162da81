/**
 * Who may use `/api/mcp`, over real HTTP: organization API keys only (401 with the API's error
 * body otherwise, sessions included), scoped to the key's organization (another one's workflows
 * and runs are not_found), stateless (GET and DELETE are 405), and rate-limited like the API.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, createAppWithAgent, signUp, type AppWithAgent, type TestUser } from "../helpers/api";
import { callTool, connectMcp } from "../helpers/mcp";
import { serveApi, type ServedApi } from "../helpers/serve";

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

/** A raw POST of `body` to /api/mcp with `headers` (and the content types MCP requires). */
async function post(url: string, headers: Record<string, string>, body: unknown = INITIALIZE) {
  const response = await fetch(new URL("/api/mcp", url), {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe("access to the MCP server", () => {
  let setup: AppWithAgent;
  let served: ServedApi;
  let key: string;

  beforeAll(async () => {
    setup = await createAppWithAgent();
    served = await serveApi(setup.app);
    key = setup.agent["x-api-key"];
  });

  afterAll(async () => {
    await served?.close();
    await setup?.app.close();
  });

  it("answers 401 unauthorized, in the API's error shape, without a key or with a bad one", async () => {
    for (const headers of [{}, bearer("weft_notakey"), bearer("not-even-ours"), { authorization: "Basic abc" }]) {
      const answer = await post(served.url, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(401);
      expect(answer.body).toMatchObject({ error: "unauthorized", message: expect.any(String) });
    }
    await expect(connectMcp(served.url, bearer("weft_notakey"))).rejects.toMatchObject({ code: 401, message: expect.stringContaining("unauthorized") });
  });

  it("refuses sessions (bearer token or cookie) with 401: the MCP server takes API keys only", async () => {
    const owner: TestUser = setup.owner;
    const byToken = await post(served.url, owner.bearer);
    expect(byToken.status).toBe(401);
    expect(byToken.body).toMatchObject({ error: "unauthorized", message: expect.stringContaining("API key") });
    const byCookie = await post(served.url, { cookie: owner.cookie, origin: setup.app.baseUrl });
    expect(byCookie.status).toBe(401);
    expect(byCookie.body.message).toContain("API key");
  });

  it("takes the key as Authorization: Bearer or as x-api-key", async () => {
    for (const headers of [bearer(key), { authorization: `bEaReR ${key}` }, { "x-api-key": key }]) {
      const answer = await post(served.url, headers);
      expect(answer.status, JSON.stringify(Object.keys(headers))).toBe(200);
      expect(answer.body).toMatchObject({ jsonrpc: "2.0", id: 1, result: { serverInfo: { name: "weft" } } });
      expect(answer.headers.get("mcp-session-id")).toBeNull();
    }
  });

  it("answers what is not MCP with a 4xx in the API's error shape: invalid_body, not_acceptable, unsupported_media_type", async () => {
    const url = new URL("/api/mcp", served.url);
    const headers = { ...bearer(key), "content-type": "application/json", accept: "application/json, text/event-stream" };
    const notJson = await fetch(url, { method: "POST", headers, body: "{not json" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: "invalid_body", message: expect.stringContaining("Parse error"), rpcCode: -32700 });
    const notRpc = await fetch(url, { method: "POST", headers, body: JSON.stringify({ hello: "there" }) });
    expect(notRpc.status).toBe(400);
    expect(await notRpc.json()).toMatchObject({ error: "invalid_body", rpcCode: expect.any(Number) });
    const jsonOnly = await fetch(url, { method: "POST", headers: { ...headers, accept: "application/json" }, body: JSON.stringify(INITIALIZE) });
    expect(jsonOnly.status).toBe(406);
    expect(await jsonOnly.json()).toMatchObject({ error: "not_acceptable", message: expect.stringContaining("text/event-stream") });
    const oldProtocol = await fetch(url, { method: "POST", headers: { ...headers, "mcp-protocol-version": "1999-01-01" }, body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }) });
    expect(oldProtocol.status).toBe(400);
    expect(await oldProtocol.json()).toMatchObject({ error: "invalid_request", message: expect.stringContaining("protocol version") });
    let deep: unknown = 1;
    for (let i = 0; i < 80; i++) deep = [deep];
    const tooDeep = await post(served.url, bearer(key), { ...INITIALIZE, params: { ...INITIALIZE.params, deep } });
    expect(tooDeep).toMatchObject({ status: 400, body: { error: "invalid_body" } });
    const text = await fetch(url, { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: JSON.stringify(INITIALIZE) });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: "unsupported_media_type" });
  });

  it("is stateless: GET, DELETE and PUT answer 405 method_not_allowed with Allow: POST", async () => {
    for (const method of ["GET", "DELETE", "PUT"]) {
      const response = await fetch(new URL("/api/mcp", served.url), { method, headers: { ...bearer(key), accept: "text/event-stream" } });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(await response.json()).toMatchObject({ error: "method_not_allowed" });
    }
  });

  it("keeps organizations apart: another organization's key gets not_found for this one's workflow and run", async () => {
    const mine = await connectMcp(served.url, bearer(key));
    const other = await signUp(setup.app);
    const otherKey = await createApiKey(setup.app, other, "other agent");
    const theirs = await connectMcp(served.url, bearer(otherKey.key));
    try {
      const created = await callTool(mine, "create_workflow", { name: "Private", definition: { blocks: [{ id: "trg", type: "trigger_manual" }], edges: [] } });
      const workflowId: string = created.body.id;
      // No worker: the run stays queued, which is all this test needs.
      const run = await callTool(mine, "run_workflow", { workflow_id: workflowId });
      expect(run.body).toMatchObject({ status: "queued", trigger: "mcp" });

      for (const [tool, args] of [
        ["get_workflow", { workflow_id: workflowId }],
        ["patch_workflow", { workflow_id: workflowId, ops: [{ operation_type: "remove", block_id: "trg" }] }],
        ["validate_workflow", { workflow_id: workflowId }],
        ["run_workflow", { workflow_id: workflowId }],
        ["get_run", { run_id: run.body.id }],
        ["get_run_logs", { run_id: run.body.id }],
        ["cancel_run", { run_id: run.body.id }],
        ["send_event", { run_id: run.body.id, event: "approved" }],
      ] as const) {
        const answer = await callTool(theirs, tool, args);
        expect(answer, tool).toMatchObject({ isError: true, body: { error: "not_found" } });
      }
      await expect(theirs.readResource({ uri: `weft://workflows/${workflowId}` })).rejects.toThrow(/No such workflow/);
      const listed = await callTool(theirs, "list_workflows");
      expect(listed.body.data).toEqual([]);
      const runs = await callTool(theirs, "list_runs");
      expect(runs.body.data).toEqual([]);

      // Nothing of it changed.
      const still = await callTool(mine, "get_workflow", { workflow_id: workflowId });
      expect(still.body).toMatchObject({ version: 1, definition: { blocks: [{ id: "trg" }] } });
      const stillQueued = await callTool(mine, "get_run", { run_id: run.body.id });
      expect(stillQueued.body.status).toBe("queued");
    } finally {
      await mine.close();
      await theirs.close();
    }
  });
});

describe("the MCP server's rate limit", () => {
  const PER_MINUTE = 8;
  let setup: AppWithAgent;
  let served: ServedApi;
  let client: Client | undefined;

  beforeAll(async () => {
    setup = await createAppWithAgent({ rateLimitPerMinute: PER_MINUTE, sessionRateLimitPerMinute: 1_000 });
    served = await serveApi(setup.app);
  });

  afterAll(async () => {
    await client?.close();
    await served?.close();
    await setup?.app.close();
  });

  it("counts MCP requests in the key's bucket: past it, a tool call gets 429 rate_limited", async () => {
    const key = setup.agent["x-api-key"];
    client = await connectMcp(served.url, bearer(key));
    // Connecting took two or three requests (the client's GET for a stream is sent in the background).
    let succeeded = 0;
    let refusal: unknown = null;
    while (refusal === null && succeeded <= PER_MINUTE) {
      try {
        await callTool(client, "list_connectors");
        succeeded += 1;
      } catch (error) {
        refusal = error;
      }
    }
    expect(refusal).toMatchObject({ code: 429, message: expect.stringContaining('"error":"rate_limited"') });
    expect(succeeded).toBeGreaterThanOrEqual(PER_MINUTE - 3);
    expect(succeeded).toBeLessThanOrEqual(PER_MINUTE - 1);

    const raw = await post(served.url, bearer(key));
    expect(raw.status).toBe(429);
    expect(raw.headers.get("retry-after")).toMatch(/^[0-9]+$/);
    expect(raw.body).toMatchObject({ error: "rate_limited", retryAfterMs: expect.any(Number) });
  });
});
