/**
 * Everything Weft knows about openworkflow 0.10.1 (OPENWORKFLOW.md), in one place: the one
 * generic workflow spec, backends on our own pools, the single-flight tick, the eager re-tick,
 * and how to recognise its internal control-flow errors.
 */
import postgres from "postgres";
import { randomUUID } from "node:crypto";
import { defineWorkflowSpec, type Worker } from "openworkflow";
import { BackendPostgres } from "openworkflow/postgres";
import { OPENWORKFLOW_SCHEMA } from "@/db/client";
import type { RunInput } from "./types";

/** What the workflow fn returns to openworkflow (the real result lives in `runs`). */
export interface RunOutcome {
  status: "succeeded" | "failed";
}

/**
 * The one workflow that executes every definition. Errors thrown outside a step (a database
 * outage mid-pass) are retried without limit, backing off to 5 minutes: the run is replayed and
 * its completed blocks are not executed again. `attempts` counts every claim, wake-ups included,
 * so a finite limit could be used up by a long wait (OPENWORKFLOW §6).
 */
export const weftRunSpec = defineWorkflowSpec<RunInput, RunOutcome>({
  name: "weft.run",
  retryPolicy: { maximumAttempts: 0, initialInterval: "1s", backoffCoefficient: 2, maximumInterval: "5m" },
});

/** openworkflow's DEFAULT_NAMESPACE_ID: our backends use the default namespace. */
const NAMESPACE_ID = "default";

/**
 * Enqueues a `weft.run` run as part of another statement: the INSERT that `ow.runWorkflow(weftRunSpec,
 * input)` sends (openworkflow 0.10.1's `insertWorkflowRun`: pending, no version, no idempotency
 * key, no deadline, available now), as a data-modifying CTE body that inserts once per row of
 * `source`. The run store stores our run row and this one in a single statement
 * (lib/store/runs.ts `insertRun`): one round trip instead of three, and never one row without the
 * other. Trace context is not captured (Weft configures no OpenTelemetry).
 */
export function weftRunEnqueue(input: RunInput): {
  owRunId: string;
  insert: (q: postgres.Sql, source: string) => postgres.PendingQuery<postgres.Row[]>;
} {
  const owRunId = randomUUID();
  return {
    owRunId,
    insert: (q, source) => q`
      INSERT INTO ${q(`${OPENWORKFLOW_SCHEMA}.workflow_runs`)} (
        "namespace_id", "id", "workflow_name", "version", "status", "idempotency_key", "config", "context", "input",
        "attempts", "parent_step_attempt_namespace_id", "parent_step_attempt_id", "available_at", "deadline_at",
        "created_at", "updated_at"
      )
      SELECT ${NAMESPACE_ID}, ${owRunId}, ${weftRunSpec.name}, NULL, 'pending', NULL, ${q.json({})}, NULL,
        ${q.json(input as unknown as postgres.JSONValue)}, 0, NULL, NULL, NOW(), NULL, date_trunc('milliseconds', NOW()), NOW()
      FROM ${q(source)}
      RETURNING "id"`,
  };
}

/**
 * Retries of a block step whose own machinery failed (the run_logs write, a secrets read):
 * not the block's `retry`, which never throws. Exhaustion fails the whole run (OPENWORKFLOW §6).
 */
export const STEP_INFRA_RETRY = { maximumAttempts: 4, initialInterval: "500ms", backoffCoefficient: 2, maximumInterval: "5s" } as const;

/**
 * An openworkflow backend on a pool of `max` connections (openworkflow needs camelCase columns: gotcha 7.3).
 * `debug` (benchmarks) is postgres.js's: called with every statement the pool sends.
 */
export function openWorkflowBackend(url: string, max: number, debug?: (connection: number, query: string) => void): BackendPostgres {
  const pool = postgres(url, { max, onnotice: () => {}, transform: { column: { from: postgres.toCamel } }, ...(debug ? { debug } : {}) });
  // fromPool is typed for openworkflow's own postgres import; it is the same postgres.js version (3.4.9).
  return BackendPostgres.fromPool(pool as unknown as Parameters<typeof BackendPostgres.fromPool>[0], { schema: OPENWORKFLOW_SCHEMA });
}

/** Openworkflow's internal "park this run" and "this branch is stale" errors: never swallow them (gotcha 7.2). */
export function isParkError(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === "SleepSignalError" || name === "StaleExecutionBranchError";
}

export function isStaleBranchError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "StaleExecutionBranchError";
}

