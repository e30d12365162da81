/**
 * Trigger benchmark (issue 5 item 6), against a fresh database:
 * (a) webhook → run-start latency with 50 concurrent senders on loopback. A workflow
 *     trigger_webhook → greet with one endpoint (POST /api/workflows/:id/webhooks); 50 loops each
 *     send SENDS_PER_SENDER signed POSTs (`X-Weft-Signature`) over real HTTP, one after another,
 *     bounded by a per-request and an overall timeout. Latency is from just before each request
 *     is sent to the start of the run's first block (run_logs.started_at of `trg`, attempt 1,
 *     written by the worker); the 202's own latency is printed beside it.
 * (b) schedule fire drift: 100 schedules `* * * * *` created through POST /api/schedules, fired by
 *     the real ticker loop (startScheduleTicker, as the worker process runs it; two of them racing,
 *     as two worker processes would) for three minute-slots. Drift = the time the run was dispatched
 *     (stored and enqueued: `runtime.dispatch` returned) − the slot time from its idempotency key
 *     `schedule:<id>:<slot>`; runs.created_at − slot (the database's clock) is printed as a cross-check.
 *     Every (schedule, slot) must have exactly one run and no other slot may have fired.
 *
 * One clock. Everything runs in this process: the Hono control plane is served over real HTTP on
 * 127.0.0.1 by Node's `http` module adapting each request to `app.fetch` (@hono/node-server is not
 * installed; `next start` would be a second process), and the worker is `startWorker` in process
 * (WORKER_CONCURRENCY, default 50 here: one slot per sender). The send time is this process's
 * Date.now() and run_logs.started_at is the in-process worker's `new Date()`, so no cross-process
 * or cross-host skew enters. The cost: senders, server, control plane and worker share one event
 * loop, which a production split (web app, worker processes) does not; the loop's delay during
 * the load is printed for context.
 * The webhook limit is raised in process (`webhookRateLimitPerMinute`, what
 * WEFT_WEBHOOK_RATE_LIMIT_PER_MIN sets for `next start`), as is the control plane's.
 *
 * `npm run bench -- triggers` runs it alone; it takes about 3–4 minutes (part (b) waits for three
 * minute boundaries).
 */
import { createHmac, randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import postgres from "postgres";
import { openDatabase } from "@/db/client";
import { freePort, startEmbeddedPostgres } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { createControlPlaneApi, type ControlPlaneApi } from "@/lib/api";
import { createAuth } from "@/lib/auth";
import { ConfigSchema } from "@/lib/config";
import { createRuntime, startWorker, type Runtime } from "@/lib/runtime";
import { startScheduleTicker, type ScheduleTicker } from "@/lib/schedules/ticker-loop";

const SENDERS = 50;
const SENDS_PER_SENDER = 20;
const WARMUP_PER_SENDER = 2;
const REQUEST_TIMEOUT_MS = 10_000;
const SEND_DEADLINE_MS = 90_000;
const START_TARGET_P99_MS = 250;
const DEFAULT_WORKER_CONCURRENCY = 50;

const SCHEDULES = 100;
const SLOTS = 3;
const TICKERS = 2;
/** Create the schedules only this far before a minute boundary (else wait for the next minute). */
const MIN_LEAD_MS = 5_000;
/** After the last slot, wait this long at most for its firings (well before the next slot). */
const SETTLE_MS = 20_000;
const DRIFT_TARGET_P99_MS = 2_000;

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(values: number[], digits = 0): { p50: string; p99: string; max: string } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50).toFixed(digits),
    p99: percentile(sorted, 99).toFixed(digits),
    max: sorted[sorted.length - 1].toFixed(digits),
  };
}

/** A Postgres server: $DATABASE_URL's, or an embedded one in a temp folder (as bench/http.ts). */
async function server(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), "weft-bench-pg-"));
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, "data"), port: await freePort(), persistent: false, fast: true });
  return { url: pg.url, stop: async () => (await pg.stop(), rmSync(dir, { recursive: true, force: true })) };
}

