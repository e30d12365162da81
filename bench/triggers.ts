/**
 * Trigger benchmark (issue 5 item 6), against a fresh database, with the app as it runs in
 * production: `next start` (built if stale) and worker processes (`worker/index.ts`, each with its
 * schedule ticker: one while webhooks are measured, two racing for the schedules), over real HTTP
 * on loopback.
 * (a) webhook → run-start latency with 50 concurrent senders: a workflow trigger_webhook → greet
 *     with one endpoint; 50 loops send signed POSTs (`X-Weft-Signature`), back to back (a
 *     saturation test: latency ≈ senders ÷ throughput) and then paced at one request per sender per
 *     second. Latency is from just before a request is sent to the start of the run's first block
 *     (run_logs.started_at of `trg`, written by a worker process); the 202's own latency is printed
 *     beside it. All processes run on this host, so they read one wall clock.
 * (b) schedule fire drift: 100 schedules `* * * * *` created through POST /api/schedules, fired by
 *     the workers' tickers (two racing) for three minute-slots. Drift = runs.created_at (the run
 *     was stored) − the slot time from its idempotency key `schedule:<id>:<slot>`. Every
 *     (schedule, slot) must have exactly one run and no other slot may have fired.
 *
 * `npm run bench -- triggers` runs it alone; it takes about 4 minutes (part (b) waits for three
 * minute boundaries).
 */
import { createHmac } from "node:crypto";
import postgres from "postgres";
import { startBenchApp } from "./app";
import { benchServer, freshDatabase } from "./database";

const SENDERS = 50;
const SENDS_PER_SENDER = 20;
/** The paced phase: each sender sends one request every PACE_MS, PACED_PER_SENDER times. */
const PACE_MS = 1_000;
const PACED_PER_SENDER = 10;
const WARMUP_PER_SENDER = 2;
const REQUEST_TIMEOUT_MS = 10_000;
const SEND_DEADLINE_MS = 90_000;
const START_TARGET_P99_MS = 250;

const SCHEDULES = 100;
const SLOTS = 3;
/** Worker processes, each with its schedule ticker (they race for the schedules). */
const WORKERS = 2;
/** Worker processes while webhooks are measured (one, as in production's smallest setup). */
const WEBHOOK_WORKERS = 1;
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

