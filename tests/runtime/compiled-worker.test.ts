/**
 * Production runs the worker compiled (README, "Runs and workers": `npm start` and `npm run worker`
 * run dist/server/worker.js, built by scripts/build-server.mjs, with no TypeScript loader). This
 * proves the bundle is a working worker: a real process of it executes a run whose `code` block
 * runs in the compiled sandbox thread (dist/server/sandbox-thread.cjs), and stops cleanly.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun } from "../helpers/runtime";
import { killAll, startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";

let app: TestApp;
let user: TestUser;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
});
afterAll(async () => {
  await killAll(workers);
  await app?.close();
});

test("the compiled worker, started with no TypeScript loader, executes a run whose code block runs in the compiled sandbox thread", async () => {
  const worker = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, compiled: true });
  workers.push(worker);
  const args = worker.child.spawnargs.join(" ");
  expect(args).toContain("dist/server/worker.js");
  expect(args).not.toContain("tsx");
  const definition = {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "shape", type: "transform", params: { value: { n: "{{trg.n}}" } } },
      { id: "calc", type: "code", params: { code: "return { doubled: input.n * 2 };", input: { n: "{{shape.value.n}}" } } },
    ],
    edges: [
      { source: "trg", target: "shape" },
      { source: "shape", target: "calc" },
    ],
  };
  const workflowId = await createWorkflow(app, user.bearer, definition, "compiled worker");
  const runId = await dispatchRun(app, user.bearer, workflowId, { input: { n: 21 } });
  const run = await finishedRun(app, user.organizationId, runId);
  expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
  expect(run.output?.calc).toEqual({ value: { doubled: 42 } });

  worker.child.kill("SIGTERM");
  expect(await worker.exited).toEqual({ code: 0, signal: null });
});
