/**
 * Workflow use-cases (docs/architecture.md): create, read, list, rename and delete a workflow of
 * the actor's organization. Every door (API routes, pages, MCP tools, the CLI) calls these; a
 * workflow of another organization is simply `not_found`.
 */
import type { Database } from "@/db/client";
import { applyEditOps } from "@/lib/engine/apply-edit-ops";
import type { ConnectorRegistry } from "@/lib/engine/connector";
import { diffToEditOps } from "@/lib/engine/diff";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import type { ValidationError } from "@/lib/engine/ops";
import { validateDefinition } from "@/lib/engine/validate";
import type { Workflow, WorkflowListItem } from "@/lib/resources/workflow";
import { CreatedAtCursorSchema, decodeCursor } from "@/lib/store/cursor";
import * as store from "@/lib/store/workflows";
import { editActor } from "./edit";
import { workflowDirectoryOf } from "./directory";
import { fail, invalidCursor, succeed, versionMismatch, workflowNotFound, type Actor, type Outcome } from "./outcome";

/** What the workflow use-cases need: the database and the connector registry. */
export interface WorkflowDeps {
  db: Database;
  registry: ConnectorRegistry;
}

/** A page of a list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Creates a workflow at version 1. An initial definition goes through the patch path (as a diff
 * from the empty one): if any part of it would be skipped, nothing is created
 * (`invalid_definition`, with the skipped items); validation errors do not block.
 */
export async function createWorkflow(
  deps: WorkflowDeps,
  actor: Actor,
  input: { name?: string; description?: string; definition?: WorkflowDefinition },
): Promise<Outcome<Workflow & { validation_errors: ValidationError[] }>> {
  const empty = emptyDefinition();
  const ops = input.definition ? diffToEditOps(empty, input.definition) : [];
  const options = { actor: editActor(actor), atomic: true, currentVersion: 0 };
  let result = applyEditOps(empty, ops, deps.registry, options);
  // Workflow ids it names are checked against the organization (a second, pure pass when there are any).
  const workflows = await workflowDirectoryOf(deps, actor.organizationId, result.definition);
  if (workflows) result = applyEditOps(empty, ops, deps.registry, { ...options, workflows });
  if (result.skipped.length > 0) {
    const lines = result.summary.split("\n");
    lines[1] = "Nothing created: fix or remove the skipped items and send the definition again.";
    return fail({
      code: "invalid_definition",
      message: "Parts of the definition cannot be applied; nothing was created.",
      skipped_items: result.skipped,
      validation_errors: result.validationErrors,
      summary: lines.join("\n"),
    });
  }
  const workflow = await store.createWorkflow(deps.db, actor.organizationId, {
    name: input.name,
    description: input.description,
    definition: result.definition,
    ops: result.applied,
    actor: actor.id,
  });
  return succeed({ ...workflow, validation_errors: result.validationErrors });
}

/** The workflow, or `not_found`. */
export async function getWorkflow(deps: Pick<WorkflowDeps, "db">, actor: Actor, id: string): Promise<Outcome<Workflow>> {
  const workflow = await store.getWorkflow(deps.db, actor.organizationId, id);
  return workflow ? succeed(workflow) : fail(workflowNotFound());
}

/** What `validateWorkflow` reports: whether the current version can run, and what stops it. */
export interface WorkflowValidation {
  ok: boolean;
  version: number;
  validation_errors: ValidationError[];
  summary: string;
}

/**
 * Validates the workflow's current definition as a run would (`startRun` refuses a definition with
 * validation errors), without running or saving anything; `not_found` for an unknown workflow.
 */
export async function validateWorkflow(deps: WorkflowDeps, actor: Actor, id: string): Promise<Outcome<WorkflowValidation>> {
  const workflow = await store.getWorkflow(deps.db, actor.organizationId, id);
  if (!workflow) return fail(workflowNotFound());
  const workflows = await workflowDirectoryOf(deps, actor.organizationId, workflow.definition);
  const errors = validateDefinition(workflow.definition, deps.registry, { workflows });
  const summary =
    errors.length === 0
      ? `Version ${workflow.version} is valid: it can run.`
      : `Version ${workflow.version} has ${errors.length} validation error(s); a run would be refused (workflow_invalid) until they are fixed.`;
  return succeed({ ok: errors.length === 0, version: workflow.version, validation_errors: errors, summary });
}

/**
 * A page of the organization's workflows, newest first, each with its newest run and who saved its
 * latest version; `q` keeps names that contain it (any case), `cursor` is a previous page's
 * nextCursor (of the same `q`).
 */
export async function listWorkflows(
  deps: Pick<WorkflowDeps, "db">,
  actor: Actor,
  page: { limit: number; cursor?: string; q?: string },
): Promise<Outcome<Page<WorkflowListItem>>> {
  const after = page.cursor === undefined ? null : decodeCursor(page.cursor, CreatedAtCursorSchema);
  if (page.cursor !== undefined && after === null) return fail(invalidCursor());
  return succeed(await store.listWorkflows(deps.db, actor.organizationId, { limit: page.limit, after, q: page.q }));
}

/** Renames or re-describes a workflow (the version is unchanged); `ifMatch` guards it like an edit. */
export async function renameWorkflow(
  deps: Pick<WorkflowDeps, "db">,
  actor: Actor,
  id: string,
  input: { name?: string; description?: string; ifMatch?: number },
): Promise<Outcome<Workflow>> {
  const { ifMatch, ...details } = input;
  return saved(await store.updateWorkflowDetails(deps.db, actor.organizationId, id, { ...details, expectedVersion: ifMatch }));
}

/** Soft-deletes a workflow (in-flight runs keep their pinned copy) and turns its schedules off. */
export async function deleteWorkflow(
  deps: Pick<WorkflowDeps, "db">,
  actor: Actor,
  id: string,
  options: { ifMatch?: number } = {},
): Promise<Outcome<Workflow>> {
  return saved(await store.deleteWorkflow(deps.db, actor.organizationId, id, options.ifMatch));
}

function saved(result: store.SaveResult): Outcome<Workflow> {
  if (result.ok) return succeed(result.workflow);
  return fail(result.reason === "not_found" ? workflowNotFound() : versionMismatch(result.current));
}
