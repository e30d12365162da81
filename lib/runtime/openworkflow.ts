/**
 * Everything Weft knows about openworkflow 0.10.1 (OPENWORKFLOW.md), in one place: the one
 * generic workflow spec, backends on our own pools, the single-flight tick, the eager re-tick,
 * and how to recognise its internal control-flow errors.
 */
import postgres from "postgres";
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
  activeExecutions: Set<unknown>;
}

/**
 * Makes `worker.tick()` single-flight (at most one running and one queued), so NOTIFY-driven
 * ticks never break the concurrency limit (OPENWORKFLOW §4), and turns it into a no-op once
 * `stopped()` is true, so nothing is claimed during shutdown.
 */
export function serializeTick(worker: Worker, stopped: () => boolean): void {
  // The worker's own loop calls `this.tick()`, so patching the instance covers it too.
  const internals = worker as unknown as WorkerInternals;
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
  const internals = worker as unknown as WorkerInternals;
  const executions = internals.activeExecutions;
  if (!(executions instanceof Set)) throw new Error("openworkflow internals changed: Worker.activeExecutions is not a Set");
  const remove = executions.delete.bind(executions);
  executions.delete = (execution: unknown): boolean => {
    const removed = remove(execution);
    worker.tick().catch(onError);
    return removed;
  };
}
