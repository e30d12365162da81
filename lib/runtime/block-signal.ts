/**
 * Waking a run parked on one of its blocks: an event handed to a wait_for_event block
 * (runtime.ts `wake`), a child run that finished or was canceled (call_workflow's children wait).
 * openworkflow drops a signal while the run is not parked on the block yet (between registering
 * its wait and parking, or while it checks), so the sender re-sends for a while
 * (docs/openworkflow.md, "Step names, timers and signals"); the woken block always re-reads the
 * database, so the signal only says "look again".
 */
import type postgres from "postgres";
import type { OpenWorkflow } from "openworkflow";
import { blockSignal, RUN_STATUS_CHANNEL, RUNS_CHANNEL } from "@/lib/store/channels";

/** How long a sender keeps re-sending a wake-up signal while the run has not parked yet, and how often. */
export const SIGNAL_RETRY_MS = 5_000;
const SIGNAL_RETRY_INTERVAL_MS = 50;

/**
 * Signals block `blockId` of run `runId`, re-sending every 50 ms for up to `retryMs` while no wait
 * takes it; then NOTIFYs the workers (an idle one claims the woken run at once) and the run's
 * readers. A sender with an `idempotencyKey` is delivered once per key. Returns whether a wait
 * took it.
 */
export async function signalBlock(
  ow: OpenWorkflow,
  sql: postgres.Sql,
  target: { runId: string; blockId: string },
  options: { data: Record<string, string>; idempotencyKey: string | null; retryMs: number; stopped?: () => boolean },
): Promise<boolean> {
  const signal = { signal: blockSignal(target.runId, target.blockId), data: options.data, idempotencyKey: options.idempotencyKey ?? undefined };
  const deadline = Date.now() + options.retryMs;
  let delivered: boolean;
  for (;;) {
    delivered = (await ow.sendSignal(signal)).workflowRunIds.length > 0;
    if (delivered || Date.now() >= deadline || options.stopped?.()) break;
    await new Promise((res) => setTimeout(res, SIGNAL_RETRY_INTERVAL_MS));
  }
  await sql`SELECT pg_notify(${RUNS_CHANNEL}, ${target.runId}), pg_notify(${RUN_STATUS_CHANNEL}, ${target.runId})`;
  return delivered;
}
