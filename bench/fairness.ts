/**
 * Fairness benchmark (issue 12): what the per-organization cap costs in throughput. ONE worker
 * at WORKER_CONCURRENCY (default 10), run in this process against a fresh database, executes RUNS
 * runs enqueued beforehand, alternating between two organizations, timed from the worker's start
 * until all are final (a poller every 10 ms, which also samples how many runs of each
 * organization are leased). Three sides, same runs, same worker:
 * - "no cap": WEFT_ORG_MAX_RUNNING=0, so only the fair order applies;
 * - "cap": WEFT_ORG_MAX_RUNNING = concurrency ÷ 2, so the two organizations' caps add up to the
 *   worker's slots: when the cap binds, it is enforced on every claim, yet the slots can all be
 *   used. What is lost against "no cap" is the cost of enforcing it;
 * - "cap, one org": the same cap with every run in one organization, so half the slots stay
 *   empty by design: what the cap costs a tenant that is alone on the installation.
 * Two workloads of three blocks: "slot-bound" (trigger → http_request to a local server that
 * answers after SLOW_MS → log), where the slots are the bottleneck and the cap binds; and
 * "CPU-bound" (trigger → transform → log, as `npm run bench -- runtime`), where this 2-core
 * machine saturates before the slots fill. Rounds are mirrored (no cap, cap, cap one org, cap one
 * org, cap, no cap) after a warm-up round of each; each side's figure is its total runs over its
 * total time. Also printed: the mean number of leased runs, and claim statements per run (the
 * fair claim is one statement; the extra ones came back empty).
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import postgres from "postgres";
import { ConfigSchema } from "@/lib/config";
import { createRuntime, startWorker } from "@/lib/runtime";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { benchServer, freshDatabase } from "./database";
import { pool } from "./runtime";

const RUNS = 600;
const WARMUP_RUNS = 100;
const SLOW_MS = 100;
const ORGS = ["org_bench_a", "org_bench_b"];
const ENQUEUE_CONCURRENCY = 10;
const POLL_MS = 10;

type Side = "no cap" | "cap" | "cap, one org";
const SIDES: Side[] = ["no cap", "cap", "cap, one org"];

const threeBlocks = (middle: WorkflowDefinition["blocks"][number]): WorkflowDefinition => ({
  blocks: [{ id: "trg", type: "trigger_manual", params: {} }, middle, { id: "note", type: "log", params: { message: "run {{trg.n}}" } }],
  edges: [
    { source: "trg", target: middle.id },
    { source: middle.id, target: "note" },
  ],
});

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));

/** Runs the fairness benchmark and prints its figures. */
export async function benchFairness(): Promise<void> {
  const concurrency = ConfigSchema.shape.WORKER_CONCURRENCY.parse(process.env.WORKER_CONCURRENCY);
  const cap = Math.max(1, Math.floor(concurrency / ORGS.length));
  const pg = await benchServer();
  const db = await freshDatabase(pg.url);
  const logger = pino({ level: process.env.LOG_LEVEL ?? "error" });
  const secretsKey = randomBytes(32);
  const runtime = await createRuntime({ databaseUrl: db.url, logger });
  const monitor = postgres(db.url, { max: 1, onnotice: () => {} });
  // The slow upstream of the slot-bound workload, on loopback only.
  const upstream = createServer((_req, res) => void setTimeout(() => res.end("{}"), SLOW_MS));
  await new Promise<void>((res) => upstream.listen(0, "127.0.0.1", res));
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
  const workloads = {
    "slot-bound": threeBlocks({ id: "call", type: "http_request", params: { method: "GET", url } }),
    "CPU-bound": threeBlocks({ id: "shape", type: "transform", params: { value: { n: "{{trg.n}}", tag: "bench" } } }),
  };
  try {
    for (const [workload, definition] of Object.entries(workloads)) {
      // The run queue does not look the workflow up: any id, version and definition will do.
      const workflow = { id: `wf_bench_${workload}`, version: 1, definition };
      const enqueue = (runs: number, orgs: string[]): Promise<string[]> =>
        pool(runs, ENQUEUE_CONCURRENCY, async (i) => (await runtime.dispatch(orgs[i % orgs.length], workflow, { trigger: "api", input: { n: i } })).run.id);

      /** One round: enqueue, then time a fresh worker from its start to the last final run. */
      const round = async (side: Side, runs: number) => {
        const ids = await enqueue(runs, side === "cap, one org" ? ORGS.slice(0, 1) : ORGS);
        let claims = 0;
        let counting = true;
        const leased: number[] = [];
        const started = performance.now();
        const worker = await startWorker({
          databaseUrl: db.url,
          secretsKey,
          logger,
          concurrency,
          allowPrivateHttp: true,
          orgMaxRunning: side === "no cap" ? 0 : cap,
          onQuery: (_pool, query) => void (counting && query.includes("claim_workflow_run") && claims++),
        });
        try {
          for (;;) {
            const [row] = await monitor<{ done: number; bad: number; leased: number }[]>`
              SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS done, count(*) FILTER (WHERE status IN ('failed', 'canceled'))::int AS bad,
                (SELECT count(*)::int FROM openworkflow.workflow_runs WHERE status = 'running' AND worker_id IS NOT NULL) AS leased
              FROM runs WHERE id = ANY(${ids})`;
            if (row.bad > 0) throw new Error(`${workload}, ${side}: ${row.bad} runs did not succeed`);
            if (row.done === runs) break;
            leased.push(row.leased);
            if (performance.now() - started > 180_000) throw new Error(`${workload}, ${side}: only ${row.done}/${runs} runs finished in 180 s`);
            await sleep(POLL_MS);
          }
          counting = false;
          return { seconds: (performance.now() - started) / 1000, claims, leased: leased.reduce((a, b) => a + b, 0) / Math.max(1, leased.length) };
        } finally {
          await worker.stop();
        }
      };

      for (const side of SIDES) await round(side, WARMUP_RUNS);
      const totals = new Map<Side, { runs: number; seconds: number; claims: number; leased: number[]; rates: number[] }>();
      for (const side of [...SIDES, ...[...SIDES].reverse()]) {
        const r = await round(side, RUNS);
        const t = totals.get(side) ?? { runs: 0, seconds: 0, claims: 0, leased: [], rates: [] };
        t.runs += RUNS;
        t.seconds += r.seconds;
        t.claims += r.claims;
        t.leased.push(r.leased);
        t.rates.push(RUNS / r.seconds);
        totals.set(side, t);
      }
      const get = (side: Side) => totals.get(side) as { runs: number; seconds: number; claims: number; leased: number[]; rates: number[] };
      const rate = (side: Side) => get(side).runs / get(side).seconds;
      const detail = (side: Side) =>
        `rounds ${get(side).rates.map((r) => r.toFixed(0)).join("/")}, ` +
        `${(get(side).leased.reduce((a, b) => a + b, 0) / get(side).leased.length).toFixed(1)} leased on average, ` +
        `${(get(side).claims / get(side).runs).toFixed(2)} claims per run`;
      console.log(
        `fairness, ${workload} (${workload === "slot-bound" ? `http_request answered after ${SLOW_MS} ms` : "transform"}; ${RUNS} runs, one worker of ${concurrency}): ` +
          `no cap ${rate("no cap").toFixed(0)} runs/s; cap ${cap} per organization over ${ORGS.length} organizations ${rate("cap").toFixed(0)} runs/s, ` +
          `ratio ${(rate("cap") / rate("no cap")).toFixed(2)}; the same cap with one organization ${rate("cap, one org").toFixed(0)} runs/s, ` +
          `${(rate("cap, one org") / rate("no cap")).toFixed(2)} of no cap ` +
          `[no cap: ${detail("no cap")}; cap: ${detail("cap")}; one org: ${detail("cap, one org")}]`,
      );
    }
  } finally {
    await new Promise((res) => upstream.close(res));
    await Promise.allSettled([runtime.close(), monitor.end({ timeout: 2 })]);
    await db.drop();
    await pg.stop();
  }
}
