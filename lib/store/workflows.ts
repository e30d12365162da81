/**
 * Workflow store: every function takes the organization id and filters on it, so a row of another
 * organization is simply "not found" (docs/architecture.md, "Tenancy and auth"). The version check and the write of a new
 * version are one UPDATE … WHERE version = $expected, inside the transaction that records it
 * (as a new history entry, or folded into the newest one: see saveWorkflowVersion).
 */
import { and, desc, eq, getTableColumns, inArray, isNull, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import { runs, workflows, workflowVersions } from "@/db/schema";
import { emptyDefinition, type WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";
import type { WorkflowDirectory } from "@/lib/engine/validate-workflow-references";
import type { RunStatus } from "@/lib/resources/run";
import type { Workflow, WorkflowListItem } from "@/lib/resources/workflow";
import { actorNameSql, actorSummary } from "./actors";
import type { CreatedAtCursor } from "./cursor";
import { newId } from "./ids";
import { keysetPage, newestFirst, type Page, type PageRequest } from "./pages";
import { disableWorkflowSchedules } from "./schedules";
import { recordVersion, type VersionRecord } from "./workflow-versions";

export type { Workflow, WorkflowListItem };

export type SaveResult =
  | { ok: true; workflow: Workflow }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "version_mismatch"; current: number };

type WorkflowRow = typeof workflows.$inferSelect;

function toWorkflow(row: WorkflowRow): Workflow {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    version: row.version,
    definition: row.definition,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A new workflow id: `wf_` and 20 random lowercase characters. */
export function newWorkflowId(): string {
  return newId("wf");
}

/** Creates a workflow at version 1 (definition already validated by the caller). */
export async function createWorkflow(
  db: Database,
  organizationId: string,
  input: { name?: string; description?: string; definition?: WorkflowDefinition; ops?: EditOp[]; actor: string },
): Promise<Workflow> {
  const definition = input.definition ?? emptyDefinition();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(workflows)
      .values({
        id: newWorkflowId(),
        organizationId,
        name: input.name ?? "Untitled workflow",
        description: input.description ?? "",
        version: 1,
        definition,
      })
      .returning();
    await recordVersion(tx, organizationId, row.id, 1, { definition, ops: input.ops ?? [], actor: input.actor, source: "create" });
    return toWorkflow(row);
  });
}

/** The workflow, or null when it does not exist, is deleted, or belongs to another organization. */
export async function getWorkflow(db: Database, organizationId: string, id: string): Promise<Workflow | null> {
  const [row] = await db
    .select()
    .from(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.organizationId, organizationId), isNull(workflows.deletedAt)));
  return row ? toWorkflow(row) : null;
}

/** Workflows offered in the hint of an `unknown_workflow` validation error. */
const DIRECTORY_CHOICES = 50;

/**
 * Which of `ids` name a workflow of the organization that is not deleted, for the validation of
 * workflow references (lib/engine/validate-workflow-references.ts); when one does not, also the
 * organization's newest workflows, for the hint.
 */
export async function findWorkflowDirectory(db: Database, organizationId: string, ids: readonly string[]): Promise<WorkflowDirectory> {
  const unique = [...new Set(ids)];
  const found =
    unique.length === 0
      ? []
      : await db
          .select({ id: workflows.id })
          .from(workflows)
          .where(and(eq(workflows.organizationId, organizationId), inArray(workflows.id, unique), isNull(workflows.deletedAt)));
  const known = new Set(found.map((row) => row.id));
  const choices =
    known.size === unique.length
      ? []
      : await db
          .select({ id: workflows.id, name: workflows.name })
          .from(workflows)
          .where(and(eq(workflows.organizationId, organizationId), isNull(workflows.deletedAt)))
          .orderBy(desc(workflows.createdAt), desc(workflows.id))
          .limit(DIRECTORY_CHOICES);
  return { has: (id) => known.has(id), choices };
}

/** `text` as a LIKE pattern that matches it literally anywhere (`\` is the escape character). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One page of the organization's workflows, newest first, each with its newest run and who saved
 * its latest version. `q` keeps the workflows whose name contains it, case-insensitively. One
 * statement: both extras are lateral joins, and the actor's name is looked up only inside this
 * organization (lib/store/actors.ts).
 */
