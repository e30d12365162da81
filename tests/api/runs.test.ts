/**
 * The runs API over HTTP (docs/runs.md) with a real worker: dispatch, read, list, logs, cancel,
 * idempotency, the 422 for invalid workflows, bad input that creates nothing, and tenancy —
 * another organization's run is 404 on every run route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createAppWithAgent, signUp, type TestApp, type TestUser } from "../helpers/api";
import { claimsOf, quickstart, sentinelRun, startTestWorker } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let worker: { stop(): Promise<void> };
/** False while a test has stopped the worker. */
let workerRunning = false;

beforeAll(async () => {
  ({ app, owner, agent } = await createAppWithAgent());
  worker = await startTestWorker(app);
  workerRunning = true;
});
afterAll(async () => {
  if (workerRunning) await worker.stop();
  await app?.close();
});

/** trigger → t1 → … → t5: one log entry per block. */
const chain = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    ...[1, 2, 3, 4, 5].map((n) => ({ id: `t${n}`, type: "transform", params: { value: { n } } })),
  ],
  edges: [{ source: "trg", target: "t1" }, ...[1, 2, 3, 4].map((n) => ({ source: `t${n}`, target: `t${n + 1}` }))],
};

const waitsForApproval = {
  blocks: [
    { id: "trg", type: "trigger_manual", params: {} },
    { id: "wait", type: "wait_for_event", params: { event: "approved" } },
  ],
  edges: [{ source: "trg", target: "wait" }],
};

async function createWorkflow(definition: unknown, headers: Record<string, string> = agent): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: { name: "wf", definition } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function dispatch(workflowId: string, body: unknown = {}, headers: Record<string, string> = agent) {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers, body });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body as { runId: string; status: string };
}

/** Polls GET /api/runs/:id until its status is one of `statuses`. */
const FINAL = ["succeeded", "failed", "canceled"];

async function waitForStatus(runId: string, statuses: string[], headers: Record<string, string> = agent, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(app, "GET", `/api/runs/${runId}`, { headers });
    expect(res.status).toBe(200);
    if (statuses.includes(res.body.status)) return res.body;
    if (FINAL.includes(res.body.status)) throw new Error(`run ${runId} ended ${res.body.status}, not ${statuses.join("/")}: ${JSON.stringify(res.body.error)}`);
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${res.body.status}, not ${statuses.join("/")}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function runsOf(workflowId: string, headers: Record<string, string> = agent) {
  const res = await call(app, "GET", `/api/runs?workflowId=${workflowId}`, { headers });
  expect(res.status).toBe(200);
  return res.body.data as { id: string; status: string; workflowId: string; createdAt: string }[];
}

describe("dispatch and read", () => {
  it("the quickstart workflow run succeeds with the greeting as output", async () => {
    const workflowId = await createWorkflow(quickstart);
    const queued = await dispatch(workflowId, { input: { body: { name: "Ada" } } });
    expect(queued.runId).toMatch(/^run_/);
    expect(["queued", "running", "succeeded"]).toContain(queued.status);
    const run = await waitForStatus(queued.runId, ["succeeded", "failed"]);
    expect(run).toMatchObject({
      id: queued.runId,
      workflowId,
      workflowVersion: 1,
      trigger: "api",
      status: "succeeded",
      input: { body: { name: "Ada" } },
      error: null,
    });
    expect(run.output.greet).toEqual({ message: "Hello, Ada!" });
    for (const field of ["createdAt", "startedAt", "finishedAt"]) expect(Date.parse(run[field]), field).not.toBeNaN();
    expect(run).not.toHaveProperty("definition");
  });

  it("a run dispatched by a session is recorded with trigger manual; by an API key, api", async () => {
    const workflowId = await createWorkflow(quickstart);
    const bySession = await dispatch(workflowId, { input: { body: { name: "Grace" } } }, owner.bearer);
    const byKey = await dispatch(workflowId, { input: { body: { name: "Alan" } } });
    expect((await call(app, "GET", `/api/runs/${bySession.runId}`, { headers: agent })).body.trigger).toBe("manual");
    expect((await call(app, "GET", `/api/runs/${byKey.runId}`, { headers: agent })).body.trigger).toBe("api");
    await waitForStatus(bySession.runId, ["succeeded"]);
    await waitForStatus(byKey.runId, ["succeeded"]);
  });

  it("a body-less POST runs the workflow with no input", async () => {
    const workflowId = await createWorkflow(chain);
    const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: agent });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const run = await waitForStatus(res.body.runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.output.t5).toEqual({ value: { n: 5 } });
  });

  it("the same idempotencyKey returns the same run; another key makes a new one", async () => {
    const workflowId = await createWorkflow(quickstart);
    const first = await dispatch(workflowId, { input: { body: { name: "Ada" } }, idempotencyKey: "order-1" });
    const again = await dispatch(workflowId, { input: { body: { name: "Someone else" } }, idempotencyKey: "order-1" });
    expect(again.runId).toBe(first.runId);
    const other = await dispatch(workflowId, { input: { body: { name: "Ada" } }, idempotencyKey: "order-2" });
    expect(other.runId).not.toBe(first.runId);
    expect((await runsOf(workflowId)).map((r) => r.id).sort()).toEqual([first.runId, other.runId].sort());
    const run = await waitForStatus(first.runId, ["succeeded"]);
    expect(run.output.greet).toEqual({ message: "Hello, Ada!" });
  });

  it("the same idempotencyKey on another workflow is a different run", async () => {
    const a = await createWorkflow(quickstart);
    const b = await createWorkflow(quickstart);
    const runA = await dispatch(a, { idempotencyKey: "shared" });
    const runB = await dispatch(b, { idempotencyKey: "shared" });
    expect(runB.runId).not.toBe(runA.runId);
  });

  it("a workflow with validation errors gets 422 workflow_invalid with the errors, and no run", async () => {
    const workflowId = await createWorkflow({
      blocks: [{ id: "trg", type: "trigger_manual", params: {} }, { id: "greet", type: "greet", params: {} }],
      edges: [{ source: "trg", target: "greet" }],
    });
    const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: agent, body: {} });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe("workflow_invalid");
    expect(res.body.validation_errors).toEqual([expect.objectContaining({ code: "missing_required_param", block_id: "greet", field: "name" })]);
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it("an unknown or deleted workflow gets 404 not_found and no run", async () => {
    expect((await call(app, "POST", "/api/workflows/wf_doesnotexist/run", { headers: agent, body: {} })).body).toMatchObject({ error: "not_found" });
    const workflowId = await createWorkflow(quickstart);
    expect((await call(app, "DELETE", `/api/workflows/${workflowId}`, { headers: agent })).status).toBe(204);
    const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: agent, body: {} });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("not_found");
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it("an unknown run id gets 404 not_found on every run route", async () => {
    const id = "run_00000000000000000000";
    for (const [method, path, body] of [
      ["GET", `/api/runs/${id}`],
      ["GET", `/api/runs/${id}/logs`],
      ["GET", `/api/runs/${id}/stream`],
      ["POST", `/api/runs/${id}/cancel`],
      ["POST", `/api/runs/${id}/events`, { event: "x" }],
    ] as const) {
      const res = await call(app, method, path, { headers: agent, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error).toBe("not_found");
    }
  });
});

