/**
 * Fault 4: a worker that misses the NOTIFY announcing a run still starts it within a few seconds.
 * Two ways to lose it, from a superuser connection to the suite's own cluster:
 * - the worker's LISTEN connection is terminated (`pg_terminate_backend`) just before the run is
 *   started: the worker must reconnect, listen again and look for what it missed;
 * - the LISTEN backend is frozen (SIGSTOP) while the run is started, so the connection looks
 *   healthy but the notification never arrives: only the worker's own polling can find the run.
 */
import postgres from "postgres";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun } from "../helpers/runtime";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";
import { recordFigure } from "./figures";
import { counterChain, startCounterServer, type CounterServer } from "./support";

/** The "within a few seconds", asserted generously. */
const FEW_SECONDS_MS = 15_000;
let app: TestApp;
let user: TestUser;
let counter: CounterServer;
let admin: postgres.Sql;
let worker: WorkerProcess;
let workflowId: string;
const frozen = new Set<number>();

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  counter = await startCounterServer();
  admin = postgres(app.database.url, { max: 1, onnotice: () => {} }); // the suite's cluster: a superuser

  workflowId = await createWorkflow(app, user.bearer, counterChain(counter, ["a"]), "notify");
  worker = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 2 });
});
afterAll(async () => {
  for (const pid of frozen) process.kill(pid, "SIGCONT");
  await killAll(worker ? [worker] : []);
  await admin?.end({ timeout: 5 });
  await counter?.close();
  await app?.close();
});

/** The backend of the worker's LISTEN connection (the app's own listens on weft_run_status only). */
async function listenBackend(): Promise<number | null> {
  const rows = await admin`
    SELECT pid FROM pg_stat_activity
    WHERE datname = current_database() AND query ILIKE 'listen %weft_run_canceled%'`;
  return rows.length === 1 ? (rows[0].pid as number) : null;
}

/** Starts a run and returns the milliseconds from its 202 to its first block reaching the counter. */
async function startDelay(tag: string): Promise<number> {
  const runId = await dispatchRun(app, user.bearer, workflowId, { input: { tag } });
  const dispatchedAt = Date.now();
  await until(() => counter.count(tag, "a") > 0, 120_000, `run ${tag} to start`);
  const delay = (counter.hits.find((h) => h.tag === tag)?.arrivedAt ?? Date.now()) - dispatchedAt;
  expect((await finishedRun(app, user.organizationId, runId, 30_000)).status).toBe("succeeded");
  return delay;
}

it("a run started while the worker's LISTEN connection is being re-established starts within a few seconds", async () => {
  const baseline = await startDelay("warm-up");
  const pid = await listenBackend();
  expect(pid, "the worker's LISTEN backend").not.toBeNull();
  const [terminated] = await admin`SELECT pg_terminate_backend(${pid as number}) AS ok`;
  expect(terminated.ok).toBe(true);
  const delay = await startDelay("after-terminate");
  await until(async () => (await listenBackend()) !== null, 30_000, "the worker to listen again");
  recordFigure("notify_loss_start_delay_ms", delay, "ms", `LISTEN backend terminated, run started at once → first block (warm run: ${baseline} ms)`);
  expect(delay).toBeLessThan(FEW_SECONDS_MS);
  // And notifications work again afterwards.
  recordFigure("notify_relisten_start_delay_ms", await startDelay("after-relisten"), "ms", "after the worker listened again → first block");
});

it("a run whose NOTIFY never reaches the worker (LISTEN backend frozen) starts within a few seconds", async () => {
  const pid = await listenBackend();
  expect(pid, "the worker's LISTEN backend").not.toBeNull();
  process.kill(pid as number, "SIGSTOP");
  frozen.add(pid as number);
  let delay: number;
  try {
    // Let the worker go idle first, so its poll loop is at its slowest.
    await new Promise((res) => setTimeout(res, 3_000));
    delay = await startDelay("unheard");
  } finally {
    process.kill(pid as number, "SIGCONT");
    frozen.delete(pid as number);
  }
  recordFigure("notify_unheard_start_delay_ms", delay, "ms", "LISTEN backend frozen (SIGSTOP), worker idle 3 s → first block: the worker's polling");
  expect(delay).toBeLessThan(FEW_SECONDS_MS);
});
