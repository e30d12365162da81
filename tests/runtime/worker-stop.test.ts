/**
 * Stopping a worker (SIGTERM in worker/index.ts, `RunningWorker.stop`) hands its runs over
 * (lib/runtime/worker.ts): the block in flight finishes and is recorded once, no new block starts
 * on the stopping worker, and the run is left claimable at once, so another worker continues it
 * from the next block without waiting for a lease. The fault suite does the same with processes.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { connectorCalls, createWorkflow, dispatchRun, finishedRun, runLogs, startTestWorker, testRegistry, type TestWorker } from "../helpers/runtime";
import { until } from "../helpers/worker-process";

let app: TestApp;
let user: TestUser;
const workers: TestWorker[] = [];

beforeAll(async () => {
  app = await createTestApp({ registry: testRegistry() });
  user = await signUp(app);
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await app?.close();
});

it("a stopping worker finishes its in-flight block, starts nothing new, and another worker continues the run at once", async () => {
  const workflowId = await createWorkflow(app, user.bearer, {
    blocks: [
      { id: "trg", type: "trigger_manual", params: {} },
      { id: "slow", type: "sleepy", params: { ms: 1_500 } },
      { id: "next", type: "sleepy", params: { ms: 0 } },
    ],
    edges: [
      { source: "trg", target: "slow" },
      { source: "slow", target: "next" },
    ],
  });
  const first = await startTestWorker(app, { concurrency: 2 });
  workers.push(first);
  const runId = await dispatchRun(app, user.bearer, workflowId);
  await until(() => connectorCalls.get(`${runId}/slow`) === 1, 15_000, "the slow block to start");

  await first.stop();
  // The block in flight finished and was recorded; the next one did not start there.
  expect((await runLogs(app, user.organizationId, runId)).map((l) => [l.blockId, l.status])).toEqual([
    ["trg", "succeeded"],
    ["slow", "succeeded"],
  ]);
  expect(connectorCalls.get(`${runId}/next`)).toBeUndefined();
  expect((await app.runtime.getRun(user.organizationId, runId))?.status).toBe("running");
  // Handed back: claimable now, by nobody yet (not held for the 30 s lease).
  const [queued] = await app.database.sql`
    SELECT status, worker_id, available_at <= now() AS available FROM openworkflow.workflow_runs WHERE input->>'runId' = ${runId}`;
  expect(queued).toEqual({ status: "running", worker_id: null, available: true });

  const handedOverAt = Date.now();
  workers.push(await startTestWorker(app, { concurrency: 2 }));
  const done = await finishedRun(app, user.organizationId, runId, 20_000);
  expect(done.status).toBe("succeeded");
  expect([connectorCalls.get(`${runId}/slow`), connectorCalls.get(`${runId}/next`)]).toEqual([1, 1]);
  console.log(`[worker-stop] the second worker finished the handed-back run ${Date.now() - handedOverAt} ms after it started`);
});
