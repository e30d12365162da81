/**
 * call_workflow (docs/runs.md, "Child runs"): a block that runs another workflow of the
 * organization and waits for it durably — once, or once per item with a bounded number at a time —
 * through an in-process worker on real Postgres, with child runs calling a local HTTP server.
 */
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs, runWhen, startWorkerTestApp } from "../helpers/runtime";
import { startGate, type Gate } from "../helpers/gate";
import { until } from "../helpers/until";
import type { RunResource } from "@/lib/resources/run";
import { markRunCanceled } from "@/lib/store/runs";

let app: TestApp;
let user: TestUser;
let gate: Gate;
let close: (() => Promise<void>) | undefined;

/** The worker's log lines (info and up), parsed. */
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const logger = pino({ level: "info" }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  // More slots than any fan-out below runs at once, so the worker never is what bounds it.
  ({ app, user, close } = await startWorkerTestApp({ concurrency: 12, logger }));
  gate = await startGate();
});
afterAll(async () => {
  await close?.();
  await gate?.close();
});

const org = () => user.organizationId;
const trigger = { id: "trg", type: "trigger_manual", params: {} };

/** trg → fetch: GET /item/{{trg.n}} on the gate. */
function fetchingChild() {
  return {
    blocks: [trigger, { id: "fetch", type: "http_request", params: { method: "GET", url: `${gate.url("{{trg.n}}")}` } }],
    edges: [{ source: "trg", target: "fetch" }],
  };
}

/** trg → call (call_workflow with `params`) [→ `next` on the success path, `handled` on the error handle]. */
function caller(params: Record<string, unknown>, options: { errorEdge?: boolean } = {}) {
  const blocks: Record<string, unknown>[] = [trigger, { id: "call", type: "call_workflow", params }];
  const edges: Record<string, unknown>[] = [{ source: "trg", target: "call" }];
  if (options.errorEdge) {
    blocks.push({ id: "handled", type: "log", params: { message: "handled: {{call.error.message}}" } });
    edges.push({ source: "call", target: "handled", sourceHandle: "error" });
  }
  return { blocks, edges };
}

async function getRun(runId: string, headers = user.bearer) {
  return call(app, "GET", `/api/runs/${runId}`, { headers });
}

/** The run's children, by item order, from GET /api/runs/:id. */
async function childrenOf(runId: string): Promise<NonNullable<RunResource["children"]>> {
  const res = await getRun(runId);
  expect(res.status).toBe(200);
  return res.body.children;
}

describe("one child", () => {
  it("runs the child workflow, outputs its run id, status and output, and the child links to its parent", async () => {
    const child = await createWorkflow(
      app,
      user.bearer,
      { blocks: [trigger, { id: "greet", type: "greet", params: { name: "{{trg.name}}" } }], edges: [{ source: "trg", target: "greet" }] },
      "greeter",
    );
    const parentDef = caller({ workflow_id: child, input: { name: "{{trg.who}}" } });
    parentDef.blocks.push({ id: "after", type: "log", params: { message: "child said {{call.output.greet.message}}" } });
    parentDef.edges.push({ source: "call", target: "after" });
    const parent = await createWorkflow(app, user.bearer, parentDef, "caller");
    const runId = await dispatchRun(app, user.bearer, parent, { input: { who: "Ada" } });
    const done = await finishedRun(app, org(), runId);
    expect(done.status).toBe("succeeded");
    const out = (done.output as Record<string, { runId: string; status: string; output: unknown }>).call;
    expect(out).toEqual({ runId: expect.stringMatching(/^run_/), status: "succeeded", output: { trg: { name: "Ada" }, greet: { message: "Hello, Ada!" } } });
    expect(done.output).toMatchObject({ after: { message: "child said Hello, Ada!" } });

    // The child: trigger "workflow", started by the parent, input as given, its workflow's version pinned.
    const childRun = await getRun(out.runId);
    expect(childRun.body).toMatchObject({ parentRunId: runId, trigger: "workflow", triggeredBy: `run:${runId}`, workflowId: child, workflowVersion: 1, input: { name: "Ada" }, children: [] });
    // The parent lists it, and has no parent itself; the runs list filters by parent.
    const parentRun = await getRun(runId);
    expect(parentRun.body).toMatchObject({ parentRunId: null, children: [{ runId: out.runId, workflowId: child, status: "succeeded", blockId: "call", itemIndex: 0 }] });
    const listed = await call(app, "GET", `/api/runs?parentRunId=${runId}`, { headers: user.bearer });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { id: string }) => r.id)).toEqual([out.runId]);
    // While it waited, the parent's call block was logged waiting, then succeeded with the output.
    const entries = (await runLogs(app, org(), runId)).filter((l) => l.blockId === "call");
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ status: "succeeded", output: out });
  });

  it("without an error edge, a failed child fails the run with code child_failed and the child's error in the message", async () => {
    gate.fail.add(900);
    const child = await createWorkflow(app, user.bearer, fetchingChild(), "failing child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child, input: { n: 900 } }), "caller of a failing child");
    const runId = await dispatchRun(app, user.bearer, parent);
    const done = await finishedRun(app, org(), runId);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ blockId: "call", code: "child_failed" });
    const [childRun] = await childrenOf(runId);
    expect(childRun.status).toBe("failed");
    expect(done.error?.message).toContain(`The child run ${childRun.runId} of workflow ${child} failed`);
    expect(done.error?.message).toContain("answered HTTP 500");
  });
});

