/**
 * Runtime benchmark (issue 4 item 7): ONE worker at WORKER_CONCURRENCY (default 10), run in this
 * process against a fresh database, with the Hono control plane in process (`api.request`):
 * (a) completed runs per second of a 3-block workflow (trigger_manual → transform → log) against a
 *     raw openworkflow workflow of 3 trivial `step.run`s on the same database and concurrency
 *     (target ratio ≥ 0.67). Both go through the same arrangement (docs/openworkflow.md, "The claim loop"): enqueue
 *     RUNS runs with no worker running, start a fresh worker (new pools), and time from its start
 *     until all RUNS openworkflow runs are `completed`, watched by an uncounted poller every 10 ms.
 *     Rounds are mirrored (ours, raw, raw+hooks, raw+hooks, raw, ours) after a warm-up round, so
 *     drift and noise hit every side alike; each side's figure is its total runs over its total
 *     time. "raw" is the stock worker (`ow.newWorker().start()`); "raw+hooks" adds Weft's claim
 *     policy (`driveClaims`: single-flight passes, one claim at a time, a pass when a slot frees;
 *     raw enqueues send no NOTIFY, so its announcements play no part), for context only.
 * (b) p50/p99 from `POST /api/workflows/:id/run` to the first block's start, one run at a time
 *     with an idle worker between runs.
 * (c) database statements per run sent by the worker's pools during (a) (postgres.js `debug`;
 *     LISTEN connections and the enqueuers are not counted), against 2N+3 = 9 for raw.
 */
import { randomBytes } from "node:crypto";
import { defineWorkflowSpec, OpenWorkflow } from "openworkflow";
import { BackendPostgres } from "openworkflow/postgres";
import pino from "pino";
import postgres from "postgres";
import { openDatabase, OPENWORKFLOW_SCHEMA } from "@/db/client";
import { createControlPlaneApi } from "@/lib/api";
import { createAuth } from "@/lib/auth";
import { ConfigSchema } from "@/lib/config";
import { createRuntime, startWorker } from "@/lib/runtime";
import { driveClaims, openWorkflowBackend } from "@/lib/runtime/openworkflow";
import { apiCall } from "./api-call";
import { benchServer, freshDatabase } from "./database";
import { percentile } from "./percentiles";

const RUNS = 500;
const WARMUP_RUNS = 100;
const STEPS = 3;
const TARGET_RATIO = 0.67;
const LATENCY_RUNS = 200;
const GAP_MS: [number, number] = [50, 100];
const ENQUEUE_CONCURRENCY = 10;
/** The watcher's poll; its count is a primary-key lookup per run (namespace_id, id), about 1 ms for 500 runs. */
const POLL_MS = 10;
const BASE_URL = "http://localhost:3000";

type Side = "ours" | "raw" | "raw+hooks";

/** The schema of raw openworkflow's tables (the "raw" and "raw+hooks" sides). */
const RAW_SCHEMA = "bench_raw_openworkflow";

