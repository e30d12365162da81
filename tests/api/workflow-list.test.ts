/**
 * `GET /api/workflows` as the web app's list reads it: a name search that combines with paging,
 * and per workflow its newest run and who saved its latest version, named only inside the
 * caller's organization.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createAppWithAgent, joinOrganization, signUp, type TestApp, type TestUser } from "../helpers/api";

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

const runnable = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "greet", type: "greet", params: { name: "Ada" } },
  ],
  edges: [{ source: "trg", target: "greet" }],
};

async function create(headers: Record<string, string>, body: Record<string, unknown>): Promise<{ id: string; version: number }> {
  const res = await call(app, "POST", "/api/workflows", { headers, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function list(headers: Record<string, string>, query = "") {
  const res = await call(app, "GET", `/api/workflows${query}`, { headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { data: Record<string, unknown>[]; nextCursor: string | null };
}

async function itemOf(headers: Record<string, string>, id: string) {
  const page = await list(headers, "?limit=100");
  const item = page.data.find((w) => w.id === id);
  expect(item, `workflow ${id} in the list`).toBeTruthy();
  return item!;
}

describe("search", () => {
  it("q matches names that contain it in any case, and pages through the matches only", async () => {
    const tag = `srch${Date.now()}`;
    const names = [`${tag} Lead intake`, `${tag} lead scoring`, `${tag} LEADS export`, `${tag} Invoices`];
    const ids = [];
    for (const name of names) ids.push((await create(agent, { name })).id);
    const first = await list(agent, `?q=${encodeURIComponent(`${tag} lEaD`)}&limit=2`);
    expect(first.data.map((w) => w.name)).toEqual([`${tag} LEADS export`, `${tag} lead scoring`]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await list(agent, `?q=${encodeURIComponent(`${tag} lEaD`)}&limit=2&cursor=${first.nextCursor}`);
    expect(second.data.map((w) => w.name)).toEqual([`${tag} Lead intake`]);
    expect(second.nextCursor).toBeNull();
    expect((await list(agent, `?q=${tag}&limit=100`)).data.map((w) => w.id)).toEqual([...ids].reverse());
  });

  it("% and _ in q match themselves, not any text", async () => {
    const tag = `wild${Date.now()}`;
    const percent = await create(agent, { name: `${tag} 100% done` });
    const underscore = await create(agent, { name: `${tag} snake_case` });
    await create(agent, { name: `${tag} 100 percent done` });
    await create(agent, { name: `${tag} snakeXcase` });
    expect((await list(agent, `?q=${encodeURIComponent(`${tag} 100%`)}`)).data.map((w) => w.id)).toEqual([percent.id]);
    expect((await list(agent, `?q=${encodeURIComponent("snake_case")}`)).data.map((w) => w.id)).toEqual([underscore.id]);
    expect((await list(agent, `?q=${encodeURIComponent("%")}`)).data.map((w) => w.id)).toEqual([percent.id]);
    expect((await list(agent, `?q=${encodeURIComponent("\\")}`)).data).toEqual([]);
  });

  it("an empty q lists everything; a q over 200 characters is 400 invalid_query", async () => {
    const all = await list(agent, "?limit=100");
    expect((await list(agent, "?q=&limit=100")).data.map((w) => w.id)).toEqual(all.data.map((w) => w.id));
    const tooLong = await call(app, "GET", `/api/workflows?q=${"x".repeat(201)}`, { headers: agent });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toBe("invalid_query");
  });

  it("never finds another organization's workflows", async () => {
    const stranger = await signUp(app);
    const secret = await create(stranger.bearer, { name: "Stranger's secret pipeline" });
    expect((await list(agent, "?q=secret%20pipeline")).data).toEqual([]);
    expect((await list(stranger.bearer, "?q=secret%20pipeline")).data.map((w) => w.id)).toEqual([secret.id]);
  });
});

describe("lastRun", () => {
  it("is null before the first run, then the newest run with its status", async () => {
    const wf = await create(agent, { name: "Runs twice", definition: runnable });
    expect(await itemOf(agent, wf.id)).toMatchObject({ lastRun: null });
    const first = await call(app, "POST", `/api/workflows/${wf.id}/run`, { headers: agent, body: {} });
    const second = await call(app, "POST", `/api/workflows/${wf.id}/run`, { headers: agent, body: {} });
    expect([first.status, second.status]).toEqual([202, 202]);
    const item = await itemOf(agent, wf.id);
    expect(item.lastRun).toEqual({ id: second.body.runId, status: "queued", createdAt: expect.any(String) });
    const run = await call(app, "GET", `/api/runs/${second.body.runId}`, { headers: agent });
    expect((item.lastRun as { createdAt: string }).createdAt).toBe(run.body.createdAt);
  });

  it("says waiting for a running run parked in a wait, like the runs API", async () => {
    const wf = await create(agent, { name: "Parks", definition: runnable });
    const started = await call(app, "POST", `/api/workflows/${wf.id}/run`, { headers: agent, body: {} });
    const runId = started.body.runId as string;
    await app.database.sql`UPDATE runs SET status = 'running', started_at = now() WHERE id = ${runId}`;
    await app.database.sql`
      INSERT INTO run_waits (run_id, block_id, organization_id, kind, event)
      VALUES (${runId}, 'greet', ${owner.organizationId}, 'event', 'approved')`;
    expect((await itemOf(agent, wf.id)).lastRun).toMatchObject({ id: runId, status: "waiting" });
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body.status).toBe("waiting");
    await app.database.sql`UPDATE run_waits SET open = false WHERE run_id = ${runId}`;
    expect((await itemOf(agent, wf.id)).lastRun).toMatchObject({ id: runId, status: "running" });
  });
});

describe("updatedBy", () => {
  it("names the member who created it, then the API key that saved the latest version", async () => {
    const wf = await create(owner.bearer, { name: "Edited by two" });
    const me = await call(app, "GET", "/api/me", { headers: owner.bearer });
    expect((await itemOf(agent, wf.id)).updatedBy).toEqual({ actor: `user:${owner.userId}`, kind: "user", name: me.body.user.name });
    const patched = await call(app, "POST", `/api/workflows/${wf.id}/operations`, {
      headers: agent,
      body: { ops: [{ operation_type: "add", block_id: "trg", type: "trigger_manual" }] },
    });
    expect(patched.body.saved).toBe(true);
    expect((await itemOf(owner.bearer, wf.id)).updatedBy).toEqual({ actor: `api_key:${agentKeyId}`, kind: "api_key", name: "agent" });
  });

  it("a rename is not a version: updatedBy stays who saved the definition", async () => {
    const wf = await create(agent, { name: "Before" });
    await call(app, "PATCH", `/api/workflows/${wf.id}`, { headers: owner.bearer, body: { name: "After" } });
    expect(await itemOf(agent, wf.id)).toMatchObject({ name: "After", updatedBy: { kind: "api_key", name: "agent" } });
  });

  it("system versions have no name; a revoked key and a former member keep their kind with a null name", async () => {
    const system = await create(agent, { name: "System made" });
    await app.database.sql`UPDATE workflow_versions SET actor = 'system' WHERE workflow_id = ${system.id}`;
    expect((await itemOf(agent, system.id)).updatedBy).toEqual({ actor: "system", kind: "system", name: null });

    const doomed = await createApiKey(app, owner, "short-lived");
    const byDoomed = await create(doomed.headers, { name: "By a revoked key" });
    expect((await call(app, "DELETE", `/api/keys/${doomed.id}`, { headers: owner.bearer })).status).toBe(204);
    expect((await itemOf(agent, byDoomed.id)).updatedBy).toEqual({ actor: `api_key:${doomed.id}`, kind: "api_key", name: null });

    const leaver = await joinOrganization(app, owner, "member");
    const byLeaver = await create(leaver.bearer, { name: "By a former member" });
    expect((await itemOf(agent, byLeaver.id)).updatedBy).toMatchObject({ kind: "user", name: expect.any(String) });
    const removed = await call(app, "POST", "/api/auth/organization/remove-member", {
      headers: owner.bearer,
      body: { memberIdOrEmail: leaver.email, organizationId: owner.organizationId },
    });
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect((await itemOf(agent, byLeaver.id)).updatedBy).toEqual({ actor: `user:${leaver.userId}`, kind: "user", name: null });
  });

  it("never shows a name from another organization, even when the actor id is one of its users or keys", async () => {
    const stranger = await signUp(app, { name: "Mallory Stranger" });
    const strangerKey = await createApiKey(app, stranger, "stranger key");
    const viaUser = await create(agent, { name: "Actor is a stranger" });
    const viaKey = await create(agent, { name: "Actor is a stranger's key" });
    // Histories never hold another organization's actors through the API; forge them to prove the lookup is scoped.
    await app.database.sql`UPDATE workflow_versions SET actor = ${`user:${stranger.userId}`} WHERE workflow_id = ${viaUser.id}`;
    await app.database.sql`UPDATE workflow_versions SET actor = ${`api_key:${strangerKey.id}`} WHERE workflow_id = ${viaKey.id}`;
    const page = await list(agent, "?limit=100");
    expect(JSON.stringify(page)).not.toContain("Mallory");
    expect(JSON.stringify(page)).not.toContain("stranger key");
    expect(page.data.find((w) => w.id === viaUser.id)!.updatedBy).toEqual({ actor: `user:${stranger.userId}`, kind: "user", name: null });
    expect(page.data.find((w) => w.id === viaKey.id)!.updatedBy).toEqual({ actor: `api_key:${strangerKey.id}`, kind: "api_key", name: null });
  });
});

describe("the single workflow", () => {
  it("GET /api/workflows/:id stays the plain resource, without the list's extras", async () => {
    const wf = await create(agent, { name: "Plain" });
    const res = await call(app, "GET", `/api/workflows/${wf.id}`, { headers: agent });
    expect(Object.keys(res.body).sort()).toEqual(["createdAt", "definition", "description", "id", "name", "updatedAt", "version"]);
  });
});

describe("the OpenAPI document", () => {
  it("names WorkflowListItem with lastRun and updatedBy, lists it from GET /api/workflows, and documents q", async () => {
    const doc = (await call(app, "GET", "/api/openapi.json")).body;
    const item = doc.components.schemas.WorkflowListItem;
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(["id", "name", "definition", "lastRun", "updatedBy"]));
    const list = doc.paths["/api/workflows"].get;
    expect(JSON.stringify(list.responses[200])).toContain("WorkflowList");
    expect(JSON.stringify(doc.components.schemas.WorkflowList)).toContain("#/components/schemas/WorkflowListItem");
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(["q", "cursor", "limit"]));
    expect(JSON.stringify(doc.paths["/api/workflows/{id}"].get.responses[200])).toContain("#/components/schemas/Workflow\"");
  });
});
