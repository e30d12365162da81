/**
 * Fault 2: PostgreSQL stops for 5 s under steady load (the control plane over real HTTP, and a
 * worker process, against the suite's own cluster; the stop is `pg_ctl -m immediate`, a crash).
 * - Every answer during the outage is a prompt 503 with `Retry-After` and the code
 *   `database_unavailable` (`run_not_started` for a run start, its documented, more specific
 *   code): never a 500, a 401, or a request left hanging (postgres.js's connect_timeout is 10 s).
 * - Both processes recover by themselves once Postgres is back: the API answers 2xx again, and
 *   the worker completes runs started afterwards.
 * - Every write that was acknowledged with a 2xx (workflow creates, run starts) exists afterwards,
 *   and every acknowledged run finishes.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { CONNECTION_OPTIONS } from "@/db/client";
import { createApiKey, createTestApp, signUp, type TestApp, type TestUser } from "../helpers/api";
import { createWorkflow } from "../helpers/runtime";
import { serveApi } from "../helpers/serve";
import { killAll, startWorkerProcess, until, type WorkerProcess } from "../helpers/worker-process";
import { recordFigure } from "./figures";
import { counterChain, percentile, startCounterServer, suiteCluster, type CounterServer } from "./support";

const OUTAGE_MS = 5_000;
/** postgres.js connect_timeout (CONNECTION_OPTIONS in db/client.ts): the documented bound on a wait. */
const CONNECT_TIMEOUT_MS = CONNECTION_OPTIONS.connect_timeout * 1000;
/** A request still unanswered after this is a hang (postgres.js connect_timeout 10 s, with room). */
const HANG_MS = 30_000;
const LOOPS = 4;

interface Answer {
  op: "create_workflow" | "start_run" | "get_run" | "me";
  startedAt: number;
  ms: number;
  status: number;
  code?: string;
  retryAfter: string | null;
  id?: string;
}

let app: TestApp;
let user: TestUser;
let agent: Record<string, string>;
let counter: CounterServer;
let server: { url: string; close(): Promise<void> };
const cluster = suiteCluster();
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  app = await createTestApp();
  user = await signUp(app);
  agent = (await createApiKey(app, user)).headers;
  counter = await startCounterServer();
  server = await serveApi(app);
  workers.push(await startWorkerProcess({ databaseUrl: app.database.url, secretsKey: app.secretsKey, concurrency: 4 }));
});
afterAll(async () => {
  if (!(await cluster.isRunning())) await cluster.start(); // the next file needs it
  await killAll(workers);
  await server?.close();
  await counter?.close();
  await app?.close();
});

/** One request over HTTP; a hang or a network error is an answer with status 0. */
async function request(op: Answer["op"], method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const startedAt = Date.now();
  try {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(HANG_MS),
    });
    const json = (await response.json().catch(() => null)) as { error?: string; id?: string; runId?: string } | null;
    return {
      op,
      startedAt,
      ms: Date.now() - startedAt,
      status: response.status,
      code: json?.error,
      retryAfter: response.headers.get("retry-after"),
      id: json?.id ?? json?.runId,
    };
  } catch (error) {
    return { op, startedAt, ms: Date.now() - startedAt, status: 0, code: String(error), retryAfter: null };
  }
}

