/**
 * Schedule store (docs/runs.md, "Schedules"). The CRUD functions take the organization id and
 * filter on it, so another organization's schedule is "not found". The ticker's functions run
 * inside the pass's transaction: `claimDueSchedules` locks due rows with `FOR UPDATE SKIP LOCKED`,
 * so racing tickers never see the same row, and the row stays locked until its outcome is written.
 */
import { and, eq, isNull, or, sql as drizzleSql } from "drizzle-orm";
import type postgres from "postgres";
import type { Database } from "@/db/client";
import { schedules } from "@/db/schema";
import type { WorkflowDefinition } from "@/lib/engine/model";
import type { CreatedAtCursor } from "./cursor";
import { newId } from "./ids";
import { keysetPage, newestFirst, type Page, type PageRequest } from "./pages";
import type { Workflow } from "@/lib/resources/workflow";

export type ScheduleRecord = typeof schedules.$inferSelect;

/** The fields a person may change (PATCH), already validated; `nextFireAt` is recomputed by the caller. */
export type ScheduleChanges = Partial<
  Pick<ScheduleRecord, "cron" | "timezone" | "input" | "enabled" | "disabledReason" | "nextFireAt" | "dispatchFailures" | "lastError" | "lastErrorDetails" | "lastErrorAt">
>;

/** Why the system turns off the schedules of a deleted workflow (the API shows it as `disabledReason`). */
export const WORKFLOW_DELETED = "workflow_deleted";

/** A new schedule id: `sch_` and 20 random lowercase characters. */
export function newScheduleId(): string {
  return newId("sch");
}

/** Inserts a schedule (cron, zone and workflow already checked by the caller). */
export async function createSchedule(
  db: Database,
  organizationId: string,
  input: { workflowId: string; cron: string; timezone: string; input: unknown; enabled: boolean; nextFireAt: Date | null; createdBy: string },
): Promise<ScheduleRecord> {
  const [row] = await db
    .insert(schedules)
    .values({ id: newScheduleId(), organizationId, ...input, input: input.input ?? null })
    .returning();
  return row;
}

/** The schedule, or null when it does not exist in this organization. */
export async function getSchedule(db: Database, organizationId: string, id: string): Promise<ScheduleRecord | null> {
  const [row] = await db.select().from(schedules).where(and(eq(schedules.id, id), eq(schedules.organizationId, organizationId)));
  return row ?? null;
}

/** One page of the organization's schedules (optionally of one workflow), newest first. */
export async function listSchedules(
  db: Database,
  organizationId: string,
  page: PageRequest<CreatedAtCursor> & { workflowId?: string },
): Promise<Page<ScheduleRecord>> {
  return keysetPage(db.select().from(schedules).$dynamic(), {
    where: and(eq(schedules.organizationId, organizationId), page.workflowId ? eq(schedules.workflowId, page.workflowId) : undefined),
    order: newestFirst(schedules),
    page,
    toItem: (row) => row,
  });
}

/**
 * Changes a schedule under its row lock (so a ticker pass holding it finishes first): `plan` sees
 * the current row and returns the changes, or throws to change nothing. Null when not found.
 */
export async function updateSchedule(
  db: Database,
  organizationId: string,
  id: string,
  plan: (current: ScheduleRecord) => Promise<ScheduleChanges>,
): Promise<ScheduleRecord | null> {
  return db.transaction(async (tx) => {
    const [current] = await tx
      .select()
      .from(schedules)
      .where(and(eq(schedules.id, id), eq(schedules.organizationId, organizationId)))
      .for("update");
    if (!current) return null;
    const changes = await plan(current);
    const [row] = await tx
      .update(schedules)
      .set({ ...changes, updatedAt: drizzleSql`now()` })
      .where(eq(schedules.id, id))
      .returning();
    return row;
  });
}

/**
 * Turns off every schedule of a workflow being deleted, with reason `workflow_deleted`, except
 * those the system already turned off for another reason. Called in the deletion's transaction;
 * waits for a ticker pass holding one of the rows. Returns the ids it turned off.
 */
export async function disableWorkflowSchedules(db: Pick<Database, "update">, organizationId: string, workflowId: string): Promise<string[]> {
  const rows = await db
    .update(schedules)
    .set({ enabled: false, disabledReason: WORKFLOW_DELETED, nextFireAt: null, updatedAt: drizzleSql`now()` })
    .where(
      and(
        eq(schedules.organizationId, organizationId),
        eq(schedules.workflowId, workflowId),
        or(eq(schedules.enabled, true), isNull(schedules.disabledReason)),
      ),
    )
    .returning({ id: schedules.id });
  return rows.map((row) => row.id);
}

/** Deletes the schedule; false when it does not exist in this organization. */
export async function deleteSchedule(db: Database, organizationId: string, id: string): Promise<boolean> {
  const rows = await db
    .delete(schedules)
    .where(and(eq(schedules.id, id), eq(schedules.organizationId, organizationId)))
    .returning({ id: schedules.id });
  return rows.length > 0;
}

/** A claimed due schedule, with its workflow (null when deleted or gone). */
export interface DueSchedule {
  id: string;
  organizationId: string;
  workflowId: string;
  cron: string;
  timezone: string;
  input: unknown;
  lastFiredSlot: Date | null;
  /** Failed dispatches in a row before this claim (0 when the last one succeeded). */
  dispatchFailures: number;
  workflow: Workflow | null;
}

