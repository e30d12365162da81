/**
 * `startRun` (docs/runs.md, "Starting a run"): the one way a run starts, whoever asks — the API
 * (`POST /api/workflows/:id/run`), an inbound webhook, the schedule ticker, the MCP server's
 * `run_workflow`, and later the CLI. It loads the workflow (or takes the one the caller already holds), refuses
 * an invalid definition, pins the current definition into the run, and dispatches it.
 */
import type { Database } from "@/db/client";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import { validateDefinition } from "@/lib/engine/validate";
import type { RunResource, RunTrigger } from "@/lib/resources/run";
import type { Workflow } from "@/lib/resources/workflow";
import { RunInputRejectedError, RunNotStartedError, type RunFence, type Runtime } from "@/lib/runtime/types";
import { getWorkflow } from "@/lib/store/workflows";
import { workflowDirectoryOf } from "@/lib/workflows/directory";
import { fail, succeed, workflowNotFound, type Actor, type Outcome } from "@/lib/workflows/outcome";

/** What starting a run needs: the workflows, the registry to validate against, and the run queue. */
export interface StartRunDeps {
  db: Database;
  registry: ConnectorRegistry;
  runtime: Pick<Runtime, "dispatch">;
}

/** The workflow a run pins: its id, version and definition. */
export type PinnedWorkflow = Pick<Workflow, "id" | "version" | "definition">;

export interface StartRunInput {
  /** The workflow's id, or the workflow itself when the caller has just read it (a webhook endpoint, a due schedule). */
  workflow: string | PinnedWorkflow;
  input?: unknown;
  /** The same key for the same workflow within 24 h returns the existing run (`created: false`). */
  idempotencyKey?: string;
  trigger: RunTrigger;
  /** The id to give a new run (from `newRunId`), for a caller that watches the run before it exists (a webhook's `?wait`). */
  runId?: string;
  /** Checked by the run's INSERT (a webhook endpoint served from a cache is unchanged): else RunFenceError is thrown, nothing stored. */
  fence?: RunFence;
}

/**
 * Starts a run of the workflow's current definition. Fails with `not_found` (no such workflow in
 * the actor's organization), `workflow_invalid` (with the validation errors; nothing is stored),
 * `run_not_started` (the database was unavailable; nothing is stored, so trying again is safe), or
 * `invalid_body` (the input cannot be stored: too deep, a NUL or lone surrogate; nothing is stored).
 */
export async function startRun(
  deps: StartRunDeps,
  actor: Actor,
  request: StartRunInput,
): Promise<Outcome<{ run: RunResource; created: boolean }>> {
  const workflow = typeof request.workflow === "string" ? await getWorkflow(deps.db, actor.organizationId, request.workflow) : request.workflow;
  if (!workflow) return fail(workflowNotFound());
  const workflows = await workflowDirectoryOf(deps, actor.organizationId, workflow.definition);
  const errors = validateDefinition(workflow.definition, deps.registry, { workflows });
  if (errors.length > 0) {
    return fail({
      code: "workflow_invalid",
      message: `The workflow has ${errors.length} validation error(s); fix them before running it.`,
      validation_errors: errors,
    });
  }
  try {
    return succeed(
      await deps.runtime.dispatch(actor.organizationId, workflow, {
        input: request.input,
        idempotencyKey: request.idempotencyKey,
        trigger: request.trigger,
        triggeredBy: actor.id,
        runId: request.runId,
        fence: request.fence,
      }),
    );
  } catch (error) {
    if (error instanceof RunNotStartedError) return fail({ code: "run_not_started", message: error.message });
    if (error instanceof RunInputRejectedError) return fail({ code: "invalid_body", message: error.message });
    throw error;
  }
}
