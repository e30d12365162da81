/**
 * Names shared by the web process and the workers: Postgres NOTIFY channels and openworkflow
 * signal strings. Every payload starts with a run id.
 */

/** A run was enqueued or woken: idle workers tick at once (prompt start). */
export const RUNS_CHANNEL = "weft_runs";
/**
 * A run's status changed (running, waiting, resumed, final, canceled). The payload is the run id,
 * or `<run id>:running` when the only change is a queued run starting (RUNNING_HINT): readers
 * that wait for an answer, a wait or the end need not read the run again for that one; or
 * `<run id>:final:<json>` when a webhook-started run finished without a `respond_webhook` answer
 * (FINAL_HINT): the JSON is `{status, output, error}` as stored, all its waiting caller would read.
 */
export const RUN_STATUS_CHANNEL = "weft_run_status";

/** The hint a RUN_STATUS_CHANNEL payload carries after its run id when a queued run started and nothing else changed. */
export const RUNNING_HINT = "running";
/** The hint before the JSON of a webhook-started run's final state (`finalHint`). */
export const FINAL_HINT = "final";
/** The longest final state a notification carries (bytes of JSON); a longer one is read (NOTIFY payloads stop at 8000 bytes). */
export const MAX_FINAL_HINT_BYTES = 7000;

/** The final state a FINAL_HINT notification carries, or null when `hint` is not one (or not JSON of that shape). */
export function parseFinalHint(hint: string | undefined): { status: string; output: unknown; error: unknown } | null {
  if (hint === undefined || !hint.startsWith(`${FINAL_HINT}:`)) return null;
  let state: unknown;
  try {
    state = JSON.parse(hint.slice(FINAL_HINT.length + 1));
  } catch {
    return null;
  }
  if (typeof state !== "object" || state === null || typeof (state as { status?: unknown }).status !== "string") return null;
  const { status, output, error } = state as { status: string; output?: unknown; error?: unknown };
  return { status, output: output ?? null, error: error ?? null };
}

/** A run was canceled: workers abort its in-flight blocks. */
export const RUN_CANCELED_CHANNEL = "weft_run_canceled";

/**
 * The signal a block's wait listens on. Per run and per block, so a signal never reaches another
 * run (openworkflow delivers one signal string to every waiter: a broadcast).
 */
export function blockSignal(runId: string, stepName: string): string {
  return `weft:${runId}:${stepName}`;
}