describe("items", () => {
  it("20 items with concurrency 5: results in item order, at most 5 children at once, each next one starting as one finishes", async () => {
    const child = await createWorkflow(app, user.bearer, fetchingChild(), "item child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child, items: "{{trg.items}}", concurrency: 5 }), "fan-out");
    const items = Array.from({ length: 20 }, (_, i) => ({ n: 100 + i }));
    const runId = await dispatchRun(app, user.bearer, parent, { input: { items } });
    // Let one request through at a time, once 5 are held (or every one left is). A block that started
    // more than 5 children shows more held requests (the worker has 12 slots), and more children in
    // flight in the database; one that waited for a whole batch of 5 before starting more stalls here.
    for (let released = 0; released < items.length; released++) {
      const expected = Math.min(5, items.length - released);
      await until(() => gate.held().length >= expected, 20_000, `${expected} children's requests held after ${released} released`);
      expect(gate.held().length).toBe(expected);
      const [{ count }] = await app.database.sql<{ count: number }[]>`
        SELECT count(*)::int AS count FROM runs WHERE parent_run_id = ${runId} AND status IN ('queued', 'running')`;
      expect(count).toBeLessThanOrEqual(5);
      gate.releaseOldest();
    }
    const done = await finishedRun(app, org(), runId, 60_000);
    expect(done.status).toBe("succeeded");
    const { results } = (done.output as { call: { results: { runId: string; status: string; output: { fetch: { body: unknown } } }[] } }).call;
    expect(results.map((r) => r.status)).toEqual(Array(20).fill("succeeded"));
    expect(results.map((r) => r.output.fetch.body)).toEqual(items);
    expect(gate.maxInFlight()).toBe(5);
    for (const item of items) expect(gate.hits.get(item.n)).toBe(1);
    // One child run per item, each given its item as input.
    const children = await childrenOf(runId);
    expect(children.map((c) => c.itemIndex)).toEqual(items.map((_, i) => i));
    expect(new Set(children.map((c) => c.runId)).size).toBe(20);
    expect(children.map((c) => c.runId)).toEqual(results.map((r) => r.runId));
    const inputs = await app.database.sql<{ item_index: number; input: unknown }[]>`SELECT item_index, input FROM runs WHERE parent_run_id = ${runId} ORDER BY item_index`;
    expect(inputs.map((r) => r.input)).toEqual(items);
  }, 90_000);

  it("with input set, each child gets it with item and item_index added", async () => {
    const child = await createWorkflow(
      app,
      user.bearer,
      { blocks: [trigger, { id: "echo", type: "transform", params: { value: "{{trg}}" } }], edges: [{ source: "trg", target: "echo" }] },
      "echo",
    );
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child, items: ["a", "b"], input: { batch: "{{trg.batch}}" } }), "fan-out with input");
    const runId = await dispatchRun(app, user.bearer, parent, { input: { batch: 7 } });
    const done = await finishedRun(app, org(), runId);
    const { results } = (done.output as { call: { results: { output: { echo: { value: unknown } } }[] } }).call;
    expect(results.map((r) => r.output.echo.value)).toEqual([
      { batch: 7, item: "a", item_index: 0 },
      { batch: 7, item: "b", item_index: 1 },
    ]);
  });

  it("a failed child sends the block to its error handle with every child's status, and no further child starts", async () => {
    const child = await createWorkflow(app, user.bearer, fetchingChild(), "sometimes failing child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child, items: "{{trg.items}}", concurrency: 2 }, { errorEdge: true }), "fan-out with a failure");
    gate.fail.add(201);
    const items = [200, 201, 202, 203, 204].map((n) => ({ n }));
    const runId = await dispatchRun(app, user.bearer, parent, { input: { items } });
    // Item 1 fails at once while item 0 is held; then item 0 is let through, and any later item answered at once.
    await runWhen(app, org(), runId, (r) => r.children?.some((c) => c.itemIndex === 1 && c.status === "failed") === true);
    await runWhen(app, org(), runId, () => gate.held().includes(200));
    gate.setMode("open");
    const done = await finishedRun(app, org(), runId);
    expect(done.status).toBe("succeeded"); // the error edge handled it
    const out = (done.output as { call: { error: { code: string; message: string }; results: { status: string; runId: string | null }[] } }).call;
    expect(out.results.map((r) => r.status)).toEqual(["succeeded", "failed", "not_started", "not_started", "not_started"]);
    expect(out.results.slice(2).map((r) => r.runId)).toEqual([null, null, null]);
    expect(out.error.code).toBe("child_failed");
    expect(out.error.message).toContain("1 of 5 child runs");
    expect(out.error.message).toContain("item 1");
    expect(done.output).toMatchObject({ handled: { message: `handled: ${out.error.message}` } });
    expect((await childrenOf(runId)).map((c) => c.itemIndex)).toEqual([0, 1]);
    expect(gate.hits.has(202)).toBe(false);
    gate.setMode("hold");
  });

  it("an empty items array succeeds at once with no results and starts no child", async () => {
    const child = await createWorkflow(app, user.bearer, fetchingChild(), "never called");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child, items: [] }), "empty fan-out");
    const runId = await dispatchRun(app, user.bearer, parent);
    const done = await finishedRun(app, org(), runId);
    expect(done).toMatchObject({ status: "succeeded", output: { call: { results: [] } } });
    expect(await childrenOf(runId)).toEqual([]);
  });
});

