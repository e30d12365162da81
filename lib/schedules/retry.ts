/**
 * When the ticker retries a schedule whose dispatch failed (docs/runs.md, "Schedules"). The slot is kept (the row
 * stays due), but each failure in a row doubles the wait, so a dispatch that keeps failing (the
 * queue is down, the workflow's organization is over a limit) is not retried every second.
 */

/** The longest wait between two attempts: 5 minutes. */
export const MAX_DISPATCH_RETRY_DELAY_MS = 5 * 60_000;

/** The longest error message kept on a schedule; longer ones are cut. */
export const MAX_DISPATCH_ERROR_LENGTH = 500;

/**
 * How long after its `failures`-th failure in a row (1, 2, …) a schedule is retried: the first
 * retry is the next pass (0 ms: the loop runs about once a second), then 2 s, 4 s, 8 s …,
 * capped at 5 minutes.
 */
export function dispatchRetryDelayMs(failures: number): number {
  if (failures <= 1) return 0;
  // 2^(failures-1) s; the exponent is bounded so large counts cannot overflow to Infinity.
  return Math.min(1000 * 2 ** Math.min(failures - 1, 30), MAX_DISPATCH_RETRY_DELAY_MS);
}

/** The message stored for a failed dispatch: the error's message (or its text), trimmed and cut to length. */
export function dispatchErrorMessage(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.trim() || (error instanceof Error ? error.name : "dispatch failed");
  return message.length > MAX_DISPATCH_ERROR_LENGTH ? `${message.slice(0, MAX_DISPATCH_ERROR_LENGTH - 1)}…` : message;
}
