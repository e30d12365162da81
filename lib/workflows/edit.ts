/**
 * The one path every change of a workflow's definition takes (docs/patch-endpoint.md): the patch
 * endpoint, `PUT …/definition` and restore all build EditOps against the stored definition, run
 * them through the engine's `applyEditOps`, and save with an expected-version write.
 *
 * Concurrency: with `ifMatch`, the caller's version must still be current when we save, else
 * `version_mismatch`. Without it, no writer loses an update: a save that lost the race re-reads
 * the workflow and re-applies its ops to the newer definition, a bounded number of times (then
 * `conflict`). Each loss means another writer's save succeeded, so with N racing writers nobody
 * needs more than N attempts.
 */
import type { Database } from "@/db/client";
import { applyEditOps, type ApplyEditOpsResult } from "@/lib/engine/apply-edit-ops";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import { diffToEditOps } from "@/lib/engine/diff";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { DroppedKeys, EditActor, SkippedItem, ValidationError } from "@/lib/engine/ops";
import type { Workflow, WorkflowVersion, WorkflowVersionSummary } from "@/lib/resources/workflow";
import { decodeCursor } from "@/lib/store/cursor";
import { getWorkflowVersion, listWorkflowVersionSummaries, VersionCursorSchema } from "@/lib/store/workflow-versions";
import { getWorkflow, saveWorkflowVersion } from "@/lib/store/workflows";
import { workflowDirectoryOf } from "./directory";
import { fail, invalidCursor, succeed, versionMismatch, workflowNotFound, type Actor, type Outcome } from "./outcome";

/** Attempts of a save without `ifMatch` before `conflict`. */
export const MAX_SAVE_ATTEMPTS = 25;

/** WEFT_LAYOUT_FOLD_MS's default: one person's moves within 5 s share one history entry. */
export const DEFAULT_LAYOUT_FOLD_MS = 5_000;

/** The patch endpoint's response, shared by operations, PUT definition and restore. */
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

/** How an edit is applied: `dryRun` saves nothing; `atomic` saves only when no op was skipped. */
export interface EditOptions {
  ifMatch?: number;
  dryRun?: boolean;
  atomic?: boolean;
}

export interface EditRequest extends EditOptions {
  /** The ops to apply, built from the definition they will apply to (re-built on every retry). */
  ops: (current: WorkflowDefinition) => readonly unknown[];
  /** History source: "edit" (default) or "restore:<n>". */
  source?: string;
}

interface EditDeps {
  db: Database;
  registry: ConnectorRegistry;
  /**
   * Position-only edits by the actor who saved the newest version less than this many
   * milliseconds ago fold into that version's history entry (docs/patch-endpoint.md, "History");
   * 0 never folds. Default DEFAULT_LAYOUT_FOLD_MS.
   */
  layoutFoldMs?: number;
}

/** Param visibility follows the actor: API keys are agents and may not set `user` params. */
export function editActor(actor: Actor): EditActor {
  return actor.kind === "api_key" ? "api_key" : "user";
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
 * Applies an edit to workflow `id` of the actor's organization and saves it when it changed (and
 * is neither a dry run nor an atomic batch with skips). Fails with `not_found`,
 * `version_mismatch` or `conflict`.
 */
