/**
 * The run queue: stores a run with its definition pinned and enqueues it for the workers, in one
 * statement (docs/openworkflow.md, "Enqueue"). It needs nothing but a postgres.js pool, so a
 * process that only starts runs (a worker's schedule ticker) does not open a whole runtime.
 */
import type postgres from "postgres";
import { DEFAULT_SCHEMA, openworkflowSchemaOf } from "@/db/client";
import { toJson } from "@/lib/engine/json";
import type { Logger } from "@/lib/log";
import { RUNS_CHANNEL } from "@/lib/store/channels";
import { isBadData, isDatabaseUnavailable } from "@/lib/store/availability";
import { insertRun, newRunId } from "@/lib/store/runs";
import { weftRunEnqueue } from "./openworkflow";
import { findJsonProblem } from "@/lib/engine/json-limits";
import { RunFenceError, RunInputRejectedError, RunNotStartedError, type Runtime } from "./types";

export type RunQueue = Pick<Runtime, "dispatch">;

/**
 * A queue on `sql`, a plain postgres.js pool (not drizzle's: the run store reads Dates from it)
 * opened for Weft's tables in `schema` (default public).
 */
export function createRunQueue(sql: postgres.Sql, logger: Logger, schema: string = DEFAULT_SCHEMA): RunQueue {
  const owSchema = openworkflowSchemaOf(schema);
  return {
    async dispatch(organizationId, workflow, { input, idempotencyKey, trigger, triggeredBy, runId, fence }) {
      // null is "no input", as absent is: trigger blocks read fields of it (docs/runs.md).
      let runInput: unknown = {};
      if (input !== undefined && input !== null) {
        // The doors check bodies already; this guards any other caller (code-defined webhooks).
        const problem = findJsonProblem(input);
        if (problem) throw new RunInputRejectedError(`input${problem.path.map((key) => `.${key}`).join("")}: ${problem.message}`);
        runInput = toJson(input);
      }
      const id = runId ?? newRunId();
      const stored = await insertRun(sql, {
        id,
        organizationId,
        workflowId: workflow.id,
        workflowVersion: workflow.version,
        definition: workflow.definition,
        trigger,
        triggeredBy,
        input: runInput,
        idempotencyKey,
        queue: weftRunEnqueue({ runId: id, organizationId, definition: workflow.definition, input: runInput }, owSchema),
        notify: RUNS_CHANNEL,
        fence,
      }).catch((error: unknown) => {
        if (error instanceof RunFenceError) throw error;
        logger.error({ err: error, organizationId, workflowId: workflow.id }, "could not store and enqueue a run");
        if (isDatabaseUnavailable(error)) throw new RunNotStartedError("The run could not be started; nothing was stored. Try again.");
        if (isBadData(error)) throw new RunInputRejectedError("The run input could not be stored; nothing was stored.");
        throw error;
      });
      const { owRunId: _owRunId, ...run } = stored.run;
      return { run, created: stored.created };
    },
  };
}
