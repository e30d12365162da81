/**
 * Run use-cases besides starting one (docs/runs.md): read and list runs, page through their logs,
 * cancel them, send them events, wait for one to finish. A run of another organization is
 * `not_found`; run ids are not capabilities.
 */
import type { RunLogEntry, RunResource, RunStatus, RunTrigger } from "@/lib/resources/run";
import type { Database } from "@/db/client";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { Runtime } from "@/lib/runtime/types";
import { getRunDefinition as getPinnedDefinition } from "@/lib/store/runs";
import { fail, invalidCursor, succeed, type Actor, type Outcome } from "@/lib/workflows/outcome";
import type { Page } from "@/lib/workflows/workflows";

/** What the run use-cases need: the runtime that reads, signals and cancels runs. */
export interface RunDeps {
  runtime: Runtime;
}

function runNotFound() {
  return { code: "not_found" as const, message: "No such run." };
}

/** The run, or `not_found`. */
export async function getRun(deps: RunDeps, actor: Actor, runId: string): Promise<Outcome<RunResource>> {
  const run = await deps.runtime.getRun(actor.organizationId, runId);
  return run ? succeed(run) : fail(runNotFound());
}

/** A page of the organization's runs, newest first, optionally of one workflow, status, trigger, starter (`triggeredBy`) and parent run. */
export async function listRuns(
  deps: RunDeps,
  actor: Actor,
  query: { workflowId?: string; status?: RunStatus; trigger?: RunTrigger; triggeredBy?: string; parentRunId?: string; limit: number; cursor?: string },
): Promise<Outcome<Page<RunResource>>> {
  const { cursor, ...filters } = query;
  const page = await deps.runtime.listRuns(actor.organizationId, { ...filters, after: cursor });
  return page === "invalid_cursor" ? fail(invalidCursor()) : succeed(page);
}

/** A page of a run's log, oldest first, after the `after` cursor. */
export async function listRunLogs(
  deps: RunDeps,
  actor: Actor,
  runId: string,
  query: { after?: string; limit: number },
): Promise<Outcome<Page<RunLogEntry>>> {
  const page = await deps.runtime.listLogs(actor.organizationId, runId, query);
  if (page === null) return fail(runNotFound());
  return page === "invalid_cursor" ? fail(invalidCursor()) : succeed(page);
}

/**
 * Cancels a queued, running or waiting run at once, with the runs it started (call_workflow,
 * recursively); a canceled run is returned as it is; a finished one → `run_finished`.
 */
export async function cancelRun(deps: RunDeps, actor: Actor, runId: string): Promise<Outcome<RunResource>> {
  const result = await deps.runtime.cancel(actor.organizationId, runId);
  if (result === null) return fail(runNotFound());
  if (result === "run_finished") {
    return fail({ code: "run_finished", message: "The run has already succeeded or failed; only queued, running or waiting runs can be canceled." });
  }
  return succeed(result);
}

/** Delivers an event to one run; stored until a matching wait of that run consumes it. */
export async function sendRunEvent(
  deps: RunDeps,
  actor: Actor,
  runId: string,
  event: { event: string; data?: unknown },
): Promise<Outcome<{ eventId: string; delivered: boolean }>> {
  const result = await deps.runtime.sendRunEvent(actor.organizationId, runId, event);
  return result ? succeed(result) : fail(runNotFound());
}

/** Delivers an event to every run of the organization waiting on (event, key); stored until one does. */
export async function sendOrgEvent(
  deps: RunDeps,
  actor: Actor,
  event: { event: string; key: string; data?: unknown },
): Promise<Outcome<{ eventId: string; deliveredTo: string[] }>> {
  return succeed(await deps.runtime.sendOrgEvent(actor.organizationId, event));
}

/** The definition the run pinned when it started (what it executes, whatever the workflow became since). */
export async function getRunDefinition(
  deps: { db: Database },
  actor: Actor,
  runId: string,
): Promise<Outcome<{ workflowId: string; workflowVersion: number; definition: WorkflowDefinition }>> {
  const found = await getPinnedDefinition(deps.db, actor.organizationId, runId);
  return found ? succeed(found) : fail(runNotFound());
}

/** The longest a door lets a caller wait for a run (a webhook's `?wait`, an MCP tool's `wait_seconds`): it holds a request open. */
export const MAX_RUN_WAIT_SECONDS = 30;

/**
 * Waits up to `timeoutMs` for the run to finish (with `untilWaiting`, also to park in a wait block
 * where only an event or time moves it on, not a call_workflow waiting for its children); the latest run (finished or not), or `not_found`.
 */
export async function waitForRun(
  deps: RunDeps,
  actor: Actor,
  runId: string,
  timeoutMs: number,
  options: { untilWaiting?: boolean } = {},
): Promise<Outcome<RunResource>> {
  const run = await deps.runtime.waitForRun(actor.organizationId, runId, timeoutMs, options);
  return run ? succeed(run) : fail(runNotFound());
}

/** Calls `listener` whenever the run's status may have changed (best effort: readers re-read); returns the unsubscribe. */
export function watchRun(deps: RunDeps, runId: string, listener: () => void): () => void {
  return deps.runtime.subscribe(runId, listener);
}