export async function editWorkflow(deps: EditDeps, actor: Actor, id: string, request: EditRequest): Promise<Outcome<PatchResponse>> {
  const { organizationId } = actor;
  for (let attempt = 1; attempt <= MAX_SAVE_ATTEMPTS; attempt++) {
    const current = await getWorkflow(deps.db, organizationId, id);
    if (!current) return fail(workflowNotFound());
    if (request.ifMatch !== undefined && request.ifMatch !== current.version) return fail(versionMismatch(current.version));

    const ops = request.ops(current.definition);
    const options = { actor: editActor(actor), dryRun: request.dryRun, atomic: request.atomic, currentVersion: current.version };
    let result = applyEditOps(current.definition, ops, deps.registry, options);
    // Workflow ids the result names are checked against the organization: a second, pure pass when there are any.
    const workflows = await workflowDirectoryOf(deps, organizationId, result.definition);
    if (workflows) result = applyEditOps(current.definition, ops, deps.registry, { ...options, workflows });
    if (!result.commit) {
      // A dry run shows what would have been saved; an atomic batch with skips and a no-op show the stored workflow.
      const shown = request.dryRun && result.changed ? { ...current, definition: result.definition } : current;
      return succeed(respond(shown, result, false));
    }

    const saved = await saveWorkflowVersion(deps.db, organizationId, id, {
      expectedVersion: current.version,
      definition: result.definition,
      ops: result.applied,
      actor: actor.id,
      source: request.source,
      layoutFoldMs: deps.layoutFoldMs ?? DEFAULT_LAYOUT_FOLD_MS,
    });
    if (saved.ok) return succeed(respond(saved.workflow, result, true));
    if (saved.reason === "not_found") return fail(workflowNotFound());
    if (request.ifMatch !== undefined) return fail(versionMismatch(saved.current));
    await backoff(attempt);
  }
  return fail({ code: "conflict", message: "The workflow kept changing under this edit; send it again." });
}

/** The patch endpoint: applies `ops` in order, skipping (and explaining) the ones that cannot apply. */
export function patchWorkflow(deps: EditDeps, actor: Actor, id: string, ops: readonly unknown[], options: EditOptions = {}): Promise<Outcome<PatchResponse>> {
  return editWorkflow(deps, actor, id, { ...options, ops: () => ops });
}

/** Replaces the whole definition: the difference from the current one is applied as EditOps. */
export function replaceDefinition(
  deps: EditDeps,
  actor: Actor,
  id: string,
  definition: WorkflowDefinition,
  options: EditOptions = {},
): Promise<Outcome<PatchResponse>> {
  return editWorkflow(deps, actor, id, { ...options, ops: (current) => diffToEditOps(current, definition) });
}

/** Saves an older version's definition as a new version (history source `restore:<n>`); unknown version → `version_not_found`. */
export async function restoreVersion(
  deps: EditDeps,
  actor: Actor,
  id: string,
  version: number,
  options: EditOptions = {},
): Promise<Outcome<PatchResponse>> {
  const target = await getWorkflowVersion(deps.db, actor.organizationId, id, version);
  if (!target) {
    if (!(await getWorkflow(deps.db, actor.organizationId, id))) return fail(workflowNotFound());
    return fail({ code: "version_not_found", message: `Version ${version} does not exist.` });
  }
  return editWorkflow(deps, actor, id, { ...options, ops: (current) => diffToEditOps(current, target.definition), source: `restore:${version}` });
}

/** A page of a workflow's history, newest first (without definitions and ops), each entry with who saved it and a one-line summary. */
export async function listVersions(
  deps: Pick<EditDeps, "db">,
  actor: Actor,
  id: string,
  page: { limit: number; cursor?: string },
): Promise<Outcome<{ data: WorkflowVersionSummary[]; nextCursor: string | null }>> {
  const before = page.cursor === undefined ? null : decodeCursor(page.cursor, VersionCursorSchema);
  if (page.cursor !== undefined && before === null) return fail(invalidCursor());
  const found = await listWorkflowVersionSummaries(deps.db, actor.organizationId, id, { limit: page.limit, beforeVersion: before?.v });
  return found ? succeed(found) : fail(workflowNotFound());
}

/** One version of a workflow: its definition and the ops that produced it. */
export async function getVersion(deps: Pick<EditDeps, "db">, actor: Actor, id: string, version: number): Promise<Outcome<WorkflowVersion>> {
  const found = await getWorkflowVersion(deps.db, actor.organizationId, id, version);
  return found ? succeed(found) : fail({ code: "not_found", message: "No such workflow or version." });
}
