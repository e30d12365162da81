/**
 * The typed client (lib/api/client.ts) against a real control plane: `hc` infers every route from
 * the chained route groups, so these calls are checked by `npm run typecheck` as well as at run
 * time. A route group that stops chaining loses its types and this file stops compiling.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiClient, type ControlPlaneClient } from "@/lib/api/client";
import { createApiKey, createTestApp, signUp, type TestApp } from "../helpers/api";

let app: TestApp;
let client: ControlPlaneClient;

beforeAll(async () => {
  app = await createTestApp();
  const owner = await signUp(app);
  const key = await createApiKey(app, owner);
  client = createApiClient(app.baseUrl, { headers: key.headers, fetch: (input: RequestInfo | URL, init?: RequestInit) => app.api.request(input, init) });
});

afterAll(async () => {
  await app?.close();
});

describe("hc<ControlPlaneRoutes>", () => {
  test("creates, patches, reads and lists a workflow with typed inputs and answers", async () => {
    const created = await client.api.workflows.$post({ json: { name: "Typed" } });
    expect(created.status).toBe(201);
    const workflow = await created.json();
    expect(workflow.name).toBe("Typed");

    const patched = await client.api.workflows[":id"].operations.$post({
      param: { id: workflow.id },
      json: { ops: [{ operation_type: "add", block_id: "trg", type: "trigger_manual" }] },
    });
    const patch = await patched.json();
    expect(patch.ok).toBe(true);
    expect(patch.version).toBe(2);

    const read = await (await client.api.workflows[":id"].$get({ param: { id: workflow.id } })).json();
    expect(read.definition.blocks.map((b) => b.id)).toEqual(["trg"]);
    const list = await (await client.api.workflows.$get({ query: {} })).json();
    expect(list.data.map((w) => w.id)).toContain(workflow.id);
  });

  test("runs, schedules, connectors and keys are typed routes too", async () => {
    const connectors = await client.api.connectors.$get({ query: { detail: "summary" } });
    expect(connectors.status).toBe(200);
    const runs = await (await client.api.runs.$get({ query: {} })).json();
    expect(Array.isArray(runs.data)).toBe(true);
    const schedules = await client.api.schedules.$get({ query: {} });
    expect(schedules.status).toBe(200);
    const me = await (await client.api.me.$get()).json();
    expect(me.authMode).toBe("api_key");
    // The client holds an API key, and a key may not list keys: the typed route answers 403.
    const keys = await client.api.keys.$get({ query: {} });
    expect(keys.status).toBe(403);
    expect(await keys.json()).toMatchObject({ error: "forbidden" });
  });

  test("an error answer keeps its status and stable code", async () => {
    const missing = await client.api.workflows[":id"].$get({ param: { id: "wf_nope" } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });
});