/** When the run parks, and on which attempt: present on SleepSignalError. */
export function parkResumeAt(error: unknown): number {
  const resumeAt = (error as { resumeAt?: unknown } | null)?.resumeAt;
  return resumeAt instanceof Date ? resumeAt.getTime() : Number.POSITIVE_INFINITY;
}

/** A failed step, as openworkflow reports it to the workflow fn: exhausted when no retry is left. */
export function stepErrorInfo(error: unknown): { exhausted: boolean; message: string } | null {
  const e = error as { name?: unknown; stepFailedAttempts?: unknown; retryPolicy?: { maximumAttempts?: unknown }; message?: unknown } | null;
  if (e?.name !== "StepError") return null;
  const failed = typeof e.stepFailedAttempts === "number" ? e.stepFailedAttempts : 0;
  const max = typeof e.retryPolicy?.maximumAttempts === "number" ? e.retryPolicy.maximumAttempts : 1;
  return { exhausted: max > 0 && failed >= max, message: typeof e.message === "string" ? e.message : "step failed" };
}

export function isStepLimitError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === "StepLimitExceededError";
}

interface WorkerInternals {
  tick: () => Promise<number>;
  activeExecutions: Set<{ workerId: string }>;
  workerIds: string[];
  claimAndProcessWorkflowRunInBackground: (workerId: string) => Promise<unknown>;
}

/** The private parts of openworkflow 0.10.1's Worker that the functions below use; throws if they changed. */
function internalsOf(worker: Worker): WorkerInternals {
  const internals = worker as unknown as WorkerInternals;
  if (
    !(internals.activeExecutions instanceof Set) ||
    !Array.isArray(internals.workerIds) ||
    typeof internals.claimAndProcessWorkflowRunInBackground !== "function"
  ) {
    throw new Error("openworkflow internals changed: Worker.activeExecutions, workerIds or claimAndProcessWorkflowRunInBackground is missing");
  }
  return internals;
}

/**
 * Claims one run at a time until a claim comes back empty or every slot is busy, instead of the
 * stock tick's one claim per free slot at once. A tick woken for one new run then costs one
 * useful claim and one empty one, not `concurrency` claims of which all but one are empty: the
 * claim is the costliest statement openworkflow sends (a CTE UPDATE … FOR UPDATE SKIP LOCKED),
 * and with a NOTIFY per run the empty ones were most of the database's work under load.
 * Apply before `serializeTick`, which wraps whatever `tick` is then.
 */
export function claimUntilEmpty(worker: Worker): void {
  const internals = internalsOf(worker);
  internals.tick = async (): Promise<number> => {
    let claimed = 0;
    for (;;) {
      if (internals.activeExecutions.size >= internals.workerIds.length) return claimed;
      const busy = new Set(Array.from(internals.activeExecutions, (execution) => execution.workerId));
      const workerId = internals.workerIds.find((id) => !busy.has(id));
      if (workerId === undefined) return claimed;
      // Adds the execution to activeExecutions before it resolves, so the next pass sees the slot taken.
      const run = await internals.claimAndProcessWorkflowRunInBackground(workerId);
      if (!run) return claimed;
      claimed += 1;
    }
  };
}

/**
 * Makes `worker.tick()` single-flight (at most one running and one queued), so NOTIFY-driven
 * ticks never break the concurrency limit (OPENWORKFLOW §4), and turns it into a no-op once
 * `stopped()` is true, so nothing is claimed during shutdown.
 */
export function serializeTick(worker: Worker, stopped: () => boolean): void {
  // The worker's own loop calls `this.tick()`, so patching the instance covers it too.
  const internals = internalsOf(worker);
  const original = internals.tick.bind(worker);
  let chain: Promise<unknown> = Promise.resolve();
  let queued: Promise<number> | null = null;
  internals.tick = (): Promise<number> => {
    if (stopped()) return Promise.resolve(0);
    if (queued) return queued;
    const next = chain.then(() => {
      queued = null;
      return stopped() ? 0 : original();
    });
    queued = next;
    chain = next.catch(() => 0);
    return next;
  };
}

/**
 * Ticks as soon as an execution ends, instead of after the stock loop's ~75 ms idle backoff
 * (OPENWORKFLOW §3b). Reaches into a private field: openworkflow is pinned to 0.10.1.
 */
export function tickWhenSlotFrees(worker: Worker, onError: (error: unknown) => void): void {
  const executions = internalsOf(worker).activeExecutions;
  const remove = executions.delete.bind(executions);
  executions.delete = (execution: { workerId: string }): boolean => {
    const removed = remove(execution);
    worker.tick().catch(onError);
    return removed;
  };
}
