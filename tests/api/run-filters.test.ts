/**
 * Who started a run, and the run list's filters by trigger and starter (docs/runs.md, "Triggers"):
 * every run records the actor of startRun as `triggeredBy`, so a webhook endpoint's deliveries or
 * an agent key's runs can be listed. No worker: the runs stay queued.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, quickstart } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let key: { id: string; headers: Record<string, string> };
let workflowId: string;
const runs: Record<"session" | "key" | "webhook", string> = { session: "", key: "", webhook: "" };
let endpointId: string;

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  key = await createApiKey(app, owner, "agent");
  workflowId = await createWorkflow(app, owner.bearer, quickstart, "filters");
  runs.session = (await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: owner.bearer, body: {} })).body.runId;
  runs.key = (await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: key.headers, body: {} })).body.runId;
  const endpoint = await call(app, "POST", `/api/workflows/${workflowId}/webhooks`, { headers: owner.bearer, body: {} });
  endpointId = endpoint.body.id;
  const delivered = await call(app, "POST", `/api/webhooks/${endpointId}`, {
    headers: { authorization: `Bearer ${endpoint.body.secret}` },
    body: { name: "Ada" },
  });
  expect(delivered.status).toBe(202);
  runs.webhook = delivered.body.runId;
});

afterAll(async () => {
  await app?.close();
});

const ids = (body: { data: { id: string }[] }) => body.data.map((r) => r.id);

describe("triggeredBy", () => {
  test("each run records who started it: the member, the API key, or the webhook endpoint", async () => {
    const read = async (id: string) => (await call(app, "GET", `/api/runs/${id}`, { headers: owner.bearer })).body;
    expect(await read(runs.session)).toMatchObject({ trigger: "manual", triggeredBy: `user:${owner.userId}` });
    expect(await read(runs.key)).toMatchObject({ trigger: "api", triggeredBy: `api_key:${key.id}` });
    expect(await read(runs.webhook)).toMatchObject({ trigger: "webhook", triggeredBy: `webhook:${endpointId}` });
  });

  test("GET /api/runs filters by trigger and by starter, alone or with the workflow", async () => {
    const list = async (query: string) => (await call(app, "GET", `/api/runs?${query}`, { headers: owner.bearer })).body;
    expect(ids(await list("trigger=webhook"))).toEqual([runs.webhook]);
    expect(ids(await list("trigger=api"))).toEqual([runs.key]);
    expect(ids(await list(`triggeredBy=webhook:${endpointId}&workflowId=${workflowId}`))).toEqual([runs.webhook]);
    expect(ids(await list(`triggeredBy=api_key:${key.id}`))).toEqual([runs.key]);
    expect(ids(await list("trigger=schedule"))).toEqual([]);
  });

  test("an unknown trigger is 400 invalid_query and lists nothing", async () => {
    const res = await call(app, "GET", "/api/runs?trigger=carrier_pigeon", { headers: owner.bearer });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_query");
    expect(res.body).not.toHaveProperty("data");
  });

  test("another organization's filter finds none of these runs", async () => {
    const stranger = await signUp(app);
    const res = await call(app, "GET", `/api/runs?triggeredBy=webhook:${endpointId}`, { headers: stranger.bearer });
    expect(res.body.data).toEqual([]);
  });
});

describe("GET /api/runs/:runId/definition", () => {
  test("answers the definition pinned at start, even after the workflow changed", async () => {
    const patched = await call(app, "POST", `/api/workflows/${workflowId}/operations`, {
      headers: owner.bearer,
      body: { ops: [{ operation_type: "update", block_id: "greet", name: "Renamed later" }] },
    });
    expect(patched.body.saved).toBe(true);
    const res = await call(app, "GET", `/api/runs/${runs.session}/definition`, { headers: owner.bearer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ workflowId, workflowVersion: 1, definition: { blocks: quickstart.blocks, edges: quickstart.edges } });
    expect(res.body.definition.blocks.find((b: { id: string }) => b.id === "greet").name).toBeUndefined();
  });

  test("another organization's run is 404", async () => {
    const stranger = await signUp(app);
    expect((await call(app, "GET", `/api/runs/${runs.session}/definition`, { headers: stranger.bearer })).status).toBe(404);
  });
});
