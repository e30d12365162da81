/**
 * call_workflow survives a worker crash (docs/runs.md, "Child runs"): a real worker process is
 * killed with SIGKILL in the middle of a fan-out over 20 items, with 5 child runs in flight and
 * the parent inside the step that starts the next child (after the child was stored, before the
 * step completed); a new worker process finishes the parent with every result in item order, and
 * no item ever got a second child run.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openworkflowSchemaOf } from "@/db/client";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { startGate, type Gate } from "../helpers/gate";
import { createWorkflow, dispatchRun, finishedRun } from "../helpers/runtime";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";

let app: TestApp;
let user: TestUser;
let gate: Gate;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  gate = await startGate();
});
afterAll(async () => {
  await killAll(workers);
  await gate?.close();
  await app?.close();
});

async function worker(): Promise<WorkerProcess> {
  const started = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 8 });
  workers.push(started);
  return started;
}

/** Lets the gate's requests through one at a time, each once `5` are held (or every one left is), until `to` were released. */
async function release(from: number, to: number, total: number, timeoutMs: number): Promise<void> {
  for (let released = from; released < to; released++) {
    const expected = Math.min(5, total - released);
    await until(() => gate.held().length >= expected, timeoutMs, `${expected} children's requests held after ${released} released`);
    expect(gate.held().length).toBe(expected);
    gate.releaseOldest();
  }
}

it("a worker killed mid fan-out loses nothing: a new worker finishes all 20 items in order, and no item gets a second child run", async () => {
  const trigger = { id: "trg", type: "trigger_manual", params: {} };
  const child = await createWorkflow(
    app,
    user.bearer,
    { blocks: [trigger, { id: "fetch", type: "http_request", params: { method: "GET", url: gate.url("{{trg.n}}") } }], edges: [{ source: "trg", target: "fetch" }] },
    "item child",
  );
  const parent = await createWorkflow(
    app,
    user.bearer,
    {
      blocks: [trigger, { id: "call", type: "call_workflow", params: { workflow_id: child, items: "{{trg.items}}", concurrency: 5 } }],
      edges: [{ source: "trg", target: "call" }],
    },
    "fan-out",
  );
  const items = Array.from({ length: 20 }, (_, n) => ({ n }));
  const first = await worker();
  const runId = await dispatchRun(app, user.bearer, parent, { input: { items } });

  await release(0, 8, items.length, 30_000);
  await until(() => gate.held().length === 5, 30_000, "5 children in flight after 8 finished");

  // Hold the parent's wait row: its next check stores the next child, then blocks on this lock before its step completes.
  const sql = app.database.sql;
  const lock = await sql.reserve();
  await lock`BEGIN`;
  await lock`SELECT 1 FROM run_waits WHERE run_id = ${runId} AND block_id = 'call' FOR UPDATE`;
  gate.releaseOldest();
  await until(async () => (await sql`SELECT 1 FROM runs WHERE parent_run_id = ${runId} AND item_index = 13`).length === 1, 30_000, "item 13's child run to be stored");
  await until(() => gate.held().length === 5, 30_000, "item 13's request");
  const inFlight = gate.held();
  first.child.kill("SIGKILL");
  await first.exited;
  await lock`ROLLBACK`;
  lock.release();
  await until(() => gate.held().length === 0, 10_000, "the killed worker's requests to close");
  expect((await app.runtime.getRun(user.organizationId, runId))?.status).toBe("waiting");

  // The children in flight are the dead worker's until their 30 s lease expires; then they run again.
  await worker();
  await release(9, items.length, items.length, 90_000);
  const done = await finishedRun(app, user.organizationId, runId, 60_000);
  expect(done.status).toBe("succeeded");
  const { results } = (done.output as { call: { results: { status: string; output: { fetch: { body: unknown } } }[] } }).call;
  expect(results.map((r) => r.status)).toEqual(Array(20).fill("succeeded"));
  expect(results.map((r) => r.output.fetch.body)).toEqual(items);

  // One child run per item, each with one openworkflow run; the parent's first step (which pinned
  // the workflow and started the first children) ran once, and the check the kill interrupted ran again.
  const perItem = await sql<{ item_index: number; n: number }[]>`
    SELECT item_index, count(*)::int AS n FROM runs WHERE parent_run_id = ${runId} GROUP BY item_index ORDER BY item_index`;
  expect(perItem).toEqual(items.map((_, i) => ({ item_index: i, n: 1 })));
  const ow = sql(openworkflowSchemaOf(app.database.schema));
  const [{ owRuns }] = await sql<{ owRuns: number }[]>`
    SELECT count(*)::int AS "owRuns" FROM ${ow}.workflow_runs WHERE input->'parent'->>'runId' = ${runId}`;
  expect(owRuns).toBe(20);
  const [{ opens }] = await sql<{ opens: number }[]>`
    SELECT count(*)::int AS opens FROM ${ow}.step_attempts sa JOIN ${ow}.workflow_runs wr ON wr.id = sa.workflow_run_id
    WHERE wr.input->>'runId' = ${runId} AND sa.step_name = 'call'`;
  expect(opens).toBe(1);
  const [{ interrupted }] = await sql<{ interrupted: number }[]>`
    SELECT count(*)::int AS interrupted FROM ${ow}.step_attempts sa JOIN ${ow}.workflow_runs wr ON wr.id = sa.workflow_run_id
    WHERE wr.input->>'runId' = ${runId} AND sa.step_name LIKE 'call:check#%' AND sa.status = 'running'`;
  expect(interrupted).toBe(1);
  // The requests in flight at the kill ran again (a block in flight is at-least-once); the others once.
  for (const { n } of items) expect(gate.hits.get(n)).toBe(inFlight.includes(n) ? 2 : 1);
}, 180_000);