/** Runs the trigger benchmark and prints its figures. */
export async function benchTriggers(): Promise<void> {
  const pg = await benchServer();
  const db = await freshDatabase(pg.url);
  const monitor = postgres(db.url, { max: 1, onnotice: () => {} });
  const stops: (() => Promise<void>)[] = [];
  const concurrency = process.env.WORKER_CONCURRENCY ?? "10 (default)";
  try {
    const app = await startBenchApp(db.url);
    const base = app.base;
    stops.push(() => app.stop());
    for (let i = 0; i < WEBHOOK_WORKERS; i++) app.startWorker();

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
    /**
     * SENDERS loops, each sending `perSender` signed POSTs. Without `paceMs` each sends the next as
     * soon as the last was answered (closed loop: a saturation test, where latency ≈ senders ÷
     * throughput); with it, each sends one every `paceMs` from a random offset (open loop: latency
     * at a fixed offered load).
     */
    const send = async (perSender: number, paceMs?: number): Promise<Sample[]> => {
      const samples: Sample[] = [];
      const began = performance.now();
      const deadline = began + SEND_DEADLINE_MS;
      await Promise.all(
        Array.from({ length: SENDERS }, async (_, sender) => {
          const offset = paceMs ? Math.random() * paceMs : 0;
          for (let n = 0; n < perSender && performance.now() < deadline; n++) {
            if (paceMs) await sleep(Math.max(0, began + offset + n * paceMs - performance.now()));
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
    const loadStarted = performance.now();
    const samples = await send(SENDS_PER_SENDER);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await drain(
      samples.map((s) => s.runId),
      60_000,
    );
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
      `webhook → run start (${SENDERS} concurrent senders back to back, ${samples.length} requests): p50 ${startLatency.p50} ms, p99 ${startLatency.p99} ms ` +
        `(target p99 ≤ ${START_TARGET_P99_MS} ms${startP99 <= START_TARGET_P99_MS ? ", met" : ", MISSED"}); ` +
        `202 response p50 ${response.p50} ms, p99 ${response.p99} ms`,
    );
    console.log(
      `  [max start ${startLatency.max} ms, max 202 ${response.max} ms; ${(samples.length / loadSeconds).toFixed(0)} req/s over ${loadSeconds.toFixed(1)} s; ` +
        `next start + ${WEBHOOK_WORKERS} worker process (WORKER_CONCURRENCY ${concurrency}) on loopback; ` +
        `after ${SENDERS * WARMUP_PER_SENDER} warm-up requests]`,
    );

    // The same senders at a fixed pace: one request per sender per PACE_MS.
    const paced = await send(PACED_PER_SENDER, PACE_MS);
    await drain(
      paced.map((s) => s.runId),
      60_000,
    );
    const pacedStarts = await monitor<{ run_id: string; started_at: Date }[]>`
      SELECT run_id, started_at FROM run_logs WHERE run_id = ANY(${paced.map((s) => s.runId)}) AND block_id = 'trg' AND attempt = 1`;
    const pacedStartOf = new Map(pacedStarts.map((r) => [r.run_id, r.started_at.getTime()]));
    const pacedStart = summary(paced.map((s) => (pacedStartOf.get(s.runId) as number) - s.sent));
    const pacedResponse = summary(
      paced.map((s) => s.responseMs),
      1,
    );
    console.log(
      `webhook → run start (${SENDERS} concurrent senders, each one request every ${PACE_MS} ms = ${((SENDERS * 1000) / PACE_MS).toFixed(0)} req/s offered, ` +
        `${paced.length} requests): p50 ${pacedStart.p50} ms, p99 ${pacedStart.p99} ms (target p99 ≤ ${START_TARGET_P99_MS} ms` +
        `${Number(pacedStart.p99) <= START_TARGET_P99_MS ? ", met" : ", MISSED"}); 202 response p50 ${pacedResponse.p50} ms, p99 ${pacedResponse.p99} ms`,
    );

    // (b) Schedule drift: the worker processes' tickers fire the schedules; more workers join to race.
    for (let i = WEBHOOK_WORKERS; i < WORKERS; i++) app.startWorker();
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
      const [row] = await monitor<{ n: number }[]>`SELECT count(*)::int AS n FROM runs WHERE workflow_id = ${scheduleWorkflowId} AND trigger = 'schedule'`;
      if (Date.now() > lastSlot && row.n >= expected.size) break;
      await sleep(250);
    }
    // Disable the schedules well before the next slot (lastSlot + 60 s).
    await monitor`UPDATE schedules SET enabled = false WHERE workflow_id = ${scheduleWorkflowId}`;

    const runs = await monitor<{ id: string; idempotency_key: string; created_at: Date }[]>`
      SELECT id, idempotency_key, created_at FROM runs WHERE workflow_id = ${scheduleWorkflowId} AND trigger = 'schedule'`;
    const runsPerKey = new Map<string, number>();
    for (const run of runs) runsPerKey.set(run.idempotency_key, (runsPerKey.get(run.idempotency_key) ?? 0) + 1);
    const duplicateRuns = [...runsPerKey.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
    const missing = [...expected].filter((k) => runsPerKey.get(k) !== 1).length;
    const unexpected = runs.filter((r) => !expected.has(r.idempotency_key)).length;
    const slotIso = (key: string): string => key.split(":").slice(2).join(":");
    const inSet = runs.filter((r) => expected.has(r.idempotency_key));
    if (inSet.length === 0) throw new Error("no schedule fired a slot of the set");
    const drift = summary(inSet.map((r) => r.created_at.getTime() - new Date(slotIso(r.idempotency_key)).getTime()));
    const perSlot = slots.map((slot) => runs.filter((r) => new Date(slotIso(r.idempotency_key)).getTime() === slot).length).join("/");
    const driftP99 = Number(drift.p99);
    const ok = missing === 0 && unexpected === 0 && duplicateRuns === 0;
    console.log(
      `schedule drift (${SCHEDULES} schedules × ${SLOTS} slots, ${runs.length} runs, ${duplicateRuns} duplicates): ` +
        `p50 ${drift.p50} ms, p99 ${drift.p99} ms (target p99 ≤ ${DRIFT_TARGET_P99_MS} ms${driftP99 <= DRIFT_TARGET_P99_MS ? ", met" : ", MISSED"})`,
    );
    console.log(
      `  [runs per slot ${perSlot}; ${missing} (schedule, slot) pairs without exactly one run, ${unexpected} runs of other slots; ` +
        `max ${drift.max} ms; ${WORKERS} worker processes' tickers racing (~1 s passes); drift = runs.created_at − slot]`,
    );
    if (!ok) throw new Error("schedules did not fire exactly once per slot");
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    await monitor.end({ timeout: 2 }).catch(() => {});
    await db.drop();
    await pg.stop();
  }
}