describe("bad input", () => {
  it.each([
    ["an unknown field", { input: {}, priority: 1 }],
    ["an empty idempotencyKey", { idempotencyKey: "" }],
    ["a 201-character idempotencyKey", { idempotencyKey: "k".repeat(201) }],
    ["a numeric idempotencyKey", { idempotencyKey: 7 }],
    ["an array body", [1, 2]],
  ])("a dispatch with %s gets 400 invalid_body and creates no run", async (_label, body) => {
    const workflowId = await createWorkflow(quickstart);
    const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: agent, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_body");
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it("malformed JSON gets 400 invalid_body and a non-JSON body 415, creating no run", async () => {
    const workflowId = await createWorkflow(quickstart);
    const broken = await call(app, "POST", `/api/workflows/${workflowId}/run`, {
      headers: { ...agent, "content-type": "application/json" },
      rawBody: "{ not json",
    });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe("invalid_body");
    const text = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers: { ...agent, "content-type": "text/plain" }, rawBody: "hi" });
    expect(text.status).toBe(415);
    expect(await runsOf(workflowId)).toEqual([]);
  });

  it("a 200-character idempotencyKey is accepted", async () => {
    const workflowId = await createWorkflow(quickstart);
    const first = await dispatch(workflowId, { idempotencyKey: "k".repeat(200) });
    expect((await dispatch(workflowId, { idempotencyKey: "k".repeat(200) })).runId).toBe(first.runId);
  });
});

