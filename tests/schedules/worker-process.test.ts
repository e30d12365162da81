/**
 * The README's "every worker runs a ticker" (docs/runs.md, "Schedules"), end to end: a real worker
 * process, started as `npm run worker` starts it, fires a schedule created through the API, and
 * executes the run it started. No ticker runs in this test's process; only `next_fire_at` is moved
 * into the past with SQL (cron has no seconds, and waiting for the next minute would be slow).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { call, createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, finishedRun } from "../helpers/runtime";
import { greeting } from "./support";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";

let app: TestApp;
let owner: TestUser;
let key: Record<string, string>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  owner = await signUp(app);
  key = (await createApiKey(app, owner)).headers;
});
afterAll(async () => {
  await killAll(workers);
  await app?.close();
});

test("a worker process fires a due schedule with its own ticker, and the schedule's run succeeds with the schedule's input", async () => {
  const worker = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey });
  workers.push(worker);
  const workflowId = await createWorkflow(app, key, greeting, "scheduled");
  // Once a year: due only because the next line says so.
  const created = await call(app, "POST", "/api/schedules", { headers: key, body: { workflowId, cron: "0 0 1 1 *", input: { name: "Grace" } } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const scheduleId: string = created.body.id;
  await app.database.sql`UPDATE schedules SET next_fire_at = now() - interval '1 second' WHERE id = ${scheduleId}`;

  const scheduleRuns = async () => (await call(app, "GET", `/api/runs?workflowId=${workflowId}&trigger=schedule`, { headers: key })).body.data as Array<{ id: string }>;
  await until(async () => (await scheduleRuns()).length > 0, 20_000, "a run with trigger schedule");
  const [listed, ...more] = await scheduleRuns();
  expect(more).toEqual([]);

  const run = await finishedRun(app, owner.organizationId, listed.id);
  expect(run).toMatchObject({ status: "succeeded", trigger: "schedule", triggeredBy: `schedule:${scheduleId}`, input: { name: "Grace" }, workflowId });
  expect(run.output?.greet).toEqual({ message: "Hello, Grace!" });
  const schedule = await call(app, "GET", `/api/schedules/${scheduleId}`, { headers: key });
  expect(schedule.body).toMatchObject({ lastRunId: run.id, lastFiredAt: expect.any(String), lastError: null });
  // The spawned worker's own ticker fired it, and its own openworkflow worker ran it.
  const lines = worker.lines();
  expect(lines).toContainEqual(expect.objectContaining({ msg: "schedule fired", scheduleId, runId: run.id }));

  worker.child.kill("SIGTERM");
  expect(await worker.exited).toEqual({ code: 0, signal: null });
});
