/**
 * Events over HTTP (docs/runs.md): `POST /api/runs/:runId/events` wakes that run only;
 * `POST /api/events { event, key }` wakes every run of the caller's organization waiting on the
 * event with that key, and no other; an event sent before the wait is stored, not lost; bad input
 * is 400 and delivers nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createApiKey, createAppWithAgent, signUp, type TestApp, type TestUser } from "../helpers/api";
import { claimsOf, sentinelRun, startTestWorker } from "../helpers/runtime";

let app: TestApp;
let owner: TestUser;
let agent: Record<string, string>;
let worker: { stop(): Promise<void> };

beforeAll(async () => {
  ({ app, owner, agent } = await createAppWithAgent());
  worker = await startTestWorker(app);
});
afterAll(async () => {
  await worker?.stop();
  await app?.close();
});

/** trigger → wait_for_event(event, key?) → greet, which proves the run went on past the wait. */
function waitingWorkflow(params: { event: string; key?: string }) {
  return {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "wait", type: "wait_for_event", params },
      { id: "done", type: "greet", params: { name: "after the wait" } },
    ],
    edges: [
      { source: "trg", target: "wait" },
      { source: "wait", target: "done" },
    ],
  };
}

async function createWorkflow(definition: unknown, headers: Record<string, string> = agent): Promise<string> {
  const res = await call(app, "POST", "/api/workflows", { headers, body: { name: "wf", definition } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

async function dispatch(workflowId: string, headers: Record<string, string> = agent): Promise<string> {
  const res = await call(app, "POST", `/api/workflows/${workflowId}/run`, { headers, body: {} });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.runId;
}

async function getRun(runId: string, headers: Record<string, string> = agent) {
  const res = await call(app, "GET", `/api/runs/${runId}`, { headers });
  expect(res.status).toBe(200);
  return res.body;
}

const FINAL = ["succeeded", "failed", "canceled"];

async function waitForStatus(runId: string, statuses: string[], headers: Record<string, string> = agent, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await getRun(runId, headers);
    if (statuses.includes(run.status)) return run;
    if (FINAL.includes(run.status)) throw new Error(`run ${runId} ended ${run.status}, not ${statuses.join("/")}: ${JSON.stringify(run.error)}`);
    if (Date.now() > deadline) throw new Error(`run ${runId} is ${run.status}, not ${statuses.join("/")}, after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How often each run was claimed so far, and openworkflow's status of it. */
const claimsOfAll = (runIds: string[]) => Promise.all(runIds.map((id) => claimsOf(app, id)));

/**
 * Asserts that nothing woke `runIds` since `before` was read: a woken run would be claimed
 * (resumable runs first) before a sentinel run dispatched now, so once the sentinel has finished
 * their claim counts must be unchanged.
 */
async function expectNotWoken(runIds: string[], before: Awaited<ReturnType<typeof claimsOfAll>>) {
  await sentinelRun(app, agent, owner.organizationId);
  expect(await claimsOfAll(runIds)).toEqual(before);
  for (const id of runIds) expect((await getRun(id)).status).toBe("waiting");
}

async function cancel(...runIds: string[]) {
  for (const id of runIds) await call(app, "POST", `/api/runs/${id}/cancel`, { headers: agent });
}

describe("POST /api/runs/:runId/events", () => {
  it("wakes the addressed run only, with the event's data as the wait block's output", async () => {
    const workflowId = await createWorkflow(waitingWorkflow({ event: "approved" }));
    const target = await dispatch(workflowId);
    const bystander = await dispatch(workflowId);
    await waitForStatus(target, ["waiting"]);
    await waitForStatus(bystander, ["waiting"]);
    const before = await claimsOfAll([bystander]);

    const res = await call(app, "POST", `/api/runs/${target}/events`, { headers: agent, body: { event: "approved", data: { by: "Ada" } } });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ eventId: expect.any(String), delivered: true });

    const run = await waitForStatus(target, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.output.wait).toMatchObject({ event: "approved", data: { by: "Ada" } });
    expect(Date.parse(run.output.wait.receivedAt)).not.toBeNaN();
    expect(run.output.done).toEqual({ message: "Hello, after the wait!" });
    await expectNotWoken([bystander], before);
    await cancel(bystander);
  });

  it("an event with another name does not wake the run", async () => {
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: "approved" })));
    await waitForStatus(runId, ["waiting"]);
    const before = await claimsOfAll([runId]);
    const res = await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body: { event: "rejected" } });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toBe(false);
    await expectNotWoken([runId], before);
    await cancel(runId);
  });

  it("an event sent before the run reaches its wait is stored and consumed there", async () => {
    const workflowId = await createWorkflow({
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "pause", type: "wait_duration", params: { seconds: 1 } },
        { id: "wait", type: "wait_for_event", params: { event: "approved" } },
      ],
      edges: [
        { source: "trg", target: "pause" },
        { source: "pause", target: "wait" },
      ],
    });
    const runId = await dispatch(workflowId);
    const res = await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body: { event: "approved", data: 42 } });
    expect(res.status).toBe(202);
    expect(res.body.delivered).toBe(false);
    const run = await waitForStatus(runId, ["succeeded", "failed"]);
    expect(run.status).toBe("succeeded");
    expect(run.output.wait).toMatchObject({ event: "approved", data: 42 });
  });

  it.each([
    ["an empty event name", { event: "" }],
    ["a 201-character event name", { event: "e".repeat(201) }],
    ["a numeric event name", { event: 1 }],
    ["no event name", { data: {} }],
    ["an unknown field", { event: "approved", key: "k" }],
  ])("%s gets 400 invalid_body and wakes nothing", async (_label, body) => {
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: "approved" })));
    await waitForStatus(runId, ["waiting"]);
    const before = await claimsOfAll([runId]);
    const res = await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_body");
    await expectNotWoken([runId], before);
    await cancel(runId);
  });

  it("a 200-character event name is accepted", async () => {
    const name = "e".repeat(200);
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: name })));
    await waitForStatus(runId, ["waiting"]);
    const res = await call(app, "POST", `/api/runs/${runId}/events`, { headers: agent, body: { event: name } });
    expect(res.status).toBe(202);
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
  });
});

describe("POST /api/events", () => {
  let bob: TestUser;
  let bobKey: Record<string, string>;

  beforeAll(async () => {
    bob = await signUp(app);
    bobKey = (await createApiKey(app, bob)).headers;
  });

  it("wakes every run of the organization waiting on the event with that key, and no other", async () => {
    const order1 = await createWorkflow(waitingWorkflow({ event: "paid", key: "order-1" }));
    const order2 = await createWorkflow(waitingWorkflow({ event: "paid", key: "order-2" }));
    const shipped1 = await createWorkflow(waitingWorkflow({ event: "shipped", key: "order-1" }));
    const a = await dispatch(order1);
    const b = await dispatch(order1);
    const other = await dispatch(order2);
    const otherEvent = await dispatch(shipped1);
    for (const id of [a, b, other, otherEvent]) await waitForStatus(id, ["waiting"]);
    const before = await claimsOfAll([other, otherEvent]);

    const res = await call(app, "POST", "/api/events", { headers: agent, body: { event: "paid", key: "order-1", data: { amount: 10 } } });
    expect(res.status).toBe(202);
    expect(res.body.eventId).toEqual(expect.any(String));
    expect([...res.body.deliveredTo].sort()).toEqual([a, b].sort());
    for (const id of [a, b]) {
      const run = await waitForStatus(id, ["succeeded", "failed"]);
      expect(run.status).toBe("succeeded");
      expect(run.output.wait).toMatchObject({ event: "paid", data: { amount: 10 } });
    }
    await expectNotWoken([other, otherEvent], before);
    await cancel(other, otherEvent);
  });

  it("another organization's event with the same name and key wakes nothing here", async () => {
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: "paid", key: "order-9" })));
    await waitForStatus(runId, ["waiting"]);
    const before = await claimsOfAll([runId]);
    const res = await call(app, "POST", "/api/events", { headers: bobKey, body: { event: "paid", key: "order-9" } });
    expect(res.status).toBe(202);
    expect(res.body.deliveredTo).toEqual([]);
    await expectNotWoken([runId], before);
    // The owner's own event still reaches it: Bob's was not stored against this organization.
    const own = await call(app, "POST", "/api/events", { headers: agent, body: { event: "paid", key: "order-9" } });
    expect(own.body.deliveredTo).toEqual([runId]);
    expect((await waitForStatus(runId, ["succeeded", "failed"])).status).toBe("succeeded");
  });

  it.each([
    ["no key", { event: "paid" }],
    ["an empty key", { event: "paid", key: "" }],
    ["a 501-character key", { event: "paid", key: "k".repeat(501) }],
    ["a numeric key", { event: "paid", key: 5 }],
    ["an empty event name", { event: "", key: "order-7" }],
    ["a 201-character event name", { event: "e".repeat(201), key: "order-7" }],
    ["an unknown field", { event: "paid", key: "order-7", runId: "run_x" }],
  ])("%s gets 400 invalid_body and wakes nothing", async (_label, body) => {
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: "paid", key: "order-7" })));
    await waitForStatus(runId, ["waiting"]);
    const before = await claimsOfAll([runId]);
    const res = await call(app, "POST", "/api/events", { headers: agent, body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_body");
    await expectNotWoken([runId], before);
    await cancel(runId);
  });

  it("a 500-character key is accepted", async () => {
    const key = "k".repeat(500);
    const runId = await dispatch(await createWorkflow(waitingWorkflow({ event: "paid", key })));
    await waitForStatus(runId, ["waiting"]);
    const res = await call(app, "POST", "/api/events", { headers: agent, body: { event: "paid", key } });
    expect(res.status).toBe(202);
    expect(res.body.deliveredTo).toEqual([runId]);
  });
});