describe("GET /api/runs", () => {
  let wfA: string;
  let wfB: string;
  const runsA: string[] = [];
  let runB: string;

  beforeAll(async () => {
    wfA = await createWorkflow(quickstart);
    wfB = await createWorkflow(waitsForApproval);
    for (const name of ["a", "b", "c"]) runsA.push((await dispatch(wfA, { input: { body: { name } } })).runId);
    runB = (await dispatch(wfB)).runId;
    for (const id of runsA) await waitForStatus(id, ["succeeded"]);
    await waitForStatus(runB, ["waiting"]);
  });
  afterAll(async () => {
    await call(app, "POST", `/api/runs/${runB}/cancel`, { headers: agent });
  });

  it("filters by workflowId, newest first", async () => {
    const listed = await runsOf(wfA);
    expect(listed.map((r) => r.id).sort()).toEqual([...runsA].sort());
    expect(listed.every((r) => r.workflowId === wfA)).toBe(true);
    const times = listed.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await runsOf(wfB)).map((r) => r.id)).toEqual([runB]);
  });

  it("filters by status, alone and with workflowId", async () => {
    const waiting = await call(app, "GET", "/api/runs?status=waiting", { headers: agent });
    expect(waiting.status).toBe(200);
    expect(waiting.body.data.map((r: { id: string }) => r.id)).toContain(runB);
    expect(waiting.body.data.every((r: { status: string }) => r.status === "waiting")).toBe(true);
    const succeededA = await call(app, "GET", `/api/runs?status=succeeded&workflowId=${wfA}`, { headers: agent });
    expect(succeededA.body.data.map((r: { id: string }) => r.id).sort()).toEqual([...runsA].sort());
    const none = await call(app, "GET", `/api/runs?status=failed&workflowId=${wfA}`, { headers: agent });
    expect(none.body).toEqual({ data: [], nextCursor: null });
  });

  it("pages with cursor and limit through every run exactly once", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `workflowId=${wfA}&limit=1${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await call(app, "GET", `/api/runs?${query}`, { headers: agent });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(1);
      seen.push(...page.body.data.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual((await runsOf(wfA)).map((r) => r.id));
    expect(new Set(seen).size).toBe(runsA.length);
  });

  it.each([
    ["a status that does not exist", "status=done", "invalid_query"],
    ["limit 0", "limit=0", "invalid_query"],
    ["limit 101", "limit=101", "invalid_query"],
    ["an unknown parameter", "sort=asc", "invalid_query"],
    ["a cursor that is not base64url", "cursor=***", "invalid_cursor"],
    ["a cursor of the wrong shape", `cursor=${Buffer.from('{"x":1}').toString("base64url")}`, "invalid_cursor"],
  ])("%s gets 400 %s", async (_label, query, code) => {
    const res = await call(app, "GET", `/api/runs?${query}`, { headers: agent });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
  });
});

describe("GET /api/runs/:runId/logs", () => {
  let runId: string;
  let all: { id: string; blockId: string; status: string }[];

  beforeAll(async () => {
    runId = (await dispatch(await createWorkflow(chain))).runId;
    await waitForStatus(runId, ["succeeded"]);
    const res = await call(app, "GET", `/api/runs/${runId}/logs?limit=500`, { headers: agent });
    expect(res.status).toBe(200);
    all = res.body.data;
    expect(res.body.nextCursor).toBeNull();
  });

  it("has one entry per executed block, in order, with resolved input and output", async () => {
    const ids = all.map((e) => e.blockId);
    for (const n of [1, 2, 3, 4, 5]) expect(ids).toContain(`t${n}`);
    expect(ids.indexOf("t1")).toBeLessThan(ids.indexOf("t5"));
    const t3 = all.find((e) => e.blockId === "t3");
    expect(t3).toMatchObject({ blockType: "transform", attempt: 1, status: "succeeded", output: { value: { n: 3 } }, error: null });
  });

  it("pages with after and limit through every entry exactly once", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await call(app, "GET", `/api/runs/${runId}/logs?limit=2${after ? `&after=${encodeURIComponent(after)}` : ""}`, { headers: agent });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.data.map((e: { id: string }) => e.id));
      after = page.body.nextCursor;
    } while (after);
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it("an entry's id works as the after cursor", async () => {
    const res = await call(app, "GET", `/api/runs/${runId}/logs?after=${encodeURIComponent(all[1].id)}`, { headers: agent });
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: { id: string }) => e.id)).toEqual(all.slice(2).map((e) => e.id));
  });

  it.each([
    ["limit 0", "limit=0", "invalid_query"],
    ["limit 501", "limit=501", "invalid_query"],
    ["limit abc", "limit=abc", "invalid_query"],
    ["an unknown parameter", "before=1", "invalid_query"],
    ["an after that is not a cursor", "after=***", "invalid_cursor"],
    ["an after of the wrong shape", `after=${Buffer.from('{"x":1}').toString("base64url")}`, "invalid_cursor"],
  ])("%s gets 400 %s", async (_label, query, code) => {
    const res = await call(app, "GET", `/api/runs/${runId}/logs?${query}`, { headers: agent });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
  });
});

describe("POST /api/runs/:runId/cancel", () => {
  it("a waiting run is canceled at once; canceling it again is a 200 no-op", async () => {
    const { runId } = await dispatch(await createWorkflow(waitsForApproval));
    await waitForStatus(runId, ["waiting"]);
    const canceled = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ id: runId, status: "canceled" });
    expect(Date.parse(canceled.body.finishedAt)).not.toBeNaN();
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body.status).toBe("canceled");
    const again = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(canceled.body);
    // An event arriving afterwards does not bring it back: revived, it would be claimed (resumable
    // runs first) before a run dispatched after the event.
    const claims = await claimsOf(app, runId);
    await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body: { event: "approved" } });
    await sentinelRun(app, agent, owner.organizationId);
    expect(await claimsOf(app, runId)).toEqual({ ...claims, status: "canceled" });
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body.status).toBe("canceled");
  });

  it("a succeeded run gets 409 run_finished and stays succeeded", async () => {
    const { runId } = await dispatch(await createWorkflow(quickstart), { input: { body: { name: "Ada" } } });
    await waitForStatus(runId, ["succeeded"]);
    const res = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe("run_finished");
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body.status).toBe("succeeded");
  });

  it("a queued run is canceled before any block runs, and a worker never starts it", async () => {
    await worker.stop();
    workerRunning = false;
    try {
      const { runId, status } = await dispatch(await createWorkflow(quickstart), { input: { body: { name: "Ada" } } });
      expect(status).toBe("queued");
      const res = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: "canceled", output: null });
      // One slot: were the canceled run claimable, the worker would take it (the older) and end
      // its pass before it could take a sentinel dispatched after it.
      worker = await startTestWorker(app, { concurrency: 1 });
      workerRunning = true;
      await sentinelRun(app, agent, owner.organizationId);
      expect(await claimsOf(app, runId)).toEqual({ attempts: 0, status: "canceled" });
      const after = await call(app, "GET", `/api/runs/${runId}`, { headers: agent });
      expect(after.body).toMatchObject({ status: "canceled", startedAt: null });
      expect((await call(app, "GET", `/api/runs/${runId}/logs`, { headers: agent })).body.data).toEqual([]);
    } finally {
      if (workerRunning) await worker.stop();
      worker = await startTestWorker(app);
      workerRunning = true;
    }
  });
});

describe("another organization's run", () => {
  let bob: TestUser;
  let bobKey: Record<string, string>;
  let workflowId: string;
  let runId: string;

  beforeAll(async () => {
    bob = await signUp(app);
    bobKey = (await createApiKey(app, bob)).headers;
    workflowId = await createWorkflow(waitsForApproval);
    runId = (await dispatch(workflowId)).runId;
    await waitForStatus(runId, ["waiting"]);
  });
  afterAll(async () => {
    await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: agent });
  });

  it("is 404 not_found on every run route and dispatch, for sessions and API keys, and stays untouched", async () => {
    const before = (await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body;
    for (const headers of [bobKey, bob.bearer]) {
      for (const [method, path, body] of [
        ["GET", `/api/runs/${runId}`],
        ["GET", `/api/runs/${runId}/logs`],
        ["GET", `/api/runs/${runId}/stream`],
        ["POST", `/api/runs/${runId}/cancel`],
        ["POST", `/api/runs/${runId}/events`, { event: "approved" }],
        ["POST", `/api/workflows/${workflowId}/run`, {}],
        ["POST", `/api/workflows/${workflowId}/run`, { idempotencyKey: "x" }],
      ] as const) {
        const res = await call(app, method, path, { headers, body });
        expect(res.status, `${method} ${path}`).toBe(404);
        expect(res.body.error, `${method} ${path}`).toBe("not_found");
      }
    }
    // Bob's event, had it reached the run, would have it claimed before a later run of its owner.
    await sentinelRun(app, agent, owner.organizationId);
    expect(await claimsOf(app, runId)).toEqual({ attempts: 1, status: "running" });
    expect((await call(app, "GET", `/api/runs/${runId}`, { headers: agent })).body).toEqual(before);
    expect(await runsOf(workflowId)).toHaveLength(1);
  });

  it("never appears in the other organization's list, even filtered by its workflow", async () => {
    expect((await call(app, "GET", "/api/runs", { headers: bobKey })).body).toEqual({ data: [], nextCursor: null });
    expect((await call(app, "GET", `/api/runs?workflowId=${workflowId}`, { headers: bobKey })).body).toEqual({ data: [], nextCursor: null });
  });
});
