/**
 * Deferred completions (docs/openworkflow.md, "Deferred completions"), end to end with a real
 * worker: a chain of pure blocks (triggers, transform, condition, switch) becomes durable in one
 * transaction, each block still its own completed step named after its id; a block with side
 * effects starts only once every pure block before it is durable.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openworkflowSchemaOf } from "@/db/client";
import type { TestApp, TestUser } from "../helpers/api";
import { listenLocal } from "../helpers/local-http";
import { createWorkflow, dispatchRun, finishedRun, runLogs, startWorkerTestApp } from "../helpers/runtime";

let app: TestApp;
let user: TestUser;
let close: (() => Promise<void>) | undefined;

beforeAll(async () => {
  ({ app, user, close } = await startWorkerTestApp({ concurrency: 2 }));
});
afterAll(async () => {
  await close?.();
});

/** The run's openworkflow steps (by name: steps made in one millisecond share created_at) and run log entries, with the transaction that wrote each (xmin). */
async function durableRows(runId: string) {
  const sql = app.database.sql;
  const ow = sql(openworkflowSchemaOf(app.database.schema));
  const steps = await sql<{ step_name: string; status: string; tx: string }[]>`
    SELECT sa.step_name, sa.status, sa.xmin::text AS tx FROM ${ow}.step_attempts sa
    JOIN runs r ON r.ow_run_id = sa.workflow_run_id WHERE r.id = ${runId} ORDER BY sa.step_name`;
  const entries = await sql<{ block_id: string; status: string; tx: string }[]>`
    SELECT block_id, status, xmin::text AS tx FROM run_logs WHERE run_id = ${runId} ORDER BY id`;
  return { steps, entries };
}

it("a run of pure blocks becomes durable in one transaction: one completed step per block, named after it, and every entry", async () => {
  const definition = {
    blocks: [
      { id: "hook", type: "trigger_webhook", params: {} },
      { id: "set", type: "transform", params: { value: { a: "{{hook.body.a}}", stage: "set" } } },
      { id: "check", type: "condition", params: { left: "{{set.value.a}}", op: "gte", right: 1 } },
      { id: "big", type: "transform", params: { value: { a: "{{set.value.a}}", big: true } } },
      { id: "small", type: "transform", params: { value: { big: false } } },
    ],
    edges: [
      { source: "hook", target: "set" },
      { source: "set", target: "check" },
      { source: "check", sourceHandle: "true", target: "big" },
      { source: "check", sourceHandle: "false", target: "small" },
    ],
  };
  const workflowId = await createWorkflow(app, user.bearer, definition);
  const runId = await dispatchRun(app, user.bearer, workflowId, { input: { method: "POST", headers: {}, query: {}, body: { a: 2 } } });
  const run = await finishedRun(app, user.organizationId, runId);
  expect(run.status).toBe("succeeded");
  expect(run.output).toMatchObject({ set: { value: { a: 2, stage: "set" } }, check: { result: true }, big: { value: { a: 2, big: true } } });

  const { steps, entries } = await durableRows(runId);
  expect(steps.map((s) => [s.step_name, s.status])).toEqual([
    ["big", "completed"],
    ["check", "completed"],
    ["hook", "completed"],
    ["set", "completed"],
  ]);
  expect(entries.map((e) => [e.block_id, e.status])).toEqual([
    ["hook", "succeeded"],
    ["set", "succeeded"],
    ["check", "succeeded"],
    ["small", "skipped"],
    ["big", "succeeded"],
  ]);
  // The skip is recorded when check settles, after check's entry: the log reads in the order blocks settled.
  expect(new Set([...steps, ...entries].map((r) => r.tx)).size, "every step and entry, the skip included, was written by one transaction").toBe(1);
  const logs = await runLogs(app, user.organizationId, runId);
  expect(logs.find((l) => l.blockId === "set")).toMatchObject({ input: { value: { a: 2, stage: "set" } }, output: { value: { a: 2, stage: "set" } } });
});