/** Timestamps cross as ISO 8601 text: the app's pool is drizzle's, which turns postgres.js's Date handling off. */
interface DueRow {
  id: string;
  organization_id: string;
  workflow_id: string;
  cron: string;
  timezone: string;
  input: unknown;
  last_fired_slot: string | null;
  dispatch_failures: number;
  w_id: string | null;
  w_name: string;
  w_description: string;
  w_version: number;
  w_definition: WorkflowDefinition;
  w_created_at: string;
  w_updated_at: string;
  w_deleted: boolean;
}

/** `column` as `2025-01-01T00:00:00.000Z` (what Date#toISOString gives). */
function iso(tx: postgres.Sql, column: string) {
  return tx.unsafe(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}

/** A timestamp parameter that works whether or not drizzle owns the pool. */
function at(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/**
 * Locks up to `limit` enabled schedules due at `now` (`next_fire_at <= now`), earliest first,
 * skipping rows another pass holds and the ids in `exclude`; only `organizationId`'s when given.
 * Call inside a transaction: the locks last until it ends.
 */
export async function claimDueSchedules(
  tx: postgres.Sql,
  options: { now: Date; limit: number; organizationId?: string; exclude?: readonly string[] },
): Promise<DueSchedule[]> {
  const exclude = [...(options.exclude ?? [])];
  const rows = await tx<DueRow[]>`
    SELECT s.id, s.organization_id, s.workflow_id, s.cron, s.timezone, s.input,
      ${iso(tx, "s.last_fired_slot")} AS last_fired_slot, s.dispatch_failures,
      w.id AS w_id, w.name AS w_name, w.description AS w_description, w.version AS w_version,
      w.definition AS w_definition, ${iso(tx, "w.created_at")} AS w_created_at, ${iso(tx, "w.updated_at")} AS w_updated_at,
      w.deleted_at IS NOT NULL AS w_deleted
    FROM schedules s
    LEFT JOIN workflows w ON w.id = s.workflow_id AND w.organization_id = s.organization_id
    WHERE s.enabled AND s.next_fire_at <= ${at(options.now)}::timestamptz
      ${options.organizationId === undefined ? tx`` : tx`AND s.organization_id = ${options.organizationId}`}
      ${exclude.length === 0 ? tx`` : tx`AND s.id <> ALL(${exclude}::text[])`}
    ORDER BY s.next_fire_at
    LIMIT ${options.limit}
    FOR UPDATE OF s SKIP LOCKED`;
  return rows.map((row) => ({
    id: row.id,
    organizationId: row.organization_id,
    workflowId: row.workflow_id,
    cron: row.cron,
    timezone: row.timezone,
    input: row.input,
    lastFiredSlot: row.last_fired_slot === null ? null : new Date(row.last_fired_slot),
    dispatchFailures: row.dispatch_failures,
    workflow:
      row.w_id === null || row.w_deleted
        ? null
        : {
            id: row.w_id,
            name: row.w_name,
            description: row.w_description,
            version: row.w_version,
            definition: row.w_definition,
            createdAt: row.w_created_at,
            updatedAt: row.w_updated_at,
          },
  }));
}

/**
 * Records a fired slot and the run it started, moves the schedule to its next fire time, and
 * clears the dispatch failures of that slot.
 */
export async function recordScheduleFired(
  tx: postgres.Sql,
  id: string,
  fired: { slot: Date; firedAt: Date; runId: string; nextFireAt: Date | null },
): Promise<void> {
  await tx`
    UPDATE schedules SET last_fired_slot = ${at(fired.slot)}::timestamptz, last_fired_at = ${at(fired.firedAt)}::timestamptz,
      last_run_id = ${fired.runId}, next_fire_at = ${at(fired.nextFireAt)}::timestamptz,
      dispatch_failures = 0, last_error = NULL, last_error_details = NULL, last_error_at = NULL
    WHERE id = ${id}`;
}

/**
 * Records a failed dispatch: one more failure in a row, its message (and details, such as the
 * validation errors of an invalid workflow) and time. The schedule stays
 * due for the same slot; `retryAt` (when given) holds it back until then, null retries it on the
 * next pass.
 */
export async function recordDispatchFailure(
  tx: postgres.Sql,
  id: string,
  failure: { message: string; details?: Record<string, unknown> | null; failedAt: Date; retryAt: Date | null },
): Promise<void> {
  // As text cast to jsonb: drizzle's pool (which the ticker may be given) serializes no JSON itself.
  const details = failure.details ? JSON.stringify(failure.details) : null;
  await tx`
    UPDATE schedules SET dispatch_failures = dispatch_failures + 1, last_error = ${failure.message},
      last_error_details = ${details}::jsonb, last_error_at = ${at(failure.failedAt)}::timestamptz, next_fire_at = COALESCE(${at(failure.retryAt)}::timestamptz, next_fire_at)
    WHERE id = ${id}`;
}

/** Moves the schedule to its next fire time without firing (its slot already fired). */
export async function advanceSchedule(tx: postgres.Sql, id: string, nextFireAt: Date | null): Promise<void> {
  await tx`UPDATE schedules SET next_fire_at = ${at(nextFireAt)}::timestamptz WHERE id = ${id}`;
}

/** Turns a schedule off for a reason the API shows (e.g. `workflow_deleted`). */
export async function disableSchedule(tx: postgres.Sql, id: string, reason: string): Promise<void> {
  await tx`UPDATE schedules SET enabled = false, disabled_reason = ${reason}, next_fire_at = NULL, updated_at = now() WHERE id = ${id}`;
}