export async function listWorkflows(
  db: Database,
  organizationId: string,
  page: PageRequest<CreatedAtCursor> & { q?: string },
): Promise<Page<WorkflowListItem>> {
  const lastRun = db
    .select({ id: runs.id, status: runs.status, createdAt: runs.createdAt })
    .from(runs)
    .where(and(eq(runs.organizationId, workflows.organizationId), eq(runs.workflowId, workflows.id)))
    .orderBy(desc(runs.createdAt), desc(runs.id))
    .limit(1)
    .as("last_run");
  const latestVersion = db
    .select({ actor: workflowVersions.actor })
    .from(workflowVersions)
    .where(and(eq(workflowVersions.workflowId, workflows.id), eq(workflowVersions.organizationId, workflows.organizationId)))
    .orderBy(desc(workflowVersions.version))
    .limit(1)
    .as("latest_version");
  const query = db
    .select({
      ...getTableColumns(workflows),
      lastRunId: lastRun.id,
      // "waiting" is not stored: it is a running run with an open wait (as lib/store/runs.ts derives it).
      lastRunStatus: sql<string | null>`CASE
        WHEN ${lastRun.status} = 'running' AND EXISTS (SELECT 1 FROM run_waits rw WHERE rw.run_id = ${lastRun.id} AND rw.open)
        THEN 'waiting' ELSE ${lastRun.status} END`,
      lastRunCreatedAt: lastRun.createdAt,
      updatedByActor: latestVersion.actor,
      updatedByName: actorNameSql(latestVersion.actor, organizationId),
    })
    .from(workflows)
    .leftJoinLateral(lastRun, sql`true`)
    .leftJoinLateral(latestVersion, sql`true`)
    .$dynamic();
  const q = page.q?.trim();
  return keysetPage(query, {
    where: and(
      eq(workflows.organizationId, organizationId),
      isNull(workflows.deletedAt),
      q ? sql`${workflows.name} ILIKE ${containsPattern(q)} ESCAPE '\\'` : undefined,
    ),
    order: newestFirst(workflows),
    page,
    toItem: (row) => ({
      ...toWorkflow(row),
      lastRun:
        row.lastRunId && row.lastRunStatus && row.lastRunCreatedAt
          ? { id: row.lastRunId, status: row.lastRunStatus as RunStatus, createdAt: row.lastRunCreatedAt.toISOString() }
          : null,
      updatedBy: row.updatedByActor ? actorSummary(row.updatedByActor, row.updatedByName) : null,
    }),
  });
}

/**
 * Saves `definition` as version expectedVersion + 1, atomically: it fails with
 * `version_mismatch` (and the current version) when another write got there first. The history
 * entry is written in the same transaction (`recordVersion`: a new one, or the newest one
 * rewritten when a layout save folds).
 */
export async function saveWorkflowVersion(
  db: Database,
  organizationId: string,
  id: string,
  input: VersionRecord & { expectedVersion: number },
): Promise<SaveResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflows)
      .set({ definition: input.definition, version: sql`${workflows.version} + 1`, updatedAt: sql`now()` })
      .where(
        and(
          eq(workflows.id, id),
          eq(workflows.organizationId, organizationId),
          isNull(workflows.deletedAt),
          eq(workflows.version, input.expectedVersion),
        ),
      )
      .returning();
    if (!row) return conflictOrMissing(tx, organizationId, id);
    await recordVersion(tx, organizationId, id, row.version, input);
    return { ok: true, workflow: toWorkflow(row) };
  });
}

/** Renames or re-describes a workflow; the version is unchanged (only definitions are versioned). */
export async function updateWorkflowDetails(
  db: Database,
  organizationId: string,
  id: string,
  input: { name?: string; description?: string; expectedVersion?: number },
): Promise<SaveResult> {
  const [row] = await db
    .update(workflows)
    .set({ ...(input.name !== undefined && { name: input.name }), ...(input.description !== undefined && { description: input.description }), updatedAt: sql`now()` })
    .where(
      and(
        eq(workflows.id, id),
        eq(workflows.organizationId, organizationId),
        isNull(workflows.deletedAt),
        input.expectedVersion === undefined ? undefined : eq(workflows.version, input.expectedVersion),
      ),
    )
    .returning();
  if (!row) return conflictOrMissing(db, organizationId, id);
  return { ok: true, workflow: toWorkflow(row) };
}

/**
 * Soft-deletes a workflow (only at `expectedVersion` when given) and, in the same transaction,
 * turns off its schedules (reason `workflow_deleted`); not_found when there was nothing to delete.
 */
export async function deleteWorkflow(
  db: Database,
  organizationId: string,
  id: string,
  expectedVersion?: number,
): Promise<SaveResult> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(workflows)
      .set({ deletedAt: sql`now()` })
      .where(
        and(
          eq(workflows.id, id),
          eq(workflows.organizationId, organizationId),
          isNull(workflows.deletedAt),
          expectedVersion === undefined ? undefined : eq(workflows.version, expectedVersion),
        ),
      )
      .returning();
    if (!row) return conflictOrMissing(tx, organizationId, id);
    // The ticker never locks a workflow row (it locks schedules, then dispatches), so waiting
    // here for a pass that holds one of these schedules cannot deadlock.
    await disableWorkflowSchedules(tx, organizationId, id);
    return { ok: true, workflow: toWorkflow(row) };
  });
}

async function conflictOrMissing(
  db: Pick<Database, "select">,
  organizationId: string,
  id: string,
): Promise<Exclude<SaveResult, { ok: true }>> {
  const [current] = await db
    .select({ version: workflows.version })
    .from(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.organizationId, organizationId), isNull(workflows.deletedAt)));
  return current ? { ok: false, reason: "version_mismatch", current: current.version } : { ok: false, reason: "not_found" };
}
