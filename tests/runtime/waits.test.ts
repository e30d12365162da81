/**
 * Durable waits, events and cancel (docs/runs.md): wait_duration, wait_for_event addressed to one
 * run or to the organization by key, events stored before a wait is reached, timeouts, and
 * cancel — through an in-process worker on real Postgres.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, signUp, type TestApp, type TestUser } from "../helpers/api";
import {
  claimsOf,
  connectorCalls,
  createWorkflow,
  dispatchRun,
  finishedRun,
  runLogs,
  runWhen,
  sentinelRun,
  startWorkerTestApp,
} from "../helpers/runtime";
import { until } from "../helpers/until";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;
/** The worker's log lines (info and up), parsed. */
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const logger = pino({ level: "info" }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  ({ app, user, close } = await startWorkerTestApp({ concurrency: 8, logger }));
});
afterAll(async () => {
  await close?.();
});

const trigger = { id: "trg", type: "trigger_manual", params: {} };
const org = () => user.organizationId;
const waiting = (runId: string) => runWhen(app, org(), runId, (r) => r.status === "waiting");

/** trg → wait (wait_for_event) → done (log) */
function eventWorkflow(params: Record<string, unknown>) {
  return {
    blocks: [trigger, { id: "wait", type: "wait_for_event", params }, { id: "done", type: "log", params: { message: "got {{wait.data.n}}" } }],
    edges: [
      { source: "trg", target: "wait" },
      { source: "wait", target: "done" },
    ],
  };
}

describe("wait_duration", () => {
  it("a run parked in wait_duration reads waiting (and is listed as waiting), then succeeds", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "pause", type: "wait_duration", params: { seconds: 1 } }, { id: "after", type: "log", params: { message: "awake" } }],
      edges: [
        { source: "trg", target: "pause" },
        { source: "pause", target: "after" },
      ],
    });
    const started = Date.now();
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await waiting(runId);
    const listed = await call(app, "GET", "/api/runs?status=waiting", { headers: user.bearer });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { id: string }) => r.id)).toContain(runId);
    const running = await app.runtime.listRuns(org(), { status: "running", limit: 100 });
    expect(running !== "invalid_cursor" && running.data.map((r) => r.id)).not.toContain(runId);
    expect((await runLogs(app, org(), runId)).find((l) => l.blockId === "pause")?.status).toBe("waiting");
    const done = await finishedRun(app, org(), runId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(done).toMatchObject({ status: "succeeded", output: { pause: { waitedSeconds: 1 }, after: { message: "awake" } } });
    const pause = (await runLogs(app, org(), runId)).filter((l) => l.blockId === "pause");
    expect(pause).toHaveLength(1); // the waiting entry was rewritten as succeeded, under a new cursor
    expect(pause[0]).toMatchObject({ status: "succeeded", attempt: 1 });
    expect(pause[0].durationMs).toBeGreaterThanOrEqual(1_000);
  });
});