describe("cancel", () => {
  /** trg → wait (wait_for_event "never") */
  const waiter = () => ({
    blocks: [trigger, { id: "wait", type: "wait_for_event", params: { event: "never" } }],
    edges: [{ source: "trg", target: "wait" }],
  });

  it("canceling a parent cancels its child and grandchild; the parent's call block reads waiting until then", async () => {
    const grandchild = await createWorkflow(app, user.bearer, waiter(), "grandchild");
    const child = await createWorkflow(app, user.bearer, caller({ workflow_id: grandchild }), "child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child }), "parent");
    const runId = await dispatchRun(app, user.bearer, parent);
    const parentWaiting = await runWhen(app, org(), runId, (r) => r.status === "waiting" && (r.children?.length ?? 0) === 1);
    expect(parentWaiting.waitingOn).toMatchObject({ blockId: "call", kind: "children" });
    const childId = (parentWaiting.children ?? [])[0].runId;
    const childRun = await runWhen(app, org(), childId, (r) => (r.children?.length ?? 0) === 1);
    const grandchildId = (childRun.children ?? [])[0].runId;
    await runWhen(app, org(), grandchildId, (r) => r.status === "waiting");

    const canceled = await call(app, "POST", `/api/runs/${runId}/cancel`, { headers: user.bearer });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: "canceled", children: [{ runId: childId, status: "canceled" }] });
    for (const id of [runId, childId, grandchildId]) expect((await getRun(id)).body.status).toBe("canceled");
  });

  it("a parent that fails in another branch while its child run is still going cancels the child", async () => {
    const child = await createWorkflow(app, user.bearer, waiter(), "long child");
    const parent = await createWorkflow(
      app,
      user.bearer,
      {
        blocks: [
          trigger,
          { id: "call", type: "call_workflow", params: { workflow_id: child } },
          { id: "gate", type: "wait_for_event", params: { event: "fail-now" } },
          { id: "boom", type: "code", params: { code: "throw new Error('the other branch failed')" } },
        ],
        edges: [
          { source: "trg", target: "call" },
          { source: "trg", target: "gate" },
          { source: "gate", target: "boom" },
        ],
      },
      "parent failing elsewhere",
    );
    const runId = await dispatchRun(app, user.bearer, parent);
    const started = await runWhen(app, org(), runId, (r) => (r.children?.length ?? 0) === 1);
    const childId = (started.children ?? [])[0].runId;
    await runWhen(app, org(), childId, (r) => r.status === "waiting");
    expect((await call(app, "POST", `/api/runs/${runId}/events`, { headers: user.bearer, body: { event: "fail-now" } })).status).toBe(202);
    const done = await finishedRun(app, org(), runId);
    expect(done).toMatchObject({ status: "failed", error: { blockId: "boom" } });
    await runWhen(app, org(), childId, (r) => r.status === "canceled");
  });

  it("a child that ended without signalling its parent (the signal was lost) is noticed by the children watch, which wakes the parent's block", async () => {
    const child = await createWorkflow(app, user.bearer, waiter(), "silent child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child }), "parent of a silent child");
    const runId = await dispatchRun(app, user.bearer, parent);
    const waitingParent = await runWhen(app, org(), runId, (r) => r.status === "waiting" && (r.children?.length ?? 0) === 1);
    const childId = (waitingParent.children ?? [])[0].runId;
    await runWhen(app, org(), childId, (r) => r.status === "waiting");
    // Ended behind the runtime's back: no signal reaches the parent's block, whose own heartbeat is 5 minutes away.
    expect(await markRunCanceled(app.database.sql, org(), childId)).toBe(true);
    await until(
      () => logged.some((line) => line.component === "children-watch" && line.runId === runId && line.blockId === "call"),
      20_000,
      "the children watch to wake the parent's block",
    );
    const done = await finishedRun(app, org(), runId);
    expect(done.error).toMatchObject({ blockId: "call", code: "child_canceled" });
  });

  it("canceling a child fails the parent's call block with the child's status", async () => {
    const child = await createWorkflow(app, user.bearer, waiter(), "cancelable child");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child }), "parent of a canceled child");
    const runId = await dispatchRun(app, user.bearer, parent);
    const waitingParent = await runWhen(app, org(), runId, (r) => (r.children?.length ?? 0) === 1);
    const childId = (waitingParent.children ?? [])[0].runId;
    await runWhen(app, org(), childId, (r) => r.status === "waiting");
    expect((await call(app, "POST", `/api/runs/${childId}/cancel`, { headers: user.bearer })).status).toBe(200);
    const done = await finishedRun(app, org(), runId);
    expect(done.status).toBe("failed");
    expect(done.error).toMatchObject({ blockId: "call", code: "child_canceled" });
    expect(done.error?.message).toContain(`The child run ${childId} of workflow ${child} was canceled`);
  });
});

