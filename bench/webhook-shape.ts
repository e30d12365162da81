/**
 * `npm run bench -- webhook-shape`: Weft's side of the n8n anchor (README, "Benchmarks"), from the
 * project itself. The same shape as the team's anchor scripts (n8n-webhook-bench.sh and
 * weft-webhook-bench.sh): a webhook that sets two fields twice (trigger_webhook → transform →
 * transform), every run stored, POST {"a":1} from autocannon 9.0.0 (pinned devDependency, run
 * as its own process like the scripts do), 50 connections for 20 s, on a throwaway PostgreSQL 15
 * with default durability; the app started exactly as `npm start` starts it (compiled supervisor,
 * `next start`, one compiled worker), in its own process group.
 * Scenarios: `wait` = `?wait=10` (answers with the finished run, n8n's "respond when the last node
 * finishes"); `nowait` = 202 at once (n8n's "respond at once").
 *
 * Per scenario, after a 5 s warm-up (10 connections) and an ANALYZE: one connection for 5 s
 * (unloaded p50/p99), then the measured load, then it waits until every run is final. Printed:
 * req/s, p50/p99/max, 2xx, runs stored by the load and how long after it they settled, **stored
 * runs/s** = stored ÷ (load seconds + settle seconds) (completed, stored runs, not 2xx), RSS of each
 * process (supervisor, web, worker) idle and at the peak of the load, CPU ms per run of each (and
 * of the cluster's Postgres backends), commits per run (pg_stat_database), and an exact-count
 * check (300 requests → 300 2xx and 300 stored runs).
 * Then the Postgres ceiling: single-row durable commits/s by pgbench on the same server with the
 * app stopped (same connection count), and runs/s ÷ (ceiling ÷ commits per run).
 *
 * Knobs (env): CONNS (50), DURATION (20), WARMUP (5), SERIAL_S (5), VERIFY_N (300, 0 = skip),
 * SCENARIOS ("wait nowait"), PG_PORT (a free port from 55461), WEFT_PORT (a free port from 3300),
 * BENCH_PG_STATEMENTS=1 (the cluster loads pg_stat_statements; prints what Postgres spent each
 * scenario's load on, per stored run), BENCH_CPU_PROF=<dir> (every Node process of the app writes a V8 CPU profile there on exit, through
 * the bench/cpu-profile.mjs preload; `node bench/cpu-profile-summary.mjs <file>` summarizes one).
 */
