/**
 * The one path every change of a workflow's definition takes (DESIGN §3): the patch endpoint,
 * `PUT …/definition` and `POST …/restore` all build EditOps against the stored definition, run
 * them through `applyEditOps`, and save with an expected-version UPDATE.
 *
 * Concurrency: with `If-Match`, the caller's version must still be current when we save, else
 * 412. Without it, no writer loses an update: a save that lost the race re-reads the workflow and
 * re-applies its ops to the newer definition, a bounded number of times (then 409 `conflict`).
 * Each loss means another writer's save succeeded, so with N racing writers nobody needs more
 * than N attempts.
 */
import type { ApiDeps, Principal } from "./context";
import { ApiError } from "./errors";
import { applyEditOps, type ApplyEditOpsResult } from "@/lib/engine/apply-edit-ops";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { DroppedKeys, EditActor, SkippedItem, ValidationError } from "@/lib/engine/ops";
import { getWorkflow, saveWorkflowVersion, type Workflow } from "@/lib/store/workflows";

/** Attempts of a save without If-Match before 409 `conflict`. */
export const MAX_SAVE_ATTEMPTS = 25;

/** The patch endpoint's response (DESIGN §3), shared by operations, PUT definition and restore. */
export interface PatchResponse {
  ok: boolean;
  saved: boolean;
  version: number;
  workflow: Workflow;
  validation_errors: ValidationError[];
  skipped_items: SkippedItem[];
  dropped_keys: DroppedKeys[];
  summary: string;
}

export interface EditRequest {
  /** The ops to apply, built from the definition they will apply to (re-built on every retry). */
  ops: (current: WorkflowDefinition) => readonly unknown[];
  ifMatch?: number;
  dryRun?: boolean;
  atomic?: boolean;
  /** History source: "edit" (default) or "restore:<n>". */
  source?: string;
}

/** Who is editing, for param visibility: API keys are agents and may not set `user` params. */
export function editActor(principal: Principal): EditActor {
  return principal.authMode === "api_key" ? "api_key" : "user";
}

function notFound(): ApiError {
  return new ApiError(404, "not_found", "No such workflow.");
}

function versionMismatch(current: number): ApiError {
  return new ApiError(412, "version_mismatch", `If-Match names a stale version; the workflow is at version ${current}.`, { current });
}

function respond(workflow: Workflow, result: ApplyEditOpsResult, saved: boolean): PatchResponse {
  return {
    ok: result.ok,
    saved,
    version: workflow.version,
    workflow,
    validation_errors: result.validationErrors,
    skipped_items: result.skipped,
    dropped_keys: result.droppedKeys,
    summary: result.summary,
  };
}

/** A short pause with jitter, so writers that keep colliding spread out. */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(50, 2 * attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Applies an edit to workflow `id` of the principal's organization and saves it when it changed
 * (and is neither a dry run nor an atomic batch with skips). Throws ApiError 404 / 412 / 409.
 */
export async function editWorkflow(deps: ApiDeps, principal: Principal, id: string, request: EditRequest): Promise<PatchResponse> {
  const { organizationId } = principal;
  for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
    const current = await getWorkflow(deps.db, organizationId, id);
    if (!current) throw notFound();
    if (request.ifMatch !== undefined && request.ifMatch !== current.version) throw versionMismatch(current.version);

    const result = applyEditOps(current.definition, request.ops(current.definition), deps.registry, {
      actor: editActor(principal),
      dryRun: request.dryRun,
      atomic: request.atomic,
      currentVersion: current.version,
    });
    if (!result.commit) {
      // A dry run shows what would have been saved; an atomic batch with skips and a no-op show the stored workflow.
      const shown = request.dryRun && result.changed ? { ...current, definition: result.definition } : current;
      return respond(shown, result, false);
    }

    const saved = await saveWorkflowVersion(deps.db, organizationId, id, {
      expectedVersion: current.version,
      definition: result.definition,
      ops: result.applied,
      actor: principal.id,
      source: request.source,
    });
    if (saved.ok) return respond(saved.workflow, result, true);
    if (saved.reason === "not_found") throw notFound();
    if (request.ifMatch !== undefined) throw versionMismatch(saved.current);
    await backoff(attempt);
  }
  throw new ApiError(409, "conflict", "The workflow kept changing under this edit; send it again.");
}