describe("limits and refusals", () => {
  it("a workflow that calls itself stops at the depth limit: 9 runs deep, the deepest failing with depth_limit", async () => {
    const self = await createWorkflow(app, user.bearer, { blocks: [trigger], edges: [] }, "recursive");
    const patched = await call(app, "POST", `/api/workflows/${self}/operations`, {
      headers: user.bearer,
      body: { ops: [{ operation_type: "add", block_id: "call", type: "call_workflow", params: { workflow_id: self } }, { operation_type: "connect", block_id: "trg", target_block_id: "call" }] },
    });
    expect(patched.body.validation_errors).toEqual([]);
    const rootId = await dispatchRun(app, user.bearer, self);
    const root = await finishedRun(app, org(), rootId, 60_000);
    expect(root.status).toBe("failed");
    expect(root.error?.code).toBe("child_failed");
    // Walk down the chain: each run has one child, until the one that hit the limit.
    const chain: RunResource[] = [root];
    for (;;) {
      const last = chain[chain.length - 1];
      const children = last.children ?? (await getRun(last.id)).body.children;
      if (children.length === 0) break;
      expect(children).toHaveLength(1);
      chain.push(await finishedRun(app, org(), children[0].runId));
    }
    expect(chain).toHaveLength(9);
    const deepest = chain[8];
    expect(deepest.error).toMatchObject({ blockId: "call", code: "depth_limit" });
    expect(deepest.error?.message).toContain("8 call_workflow calls deep");
    for (const run of chain) expect(run.status).toBe("failed");
  }, 90_000);

  it("a templated workflow_id that names another organization's workflow fails with workflow_not_found and starts nothing", async () => {
    const other = await signUp(app);
    const theirs = await createWorkflow(app, other.bearer, fetchingChild(), "theirs");
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: "{{trg.wf}}" }), "reaching across");
    const runId = await dispatchRun(app, user.bearer, parent, { input: { wf: theirs } });
    const done = await finishedRun(app, org(), runId);
    expect(done).toMatchObject({ status: "failed", error: { blockId: "call", code: "workflow_not_found" } });
    expect(await childrenOf(runId)).toEqual([]);
    const started = await app.database.sql`SELECT id FROM runs WHERE workflow_id = ${theirs}`;
    expect(started).toHaveLength(0);
  });

  it("calling a workflow with no blocks fails with workflow_empty, and a deleted one with workflow_not_found", async () => {
    const empty = await createWorkflow(app, user.bearer, { blocks: [], edges: [] }, "empty");
    const gone = await createWorkflow(app, user.bearer, fetchingChild(), "to be deleted");
    expect((await call(app, "DELETE", `/api/workflows/${gone}`, { headers: user.bearer })).status).toBe(204);
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: "{{trg.wf}}" }), "caller of odd workflows");
    const emptyRun = await finishedRun(app, org(), await dispatchRun(app, user.bearer, parent, { input: { wf: empty } }));
    expect(emptyRun.error).toMatchObject({ code: "workflow_empty" });
    expect(emptyRun.error?.message).toContain("has no blocks yet");
    const goneRun = await finishedRun(app, org(), await dispatchRun(app, user.bearer, parent, { input: { wf: gone } }));
    expect(goneRun.error).toMatchObject({ code: "workflow_not_found" });
  });

  it("another organization reads neither the parent's nor the child's run, nor lists them by parent", async () => {
    const other = await signUp(app);
    const child = await createWorkflow(
      app,
      user.bearer,
      { blocks: [trigger, { id: "greet", type: "greet", params: { name: "x" } }], edges: [{ source: "trg", target: "greet" }] },
      "private child",
    );
    const parent = await createWorkflow(app, user.bearer, caller({ workflow_id: child }), "private parent");
    const runId = await dispatchRun(app, user.bearer, parent);
    const done = await finishedRun(app, org(), runId);
    const childId = (done.children ?? (await childrenOf(runId)))[0].runId;
    expect((await getRun(runId, other.bearer)).status).toBe(404);
    expect((await getRun(childId, other.bearer)).status).toBe(404);
    const listed = await call(app, "GET", `/api/runs?parentRunId=${runId}`, { headers: other.bearer });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([]);
    expect((await call(app, "POST", `/api/runs/${childId}/cancel`, { headers: other.bearer })).status).toBe(404);
  });
});
