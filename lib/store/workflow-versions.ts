/**
 * A workflow's history (docs/patch-endpoint.md, "History"): one entry per saved version, written
 * in the transaction that saves it (lib/store/workflows.ts), except that one actor's layout-only
 * saves within the folding window share an entry. Every function filters on the organization.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/db/client";
import { workflows, workflowVersions } from "@/db/schema";
import { isLayoutOnly, mergeMoveOps } from "@/lib/engine/layout-ops";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { EditOp } from "@/lib/engine/ops";
import { summarizeVersionOps } from "@/lib/engine/version-summary";
import type { WorkflowVersion, WorkflowVersionSummary } from "@/lib/resources/workflow";
import { actorNameSql, actorSummary } from "./actors";
import { byUniqueColumn, keysetPage, type Page } from "./pages";

export type { WorkflowVersion, WorkflowVersionSummary };

/** The position in a version list: versions below `v` come next. */
export const VersionCursorSchema = z.object({ v: z.number().int().min(1).max(2_147_483_647) }).strict();

/** A version to record in history. */
export interface VersionRecord {
  definition: WorkflowDefinition;
  /** The ops that took effect, normalized. */
  ops: EditOp[];
  actor: string;
  /** "edit" (default), "create" or "restore:<n>". */
  source?: string;
  /**
   * Layout folding window in milliseconds (WEFT_LAYOUT_FOLD_MS); 0 or absent never folds. A
   * position-only edit whose newest entry is a position-only edit by the same actor saved less
   * than this long ago is folded into that entry instead of adding one.
   */
  layoutFoldMs?: number;
}

/**
 * Records `version` of workflow `id` in its history, inside the transaction that saved it (after
 * the UPDATE or INSERT of the workflow row, whose lock keeps every other save of this workflow
 * out until commit): as a new entry, or by folding it into the newest one (`foldLayoutSave`).
 */
export async function recordVersion(
  tx: Pick<Database, "select" | "update" | "insert">,
  organizationId: string,
  id: string,
  version: number,
  record: VersionRecord,
): Promise<void> {
  if (await foldLayoutSave(tx, organizationId, id, version, record)) return;
  await tx.insert(workflowVersions).values({
    workflowId: id,
    organizationId,
    version,
    definition: record.definition,
    ops: record.ops,
    actor: record.actor,
    source: record.source ?? "edit",
    summary: summarizeVersionOps(record.ops),
  });
}

/**
 * Folds a layout save into the newest history entry (version - 1) when that entry is a layout
 * edit by the same actor, saved less than `layoutFoldMs` ago by the database's clock: the entry
 * becomes `version`, with the new definition, one move per block and the time of now (so a
 * burst folds for as long as it goes on). Returns false, having written nothing, otherwise.
 */
async function foldLayoutSave(
  tx: Pick<Database, "select" | "update">,
  organizationId: string,
  id: string,
  version: number,
  record: VersionRecord,
): Promise<boolean> {
  const windowMs = record.layoutFoldMs ?? 0;
  if (windowMs <= 0 || (record.source ?? "edit") !== "edit" || !isLayoutOnly(record.ops)) return false;
  const newest = and(
    eq(workflowVersions.workflowId, id),
    eq(workflowVersions.organizationId, organizationId),
    eq(workflowVersions.version, version - 1),
  );
  const [entry] = await tx
    .select({
      actor: workflowVersions.actor,
      source: workflowVersions.source,
      ops: workflowVersions.ops,
      recent: sql<boolean>`${workflowVersions.createdAt} > now() - make_interval(secs => ${windowMs}::double precision / 1000)`,
    })
    .from(workflowVersions)
    .where(newest)
    .for("update");
  if (!entry || !entry.recent || entry.actor !== record.actor || entry.source !== "edit" || !isLayoutOnly(entry.ops)) return false;
  const ops = mergeMoveOps(entry.ops, record.ops);
  await tx
    .update(workflowVersions)
    .set({
      version,
      definition: record.definition,
      ops,
      summary: summarizeVersionOps(ops),
      folded: sql`${workflowVersions.folded} + 1`,
      createdAt: sql`now()`,
    })
    .where(newest);
  return true;
}

const newestVersionFirst = byUniqueColumn(workflowVersions.version, "desc", "v", (row: { version: number }) => row.version);

/** True when the workflow exists, is not deleted and belongs to the organization (reads no definition). */
async function workflowVisible(db: Database, organizationId: string, id: string): Promise<boolean> {
  const [row] = await db
    .select({ id: workflows.id })
    .from(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.organizationId, organizationId), isNull(workflows.deletedAt)));
  return row !== undefined;
}

/**
 * A page of a workflow's history, newest first, without definitions and ops (which can be large);
 * null when the workflow is not visible. Open editors poll `limit=1`, so this is two primary-key
 * reads: the workflow, then the page with each entry's actor named in the same statement. The
 * summary was stored at save time; only entries saved before it existed have their ops read.
 */
export async function listWorkflowVersionSummaries(
  db: Database,
  organizationId: string,
  id: string,
  page: { limit: number; beforeVersion?: number | null },
): Promise<Page<WorkflowVersionSummary> | null> {
  if (!(await workflowVisible(db, organizationId, id))) return null;
  const query = db
    .select({
      version: workflowVersions.version,
      actor: workflowVersions.actor,
      actorName: actorNameSql(workflowVersions.actor, organizationId),
      source: workflowVersions.source,
      opCount: sql<number>`jsonb_array_length(${workflowVersions.ops})`.mapWith(Number),
      summary: workflowVersions.summary,
      opsWithoutSummary: sql<EditOp[] | null>`CASE WHEN ${workflowVersions.summary} IS NULL THEN ${workflowVersions.ops} END`,
      folded: workflowVersions.folded,
      createdAt: workflowVersions.createdAt,
    })
    .from(workflowVersions)
    .$dynamic();
  return keysetPage(query, {
    where: and(eq(workflowVersions.workflowId, id), eq(workflowVersions.organizationId, organizationId)),
    order: newestVersionFirst,
    page: { limit: page.limit, after: page.beforeVersion ? { v: page.beforeVersion } : null },
    toItem: (row) => ({
      version: row.version,
      actor: row.actor,
      actorInfo: actorSummary(row.actor, row.actorName),
      source: row.source,
      opCount: row.opCount,
      summary: row.summary ?? summarizeVersionOps(row.opsWithoutSummary ?? []),
      folded: row.folded,
      createdAt: row.createdAt.toISOString(),
    }),
  });
}

/** One version of a workflow; null when it or the workflow is not visible. */
export async function getWorkflowVersion(
  db: Database,
  organizationId: string,
  id: string,
  version: number,
): Promise<WorkflowVersion | null> {
  if (!(await workflowVisible(db, organizationId, id))) return null;
  const [row] = await db
    .select()
    .from(workflowVersions)
    .where(
      and(
        eq(workflowVersions.workflowId, id),
        eq(workflowVersions.organizationId, organizationId),
        eq(workflowVersions.version, version),
      ),
    );
  return row ? toVersion(row) : null;
}

function toVersion(row: typeof workflowVersions.$inferSelect): WorkflowVersion {
  return {
    version: row.version,
    definition: row.definition,
    ops: row.ops,
    actor: row.actor,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
  };
}