describe("wait_for_event", () => {
  it("an event sent to one run wakes that run only, even when another waits on the same event name", async () => {
    const workflowId = await createWorkflow(app, user.bearer, eventWorkflow({ event: "approved" }));
    const a = await dispatchRun(app, user.bearer, workflowId);
    const b = await dispatchRun(app, user.bearer, workflowId);
    await Promise.all([waiting(a), waiting(b)]);
    const sent = await call(app, "POST", `/api/runs/${a}/events`, { headers: user.bearer, body: { event: "approved", data: { n: 1 } } });
    expect(sent.status).toBeLessThan(300);
    expect(sent.body).toMatchObject({ delivered: true });
    const doneA = await finishedRun(app, org(), a);
    expect(doneA).toMatchObject({ status: "succeeded", output: { wait: { event: "approved", data: { n: 1 } }, done: { message: "got 1" } } });
    expect((doneA.output?.wait as { receivedAt: string }).receivedAt).toMatch(/^\d{4}-/);
    expect((await app.runtime.getRun(org(), b))?.status).toBe("waiting");
    expect(await app.runtime.sendRunEvent(org(), b, { event: "approved", data: { n: 2 } })).toMatchObject({ delivered: true });
    expect(await finishedRun(app, org(), b)).toMatchObject({ status: "succeeded", output: { done: { message: "got 2" } } });
  });

  it("an event sent before the run reaches its wait is kept and taken when it gets there", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "slow", type: "sleepy", params: { ms: 600 } }, { id: "wait", type: "wait_for_event", params: { event: "go" } }],
      edges: [
        { source: "trg", target: "slow" },
        { source: "slow", target: "wait" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const early = await app.runtime.sendRunEvent(org(), runId, { event: "go", data: "early" });
    expect(early).toMatchObject({ delivered: false });
    const done = await finishedRun(app, org(), runId);
    expect(done).toMatchObject({ status: "succeeded", output: { wait: { event: "go", data: "early" } } });
    expect((await runLogs(app, org(), runId)).some((l) => l.status === "waiting")).toBe(false);
  });

  it("an org event reaches every run waiting on that event and key, and no other; unmatched, it waits for the next matching wait", async () => {
    const workflowId = await createWorkflow(app, user.bearer, eventWorkflow({ event: "paid", key: "{{trg.order}}" }));
    const first = await dispatchRun(app, user.bearer, workflowId, { input: { order: "o-1" } });
    const second = await dispatchRun(app, user.bearer, workflowId, { input: { order: "o-1" } });
    const other = await dispatchRun(app, user.bearer, workflowId, { input: { order: "o-2" } });
    await Promise.all([waiting(first), waiting(second), waiting(other)]);
    const sent = await call(app, "POST", "/api/events", { headers: user.bearer, body: { event: "paid", key: "o-1", data: { n: 7 } } });
    expect(sent.status).toBeLessThan(300);
    expect([...sent.body.deliveredTo].sort()).toEqual([first, second].sort());
    for (const runId of [first, second]) {
      expect(await finishedRun(app, org(), runId)).toMatchObject({ status: "succeeded", output: { wait: { data: { n: 7 } }, done: { message: "got 7" } } });
    }
    expect((await app.runtime.getRun(org(), other))?.status).toBe("waiting");
    // No waiter for o-3 yet: the event is stored, and a run that waits later takes it.
    expect(await app.runtime.sendOrgEvent(org(), { event: "paid", key: "o-3", data: { n: 3 } })).toMatchObject({ deliveredTo: [] });
    const late = await dispatchRun(app, user.bearer, workflowId, { input: { order: "o-3" } });
    expect(await finishedRun(app, org(), late)).toMatchObject({ status: "succeeded", output: { done: { message: "got 3" } } });
    await app.runtime.sendOrgEvent(org(), { event: "paid", key: "o-2", data: { n: 2 } });
    expect(await finishedRun(app, org(), other)).toMatchObject({ status: "succeeded", output: { done: { message: "got 2" } } });
  });

  it("a wait that times out takes its timeout handle with { timedOut: true }; its success path is skipped", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [
        trigger,
        { id: "wait", type: "wait_for_event", params: { event: "never", timeout_seconds: 1 } },
        { id: "got", type: "log", params: { message: "got it" } },
        { id: "late", type: "log", params: { message: "timed out" } },
      ],
      edges: [
        { source: "trg", target: "wait" },
        { source: "wait", target: "got" },
        { source: "wait", target: "late", sourceHandle: "timeout" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const done = await finishedRun(app, org(), runId);
    expect(done).toMatchObject({ status: "succeeded", output: { wait: { timedOut: true }, late: { message: "timed out" } } });
    expect(done.output).not.toHaveProperty("got");
    const logs = await runLogs(app, org(), runId);
    expect(logs.find((l) => l.blockId === "wait")).toMatchObject({ status: "timed_out", output: { timedOut: true } });
    expect(logs.find((l) => l.blockId === "got")).toMatchObject({ status: "skipped" });
    // The wait is closed: a late event is stored, not delivered.
    expect(await app.runtime.sendRunEvent(org(), runId, { event: "never" })).toMatchObject({ delivered: false });
  });

  it("an event delivered to one branch is acted on at once while a parallel branch sleeps", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [
        trigger,
        { id: "nap", type: "wait_duration", params: { seconds: 8 } },
        { id: "wait", type: "wait_for_event", params: { event: "ping" } },
        { id: "pong", type: "log", params: { message: "pong" } },
      ],
      edges: [
        { source: "trg", target: "nap" },
        { source: "trg", target: "wait" },
        { source: "wait", target: "pong" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    const parked = async () => (await runLogs(app, org(), runId)).filter((l) => l.status === "waiting").length === 2;
    await until(parked, 15_000, "both branches to park");
    await app.runtime.sendRunEvent(org(), runId, { event: "ping" });
    let logs = await runLogs(app, org(), runId);
    await until(async () => (logs = await runLogs(app, org(), runId)).some((l) => l.blockId === "pong"), 15_000, "pong to run");
    // Acted on while the other branch still sleeps, not when it wakes.
    expect(logs.find((l) => l.blockId === "pong")?.status).toBe("succeeded");
    expect(logs.find((l) => l.blockId === "nap")?.status).toBe("waiting");
    const done = await finishedRun(app, org(), runId);
    expect(done.status).toBe("succeeded");
    // No busy loop of claims while the other branch slept.
    const [owRun] = await app.database.sql`SELECT id, attempts FROM openworkflow.workflow_runs WHERE input->>'runId' = ${runId}`;
    expect(owRun.attempts).toBeLessThan(8);
    // Each block's steps kept their own names: no block was started twice (openworkflow would add ":1").
    const steps = await app.database.sql`SELECT step_name FROM openworkflow.step_attempts WHERE workflow_run_id = ${owRun.id}`;
    expect(steps.map((s) => s.step_name as string).filter((name) => /:\d+$/.test(name))).toEqual([]);
  });
});

describe("cancel", () => {
  it("canceling a waiting run takes effect at once; later events do not revive it", async () => {
    const workflowId = await createWorkflow(app, user.bearer, eventWorkflow({ event: "resume" }));
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await waiting(runId);
    const canceled = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ id: runId, status: "canceled", finishedAt: expect.any(String) });
    expect((await app.runtime.getRun(org(), runId))?.status).toBe("canceled");
    const claims = await claimsOf(app, runId);
    expect(await app.runtime.sendRunEvent(org(), runId, { event: "resume", data: { n: 1 } })).toMatchObject({ delivered: false });
    // Revived, the run would be claimed (resumable runs first) before a run dispatched after the event.
    await sentinelRun(app, user.bearer, org());
    expect(await claimsOf(app, runId)).toEqual({ ...claims, status: "canceled" });
    const after = await app.runtime.getRun(org(), runId);
    expect(after?.status).toBe("canceled");
    expect((await runLogs(app, org(), runId)).find((l) => l.blockId === "done")).toBeUndefined();
    // Canceling again is a no-op that returns the run.
    const again = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe("canceled");
  });

  it("canceling a running run aborts its in-flight block and nothing after it runs", async () => {
    const workflowId = await createWorkflow(app, user.bearer, {
      blocks: [trigger, { id: "long", type: "sleepy", params: { ms: 10_000 } }, { id: "after", type: "log", params: { message: "x" } }],
      edges: [
        { source: "trg", target: "long" },
        { source: "long", target: "after" },
      ],
    });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await until(() => connectorCalls.has(`${runId}/long`), 15_000, "the long block to start");
    expect(await app.runtime.cancel(org(), runId)).toMatchObject({ status: "canceled" });
    let logs = await runLogs(app, org(), runId);
    await until(async () => (logs = await runLogs(app, org(), runId)).some((l) => l.blockId === "long"), 15_000, "the long block's entry");
    // Ended by the abort, not by its own 10 s running out.
    expect(logs.find((l) => l.blockId === "long")).toMatchObject({ status: "failed", error: { message: "aborted" } });
    // The worker logs the end of the run's pass after every block it started has settled.
    const passEnded = () => logged.some((line) => line.runId === runId && /^run (failed|succeeded|pass failed)/.test(String(line.msg)));
    await until(passEnded, 15_000, "the worker to end the run's pass");
    expect((await app.runtime.getRun(org(), runId))?.status).toBe("canceled");
    expect((await runLogs(app, org(), runId)).find((l) => l.blockId === "after")).toBeUndefined();
  });

  it("canceling a finished run answers run_finished", async () => {
    const workflowId = await createWorkflow(app, user.bearer, { blocks: [trigger], edges: [] });
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await finishedRun(app, org(), runId);
    expect(await app.runtime.cancel(org(), runId)).toBe("run_finished");
  });
});

describe("isolation", () => {
  it("another organization's run is invisible: reads, logs, cancel and events all answer not found", async () => {
    const stranger = await signUp(app);
    const workflowId = await createWorkflow(app, user.bearer, eventWorkflow({ event: "x" }));
    const runId = await dispatchRun(app, user.bearer, workflowId);
    await waiting(runId);
    const them = stranger.organizationId;
    expect(await app.runtime.getRun(them, runId)).toBeNull();
    expect(await app.runtime.listLogs(them, runId, { limit: 10 })).toBeNull();
    expect(await app.runtime.cancel(them, runId)).toBeNull();
    expect(await app.runtime.sendRunEvent(them, runId, { event: "x" })).toBeNull();
    expect(await app.runtime.sendOrgEvent(them, { event: "x", key: "k" })).toMatchObject({ deliveredTo: [] });
    expect((await app.runtime.getRun(org(), runId))?.status).toBe("waiting");
    await app.runtime.cancel(org(), runId);
  });
});