import { execSync, spawn } from "node:child_process";
import { chmodSync, createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { freePort } from "@/db/embedded";
import { asPostgres, startThrowawayPostgres } from "./throwaway-postgres";
import { cpuMsByRole, processes, rssByRole, type Role } from "./process-usage";

const root = resolve(import.meta.dirname, "..");
/** pg_stat_wal's counters: WAL bytes, full-page images and WAL flushes (syncs) since the cluster started. */
type Wal = { bytes: number; fpi: number; syncs: number };
const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const CONNS = env("CONNS", 50);
const DURATION = env("DURATION", 20);
const WARMUP = env("WARMUP", 5);
const SERIAL_S = env("SERIAL_S", 5);
const VERIFY_N = env("VERIFY_N", 300);
const SCENARIOS = (process.env.SCENARIOS ?? "wait nowait").split(/\s+/).filter((s) => s === "wait" || s === "nowait");
const ROLES: Role[] = ["supervisor", "web", "worker"];

interface Cannon {
  requests: { average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/** autocannon as its own process, as the anchor scripts run it; resolves with its JSON report. */
function autocannon(url: string, secret: string, args: string[]): Promise<Cannon> {
  const bin = join(root, "node_modules/autocannon/autocannon.js");
  const child = spawn(process.execPath, [bin, "-j", ...args, "-m", "POST", "-H", "content-type=application/json", "-H", `authorization=Bearer ${secret}`, "-b", '{"a":1}', url], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((res, rej) => child.on("close", () => (out ? res(JSON.parse(out) as Cannon) : rej(new Error("autocannon printed nothing")))));
}

/** Runs the webhook-shape benchmark and prints its table. */
export async function benchWebhookShape(): Promise<void> {
  const started = new Date();
  const loadBefore = load();
  const statements = process.env.BENCH_PG_STATEMENTS === "1";
  const pg = await startThrowawayPostgres(
    process.env.PG_PORT ? Number(process.env.PG_PORT) : await freePortFrom(55461),
    200,
    statements ? "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on" : "",
  );
  const admin = postgres(pg.url, { max: 1, onnotice: () => {} });
  await admin`CREATE DATABASE weft`;
  const dbUrl = pg.url.replace(/\/postgres$/, "/weft");
  const monitor = postgres(dbUrl, { max: 1, onnotice: () => {} });
  if (statements) await monitor`CREATE EXTENSION pg_stat_statements`;
  const port = process.env.WEFT_PORT ? Number(process.env.WEFT_PORT) : await freePortFrom(3300);
  const base = `http://127.0.0.1:${port}`;
  const logDir = mkdtempSync(join(tmpdir(), "weft-webhook-shape-"));
  // `--cpu-prof` is not allowed in NODE_OPTIONS: a preload starts the profiler instead.
  const profile = process.env.BENCH_CPU_PROF ? `--import=${pathToFileURL(join(root, "bench/cpu-profile.mjs")).href}` : "";
  const log = createWriteStream(join(logDir, "weft.log"));
  const app = spawn(process.execPath, ["scripts/run.mjs", "start"], {
    cwd: root,
    detached: true, // its own process group: the supervisor, next-server and the worker
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      DATABASE_URL: dbUrl,
      PORT: String(port),
      WEFT_BASE_URL: base,
      WEFT_WEBHOOK_RATE_LIMIT_PER_MIN: "1000000",
      WEFT_RATE_LIMIT_PER_MIN: "100000",
      WEFT_AUTH_RATE_LIMIT: "off",
      BETTER_AUTH_SECRET: "bench-secret-bench-secret-bench-secret",
      WEFT_SECRETS_KEY: Buffer.alloc(32).toString("base64"),
      LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
      ...(process.env.BENCH_CPU_PROF ? { BENCH_CPU_PROF: resolve(process.env.BENCH_CPU_PROF) } : {}),
      NODE_OPTIONS: [process.env.NODE_OPTIONS, profile].filter(Boolean).join(" "),
    },
  });
  app.stdout.pipe(log, { end: false });
  app.stderr.pipe(log, { end: false });
  const appExited = new Promise((res) => app.once("exit", res));
  const pgid = app.pid as number;
  const stopApp = async () => {
    try {
      process.kill(-pgid, "SIGTERM");
    } catch {
      return;
    }
    await Promise.race([appExited, sleep(20_000)]);
    while (processes(pgid).length > 0) await sleep(200); // next-server and the worker exit after the supervisor
  };
  const rows: string[] = [];
  const notes: string[] = [];
  try {
    for (let i = 0; !(await fetch(`${base}/health`).then((r) => r.ok, () => false)); i++) {
      if (app.exitCode !== null || i > 1200) throw new Error(`the app did not start; see ${logDir}/weft.log`);
      await sleep(250);
    }
    const { hookUrl, secret } = await setUp(base);
    const idle = rssByRole(processes(pgid));
    console.log(`[bench] idle RSS: ${describeRss(idle)}; app log ${logDir}/weft.log`);
    const count = async () => {
      const [r] = await monitor<{ total: number; open: number }[]>`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS open FROM runs`;
      return r;
    };
    /** Waits until every run is final and the count stops growing; resolves with the count and when it settled. */
    const settle = async () => {
      let prev = -1;
      for (let i = 0; i < 720; i++) {
        const c = await count();
        if (c.open === 0 && c.total === prev) return c.total;
        prev = c.total;
        await sleep(250);
      }
      throw new Error("runs did not settle in 180 s");
    };
    for (const scenario of SCENARIOS) {
      const url = scenario === "wait" ? `${hookUrl}?wait=10` : hookUrl;
      await autocannon(url, secret, ["-c", "10", "-d", String(WARMUP)]);
      await settle();
      await monitor`ANALYZE`;
      const serial = await autocannon(url, secret, ["-c", "1", "-d", String(SERIAL_S)]);
      const before = await settle();
      const [{ commits: commits0 }] = await monitor<{ commits: number }[]>`SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = 'weft'`;
      const [wal0] = await monitor<Wal[]>`SELECT wal_bytes::float8 AS bytes, wal_fpi::float8 AS fpi, wal_sync::float8 AS syncs FROM pg_stat_wal`;
      if (statements) await monitor`SELECT pg_stat_statements_reset()`;
      const cpu0 = processes(pgid, pg.postmasterPid());
      const peak: Partial<Record<Role, number>> = {};
      let peakTotal = 0;
      const sampler = setInterval(() => {
        const rss = rssByRole(processes(pgid));
        for (const role of ROLES) peak[role] = Math.max(peak[role] ?? 0, rss[role] ?? 0);
        peakTotal = Math.max(peakTotal, ROLES.reduce((s, role) => s + (rss[role] ?? 0), 0));
      }, 500);
      const t0 = performance.now();
      const loadStart = new Date();
      const r = await autocannon(url, secret, ["-c", String(CONNS), "-d", String(DURATION)]);
      const loadEnd = performance.now();
      const after = await settle();
      const settleS = (performance.now() - loadEnd) / 1000;
      clearInterval(sampler);
      const cpu = cpuMsByRole(cpu0, processes(pgid, pg.postmasterPid()));
      const [{ commits: commits1 }] = await monitor<{ commits: number }[]>`SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = 'weft'`;
      const [wal1] = await monitor<Wal[]>`SELECT wal_bytes::float8 AS bytes, wal_fpi::float8 AS fpi, wal_sync::float8 AS syncs FROM pg_stat_wal`;
      const stored = after - before;
      if (statements) notes.push(await postgresBreakdown(monitor, scenario, stored, loadStart));
      const storedPerS = stored / ((loadEnd - t0) / 1000 + settleS);
      let exact = "skipped";
      if (VERIFY_N > 0) {
        const v0 = await settle();
        const v = await autocannon(url, secret, ["-c", String(Math.min(VERIFY_N, CONNS)), "-a", String(VERIFY_N)]);
        const v1 = await settle();
        exact = v["2xx"] === VERIFY_N && v1 - v0 === VERIFY_N ? "OK" : `MISMATCH 2xx=${v["2xx"]} stored=${v1 - v0}`;
      }
      rows.push(
        [
          `weft-${scenario}`.padEnd(12),
          r.requests.average.toFixed(0).padStart(5),
          storedPerS.toFixed(0).padStart(8),
          String(r.latency.p50).padStart(6),
          String(r.latency.p99).padStart(6),
          String(r.latency.max).padStart(6),
          String(r["2xx"]).padStart(6),
          String(r.non2xx + r.errors + r.timeouts).padStart(5),
          String(stored).padStart(6),
          `${settleS.toFixed(1)}s`.padStart(6),
          `${serial.latency.p50}/${serial.latency.p99}`.padStart(8),
          ROLES.map((role) => (peak[role] ?? 0).toFixed(0)).join("/").padStart(12),
          peakTotal.toFixed(0).padStart(5),
          exact,
        ].join(" | "),
      );
      const perRun = (ms: number | undefined) => ((ms ?? 0) / stored).toFixed(2);
      notes.push(
        `weft-${scenario}: CPU ms per stored run: web ${perRun(cpu.web)}, worker ${perRun(cpu.worker)}, supervisor ${perRun(cpu.supervisor)}, ` +
          `postgres ${perRun(cpu.postgres)} (+ autovacuum ${perRun(cpu.autovacuum)}, WAL writer, checkpointer and other background ${perRun(cpu["pg-background"])}); commits per run ${((commits1 - commits0) / stored).toFixed(2)} (pg_stat_database, the monitor's own polls included); WAL per run ${((wal1.bytes - wal0.bytes) / stored / 1024).toFixed(1)} KB, ${((wal1.fpi - wal0.fpi) / stored).toFixed(2)} full-page images, ${((wal1.syncs - wal0.syncs) / stored).toFixed(2)} WAL flushes (pg_stat_wal)`,
      );
      notes.push(`weft-${scenario}: commits/run=${((commits1 - commits0) / stored).toFixed(3)} runs/s=${storedPerS.toFixed(1)}`);
    }
    await stopApp();
    const ceiling = await pgbenchCeiling(pg.bin, pg.port, CONNS);
    console.log(`\nweft ${gitHead()}, autocannon 9.0.0 -c ${CONNS} -d ${DURATION}, POST {"a":1} to the webhook endpoint, 1 worker; node ${process.version}, ${cpus().length} CPUs`);
    console.log(`started ${started.toISOString()}; load average (1/5/15 min) before ${loadBefore}, after ${load()}`);
    console.log(`idle RSS MB: ${describeRss(idle)}`);
    console.log("scenario     | req/s | stored/s | p50 ms | p99 ms | max ms |    2xx | errs |  runs+ | settle | c=1 p50/p99 | peak RSS MB sup/web/wkr | total | exact(" + VERIFY_N + ")");
    for (const row of rows) console.log(row);
    for (const note of notes.filter((n) => !n.includes("commits/run="))) console.log(note);
    console.log(`postgres ceiling: ${ceiling.toFixed(0)} single-row durable commits/s (pgbench -c ${CONNS} -j 2 -T 10, one INSERT per transaction, same server, app stopped)`);
    for (const note of notes.filter((n) => n.includes("commits/run="))) {
      const m = /^(weft-\w+): commits\/run=([0-9.]+) runs\/s=([0-9.]+)/.exec(note);
      if (!m) continue;
      const perRun = Number(m[2]);
      const possible = ceiling / perRun;
      console.log(`${m[1]}: ${Number(m[3]).toFixed(0)} runs/s of a ceiling of ${possible.toFixed(0)} (${ceiling.toFixed(0)} ÷ ${perRun.toFixed(2)} commits per run): ${((100 * Number(m[3])) / possible).toFixed(0)} %`);
    }
    console.log("(stored/s = runs stored by the load ÷ (load seconds + settle seconds); settle = until every run was final.)");
  } finally {
    await stopApp();
    await Promise.allSettled([monitor.end({ timeout: 2 }), admin.end({ timeout: 2 })]);
    await pg.destroy();
    await appExited;
    log.end();
  }
}

/** BENCH_PG_STATEMENTS=1: the statements Postgres spent the measured load on, per stored run (pg_stat_statements), what a run's rows weigh, and the phases of the load's runs. */
async function postgresBreakdown(sql: postgres.Sql, scenario: string, stored: number, loadStart: Date): Promise<string> {
  const rows = await sql<{ exec: number; plan: number; plans: number; calls: number; query: string }[]>`
    SELECT total_exec_time::float8 AS exec, total_plan_time::float8 AS plan, plans::float8 AS plans, calls::float8 AS calls,
      left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 110) AS query
    FROM pg_stat_statements WHERE toplevel AND query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time + total_plan_time DESC LIMIT 10`;
  const perRun = (value: number) => (value / stored).toFixed(3);
  const lines = rows.map(
    (r) =>
      `  ${perRun(r.exec + r.plan)} ms (planning ${perRun(r.plan)} ms, ${(r.plans / stored).toFixed(2)} plans), ${(r.calls / stored).toFixed(2)} calls per run: ${r.query}`,
  );
  // What each run's rows weigh (every update of a row writes all of it to the WAL again, bar TOASTed values).
  const [sizes] = await sql<{ runs: number; definition: number; workflowRuns: number; input: number; steps: number; logs: number }[]>`
    SELECT (SELECT avg(pg_column_size(r.*)) FROM runs r)::float8 AS runs, (SELECT avg(pg_column_size(definition)) FROM runs)::float8 AS definition,
      (SELECT avg(pg_column_size(w.*)) FROM openworkflow.workflow_runs w)::float8 AS "workflowRuns",
      (SELECT avg(pg_column_size(input)) FROM openworkflow.workflow_runs)::float8 AS input,
      (SELECT sum(pg_column_size(s.*)) FROM openworkflow.step_attempts s)::float8 / greatest(1, (SELECT count(*) FROM runs)) AS steps,
      (SELECT sum(pg_column_size(l.*)) FROM run_logs l)::float8 / greatest(1, (SELECT count(*) FROM runs)) AS logs`;
  const bytes = (n: number) => `${Math.round(n)} B`;
  const weights = `  row bytes per run: runs ${bytes(sizes.runs)} (definition ${bytes(sizes.definition)}), workflow_runs ${bytes(sizes.workflowRuns)} (input ${bytes(sizes.input)}), step_attempts ${bytes(sizes.steps)}, run_logs ${bytes(sizes.logs)}`;
  // The load's runs, from their own timestamps: when each was stored (the web's insert, seconds
  // into the load) and how long it was queued (→ claimed by the worker), executing (→ final, the
  // worker's last write) and in all (stored → final), in ms.
  const runs = await sql<{ at: number; queued: number; executing: number; total: number }[]>`
    SELECT extract(epoch FROM r.created_at - ${loadStart}::timestamptz)::float8 AS at,
      (extract(epoch FROM w.started_at - r.created_at) * 1000)::float8 AS queued,
      (extract(epoch FROM r.finished_at - w.started_at) * 1000)::float8 AS executing,
      (extract(epoch FROM r.finished_at - r.created_at) * 1000)::float8 AS total
    FROM runs r JOIN openworkflow.workflow_runs w ON w.input->>'runId' = r.id WHERE r.created_at >= ${loadStart} AND r.finished_at IS NOT NULL`;
  const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const sortedOf = (values: number[]) => [...values].sort((x, y) => x - y);
  const pct = (values: number[]) => [0.5, 0.9, 0.99].map((q) => quantile(sortedOf(values), q).toFixed(0)).join("/");
  const timing = `  run phases p50/p90/p99 ms: stored → claimed ${pct(runs.map((run) => run.queued))}, claimed → final ${pct(runs.map((run) => run.executing))}`;
  // Two views of the same runs: second by second (full seconds only), how steady the machine was
  // (a closed loop's latency follows its throughput); and where the slowest 2 % of runs were
  // stored, by quarter-second: bunched in a few (the whole pipeline stalled) or spread out (some
  // runs take a slow path).
  const bucketed = (width: number) => {
    const buckets = new Map<number, number[]>();
    for (const run of runs) {
      const key = Math.floor(run.at / width);
      const bucket = buckets.get(key);
      if (bucket) bucket.push(run.total);
      else buckets.set(key, [run.total]);
    }
    return buckets;
  };
  const seconds = [...bucketed(1)].filter(([second]) => second >= 1 && second < DURATION).map(([, totals]) => sortedOf(totals));
  const spread = (values: number[]) => {
    const sorted = sortedOf(values);
    return sorted.length > 0 ? [sorted[0], quantile(sorted, 0.5), sorted[sorted.length - 1]].map((v) => v.toFixed(0)).join("/") : "-";
  };
  const p98 = quantile(sortedOf(runs.map((run) => run.total)), 0.98);
  const slowByQuarter = [...bucketed(0.25).values()].map((totals) => totals.filter((total) => total >= p98).length);
  const bunched = slowByQuarter.filter((slow) => slow >= 5);
  const steadiness =
    `  per second of the load, min/median/max: runs stored ${spread(seconds.map((totals) => totals.length))}, stored → final p99 ${spread(seconds.map((totals) => quantile(totals, 0.99)))} ms; ` +
    `the slowest 2 % of runs (${slowByQuarter.reduce((sum, slow) => sum + slow, 0)}): ${bunched.reduce((sum, slow) => sum + slow, 0)} of them in ${bunched.length} quarter-seconds holding 5 or more`;
  return [`weft-${scenario}: statements by Postgres time (exec + plan) per stored run:`, ...lines, weights, timing, steadiness].join("\n");
}

function describeRss(rss: Partial<Record<Role, number>>): string {
  const total = ROLES.reduce((s, role) => s + (rss[role] ?? 0), 0);
  return `${ROLES.map((role) => `${role} ${(rss[role] ?? 0).toFixed(0)}`).join(", ")}; total ${total.toFixed(0)}`;
}

function gitHead(): string {
  try {
    return execSync("git log -1 --format=%h", { cwd: root }).toString().trim();
  } catch {
    return "?";
  }
}

async function freePortFrom(from: number): Promise<number> {
  for (let port = from; port < from + 100; port++) {
    const free = await new Promise<boolean>((res) => {
      const probe = createServer();
      probe.once("error", () => res(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => res(true)));
    });
    if (free) return port;
  }
  return freePort();
}

/** Single-row durable commits per second: pgbench, one INSERT per transaction, `clients` connections. */
async function pgbenchCeiling(bin: string, port: number, clients: number): Promise<number> {
  const sql = postgres(`postgres://postgres@127.0.0.1:${port}/weft`, { max: 1, onnotice: () => {} });
  await sql`CREATE TABLE IF NOT EXISTS bench_ceiling (id bigserial PRIMARY KEY, v int NOT NULL)`;
  await sql.end();
  const script = join(mkdtempSync(join(tmpdir(), "weft-pgbench-")), "insert.sql");
  writeFileSync(script, "INSERT INTO bench_ceiling (v) VALUES (1);\n");
  chmodSync(join(script, ".."), 0o755);
  chmodSync(script, 0o644);
  const out = await asPostgres(join(bin, "pgbench"), ["-n", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-c", String(clients), "-j", "2", "-T", "10", "-f", script, "weft"]).finally(
    () => rmSync(join(script, ".."), { recursive: true, force: true }),
  );
  const tps = /tps = ([0-9.]+) \(without initial connection time\)/.exec(out)?.[1];
  if (!tps) throw new Error(`pgbench printed no tps:\n${out}`);
  return Number(tps);
}

/** Signs up, makes an API key, the workflow and its webhook endpoint; returns the endpoint's URL and secret. */
async function setUp(base: string): Promise<{ hookUrl: string; secret: string }> {
  const call = async (path: string, init: { headers?: Record<string, string>; body?: unknown }) => {
    const res = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base, ...init.headers },
      body: JSON.stringify(init.body ?? {}),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
    return res;
  };
  const signUp = await call("/api/auth/sign-up/email", { body: { email: "bench@example.com", password: "correct-horse-battery", name: "Bench" } });
  const token = signUp.headers.get("set-auth-token");
  const key = ((await (await call("/api/keys", { headers: { authorization: `Bearer ${token}` }, body: { name: "bench" } })).json()) as { key: string }).key;
  const agent = { "x-api-key": key };
  const wf = ((await (await call("/api/workflows", { headers: agent, body: { name: "bench-webhook" } })).json()) as { id: string }).id;
  const patch = (await (
    await call(`/api/workflows/${wf}/operations`, {
      headers: agent,
      body: {
        atomic: true,
        ops: [
          { operation_type: "add", block_id: "hook", type: "trigger_webhook" },
          { operation_type: "add", block_id: "set", type: "transform", params: { value: { a: "{{hook.body.a}}", stage: "set" } } },
          { operation_type: "add", block_id: "set2", type: "transform", params: { value: { a: "{{set.value.a}}", stage: "{{set.value.stage}}", code: false, sum: 2 } } },
          { operation_type: "connect", block_id: "hook", target_block_id: "set" },
          { operation_type: "connect", block_id: "set", target_block_id: "set2" },
        ],
      },
    })
  ).json()) as { ok: boolean };
  if (!patch.ok) throw new Error(`the workflow patch failed: ${JSON.stringify(patch)}`);
  const hook = (await (await call(`/api/workflows/${wf}/webhooks`, { headers: agent, body: {} })).json()) as { url: string; secret: string };
  const hookUrl = hook.url.replace(/^https?:\/\/[^/]*/, base);
  const first = await (await fetch(`${hookUrl}?wait=10`, { method: "POST", headers: { authorization: `Bearer ${hook.secret}`, "content-type": "application/json" }, body: '{"a":1}' })).text();
  if (!first.includes('"sum":2')) throw new Error(`unexpected first answer: ${first}`);
  return { hookUrl, secret: hook.secret };
}
