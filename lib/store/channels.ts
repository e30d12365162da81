/**
 * Names shared by the web process and the workers: Postgres NOTIFY channels and openworkflow
 * signal strings. Every payload is a run id.
 */

/** A run was enqueued or woken: idle workers tick at once (prompt start). */
export const RUNS_CHANNEL = "weft_runs";
/**
 * A run's status changed (running, waiting, resumed, final, canceled). The payload is the run id,
 * or `<run id>:running` when the only change is a queued run starting (RUNNING_HINT): readers
 * that wait for an answer, a wait or the end need not read the run again for that one.
 */
export const RUN_STATUS_CHANNEL = "weft_run_status";

/** The hint a RUN_STATUS_CHANNEL payload carries after its run id when a queued run started and nothing else changed. */
export const RUNNING_HINT = "running";
/** A run was canceled: workers abort its in-flight blocks. */
export const RUN_CANCELED_CHANNEL = "weft_run_canceled";

/**
 * The signal a block's wait listens on. Per run and per block, so a signal never reaches another
 * run (openworkflow delivers one signal string to every waiter: a broadcast).
 */
export function blockSignal(runId: string, stepName: string): string {
  return `weft:${runId}:${stepName}`;
}
