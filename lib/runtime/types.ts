/**
 * The runtime's public shapes (docs/runs.md): the run resource, its log entries, and the `Runtime`
 * the control plane calls. Kept apart from the implementation so routes import types only.
 */
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { RunLogEntry, RunResource, RunStatus, RunTrigger } from "@/lib/resources/run";
import type { Workflow } from "@/lib/resources/workflow";
import type { RunFence } from "@/lib/store/runs";

/**
 * A run could not be stored and enqueued (the database refused or was unreachable): nothing was
 * stored, so the caller may simply try again. The API answers 503 `run_not_started`.
 */
export class RunNotStartedError extends Error {
  override readonly name = "RunNotStartedError";
}

/**
 * The run input cannot be stored (nested deeper than MAX_JSON_DEPTH, a NUL or lone surrogate in
 * a string, or refused by Postgres as bad data): nothing was stored, and trying again cannot
 * help. The API answers 400 `invalid_body`.
 */
export class RunInputRejectedError extends Error {
  override readonly name = "RunInputRejectedError";
}

export { RunFenceError, type RunFence } from "@/lib/store/runs";

/** What the control plane (and the schedule ticker) use to start, read, signal and cancel runs. */
export interface Runtime {
  /** The schema of Weft's tables this runtime reads and writes. */
  readonly schema: string;
  /** Stores the run with the workflow's current definition pinned, enqueues it and wakes a worker,
   *  all or nothing (else throws RunNotStartedError when the database is unavailable, or
   *  RunInputRejectedError for an input it cannot store, or RunFenceError when `fence` does not hold). A null or absent input is `{}`. The same idempotency key for the same
   *  workflow within 24 h returns the existing run (`created: false`). */
  dispatch(
    organizationId: string,
    /** What a run pins: the workflow's id, version and definition. */
    workflow: Pick<Workflow, "id" | "version" | "definition">,
    /** `runId`: the id to give a new run (from `newRunId`), for a caller that watches it before it exists. */
    options: { input?: unknown; idempotencyKey?: string; trigger: RunTrigger; triggeredBy?: string; runId?: string; fence?: RunFence },
  ): Promise<{ run: RunResource; created: boolean }>;
  /** The run with its `children`, or null when it does not exist in this organization. */
  getRun(organizationId: string, runId: string): Promise<RunResource | null>;
  /** Newest first; `after` is a cursor from a previous page. */
  listRuns(
    organizationId: string,
    options: { workflowId?: string; status?: RunStatus; trigger?: RunTrigger; triggeredBy?: string; parentRunId?: string; limit: number; after?: string },
  ): Promise<{ data: RunResource[]; nextCursor: string | null } | "invalid_cursor">;
  /** Log entries in write order after the `after` cursor; null when the run is not found. */
  listLogs(
    organizationId: string,
    runId: string,
    options: { after?: string; limit: number },
  ): Promise<{ data: RunLogEntry[]; nextCursor: string | null } | "invalid_cursor" | null>;
  /**
   * Cancels a queued, running or waiting run at once, and every run it started with call_workflow
   * (recursively); a canceled run is returned as it is. A canceled child wakes its parent's block.
   */
  cancel(organizationId: string, runId: string): Promise<RunResource | "run_finished" | null>;
  /** Stores an event for one run; `delivered` when a wait of that run took it now. Null: no such run. */
  sendRunEvent(
    organizationId: string,
    runId: string,
    event: { event: string; data?: unknown },
  ): Promise<{ eventId: string; delivered: boolean } | null>;
  /** Stores an org-wide event; every run waiting on (event, key) gets it, else it waits for one. */
  sendOrgEvent(
    organizationId: string,
    event: { event: string; key: string; data?: unknown },
  ): Promise<{ eventId: string; deliveredTo: string[] }>;
  /**
   * Resolves when the run reaches a final status (or, with `untilWaiting`, parks in a wait block
   * that only an event or time moves on: status `waiting`, not on call_workflow's children) or timeoutMs passes (LISTEN/NOTIFY + poll); returns the latest resource.
   */
  waitForRun(organizationId: string, runId: string, timeoutMs: number, options?: { untilWaiting?: boolean }): Promise<RunResource | null>;
  /**
   * Calls `listener` when the run's status changes (queued → running, waiting, resumed, final,
   * canceled) through LISTEN/NOTIFY. Best effort, and log entries are not signalled one by one:
   * readers poll too. Returns the function that stops listening.
   */
  subscribe(runId: string, listener: (hint?: string) => void): () => void;
  close(): Promise<void>;
}

/** The openworkflow input of the generic `weft.run` workflow: everything a worker needs. */
export interface RunInput {
  runId: string;
  organizationId: string;
  definition: WorkflowDefinition;
  input: unknown;
  /** A child run (call_workflow): the run and block that wait for it, woken when it finishes. */
  parent?: { runId: string; blockId: string };
}