it("a block with side effects starts only once the pure blocks before it are durable, and its own completion is never deferred", async () => {
  const seen: { steps: string[]; entries: string[] }[] = [];
  let runId = "";
  const server = await listenLocal((_req, res) => {
    // What the database holds when the request goes out: the pure blocks' steps and entries.
    void durableRows(runId).then(
      ({ steps, entries }) => {
        seen.push({ steps: steps.map((s) => `${s.step_name}:${s.status}`), entries: entries.map((e) => `${e.block_id}:${e.status}`) });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ pong: true }));
      },
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
  try {
    const url = server.url("/ping");
    const definition = {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "first", type: "transform", params: { value: 1 } },
        { id: "second", type: "transform", params: { value: "{{first.value}}" } },
        { id: "call", type: "http_request", params: { method: "GET", url } },
        { id: "after", type: "transform", params: { value: "{{call.body.pong}}" } },
      ],
      edges: [
        { source: "trg", target: "first" },
        { source: "first", target: "second" },
        { source: "second", target: "call" },
        { source: "call", target: "after" },
      ],
    };
    const workflowId = await createWorkflow(app, user.bearer, definition);
    runId = await dispatchRun(app, user.bearer, workflowId);
    const run = await finishedRun(app, user.organizationId, runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toMatchObject({ after: { value: true } });
    expect(seen).toHaveLength(1);
    expect(seen[0].steps).toEqual(["call:running", "first:completed", "second:completed", "trg:completed"]);
    expect(seen[0].entries).toEqual(["trg:succeeded", "first:succeeded", "second:succeeded"]);
    const { steps, entries } = await durableRows(runId);
    expect(steps.map((s) => `${s.step_name}:${s.status}`)).toEqual(["after:completed", "call:completed", "first:completed", "second:completed", "trg:completed"]);
    expect(entries.map((e) => e.block_id)).toEqual(["trg", "first", "second", "call", "after"]);
    const tx = (name: string) => [...steps.filter((s) => s.step_name === name), ...entries.filter((e) => e.block_id === name)].map((r) => r.tx);
    // The pure blocks before the call were written together with "second", the last one before it.
    expect(new Set([...tx("trg"), ...tx("first"), ...tx("second")]).size).toBe(1);
    expect(tx("call").every((t) => !tx("second").includes(t)), "the call's completion is its own statement").toBe(true);
  } finally {
    await server.close();
  }
});

it("branches that run at once, one pure and one calling out, join: every block is one completed step and one entry, whichever completion carries the deferred ones", async () => {
  let calls = 0;
  const server = await listenLocal((_req, res) => {
    calls += 1;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ n: calls }));
  });
  try {
    const url = server.url("/n");
    const definition = {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "a", type: "transform", params: { value: "{{trg.k}}" } },
        { id: "b", type: "transform", params: { value: { k: "{{a.value}}" } } },
        { id: "c", type: "condition", params: { left: "{{b.value.k}}", op: "eq", right: "{{trg.k}}" } },
        { id: "call", type: "http_request", params: { method: "GET", url } },
        { id: "join", type: "transform", params: { value: { k: "{{b.value.k}}", called: "{{call.status}}", same: "{{c.result}}" } } },
      ],
      edges: [
        { source: "trg", target: "a" },
        { source: "a", target: "b" },
        { source: "b", target: "c" },
        { source: "c", sourceHandle: "true", target: "join" },
        { source: "trg", target: "call" },
        { source: "call", target: "join" },
      ],
    };
    const workflowId = await createWorkflow(app, user.bearer, definition);
    // Several runs at once on a two-slot worker, so the branches' completions interleave differently.
    const runIds = await Promise.all(Array.from({ length: 8 }, (_, k) => dispatchRun(app, user.bearer, workflowId, { input: { k } })));
    for (const [k, runId] of runIds.entries()) {
      const run = await finishedRun(app, user.organizationId, runId);
      expect(run.status).toBe("succeeded");
      expect(run.output).toMatchObject({ join: { value: { k, called: 200, same: true } } });
      const { steps, entries } = await durableRows(runId);
      expect(steps.map((s) => `${s.step_name}:${s.status}`)).toEqual(["a:completed", "b:completed", "c:completed", "call:completed", "join:completed", "trg:completed"]);
      expect(entries.map((e) => e.block_id).sort()).toEqual(["a", "b", "c", "call", "join", "trg"]);
      expect(entries.every((e) => e.status === "succeeded")).toBe(true);
    }
    expect(calls).toBe(8);
  } finally {
    await server.close();
  }
});