it("Postgres down for 5 s under load: prompt 503s with Retry-After, both processes recover, no acknowledged write is lost", async () => {
  const workflowId = await createWorkflow(app, agent, counterChain(counter, ["a"]), "outage");
  const answers: Answer[] = [];
  let stop = false;
  let n = 0;
  const loop = async (i: number) => {
    const runs: string[] = [];
    while (!stop) {
      n += 1;
      const tag = `l${i}n${n}`;
      const pick = n % 4;
      let answer: Answer;
      if (pick === 0) answer = await request("create_workflow", "POST", "/api/workflows", agent, { name: tag, definition: counterChain(counter, ["a"]) });
      else if (pick === 1 || runs.length === 0) answer = await request("start_run", "POST", `/api/workflows/${workflowId}/run`, agent, { input: { tag } });
      else if (pick === 2) answer = await request("get_run", "GET", `/api/runs/${runs[runs.length - 1]}`, agent);
      else answer = await request("me", "GET", "/api/me", user.bearer);
      if (answer.op === "start_run" && answer.status === 202 && answer.id) runs.push(answer.id);
      answers.push(answer);
      await new Promise((res) => setTimeout(res, 25));
    }
  };
  const loops = Array.from({ length: LOOPS }, (_, i) => loop(i));

  await new Promise((res) => setTimeout(res, 2_000));
  const stoppedAt = Date.now();
  await cluster.stop("immediate");
  await new Promise((res) => setTimeout(res, OUTAGE_MS));
  const restartAt = Date.now();
  await cluster.start();
  const backAt = Date.now();

  // The API recovers on its own: every kind of request succeeds again.
  const ops: Answer["op"][] = ["create_workflow", "start_run", "get_run", "me"];
  await until(() => ops.every((op) => answers.some((a) => a.op === op && a.startedAt >= backAt && a.status >= 200 && a.status < 300)), 60_000, "the API to answer 2xx again");
  const apiBackAt = Math.max(...ops.map((op) => Math.min(...answers.filter((a) => a.op === op && a.startedAt >= backAt && a.status < 300 && a.status >= 200).map((a) => a.startedAt + a.ms))));
  await new Promise((res) => setTimeout(res, 1_000));
  stop = true;
  await Promise.all(loops);

  // The worker recovers on its own: a run started now completes.
  const fresh = await request("start_run", "POST", `/api/workflows/${workflowId}/run`, agent, { input: { tag: "after" } });
  expect(fresh.status).toBe(202);
  await until(() => counter.count("after", "a") > 0, 60_000, "the worker to run a new run");
  // The worker's first block after the restart (a run acknowledged before, or during the load).
  const workerBackAt = Math.min(...counter.hits.filter((h) => h.arrivedAt >= backAt).map((h) => h.arrivedAt));

  const during = answers.filter((a) => a.startedAt >= stoppedAt && a.startedAt < restartAt);
  const failed = answers.filter((a) => a.status < 200 || a.status >= 300);
  const wrong = failed.filter((a) => !(a.status === 503 && a.retryAfter !== null && (a.code === "database_unavailable" || (a.op === "start_run" && a.code === "run_not_started"))));
  const errorLatencies = failed.map((a) => a.ms);
  recordFigure("pg_outage_requests", during.length, "count", `requests started during the ${OUTAGE_MS / 1000} s outage (${LOOPS} client loops)`);
  recordFigure("pg_outage_non_503_errors", wrong.length, "count", "answers that were neither 2xx nor 503 + Retry-After with database_unavailable / run_not_started (500s, 401s, hangs)");
  recordFigure("pg_outage_p50_error_latency_ms", percentile(errorLatencies, 50), "ms", "503 answers, p50");
  recordFigure("pg_outage_max_error_latency_ms", Math.max(0, ...errorLatencies), "ms", "503 answers, slowest");
  recordFigure("pg_restart_s", Number(((backAt - restartAt) / 1000).toFixed(2)), "s", "pg_ctl start (crash recovery) until it accepts connections");
  recordFigure("pg_recovery_api_s", Number(((apiBackAt - backAt) / 1000).toFixed(2)), "s", "Postgres accepting connections → every request kind answered 2xx again");
  recordFigure("pg_recovery_worker_s", Number(((workerBackAt - backAt) / 1000).toFixed(2)), "s", "Postgres accepting connections → the worker executed a block again");

  const wrongKinds = new Map<string, number>();
  for (const a of wrong) wrongKinds.set(`${a.op} ${a.status} ${a.code}`, (wrongKinds.get(`${a.op} ${a.status} ${a.code}`) ?? 0) + 1);
  expect(Object.fromEntries(wrongKinds), "answers other than 2xx or 503 + Retry-After").toEqual({});
  expect(during.filter((a) => a.status === 503).length, "the outage was seen").toBeGreaterThan(0);
  // No request waits beyond the documented bound: a connection attempt gives up after 10 s.
  const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a));
  expect(slowest.ms, `slowest answer: ${JSON.stringify(slowest)}`).toBeLessThan(CONNECT_TIMEOUT_MS + 5_000);

  // Every acknowledged write is there, and every acknowledged run finishes.
  const created = answers.filter((a) => a.op === "create_workflow" && a.status === 201).map((a) => a.id as string);
  const started = [...answers.filter((a) => a.op === "start_run" && a.status === 202).map((a) => a.id as string), fresh.id as string];
  const foundWorkflows = await app.database.sql`SELECT id FROM workflows WHERE id = ANY(${created})`;
  const foundRuns = await app.database.sql`SELECT id FROM runs WHERE id = ANY(${started})`;
  const missing = created.length - foundWorkflows.length + started.length - foundRuns.length;
  recordFigure("acknowledged_writes", created.length + started.length, "count", "workflow creates (201) and run starts (202) acknowledged during the test");
  recordFigure("acknowledged_writes_missing", missing, "count", "of those, not in the database after the restart");
  expect(missing).toBe(0);
  let open: string[] = [];
  await until(
    async () => {
      const rows = await app.database.sql`SELECT id, status FROM runs WHERE id = ANY(${started}) AND status <> 'succeeded'`;
      open = rows.map((r) => `${r.id}: ${r.status}`);
      return rows.length === 0;
    },
    120_000,
    "every acknowledged run to succeed",
  ).catch((error: Error) => {
    throw new Error(`${error.message}; still open: ${open.slice(0, 5).join(", ")} (${open.length})`);
  });
  recordFigure("pg_outage_runs_done_s", Number(((Date.now() - backAt) / 1000).toFixed(1)), "s", `Postgres back → all ${started.length} acknowledged runs succeeded (runs in flight at the crash wait out their 30 s lease)`);
}, 240_000);