/** Creates raw openworkflow's tables with openworkflow's own migrations, and the two indexes its claim needs to scale. */
async function prepareRawSchema(url: string): Promise<void> {
  const backend = await BackendPostgres.connect(url, { schema: RAW_SCHEMA, runMigrations: true });
  await backend.stop();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const runs = sql(`${RAW_SCHEMA}.workflow_runs`);
    await sql`
      CREATE INDEX IF NOT EXISTS workflow_runs_claim_idx ON ${runs}
        (namespace_id, (CASE WHEN status = 'pending' THEN 0 ELSE 1 END), available_at, created_at)
        WHERE status IN ('pending', 'running', 'sleeping')`;
    await sql`
      CREATE INDEX IF NOT EXISTS workflow_runs_deadline_idx ON ${runs} (namespace_id, deadline_at)
        WHERE status IN ('pending', 'running', 'sleeping') AND deadline_at IS NOT NULL`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Calls `fn(i)` for i in [0, n) with `concurrency` at once; returns the results in order. */
export async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/** Runs the runtime benchmark and prints its figures. */
export async function benchRuntime(): Promise<void> {
  const concurrency = ConfigSchema.shape.WORKER_CONCURRENCY.parse(process.env.WORKER_CONCURRENCY);
  const pg = await benchServer();
  const db = await freshDatabase(pg.url);
  const logger = pino({ level: process.env.LOG_LEVEL ?? "error" });
  const secretsKey = randomBytes(32);
  const database = openDatabase(db.url, { max: 10 });
  const runtime = await createRuntime({ databaseUrl: db.url, logger });
  const monitor = postgres(db.url, { max: 1, onnotice: () => {} });
  // Raw openworkflow gets tables of its own, with the indexes its claim reads (Weft drops them from
  // its own openworkflow tables, db/migrate.ts): its stock indexes, plus the claim-order and
  // deadline indexes Weft used to add for it, so "raw" is not slowed by Weft's choices.
  await prepareRawSchema(db.url);
  const enqueueBackend = openWorkflowBackend(db.url, 10, undefined, RAW_SCHEMA);
  const enqueuer = new OpenWorkflow({ backend: enqueueBackend });
  const rawSpec = defineWorkflowSpec<{ n: number }, number>({ name: "bench.raw3" });
  const stops: (() => Promise<void>)[] = [];
  try {
    const auth = createAuth({ db: database.db, baseUrl: BASE_URL, secret: randomBytes(32).toString("base64url"), signup: "open", rateLimit: false, logger });
    const api = createControlPlaneApi({ database, logger, auth, baseUrl: BASE_URL, secretsKey, rateLimitPerMinute: 1_000_000_000, sessionRateLimitPerMinute: 1_000_000_000, runtime });
    const request = apiCall((path, init) => api.request(path, init));
    const signUp = await request("POST", "/api/auth/sign-up/email", {}, { email: "bench@example.com", name: "Bench", password: "bench-password-123" });
    const token = signUp.headers.get("set-auth-token");
    if (!token) throw new Error("sign-up returned no set-auth-token header");
    const key = (await request("POST", "/api/keys", { authorization: `Bearer ${token}` }, { name: "bench" })).json.key as string;
    const agent = { "x-api-key": key };
    const definition = {
      blocks: [
        { id: "trg", type: "trigger_manual", params: {} },
        { id: "shape", type: "transform", params: { value: { n: "{{trg.n}}", tag: "bench" } } },
        { id: "note", type: "log", params: { message: "run {{shape.value.n}}" } },
      ],
      edges: [
        { source: "trg", target: "shape" },
        { source: "shape", target: "note" },
      ],
    };
    const workflowId = (await request("POST", "/api/workflows", agent, { name: "bench 3 blocks", definition })).json.id as string;
    const organizationId = ((await request("GET", "/api/me", { authorization: `Bearer ${token}` })).json.organization as { id: string }).id;
    const dispatch = async (n: number): Promise<string> => (await request("POST", `/api/workflows/${workflowId}/run`, agent, { input: { n } })).json.runId as string;

    /** Enqueues `runs` runs of `side` with no worker running; returns their openworkflow run ids. */
    const enqueue = async (side: Side, runs: number): Promise<string[]> => {
      if (side !== "ours") return pool(runs, ENQUEUE_CONCURRENCY, async (n) => (await enqueuer.runWorkflow(rawSpec, { n })).workflowRun.id);
      const runIds = await pool(runs, ENQUEUE_CONCURRENCY, dispatch);
      const rows = await monitor<{ ow_run_id: string | null }[]>`SELECT ow_run_id FROM runs WHERE id = ANY(${runIds})`;
      if (rows.length !== runs || rows.some((r) => !r.ow_run_id)) throw new Error("some dispatched runs have no openworkflow run");
      return rows.map((r) => r.ow_run_id as string);
    };

    /** Starts a fresh worker of `side`, counting the statements its pools send. */
    const start = async (side: Side, count: (pool: "openworkflow" | "store") => void): Promise<() => Promise<void>> => {
      if (side === "ours") {
        const worker = await startWorker({ databaseUrl: db.url, secretsKey, logger, concurrency, onQuery: (p) => count(p) });
        return () => worker.stop();
      }
      // Raw: openworkflow's own pool size (10), its stock worker; "+hooks" adds Weft's claim policy.
      const backend = openWorkflowBackend(db.url, 10, () => count("openworkflow"), RAW_SCHEMA);
      const ow = new OpenWorkflow({ backend });
      ow.implementWorkflow(rawSpec, async ({ input, step }) => {
        let n = input.n;
        for (let s = 1; s <= STEPS; s++) n = await step.run({ name: `s${s}` }, () => n + 1);
        return n;
      });
      const worker = ow.newWorker({ concurrency });
      let stopping = false;
      if (side === "raw+hooks") driveClaims(worker, { stopped: () => stopping, onError: (error) => logger.error({ err: error }, "tick failed") });
      await worker.start();
      return async () => {
        stopping = true;
        await worker.stop();
        await backend.stop();
      };
    };

    /** One throughput round: enqueue, then time a fresh worker from its start to the last completion. */
    const round = async (side: Side, runs: number): Promise<{ seconds: number; statements: { openworkflow: number; store: number } }> => {
      const ids = await enqueue(side, runs);
      const statements = { openworkflow: 0, store: 0 };
      let counting = true;
      const started = performance.now();
      const stop = await start(side, (p) => void (counting && statements[p]++));
      stops.push(stop);
      let seconds: number;
      for (;;) {
        const [row] = await monitor<{ done: number; bad: number }[]>`
          SELECT count(*) FILTER (WHERE status = 'completed')::int AS done, count(*) FILTER (WHERE status NOT IN ('pending', 'running', 'completed'))::int AS bad
          FROM ${monitor(side === "ours" ? OPENWORKFLOW_SCHEMA : RAW_SCHEMA)}.workflow_runs WHERE namespace_id = 'default' AND id = ANY(${ids})`;
        if (row.bad > 0) throw new Error(`${side}: ${row.bad} runs ended other than completed`);
        if (row.done === runs) {
          seconds = (performance.now() - started) / 1000;
          counting = false;
          break;
        }
        if (performance.now() - started > 120_000) throw new Error(`${side}: only ${row.done}/${runs} runs completed in 120 s`);
        await sleep(POLL_MS);
      }
      stops.splice(stops.indexOf(stop), 1);
      await stop();
      if (side === "ours") {
        const [check] = await monitor<{ ok: number }[]>`
          SELECT count(*)::int AS ok FROM runs WHERE ow_run_id = ANY(${ids}) AND status = 'succeeded' AND output ? 'note'`;
        if (check.ok !== runs) throw new Error(`ours: ${check.ok}/${runs} runs succeeded with every block's output`);
      }
      return { seconds, statements };
    };

    // (a) + (c): warm-up (JIT, connections, caches), then mirrored rounds.
    for (const side of ["ours", "raw", "raw+hooks"] as const) await round(side, WARMUP_RUNS);
    const order: Side[] = ["ours", "raw", "raw+hooks", "raw+hooks", "raw", "ours"];
    const totals = new Map<Side, { runs: number; seconds: number; openworkflow: number; store: number; rates: number[] }>();
    for (const side of order) {
      const r = await round(side, RUNS);
      const t = totals.get(side) ?? { runs: 0, seconds: 0, openworkflow: 0, store: 0, rates: [] };
      t.runs += RUNS;
      t.seconds += r.seconds;
      t.openworkflow += r.statements.openworkflow;
      t.store += r.statements.store;
      t.rates.push(RUNS / r.seconds);
      totals.set(side, t);
    }
    const get = (side: Side) => totals.get(side) as { runs: number; seconds: number; openworkflow: number; store: number; rates: number[] };
    const rate = (side: Side) => get(side).runs / get(side).seconds;
    const rounds = (side: Side) => get(side).rates.map((r) => r.toFixed(0)).join("/");
    const ratio = rate("ours") / rate("raw");
    console.log(
      `runtime throughput (${STEPS} blocks, ${RUNS} runs, concurrency ${concurrency}): ours ${rate("ours").toFixed(0)} runs/s; ` +
        `raw openworkflow ${rate("raw").toFixed(0)} runs/s; ratio ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}) ` +
        `[rounds ours ${rounds("ours")}, raw ${rounds("raw")}; raw openworkflow with Weft's tick hooks ${rate("raw+hooks").toFixed(0)} runs/s ` +
        `(${rounds("raw+hooks")}), ours/that ${(rate("ours") / rate("raw+hooks")).toFixed(2)}]`,
    );
    const perRun = (side: Side) => (get(side).openworkflow + get(side).store) / get(side).runs;
    console.log(
      `DB round trips per run: ours ${perRun("ours").toFixed(1)}; raw ${perRun("raw").toFixed(1)} (2N+3 = ${2 * STEPS + 3}) ` +
        `[ours: openworkflow ${(get("ours").openworkflow / get("ours").runs).toFixed(2)} + Weft tables ${(get("ours").store / get("ours").runs).toFixed(2)}; ` +
        `raw+hooks ${perRun("raw+hooks").toFixed(2)}; worker pools during (a), empty claims included]`,
    );

    // (b) Latency. One clock: `sent` is Date.now() in this process just before the in-process
    // POST; the first block's start is the worker's `new Date()` at the start of the trigger
    // block's attempt (run_logs.started_at, a JS Date, so whole milliseconds), taken in the same
    // process: both are this process's wall clock, so no cross-clock skew enters. Each run ends
    // before the next is sent, after a random 50–100 ms gap with the worker idle (its prompt
    // start is the NOTIFY → tick path, not its poll).
    const worker = await startWorker({ databaseUrl: db.url, secretsKey, logger, concurrency });
    stops.push(() => worker.stop());
    const samples: { runId: string; sent: number }[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      await sleep(GAP_MS[0] + Math.random() * (GAP_MS[1] - GAP_MS[0]));
      const sent = Date.now();
      const runId = await dispatch(i);
      samples.push({ runId, sent });
      const done = await runtime.waitForRun(organizationId, runId, 10_000);
      if (done?.status !== "succeeded") throw new Error(`latency run ${runId} ended ${done?.status}`);
    }
    const starts = await monitor<{ run_id: string; started_at: Date }[]>`
      SELECT run_id, started_at FROM run_logs WHERE run_id = ANY(${samples.map((s) => s.runId)}) AND block_id = 'trg' AND attempt = 1`;
    const startOf = new Map(starts.map((r) => [r.run_id, r.started_at.getTime()]));
    const latencies = samples.map((s) => (startOf.get(s.runId) as number) - s.sent).sort((a, b) => a - b);
    console.log(
      `run start latency (POST …/run → first block start, ${LATENCY_RUNS} runs, idle worker, ${GAP_MS[0]}–${GAP_MS[1]} ms gaps): ` +
        `p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms [min ${latencies[0]}, max ${latencies[latencies.length - 1]}]`,
    );
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await Promise.allSettled([runtime.close(), enqueueBackend.stop(), monitor.end({ timeout: 2 })]);
    await database.close();
    await db.drop();
    await pg.stop();
  }
}