async function freshDatabase(serverUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `weft_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await sql.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await sql.end();
    },
  };
}

/** Serves `app.fetch` on 127.0.0.1 with Node's http module: buffers the body, copies the response. */
async function serve(fetchApp: (request: Request) => Response | Promise<Response>, port: number): Promise<{ close: () => Promise<void> }> {
  const origin = `http://127.0.0.1:${port}`;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
    const method = req.method ?? "GET";
    const body = method === "GET" || method === "HEAD" || chunks.length === 0 ? undefined : new Uint8Array(Buffer.concat(chunks));
    const response = await fetchApp(new Request(`${origin}${req.url ?? "/"}`, { method, headers, body }));
    const out: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => {
      if (name !== "set-cookie") out[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) out["set-cookie"] = cookies;
    const payload = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, out);
    res.end(payload);
  };
  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  http.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(port, "127.0.0.1", resolve);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

/** Runs the trigger benchmark and prints its figures. */
export async function benchTriggers(): Promise<void> {
  const concurrency = process.env.WORKER_CONCURRENCY
    ? ConfigSchema.shape.WORKER_CONCURRENCY.parse(process.env.WORKER_CONCURRENCY)
    : DEFAULT_WORKER_CONCURRENCY;
  const pg = await server();
  const db = await freshDatabase(pg.url);
  const logger = pino({ level: process.env.LOG_LEVEL ?? "error" });
  const secretsKey = randomBytes(32);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const database = openDatabase(db.url, { max: 10 });
  const monitor = postgres(db.url, { max: 1, onnotice: () => {} });
  const stops: (() => Promise<void>)[] = [];
  try {
    // The web app: its own runtime (dispatch and reads only), as lib/server.ts builds it.
    const runtime = await createRuntime({ database, databaseUrl: db.url, secretsKey, logger });
    stops.push(() => runtime.close());
    const auth = createAuth({ db: database.db, baseUrl: base, secret: randomBytes(32).toString("base64url"), signup: "open", rateLimit: false, logger });
    const api: ControlPlaneApi = createControlPlaneApi({
      database,
      logger,
      auth,
      baseUrl: base,
      secretsKey,
      rateLimitPerMinute: 1_000_000,
      webhookRateLimitPerMinute: 1_000_000,
      runtime,
    });
    const web = await serve((request) => api.fetch(request), port);
    stops.push(() => web.close());

    const call = async (method: string, path: string, headers: Record<string, string>, body?: unknown) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return { json, headers: res.headers };
    };
    const signUp = await call("POST", "/api/auth/sign-up/email", { origin: base }, { email: "bench@example.com", name: "Bench", password: "bench-password-123" });
    const token = signUp.headers.get("set-auth-token");
    if (!token) throw new Error("sign-up returned no set-auth-token header");
    const key = (await call("POST", "/api/keys", { authorization: `Bearer ${token}` }, { name: "bench" })).json.key as string;
    const agent = { authorization: `Bearer ${key}` };

    // The worker, in process (see the header).
    const worker = await startWorker({ databaseUrl: db.url, secretsKey, logger, concurrency });
    stops.push(() => worker.stop());

    // (a) Webhook → run start.
    const hook = {
      blocks: [
        { id: "trg", type: "trigger_webhook", params: {} },
        { id: "greet", type: "greet", params: { name: "{{trg.body.name}}" } },
      ],
      edges: [{ source: "trg", target: "greet" }],
    };
    const hookWorkflowId = (await call("POST", "/api/workflows", agent, { name: "bench webhook", definition: hook })).json.id as string;
    const endpoint = (await call("POST", `/api/workflows/${hookWorkflowId}/webhooks`, agent, {})).json as { id: string; secret: string };
    const hookUrl = `${base}/api/webhooks/${endpoint.id}`;

    interface Sample {
      runId: string;
      sent: number;
      responseMs: number;
    }
    /** SENDERS loops, each sending `perSender` signed POSTs one after another. */
    const send = async (perSender: number): Promise<Sample[]> => {
      const samples: Sample[] = [];
      const deadline = performance.now() + SEND_DEADLINE_MS;
      await Promise.all(
        Array.from({ length: SENDERS }, async (_, sender) => {
          for (let n = 0; n < perSender && performance.now() < deadline; n++) {
            const body = JSON.stringify({ name: `sender ${sender} #${n}` });
            const t = String(Math.floor(Date.now() / 1000));
            const v1 = createHmac("sha256", endpoint.secret).update(`${t}.${body}`, "utf8").digest("hex");
            const sent = Date.now();
            const clock = performance.now();
            const res = await fetch(hookUrl, {
              method: "POST",
              headers: { "content-type": "application/json", "x-weft-signature": `t=${t},v1=${v1}` },
              body,
              signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            const json = (await res.json()) as { runId?: string };
            const responseMs = performance.now() - clock;
            if (res.status !== 202 || !json.runId) throw new Error(`webhook answered ${res.status} ${JSON.stringify(json)}`);
            samples.push({ runId: json.runId, sent, responseMs });
          }
        }),
      );
      return samples;
    };
    /** Waits until every run in `runIds` succeeded (so the next phase starts with an idle worker). */
    const drain = async (runIds: string[], timeoutMs: number): Promise<void> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const [row] = await monitor<{ done: number; bad: number }[]>`
          SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS done,
            count(*) FILTER (WHERE status IN ('failed', 'canceled'))::int AS bad
          FROM runs WHERE id = ANY(${runIds})`;
        if (row.bad > 0) throw new Error(`${row.bad} webhook runs failed`);
        if (row.done === runIds.length) return;
        if (Date.now() > until) throw new Error(`only ${row.done}/${runIds.length} webhook runs succeeded in ${timeoutMs / 1000} s`);
        await sleep(100);
      }
    };

    // Warm-up (JIT, keep-alive connections, pools), not counted; then the measured load.
    await drain((await send(WARMUP_PER_SENDER)).map((s) => s.runId), 60_000);
    await sleep(500);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const loadStarted = performance.now();
    const samples = await send(SENDS_PER_SENDER);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await drain(
      samples.map((s) => s.runId),
      60_000,
    );
    loop.disable();
    const starts = await monitor<{ run_id: string; started_at: Date }[]>`
      SELECT run_id, started_at FROM run_logs WHERE run_id = ANY(${samples.map((s) => s.runId)}) AND block_id = 'trg' AND attempt = 1`;
    const startOf = new Map(starts.map((r) => [r.run_id, r.started_at.getTime()]));
    if (startOf.size !== samples.length) throw new Error(`${samples.length - startOf.size} webhook runs have no trigger block start`);
    const startLatency = summary(samples.map((s) => (startOf.get(s.runId) as number) - s.sent));
    const response = summary(
      samples.map((s) => s.responseMs),
      1,
    );
    const startP99 = Number(startLatency.p99);
    console.log(
      `webhook → run start (${SENDERS} concurrent senders, ${samples.length} requests): p50 ${startLatency.p50} ms, p99 ${startLatency.p99} ms ` +
        `(target p99 ≤ ${START_TARGET_P99_MS} ms${startP99 <= START_TARGET_P99_MS ? ", met" : ", MISSED"}); ` +
        `202 response p50 ${response.p50} ms, p99 ${response.p99} ms`,
    );
    console.log(
      `  [max start ${startLatency.max} ms, max 202 ${response.max} ms; ${(samples.length / loadSeconds).toFixed(0)} req/s over ${loadSeconds.toFixed(1)} s; ` +
        `in-process Hono over node:http on loopback + in-process startWorker (concurrency ${concurrency}); ` +
        `event-loop delay p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms; ` +
        `after ${SENDERS * WARMUP_PER_SENDER} warm-up requests]`,
    );

    // (b) Schedule drift. The tickers dispatch through their own runtimes (as worker/index.ts),
    // wrapped to record when each dispatch returned.
    const fired: { key: string; done: number; created: boolean }[] = [];
    const tickers: ScheduleTicker[] = [];
    for (let i = 0; i < TICKERS; i++) {
      const tickerDb = openDatabase(db.url, { max: 4 });
      const tickerRuntime = await createRuntime({ database: tickerDb, databaseUrl: db.url, secretsKey, logger });
      stops.push(async () => {
        await tickerRuntime.close();
        await tickerDb.close();
      });
      const timed: Pick<Runtime, "dispatch"> = {
        async dispatch(organizationId, workflow, options) {
          const result = await tickerRuntime.dispatch(organizationId, workflow, options);
          fired.push({ key: options.idempotencyKey ?? "", done: Date.now(), created: result.created });
          return result;
        },
      };
      const ticker = startScheduleTicker({ sql: tickerDb.sql, runtime: timed, logger });
      tickers.push(ticker);
      stops.push(() => ticker.stop());
    }
    const scheduled = {
      blocks: [
        { id: "trg", type: "trigger_schedule", params: {} },
        { id: "note", type: "log", params: { message: "tick {{trg.n}}" } },
      ],
      edges: [{ source: "trg", target: "note" }],
    };
    const scheduleWorkflowId = (await call("POST", "/api/workflows", agent, { name: "bench schedule", definition: scheduled })).json.id as string;
    // Not too close to a minute boundary, so the first slot is one all 100 schedules share.
    const intoMinute = Date.now() % 60_000;
    if (60_000 - intoMinute < MIN_LEAD_MS) await sleep(60_000 - intoMinute + 500);
    const createdAt = Date.now();
    const scheduleIds = await Promise.all(
      Array.from({ length: SCHEDULES }, async (_, n) => {
        const res = await call("POST", "/api/schedules", agent, { workflowId: scheduleWorkflowId, cron: "* * * * *", input: { n } });
        return res.json.id as string;
      }),
    );
    if (Date.now() - createdAt > MIN_LEAD_MS) throw new Error("creating the schedules took too long to share their first slot");
    const firstSlot = Math.ceil(createdAt / 60_000) * 60_000;
    const slots = Array.from({ length: SLOTS }, (_, i) => firstSlot + i * 60_000);
    const lastSlot = slots[SLOTS - 1];
    const expected = new Set(scheduleIds.flatMap((id) => slots.map((slot) => `schedule:${id}:${new Date(slot).toISOString()}`)));
    console.log(`[bench] ${SCHEDULES} schedules created; waiting for ${SLOTS} slots (${new Date(firstSlot).toISOString()} … ${new Date(lastSlot).toISOString()})`);
    while (Date.now() < lastSlot + SETTLE_MS) {
      if (Date.now() > lastSlot && fired.filter((f) => expected.has(f.key)).length >= expected.size) break;
      await sleep(250);
    }
    // Stop the tickers well before the next slot (lastSlot + 60 s).
    for (const ticker of tickers) await ticker.stop();

    const runs = await monitor<{ id: string; idempotency_key: string; created_at: Date }[]>`
      SELECT id, idempotency_key, created_at FROM runs WHERE workflow_id = ${scheduleWorkflowId} AND trigger = 'schedule'`;
    const runsPerKey = new Map<string, number>();
    for (const run of runs) runsPerKey.set(run.idempotency_key, (runsPerKey.get(run.idempotency_key) ?? 0) + 1);
    const firingsPerKey = new Map<string, number>();
    for (const f of fired) firingsPerKey.set(f.key, (firingsPerKey.get(f.key) ?? 0) + 1);
    const duplicateRuns = [...runsPerKey.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const duplicateFirings = [...firingsPerKey.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const missing = [...expected].filter((k) => runsPerKey.get(k) !== 1).length;
    const unexpected = runs.filter((r) => !expected.has(r.idempotency_key)).length;
    const slotIso = (key: string): string => key.split(":").slice(2).join(":");
    const inSet = fired.filter((f) => expected.has(f.key));
    const drift = summary(inSet.map((f) => f.done - new Date(slotIso(f.key)).getTime()));
    const dbDrift = summary(runs.filter((r) => expected.has(r.idempotency_key)).map((r) => r.created_at.getTime() - new Date(slotIso(r.idempotency_key)).getTime()));
    const perSlot = slots.map((slot) => runs.filter((r) => new Date(slotIso(r.idempotency_key)).getTime() === slot).length).join("/");
    const driftP99 = Number(drift.p99);
    const ok = missing === 0 && unexpected === 0 && duplicateRuns === 0 && duplicateFirings === 0;
    console.log(
      `schedule drift (${SCHEDULES} schedules × ${SLOTS} slots = ${fired.length} firings, ${runs.length} runs, ${duplicateRuns + duplicateFirings} duplicates): ` +
        `p50 ${drift.p50} ms, p99 ${drift.p99} ms (target p99 ≤ ${DRIFT_TARGET_P99_MS} ms${driftP99 <= DRIFT_TARGET_P99_MS ? ", met" : ", MISSED"})`,
    );
    console.log(
      `  [runs per slot ${perSlot}; ${missing} (schedule, slot) pairs without exactly one run, ${unexpected} runs of other slots; ` +
        `max ${drift.max} ms; drift by runs.created_at (database clock) p50 ${dbDrift.p50} ms, p99 ${dbDrift.p99} ms; ` +
        `${TICKERS} tickers racing (startScheduleTicker, ~1 s passes), drift = dispatch returned − slot]`,
    );
    if (!ok) throw new Error("schedules did not fire exactly once per slot");
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await monitor.end({ timeout: 2 }).catch(() => {});
    await database.close();
    await db.drop();
    await pg.stop();
  }
}
