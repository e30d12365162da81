/**
 * What a paused or canceled run says about itself (docs/runs.md): `output` fills in as blocks
 * complete, `waitingOn` names the wait it is parked in, and a cancel closes that wait's log entry
 * as `canceled`. Read over HTTP from a run executed by an in-process worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runWhen, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp());
});
afterAll(async () => {
  await close?.();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };
const org = () => user.organizationId;

/** trg → first (log) → wait (`type` with `params`) → done (log) */
function pausedWorkflow(type: string, params: Record<string, unknown>) {
  return {
    blocks: [
      trigger,
      { id: "first", type: "log", params: { message: "before {{trg.n}}" } },
      { id: "wait", type, params },
      { id: "done", type: "log", params: { message: "after" } },
    ],
    edges: [
      { source: "trg", target: "first" },
      { source: "first", target: "wait" },
      { source: "wait", target: "done" },
    ],
  };
}

async function getRun(runId: string) {
  const res = await call(app, "GET", `/api/runs/${runId}`, { headers: user.bearer });
  expect(res.status).toBe(200);
  return res.body;
}

async function waitLogEntries(runId: string) {
  const res = await call(app, "GET", `/api/runs/${runId}/logs?limit=100`, { headers: user.bearer });
  expect(res.status).toBe(200);
  return (res.body.data as { blockId: string; status: string; finishedAt: string | null }[]).filter((e) => e.blockId === "wait");
}

async function cancel(runId: string) {
  const res = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
  expect(res.status).toBe(200);
}

describe("a paused run", () => {
  it("parked in wait_for_event shows the outputs so far and waitingOn { blockId, kind: event, event }; after cancel the wait's entry is canceled", async () => {
    const workflowId = await createWorkflow(app, user.bearer, pausedWorkflow("wait_for_event", { event: "approved" }));
    const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 7 } });
    await runWhen(app, org(), runId, (r) => r.status === "waiting");
    const waiting = await getRun(runId);
    expect(waiting.status).toBe("waiting");
    expect(waiting.output).toStrictEqual({ trg: { n: 7 }, first: { message: "before 7" } });
    expect(waiting.waitingOn).toStrictEqual({ blockId: "wait", kind: "event", event: "approved" });
    expect(await waitLogEntries(runId)).toMatchObject([{ status: "waiting", finishedAt: null }]);

    await cancel(runId);
    const canceled = await getRun(runId);
    expect(canceled.status).toBe("canceled");
    expect(canceled.waitingOn).toBeNull();
    expect(canceled.output).toStrictEqual({ trg: { n: 7 }, first: { message: "before 7" } });
    const [entry, ...more] = await waitLogEntries(runId);
    expect(more).toHaveLength(0);
    expect(entry.status).toBe("canceled");
    expect(entry.finishedAt).not.toBeNull();
  });

  it("waiting for an organization-wide event names its key (and its timeout as until)", async () => {
    const workflowId = await createWorkflow(app, user.bearer, pausedWorkflow("wait_for_event", { event: "paid", key: "order-9", timeout_seconds: 3600 }));
    const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 1 } });
    await runWhen(app, org(), runId, (r) => r.status === "waiting");
    const run = await getRun(runId);
    expect(run.waitingOn).toMatchObject({ blockId: "wait", kind: "event", event: "paid", key: "order-9" });
    const until = Date.parse(run.waitingOn.until);
    expect(until - Date.parse(run.startedAt)).toBeGreaterThanOrEqual(3_599_000);
    expect(until - Date.parse(run.startedAt)).toBeLessThanOrEqual(3_600_000 + 60_000);
    await cancel(runId);
  });

  it("parked in wait_duration shows waitingOn { kind: duration, until }; after cancel it is null and the entry canceled", async () => {
    const workflowId = await createWorkflow(app, user.bearer, pausedWorkflow("wait_duration", { seconds: 3600 }));
    const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 2 } });
    await runWhen(app, org(), runId, (r) => r.status === "waiting");
    const waiting = await getRun(runId);
    expect(waiting.output).toStrictEqual({ trg: { n: 2 }, first: { message: "before 2" } });
    expect(Object.keys(waiting.waitingOn).sort()).toStrictEqual(["blockId", "kind", "until"]);
    expect(waiting.waitingOn).toMatchObject({ blockId: "wait", kind: "duration" });
    const until = Date.parse(waiting.waitingOn.until);
    expect(until - Date.parse(waiting.startedAt)).toBeGreaterThanOrEqual(3_599_000);
    expect(until - Date.parse(waiting.startedAt)).toBeLessThanOrEqual(3_600_000 + 60_000);

    await cancel(runId);
    const canceled = await getRun(runId);
    expect(canceled.waitingOn).toBeNull();
    expect(await waitLogEntries(runId)).toMatchObject([{ status: "canceled", finishedAt: expect.any(String) }]);
  });

  it("a run with no wait has waitingOn null, and a succeeded run's output is every block's output", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "first", type: "log", params: { message: "hi {{trg.n}}" } }, { id: "second", type: "log", params: { message: "{{first.message}}!" } }],
      edges: [
        { source: "trg", target: "first" },
        { source: "first", target: "second" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 3 } });
    await finishedRun(app, org(), runId);
    const run = await getRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.waitingOn).toBeNull();
    expect(run.output).toStrictEqual({ trg: { n: 3 }, first: { message: "hi 3" }, second: { message: "hi 3!" } });
  });

  it("a wait that resumes clears waitingOn and the run ends with every output", async () => {
    const workflowId = await createWorkflow(app, user.bearer, pausedWorkflow("wait_for_event", { event: "go" }));
    const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 4 } });
    await runWhen(app, org(), runId, (r) => r.status === "waiting");
    const sent = await call(app, "POST", `/api/runs/${runId}/events`, { headers: user.bearer, body: { event: "go", data: { ok: true } } });
    expect(sent.status).toBeLessThan(300);
    await finishedRun(app, org(), runId);
    const run = await getRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.waitingOn).toBeNull();
    expect(Object.keys(run.output).sort()).toStrictEqual(["done", "first", "trg", "wait"]);
    expect(run.output.wait).toMatchObject({ event: "go", data: { ok: true } });
  });
});
