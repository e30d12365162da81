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
import { insertRun, newRunId } from "@/lib/store/runs";
import { weftRunEnqueue } from "./openworkflow";
import { findJsonProblem } from "@/lib/engine/json-limits";
import { RunInputRejectedError, RunNotStartedError, type Runtime } from "./types";

export type RunQueue = Pick<Runtime, "dispatch">;

/**
 * A queue on `sql`, a plain postgres.js pool (not drizzle's: the run store reads Dates from it)
 * opened for Weft's tables in `schema` (default public).
 */
export function createRunQueue(sql: postgres.Sql, logger: Logger, schema: string = DEFAULT_SCHEMA): RunQueue {
  const owSchema = openworkflowSchemaOf(schema);
  return {
    async dispatch(organizationId, workflow, { input, idempotencyKey, trigger, triggeredBy }) {
      // null is "no input", as absent is: trigger blocks read fields of it (docs/runs.md).
      let runInput: unknown = {};
      if (input !== undefined && input !== null) {
        // The doors check bodies already; this guards any other caller (code-defined webhooks).
        const problem = findJsonProblem(input);
        if (problem) throw new RunInputRejectedError(`input${problem.path.map((key) => `.${key}`).join("")}: ${problem.message}`);
        runInput = toJson(input);
      }
      const id = newRunId();
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
      }).catch((error: unknown) => {
        logger.error({ err: error, organizationId, workflowId: workflow.id }, "could not store and enqueue a run");
        if (isUnavailable(error)) throw new RunNotStartedError("The run could not be started; nothing was stored. Try again.");
        if (isBadData(error)) throw new RunInputRejectedError("The run input could not be stored; nothing was stored.");
        throw error;
      });
      const { owRunId: _owRunId, ...run } = stored.run;
      return { run, created: stored.created };
    },
  };
}

// Connection-level failures of postgres.js and Node's sockets: the database was not reached or went away.
const UNAVAILABLE_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Whether trying again later may succeed: the connection failed, or Postgres answered with a
 * SQLSTATE of availability — class 08 (connection exception), 53 (insufficient resources), 57P0x
 * (shutdown, cannot connect now), 57014 (statement timeout), 40001 / 40P01 (serialization
 * failure, deadlock).
 */
function isUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  if (UNAVAILABLE_CONNECTION_CODES.has(code)) return true;
  return /^(08|53)/.test(code) || /^57P0/.test(code) || code === "57014" || code === "40001" || code === "40P01";
}

/** SQLSTATE class 22 (data exception): the value itself was refused, so a retry cannot help. */
function isBadData(error: unknown): boolean {
  return /^22/.test(errorCode(error) ?? "");
}
