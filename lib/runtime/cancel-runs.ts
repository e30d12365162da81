/**
 * Canceling runs, for the web process (`runtime.cancel`) and the workers (a run that fails with
 * child runs still going cancels them): openworkflow's run first (a parked run stops at once),
 * then Weft's row, which NOTIFYs the workers so a block in flight sees its AbortSignal fire.
 */
import type postgres from "postgres";
import type { OpenWorkflow } from "openworkflow";
import type { Logger } from "@/lib/log";
import { activeDescendants, markRunCanceled } from "@/lib/store/runs";

/** Rounds of canceling a run's descendants: each round cancels the runs found, whose own children cannot start after. */
const MAX_CANCEL_ROUNDS = 16;

/** Cancels one queued or running run of the organization; a finished one is left as it is. */
export async function cancelOneRun(
  ow: OpenWorkflow,
  sql: postgres.Sql,
  organizationId: string,
  run: { id: string; owRunId: string | null },
  log: Logger,
): Promise<void> {
  if (run.owRunId) {
    // Throws when openworkflow already finished it; our row then says how it ended.
    await ow.cancelWorkflowRun(run.owRunId).catch((error: unknown) => log.debug({ err: error, runId: run.id }, "openworkflow cancel"));
  }
  await markRunCanceled(sql, organizationId, run.id);
}

/**
 * Cancels every run the run started through call_workflow, recursively, that is still queued or
 * running, parents first. A canceled or finished run's block cannot start a child any more
 * (lib/store/child-runs.ts `insertChildRun`), so the rounds end.
 */
export async function cancelDescendants(ow: OpenWorkflow, sql: postgres.Sql, organizationId: string, runId: string, log: Logger): Promise<void> {
  for (let round = 0; round < MAX_CANCEL_ROUNDS; round++) {
    const active = await activeDescendants(sql, organizationId, runId);
    if (active.length === 0) return;
    for (const run of active) await cancelOneRun(ow, sql, organizationId, run, log);
  }
  log.warn({ runId }, "descendants still starting after canceling them repeatedly");
}
