/**
 * Fault 3: SIGTERM to a worker process mid-run. It stops claiming; every block it had in flight
 * finishes (its side effect happened once, its log entry is `succeeded`); it starts no new block,
 * hands its runs back, and exits 0; another worker continues those runs to `succeeded`, as well as
 * the runs that were still queued.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow, dispatchRun, finishedRun, runLogs } from "../helpers/runtime";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";
import { recordFigure } from "./figures";
import { counterChain, startCounterServer, type CounterServer } from "./support";

const CONCURRENCY = 4;
let app: TestApp;
let user: TestUser;
let counter: CounterServer;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  counter = await startCounterServer({ a: 0, b: 3_000, c: 0 });
});
afterAll(async () => {
  await killAll(workers);
  await counter?.close();
  await app?.close();
});

it("SIGTERM mid-run: in-flight blocks finish, nothing new starts there, and another worker finishes every run", async () => {
  const workflowId = await createWorkflow(app, user.bearer, counterChain(counter, ["a", "b", "c"]), "sigterm");
  const first = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: CONCURRENCY });
  workers.push(first);
  // Four runs fill the worker's slots; four more wait in the queue.
  const active = new Map<string, string>();
  for (let i = 0; i < CONCURRENCY; i++) active.set(`t${i}`, await dispatchRun(app, user.bearer, workflowId, { input: { tag: `t${i}` } }));
  await until(() => counter.hits.filter((h) => h.block === "b").length === CONCURRENCY, 30_000, "every active run to be in block b");
  const queued = new Map<string, string>();
  for (let i = 0; i < CONCURRENCY; i++) queued.set(`q${i}`, await dispatchRun(app, user.bearer, workflowId, { input: { tag: `q${i}` } }));

  const inFlight = counter.hits.filter((h) => h.answeredAt === null).map((h) => `${h.tag}/${h.block}`);
  expect(inFlight.sort()).toEqual([...active.keys()].map((tag) => `${tag}/b`).sort());
  const sigtermAt = Date.now();
  first.child.kill("SIGTERM");
  const exit = await first.exited;
  const exitedAt = Date.now();
  expect(exit.code).toBe(0);

  // While it drained: no new claim, no new block.
  const firstLines = first.lines();
  const mentioned = new Set(firstLines.map((l) => l.runId).filter((id): id is string => typeof id === "string"));
  expect([...queued.values()].filter((id) => mentioned.has(id))).toEqual([]);
  expect(counter.hits.filter((h) => h.tag.startsWith("q") || h.block === "c")).toEqual([]);
  const handedBack = firstLines.filter((l) => String(l.msg).includes("handed back")).map((l) => l.runId);
  expect(handedBack.sort()).toEqual([...active.values()].sort());
  // Its in-flight blocks finished: answered, once, and logged as succeeded.
  for (const [tag, runId] of active) {
    expect(counter.count(tag, "b")).toBe(1);
    expect(counter.hits.find((h) => h.tag === tag && h.block === "b")?.answeredAt).not.toBeNull();
    const logs = await runLogs(app, user.organizationId, runId);
    expect(logs.filter((l) => l.blockId === "b").map((l) => l.status)).toEqual(["succeeded"]);
  }

  // Room for every run at once: openworkflow claims pending runs before handed-back (running) ones.
  const second = await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 2 * CONCURRENCY });
  workers.push(second);
  const secondStartedAt = Date.now();
  for (const [tag, runId] of [...active, ...queued]) {
    const run = await finishedRun(app, user.organizationId, runId, 60_000);
    expect(run.status, `${tag} ${JSON.stringify(run.error)}`).toBe("succeeded");
    for (const block of ["a", "b", "c"]) expect(counter.count(tag, block), `${tag}/${block} ran`).toBe(1);
  }
  // The handed-back runs continued on the second worker without waiting for a lease.
  const continuedAt = Math.max(...[...active.keys()].map((tag) => counter.hits.find((h) => h.tag === tag && h.block === "c")?.arrivedAt ?? Infinity));
  recordFigure("sigterm_inflight_blocks_lost", [...active.keys()].filter((tag) => counter.count(tag, "b") !== 1).length, "count", "blocks in flight at SIGTERM that did not complete exactly once");
  recordFigure("sigterm_exit_s", Number(((exitedAt - sigtermAt) / 1000).toFixed(1)), "s", "SIGTERM → worker exited (its in-flight blocks had up to 3 s left)");
  recordFigure("sigterm_handoff_s", Number(((continuedAt - secondStartedAt) / 1000).toFixed(2)), "s", "second worker started → the last handed-back run's next block ran");
}, 120_000);
