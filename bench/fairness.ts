/**
 * Fairness benchmark (issue 12): what the per-organization cap costs in throughput. ONE worker
 * at WORKER_CONCURRENCY (default 10), run in this process against a fresh database, executes RUNS
 * runs of the runtime benchmark's 3-block workflow (trigger_manual → transform → log), enqueued
 * beforehand and alternating between two organizations, timed from the worker's start until all
 * are final (a poller every 10 ms, as in bench/runtime.ts). Two sides, same runs, same worker:
 * - "no cap": WEFT_ORG_MAX_RUNNING=0, so only the fair order applies;
 * - "cap": WEFT_ORG_MAX_RUNNING = concurrency ÷ 2, so each organization sits at its cap and the
 *   cap binds on every claim, yet the two together can fill every slot. What is lost here is the
 *   cost of enforcing it (claims held back, slots waiting for a run of the right organization).
 * And, for context, "cap, one org": the same cap with every run in one organization, so half the
 * slots stay empty by design: what the cap costs a tenant that is alone on the installation.
 * Rounds are mirrored (no cap, cap, cap one org, cap one org, cap, no cap) after a warm-up round
 * of each; each side's figure is its total runs over its total time. Also printed: claim
 * statements per run (the fair claim is one statement; the extra ones came back empty).
 */
import { randomBytes } from "node:crypto";
import pino from "pino";
import postgres from "postgres";
import { ConfigSchema } from "@/lib/config";
import { createRuntime, startWorker } from "@/lib/runtime";
import type { WorkflowDefinition } from "@/lib/engine/model";
import { benchServer, freshDatabase } from "./database";

const RUNS = 600;
const WARMUP_RUNS = 100;
const ORGS = ["org_bench_a", "org_bench_b"];
const ENQUEUE_CONCURRENCY = 10;
const POLL_MS = 10;

type Side = "no cap" | "cap" | "cap, one org";

const definition: WorkflowDefinition = {
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
  // The run queue does not look the workflow up: any id, version and definition will do.
  const workflow = { id: "wf_bench_fairness", version: 1, definition };
  try {
    const enqueue = async (runs: number, orgs: string[]): Promise<string[]> => {
      const ids: string[] = new Array(runs);
      let next = 0;
      await Promise.all(
        Array.from({ length: ENQUEUE_CONCURRENCY }, async () => {
          while (next < runs) {
            const i = next++;
            ids[i] = (await runtime.dispatch(orgs[i % orgs.length], workflow, { trigger: "api", input: { n: i } })).run.id;
          }
        }),
      );
      return ids;
    };

    /** One round: enqueue, then time a fresh worker from its start to the last final run. */
    const round = async (side: Side, runs: number): Promise<{ seconds: number; claims: number }> => {
      const ids = await enqueue(runs, side === "cap, one org" ? ORGS.slice(0, 1) : ORGS);
      let claims = 0;
      let counting = true;
      const started = performance.now();
      const worker = await startWorker({
        databaseUrl: db.url,
        secretsKey,
        logger,
        concurrency,
        orgMaxRunning: side === "no cap" ? 0 : cap,
        onQuery: (_pool, query) => void (counting && query.includes("claim_workflow_run") && claims++),
      });
      try {
        for (;;) {
          const [row] = await monitor<{ done: number; bad: number }[]>`
            SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS done, count(*) FILTER (WHERE status IN ('failed', 'canceled'))::int AS bad
            FROM runs WHERE id = ANY(${ids})`;
          if (row.bad > 0) throw new Error(`${side}: ${row.bad} runs did not succeed`);
          if (row.done === runs) break;
          if (performance.now() - started > 180_000) throw new Error(`${side}: only ${row.done}/${runs} runs finished in 180 s`);
          await sleep(POLL_MS);
        }
        counting = false;
        return { seconds: (performance.now() - started) / 1000, claims };
      } finally {
        await worker.stop();
      }
    };

    for (const side of ["no cap", "cap", "cap, one org"] as const) await round(side, WARMUP_RUNS);
    const totals = new Map<Side, { runs: number; seconds: number; claims: number; rates: number[] }>();
    for (const side of ["no cap", "cap", "cap, one org", "cap, one org", "cap", "no cap"] as const) {
      const r = await round(side, RUNS);
      const t = totals.get(side) ?? { runs: 0, seconds: 0, claims: 0, rates: [] };
      t.runs += RUNS;
      t.seconds += r.seconds;
      t.claims += r.claims;
      t.rates.push(RUNS / r.seconds);
      totals.set(side, t);
    }
    const get = (side: Side) => totals.get(side) as { runs: number; seconds: number; claims: number; rates: number[] };
    const rate = (side: Side) => get(side).runs / get(side).seconds;
    const rounds = (side: Side) => get(side).rates.map((r) => r.toFixed(0)).join("/");
    const claimsPerRun = (side: Side) => (get(side).claims / get(side).runs).toFixed(2);
    console.log(
      `fairness throughput (3 blocks, ${RUNS} runs over ${ORGS.length} organizations, one worker of ${concurrency}): ` +
        `no cap ${rate("no cap").toFixed(0)} runs/s; cap ${cap} per organization ${rate("cap").toFixed(0)} runs/s; ` +
        `ratio ${(rate("cap") / rate("no cap")).toFixed(2)} [rounds no cap ${rounds("no cap")}, cap ${rounds("cap")}; ` +
        `claims per run: no cap ${claimsPerRun("no cap")}, cap ${claimsPerRun("cap")}]`,
    );
    console.log(
      `the same cap with every run in one organization (${cap} of ${concurrency} slots usable): ${rate("cap, one org").toFixed(0)} runs/s, ` +
        `${(rate("cap, one org") / rate("no cap")).toFixed(2)} of no cap [rounds ${rounds("cap, one org")}; claims per run ${claimsPerRun("cap, one org")}]`,
    );
  } finally {
    await Promise.allSettled([runtime.close(), monitor.end({ timeout: 2 })]);
    await db.drop();
    await pg.stop();
  }
}
